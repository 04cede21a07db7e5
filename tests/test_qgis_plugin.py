"""The QGIS plugin in a real (headless) QGIS: loading, the Processing algorithms against the CLI,
cancellation. Fails under CI=true without QGIS, skips elsewhere (tests/qgis_support.py)."""
from __future__ import annotations

import configparser
import json
import re
from pathlib import Path

import pytest
from qgis_support import PLUGIN_SRC, PYTEST_PLUGINS, qgis_env  # noqa: F401 - fixture

from zlt_assets import schema
from zlt_assets.inventory import Inventory, write_layers

pytest_plugins = PYTEST_PLUGINS
pytestmark = pytest.mark.qgis

ALG_IDS = {"zltassets:validate_inventory", "zltassets:plan_scorecard", "zltassets:meeting_map",
           "zltassets:facility_coverage", "zltassets:toilet_gaps", "zltassets:field_import"}


# ------------------------------------------------------------------------ metadata (no QGIS)
def test_metadata_declares_what_qgis_needs() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(PLUGIN_SRC / "zlt_assets_qgis" / "metadata.txt", encoding="utf-8")
    g = cfg["general"]
    assert g["qgisMinimumVersion"] == "3.22"
    assert g["supportsQt6"] == "True"
    assert g["hasProcessingProvider"] == "yes"
    for key in ("about", "description"):
        assert re.search(r"[\u4e00-\u9fff]", g[key]) and re.search(r"[A-Za-z]{4}", g[key])
    assert (PLUGIN_SRC / "zlt_assets_qgis" / g["icon"]).exists()


def test_plugin_imports_qt_only_through_qgis_pyqt() -> None:
    for path in (PLUGIN_SRC / "zlt_assets_qgis").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+PyQt[56]", text, re.M), path
        assert not re.search(r"^\s*(from|import)\s+PySide", text, re.M), path


def test_package_init_is_lazy() -> None:
    text = (PLUGIN_SRC / "zlt_assets_qgis" / "__init__.py").read_text(encoding="utf-8")
    top_level_imports = [ln for ln in text.splitlines() if re.match(r"(from|import)\s", ln)]
    assert top_level_imports == []
    assert "def classFactory(iface)" in text


# ------------------------------------------------------------------------ load / unload
def test_plugin_loads_and_unloads_cleanly(qgis_env) -> None:
    import zlt_assets_qgis
    from qgis.core import QgsApplication

    registry = QgsApplication.processingRegistry()
    plugin = zlt_assets_qgis.classFactory(qgis_env)
    plugin.initGui()
    try:
        provider = registry.providerById("zltassets")
        assert provider is not None
        assert provider.name() in ("Zhalantun assets / 扎兰屯资产", "扎兰屯资产 / Zhalantun assets")
        ids = {a.id() for a in provider.algorithms()}
        assert ids >= ALG_IDS
        for alg in provider.algorithms():
            assert alg.group() in ("Zhalantun assets / 扎兰屯资产", "扎兰屯资产 / Zhalantun assets")
            help_text = alg.shortHelpString()
            assert re.search(r"[\u4e00-\u9fff]", help_text) and "<h3>" in help_text, alg.id()
        names = {a.objectName() for a in plugin.actions}
        assert {"zlt_open_inventory", "zlt_install_help"} <= names
        opener = next(a for a in plugin.actions if a.objectName() == "zlt_open_inventory")
        assert "扎兰屯资产清单" in opener.text() and "Open Zhalantun inventory" in opener.text()
    finally:
        plugin.unload()
    assert registry.providerById("zltassets") is None
    assert plugin.actions == []
    # loading again after unloading works (QGIS reloads plugins this way)
    plugin2 = zlt_assets_qgis.classFactory(qgis_env)
    plugin2.initGui()
    assert registry.providerById("zltassets") is not None
    plugin2.unload()
    assert registry.providerById("zltassets") is None


