"""Batch coverage scenarios: parsing, running, resume, --force, failures, CSV/XLSX summary.

A crafted city: a 1 km square urban area, a 100 m street grid, a population raster of 25 m cells
(1, 2 or 3 people by column), two street offices (west and east halves), bus stops in service at
(500, 500) and (100, 900), a planned one at (900, 100), and a proposed one in a GeoJSON file in
WGS84 at (900, 900). Every answer is compared with ``compute_coverage`` called directly on the
same inputs, and the straight-line case with a brute-force count of cell centres.
"""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from zlt_assets import batch
from zlt_assets.errors import BadInput

X0, Y0 = 480_000.0, 5_318_000.0
CRS = "EPSG:4550"
REPO = Path(__file__).resolve().parents[1]


def _pt(x: float, y: float):
    return shapely.Point(X0 + x, Y0 + y)


@pytest.fixture
def city(tmp_path: Path) -> dict:
    """The crafted inventory (GeoPackage + population raster) and a proposed-stops file."""
    import pyogrio
    import rasterio
    from rasterio.transform import from_origin

    inv = tmp_path / "city.gpkg"
    lines = [shapely.LineString([(X0, Y0 + k * 100), (X0 + 1000, Y0 + k * 100)])
             for k in range(11)]
    lines += [shapely.LineString([(X0 + k * 100, Y0), (X0 + k * 100, Y0 + 1000)])
              for k in range(11)]
    roads = gpd.GeoDataFrame({"name": [f"路{i}" for i in range(len(lines))],
                              "road_class": "branch"}, geometry=lines, crs=CRS)
    stops = gpd.GeoDataFrame(
        {"obj_id": ["1507830203000001", "1507830203000002", "1507830203000003"],
         "name": ["中心站", "西北站", "东南站"], "status": ["in_service", "in_service", "planned"],
         "routes": ["1", "2", "3"]},
        geometry=[_pt(500, 500), _pt(100, 900), _pt(900, 100)], crs=CRS)
    area = gpd.GeoDataFrame({"name": ["城区"]},
                            geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=CRS)
    districts = gpd.GeoDataFrame(
        {"code": ["150783001", "150783002"], "name": ["兴华街道", "正阳街道"],
         "land_use": ["R", "R"], "crowded": [False, False]},
        geometry=[shapely.box(X0, Y0, X0 + 500, Y0 + 1000),
                  shapely.box(X0 + 500, Y0, X0 + 1000, Y0 + 1000)], crs=CRS)
    for name, frame in (("roads", roads), ("bus_stops", stops), ("urban_area", area),
                        ("street_offices", districts)):
        pyogrio.write_dataframe(frame, inv, layer=name, driver="GPKG")
    pop = np.tile((np.arange(40) % 3 + 1).astype("float32"), (40, 1))
    with rasterio.open(tmp_path / "city_population.tif", "w", driver="GTiff", width=40,
                       height=40, count=1, dtype="float32", crs=CRS,
                       transform=from_origin(X0, Y0 + 1000, 25, 25)) as dst:
        dst.write(pop, 1)
    proposed = gpd.GeoDataFrame({"name": ["拟建站 (示意)"]}, geometry=[_pt(900, 900)],
                                crs=CRS).to_crs("EPSG:4326")
    proposed.to_file(tmp_path / "proposed.geojson", driver="GeoJSON")
    return {"dir": tmp_path, "gpkg": inv, "pop": tmp_path / "city_population.tif",
            "roads": roads, "stops": stops, "area": area, "districts": districts}


SCENARIOS_TOML = """
title = "测试情景 / test scenarios"

[defaults]
data = "city.gpkg"
area = "urban_area"
districts = "street_offices"
population = "inventory"
cell = 25

[facility_sets.current]
layer = "bus_stops"
status = ["in_service"]

[facility_sets.proposed]
file = "proposed.geojson"

[facility_sets.current_plus_proposed]
union = ["current", "proposed"]

[[scenarios]]
name = "current_euclidean_500"
description = "现状站点 / current stops"
facilities = "current"
radius = 500
method = "euclidean"

[[scenarios]]
name = "proposed_network_300"
facilities = "current_plus_proposed"
radius = 300
method = "network"

[[scenarios]]
name = "broken"
facilities = { file = "missing_stops.geojson" }
radius = 500
"""


