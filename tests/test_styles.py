"""Styles and edit forms derived from the schema, written to ``layer_styles`` (no QGIS needed)."""
from __future__ import annotations

import hashlib
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, MultiPolygon, Point, box

from zlt_assets import schema, styles
from zlt_assets.errors import BadInput
from zlt_assets.inventory import write_layers


def _toilets() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "obj_id": ["1507830301000001", "1507830301000002"], "name": ["甲", "乙"],
            "street_office": ["150783001", "150783002"], "department": ["zjj", "cgzfj"],
            "status": ["in_service", "planned"], "planned_date": [None, "2020-06-30"],
            "completed_date": ["2019-08-01", None], "data_source": ["illustrative"] * 2,
            "updated": ["2020-01-01"] * 2, "toilet_type": ["fixed", "mobile"],
            "seats_male": [2, 1], "seats_female": [3, 1], "seats_accessible": [1, 0],
            "hours": ["24h", "6-22"],
        },
        geometry=[Point(600000, 5300000), Point(600400, 5300300)], crs=schema.PROJECT_CRS)


def _bridges() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "obj_id": ["1507830208000001"], "name": ["布特哈大桥"], "street_office": ["150783001"],
            "department": ["zjj"], "status": ["completed"], "data_source": ["illustrative"],
            "updated": ["2020-01-01"], "plan_lighting": [True], "length_m": [320.0],
            "hazard_status": ["none"],
        },
        geometry=[LineString([(600000, 5300000), (600320, 5300000)])], crs=schema.PROJECT_CRS)


def _urban() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["城区"], "data_source": ["illustrative"], "source_note": ["made"]},
        geometry=[MultiPolygon([box(599000, 5299000, 601000, 5301000)])], crs=schema.PROJECT_CRS)


@pytest.fixture
def gpkg(tmp_path: Path) -> Path:
    path = tmp_path / "inv.gpkg"
    write_layers(path, {"public_toilets": _toilets(), "bridges": _bridges(),
                        "urban_area": _urban(), "not_in_schema": _urban()}, replace_file=True)
    return path


def _rows(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT id, f_table_catalog, f_table_schema, f_table_name, f_geometry_column,"
            " styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time"
            " FROM layer_styles ORDER BY id").fetchall()
    finally:
        con.close()


def test_one_default_style_per_schema_layer_in_schema_order(gpkg: Path) -> None:
    styles.write_layer_styles(gpkg)
    rows = _rows(gpkg)
    # schema order: bridges (20), public_toilets (40), urban_area (120); the extra layer untouched
    assert [r[3] for r in rows] == ["bridges", "public_toilets", "urban_area"]
    assert [r[0] for r in rows] == [1, 2, 3]
    for r in rows:
        assert r[1:3] == ("", "")
        assert r[4] == "geom"  # the geometry column pyogrio/GDAL writes
        assert r[5] == styles.STYLE_NAME and r[8] == 1
        assert r[12] == styles.STYLE_UPDATE_TIME
        assert r[6].startswith("<!DOCTYPE qgis")
        ET.fromstring(r[6].split("\n", 1)[1])  # well-formed XML


def test_table_registered_like_gdal_does(gpkg: Path) -> None:
    styles.write_layer_styles(gpkg)
    con = sqlite3.connect(gpkg)
    try:
        kind = con.execute("SELECT data_type FROM gpkg_contents WHERE table_name='layer_styles'")
        assert kind.fetchone() == ("attributes",)
        count = con.execute(
            "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name='layer_styles'")
        assert count.fetchone() == (3,)
    finally:
        con.close()
    import pyogrio

    assert "layer_styles" in [n for n, _ in pyogrio.list_layers(gpkg)]
    assert len(pyogrio.read_dataframe(gpkg, layer="layer_styles")) == 3


def test_rewriting_is_idempotent_and_deterministic(gpkg: Path, tmp_path: Path) -> None:
    styles.write_layer_styles(gpkg)
    first = _rows(gpkg)
    styles.write_layer_styles(gpkg)
    assert _rows(gpkg) == first
    other = tmp_path / "other.gpkg"
    write_layers(other, {"urban_area": _urban(), "public_toilets": _toilets(),
                         "bridges": _bridges()}, replace_file=True)
    styles.write_layer_styles(other)
    assert _rows(other) == first


