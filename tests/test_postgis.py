"""PostGIS backend against a real throwaway PostgreSQL + PostGIS cluster.

The cluster is started once per session by ``tests/_postgis.py`` (initdb/pg_ctl as the postgres
user, a free port, stopped at the end). Under CI=true a missing PostgreSQL/PostGIS fails these
tests; elsewhere they skip.
"""
# the fixtures imported from _postgis are parameters of the tests (not redefinitions)
# ruff: noqa: F811
from __future__ import annotations

import hashlib
import os
import re
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


@pytest.fixture
def cli():
    """The CLI as a user runs it, without progress lines (these tests read its messages)."""
    from conftest import run_cli

    def run(*args, env=None, **kw):
        return run_cli(*args, env={"ZLT_PROGRESS": "none", **(env or {})}, **kw)
    return run


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
    idx = {r[0] for r in _query(pg_inv, "SELECT indexname FROM pg_indexes WHERE indexdef LIKE "
                                        "'%gist%'")}
    assert {f"{n}_geom_gist" for n in schema.LAYERS} <= idx
    gtypes = dict(_query(pg_inv, "SELECT f_table_name, type FROM geometry_columns"))
    assert gtypes["bus_stops"] == "POINT" and gtypes["parks"] == "MULTIPOLYGON"
    # domain CHECK, unique obj_id and NOT NULL enforced by the database itself
    with db.connect(db.parse_url(pg_inv)) as conn:
        import psycopg
        base = ("INSERT INTO bus_stops (obj_id, name, street_office, department, status, "
                "data_source, updated, routes, shelter, geom) VALUES (%s, 'x', %s, 'jtj', "
                "'in_service', 'survey', '2025-01-01', '1', false, ST_SetSRID(ST_MakePoint(%s, "
                "%s), 4550))")
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
                f"(%s, {', '.join(['%s'] * len(cols_))}, ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 "
                "0))', 4550))",
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
                             geometry=gpd.points_from_xy([CX + 1], [CY + 1]),
                             crs=schema.PROJECT_CRS)
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
                           geometry=gpd.points_from_xy([CX, CX + 5], [CY, CY]),
                           crs=schema.PROJECT_CRS)
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
    bad.write_text("\n".join([*lines, lines[1].replace("交通局", "外星局")]), encoding="utf-8")
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


# ---------------------------------------------------------------------------- URLs
@pytest.mark.parametrize("url, words", [
    ("postgresql:/editor@host/zlt", "well-formed"),
    ("postgres:editor@host/zlt", "well-formed"),
    ("PostgreSQL:/editor@host/zlt", "well-formed"),
    ("postgresql//editor@host/zlt", "well-formed"),
    ("postgresql://u@h/zlt?schema=information_schema", "system schema"),
    ("postgresql://u@h/zlt?schema=pg_catalog", "system schema"),
    ("postgresql://u@h/zlt?schema=pg_toast", "system schema"),
    ("postgresql://u@h/zlt?schema=pg_mine", "system schema"),
    ("postgresql://u@h/zlt?schema=a&schema=b", "more than once"),
    ("postgresql://u@h/zlt?population=/a.tif&population=/b.tif", "more than once"),
    ("postgresql://u@h/zlt?schema=", "invalid schema"),
    ("postgresql://u@h/zlt?schema=Zlt", "invalid schema"),
    ("postgresql://u@h/zlt?schema=zlt;drop", "invalid schema"),
    ("postgresql://u@h:54x32/zlt", "port"),
    ("postgresql://u@h/zlt#frag", "'#'"),
    ("postgresql://u@h/z lt", "spaces"),
    ("postgresql://u@h/zlt?population=", "empty"),
])
def test_parse_url_refuses_malformed_urls_and_system_schemas(url, words):
    with pytest.raises(BadInput, match=words) as info:
        db.parse_url(url)
    assert info.value.option == "data" and info.value.message_zh  # Chinese first, names --data
    assert "--data" in str(info.value)


def test_parse_url_accepts_well_formed_urls():
    t = db.parse_url("postgresql://wang:secret@db.example:5433/zlt?schema=zlt_2025&sslmode=disable")
    assert t.schema == "zlt_2025" and "secret" not in t.display and "sslmode=disable" in t.conninfo
    assert "schema" not in t.conninfo
    assert db.parse_url("postgres:///zlt").schema == "public"  # local socket, default schema
    with pytest.raises(BadInput, match="not a PostgreSQL URL"):
        db.parse_url("layers/zhalantun.gpkg")