def _write_scenarios(city: dict, text: str = SCENARIOS_TOML, name: str = "scn.toml") -> Path:
    p = city["dir"] / name
    p.write_text(text, encoding="utf-8")
    return p


def _direct(city: dict, facilities: gpd.GeoDataFrame, *, radius: float, method: str) -> dict:
    from zlt_assets.analysis.coverage import compute_coverage

    res = compute_coverage(facilities, city["area"], radius=radius, method=method,
                           roads=city["roads"] if method == "network" else None,
                           population=str(city["pop"]), districts=city["districts"], cell=25.0)
    return res.summary


# ------------------------------------------------------------------------------ parsing
def test_parse_expands_lists_and_resolves_sets(city):
    text = SCENARIOS_TOML.replace('radius = 500\nmethod = "euclidean"',
                                  'radius = [300, 500]\nmethod = ["euclidean", "network"]')
    plan = batch.load_scenarios(_write_scenarios(city, text))
    assert plan.names() == ["current_euclidean_500_euclidean_300",
                            "current_euclidean_500_euclidean_500",
                            "current_euclidean_500_network_300",
                            "current_euclidean_500_network_500",
                            "proposed_network_300", "broken"]
    first = plan.scenarios[0]
    assert first.facilities.kind == "layer" and first.facilities.status == ("in_service",)
    assert Path(first.data) == city["gpkg"].resolve()
    union = plan.scenarios[4].facilities
    assert union.kind == "union" and [m.describe() for m in union.members] == ["current",
                                                                                 "proposed"]
    assert plan.scenarios[4].cell == 25.0 and plan.scenarios[4].population.kind == "raster"


def test_scenario_names_become_safe_file_names(city):
    text = SCENARIOS_TOML.replace('name = "broken"', 'name = "现状 站点/拟建:500"')
    plan = batch.load_scenarios(_write_scenarios(city, text))
    assert plan.scenarios[2].slug == "现状_站点_拟建_500"


def test_yaml_gives_the_same_plan_as_toml(city):
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    import yaml

    raw = tomllib.loads(SCENARIOS_TOML)
    ypath = city["dir"] / "scn.yaml"
    ypath.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    a = batch.load_scenarios(_write_scenarios(city))
    b = batch.load_scenarios(ypath)
    assert [s.definition() for s in a.scenarios] == [s.definition() for s in b.scenarios]


@pytest.mark.parametrize("text, message", [
    ("[[scenarios]]\nname = 'a'\nfacilities = 'bus_stops'\nmethod = 'walking'\n",
     "unknown method 'walking'"),
    ("[[scenarios]]\nname = 'a'\nfacilities = 'bus_stops'\nradius = -5\n",
     "radius must be a positive number"),
    ("[[scenarios]]\nname = 'a'\nfacilities = 'bus_stops'\nradus = 300\n",
     "unknown key(s) 'radus'"),
    ("[[scenarios]]\nname = 'a'\nfacilities = 'nosuchset'\n",
     "'nosuchset' is not a facility set"),
    ("[[scenarios]]\nname = 'a'\nfacilities = { layer = 'bus_stops', status = 'plannd' }\n",
     "unknown status 'plannd' for bus_stops"),
    ("[[scenarios]]\nname = 'a'\nfacilities = 'bus_stops'\n[[scenarios]]\nname = 'a'\n"
     "facilities = 'bus_stops'\n", "two scenarios share the name 'a'"),
    ("[[scenarios]]\nfacilities = 'bus_stops'\n", "'name' is required"),
    ("title = 'x'\n", "no [[scenarios]] listed"),
    ("[[scenarios]\nname = 'a'\n", "not valid TOML"),
    ("[facility_sets.a]\nunion = ['a']\n[[scenarios]]\nname = 'x'\nfacilities = 'a'\n",
     "refers to itself"),
])
def test_invalid_files_give_one_line_errors(city, text, message):
    with pytest.raises(BadInput) as err:
        batch.load_scenarios(_write_scenarios(city, text))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_wrong_extension_and_missing_file(city):
    with pytest.raises(BadInput, match="must end in .toml, .yaml or .yml"):
        batch.load_scenarios(_write_scenarios(city, "x", name="scn.txt"))
    with pytest.raises(BadInput, match="scenarios file not found"):
        batch.load_scenarios(city["dir"] / "nope.toml")
    with pytest.raises(BadInput, match="inventory not found"):
        batch.load_scenarios(_write_scenarios(city), data=city["dir"] / "nope.gpkg")


