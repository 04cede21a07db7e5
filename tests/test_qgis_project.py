"""layers/zhalantun.qgz in the real QGIS: relative paths, opens from a moved folder, on the urban
area, with name labels at large scales; and the plugin's loader on a GeoPackage without stored
styles (generated QML) and on a PostGIS inventory."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from _postgis import pg_cluster, pg_url  # noqa: F401 - fixtures
from qgis_support import REPO, build_zip, clean_env, need_qgis, qgis_python

from zlt_assets import schema

pytestmark = pytest.mark.qgis
PROJECT = REPO / "layers" / "zhalantun.qgz"

READ_PROJECT = r'''
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from qgis.core import QgsApplication, QgsProject, QgsRectangle
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
ok = project.read(sys.argv[1])
out = {"read": ok, "crs": project.crs().authid(), "layers": {}}
top = project.layerTreeRoot().children()[0]
out["groups"] = [g.name() for g in top.children()]
out["order"] = [n.layer().source().split("layername=")[-1] for n in top.findLayers()
                if n.layer().type() == 0]
for lyr in project.mapLayers().values():
    entry = {"valid": lyr.isValid(), "folder": os.path.dirname(lyr.source().split("|")[0])}
    if lyr.type() == 0:
        entry["labels"] = lyr.labelsEnabled()
        if lyr.labelsEnabled():
            s = lyr.labeling().settings()
            entry["label_field"] = s.fieldName
            entry["label_scale"] = [s.scaleVisibility, s.minimumScale]
        entry["renderer"] = lyr.renderer().type()
        entry["extent"] = lyr.extent().toString()
    out["layers"][lyr.source().split("layername=")[-1]] = entry
v = project.viewSettings().defaultViewExtent()
out["default_view"] = [v.xMinimum(), v.yMinimum(), v.xMaximum(), v.yMaximum()]
print("RESULT " + json.dumps(out))
sys.stdout.flush()
os._exit(0)
'''

LOAD = r'''
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[1])
from qgis.core import QgsApplication, QgsProject
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
from zlt_assets_qgis.inventory_loader import load_inventory
project = QgsProject.instance()
res = load_inventory(sys.argv[2], project)
again = load_inventory(sys.argv[2], project)
out = {"skipped": res.skipped, "style_source": res.style_source, "n": len(res.layers),
       "again_added": len(again.layers), "again_reused": again.reused,
       "groups": [g.name() for g in res.root.children()],
       "top": len(project.layerTreeRoot().children()), "layers": {}}
for lyr in res.layers:
    if lyr.type() != 0:
        continue
    name = lyr.dataProvider().uri().table() or lyr.source().split("layername=")[-1]
    f = lyr.fields()
    status = f.indexFromName("status")
    upd = f.indexFromName("updated")
    out["layers"][name] = {
        "provider": lyr.providerType(), "count": lyr.featureCount(),
        "renderer": lyr.renderer().type(),
        "status_widget": lyr.editorWidgetSetup(status).type() if status >= 0 else None,
        "updated_widget": lyr.editorWidgetSetup(upd).type() if upd >= 0 else None,
        "obj_id_read_only": lyr.editFormConfig().readOnly(f.indexFromName("obj_id"))
            if f.indexFromName("obj_id") >= 0 else None,
        "alias": lyr.attributeAlias(status) if status >= 0 else None}
print("RESULT " + json.dumps(out, ensure_ascii=False))
sys.stdout.flush()
os._exit(0)
'''


def run_pyqgis(script: str, *args: str) -> dict:
    proc = subprocess.run([qgis_python(), "-c", script, *args], capture_output=True, text=True,
                          env=clean_env(), timeout=600)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    assert lines, proc.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


def test_project_stores_only_relative_paths() -> None:
    with zipfile.ZipFile(PROJECT) as zf:
        qgs = [n for n in zf.namelist() if n.endswith(".qgs")]
        assert qgs == ["zhalantun.qgs"]
        xml = zf.read(qgs[0]).decode("utf-8")
    sources = re.findall(r"<datasource>([^<]+)</datasource>", xml)
    assert sources and all(s.startswith("./zhalantun") for s in sources), sources
    assert not re.search(r"(file://|[A-Za-z]:\\\\|<datasource>/)", xml)


def test_project_opens_moved_on_the_urban_area_with_labels(tmp_path: Path,
                                                           sample_gpkg: Path) -> None:
    need_qgis()
    for p in (PROJECT, sample_gpkg, sample_gpkg.with_name("zhalantun_population.tif")):
        shutil.copyfile(p, tmp_path / p.name)
    out = run_pyqgis(READ_PROJECT, str(tmp_path / PROJECT.name))
    assert out["read"] and out["crs"] == schema.PROJECT_CRS
    assert len(out["layers"]) == len(schema.LAYERS) + 1  # + the population grid
    assert all(v["valid"] and v["folder"] == str(tmp_path) for v in out["layers"].values())
    assert out["groups"] == [f"{c.zh} / {c.en}" for c in schema.GROUPS.values]
    assert out["order"] == [n for c in schema.GROUPS.values for n, d in schema.LAYERS.items()
                            if d.group == c.code]
    stops = out["layers"]["bus_stops"]
    assert stops["renderer"] == "categorizedSymbol"
    assert stops["labels"] and stops["label_field"] == "name"
    assert stops["label_scale"][0] is True and 0 < stops["label_scale"][1] <= 25000
    assert out["layers"]["roads"]["labels"]
    # the map opens on the urban area, not the whole city
    ux0, uy0, ux1, uy1 = (float(v) for v in re.findall(r"-?[\d.]+",
                                                       out["layers"]["urban_area"]["extent"]))
    cx0, _cy0, cx1, _cy1 = (float(v) for v in re.findall(
        r"-?[\d.]+", out["layers"]["city_boundary"]["extent"]))
    vx0, vy0, vx1, vy1 = out["default_view"]
    assert vx0 <= ux0 and vy0 <= uy0 and vx1 >= ux1 and vy1 >= uy1
    assert (vx1 - vx0) < 0.5 * (cx1 - cx0)
    with zipfile.ZipFile(PROJECT) as zf:
        xml = zf.read("zhalantun.qgs").decode("utf-8")
    canvas = re.search(r'<mapcanvas [^>]*name="theMapCanvas".*?<xmin>([\d.]+)</xmin>'
                       r"\s*<ymin>([\d.]+)</ymin>\s*<xmax>([\d.]+)</xmax>", xml, re.S)
    assert canvas and abs(float(canvas.group(1)) - vx0) < 1


def _plugin_parent(tmp_path: Path) -> Path:
    plugin_zip = build_zip(tmp_path)
    dest = tmp_path / "plugins"
    with zipfile.ZipFile(plugin_zip) as zf:
        zf.extractall(dest)
    return dest


def test_loader_without_stored_styles_uses_the_generated_forms(tmp_path: Path,
                                                               sample_copy: Path) -> None:
    need_qgis()
    import sqlite3

    con = sqlite3.connect(sample_copy)
    con.execute("DELETE FROM layer_styles")
    con.commit()
    con.close()
    out = run_pyqgis(LOAD, str(_plugin_parent(tmp_path)), str(sample_copy))
    assert out["skipped"] == []
    assert set(out["style_source"].values()) == {"schema"}
    assert out["again_added"] == 0 and out["again_reused"] and out["top"] == 1
    stops = out["layers"]["bus_stops"]
    assert stops["status_widget"] == "ValueMap" and stops["updated_widget"] == "DateTime"
    assert stops["obj_id_read_only"] is True and stops["renderer"] == "categorizedSymbol"
    assert stops["alias"] == schema.layer("bus_stops").field("status").label


@pytest.mark.postgis
def test_loader_opens_a_postgis_inventory(tmp_path: Path, pg_url: str,  # noqa: F811
                                          sample_gpkg: Path) -> None:
    need_qgis()
    from zlt_assets import db
    from zlt_assets.inventory import Inventory

    db.init_db(pg_url)
    db.push(sample_gpkg, pg_url)
    out = run_pyqgis(LOAD, str(_plugin_parent(tmp_path)), pg_url)
    assert out["skipped"] == []
    assert out["groups"] == [f"{c.zh} / {c.en}" for c in schema.GROUPS.values]
    assert list(out["layers"]) == list(schema.LAYERS)
    assert out["again_added"] == 0 and out["again_reused"]
    gpkg = Inventory.open(sample_gpkg)
    for name, info in out["layers"].items():
        assert info["provider"] == "postgres"
        assert info["count"] == len(gpkg.read_raw(name)), name
    stops = out["layers"]["bus_stops"]
    assert stops["status_widget"] == "ValueMap" and stops["updated_widget"] == "DateTime"
    assert stops["obj_id_read_only"] is True
