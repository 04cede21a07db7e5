"""PostGIS backend against a real throwaway PostgreSQL + PostGIS cluster.

The cluster is started once per session by ``tests/_postgis.py`` (initdb/pg_ctl as the postgres
user, a free port, stopped at the end). Under CI=true a missing PostgreSQL/PostGIS fails these
tests; elsewhere they skip.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from _mini_inventory import CX, CY, mini_layers, record, write_mini
from _postgis import pg_cluster, pg_url  # noqa: F401  (fixtures)

from zlt_assets import db, schema
from zlt_assets.errors import BadInput, MissingComponent, Refused
from zlt_assets.importing import ImportOptions, import_file
from zlt_assets.inventory import Inventory
from zlt_assets.validate import validate_inventory

pytestmark = pytest.mark.postgis


def _sha(p: Path) -> str:
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


@pytest.fixture
def pg_inv(pg_url: str) -> str:
    db.init_db(pg_url)
    return pg_url


@pytest.fixture
def pg_mini(pg_inv: str, tmp_path: Path) -> tuple[str, Path]:
    gpkg = write_mini(tmp_path / "mini.gpkg")
    db.push(gpkg, pg_inv)
    return pg_inv, gpkg


def _query(url: str, sql: str, args=None):
    with db.connect(db.parse_url(url)) as conn:
        return conn.execute(sql, args).fetchall()


def _comparable(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    out = pd.DataFrame(gdf.drop(columns=[gdf.geometry.name, "row_version"], errors="ignore"))
    out["wkb"] = [g.wkb_hex for g in gdf.geometry]
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------- DDL
def test_init_creates_typed_constrained_tables_from_the_schema(pg_inv):
    cols = {(t, c): (dt, nullable) for t, c, dt, nullable in _query(
        pg_inv, "SELECT table_name, column_name, data_type, is_nullable "
                "FROM information_schema.columns WHERE table_schema = 'public'")}
    for layer in schema.LAYERS.values():
        for f in layer.fields:
            dt, nullable = cols[(layer.name, f.name)]
            assert dt == {"text": "text", "integer": "integer", "real": "double precision",
                          "boolean": "boolean", "date": "date",
                          "datetime": "timestamp without time zone"}[f.type], (layer.name, f.name)
            assert (nullable == "NO") == f.required, (layer.name, f.name)
        assert cols[(layer.name, "row_version")][1] == "NO"
    idx = {r[0] for r in _query(pg_inv, "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gist%'")}
    assert {f"{n}_geom_gist" for n in schema.LAYERS} <= idx
    gtypes = dict(_query(pg_inv, "SELECT f_table_name, type FROM geometry_columns"))
    assert gtypes["bus_stops"] == "POINT" and gtypes["parks"] == "MULTIPOLYGON"
    # domain CHECK, unique obj_id and NOT NULL enforced by the database itself
    with db.connect(db.parse_url(pg_inv)) as conn:
        import psycopg
        base = ("INSERT INTO bus_stops (obj_id, name, street_office, department, status, "
                "data_source, updated, routes, shelter, geom) VALUES (%s, 'x', %s, 'jtj', "
                "'in_service', 'survey', '2025-01-01', '1', false, ST_SetSRID(ST_MakePoint(%s, %s), 4550))")
        conn.execute(base, ("1507830203000001", "150783001", CX, CY))
        conn.commit()
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(base, ("1507830203000002", "999", CX, CY))
        conn.rollback()
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(base, ("1507830203000001", "150783001", CX, CY))
        conn.rollback()
        with pytest.raises(psycopg.errors.NotNullViolation):
            conn.execute("INSERT INTO bus_stops (obj_id, geom) VALUES ('1', "
                         "ST_SetSRID(ST_MakePoint(0, 0), 4550))")
        conn.rollback()
        with pytest.raises(psycopg.errors.CheckViolation):  # floors 1..60
            rec = record("facade_lighting_buildings", 1, floors=0)
            cols_ = [c for c in rec if c != "obj_id"]
            conn.execute(
                f"INSERT INTO facade_lighting_buildings (obj_id, {', '.join(cols_)}, geom) VALUES "
                f"(%s, {', '.join(['%s'] * len(cols_))}, ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))', 4550))",
                [rec["obj_id"], *[rec[c] for c in cols_]])
        conn.rollback()
    # init is idempotent and keeps rows
    db.init_db(pg_inv)
    assert _query(pg_inv, "SELECT count(*) FROM bus_stops")[0][0] == 1
    # a table filled by another client (here: plain SQL) is a layer of the inventory
    inv = Inventory.open(pg_inv)
    assert inv.list_layers() == ["bus_stops"]
    assert inv.read("bus_stops")["obj_id"].tolist() == ["1507830203000001"]


def test_ddl_is_generated_from_the_schema():
    text = "\n".join(db.ddl("zlt"))
    for layer in schema.LAYERS.values():
        assert f'"zlt"."{layer.name}"' in text
    assert "'in_service'" in text and '"floors" >= 1' in text and '"floors" <= 60' in text
    assert "zlt_audit" in text and "row_version" in text


# ---------------------------------------------------------------------------- push / pull
def test_push_pull_round_trip(pg_mini, tmp_path):
    url, gpkg = pg_mini
    inv = Inventory.open(url)
    assert inv.backend == "postgis"
    assert sorted(inv.list_layers()) == sorted(Inventory.open(gpkg).list_layers())
    back = tmp_path / "back.gpkg"
    rep = db.pull(url, back)
    assert rep.counts == {n: len(g) for n, g in mini_layers().items()}
    a, b = Inventory.open(gpkg), Inventory.open(back)
    for name in a.list_layers():
        pd.testing.assert_frame_equal(_comparable(a.read(name)), _comparable(b.read(name)),
                                      check_dtype=True)
    # push refuses to overwrite unless asked; pull refuses an existing file unless asked
    with pytest.raises(Refused):
        db.push(gpkg, url)
    with pytest.raises(Refused):
        db.pull(url, back)
    db.push(gpkg, url, replace=True)
    assert len(Inventory.open(url).read("bus_stops")) == 3


def test_population_grid_travels_with_push_and_pull(pg_inv, tmp_path, sample_gpkg):
    small = tmp_path / "pop.gpkg"
    write_mini(small)
    pop = sample_gpkg.with_name(sample_gpkg.stem + schema.POPULATION.suffix)
    target = small.with_name(small.stem + schema.POPULATION.suffix)
    target.write_bytes(pop.read_bytes())
    rep = db.push(small, pg_inv)
    assert rep.population
    inv = Inventory.open(pg_inv)
    assert inv.has_population() and _sha(inv.population_path) == _sha(pop)
    back = tmp_path / "back.gpkg"
    db.pull(pg_inv, back)
    assert _sha(back.with_name("back" + schema.POPULATION.suffix)) == _sha(pop)
    # the ?population= parameter points at a GeoTIFF instead of the stored grid
    other = tmp_path / "other.tif"
    other.write_bytes(pop.read_bytes())
    inv2 = Inventory.open(pg_inv + f"?population={other}")
    assert inv2.population_path == other and inv2.has_population()


def test_validate_gives_the_same_report_on_postgis(pg_inv, sample_gpkg):
    db.push(sample_gpkg, pg_inv)
    a = validate_inventory(Inventory.open(sample_gpkg))
    b = validate_inventory(Inventory.open(pg_inv))
    assert a.counts == b.counts and sum(a.counts.values()) > 100
    assert a.by_check() == b.by_check()
    assert [p.line() for p in a.problems] == [p.line() for p in b.problems]


def test_scorecard_gives_the_same_numbers_on_postgis(pg_inv, sample_gpkg):
    from zlt_assets.analysis import scorecard as sc

    db.push(sample_gpkg, pg_inv)
    a = sc.compute_scorecard(Inventory.open(sample_gpkg), cell=100)
    b = sc.compute_scorecard(Inventory.open(pg_inv), cell=100)
    va = [(t.id, t.value, t.status) for t in a.targets]
    vb = [(t.id, t.value, t.status) for t in b.targets]
    assert va == vb and len(va) > 5


def test_coverage_gives_the_same_numbers_on_postgis(pg_inv, sample_gpkg):
    from zlt_assets.analysis import coverage as cov

    db.push(sample_gpkg, pg_inv)
    out = []
    for inv in (Inventory.open(sample_gpkg), Inventory.open(pg_inv)):
        res = cov.compute_coverage(inv.read("bus_stops"), inv.read("urban_area"), cell=100,
                                   population=inv.population_path)
        out.append(res.summary)
    assert out[0] == out[1]
    assert out[0]  # something was measured


# ---------------------------------------------------------------------------- audit
def test_audit_rows_for_insert_update_delete(pg_mini, monkeypatch):
    url, _ = pg_mini
    monkeypatch.setenv("ZLT_EDITOR", "王工")
    inv = Inventory.open(url)
    stops = inv.read("bus_stops")
    last = max(r["id"] for r in db.audit_rows(url))
    edited = stops.copy()
    edited.loc[0, "name"] = "新名字"
    edited = edited.drop(index=2)
    extra = gpd.GeoDataFrame([record("bus_stops", 9, routes="7")],
                             geometry=gpd.points_from_xy([CX + 1], [CY + 1]), crs=schema.PROJECT_CRS)
    edited = gpd.GeoDataFrame(pd.concat([edited, extra], ignore_index=True), crs=schema.PROJECT_CRS)
    edited.attrs = stops.attrs
    inv.write({"bus_stops": edited})
    rows = [r for r in db.audit_rows(url) if r["id"] > last]
    ops = sorted((r["operation"], r["obj_key"]) for r in rows)
    assert ops == [("DELETE", stops["obj_id"][2]), ("INSERT", schema.make_object_id("0203", 9)),
                   ("UPDATE", stops["obj_id"][0])]
    upd = next(r for r in rows if r["operation"] == "UPDATE")
    assert upd["who"] == "王工" and upd["old_row"]["name"] != "新名字"
    assert upd["new_row"]["name"] == "新名字"
    assert upd["new_row"]["row_version"] == upd["old_row"]["row_version"] + 1
    assert upd["new_row"]["geom"]["type"] == "Point"  # geometry kept as GeoJSON
    dele = next(r for r in rows if r["operation"] == "DELETE")
    assert dele["new_row"] is None and dele["old_row"]["obj_id"] == stops["obj_id"][2]
    ins = next(r for r in rows if r["operation"] == "INSERT")
    assert ins["old_row"] is None and ins["new_row"]["routes"] == "7"
    assert all(r["at"] is not None for r in rows)


# ---------------------------------------------------------------------------- concurrency
def test_concurrent_edits_never_silently_lose_an_edit(pg_mini):
    url, _ = pg_mini
    a = Inventory.open(url).read("bus_stops")  # editor A reads
    b = Inventory.open(url).read("bus_stops")  # editor B reads
    oid = a["obj_id"][1]
    b.loc[1, "routes"] = "B的线路"
    Inventory.open(url).write({"bus_stops": b})  # B saves first
    a.loc[1, "name"] = "A的名字"
    with pytest.raises(Refused, match="edit conflict.*" + oid):
        Inventory.open(url).write({"bus_stops": a})  # A's save is refused, nothing written
    now = Inventory.open(url).read("bus_stops").set_index("obj_id")
    assert now.loc[oid, "routes"] == "B的线路" and now.loc[oid, "name"] != "A的名字"
    assert int(now.loc[oid, "row_version"]) == 2
    # A re-reads and redoes the edit: both edits survive
    a2 = Inventory.open(url).read("bus_stops")
    a2.loc[1, "name"] = "A的名字"
    Inventory.open(url).write({"bus_stops": a2})
    now = Inventory.open(url).read("bus_stops").set_index("obj_id")
    assert (now.loc[oid, "routes"], now.loc[oid, "name"]) == ("B的线路", "A的名字")
    # a deletion of a row someone else changed is refused as well
    stale = a.drop(index=1)
    with pytest.raises(Refused, match="edit conflict"):
        Inventory.open(url).write({"bus_stops": stale})
    # the single-feature API and a raw SQL client that sends the version it read
    v = int(now.loc[oid, "row_version"])
    assert db.update_feature(url, "bus_stops", oid, {"routes": "1"}, v) == v + 1
    with pytest.raises(Refused, match="read version"):
        db.update_feature(url, "bus_stops", oid, {"routes": "2"}, v)
    import psycopg
    with db.connect(db.parse_url(url)) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="zlt edit conflict"):
            conn.execute("UPDATE bus_stops SET routes = 'x', row_version = %s WHERE obj_id = %s",
                         (v, oid))
        conn.rollback()
        # a client that does not send row_version (e.g. a plain QGIS edit) still bumps it
        conn.execute("UPDATE bus_stops SET routes = 'q' WHERE obj_id = %s", (oid,))
        conn.commit()
    assert _query(url, "SELECT row_version FROM bus_stops WHERE obj_id = %s", (oid,))[0][0] == v + 2


# ---------------------------------------------------------------------------- rollback
def test_failing_write_rolls_back_completely(pg_mini):
    url, _ = pg_mini
    inv = Inventory.open(url)
    before = _comparable(inv.read("bus_stops"))
    audit_before = len(db.audit_rows(url))
    stops = inv.read("bus_stops")
    stops.loc[0, "name"] = "changed"
    bad = gpd.GeoDataFrame([record("bus_stops", 20), record("bus_stops", 21, department="nobody")],
                           geometry=gpd.points_from_xy([CX, CX + 5], [CY, CY]), crs=schema.PROJECT_CRS)
    frame = gpd.GeoDataFrame(pd.concat([stops, bad], ignore_index=True), crs=schema.PROJECT_CRS)
    frame.attrs = stops.attrs
    roads = inv.read("roads")
    roads.loc[0, "name"] = "also changed"
    with pytest.raises(Refused, match="bus_stops_department_check"):
        inv.write({"roads": roads, "bus_stops": frame})
    pd.testing.assert_frame_equal(_comparable(Inventory.open(url).read("bus_stops")), before)
    assert "also changed" not in Inventory.open(url).read("roads")["name"].tolist()
    assert len(db.audit_rows(url)) == audit_before


def test_import_into_postgis_all_or_nothing(pg_mini, tmp_path):
    url, _ = pg_mini
    from pyproj import Transformer
    t = Transformer.from_crs("EPSG:4550", "EPSG:4490", always_xy=True)
    lines = ["名称,经度,纬度,街道,责任单位,状态,线路,候车亭"]
    for i, (x, y) in enumerate([(CX - 200, CY), (CX, CY - 100)]):
        lon, lat = t.transform(x, y)
        lines.append(f"站{i},{lon},{lat},兴华街道,交通局,在用,1,否")
    good = tmp_path / "good.csv"
    good.write_text("\n".join(lines), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines + [lines[1].replace("交通局", "外星局")]), encoding="utf-8")
    audit_before = len(db.audit_rows(url))
    rep = import_file("bus_stops", bad, url, ImportOptions(from_crs="cgcs2000"))
    assert not rep.ok and rep.bad_rows == [3]
    assert len(Inventory.open(url).read("bus_stops")) == 3
    assert len(db.audit_rows(url)) == audit_before
    rep = import_file("bus_stops", good, url, ImportOptions(from_crs="cgcs2000"))
    assert rep.ok and rep.written
    out = Inventory.open(url).read("bus_stops")
    assert len(out) == 5 and out["obj_id"].tolist()[-1] == schema.make_object_id("0203", 5)
    inserts = [r for r in db.audit_rows(url, "bus_stops")[audit_before - len(db.audit_rows(url)):]
               if r["operation"] == "INSERT"]
    assert len(inserts) >= 2
    # upsert updates one asset in place (row version bumped, audited) and adds another
    oid = out["obj_id"].tolist()[0]
    lon, lat = t.transform(CX + 5, CY)
    up = tmp_path / "up.csv"
    up.write_text("对象编码,名称,经度,纬度,街道,责任单位,状态,线路,候车亭\n"
                  f"{oid},改名,{lon},{lat},兴华街道,交通局,停用,1,否\n"
                  f",新增,{lon},{lat},兴华街道,交通局,在用,1,否\n", encoding="utf-8")
    rep = import_file("bus_stops", up, url, ImportOptions(from_crs="cgcs2000", mode="upsert"))
    assert rep.ok and rep.written, rep.lines()
    now = Inventory.open(url).read("bus_stops").set_index("obj_id")
    assert len(now) == 6 and now.loc[oid, "name"] == "改名" and now.loc[oid, "status"] == "closed"
    assert int(now.loc[oid, "row_version"]) == 2
    last = [r for r in db.audit_rows(url, "bus_stops") if r["obj_key"] == oid][-1]
    assert last["operation"] == "UPDATE" and last["new_row"]["name"] == "改名"
    # replace on PostGIS keeps a GeoPackage backup of the replaced layer
    rep = import_file("bus_stops", good, url, ImportOptions(from_crs="cgcs2000", mode="replace",
                                                            backup_dir=tmp_path / "bk"))
    assert rep.ok and rep.backup and len(Inventory.open(rep.backup).read("bus_stops")) == 6
    assert len(Inventory.open(url).read("bus_stops")) == 2


# ---------------------------------------------------------------------------- the CLI
def test_cli_db_and_validate_on_postgis(pg_url, tmp_path, cli):
    gpkg = write_mini(tmp_path / "m.gpkg")
    r = cli("db", "init", "--data", pg_url)
    assert r.returncode == 0, r.stderr
    r = cli("db", "push", str(gpkg), "--data", pg_url)
    assert r.returncode == 0 and "bus_stops=3" in r.stdout, r.stderr
    r = cli("db", "push", str(gpkg), "--data", pg_url)
    assert r.returncode == 4 and "--replace" in r.stderr and len(r.stderr.splitlines()) == 1
    out = tmp_path / "out.gpkg"
    r = cli("db", "pull", str(out), "--data", pg_url)
    assert r.returncode == 0 and out.exists(), r.stderr
    v1 = cli("validate", "--data", str(gpkg), "--quiet")
    v2 = cli("validate", "--data", pg_url, "--quiet")
    assert v1.returncode == v2.returncode == 1  # the mini inventory misses layers
    assert v1.stdout.strip().rsplit(": ", 1)[1] == v2.stdout.strip().rsplit(": ", 1)[1]
    r = cli("db", "audit", "--data", pg_url, "--layer", "bus_stops")
    assert r.returncode == 0 and r.stdout.count("INSERT") == 3


def test_unreachable_server_and_uninitialised_database(pg_cluster, pg_url, cli):
    dead = pg_cluster.url("nope").replace(f":{pg_cluster.port}/", ":1/")
    r = cli("validate", "--data", dead)
    assert r.returncode == 3 and "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 1
    with pytest.raises(MissingComponent):
        Inventory.open(dead)
    r = cli("validate", "--data", pg_url)
    assert r.returncode == 2 and "db init" in r.stderr
    with pytest.raises(BadInput):
        Inventory.open(pg_cluster.url("no_such_database"))


def test_every_command_runs_on_postgis_as_on_the_geopackage(pg_inv, sample_gpkg, tmp_path, cli):
    """coverage, toilet-gaps, scorecard and map take --data postgresql://... like a path."""
    import json

    db.push(sample_gpkg, pg_inv)
    runs = {
        "coverage": ["coverage", "--cell", "100", "--quiet"],
        "toilet-gaps": ["toilet-gaps", "--cell", "100", "--quiet"],
        "scorecard": ["scorecard", "--cell", "100"],
    }
    for name, argv in runs.items():
        out = {}
        for label, data in (("gpkg", str(sample_gpkg)), ("pg", pg_inv)):
            js = tmp_path / f"{name}-{label}.json"
            r = cli(*argv, "--data", data, "--json", str(js))
            assert r.returncode == 0, f"{name} on {label}: {r.stderr}"
            out[label] = json.loads(js.read_text(encoding="utf-8"))
        a, b = out["gpkg"], out["pg"]
        for d in (a, b):  # the source label differs by design
            for k in ("source", "inventory", "data", "generated"):  # who/when, by design
                d.pop(k, None)
        assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True).replace(
            pg_inv, str(sample_gpkg)), name
    html = tmp_path / "map.html"
    r = cli("map", "--data", pg_inv, "--out", str(html))
    assert r.returncode == 0 and html.stat().st_size > 10_000, r.stderr
