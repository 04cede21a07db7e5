"""The inventory opened in a real QGIS: ordered groups, styles from layer_styles, schema forms."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from qgis_support import PYTEST_PLUGINS, qgis_env  # noqa: F401 - fixture

from zlt_assets import schema, styles

pytest_plugins = PYTEST_PLUGINS
pytestmark = pytest.mark.qgis


@pytest.fixture
def project(qgis_env):
    from qgis.core import QgsProject

    proj = QgsProject()
    yield proj
    proj.clear()


def _check_layer_form(layer, decl: schema.LayerDef) -> None:
    from qgis.core import QgsFieldConstraints

    fields = layer.fields()
    checked = 0
    for fd in decl.fields:
        idx = fields.indexFromName(fd.name)
        if idx < 0:
            continue
        checked += 1
        setup = layer.editorWidgetSetup(idx)
        assert layer.attributeAlias(idx) == fd.label
        if fd.domain is not None:
            assert setup.type() == "ValueMap", (decl.name, fd.name)
            pairs = [next(iter(e.items())) for e in setup.config()["map"]]
            assert [c for _, c in pairs][: len(fd.domain.values)] == list(fd.domain.codes)
            assert pairs[0][0] == f"{fd.domain.values[0].zh} / {fd.domain.values[0].en}"
        elif fd.type == "date":
            assert setup.type() == "DateTime", (decl.name, fd.name)
            assert setup.config()["field_format"] == "yyyy-MM-dd"
            assert setup.config()["display_format"] == "yyyy-MM-dd"
        elif fd.type == "boolean":
            assert setup.type() == "CheckBox", (decl.name, fd.name)
        elif fd.type in ("integer", "real"):
            assert setup.type() == "Range", (decl.name, fd.name)
        cons = fields.at(idx).constraints()
        not_null = bool(cons.constraints() & QgsFieldConstraints.ConstraintNotNull)
        assert not_null == fd.required, (decl.name, fd.name)
        if fd.required:
            assert (cons.constraintStrength(QgsFieldConstraints.ConstraintNotNull)
                    == QgsFieldConstraints.ConstraintStrengthHard)
        if fd.unique:
            assert cons.constraints() & QgsFieldConstraints.ConstraintUnique
        assert layer.editFormConfig().readOnly(idx) == fd.read_only, (decl.name, fd.name)
        if fd.default is not None:
            expr = layer.defaultValueDefinition(idx).expression()
            assert expr == styles.form_fields(decl, [fd.name])[0].default_expression
    assert checked == len(decl.fields)


def test_open_sample_in_ordered_groups_with_styles_and_forms(project, sample_copy: Path) -> None:
    from zlt_assets_qgis.inventory_loader import load_inventory

    res = load_inventory(str(sample_copy), project)
    assert res.skipped == []
    # groups in schema order, layers in schema order within each group
    groups = [g.name() for g in res.root.children()]
    assert groups == [f"{c.zh} / {c.en}" for c in schema.GROUPS.values]
    for gnode, code in zip(res.root.children(), schema.GROUPS.values):
        names = [n.layer().source().split("layername=")[-1] for n in gnode.findLayers()
                 if n.layer().type() == 0]
        assert names == [n for n, d in schema.LAYERS.items() if d.group == code.code]
    assert "layer_styles" not in [lyr.name() for lyr in res.layers]
    vectors = [lyr for lyr in res.layers if lyr.type() == 0]
    assert len(vectors) == len(schema.LAYERS)
    assert any(lyr.type() == 1 for lyr in res.layers), "population grid not loaded"
    assert set(res.style_source.values()) == {"layer_styles"}
    for layer in vectors:
        name = layer.source().split("layername=")[-1]
        decl = schema.layer(name)
        assert layer.name() == decl.title
        rfield = styles.renderer_field(decl)
        renderer = layer.renderer()
        if rfield is None:
            assert renderer.type() == "singleSymbol"
        else:
            assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == rfield
            cats = [(c.value(), c.label()) for c in renderer.categories()]
            assert cats == [(c.value, c.label) for c in styles.categories(decl)]
        _check_layer_form(layer, decl)


def test_layer_without_stored_style_gets_the_schema_style(project, tmp_path: Path) -> None:
    from _mini_inventory import write_mini
    from zlt_assets_qgis.inventory_loader import load_inventory

    path = write_mini(tmp_path / "mini.gpkg")
    con = sqlite3.connect(path)
    has_styles = con.execute("SELECT count(*) FROM sqlite_master WHERE name='layer_styles'")
    assert has_styles.fetchone() == (0,)
    con.close()
    res = load_inventory(str(path), project)
    assert res.style_source and set(res.style_source.values()) == {"schema"}
    toilets = next(lyr for lyr in res.layers if lyr.source().endswith("layername=public_toilets"))
    assert toilets.renderer().type() == "categorizedSymbol"
    _check_layer_form(toilets, schema.layer("public_toilets"))


def test_new_feature_gets_defaults_and_next_object_id(project, sample_copy: Path) -> None:
    from qgis.core import QgsVectorLayerUtils
    from zlt_assets_qgis.inventory_loader import load_inventory

    res = load_inventory(str(sample_copy), project)
    stops = next(lyr for lyr in res.layers if lyr.source().endswith("layername=bus_stops"))
    serials = [int(str(f["obj_id"])[-6:]) for f in stops.getFeatures()]
    feat = QgsVectorLayerUtils.createFeature(stops)
    assert feat["obj_id"] == f"1507830203{max(serials) + 1:06d}"
    assert feat["data_source"] == "survey"
    assert feat["shelter"] in (False, 0)


def test_constraint_blocks_a_value_out_of_range(project, sample_copy: Path) -> None:
    from qgis.core import QgsVectorLayerUtils
    from zlt_assets_qgis.inventory_loader import load_inventory

    res = load_inventory(str(sample_copy), project)
    bldg = next(lyr for lyr in res.layers
                if lyr.source().endswith("layername=facade_lighting_buildings"))
    feat = next(bldg.getFeatures())
    idx = bldg.fields().indexFromName("floors")
    ok, _ = QgsVectorLayerUtils.validateAttribute(bldg, feat, idx)
    assert ok
    feat["floors"] = 99
    ok, errors = QgsVectorLayerUtils.validateAttribute(bldg, feat, idx)
    assert not ok and errors


def test_open_inventory_action_loads_the_chosen_file(qgis_env, sample_copy: Path,
                                                     monkeypatch) -> None:
    import zlt_assets_qgis
    from qgis.core import QgsProject
    from qgis.PyQt.QtWidgets import QFileDialog

    offered: list[str] = []

    def choose(parent, caption, start, filters):
        offered.append(start)
        return str(sample_copy), filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(choose))
    plugin = zlt_assets_qgis.classFactory(qgis_env)
    plugin.initGui()
    project = QgsProject.instance()
    project.clear()
    try:
        action = next(a for a in plugin.actions if a.objectName() == "zlt_open_inventory")
        action.trigger()
        assert offered and offered[0].endswith("zhalantun.gpkg")  # the sample is offered first
        names = sorted(lyr.source().split("layername=")[-1]
                       for lyr in project.mapLayers().values() if lyr.type() == 0)
        assert names == sorted(schema.LAYERS)
        top = project.layerTreeRoot().children()[0]
        assert top.name().startswith("扎兰屯资产清单 / Zhalantun inventory")
    finally:
        project.clear()
        plugin.unload()
