"""Scorecard faces: HTML, Markdown, XLSX, JSON and the ``zlt-assets scorecard`` command."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_scorecard import _oid, make_layers, write_inventory

from zlt_assets import plan
from zlt_assets.analysis import scorecard as sc
from zlt_assets.reports import charts, render_scorecard, write_scorecard
from zlt_assets.reports.scorecard_html import render_html
from zlt_assets.reports.scorecard_md import render_markdown
from zlt_assets.reports.scorecard_xlsx import SHEETS

NASTY = '=1+1 | <script>alert("x")</script>'


@pytest.fixture(scope="module")
def nasty_inventory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The crafted inventory with a building whose name must be escaped everywhere."""
    layers = make_layers()
    b = layers["facade_lighting_buildings"]
    b.loc[b.index[3], "name"] = NASTY  # B4, unfinished: listed among the unmet assets
    return write_inventory(tmp_path_factory.mktemp("nasty"), layers)


@pytest.fixture(scope="module")
def card(nasty_inventory: Path) -> sc.Scorecard:
    return sc.compute_scorecard(nasty_inventory, "2020-12-31")


def test_html_is_self_contained_escaped_and_bilingual(card: sc.Scorecard) -> None:
    html = render_html(card)
    assert not re.search(r'(src|href)\s*=\s*["\']?\s*(https?:)?//', html, re.I)
    assert "@import" not in html and "url(" not in html
    assert html.count('src="data:image/png;base64,') == 2  # attainment + progress charts
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "示意数据" in html and "not an official evaluation" in html
    for t in plan.TARGETS.values():
        assert t.zh in html and t.en.replace("'", "&#x27;") in html
    assert "检查考评 / Inspection and evaluation" in html
    assert _oid("facade_lighting_buildings", 4) in html


def test_html_degrades_without_charts(card: sc.Scorecard, monkeypatch: pytest.MonkeyPatch) -> None:
    import zlt_assets.reports.charts as ch

    def boom(*a, **k):
        raise RuntimeError("no matplotlib here")

    monkeypatch.setattr(ch, "attainment_chart", boom)
    html = render_html(card)
    assert "data:image/png" not in html and "楼体亮化" in html