# ------------------------------------------------------------------------------ running
def test_batch_runs_reports_failure_resumes_and_forces(city):
    scn = _write_scenarios(city)
    out = city["dir"] / "out"
    plan = batch.load_scenarios(scn)
    seen: list[str] = []
    steps: list[tuple[str, str]] = []
    result = batch.run_batch(plan, out, on_done=lambda r: seen.append(r.scenario.name),
                             on_step=lambda s, m: steps.append((s.name, m)))
    assert seen == ["current_euclidean_500", "proposed_network_300", "broken"]
    assert {n for n, _ in steps} == {"current_euclidean_500", "proposed_network_300"}
    rows = {r.scenario.name: r for r in result.results}

    # the failing scenario is reported, the others ran
    assert not result.ok and [r.scenario.name for r in result.failed] == ["broken"]
    broken = rows["broken"]
    assert broken.status == "failed" and "missing_stops.geojson" in broken.reason
    assert "not found" in broken.reason and "\n" not in broken.reason
    assert rows["current_euclidean_500"].action == "ran"
    assert rows["proposed_network_300"].action == "ran"

    # rows equal compute_coverage called directly on the same inputs
    stops = city["stops"]
    current = stops[stops["status"] == "in_service"]
    direct1 = _direct(city, current, radius=500, method="euclidean")
    proposed = gpd.read_file(city["dir"] / "proposed.geojson").to_crs(CRS)
    union = pd.concat([current[["geometry"]], proposed[["geometry"]]], ignore_index=True)
    direct2 = _direct(city, gpd.GeoDataFrame(union, geometry="geometry", crs=CRS),
                      radius=300, method="network")
    for name, direct in (("current_euclidean_500", direct1), ("proposed_network_300", direct2)):
        row = rows[name].row
        for key in ("method", "radius_m", "area_total_m2", "area_covered_m2", "area_share",
                    "population_total", "population_covered", "population_share"):
            assert row[key] == pytest.approx(direct[key]), (name, key)
        assert row["facilities"] == (len(direct["facilities"]) if isinstance(
            direct["facilities"], list) else direct["facilities"])
        for d in direct["by_district"]:
            assert row[f"area_share[{d['name']}]"] == pytest.approx(d["area_share"])
            assert row[f"population_share[{d['name']}]"] == pytest.approx(d["population_share"])
    assert rows["current_euclidean_500"].row["facilities"] == 2
    assert rows["proposed_network_300"].row["facilities"] == 3

    # known by construction: straight-line coverage = cell centres within 500 m of a stop
    c = (np.arange(40) + 0.5) * 25
    gx, gy = np.meshgrid(c, c)
    near = ((np.hypot(gx - 500, gy - 500) <= 500) | (np.hypot(gx - 100, gy - 900) <= 500))
    assert rows["current_euclidean_500"].row["area_share"] == pytest.approx(near.mean())
    weights = np.tile(np.arange(40) % 3 + 1, (40, 1))
    assert rows["current_euclidean_500"].row["population_share"] == pytest.approx(
        weights[near].sum() / weights.sum())
    # GB 50220: 500 m needs 90 % of the area
    assert rows["current_euclidean_500"].row["standard_min_share"] == 0.9
    assert rows["current_euclidean_500"].row["meets_standard"] is bool(near.mean() >= 0.9)

    # one GeoPackage per successful scenario, with the facilities used; no temp files left
    import pyogrio

    gp = out / "scenarios" / "proposed_network_300.gpkg"
    layers = [n for n, _ in pyogrio.list_layers(gp)]
    assert batch.FACILITIES_LAYER in layers and len(layers) >= 2
    assert len(pyogrio.read_dataframe(gp, layer=batch.FACILITIES_LAYER)) == 3
    assert not (out / "scenarios" / "broken.gpkg").exists()
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]

    # CSV (UTF-8 with BOM) and XLSX hold the rows
    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out / "summary.csv", encoding="utf-8-sig")
    assert table["scenario"].tolist() == ["current_euclidean_500", "proposed_network_300",
                                          "broken"]
    assert table["status"].tolist() == ["ok", "ok", "failed"]
    assert table.loc[0, "area_share"] == pytest.approx(direct1["area_share"])
    assert "missing_stops.geojson" in table.loc[2, "reason"]
    assert "area_share[兴华街道]" in table.columns
    xl = pd.read_excel(out / "summary.xlsx", sheet_name=None)
    summary_sheet = xl["汇总 summary"]
    assert summary_sheet["scenario"].tolist() == table["scenario"].tolist()
    assert summary_sheet.loc[1, "population_share"] == pytest.approx(direct2["population_share"])
    assert set(xl["分街道 by district"]["name"]) == {"兴华街道", "正阳街道"}
    legend = xl["字段说明 columns"]
    assert legend.loc[legend["column"] == "area_share", "中文"].item() == "面积覆盖率"

    # a rerun skips finished scenarios (outputs untouched) and retries the failed one
    mtime = gp.stat().st_mtime_ns
    again = batch.run_batch(batch.load_scenarios(scn), out)
    assert [r.action for r in again.results] == ["reused", "reused", "failed"]
    assert gp.stat().st_mtime_ns == mtime
    assert again.results[1].row["area_share"] == pytest.approx(direct2["area_share"])
    assert pd.read_csv(out / "summary.csv", encoding="utf-8-sig")["action"].tolist() == \
        ["reused", "reused", "failed"]

    # a changed input reruns only the scenarios that read it
    moved = gpd.GeoDataFrame({"name": ["拟建站 (示意)"]}, geometry=[_pt(800, 800)],
                             crs=CRS).to_crs("EPSG:4326")
    moved.to_file(city["dir"] / "proposed.geojson", driver="GeoJSON")
    changed = batch.run_batch(batch.load_scenarios(scn), out)
    assert [r.action for r in changed.results] == ["reused", "ran", "failed"]

    # --force reruns everything
    forced = batch.run_batch(batch.load_scenarios(scn), out, force=True)
    assert [r.action for r in forced.results] == ["ran", "ran", "failed"]
    assert forced.results[0].row["area_share"] == pytest.approx(direct1["area_share"])


