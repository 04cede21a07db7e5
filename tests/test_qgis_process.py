"""The plugin in the real ``qgis_process``: installed from the built zip into a fresh profile,
every algorithm run on the sample inventory and on a copy, each result equal to the CLI's JSON;
QGIS's own process never imports the engine's stack."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from qgis_support import (
    ENGINE,
    build_zip,
    guard_env,
    guard_report,
    make_profile,
    need_qgis,
    run_algorithm,
    run_qgis_process,
)

from zlt_assets import schema

pytestmark = pytest.mark.qgis

BUS_STOPS = list(schema.LAYERS).index("bus_stops")
ALGORITHMS = ["facility_coverage", "field_import", "install_engine", "meeting_map",
              "plan_scorecard", "toilet_gaps", "validate_inventory"]
#: keys whose values name where or when a run happened, not what it found
VOLATILE = {"source", "generated", "target", "backup", "data", "inventory", "path"}


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory) -> Path:
    need_qgis()
    return build_zip(tmp_path_factory.mktemp("zip"))


@pytest.fixture(scope="module")
def qgis(tmp_path_factory, plugin_zip):
    """(profile folder, env with the engine and the import guard, guard log)."""
    root = tmp_path_factory.mktemp("qgis")
    config = make_profile(root / "config", plugin_zip)
    env, log = guard_env(root / "guard")
    env["ZLT_ASSETS_ENGINE"] = str(ENGINE)
    return config, env, log


def cli_json(tmp: Path, *args: str) -> dict:
    out = tmp / f"cli-{len(list(tmp.glob('cli-*')))}.json"
    proc = subprocess.run([str(ENGINE), *args, "--json", str(out)], capture_output=True,
                          text=True, timeout=900, cwd=str(tmp))
    assert proc.returncode in (0, 1, 4), proc.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def stable(value):
    """A JSON value without the keys that name paths or times."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def folium_ids(path: Path) -> str:
    """The page with folium's random element ids made equal."""
    return re.sub(r"_[0-9a-f]{32}\b", "_ID", path.read_text(encoding="utf-8"))


def gpkg_count(path: str | Path, layer: str | None = None) -> int:
    con = sqlite3.connect(str(path))
    try:
        if layer is None:
            (layer,) = con.execute("SELECT table_name FROM gpkg_contents LIMIT 1").fetchone()
        return con.execute(f'SELECT count(*) FROM "{layer}"').fetchone()[0]
    finally:
        con.close()


def ok(answer: dict) -> dict:
    assert answer["_returncode"] == 0, answer["_stderr"][-3000:] + str(answer.get("log"))[-3000:]
    return answer["results"]


def test_provider_listed_with_every_algorithm(qgis) -> None:
    config, env, log = qgis
    proc = run_qgis_process(config, "list", env=env)
    assert proc.returncode == 0, proc.stderr
    listed = sorted(line.split()[0].split(":", 1)[1] for line in proc.stdout.splitlines()
                    if line.strip().startswith("zltassets:"))
    assert listed == ALGORITHMS
    assert "Zhalantun assets / 扎兰屯资产" in proc.stdout
    active, imports = guard_report(log)
    assert active and imports == []