def test_charts_are_png_with_and_without_a_cjk_font(card: sc.Scorecard,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    d = card.to_dict()
    png = charts.progress_chart(d["progress"], d["as_of"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    assert charts.attainment_chart(d["targets"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert charts.to_base64(png).startswith("data:image/png;base64,")


def test_markdown_tables_escape_pipes(card: sc.Scorecard) -> None:
    md = render_markdown(card)
    assert "> **示意数据" in md
    row = next(line for line in md.splitlines() if "alert" in line)
    assert "=1+1 \\| <script>" in row
    # every table row of the targets table has the header's number of cells
    lines = md.splitlines()
    start = lines.index("## 目标 / Targets") + 2
    header_cells = lines[start].count(" | ") + 1
    for line in lines[start + 2:start + 2 + len(plan.TARGETS)]:
        assert len(re.split(r"(?<!\\)\|", line)) - 2 == header_cells


def test_xlsx_has_one_sheet_per_breakdown(card: sc.Scorecard, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "card.xlsx"
    write_scorecard(card, out)
    wb = load_workbook(out)
    assert wb.sheetnames == list(SHEETS)
    targets = wb["目标 Targets"]
    ids = [r[0] for r in targets.iter_rows(min_row=2, values_only=True)]
    assert ids == list(plan.TARGETS)
    row = next(r for r in targets.iter_rows(min_row=2, values_only=True)
               if r[0] == "facade_lighting")
    assert row[6] == 3 and row[8] == "not_met"
    unmet = wb["未达标资产 Unmet assets"]
    cells = [r[4] for r in unmet.iter_rows(min_row=2) if r[4].value == NASTY]
    assert cells and all(c.data_type == "s" for c in cells)  # stored as text, not a formula
    districts = [r[0] for r in wb["街道 By street office"].iter_rows(min_row=2, values_only=True)]
    assert districts[:2] == ["150783001", "150783002"]
    assert "示意数据" in str(wb["概览 Summary"]["B2"].value)


def test_json_one_object_per_target(card: sc.Scorecard) -> None:
    d = json.loads(render_scorecard(card, "json"))
    assert {"as_of", "phase", "data", "illustrative", "targets", "by_district",
            "by_department", "unmet_assets", "progress"} <= set(d)
    assert len(d["targets"]) == len(plan.TARGETS)
    fl = next(t for t in d["targets"] if t["id"] == "facade_lighting")
    assert ((fl["value"], fl["target"], fl["status"], fl["section"])
            == (3, 190, "not_met", "四(一)2"))
    assert [x["code"] for x in fl["departments"]] == ["zjj", "zrzyj"]


# ------------------------------------------------------------------------ CLI
def test_cli_writes_all_four_formats(cli, nasty_inventory: Path, tmp_path: Path) -> None:
    outs = [tmp_path / "out" / n for n in ("card.html", "card.md", "card.xlsx")]
    js = tmp_path / "out" / "card.json"
    args = ["scorecard", "--data", str(nasty_inventory), "--as-of", "2020-07-01"]
    for o in outs:
        args += ["--out", str(o)]
    res = cli(*args, "--json", str(js))
    assert res.returncode == 0, res.stderr
    assert "综合治理" in res.stdout and "示意数据" in res.stdout
    for o in [*outs, js]:
        assert o.exists() and o.stat().st_size > 0, o
    d = json.loads(js.read_text(encoding="utf-8"))
    assert d["as_of"] == "2020-07-01" and d["phase"]["key"] == "works"
    assert next(t for t in d["targets"] if t["id"] == "facade_lighting")["value"] == 2
    assert not re.search(r'(src|href)\s*=\s*["\']?https?://', outs[0].read_text(encoding="utf-8"))
    assert not list((tmp_path / "out").glob(".*"))  # no temporary files left


def test_cli_bad_inputs_write_nothing(cli, nasty_inventory: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    res = cli("scorecard", "--data", str(nasty_inventory), "--as-of", "2020-13-01",
              "--out", str(out))
    assert res.returncode == 2 and "YYYY-MM-DD" in res.stderr and "Traceback" not in res.stderr
    assert not out.exists()
    res = cli("scorecard", "--data", str(nasty_inventory), "--out", str(tmp_path / "x.pdf"))
    assert res.returncode == 2 and ".xlsx" in res.stderr and not (tmp_path / "x.pdf").exists()
    res = cli("scorecard", "--data", str(tmp_path / "missing.gpkg"),
              "--json", str(tmp_path / "y.json"))
    assert res.returncode == 2 and "not found" in res.stderr
    assert not (tmp_path / "y.json").exists()


def test_cli_on_the_sample_inventory(cli, sample_gpkg: Path, tmp_path: Path) -> None:
    """All four formats from the shipped sample; the counts agree with the raw layer."""
    import pyogrio
    from openpyxl import load_workbook

    out = tmp_path / "pack"
    res = cli("scorecard", "--data", str(sample_gpkg), "--as-of", "2020-12-31",
              "--out", str(out / "s.html"), "--out", str(out / "s.md"),
              "--out", str(out / "s.xlsx"), "--json", str(out / "s.json"))
    assert res.returncode == 0, res.stderr
    d = json.loads((out / "s.json").read_text(encoding="utf-8"))
    assert [t["id"] for t in d["targets"]] == list(plan.TARGETS)
    assert d["phase"]["key"] == "inspection" and d["illustrative"] is True
    for t in d["targets"]:
        assert (t["value"] is None) == (t["status"] == "not_measurable")
    raw = pyogrio.read_dataframe(sample_gpkg, layer="facade_lighting_buildings",
                                 read_geometry=False)
    done = (raw["status"].isin(["completed", "accepted"])
            & (raw["completed_date"].fillna("9999") <= "2020-12-31")).sum()
    fl = next(t for t in d["targets"] if t["id"] == "facade_lighting")
    assert fl["value"] == done and fl["evidence"]["in_inventory"] == len(raw) == 190
    html = (out / "s.html").read_text(encoding="utf-8")
    assert "示意数据" in html and not re.search(r'(src|href)\s*=\s*["\']?https?://', html)
    assert "示意数据" in (out / "s.md").read_text(encoding="utf-8")
    assert load_workbook(out / "s.xlsx").sheetnames == list(SHEETS)