def test_missing_core_still_loads_and_explains(qgis_env, monkeypatch) -> None:
    from qgis.core import QgsApplication
    from zlt_assets_qgis import deps
    from zlt_assets_qgis import plugin as plugin_mod

    def broken() -> deps.CoreStatus:
        return deps.CoreStatus(missing=["geopandas"],
                               errors={"geopandas": "ModuleNotFoundError: No module named x"})

    monkeypatch.setattr(plugin_mod.deps, "check_core", broken)
    plugin = plugin_mod.ZltAssetsPlugin(qgis_env)
    plugin.initGui()
    try:
        provider = QgsApplication.processingRegistry().providerById("zltassets")
        algs = provider.algorithms()
        assert [a.name() for a in algs] == ["install_help"]
        text = deps.install_instructions(broken())
        for needle in ("OSGeo4W", "conda install -c conda-forge", "apt install",
                       "geopandas<1.2", "python -m pip install"):
            assert needle in text
        assert "OSGeo4W" in algs[0].shortHelpString()
    finally:
        plugin.unload()


def test_translation_puts_chinese_first(qgis_env) -> None:
    from qgis.PyQt.QtCore import QCoreApplication
    from zlt_assets_qgis.i18n_util import CONTEXT, install_translator

    src = "Open Zhalantun inventory / 打开扎兰屯资产清单"
    translator = install_translator("zh_CN")
    assert translator is not None
    try:
        assert QCoreApplication.translate(CONTEXT, src) == "打开扎兰屯资产清单 / Open Zhalantun inventory"
    finally:
        QCoreApplication.removeTranslator(translator)
    assert QCoreApplication.translate(CONTEXT, src) == src


def test_ts_file_is_up_to_date() -> None:
    import subprocess
    import sys

    script = PLUGIN_SRC / "zlt_assets_qgis" / "i18n" / "update_ts.py"
    res = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    ts = (script.parent / "zlt_assets_qgis_zh_CN.ts").read_text(encoding="utf-8")
    assert 'type="unfinished"' not in ts


# ------------------------------------------------------------------------ algorithms vs CLI
@pytest.fixture(scope="module")
def provider(qgis_env):
    from qgis.core import QgsApplication
    from zlt_assets_qgis.provider import ZltAssetsProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById("zltassets") is None:
        prov = ZltAssetsProvider()
        registry.addProvider(prov)
        yield prov
        registry.removeProvider(prov)
    else:  # pragma: no cover - another test left it registered
        yield registry.providerById("zltassets")


@pytest.fixture
def broken_inventory(sample_copy: Path) -> Path:
    """The sample with known faults: an unknown status, a duplicated object id, a missing name."""
    inv = Inventory.open(sample_copy)
    toilets = inv.read_raw("public_toilets")
    toilets.loc[toilets.index[0], "status"] = "bogus"
    toilets.loc[toilets.index[2], "obj_id"] = toilets.loc[toilets.index[1], "obj_id"]
    toilets.loc[toilets.index[3], "name"] = None
    write_layers(sample_copy, {"public_toilets": toilets})
    return sample_copy


def test_validate_gives_the_cli_problems(provider, broken_inventory: Path, cli,
                                         tmp_path: Path) -> None:
    import processing

    out = tmp_path / "cli.json"
    res = cli("validate", "--data", str(broken_inventory), "--json", str(out), "--quiet")
    assert res.returncode == 1, res.stderr
    expected = json.loads(out.read_text(encoding="utf-8"))
    qjson = tmp_path / "qgis.json"
    result = processing.run("zltassets:validate_inventory", {
        "INVENTORY": str(broken_inventory), "OUTPUT": "memory:", "JSON": str(qjson)})
    assert result["ERRORS"] == expected["errors"] >= 3
    assert result["WARNINGS"] == expected["warnings"]
    layer = result["OUTPUT"]
    got = sorted((f["layer"], f["obj_id"] or "", f["field"] or "", f["check"])
                 for f in layer.getFeatures())
    want = sorted((p["layer"], p["obj_id"] or "", p["field"] or "", p["check"])
                  for p in expected["problems"])
    assert got == want
    checks = {g[3] for g in got if g[0] == "public_toilets"}
    assert {"domain", "id_duplicate", "required"} <= checks
    assert json.loads(qjson.read_text(encoding="utf-8"))["problems"] == expected["problems"]