def test_inputs_given_as_files_in_other_crs(city):
    """Every input as a file (GeoJSON in WGS84, a shapefile, points with a population field)."""
    d = city["dir"]
    city["area"].to_crs("EPSG:4326").to_file(d / "area.geojson", driver="GeoJSON")
    city["roads"].to_file(d / "roads.shp")
    city["districts"].to_crs("EPSG:4490").to_file(d / "districts.gpkg", layer="offices",
                                                  driver="GPKG")
    people = gpd.GeoDataFrame({"population": [100.0, 50.0, 30.0, 20.0]},
                              geometry=[_pt(480, 520), _pt(120, 880), _pt(950, 950),
                                        _pt(700, 200)], crs=CRS).to_crs("EPSG:4326")
    people.to_file(d / "people.geojson", driver="GeoJSON")
    stops = city["stops"].to_crs("EPSG:3857")
    stops.to_file(d / "stops.geojson", driver="GeoJSON")
    text = """
[defaults]
data = "no_inventory_here.gpkg"
area = "area.geojson"
roads = "roads.shp"
districts = { file = "districts.gpkg", layer = "offices" }
population = "people.geojson"
cell = 25

[[scenarios]]
name = "files"
facilities = { file = "stops.geojson", status = ["in_service"] }
radius = 300
method = ["euclidean", "network"]
"""
    plan = batch.load_scenarios(_write_scenarios(city, text, name="files.toml"))
    result = batch.run_batch(plan, d / "files-out")
    assert result.ok, [r.reason for r in result.failed]
    current = city["stops"][city["stops"]["status"] == "in_service"]
    from zlt_assets.analysis.coverage import compute_coverage

    for r in result.results:
        direct = compute_coverage(current, city["area"], radius=300, method=r.scenario.method,
                                  roads=city["roads"], population=d / "people.geojson",
                                  districts=city["districts"], cell=25.0).summary
        assert r.row["area_share"] == pytest.approx(direct["area_share"])
        assert r.row["population_share"] == pytest.approx(direct["population_share"])
        assert r.row["population_total"] == pytest.approx(200.0)
    # by construction: people at (480, 520) and (120, 880) are within 300 m of a stop in
    # service by straight line, the others are not
    euclid = next(r for r in result.results if r.scenario.method == "euclidean")
    assert euclid.row["population_covered"] == pytest.approx(150.0)


