"""layers/zhalantun.qgz: the QGIS project of the inventory, with relative paths."""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from qgis_support import PYTEST_PLUGINS, REPO, qgis_env  # noqa: F401 - fixture

from zlt_assets import schema, styles

pytest_plugins = PYTEST_PLUGINS
pytestmark = pytest.mark.qgis

PROJECT = REPO / "layers" / "zhalantun.qgz"


def test_project_stores_only_relative_paths() -> None:
    with zipfile.ZipFile(PROJECT) as zf:
        names = zf.namelist()
        assert names == ["zhalantun.qgs"]
        xml = zf.read(names[0]).decode("utf-8")
    sources = re.findall(r"<datasource>([^<]+)</datasource>", xml)
    assert sources and all(s.startswith("./zhalantun") for s in sources), sources
    assert not re.search(r"(file://|[A-Za-z]:\\\\|<datasource>/)", xml)


def test_project_opens_from_a_moved_folder(qgis_env, tmp_path: Path, sample_gpkg: Path) -> None:
    from qgis.core import QgsProject

    for p in (PROJECT, sample_gpkg, sample_gpkg.with_name("zhalantun_population.tif")):
        shutil.copyfile(p, tmp_path / p.name)
    project = QgsProject()
    try:
        assert project.read(str(tmp_path / PROJECT.name))
        layers = list(project.mapLayers().values())
        assert len(layers) == len(schema.LAYERS) + 1  # + population grid
        assert all(lyr.isValid() for lyr in layers)
        assert all(Path(lyr.source().split("|")[0]).parent == tmp_path for lyr in layers)
        top = project.layerTreeRoot().children()[0]
        assert [g.name() for g in top.children()] == [f"{c.zh} / {c.en}"
                                                       for c in schema.GROUPS.values]
        order = [n.layer().source().split("layername=")[-1] for n in top.findLayers()
                 if n.layer().type() == 0]
        assert order == [n for c in schema.GROUPS.values for n, d in schema.LAYERS.items()
                         if d.group == c.code]
        stops = next(lyr for lyr in layers if lyr.source().endswith("layername=bus_stops"))
        assert stops.renderer().type() == "categorizedSymbol"
        assert stops.renderer().classAttribute() == styles.renderer_field("bus_stops")
        idx = stops.fields().indexFromName("status")
        assert stops.editorWidgetSetup(idx).type() == "ValueMap"
        assert project.crs().authid() == schema.PROJECT_CRS
    finally:
        project.clear()