def test_scorecard_gives_the_cli_numbers(provider, sample_gpkg: Path, cli, tmp_path: Path) -> None:
    import processing

    out = tmp_path / "cli.json"
    res = cli("scorecard", "--data", str(sample_gpkg), "--json", str(out))
    assert res.returncode == 0, res.stderr
    expected = json.loads(out.read_text(encoding="utf-8"))
    html = tmp_path / "card.html"
    result = processing.run("zltassets:plan_scorecard", {
        "INVENTORY": str(sample_gpkg), "OUTPUT": "memory:", "OUTPUT_HTML": str(html)})
    assert result["MET"] == expected["counts"]["met"]
    assert result["NOT_MET"] == expected["counts"]["not_met"]
    assert result["NOT_MEASURABLE"] == expected["counts"]["not_measurable"]
    rows = {f["id"]: f for f in result["OUTPUT"].getFeatures()}
    assert list(rows) == [t["id"] for t in expected["targets"]]
    for t in expected["targets"]:
        row = rows[t["id"]]
        assert row["status"] == t["status"]
        if t["value"] is None:
            assert row["value"] is None or str(row["value"]) == "NULL"
        else:
            assert row["value"] == pytest.approx(t["value"])
    page = html.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert expected["targets"][0]["name_zh"] in page


def test_meeting_map_draws_what_the_cli_draws(provider, sample_gpkg: Path, cli,
                                               tmp_path: Path) -> None:
    import processing

    res = cli("map", "--data", str(sample_gpkg), "--out", str(tmp_path / "cli.html"))
    assert res.returncode == 0, res.stderr
    m = re.search(r"(\d+) 要素 features", res.stdout)
    assert m, res.stdout
    out = tmp_path / "qgis.html"
    result = processing.run("zltassets:meeting_map", {
        "INVENTORY": str(sample_gpkg), "OUTPUT_HTML": str(out)})
    assert result["FEATURES"] == int(m.group(1)) > 0
    assert out.exists() and "<html" in out.read_text(encoding="utf-8")[:2000].lower()


def test_cancelled_run_stops_and_writes_nothing(provider, sample_gpkg: Path,
                                                tmp_path: Path) -> None:
    import processing
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    feedback = QgsProcessingFeedback()
    seen: list[float] = []

    def cancel_on_progress(value: float) -> None:
        seen.append(value)
        if value > 0:
            feedback.cancel()

    feedback.progressChanged.connect(cancel_on_progress)
    html = tmp_path / "card.html"
    with pytest.raises(QgsProcessingException, match="Cancelled|已取消"):
        processing.run("zltassets:plan_scorecard", {
            "INVENTORY": str(sample_gpkg), "OUTPUT": str(tmp_path / "targets.gpkg"),
            "OUTPUT_HTML": str(html)}, feedback=feedback)
    assert feedback.isCanceled() and seen
    assert not html.exists()
    assert not (tmp_path / "targets.gpkg").exists()
    assert list(tmp_path.iterdir()) == []


def test_bad_inventory_is_a_one_line_error(provider, tmp_path: Path) -> None:
    import processing
    from qgis.core import QgsProcessingException

    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage")
    with pytest.raises(QgsProcessingException) as info:
        processing.run("zltassets:validate_inventory", {"INVENTORY": str(bad),
                                                       "OUTPUT": "memory:"})
    assert "not a GeoPackage" in str(info.value)


def _src(gpkg: Path, layer: str) -> str:
    return f"{gpkg}|layername={layer}"