@pytest.mark.parametrize("where", ["sample", "copy"])
def test_every_algorithm_equals_the_cli(qgis, tmp_path: Path, sample_copy: Path,
                                        where: str) -> None:
    config, env, log = qgis
    data = {} if where == "sample" else {"INVENTORY": str(sample_copy)}
    cli_data = [] if where == "sample" else ["--data", str(sample_copy)]

    # validate: numbers and the problems table
    res = ok(run_algorithm(config, "validate_inventory",
                           {**data, "OUTPUT": tmp_path / "v.gpkg", "JSON": tmp_path / "v.json"},
                           env=env))
    cli = cli_json(tmp_path, "validate", *cli_data)
    assert stable(json.loads((tmp_path / "v.json").read_text())) == stable(cli)
    assert res["errors"] == cli["errors"] and res["warnings"] == cli["warnings"]
    assert gpkg_count(tmp_path / "v.gpkg") == len(cli["problems"])

    # coverage, straight line, with every output layer
    res = ok(run_algorithm(config, "facility_coverage", {
        **data, "UNCOVERED": tmp_path / "unc.gpkg", "DISTRICTS_OUT": tmp_path / "dist.gpkg",
        "FACILITIES_OUT": tmp_path / "fac.gpkg", "CELLS": tmp_path / "cells.gpkg",
        "JSON": tmp_path / "c.json"}, env=env))
    cli = cli_json(tmp_path, "coverage", *cli_data, "--out", str(tmp_path / "cli_c.gpkg"))
    assert stable(json.loads((tmp_path / "c.json").read_text())) == stable(cli)
    for key in ("area_share", "population_share", "area_total_m2", "population_covered",
                "facilities"):
        assert res[key] == cli[key], key
    assert res["radius_300_area_share"] == cli["radius_300"]["area_share"]
    for sink, layer in (("unc", "coverage_uncovered"), ("dist", "coverage_districts"),
                        ("fac", "coverage_facilities"), ("cells", "coverage_cells")):
        assert gpkg_count(tmp_path / f"{sink}.gpkg") == gpkg_count(tmp_path / "cli_c.gpkg",
                                                                   layer), sink

    # coverage along the network, with other settings
    res = ok(run_algorithm(config, "facility_coverage", {
        **data, "METHOD": 1, "RADIUS": 300, "CELL": 50, "INCLUDE_PLANNED": "true",
        "UNCOVERED": "TEMPORARY_OUTPUT", "JSON": tmp_path / "cn.json"}, env=env))
    cli = cli_json(tmp_path, "coverage", *cli_data, "--method", "network", "--radius", "300",
                   "--cell", "50", "--include-planned")
    assert stable(json.loads((tmp_path / "cn.json").read_text())) == stable(cli)

    # toilet gaps with proposals
    res = ok(run_algorithm(config, "toilet_gaps", {
        **data, "PROPOSE": 2, "DISTRICTS_OUT": tmp_path / "td.gpkg",
        "UNCOVERED": tmp_path / "tu.gpkg", "PROPOSALS": tmp_path / "tp.gpkg",
        "SPACING_OUT": tmp_path / "ts.gpkg", "JSON": tmp_path / "t.json"}, env=env))
    cli = cli_json(tmp_path, "toilet-gaps", *cli_data, "--propose", "2",
                   "--out", str(tmp_path / "cli_t.gpkg"))
    assert stable(json.loads((tmp_path / "t.json").read_text())) == stable(cli)
    assert res["proposals_n_proposed"] == cli["proposals"]["n_proposed"] == 2
    assert res["toilets_per_10k"] == cli["toilets_per_10k"]
    for sink, layer in (("td", "toilet_districts"), ("tu", "toilet_uncovered"),
                        ("tp", "toilet_proposals"), ("ts", "toilet_spacing")):
        assert gpkg_count(tmp_path / f"{sink}.gpkg") == gpkg_count(tmp_path / "cli_t.gpkg",
                                                                   layer), sink

    # scorecard: HTML, Excel, JSON, the targets table
    res = ok(run_algorithm(config, "plan_scorecard", {
        **data, "AS_OF": "2025-06-30", "OUTPUT_HTML": tmp_path / "s.html",
        "OUTPUT_XLSX": tmp_path / "s.xlsx", "OUTPUT_JSON": tmp_path / "s.json",
        "OUTPUT": tmp_path / "targets.gpkg"}, env=env))
    cli = cli_json(tmp_path, "scorecard", *cli_data, "--as-of", "2025-06-30")
    assert stable(json.loads((tmp_path / "s.json").read_text())) == stable(cli)
    assert (res["counts_met"], res["counts_not_met"], res["counts_not_measurable"]) == (
        cli["counts"]["met"], cli["counts"]["not_met"], cli["counts"]["not_measurable"])
    assert gpkg_count(tmp_path / "targets.gpkg") == len(cli["targets"])
    assert (tmp_path / "s.xlsx").stat().st_size > 0
    assert "<html" in (tmp_path / "s.html").read_text(encoding="utf-8").lower()

    # meeting map: the same page as the CLI's
    ok(run_algorithm(config, "meeting_map", {**data, "ANALYSES": "0,1",
                                             "OUTPUT_HTML": tmp_path / "m.html"}, env=env))
    subprocess.run([str(ENGINE), "map", *cli_data, "--analysis", "coverage,toilet-gaps",
                    "--out", str(tmp_path / "cli_m.html")], check=True, capture_output=True,
                   timeout=900)
    assert folium_ids(tmp_path / "m.html") == folium_ids(tmp_path / "cli_m.html")

    active, imports = guard_report(log)
    assert active and imports == []


def stops_csv(path: Path) -> Path:
    """Two bus stops in WGS84 inside the sample's urban area, and the CLI's reading of them."""
    path.write_text("名称,经度,纬度,街道,责任单位,状态,线路,候车亭,更新日期\n"
                    "新站一,122.7390,48.0070,兴华街道,交通局,在用,1,是,2025-06-01\n"
                    "新站二,122.7420,48.0100,兴华街道,交通局,在用,3,否,2025-06-01\n",
                    encoding="utf-8")
    return path