def test_cli_db_refuses_a_mistyped_url_and_creates_nothing(tmp_path, cli):
    for action in (["init"], ["status"], ["push", str(tmp_path / "x.gpkg")]):
        r = cli("db", *action, "--data", "postgresql:/editor@host/zlt", cwd=tmp_path)
        assert r.returncode == 2, r.stderr
        assert "well-formed" in r.stderr and "--data" in r.stderr
        assert len(r.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # no folders, no GeoPackage


# ---------------------------------------------------------------------------- roles
def _as(url: str, user: str) -> str:
    """The same database URL, connecting as another login."""
    from urllib.parse import urlsplit, urlunsplit

    p = urlsplit(url)
    return urlunsplit((p.scheme, f"{user}@{p.netloc.split('@', 1)[1]}", p.path, p.query, ""))


@pytest.fixture
def pg_roles(pg_cluster, pg_inv, tmp_path):
    """An initialised inventory with the mini layers and three logins: boss (owner), wang and li
    (editors), du (reader), nobody (no role)."""
    gpkg = write_mini(tmp_path / "mini.gpkg")
    db.push(gpkg, pg_inv)
    for login in ("boss", "wang", "li", "du", "nobody"):
        pg_cluster.create_login(login)
    db.grant_role(pg_inv, "owner", ["boss"])
    db.grant_role(pg_inv, "editor", ["wang", "li"])
    db.grant_role(pg_inv, "reader", ["du"])
    return pg_inv


def test_init_creates_owner_editor_reader_roles_and_editors_cannot_bypass_the_audit(pg_roles):
    import psycopg
    from psycopg import errors as pe

    url = pg_roles
    owners = dict(_query(url, "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c "
                              "JOIN pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE n.nspname = 'public' AND c.relkind = 'r' "
                              "AND c.relname NOT IN ('spatial_ref_sys')"))
    assert set(owners.values()) == {"zlt_owner"} and set(schema.LAYERS) <= set(owners)
    oid = _query(url, "SELECT obj_id FROM bus_stops ORDER BY fid LIMIT 1")[0][0]
    with psycopg.connect(_as(url, "wang"), autocommit=True, application_name="a-sql-client") as ed:
        ed.execute("SELECT set_config('zlt.editor', '王工', false)")
        ed.execute("UPDATE bus_stops SET name = '王改' WHERE obj_id = %s", (oid,))
        ed.execute("INSERT INTO bus_stops (obj_id, name, street_office, department, status, "
                   "data_source, updated, routes, shelter, geom) SELECT '1507830203000099', 'new', "
                   "street_office, department, status, data_source, updated, routes, shelter, geom "
                   "FROM bus_stops WHERE obj_id = %s", (oid,))
        ed.execute("DELETE FROM bus_stops WHERE obj_id = '1507830203000099'")
        refused = {
            "TRUNCATE bus_stops": pe.InsufficientPrivilege,
            "ALTER TABLE bus_stops DISABLE TRIGGER zlt_audit": pe.InsufficientPrivilege,
            "ALTER TABLE bus_stops DISABLE TRIGGER ALL": pe.InsufficientPrivilege,
            "DROP TRIGGER zlt_audit ON bus_stops": pe.InsufficientPrivilege,
            "DROP TABLE bus_stops": pe.InsufficientPrivilege,
            "ALTER TABLE bus_stops ADD COLUMN x int": pe.InsufficientPrivilege,
            "SET session_replication_role = replica": pe.InsufficientPrivilege,
            "INSERT INTO zlt_audit (table_name, operation, who) VALUES ('bus_stops', 'DELETE', "
            "'forged')":
                pe.InsufficientPrivilege,
            "UPDATE zlt_audit SET who = 'forged'": pe.InsufficientPrivilege,
            "DELETE FROM zlt_audit": pe.InsufficientPrivilege,
            "UPDATE zlt_meta SET value = '1'": pe.InsufficientPrivilege,
            "SET ROLE zlt_owner": pe.InsufficientPrivilege,
        }
        for sql, exc in refused.items():
            with pytest.raises(exc):
                ed.execute(sql)
    with psycopg.connect(_as(url, "du"), autocommit=True) as rd:
        assert rd.execute("SELECT count(*) FROM bus_stops").fetchone()[0] == 3
        assert rd.execute("SELECT count(*) FROM zlt_audit").fetchone()[0] > 0
        for sql in ("UPDATE bus_stops SET name = "
                    "'x'", "DELETE FROM bus_stops", "TRUNCATE bus_stops"):
            with pytest.raises(pe.InsufficientPrivilege):
                rd.execute(sql)
    # the audit shows the database login beside the declared name
    rows = [r for r in db.audit_rows(url, "bus_stops") if r["db_user"] == "wang"]
    assert [(r["operation"], r["who"]) for r in rows] == [("UPDATE", "王工"), ("INSERT", "王工"),
                                                         ("DELETE", "王工")]
    assert {r["app"] for r in rows} == {"a-sql-client"}
    # a superuser acting SET ROLE as wang: login and role both recorded
    with db.connect(db.parse_url(url)) as conn:
        conn.execute("GRANT wang TO postgres")
        conn.execute("SET ROLE wang")
        conn.execute("UPDATE bus_stops SET routes = '5' WHERE obj_id = %s", (oid,))
        conn.commit()
    last = db.audit_rows(url, "bus_stops", 1)[0]
    assert (last["db_user"], last["db_role"]) == ("postgres", "wang")


def test_editors_push_and_import_readers_pull(pg_roles, tmp_path, sample_gpkg):
    url = pg_roles
    rep = db.push(sample_gpkg, _as(url, "wang"), replace=True)  # layers and the grid, as an editor
    assert rep.population and rep.counts["bus_stops"] > 3
    back = tmp_path / "back.gpkg"
    db.pull(_as(url, "du"), back)  # a reader copies it out
    assert len(Inventory.open(back).read("bus_stops")) == rep.counts["bus_stops"]
    stops = Inventory.open(_as(url, "li")).read("bus_stops")
    stops.loc[0, "name"] = "李改"
    Inventory.open(_as(url, "li")).write({"bus_stops": stops})
    assert db.audit_rows(url, "bus_stops", 1)[0]["db_user"] == "li"
    with pytest.raises(Refused, match="db grant editor"):
        Inventory.open(_as(url, "du")).write({"bus_stops": stops})


def test_truncate_is_audited_with_the_rows_and_the_audit_is_append_only(pg_roles, cli):
    import psycopg
    from psycopg import errors as pe

    url = pg_roles
    before = _query(url, "SELECT obj_id FROM bus_stops ORDER BY fid")
    with psycopg.connect(_as(url, "boss"), autocommit=True) as own:
        own.execute("TRUNCATE bus_stops")
        for sql in ("DELETE FROM "
                    "zlt_audit", "UPDATE zlt_audit SET who = 'x'", "TRUNCATE zlt_audit"):
            with pytest.raises(pe.InsufficientPrivilege, match="append-only"):
                own.execute(sql)
    last = db.audit_rows(url, "bus_stops", 1)[0]
    assert last["operation"] == "TRUNCATE" and last["db_user"] == "boss"
    assert last["old_row"]["count"] == 3
    assert [r["obj_id"] for r in last["old_row"]["rows"]] == [b[0] for b in before]
    r = cli("db", "audit", "--data", url, "--layer", "bus_stops", "--limit", "1")
    assert r.returncode == 0 and "TRUNCATE" in r.stdout and "login boss" in r.stdout


def test_status_reports_a_disabled_trigger_and_init_restores_it(pg_roles, cli):
    import psycopg

    url = pg_roles
    r = cli("db", "status", "--data", url)
    assert r.returncode == 0 and "up to date" in r.stdout, r.stdout + r.stderr
    assert "database 2, this zlt-assets 2" in r.stdout
    with psycopg.connect(_as(url, "boss"), autocommit=True) as own:  # the owner can, and is seen
        own.execute("ALTER TABLE bus_stops DISABLE TRIGGER zlt_audit")
    r = cli("db", "status", "--data", url, "--json", "-")
    import json
    st = json.loads(r.stdout)
    assert r.returncode == 1 and not st["ok"]
    assert any("zlt_audit on bus_stops is DISABLED" in p for p in st["problems"])
    r = cli("db", "init", "--data", url)
    assert r.returncode == 0 and "already current" in r.stdout, r.stderr
    assert cli("db", "status", "--data", url).returncode == 0


def test_a_login_without_rights_gets_a_clear_message_not_an_internal_error(pg_roles, tmp_path, cli):
    url = _as(pg_roles, "nobody")
    for argv in (["db", "audit"], ["validate"], ["db", "pull", str(tmp_path / "p.gpkg")]):
        r = cli(*argv, "--data", url)
        assert r.returncode == 2, (argv, r.stderr)
        assert "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 1
        assert "db grant reader" in r.stderr and "internal error" not in r.stderr
    r = cli("db", "status", "--data", url)  # status says what the login lacks
    assert r.returncode == 1 and "nobody holds no role" in r.stdout
    assert "db grant reader nobody" in r.stdout
    gpkg = write_mini(tmp_path / "m.gpkg")
    r = cli("db", "push", str(gpkg), "--data", _as(pg_roles, "du"), "--replace")  # a reader
    assert r.returncode == 4 and "nothing was written" in r.stderr and "db grant editor" in r.stderr


def test_init_without_createrole_says_what_the_administrator_must_do(pg_cluster, pg_url):
    import psycopg

    pg_cluster.create_login("dbowner")
    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" OWNER TO dbowner')
        conn.execute("ALTER SCHEMA public OWNER TO dbowner")
    with pytest.raises(BadInput, match="CREATE ROLE mine_owner") as info:
        db.init_db(_as(pg_url, "dbowner"), roles="mine")
    assert info.value.message_zh
    assert _query(pg_url, "SELECT to_regclass('public.zlt_meta')")[0][0] is None  # nothing made
    rep = db.init_db(_as(pg_url, "dbowner"), roles=None)  # or without roles, said so by status
    assert rep.roles is None
    st = db.db_status(pg_url)
    assert any("no roles" in p for p in st.problems) and not st.ok


# ---------------------------------------------------------------------------- lost updates
def test_plain_sql_updates_that_replace_another_editors_value_are_marked(pg_roles, cli):
    """Two clients that send no row_version (as QGIS does): the database cannot refuse, it marks."""
    import psycopg

    url = pg_roles
    (fid, oid), (fid2, oid2, name2) = _query(url, "SELECT fid, obj_id FROM bus_stops ORDER BY fid "
                                                  "LIMIT 1")[0], \
        _query(url, "SELECT fid, obj_id, name FROM bus_stops ORDER BY fid OFFSET 1 LIMIT 1")[0]
    wang = psycopg.connect(_as(url, "wang"), autocommit=True)
    li = psycopg.connect(_as(url, "li"), autocommit=True)
    try:
        # both have the rows open; QGIS sends only the changed field, and no row_version
        wang.execute('UPDATE "public"."bus_stops" SET "name" = %s WHERE "fid" = '
                     '%s', ("王的名字", fid))
        li.execute('UPDATE "public"."bus_stops" SET "routes" = %s WHERE "fid" = %s', ("8", fid))
        li.execute('UPDATE "public"."bus_stops" SET "name" = %s WHERE "fid" = '
                   '%s', ("李的名字", fid))
        # a client writing back its whole stale copy of the second row, without the version
        stale = li.execute("SELECT * FROM bus_stops WHERE fid = %s", (fid2,))
        cols = [d.name for d in stale.description]
        copy = dict(zip(cols, stale.fetchone(), strict=True))
        wang.execute("UPDATE bus_stops SET name = '王再改' WHERE fid = %s", (fid2,))
        keep = [c for c in cols if c not in ("fid", "row_version", "geom")]
        li.execute(f"UPDATE bus_stops SET {', '.join(f'{chr(34)}{c}{chr(34)} = %s' for c in keep)} "
                   "WHERE fid = %s", [*[copy[c] for c in keep], fid2])
        # a client that sends the version it read is checked, hence never marked
        v = li.execute("SELECT row_version FROM bus_stops WHERE fid = %s", (fid,)).fetchone()[0]
        wang.execute("UPDATE bus_stops SET name = '王核对', row_version = %s WHERE fid = "
                     "%s", (v, fid))
    finally:
        wang.close()
        li.close()
    updates = [r for r in db.audit_rows(url, "bus_stops") if r["operation"] == "UPDATE"]

    def trail(f):
        return [(r["db_user"], r["version_checked"], sorted(r["overwrote"] or {}))
                for r in updates if r["fid"] == f]
    assert trail(fid) == [("wang", False, []),        # first change
                          ("li", False, []),          # another field: nothing lost
                          ("li", False, ["name"]),    # replaced wang's name
                          ("wang", True, [])]         # version sent and checked
    assert trail(fid2) == [("wang", False, []), ("li", False, ["name"])]
    found = db.overlaps(url, "bus_stops")
    assert [(o["obj_key"], o["field"], o["theirs"], o["now"], o["reverted"]) for o in found] == [
        (oid, "name", "王的名字", "李的名字", False),
        (oid2, "name", "王再改", name2, True),     # the stale copy put the old name back
    ]
    assert [(o["theirs_db_user"], o["db_user"]) for o in found] == [("wang", "li")] * 2
    assert all(o["gap_seconds"] is not None and o["gap_seconds"] >= 0 for o in found)
    assert db.db_status(url).overlaps == 2
    r = cli("db", "audit", "--overlaps", "--data", url)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2, r.stdout + r.stderr
    assert "replacing '王的名字'" in r.stdout and "back to the value before it" in r.stdout


# ---------------------------------------------------------------------------- replace, push
def _stops_csv(path: Path, points) -> Path:
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:4550", "EPSG:4490", always_xy=True)
    lines = ["名称,经度,纬度,街道,责任单位,状态,线路,候车亭"]
    for i, (x, y) in enumerate(points):
        lon, lat = t.transform(x, y)
        lines.append(f"站{i},{lon},{lat},兴华街道,交通局,在用,1,否")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _wait_for_lock(url: str, timeout: float = 60) -> None:
    """Until a backend of this database waits on a lock (the other process is blocked)."""
    import time

    name = url.rsplit("/", 1)[1].split("?")[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _query(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                       "AND wait_event_type = 'Lock'", (name,))[0][0]:
            return
        time.sleep(0.1)
    raise AssertionError("the other process never waited on the lock")


def test_replace_never_deletes_a_row_changed_after_its_backup(pg_mini, tmp_path, cli):
    """An editor commits while import --mode replace runs: the import is refused, nothing lost."""
    import subprocess
    import sys

    import psycopg

    url, _ = pg_mini
    csv = _stops_csv(tmp_path / "new.csv", [(CX - 200, CY), (CX, CY - 100)])
    oid = _query(url, "SELECT obj_id FROM bus_stops ORDER BY fid LIMIT 1")[0][0]
    editor = psycopg.connect(_as(url, "postgres"))
    editor.execute("UPDATE bus_stops SET name = '刚改的名字' WHERE obj_id = "
                   "%s", (oid,))  # not committed
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "ZLT_PROGRESS": "none"}
    proc = subprocess.Popen([sys.executable, "-m", "zlt_assets", "import", "bus_stops", str(csv),
                             "--data", url, "--mode", "replace", "--from-crs", "cgcs2000",
                             "--backup-dir", str(tmp_path / "bk")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        _wait_for_lock(url)  # the import has taken its backup and waits for the editor's row
        editor.commit()  # the edit is committed after the backup was taken
    finally:
        editor.close()
        out, err = proc.communicate(timeout=300)
    assert proc.returncode == 4, out + err
    assert "edit conflict" in err and oid in err and "nothing was written" in err
    backups = list((tmp_path / "bk").glob("*.gpkg"))
    assert len(backups) == 1
    assert "刚改的名字" not in Inventory.open(backups[0]).read("bus_stops")["name"].tolist()
    now = Inventory.open(url).read("bus_stops").set_index("obj_id")
    assert len(now) == 3 and now.loc[oid, "name"] == "刚改的名字"  # the edit survived
    assert not [r for r in db.audit_rows(url, "bus_stops") if r["operation"] == "DELETE"]
    # run again: the backup now holds the edit, and the replace goes through
    r = cli("import", "bus_stops", str(csv), "--data", url, "--mode", "replace", "--from-crs",
            "cgcs2000", "--backup-dir", str(tmp_path / "bk2"))
    assert r.returncode == 0, r.stderr
    (bk,) = (tmp_path / "bk2").glob("*.gpkg")
    assert "刚改的名字" in Inventory.open(bk).read("bus_stops")["name"].tolist()
    assert len(Inventory.open(url).read("bus_stops")) == 2


def test_replace_through_the_api_checks_the_versions_it_read(pg_mini, tmp_path):
    from zlt_assets.importing import ImportOptions, import_file

    url, _ = pg_mini
    inv = Inventory.open(url)
    inv.read("bus_stops")  # what this inventory object saw
    oid = _query(url, "SELECT obj_id FROM bus_stops ORDER BY fid LIMIT 1")[0][0]
    db.update_feature(url, "bus_stops", oid, {"routes": "99"}, 1)  # someone else, since
    fresh = gpd.GeoDataFrame([record("bus_stops", 50)], geometry=gpd.points_from_xy([CX], [CY]),
                             crs=schema.PROJECT_CRS)
    with pytest.raises(Refused, match=f"{oid} was changed by someone else"):
        inv.write({"bus_stops": fresh})  # a new frame without versions: the object's are used
    assert len(Inventory.open(url).read("bus_stops")) == 3
    rep = import_file("bus_stops", _stops_csv(tmp_path / "a.csv", [(CX, CY)]), url,
                      ImportOptions(from_crs="cgcs2000", mode="replace",
                                    backup_dir=tmp_path / "bk"))
    assert rep.ok and rep.written  # read, backed up and replaced with nothing changed between


def _corrupt_tif(path: Path) -> None:
    path.write_bytes(b"II*\x00" + b"\x00" * 200)  # a TIFF header and nothing readable


def test_push_is_one_transaction_with_the_population_grid(pg_inv, tmp_path, sample_gpkg, cli):
    gpkg = write_mini(tmp_path / "m.gpkg")
    pop = tmp_path / ("m" + schema.POPULATION.suffix)
    _corrupt_tif(pop)
    audit_before = len(db.audit_rows(pg_inv))
    r = cli("db", "push", str(gpkg), "--data", pg_inv)
    assert r.returncode == 2 and "population grid" in r.stderr and len(r.stderr.splitlines()) == 1
    assert Inventory.open(pg_inv).list_layers() == [] and len(db.audit_rows(pg_inv)) == audit_before
    # a failure inside the transaction, after the layers were written: nothing is committed
    with db.connect(db.parse_url(pg_inv)) as conn:
        conn.execute("CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                     "RAISE EXCEPTION 'disk quota exceeded (test)'; END $$")
        conn.execute("CREATE TRIGGER boom BEFORE INSERT ON zlt_rasters FOR EACH ROW EXECUTE "
                     "FUNCTION boom()")
        conn.commit()
    pop.write_bytes(sample_gpkg.with_name(sample_gpkg.stem + schema.POPULATION.suffix).read_bytes())
    r = cli("db", "push", str(gpkg), "--data", pg_inv)
    assert r.returncode == 4 and "nothing was written" in r.stderr, r.stderr
    assert Inventory.open(pg_inv).list_layers() == [] and len(db.audit_rows(pg_inv)) == audit_before
    assert not Inventory.open(pg_inv).has_population()
    with db.connect(db.parse_url(pg_inv)) as conn:
        conn.execute("DROP TRIGGER boom ON zlt_rasters")
        conn.commit()
    r = cli("db", "push", str(gpkg), "--data", pg_inv)  # a rerun simply works
    assert r.returncode == 0 and "population grid: yes" in r.stdout, r.stderr
    inv = Inventory.open(pg_inv)
    assert inv.has_population() and _sha(inv.population_path) == _sha(pop)
    assert {n: len(inv.read(n)) for n in inv.list_layers()} == {
        n: len(g) for n, g in mini_layers().items()}


def test_a_server_that_vanishes_mid_push_is_exit_3_and_nothing_is_committed(tmp_path, sample_gpkg):
    """A real server stopped (immediate shutdown) while db push waits inside its transaction."""
    import subprocess
    import sys

    import psycopg
    from _postgis import start_cluster

    cluster = start_cluster(durable=True)
    try:
        url = cluster.url(cluster.create_database())
        db.init_db(url)
        gpkg = write_mini(tmp_path / "m.gpkg")
        pop = tmp_path / ("m" + schema.POPULATION.suffix)
        grid = sample_gpkg.with_name(sample_gpkg.stem + schema.POPULATION.suffix)
        pop.write_bytes(grid.read_bytes())
        db.push(gpkg, url)
        first = _comparable(Inventory.open(url).read("bus_stops"))
        stops = Inventory.open(gpkg).read("bus_stops")
        stops["name"] = "第二次推送"
        Inventory(gpkg).write({"bus_stops": stops})
        blocker = psycopg.connect(url)  # another session holds the stored grid's row
        blocker.execute("SELECT 1 FROM zlt_rasters WHERE name = 'population' FOR UPDATE")
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "ZLT_PROGRESS": "none"}
        proc = subprocess.Popen([sys.executable, "-m", "zlt_assets", "db", "push", str(gpkg),
                                 "--data", url, "--replace"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env)
        _wait_for_lock(url)  # the layers are written in push's transaction, the grid waits
        cluster.stop("immediate")  # the server vanishes
        out, err = proc.communicate(timeout=120)
        blocker.close()
        assert proc.returncode == 3, out + err
        assert "went away during db push" in err and "nothing was committed" in err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
        cluster.start()
        after = Inventory.open(url).read("bus_stops")
        pd.testing.assert_frame_equal(_comparable(after), first)  # the first push, untouched
        r = subprocess.run([sys.executable, "-m", "zlt_assets", "db", "push", str(gpkg), "--data",
                            url, "--replace"], capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stderr  # the rerun works
        assert set(Inventory.open(url).read("bus_stops")["name"]) == {"第二次推送"}
    finally:
        cluster.remove()


# ---------------------------------------------------------------------------- migrations
DDL_0_1 = Path(__file__).parent / "data" / "postgis_ddl_0.1.sql"


def _catalog(url: str) -> dict[str, set]:
    """What a database's inventory is made of, as sets of comparable rows (column order aside)."""
    q = {
        "columns": "SELECT table_name, column_name, data_type, udt_name, is_nullable, "
                   "coalesce(column_default, '') FROM information_schema.columns WHERE "
                   "table_schema = 'public'",
        "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM "
                       "pg_constraint WHERE connamespace = 'public'::regnamespace",
        "triggers": "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid), tgenabled "
                    "FROM pg_trigger WHERE NOT tgisinternal",
        "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = "
                   "'public'",
        "functions": "SELECT proname, prosecdef, coalesce(array_to_string(proconfig, ','), ''), "
                     "md5(prosrc), pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = "
                     "'public'::regnamespace AND proname LIKE 'zlt%'",
        "owners_acl": "SELECT relname, relkind, pg_get_userbyid(relowner), "
                      "array_to_string(array(SELECT x::text FROM unnest(relacl) x ORDER BY 1), ' "
                      "') FROM pg_class WHERE relnamespace = 'public'::regnamespace",
        "comments": "SELECT c.relname, a.attnum > 0, coalesce(a.attname, ''), "
                    "coalesce(col_description(c.oid, a.attnum), obj_description(c.oid, "
                    "'pg_class')) FROM pg_class c LEFT JOIN pg_attribute a ON a.attrelid = c.oid "
                    "AND a.attnum >= 0 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind "
                    "= 'r' AND coalesce(col_description(c.oid, a.attnum), obj_description(c.oid, "
                    "'pg_class')) IS NOT NULL",
        "geometry": "SELECT f_table_name, f_geometry_column, type, srid FROM geometry_columns "
                    "WHERE f_table_schema = 'public'",
    }
    return {k: set(_query(url, sql)) for k, sql in q.items()}


def _make_0_1_database(pg_cluster, tmp_path) -> str:
    """A database made by zlt-assets 0.1: its frozen DDL, rows written, one update and delete."""
    import psycopg

    url = pg_cluster.url(pg_cluster.create_database())
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(DDL_0_1.read_text(encoding="utf-8"))
    assert _query(url, "SELECT value FROM zlt_meta WHERE key = 'ddl_version'") == [("1",)]
    v1 = db.PostGISInventory(path=Path("v1"), url=url, target=db.parse_url(url))
    with db.connect(v1.target) as conn:
        v1._write_in(conn, mini_layers(), check_versions=False)  # the statements 0.1's push ran
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE bus_stops SET name = '旧版改名' WHERE fid = 1")
        conn.execute("DELETE FROM public_toilets WHERE fid = 2")
    return url


def test_migrating_a_0_1_database_gives_the_catalog_of_a_fresh_one(pg_cluster, tmp_path, cli):
    old = _make_0_1_database(pg_cluster, tmp_path)
    inv = Inventory.open(old)
    rows_before = {n: _comparable(inv.read(n)) for n in inv.list_layers()}
    audit_before = _query(old, "SELECT id, operation, who, obj_key FROM zlt_audit ORDER BY id")
    # before the migration: reading works, writing is refused and says what to do
    r = cli("db", "status", "--data", old)
    assert r.returncode == 1 and "database 1, this zlt-assets 2" in r.stdout
    assert "db init will migrate" in r.stdout
    with pytest.raises(Refused, match=r"DDL version 1.*db init"):
        Inventory.open(old).write({"bus_stops": Inventory.open(old).read("bus_stops")})
    r = cli("db", "audit", "--data", old)
    assert r.returncode == 0 and "UPDATE" in r.stdout, r.stderr
    # migrate
    r = cli("db", "init", "--data", old)
    assert r.returncode == 0 and "migrated from DDL version 1" in r.stdout, r.stderr
    fresh = pg_cluster.url(pg_cluster.create_database())
    db.init_db(fresh)
    a, b = _catalog(old), _catalog(fresh)
    for part in a:
        assert a[part] == b[part], (part, sorted(a[part] ^ b[part])[:6])
    assert len(a["triggers"]) >= 5 * len(schema.LAYERS) and len(a["constraints"]) > 30
    # rows and history kept; the old audit rows gained their fid; the migration is in the audit
    for n, frame in rows_before.items():
        pd.testing.assert_frame_equal(_comparable(Inventory.open(old).read(n)), frame)
    assert _query(old, "SELECT id, operation, who, obj_key FROM zlt_audit WHERE operation <> "
                       "'MIGRATE' ORDER BY id") == audit_before
    assert _query(old, "SELECT count(*) FROM zlt_audit WHERE fid IS NULL AND operation <> "
                       "'MIGRATE'") == [(0,)]
    mig = db.audit_rows(old)[-1]
    assert mig["operation"] == "MIGRATE"
    assert (mig["new_row"]["from"], mig["new_row"]["to"]) == (1, 2)
    assert cli("db", "status", "--data", old).returncode == 0
    # and it now works as a version 2 inventory
    stops = Inventory.open(old).read("bus_stops")
    stops.loc[0, "routes"] = "迁移后"
    Inventory.open(old).write({"bus_stops": stops})
    assert db.audit_rows(old, "bus_stops", 1)[0]["version_checked"] is True


def test_init_refuses_a_migration_it_cannot_do_and_says_what_is_needed(pg_cluster, tmp_path, cli):
    import psycopg

    old = _make_0_1_database(pg_cluster, tmp_path)
    with psycopg.connect(old, autocommit=True) as conn:  # hand edits made outside zlt-assets
        conn.execute("ALTER TABLE bus_stops DROP CONSTRAINT bus_stops_status_check")
        conn.execute("UPDATE bus_stops SET status = 'bogus' WHERE fid = 2")
        conn.execute("ALTER TABLE roads ALTER COLUMN bridge_id TYPE varchar(20)")
    oid = _query(old, "SELECT obj_id FROM bus_stops WHERE fid = 2")[0][0]
    cat = _catalog(old)
    r = cli("db", "init", "--data", old)
    assert r.returncode == 4 and len(r.stderr.splitlines()) == 1, r.stderr
    assert f"1 rows of bus_stops break bus_stops_status_check ({oid})" in r.stderr
    assert ("roads.bridge_id is character varying(20) in the database but text in the schema"
            in r.stderr)
    assert "nothing was changed" in r.stderr and "无法" in r.stderr
    assert _catalog(old) == cat  # nothing changed: still version 1
    assert _query(old, "SELECT value FROM zlt_meta WHERE key = 'ddl_version'") == [("1",)]
    with psycopg.connect(old, autocommit=True) as conn:
        conn.execute("UPDATE bus_stops SET status = 'in_service' WHERE fid = 2")
        conn.execute("ALTER TABLE roads ALTER COLUMN bridge_id TYPE text")
    r = cli("db", "init", "--data", old)
    assert r.returncode == 0, r.stderr
    assert ("bus_stops", "bus_stops_status_check") in {c[:2] for c in _catalog(old)["constraints"]}


def test_init_refuses_a_database_from_a_newer_zlt_assets(pg_inv, cli):
    with db.connect(db.parse_url(pg_inv)) as conn:
        conn.execute("UPDATE zlt_meta SET value = '99' WHERE key = 'ddl_version'")
        conn.commit()
    r = cli("db", "init", "--data", pg_inv)
    assert r.returncode == 4 and "newer zlt-assets" in r.stderr and "upgrade" in r.stderr
    st = db.db_status(pg_inv)
    assert st.db_version == 99 and not st.ok
    with pytest.raises(Refused, match="newer"):
        db.update_feature(pg_inv, "bus_stops", "x", {}, 1)


def test_a_schema_change_reaches_an_existing_database(pg_mini, monkeypatch):
    """A field added to the schema (required, with a default) and a narrowed range: db init applies
    both to the existing table, in one transaction, or refuses naming the rows."""
    import dataclasses

    url, _ = pg_mini
    decl = schema.LAYERS["bus_stops"]
    new_field = schema.FieldDef("bays", "integer", "泊位数", "bays", required=True, default=1,
                                minimum=1,
                                maximum=6)
    monkeypatch.setitem(schema.LAYERS, "bus_stops",
                        dataclasses.replace(decl, fields=(*decl.fields, new_field)))
    assert not db.db_status(url).schema_current
    db.init_db(url)
    assert _query(url, "SELECT DISTINCT bays FROM bus_stops") == [(1,)]
    import psycopg
    with db.connect(db.parse_url(url)) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE bus_stops SET bays = 9 WHERE fid = 1")
    with db.connect(db.parse_url(url)) as conn:
        conn.execute("UPDATE bus_stops SET bays = 5 WHERE fid = 1")
        conn.commit()
    narrowed = dataclasses.replace(new_field, maximum=4)
    monkeypatch.setitem(schema.LAYERS, "bus_stops",
                        dataclasses.replace(decl, fields=(*decl.fields, narrowed)))
    with pytest.raises(Refused, match="1 rows of bus_stops break bus_stops_bays_check"):
        db.init_db(url)
    assert db.db_status(url).pending  # still to do


# ---------------------------------------------------------------------------- real QGIS edits
QGIS_PYTHON = "/usr/bin/python3"  # Debian's python, where PyQGIS lives (never in the venv)
QGIS_EDIT_SCRIPT = r'''
"""Edit a PostGIS layer through QGIS's own postgres provider, as people do in QGIS."""
import json, os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
cfg = json.loads(sys.argv[1])
def layer(user):
    uri = QgsDataSourceUri()
    uri.setConnection(cfg["host"], str(cfg["port"]), cfg["db"], user, "")
    uri.setDataSource("public", cfg["table"], "geom", "", "fid")
    lyr = QgsVectorLayer(uri.uri(False), cfg["table"] + "-" + user, "postgres")
    assert lyr.isValid(), lyr.dataProvider().error().message()
    return lyr
layers = {u: layer(u) for u in cfg["users"]}
feats = {}
for u, lyr in layers.items():  # everyone opens the layer and starts editing before anyone saves
    lyr.startEditing()
    feats[u] = {f["obj_id"]: f for f in lyr.getFeatures()}
out = []
for step in cfg["steps"]:
    lyr = layers[step["user"]]
    f = feats[step["user"]][step["obj_id"]]
    ok = lyr.changeAttributeValue(f.id(), lyr.fields().indexFromName(step["field"]), step["value"])
    out.append({"ok": ok, "committed": lyr.commitChanges(False), "errors": lyr.commitErrors()})
print(json.dumps(out))
for lyr in layers.values():
    lyr.rollBack()
del layers, feats
'''


def _qgis_available() -> bool:
    import subprocess

    try:
        return subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True,
                              timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.qgis
def test_qgis_edits_that_replace_another_editors_value_are_marked(pg_roles, pg_cluster, tmp_path):
    """Two QGIS sessions (logins wang and li) edit the same stops through QGIS's provider."""
    import json
    import subprocess

    from conftest import require_component

    require_component("QGIS", _qgis_available(), f"{QGIS_PYTHON} cannot import qgis.core "
                      "(apt-get install -t bookworm-backports qgis python3-qgis)")
    url = pg_roles
    (o2, n2), (o3, _) = _query(url, "SELECT obj_id, name FROM bus_stops ORDER BY fid OFFSET 1")
    script = tmp_path / "qgis_edit.py"
    script.write_text(QGIS_EDIT_SCRIPT, encoding="utf-8")
    cfg = {"host": pg_cluster.host, "port": pg_cluster.port, "db": url.rsplit("/", 1)[1],
           "table": "bus_stops", "users": ["wang", "li"], "steps": [
               {"user": "wang", "obj_id": o2, "field": "name", "value": "王在QGIS改"},
               {"user": "li", "obj_id": o2, "field": "name", "value": "李在QGIS改"},  # li saw n2
               {"user": "li", "obj_id": o3, "field": "routes", "value": "12"},
               # another field of the stop li changed: nothing lost
               {"user": "wang", "obj_id": o3, "field": "name", "value": "王改另一站"},
           ]}
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    r = subprocess.run([QGIS_PYTHON, str(script), json.dumps(cfg)], capture_output=True, text=True,
                       env=env, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    results = json.loads(r.stdout.strip().splitlines()[-1])
    assert all(s["ok"] and s["committed"] for s in results), results
    # QGIS saved every edit (the database cannot refuse an edit that sends no version) ...
    assert dict(_query(url, "SELECT obj_id, name FROM bus_stops WHERE obj_id IN (%s, "
                            "%s)", (o2, o3))) == {
        o2: "李在QGIS改", o3: "王改另一站"}
    assert _query(url, "SELECT routes FROM bus_stops WHERE obj_id = %s", (o3,)) == [("12",)]
    # ... and the one that replaced wang's value is marked, the others are not
    qgis = [r for r in db.audit_rows(url, "bus_stops") if r["operation"] == "UPDATE"]
    trail = [(r["obj_key"], r["db_user"], r["version_checked"], bool(r["overwrote"])) for r in qgis]
    assert trail == [
        (o2, "wang", False, False), (o2, "li", False, True), (o3, "li", False, False),
        (o3, "wang", False, False)]
    (found,) = db.overlaps(url)
    assert (found["obj_key"], found["field"], found["before"], found["theirs"], found["now"]) == (
        o2, "name", n2, "王在QGIS改", "李在QGIS改")


def test_an_inventory_in_its_own_schema(pg_url, tmp_path, cli):
    url = pg_url + "?schema=zlt"
    db.init_db(url, roles="zltschema")
    gpkg = write_mini(tmp_path / "m.gpkg")
    r = cli("db", "push", str(gpkg), "--data", url)
    assert r.returncode == 0, r.stderr
    assert _query(pg_url, "SELECT count(*) FROM zlt.bus_stops") == [(3,)]
    assert _query(pg_url, "SELECT to_regclass('public.bus_stops')") == [(None,)]
    stops = Inventory.open(url).read("bus_stops")
    stops.loc[0, "name"] = "模式内"
    Inventory.open(url).write({"bus_stops": stops})
    assert db.audit_rows(url, "bus_stops", 1)[0]["new_row"]["name"] == "模式内"
    st = db.db_status(url)
    assert st.ok and st.roles == "zltschema" and st.target.endswith("?schema=zlt"), st
    owners = {r[0] for r in _query(pg_url, "SELECT DISTINCT tableowner FROM pg_tables "
                                           "WHERE schemaname = 'zlt'")}
    assert owners == {"zltschema_owner"}


# ---------------------------------------------------------------------------- rules (contract 3)
def test_the_bad_rows_are_refused_by_postgis(pg_inv, sample_gpkg):
    """The PostGIS third of "the same bad rows refused by validation, PostGIS and QGIS": every
    case of tests/_bad_rows.py, written by a plain SQL client (as QGIS or psql would) as an update
    of a fitting feature and as a new feature, is refused exactly when its rule is hard, under the
    rule's constraint name (a CHECK, or the zlt_rules trigger for rules that read the date)."""
    import psycopg
    from _bad_rows import BAD_ROWS

    db.push(sample_gpkg, pg_inv)
    outcomes = {}
    with psycopg.connect(pg_inv) as conn:
        for i, case in enumerate(BAD_ROWS):
            decl = schema.layer(case.layer)
            cols = [f.name for f in decl.fields]
            cond = " AND ".join(f'"{k}" IS NOT DISTINCT FROM %s' for k in case.where) or "TRUE"
            found = conn.execute(f'SELECT fid, {", ".join(chr(34) + c + chr(34) for c in cols)} '
                                 f"FROM {case.layer} WHERE {cond} ORDER BY fid LIMIT 1",
                                 list(case.where.values())).fetchone()
            assert found, f"{case.id}: no feature of {case.layer} matches {case.where}"
            fid, base = found[0], dict(zip(cols, found[1:], strict=True))
            rec = case.record(base)
            rec["obj_id"] = str(base["obj_id"])[:-6] + f"{900000 + i:06d}"
            sets = ", ".join(f'"{k}" = %s' for k in case.bad)
            quoted = ", ".join(f'"{c}"' for c in cols)
            marks = ", ".join(["%s"] * len(cols))
            attempts = {
                "update": (f"UPDATE {case.layer} SET {sets} WHERE fid = %s",
                           [*case.bad.values(), fid]),
                "insert": (f"INSERT INTO {case.layer} ({quoted}, geom) SELECT "
                           f"{marks}, geom FROM {case.layer} WHERE fid = %s",
                           [*(rec[c] for c in cols), fid]),
            }
            for how, (sql, args) in attempts.items():
                try:
                    conn.execute(sql, args)
                    outcomes[(case.id, how)] = None
                except psycopg.errors.CheckViolation as exc:
                    outcomes[(case.id, how)] = exc.diag.constraint_name
                conn.rollback()
    expected = {(c.id, how): (db.rule_constraint_name(schema.layer(c.layer), c.declared) if c.hard
                              else None)
                for c in BAD_ROWS for how in ("update", "insert")}
    assert outcomes == expected
    assert any(c.hard for c in BAD_ROWS) and any(not c.hard for c in BAD_ROWS)
    assert any(c.declared.uses_today for c in BAD_ROWS if c.hard)  # the trigger's part too


def test_a_rule_refusal_speaks_the_rules_message(pg_inv, sample_gpkg, tmp_path, cli):
    from _bad_rows import BAD_ROWS

    db.push(sample_gpkg, pg_inv)
    case = next(c for c in BAD_ROWS if c.id == "roads-lamps-lit-999")
    roads = Inventory.open(pg_inv).read("roads")
    for k, v in case.bad.items():
        roads.loc[0, k] = v
    with pytest.raises(Refused) as info:
        Inventory.open(pg_inv).write({"roads": roads})
    msg = str(info.value)
    assert case.declared.en in msg and case.declared.zh in msg and "nothing was written" in msg
    future = next(c for c in BAD_ROWS if c.id == "roads-updated-future")
    with pytest.raises(Refused, match=re.escape(future.declared.en)):
        db.update_feature(pg_inv, "roads", roads["obj_id"][1], dict(future.bad),
                          int(roads["row_version"][1]))


def test_init_refuses_to_add_a_rule_that_existing_rows_break(pg_cluster, tmp_path, cli):
    """A 0.1 database (no rule constraints) holding a row that breaks a rule of 0.2."""
    import psycopg

    old = _make_0_1_database(pg_cluster, tmp_path)
    with psycopg.connect(old, autocommit=True) as conn:  # 0.1 accepted this (issue 15)
        conn.execute("UPDATE roads SET lamps_required = 15, lamps_installed = 15, lamps_lit = 999 "
                     "WHERE fid = 1")
    oid = _query(old, "SELECT obj_id FROM roads WHERE fid = 1")[0][0]
    r = cli("db", "init", "--data", old)
    assert r.returncode == 4, r.stderr
    assert f"1 rows of roads break roads_rule_lamps_lit_le_installed ({oid})" in r.stderr
    assert _query(old, "SELECT value FROM zlt_meta WHERE key = 'ddl_version'") == [("1",)]
    with psycopg.connect(old, autocommit=True) as conn:
        conn.execute("UPDATE roads SET lamps_lit = 15 WHERE fid = 1")
    assert cli("db", "init", "--data", old).returncode == 0


def test_a_write_with_a_backup_copies_exactly_what_it_replaces(pg_mini, tmp_path):
    """``Inventory.write(..., backup_dir=)`` as for a GeoPackage: backup and write in one lock."""
    import threading

    import psycopg

    url, _ = pg_mini
    inv = Inventory.open(url)
    before = _comparable(inv.read("bus_stops"))
    fresh = gpd.GeoDataFrame([record("bus_stops", 60)], geometry=gpd.points_from_xy([CX], [CY]),
                             crs=schema.PROJECT_CRS)
    bk = inv.write({"bus_stops": fresh}, backup_dir=tmp_path / "bk")
    assert bk is not None and bk.parent == tmp_path / "bk"
    pd.testing.assert_frame_equal(_comparable(Inventory.open(bk).read("bus_stops")), before)
    assert Inventory.open(url).read("bus_stops")["obj_id"].tolist() == [fresh["obj_id"][0]]
    # an editor's uncommitted change: the write waits, then is refused; the backup shows the edit
    inv = Inventory.open(url)
    inv.read("bus_stops")
    editor = psycopg.connect(url)
    editor.execute("UPDATE bus_stops SET name = '同时在改' "
                   "WHERE fid = (SELECT min(fid) FROM bus_stops)")
    result = {}

    def replace():
        try:
            result["backup"] = inv.write({"bus_stops": before_frame}, backup_dir=tmp_path / "bk2")
        except Refused as exc:
            result["refused"] = str(exc)
    before_frame = gpd.GeoDataFrame([record("bus_stops", 61)],
                                    geometry=gpd.points_from_xy([CX], [CY]), crs=schema.PROJECT_CRS)
    t = threading.Thread(target=replace)
    t.start()
    _wait_for_lock(url)
    editor.commit()
    editor.close()
    t.join(120)
    assert "edit conflict" in result.get("refused", ""), result
    assert Inventory.open(url).read("bus_stops")["name"].tolist() == ["同时在改"]