@pytest.mark.parametrize("method", [0, 1], ids=["euclidean", "network"])
def test_coverage_gives_the_cli_numbers(provider, sample_gpkg: Path, cli, tmp_path: Path,
                                        method: int) -> None:
    import processing

    out = tmp_path / "cli.json"
    name = ("euclidean", "network")[method]
    res = cli("coverage", "--data", str(sample_gpkg), "--method", name, "--json", str(out),
              "--quiet")
    assert res.returncode == 0, res.stderr
    s = json.loads(out.read_text(encoding="utf-8"))
    pop = sample_gpkg.with_name(sample_gpkg.stem + "_population.tif")
    result = processing.run("zltassets:facility_coverage", {
        "FACILITIES": _src(sample_gpkg, "bus_stops"), "AREA": _src(sample_gpkg, "urban_area"),
        "DISTRICTS": _src(sample_gpkg, "street_offices"), "ROADS": _src(sample_gpkg, "roads"),
        "RIVER": _src(sample_gpkg, "river"), "POPULATION": str(pop), "METHOD": method,
        "UNCOVERED": "memory:", "DISTRICTS_OUT": "memory:", "JSON": str(tmp_path / "q.json")})
    assert 0 < s["area_share"] < 1
    for key, skey in (("AREA_SHARE", "area_share"), ("POPULATION_SHARE", "population_share"),
                      ("AREA_TOTAL_M2", "area_total_m2"), ("AREA_COVERED_M2", "area_covered_m2"),
                      ("POPULATION_TOTAL", "population_total"),
                      ("POPULATION_COVERED", "population_covered"),
                      ("FACILITY_COUNT", "facilities")):
        assert result[key] == pytest.approx(s[skey]), key
    uncovered = result["UNCOVERED"]
    assert uncovered.featureCount() > 0
    assert sum(f["area_m2"] for f in uncovered.getFeatures()) == pytest.approx(
        s["area_total_m2"] - s["area_covered_m2"], rel=0.02)
    by_code = {f["code"]: f["area_share"] for f in result["DISTRICTS_OUT"].getFeatures()}
    assert by_code == pytest.approx({d["code"]: d["area_share"] for d in s["by_district"]})
    assert json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))["area_share"] == \
        pytest.approx(s["area_share"])


def test_toilet_gaps_give_the_cli_numbers(provider, sample_gpkg: Path, cli,
                                          tmp_path: Path) -> None:
    import processing

    out = tmp_path / "cli.json"
    res = cli("toilet-gaps", "--data", str(sample_gpkg), "--propose", "3", "--json", str(out),
              "--quiet")
    assert res.returncode == 0, res.stderr
    s = json.loads(out.read_text(encoding="utf-8"))
    pop = sample_gpkg.with_name(sample_gpkg.stem + "_population.tif")
    result = processing.run("zltassets:toilet_gaps", {
        "TOILETS": _src(sample_gpkg, "public_toilets"),
        "DISTRICTS": _src(sample_gpkg, "street_offices"),
        "AREA": _src(sample_gpkg, "urban_area"), "ROADS": _src(sample_gpkg, "roads"),
        "POPULATION": str(pop), "PROPOSE": 3, "DISTRICTS_OUT": "memory:",
        "UNCOVERED": "memory:", "PROPOSALS": "memory:"})
    assert result["AREA_SHARE"] == pytest.approx(s["area_share"])
    assert result["POPULATION_SHARE"] == pytest.approx(s["population_share"])
    assert result["TOILETS_PER_10K"] == pytest.approx(s["toilets_per_10k"])
    assert result["TOILET_COUNT"] == s["toilets"]
    assert result["DISTRICTS_BELOW_DENSITY"] == len(s["districts_below_density"])
    assert result["PROPOSED"] == s["proposals"]["n_proposed"] == 3
    assert result["SHARE_AFTER"] == pytest.approx(s["proposals"]["share_after"])
    sites = sorted((f["rank"], round(f.geometry().asPoint().x(), 3),
                     round(f.geometry().asPoint().y(), 3))
                    for f in result["PROPOSALS"].getFeatures())
    assert sites == [(p["rank"], round(p["x"], 3), round(p["y"], 3))
                     for p in s["proposals"]["sites"]]
    dens = {f["code"]: f["density_per_km2"] for f in result["DISTRICTS_OUT"].getFeatures()}
    assert dens == pytest.approx({d["code"]: d["density_per_km2"] for d in s["by_district"]})