def test_user_styles_are_kept_but_not_default(gpkg: Path) -> None:
    styles.write_layer_styles(gpkg)
    con = sqlite3.connect(gpkg)
    with con:
        con.execute("INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, useAsDefault) "
                    "VALUES ('', '', 'bridges', 'geom', 'mine', '<qgis/>', 1)")
    con.close()
    styles.write_layer_styles(gpkg)
    rows = _rows(gpkg)
    mine = [r for r in rows if r[5] == "mine"]
    assert len(mine) == 1 and mine[0][8] == 0
    assert sum(1 for r in rows if r[5] == styles.STYLE_NAME) == 3
    assert styles.read_layer_styles(gpkg)["bridges"].startswith("<!DOCTYPE qgis")


def test_bad_input_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="not found"):
        styles.write_layer_styles(tmp_path / "missing.gpkg")
    text = tmp_path / "x.gpkg"
    text.write_text("hello")
    with pytest.raises(BadInput, match="not a GeoPackage"):
        styles.write_layer_styles(text)
    plain = tmp_path / "plain.sqlite"
    sqlite3.connect(plain).execute("CREATE TABLE t (a)").connection.close()
    before = hashlib.sha256(plain.read_bytes()).hexdigest()
    with pytest.raises(BadInput, match="gpkg_contents"):
        styles.write_layer_styles(plain)
    assert hashlib.sha256(plain.read_bytes()).hexdigest() == before


def _qml(layer: str, **kw: object) -> ET.Element:
    return ET.fromstring(styles.layer_qml(layer, **kw).split("\n", 1)[1])


def test_categorised_renderer_has_chinese_first_labels_for_every_status() -> None:
    root = _qml("public_toilets")
    rnd = root.find("renderer-v2")
    assert rnd.get("type") == "categorizedSymbol" and rnd.get("attr") == "status"
    cats = [(c.get("value"), c.get("label")) for c in rnd.iter("category")]
    expected = [(c.code, f"{c.zh} / {c.en}") for c in schema.SERVICE_STATUS.values]
    assert cats[:-1] == expected
    assert cats[-1][0] == ""  # catch-all class for NULL / other values
    # one symbol per category, all markers for a point layer
    syms = rnd.find("symbols").findall("symbol")
    assert len(syms) == len(cats) and {s.get("type") for s in syms} == {"marker"}


@pytest.mark.parametrize("layer, attr", [("street_offices", "code"), ("parks", "green_type"),
                                         ("roads", "status"), ("drainage_points", "status")])
def test_renderer_field(layer: str, attr: str) -> None:
    assert styles.renderer_field(layer) == attr
    assert _qml(layer).find("renderer-v2").get("attr") == attr


def test_frame_layer_without_classes_is_single_symbol() -> None:
    root = _qml("railway")
    rnd = root.find("renderer-v2")
    assert rnd.get("type") == "singleSymbol"
    assert rnd.find("symbols/symbol").get("type") == "line"


def test_form_follows_schema_for_every_layer() -> None:
    for decl in schema.LAYERS.values():
        ff = {f.name: f for f in styles.form_fields(decl)}
        assert list(ff) == list(decl.field_names)
        for fd in decl.fields:
            f = ff[fd.name]
            assert f.alias == fd.label
            assert f.not_null == fd.required and f.unique == fd.unique
            assert f.read_only == fd.read_only
            if fd.domain is not None:
                assert f.widget_type == "ValueMap"
                pairs = [next(iter(e.items())) for e in f.widget_config["map"]]
                codes = [c for _, c in pairs]
                assert codes[:len(fd.domain.values)] == list(fd.domain.codes)
                assert pairs[0][0].startswith(fd.domain.values[0].zh + " / ")
                assert (styles.VALUE_MAP_NULL in codes) == (not fd.required)
            elif fd.type == "date":
                assert f.widget_type == "DateTime"
                assert f.widget_config["field_format"] == "yyyy-MM-dd"
                assert f.widget_config["display_format"] == "yyyy-MM-dd"
            elif fd.type == "boolean":
                assert f.widget_type == "CheckBox"


