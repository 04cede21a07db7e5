"""The inventory opened from PostGIS in QGIS: groups, schema styles and forms on postgres layers."""
from __future__ import annotations

from pathlib import Path

import pytest
from _postgis import pg_cluster, pg_url  # noqa: F401 - fixtures
from qgis_support import PYTEST_PLUGINS, qgis_env  # noqa: F401 - fixture

from zlt_assets import db, schema, styles
from zlt_assets.inventory import Inventory

pytest_plugins = PYTEST_PLUGINS
pytestmark = [pytest.mark.qgis, pytest.mark.postgis]


def test_open_postgis_inventory_with_schema_forms(qgis_env, pg_url: str,
                                                  sample_gpkg: Path) -> None:
    from qgis.core import QgsFieldConstraints, QgsProject
    from zlt_assets_qgis.inventory_loader import load_inventory

    db.init_db(pg_url)
    db.push(sample_gpkg, pg_url)
    project = QgsProject()
    try:
        res = load_inventory(pg_url, project)
        assert res.skipped == []
        assert [g.name() for g in res.root.children()] == [f"{c.zh} / {c.en}"
                                                           for c in schema.GROUPS.values]
        by_name = {lyr.dataProvider().uri().table(): lyr for lyr in res.layers}
        assert list(by_name) == list(schema.LAYERS)
        gpkg = Inventory.open(sample_gpkg)
        for name, layer in by_name.items():
            assert layer.providerType() == "postgres"
            assert layer.featureCount() == len(gpkg.read_raw(name)), name
        stops = by_name["bus_stops"]
        assert stops.renderer().type() == "categorizedSymbol"
        assert stops.renderer().classAttribute() == styles.renderer_field("bus_stops")
        fields = stops.fields()
        idx = fields.indexFromName("status")
        assert stops.editorWidgetSetup(idx).type() == "ValueMap"
        assert fields.at(idx).constraints().constraints() & QgsFieldConstraints.ConstraintNotNull
        upd = fields.indexFromName("updated")
        assert stops.editorWidgetSetup(upd).type() == "DateTime"
        assert stops.editorWidgetSetup(upd).config()["field_format"] == "yyyy-MM-dd"
        assert stops.editFormConfig().readOnly(fields.indexFromName("obj_id"))
    finally:
        project.clear()