def test_changed_definition_reruns(city):
    scn = _write_scenarios(city)
    out = city["dir"] / "out"
    plan = batch.load_scenarios(scn)
    first = plan.scenarios[0]
    r1 = batch.run_scenario(first, out)
    assert r1.action == "ran"
    assert batch.run_scenario(first, out).action == "reused"
    wider = dataclasses.replace(first, radius=600.0)
    r3 = batch.run_scenario(wider, out)
    assert r3.action == "ran" and r3.row["area_share"] >= r1.row["area_share"]


def test_only_runs_the_selected_and_keeps_the_other_rows(city):
    scn = _write_scenarios(city)
    out = city["dir"] / "out"
    first = batch.run_batch(batch.load_scenarios(scn), out, only=["current_euclidean_500"])
    assert [(r.scenario.name, r.action) for r in first.results] == [
        ("current_euclidean_500", "ran"), ("proposed_network_300", "not_run"),
        ("broken", "not_run")]
    assert first.ok  # nothing failed: the others were not run
    second = batch.run_batch(batch.load_scenarios(scn), out, only=["proposed_network_300"])
    assert [r.action for r in second.results] == ["reused", "ran", "not_run"]
    table = pd.read_csv(out / "summary.csv", encoding="utf-8-sig")
    assert table["status"].tolist() == ["ok", "ok", "not_run"]
    assert table.loc[0, "area_share"] == pytest.approx(first.results[0].row["area_share"])
    with pytest.raises(BadInput, match="unknown scenario"):
        batch.run_batch(batch.load_scenarios(scn), out, only=["nope"])


def test_bus_stop_standard_only_for_bus_stops(city):
    text = SCENARIOS_TOML + """
[[scenarios]]
name = "file_facilities"
facilities = { file = "proposed.geojson" }
radius = 300
"""
    plan = batch.load_scenarios(_write_scenarios(city, text))
    toilets_like = dataclasses.replace(
        plan.scenarios[0], facilities=batch.Source(kind="layer", path=str(city["gpkg"]),
                                                   layer="public_toilets"))
    res = batch.ScenarioResult(toilets_like, "ok", "ran",
                               summary={"radius_m": 500.0, "area_share": 0.95})
    assert batch.summary_row(res)["standard_min_share"] is None
    res = batch.ScenarioResult(plan.scenarios[0], "ok", "ran",
                               summary={"radius_m": 500.0, "area_share": 0.95})
    row = batch.summary_row(res)
    assert row["standard_min_share"] == 0.9 and row["meets_standard"] is True
    res = batch.ScenarioResult(plan.scenarios[-1], "ok", "ran",
                               summary={"radius_m": 300.0, "area_share": 0.4})
    row = batch.summary_row(res)
    assert row["standard_min_share"] == 0.5 and row["meets_standard"] is False


def test_empty_facility_set_fails_that_scenario_only(city):
    text = SCENARIOS_TOML.replace('status = ["in_service"]', 'status = ["closed"]')
    result = batch.run_batch(batch.load_scenarios(_write_scenarios(city, text)),
                             city["dir"] / "out")
    by = {r.scenario.name: r for r in result.results}
    assert by["current_euclidean_500"].status == "failed"
    assert "is empty" in by["current_euclidean_500"].reason
    # the union still has the proposed stop
    assert by["proposed_network_300"].status == "ok"
    assert by["proposed_network_300"].row["facilities"] == 1