def test_import_equals_the_cli_and_refusal_names_the_field(qgis, tmp_path: Path,
                                                           sample_copy: Path) -> None:
    config, env, _log = qgis
    src = stops_csv(tmp_path / "stops.csv")
    other = tmp_path / "other" / "zhalantun.gpkg"
    other.parent.mkdir()
    shutil.copyfile(sample_copy, other)
    before = gpkg_count(sample_copy, "bus_stops")
    res = ok(run_algorithm(config, "field_import", {
        "INVENTORY": sample_copy, "LAYER": BUS_STOPS, "FILE": src, "FROM_CRS": 1, "X": "经度",
        "Y": "纬度", "TRUST_CRS": "true", "PROBLEMS": tmp_path / "p.gpkg",
        "REPORT": tmp_path / "r.json"}, env=env))
    cli = cli_json(tmp_path, "import", "bus_stops", str(src), "--data", str(other),
                   "--from-crs", "wgs84", "--x", "经度", "--y", "纬度", "--trust-crs")
    assert stable(json.loads((tmp_path / "r.json").read_text())) == stable(cli)
    assert res["rows_written"] == cli["rows_written"] == 2 and res["written"] == 1
    assert gpkg_count(sample_copy, "bus_stops") == before + 2

    # a refused import: nothing written, the problems listed, exit normally
    bad = tmp_path / "bad.csv"
    bad.write_text(src.read_text(encoding="utf-8").replace(",在用,", ",不存在的状态,", 1),
                   encoding="utf-8")
    res = ok(run_algorithm(config, "field_import", {
        "INVENTORY": sample_copy, "LAYER": BUS_STOPS, "FILE": bad, "FROM_CRS": 1, "X": "经度",
        "Y": "纬度", "TRUST_CRS": "true", "PROBLEMS": tmp_path / "p2.gpkg"}, env=env))
    assert res["written"] == 0 and gpkg_count(tmp_path / "p2.gpkg") >= 1
    assert gpkg_count(sample_copy, "bus_stops") == before + 2


def test_engine_error_is_chinese_first_and_names_the_dialog_field(qgis, tmp_path) -> None:
    config, env, _log = qgis
    answer = run_algorithm(config, "plan_scorecard", {"AS_OF": "31.12.2025",
                                                      "OUTPUT_HTML": tmp_path / "s.html",
                                                      "OUTPUT": "TEMPORARY_OUTPUT"},
                           env=env)
    assert answer["_returncode"] != 0
    text = answer["_stderr"] + json.dumps(answer.get("log", ""), ensure_ascii=False)
    assert "--as-of" not in text
    assert "“As of date (YYYY-MM-DD; empty: latest update in the data) / " in text
    assert "输入有误" in text or "必须" in text
    assert not (tmp_path / "s.html").exists()


def test_a_filtered_layer_goes_to_the_engine_as_a_temporary_geopackage(qgis, tmp_path,
                                                                       sample_copy) -> None:
    """A layer QGIS filters (any provider, a subset string) is exported; the engine sees
    exactly the features QGIS shows."""
    config, env, _log = qgis
    con = sqlite3.connect(str(sample_copy))
    n = con.execute("SELECT count(*) FROM bus_stops WHERE fid % 2 = 0").fetchone()[0]
    con.close()
    source = f"{sample_copy}|layername=bus_stops|subset=fid % 2 = 0"
    res = ok(run_algorithm(config, "facility_coverage", {
        "INVENTORY": sample_copy, "FACILITIES": source, "INCLUDE_PLANNED": "true",
        "UNCOVERED": "TEMPORARY_OUTPUT"}, env=env))
    assert res["facilities"] == n


def test_missing_engine_says_what_to_do(tmp_path, plugin_zip) -> None:
    config = make_profile(tmp_path / "config", plugin_zip)
    answer = run_algorithm(config, "validate_inventory", {"OUTPUT": "TEMPORARY_OUTPUT"})
    assert answer["_returncode"] != 0
    text = answer["_stderr"] + answer.get("log", "") if isinstance(answer.get("log"), str) \
        else answer["_stderr"]
    assert "安装引擎" in text and "ZLT_ASSETS_ENGINE" in text, text[-2000:]


def test_setting_names_the_engine_and_a_wrong_one_is_reported(tmp_path, plugin_zip) -> None:
    config = make_profile(tmp_path / "ok", plugin_zip, settings={"ZLTASSETS_ENGINE": str(ENGINE)})
    res = ok(run_algorithm(config, "validate_inventory", {"OUTPUT": "TEMPORARY_OUTPUT"}))
    assert res["errors"] == 0
    bad = make_profile(tmp_path / "bad", plugin_zip,
                       settings={"ZLTASSETS_ENGINE": str(tmp_path / "nowhere" / "zlt-assets")})
    answer = run_algorithm(bad, "validate_inventory", {"OUTPUT": "TEMPORARY_OUTPUT"},
                           env={"ZLT_ASSETS_ENGINE": str(ENGINE)})
    assert answer["_returncode"] != 0
    assert "nowhere" in answer["_stderr"], answer["_stderr"][-2000:]