def _stops_csv(path: Path, bad: bool) -> Path:
    rows = ["名称,经度,纬度,街道,责任单位,状态,线路,候车亭,更新日期",
            '站点1,122.7400,48.0080,兴华街道,交通局,在用,"1,3",是,2025-06-01',
            '站点2,122.7420,48.0090,兴华街道,交通局,在用,2,否,2025-06-01']
    if bad:
        rows.append("站点3,122.7430,48.0100,不存在街道,交通局,在用,2,也许,2025-13-01")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("bad", [False, True], ids=["good", "bad"])
def test_field_import_does_what_the_cli_does(provider, tmp_path: Path, cli, bad: bool) -> None:
    import shutil

    import processing
    from _mini_inventory import write_mini

    inv_cli = write_mini(tmp_path / "cli.gpkg")
    inv_q = tmp_path / "q.gpkg"
    shutil.copyfile(inv_cli, inv_q)
    src = _stops_csv(tmp_path / "stops.csv", bad)
    report = tmp_path / "cli_report.json"
    res = cli("import", "bus_stops", str(src), "--data", str(inv_cli), "--from-crs", "wgs84",
              "--trust-crs", "--report", str(report))
    assert res.returncode == (4 if bad else 0), res.stdout + res.stderr
    expected = json.loads(report.read_text(encoding="utf-8"))
    before = inv_q.read_bytes()
    result = processing.run("zltassets:field_import", {
        "INVENTORY": str(inv_q), "LAYER": list(schema.LAYERS).index("bus_stops"),
        "FILE": str(src), "FROM_CRS": 1, "TRUST_CRS": True,
        "PROBLEMS": "memory:"})
    assert result["ROWS_READ"] == expected["rows_read"]
    assert result["ROWS_WRITTEN"] == expected["rows_written"]
    assert result["WRITTEN"] == int(expected["written"]) == int(not bad)
    got = sorted((f["row"], f["field"] or "") for f in result["PROBLEMS"].getFeatures())
    assert got == sorted((p["row"], p["field"] or "") for p in expected["problems"])
    if bad:
        assert got and inv_q.read_bytes() == before
    n_cli = len(Inventory.open(inv_cli).read("bus_stops"))
    assert len(Inventory.open(inv_q).read("bus_stops")) == n_cli


def test_cancel_inside_the_core_stops_a_long_coverage_run(provider, sample_gpkg: Path,
                                                          tmp_path: Path) -> None:
    """Cancelled from a progress callback while the core is working: the core stops at its next
    step (the network is never searched) and no output file appears."""
    import processing
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    class CancelAtGrid(QgsProcessingFeedback):
        """Records the core's progress messages and cancels at the first one (the grid)."""

        def __init__(self) -> None:
            super().__init__()
            self.messages: list[str] = []

        def pushInfo(self, info: str) -> None:
            self.messages.append(info)
            if info.startswith("grid"):
                self.cancel()
            super().pushInfo(info)

    feedback = CancelAtGrid()
    messages = feedback.messages
    out = tmp_path / "uncovered.gpkg"
    with pytest.raises(QgsProcessingException, match="Cancelled|已取消"):
        processing.run("zltassets:facility_coverage", {
            "FACILITIES": _src(sample_gpkg, "bus_stops"),
            "AREA": _src(sample_gpkg, "urban_area"), "ROADS": _src(sample_gpkg, "roads"),
            "METHOD": 1, "UNCOVERED": str(out), "JSON": str(tmp_path / "s.json")},
            feedback=feedback)
    assert any(m.startswith("grid") for m in messages)
    assert not any("walking distances" in m for m in messages)
    assert not out.exists() and not (tmp_path / "s.json").exists()