def test_cli_and_script_exit_codes(city, cli):
    scn = _write_scenarios(city)
    out = city["dir"] / "cli-out"
    proc = cli("batch", str(scn), "--out", str(out), "--no-progress")
    assert proc.returncode == 1, proc.stderr
    assert "broken: failed" in proc.stdout and "Traceback" not in proc.stderr
    assert (out / "summary.csv").exists() and (out / "summary.xlsx").exists()
    # the script is the same command; everything is now up to date except the failing one
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc2 = subprocess.run([sys.executable, str(REPO / "scripts" / "batch_coverage.py"),
                            str(scn), "--out", str(out), "--only", "current_euclidean_500"],
                           capture_output=True, text=True, env=env, timeout=300)
    assert proc2.returncode == 0, proc2.stderr
    assert "current_euclidean_500: reused" in proc2.stdout
    # progress goes to stderr, as plain lines when it is not a terminal: never a bar's redraws
    assert "\r" not in proc2.stderr
    bad = _write_scenarios(city, "[[scenarios]]\nname = 'a'\nfacilities = 'bus_stops'\n"
                                 "method = 'walk'\n", name="bad.toml")
    proc3 = cli("batch", str(bad), "--out", str(city["dir"] / "bad-out"))
    assert proc3.returncode == 2
    assert proc3.stderr.strip().count("\n") == 0 and "unknown method 'walk'" in proc3.stderr
    assert not (city["dir"] / "bad-out").exists()


# ------------------------------------------------------------------------------ the example
def test_example_scenarios_parse_and_run_on_the_sample(tmp_path, sample_gpkg):
    example = REPO / "examples" / "scenarios_zhalantun.toml"
    plan = batch.load_scenarios(example, data=sample_gpkg)
    names = plan.names()
    assert len(names) == len(set(names)) >= 8
    methods = {s.method for s in plan.scenarios}
    radii = {s.radius for s in plan.scenarios}
    assert methods == {"euclidean", "network"} and radii == {300.0, 500.0}
    assert {"current", "current_plus_planned_and_proposed"} <= set(plan.facility_sets)
    # keep the test fast: coarser sampling grid, the scenarios otherwise as shipped
    fast = dataclasses.replace(plan, scenarios=tuple(dataclasses.replace(s, cell=50.0)
                                                     for s in plan.scenarios))
    result = batch.run_batch(fast, tmp_path / "out")
    assert result.ok, [(r.scenario.name, r.reason) for r in result.failed]
    rows = {r.scenario.name: r.row for r in result.results}
    for s in plan.scenarios:
        row = rows[s.name]
        assert 0 < row["area_share"] <= 1 and row["method"] == s.method
    # more stops never cover less (same method and radius)
    for method in ("euclidean", "network"):
        for radius in (300, 500):
            cur = rows[f"current_{method}_{radius}"]
            more = rows[f"current_plus_planned_and_proposed_{method}_{radius}"]
            assert more["facilities"] > cur["facilities"]
            assert more["area_share"] >= cur["area_share"]
            assert more["population_share"] >= cur["population_share"]
        # a larger radius never covers less
        assert rows[f"current_{method}_500"]["area_share"] >= \
            rows[f"current_{method}_300"]["area_share"]
    # walking never covers more than the straight line
    assert rows["current_network_500"]["area_share"] <= rows["current_euclidean_500"]["area_share"]

    # the YAML example names the same sets: its rows equal the TOML run's
    yplan = batch.load_scenarios(REPO / "examples" / "scenarios_zhalantun.yaml", data=sample_gpkg)
    assert yplan.names() == ["current_500", "planned_500", "proposed_500"]
    yfast = dataclasses.replace(yplan, scenarios=tuple(dataclasses.replace(s, cell=50.0)
                                                       for s in yplan.scenarios))
    yres = {r.scenario.name: r.row for r in batch.run_batch(yfast, tmp_path / "yout").results}
    for yname, tname in (("current_500", "current_euclidean_500"),
                         ("planned_500", "current_plus_planned_euclidean_500"),
                         ("proposed_500", "current_plus_planned_and_proposed_euclidean_500")):
        assert yres[yname]["area_share"] == pytest.approx(rows[tname]["area_share"])
        assert yres[yname]["facilities"] == rows[tname]["facilities"]
