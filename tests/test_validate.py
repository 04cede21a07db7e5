"""Validation: the sample is clean, and every kind of corruption planted in a copy is reported."""
from __future__ import annotations

import json

import geopandas as gpd
import pyogrio
import pytest
import shapely
from _bad_rows import BAD_ROWS, plant
from shapely.geometry import Point, Polygon

from zlt_assets import schema
from zlt_assets.inventory import write_layers
from zlt_assets.validate import validate_inventory, validate_layer


def _plant(path, layer, change):
    """Read a layer as stored, change it, and write it back (the rest of the file untouched)."""
    gdf = pyogrio.read_dataframe(path, layer=layer)
    gdf = change(gdf)
    write_layers(path, {layer: gdf}, mode="recreate")


def _checks(report, layer=None):
    return {(p.check, p.layer, p.obj_id, p.field) for p in report.errors
            if layer is None or p.layer == layer}


def _has(report, check, layer, obj_id=None, field=None):
    for p in report.errors:
        if p.check == check and p.layer == layer and (obj_id is None or p.obj_id == obj_id) \
                and (field is None or p.field == field):
            return True
    return False


def test_sample_validates_clean(sample_gpkg):
    report = validate_inventory(sample_gpkg)
    assert report.errors == [], "\n".join(p.line() for p in report.errors[:20])
    assert report.counts["facade_lighting_buildings"] == 190