def test_defaults_and_object_id_expression() -> None:
    ff = {f.name: f for f in styles.form_fields("public_toilets")}
    assert ff["data_source"].default_expression == "'survey'"
    assert ff["hours"].default_expression == "'24h'"
    assert ff["obj_id"].default_expression.startswith("'1507830301' || ")
    assert not ff["obj_id"].default_on_update
    rf = {f.name: f for f in styles.form_fields("roads")}
    assert rf["bike_lane"].default_expression == "false"
    assert rf["sidewalk"].default_expression == "true"
    # the component code of a drainage point depends on its type: filled once the type is set
    d = {f.name: f for f in styles.form_fields("drainage_points")}["obj_id"]
    assert d.default_on_update and d.default_expression.startswith('coalesce("obj_id", CASE')
    assert "WHEN 'outfall' THEN '1507832104'" in d.default_expression


def test_qml_constraints_and_read_only() -> None:
    root = _qml("bridges")
    cons = {c.get("field"): c for c in root.find("constraints")}
    assert cons["obj_id"].get("constraints") == "3"  # not null + unique
    assert cons["inspection_date"].get("constraints") == "4"  # date order, not in the future
    assert cons["length_m"].get("constraints") == "5"  # not null + expression (range)
    assert cons["length_m"].get("exp_strength") == "1"  # hard
    exps = {c.get("field"): c for c in root.find("constraintExpressions")}
    assert exps["length_m"].get("exp") == \
        'coalesce((("length_m" >= 1) AND ("length_m" <= 5000)), TRUE)'
    assert exps["length_m"].get("desc") == \
        "桥长应在 1–5000 m 之间 / Length must be within 1–5000 m"
    # the soft length tolerance cannot share length_m's hard constraint: it goes to the name
    assert cons["name"].get("constraints") == "5" and cons["name"].get("exp_strength") == "2"
    assert "length($geometry)" in exps["name"].get("exp")
    assert exps["name"].get("desc").startswith("长度与几何长度相差超过")
    editable = {e.get("name"): e.get("editable") for e in root.find("editable")}
    assert editable["obj_id"] == "0" and editable["name"] == "1"
    aliases = {a.get("field"): a.get("name") for a in root.find("aliases")}
    assert aliases["length_m"] == "桥长 / Length (m)"


def test_present_columns_limit_the_form() -> None:
    root = _qml("urban_area", present=["name", "data_source"])
    assert [f.get("name") for f in root.find("fieldConfiguration")] == ["name", "data_source"]
    assert [a.get("index") for a in root.find("aliases")] == ["0", "1"]


def test_shipped_sample_carries_the_current_styles(sample_copy: Path, sample_gpkg: Path) -> None:
    """The sample's stored styles are what write_layer_styles gives today (rebuild the sample
    with scripts/build_sample_layers.py after changing the schema or the styles)."""
    stored = _rows(sample_gpkg)
    assert [r[3] for r in stored] == list(schema.LAYERS)
    styles.write_layer_styles(sample_copy)
    assert _rows(sample_copy) == stored


def test_every_rule_becomes_a_constraint_of_its_strength() -> None:
    from zlt_assets import rules

    for name, decl in schema.LAYERS.items():
        cons = styles.rule_constraints(decl)
        placed = {k: c for c in cons.values() for k in c.keys}
        assert set(placed) == {r.key for r in decl.rules}, name
        for r in decl.rules:
            c = placed[r.key]
            assert c.strength == r.strength and rules.to_qgis(r.expr) in c.expression
            assert r.zh in c.description.split(" / ")[0] and r.en in c.description
        for fname, c in cons.items():  # preferably on one of its own fields
            assert all(fname in decl.rule(k).fields for k in c.keys) or fname == decl.name_field


def test_rules_reading_absent_fields_are_left_out() -> None:
    cons = styles.rule_constraints("roads", present=["obj_id", "lamps_lit", "lamps_required"])
    assert cons["lamps_lit"].keys == ("lamps_lit_range",)  # lamps_installed is absent


def test_fid_is_hidden_read_only_and_last() -> None:
    cols = ["fid", *schema.ROADS.field_names]
    root = _qml("roads", present=cols)
    fc = [(f.get("name"), f.find("editWidget").get("type"))
          for f in root.find("fieldConfiguration")]
    assert fc[-1] == ("fid", "Hidden")
    editable = {e.get("name"): e.get("editable") for e in root.find("editable")}
    assert editable["fid"] == "0"
    aliases = {a.get("field"): a.get("index") for a in root.find("aliases")}
    assert aliases["fid"] == "0" and aliases["obj_id"] == "1"  # indexes as in the table
    table = [c.get("name") for c in root.find("attributetableconfig").find("columns")
             if c.get("type") == "field"]
    assert table == [*schema.ROADS.field_names, "fid"]