def test_coverage_takes_any_qgis_layer_and_honours_the_selection(provider) -> None:
    """Memory layers in another CRS, selected features only: one stop in the middle of a 2 km
    square covers a 500 m disc, pi * 500^2 / 2000^2 = 0.196 of the area (grid-sampled)."""
    import math

    import processing
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsFeature,
        QgsGeometry,
        QgsPointXY,
        QgsProcessingFeatureSourceDefinition,
        QgsProject,
        QgsRectangle,
        QgsVectorLayer,
    )

    to_wgs = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4550"),
                                    QgsCoordinateReferenceSystem("EPSG:4326"),
                                    QgsProject.instance())
    cx, cy = 600000.0, 5320000.0
    square = QgsGeometry.fromRect(QgsRectangle(cx - 1000, cy - 1000, cx + 1000, cy + 1000))
    square.transform(to_wgs)
    area = QgsVectorLayer("Polygon?crs=EPSG:4326&field=name:string", "area", "memory")
    f = QgsFeature(area.fields())
    f.setGeometry(square)
    f["name"] = "square"
    area.dataProvider().addFeatures([f])
    stops = QgsVectorLayer("Point?crs=EPSG:4326&field=obj_id:string&field=status:string",
                           "stops", "memory")
    feats = []
    for i, (x, y) in enumerate([(cx, cy), (cx + 900, cy + 900)]):
        g = QgsGeometry.fromPointXY(QgsPointXY(x, y))
        g.transform(to_wgs)
        sf = QgsFeature(stops.fields())
        sf.setGeometry(g)
        sf.setAttributes([f"s{i}", "in_service"])
        feats.append(sf)
    stops.dataProvider().addFeatures(feats)
    QgsProject.instance().addMapLayers([area, stops])
    try:
        stops.selectByIds([next(stops.getFeatures()).id()])  # the centre stop only
        result = processing.run("zltassets:facility_coverage", {
            "FACILITIES": QgsProcessingFeatureSourceDefinition(stops.id(), True),
            "AREA": area, "CELL": 10, "UNCOVERED": "memory:"})
        assert result["FACILITY_COUNT"] == 1
        assert result["AREA_TOTAL_M2"] == pytest.approx(4e6, rel=0.01)
        assert result["AREA_SHARE"] == pytest.approx(math.pi * 500 ** 2 / 4e6, rel=0.02)
        both = processing.run("zltassets:facility_coverage", {
            "FACILITIES": stops, "AREA": area, "CELL": 10, "UNCOVERED": "memory:"})
        assert both["FACILITY_COUNT"] == 2 and both["AREA_SHARE"] > result["AREA_SHARE"]
    finally:
        QgsProject.instance().removeMapLayers([area.id(), stops.id()])


def test_import_reloads_the_open_layers_of_the_inventory(provider, tmp_path: Path) -> None:
    import processing
    from _mini_inventory import write_mini
    from qgis.core import QgsProject
    from zlt_assets_qgis.inventory_loader import load_inventory

    inv = write_mini(tmp_path / "inv.gpkg")
    project = QgsProject.instance()
    project.clear()
    try:
        res = load_inventory(str(inv), project)
        stops = next(lyr for lyr in res.layers if lyr.source().endswith("layername=bus_stops"))
        before = stops.featureCount()
        result = processing.run("zltassets:field_import", {
            "INVENTORY": str(inv), "LAYER": list(schema.LAYERS).index("bus_stops"),
            "FILE": str(_stops_csv(tmp_path / "stops.csv", bad=False)), "FROM_CRS": 1,
            "TRUST_CRS": True, "PROBLEMS": "memory:"})
        assert result["WRITTEN"] == 1 and result["ROWS_WRITTEN"] == 2
        assert stops.featureCount() == before + 2
        assert len(list(stops.getFeatures())) == before + 2
    finally:
        project.clear()
