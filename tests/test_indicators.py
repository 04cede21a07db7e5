"""Indicators declared once: one number, one definition, one label (issue 15 item 2).

Each test plants a case where two faces used to answer differently and checks they now agree.
"""
from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import rasterio

from zlt_assets import indicators, plan, schema, standards
from zlt_assets.analysis import scorecard as sc
from zlt_assets.analysis.inputs import in_service
from zlt_assets.analysis.population import load_population
from zlt_assets.errors import BadInput
from zlt_assets.inventory import iter_records, write_layers
from zlt_assets.reports import render_scorecard
from zlt_assets.summary import summarise_inventory
from zlt_assets.validate import validate_inventory

PKG = Path(sc.__file__).resolve().parents[1]


# ------------------------------------------------------------------ one number
def test_plan_targets_refer_to_the_standards():
    for t in plan.TARGETS.values():
        std = t.standard
        assert isinstance(std, standards.Standard)
        assert t.value == (std.percent() if t.unit == "%" else std.value)
        assert std.source and t.section in std.source, t.id
    for c in plan.REQUIRED_COUNTS.values():
        assert c.count == c.standard.value and c.section in c.standard.source


def _numbers(path: Path) -> list[tuple[object, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside_dates: set[int] = set()
    for node in ast.walk(tree):  # the plan's phase dates are dates, not thresholds
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "date":
            inside_dates.update(id(a) for a in node.args)
    return [(n.value, n.lineno) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and type(n.value) in (int, float)
            and id(n) not in inside_dates]


def test_no_threshold_literal_in_plan_scorecard_indicators_or_rules():
    assert _numbers(PKG / "plan.py") == []
    # what is left: percent factors, rounding digits, months, ISO date length, list indexes
    allowed = {0, 1, 2, 3, 10, 12, 100}
    for name in ("analysis/scorecard.py", "indicators.py", "rules.py", "summary.py"):
        bad = [(v, ln) for v, ln in _numbers(PKG / name) if v not in allowed
               and v not in (1000, 1e6)]  # m -> km, m² -> km² in summary
        assert bad == [], (name, bad)


# ------------------------------------------------------------------ one definition: in service
def test_in_service_is_one_definition(sample_copy: Path):
    stops = pyogrio.read_dataframe(sample_copy, layer="bus_stops")
    stops.loc[stops.index[0], "status"] = None       # not recorded: counts, as coverage did
    stops.loc[stops.index[1], "status"] = "closed"   # does not count
    stops.loc[stops.index[2], "status"] = "in_service"
    write_layers(sample_copy, {"bus_stops": stops})
    gdf = pyogrio.read_dataframe(sample_copy, layer="bus_stops")
    coverage_count = len(in_service(gdf))
    expected = sum(schema.is_in_service(s) for s in gdf["status"])
    assert coverage_count == expected
    card = sc.compute_scorecard(sample_copy, "2020-12-31")
    ev = card.target("bus_stop_coverage").evidence
    assert ev["stops_in_service"] == coverage_count
    assert not schema.is_in_service("closed") and schema.is_in_service(None)


# ------------------------------------------------------------------ one definition: population
def _negative_cell(path: Path) -> None:
    pop = path.with_name(path.stem + "_population.tif")
    with rasterio.open(pop, "r+") as ds:
        band = ds.read(1)
        r, c = np.argwhere(band > 0)[0]
        band[r, c] = -50.0
        ds.write(band, 1)


def test_population_total_is_read_one_way(sample_copy: Path):
    pop_path = sample_copy.with_name(sample_copy.stem + "_population.tif")
    total = load_population(str(pop_path)).total
    assert summarise_inventory(sample_copy).population_total == pytest.approx(total)
    card = sc.compute_scorecard(sample_copy, "2020-12-31")
    assert card.target("road_area_per_capita").evidence["population"] == pytest.approx(total)
    _negative_cell(sample_copy)
    with pytest.raises(BadInput, match="negative"):
        load_population(str(pop_path))
    summary = summarise_inventory(sample_copy)  # refused, with the reason; the rest still counts
    assert summary.population_total is None and "negative" in summary.population_note["en"]
    t = sc.compute_scorecard(sample_copy, "2020-12-31").target("road_area_per_capita")
    assert t.status == sc.NOT_MEASURABLE and "negative" in t.needs_en


# ------------------------------------------------------------------ one definition: plan counts
def test_plan_counts_agree_between_validate_summary_and_scorecard(sample_copy: Path):
    roads = pyogrio.read_dataframe(sample_copy, layer="roads")
    plan_rows = roads.index[roads["plan_road"].notna()]
    roads.loc[plan_rows[0], "plan_road"] = f" {roads.loc[plan_rows[0], 'plan_road']} "  # blanks
    p07 = roads["plan_road"] == "P07"
    roads.loc[p07, "plan_road"] = "  "  # a blank plan road number is no plan road
    write_layers(sample_copy, {"roads": roads})
    summary = {c["key"]: c["found"] for c in summarise_inventory(sample_copy).plan_counts}
    report = validate_inventory(sample_copy)
    msg = next(p.message for p in report.errors if p.check == "plan_count" and p.layer == "roads"
               and p.field == "plan_road")
    card = sc.compute_scorecard(sample_copy, "2020-12-31")
    in_card = card.target("roads_built").evidence["plan_roads_in_inventory"]
    gdf = pyogrio.read_dataframe(sample_copy, layer="roads")
    found = plan.REQUIRED_COUNTS["plan_roads"].found(iter_records(gdf))
    assert found == 44 and summary["plan_roads"] == 44 and in_card == 44
    assert f"{found} in the inventory" in msg


# ------------------------------------------------------------------ meets the standard
def test_meets_is_the_one_comparison():
    std = indicators.coverage_standard(500)
    assert std is standards.BUS_COVERAGE_MIN_500 and indicators.coverage_standard(450) is None
    assert indicators.meets(0.9, std) and not indicators.meets(0.9 - 1e-6, std)
    lighting = plan.TARGETS["road_lighting"]
    assert indicators.meets(98.0, lighting) and not indicators.meets(97.6, lighting)
    with pytest.raises(ValueError):
        indicators.meets(1, 1, "~")


# ------------------------------------------------------------------ labels
def test_every_scorecard_figure_has_a_declared_label(sample_gpkg: Path):
    card = sc.compute_scorecard(sample_gpkg, "2020-12-31").to_dict()
    keys: set[str] = set()
    for t in card["targets"]:
        for k, v in t["evidence"].items():
            keys.add(k)
            if isinstance(v, list) and v and isinstance(v[0], dict):
                keys.update(v[0])
    undeclared = {k for k in keys if indicators.label(k) == k}
    assert undeclared == set()
    assert [i["key"] for i in card["district_indicators"]] == [i.key for i in indicators.DISTRICT]
    for tid in plan.TARGETS:
        ind = indicators.get(tid)
        assert ind.group == "target" and (ind.method_zh or ind.needs_zh)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_reports_never_show_raw_keys_to_planners(sample_gpkg: Path, fmt: str):
    card = sc.compute_scorecard(sample_gpkg, "2020-12-31")
    text = render_scorecard(card, fmt).decode("utf-8")
    if fmt == "html":
        text = re.sub(r"<[^>]+>", " ", text)
    targets = card.to_dict()["targets"]
    for t in targets:  # the method texts name the fields they read (length_m) on purpose
        for m in (t["method_zh"], t["method_en"]):
            text = text.replace(m if fmt == "md" else html.escape(m, quote=True), "")
    raw = set()
    for t in targets:
        for k in t["evidence"]:
            if "_" in k and re.search(rf"(?<![\w/]){re.escape(k)}(?![\w])", text):
                raw.add(k)
    assert raw == set()
    assert "无完成日期、按更新日期计为完成" in text


def test_xlsx_headers_are_words(sample_gpkg: Path, tmp_path: Path):
    from openpyxl import load_workbook

    from zlt_assets.reports import write_scorecard

    out = tmp_path / "card.xlsx"
    write_scorecard(sc.compute_scorecard(sample_gpkg, "2020-12-31"), out)
    wb = load_workbook(out)
    for ws in wb.worksheets:
        for cell in next(ws.iter_rows(max_row=1)):
            text = str(cell.value or "")
            assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (ws.title, text)


def test_batch_tables_are_labelled_from_the_indicators():
    from zlt_assets import batch

    by_key = {k: (zh, en) for k, zh, en in batch.SUMMARY_COLUMNS}
    for key in ("area_share", "population_share", "population_total", "meets_standard"):
        ind = indicators.get(key)
        assert by_key[key] == (ind.zh, ind.en)
    assert by_key["area_total_m2"] == ("总面积(平方米)", "Total area (m²)")


def test_catalogue_is_plain_data():
    rows = indicators.catalogue()
    assert len({r["key"] for r in rows}) == len(rows)
    assert all(isinstance(r["zh"], str) and r["zh"] for r in rows)
    assert next(r for r in rows if r["key"] == "area_share")["source"] == \
        standards.BUS_COVERAGE_MIN_500.cite()


def test_indicators_are_stdlib_only():
    """The plugin may load them in QGIS's process: no scientific stack behind them."""
    import subprocess
    import sys

    code = ("import sys; import zlt_assets.indicators, zlt_assets.rules, zlt_assets.schema; "
            "bad = [m for m in ('numpy', 'pandas', 'geopandas', 'shapely', 'pyogrio') "
            "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert gpd  # the test module itself uses the stack