def test_cli_validate_clean_exit_0(cli, sample_gpkg, tmp_path):
    out = tmp_path / "v.json"
    r = cli("validate", "--data", str(sample_gpkg), "--json", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "OK" in r.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["ok"] is True and data["errors"] == 0


def _first_id(path, layer):
    return str(pyogrio.read_dataframe(path, layer=layer, columns=["obj_id"])["obj_id"].iloc[0])


# Each case: (layer, change(gdf) -> gdf, expected check, field or None, uses first obj id)
def _set(col, value, row=0):
    def change(gdf):
        gdf.loc[gdf.index[row], col] = value
        return gdf
    return change


def _bowtie(gdf):
    g = gdf.geometry.iloc[0]
    x, y = g.centroid.x, g.centroid.y
    bowtie = Polygon([(x, y), (x + 10, y + 10), (x + 10, y), (x, y + 10)])
    gdf.loc[gdf.index[0], "geometry"] = bowtie
    return gdf


def _as_point(gdf):
    gdf.loc[gdf.index[0], "geometry"] = gdf.geometry.iloc[0].centroid
    return gdf


def _dup_id(gdf):
    gdf.loc[gdf.index[1], "obj_id"] = gdf["obj_id"].iloc[0]
    return gdf


CASES = [
    ("facade_lighting_buildings", _bowtie, "geometry_invalid", "geometry"),
    ("facade_lighting_buildings", _as_point, "geometry_type", "geometry"),
    ("public_toilets", _set("name", None), "required", "name"),
    ("public_toilets", _set("toilet_type", "golden"), "domain", "toilet_type"),
    ("bus_stops", _set("street_office", "150783099"), "domain", "street_office"),
    ("public_toilets", _set("seats_male", -3), "range", "seats_male"),
    ("bus_stops", _set("obj_id", "15078302030000X1"), "id_format", "obj_id"),
    ("bus_stops", _set("obj_id", "1507830301000001"), "id_component", "obj_id"),
    ("bus_stops", _set("obj_id", "1101010203000001"), "id_division", "obj_id"),
    ("public_toilets", _set("completed_date", "2030-01-01"), "date_order", "completed_date"),
    ("public_toilets", _set("completed_date", "2020/05/01"), "date_format", "completed_date"),
    ("drainage_points", lambda g: g.assign(remedy_status=None), "conditional", "remedy_status"),
]


@pytest.mark.parametrize("layer,change,check,field", CASES,
                         ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_planted_corruption_is_reported(sample_copy, layer, change, check, field):
    _plant(sample_copy, layer, change)
    report = validate_inventory(sample_copy)
    assert not report.ok
    assert _has(report, check, layer, field=field), [p.line() for p in report.errors][:10]


def test_duplicate_object_id_reported_with_the_id(sample_copy):
    oid = _first_id(sample_copy, "public_toilets")
    _plant(sample_copy, "public_toilets", _dup_id)
    report = validate_inventory(sample_copy)
    assert _has(report, "id_duplicate", "public_toilets", obj_id=oid, field="obj_id")


def test_missing_layer_and_missing_field(sample_copy):
    import sqlite3

    with sqlite3.connect(sample_copy) as con:  # drop a layer the GeoPackage way
        con.execute("DROP TABLE railway_stations")
        con.execute("DELETE FROM gpkg_contents WHERE table_name='railway_stations'")
        con.execute("DELETE FROM gpkg_geometry_columns WHERE table_name='railway_stations'")
    _plant(sample_copy, "bus_stops", lambda g: g.drop(columns=["routes"]))
    report = validate_inventory(sample_copy)
    assert _has(report, "missing_layer", "railway_stations")
    assert _has(report, "missing_field", "bus_stops", field="routes")


def test_wrong_crs_reported(sample_copy):
    _plant(sample_copy, "bus_stops", lambda g: g.to_crs(4326))
    report = validate_inventory(sample_copy)
    assert _has(report, "crs", "bus_stops")
    # reprojected on reading: the spatial checks still see the stops near the roads
    assert not _has(report, "stop_far_from_road", "bus_stops")


def test_plan_counts(sample_copy):
    _plant(sample_copy, "facade_lighting_buildings", lambda g: g.iloc[1:])
    _plant(sample_copy, "roads",
           lambda g: g.assign(plan_road=g["plan_road"].where(g["plan_road"] != "P07")))
    report = validate_inventory(sample_copy)
    msgs = [p.message for p in report.errors if p.check == "plan_count"]
    assert any("189 in the inventory, the plan names 190" in m and "清单中有 189 项" in m
               for m in msgs), msgs
    assert any("44 in the inventory, the plan names 45" in m for m in msgs), msgs


def test_spatial_sanity(sample_copy):
    stop_id = _first_id(sample_copy, "bus_stops")
    bridge_id = _first_id(sample_copy, "bridges")
    toilet_id = _first_id(sample_copy, "public_toilets")

    def far_stop(g):
        p = g.geometry.iloc[0]
        g.loc[g.index[0], "geometry"] = Point(p.x + 400, p.y + 400)
        return g

    def move_bridge(g):
        g.loc[g.index[0], "geometry"] = shapely.affinity.translate(g.geometry.iloc[0], 5000, 0)
        return g

    def toilet_abroad(g):
        g.loc[g.index[0], "geometry"] = Point(900000, 6000000)
        return g

    _plant(sample_copy, "bus_stops", far_stop)
    _plant(sample_copy, "bridges", move_bridge)
    _plant(sample_copy, "public_toilets", toilet_abroad)
    _plant(sample_copy, "street_offices",
           lambda g: g.assign(geometry=g.geometry.buffer(-50)))
    report = validate_inventory(sample_copy)
    assert _has(report, "stop_far_from_road", "bus_stops", obj_id=stop_id)
    assert _has(report, "bridge_not_crossing", "bridges", obj_id=bridge_id)
    assert _has(report, "outside_boundary", "public_toilets", obj_id=toilet_id)
    assert _has(report, "partition", "street_offices")


def test_cli_exit_codes_for_problems_and_unreadable(cli, sample_copy, tmp_path):
    _plant(sample_copy, "public_toilets", _set("toilet_type", "golden"))
    r = cli("validate", "--data", str(sample_copy))
    assert r.returncode == 1
    assert "public_toilets" in r.stdout and "toilet_type" in r.stdout

    junk = tmp_path / "junk.gpkg"
    junk.write_text("this is not a geopackage", encoding="utf-8")
    r = cli("validate", "--data", str(junk))
    assert r.returncode == 2
    # one error line (a plain progress line may come before it when the machine is slow)
    lines = [ln for ln in r.stderr.strip().splitlines() if not ln.startswith("… [")]
    assert "Traceback" not in r.stderr and len(lines) == 1
    assert lines[0].startswith("zlt-assets validate: ") and "not a GeoPackage" in lines[0]

    r = cli("validate", "--data", str(tmp_path / "nope.gpkg"))
    assert r.returncode == 2 and "not found" in r.stderr


def test_validate_layer_on_a_crafted_frame():
    """validate_layer works on any frame, without a file: the import uses it."""
    good = {
        "obj_id": schema.make_object_id("0301", 1), "name": "测试公厕",
        "street_office": "150783002",
        "department": "cgzfj", "status": "in_service", "planned_date": None,
        "completed_date": "2019-08-01", "data_source": "survey", "updated": "2020-01-01",
        "toilet_type": "fixed", "seats_male": 3, "seats_female": 5, "seats_accessible": 1,
        "hours": "24h",
    }
    bad = dict(good, obj_id=schema.make_object_id("0301", 2), toilet_type="固定", seats_female=2.5)
    gdf = gpd.GeoDataFrame([good, bad], geometry=[Point(500000, 5320000)] * 2,
                           crs=schema.PROJECT_CRS)
    gdf = gdf.astype({"seats_female": "float64"})
    problems = validate_layer("public_toilets", gdf)
    assert {(p.obj_id, p.field, p.check) for p in problems} == {
        (bad["obj_id"], "toilet_type", "domain"),
        (bad["obj_id"], "seats_female", "type"),
    }


def test_empty_layer_is_reported(sample_copy):
    _plant(sample_copy, "bus_stops", lambda g: g.iloc[0:0])
    report = validate_inventory(sample_copy)
    assert _has(report, "empty_layer", "bus_stops")


def test_bad_rows_are_refused_by_validation(sample_copy):
    """The same bad rows the QGIS form and PostGIS refuse (tests/_bad_rows.py)."""
    planted = plant(sample_copy)
    report = validate_inventory(sample_copy)
    for case in BAD_ROWS:
        rule = case.declared
        hits = [p for p in report.problems if p.layer == case.layer
                and p.obj_id == planted[case.id] and p.check == rule.check
                and p.field == rule.fields[0] and p.message.startswith(rule.message)]
        assert hits, (case.id, [p.line() for p in report.problems
                                if p.obj_id == planted[case.id]])
        assert {p.severity for p in hits} == {"error" if case.hard else "warning"}, case.id
    lit = next(p for p in report.problems if p.obj_id == planted["roads-lamps-lit-999"]
               and p.check == "range" and p.field == "lamps_lit")
    assert "lamps_lit=999" in lit.message and "lamps_installed=15" in lit.message


def test_the_check_date_is_a_parameter(sample_copy):
    import datetime as dt

    early = validate_inventory(sample_copy, today=dt.date(2020, 11, 1))
    future = [p for p in early.errors if p.check == "future" and p.field == "updated"]
    assert len(future) >= 190  # every asset was updated 2020-11-30
    assert validate_inventory(sample_copy, today=dt.date(2020, 11, 30)).ok


def test_cli_check_date(cli, sample_gpkg):
    r = cli("validate", "--data", str(sample_gpkg), "--check-date", "2020-11-01", "-q")
    assert r.returncode == 1 and "future=" in r.stdout, r.stdout + r.stderr
    r = cli("validate", "--data", str(sample_gpkg), "--check-date", "2020/11/01")
    assert r.returncode == 2 and "--check-date" in r.stderr, r.stderr
