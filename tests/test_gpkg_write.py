"""GeoPackage writes in place: the file stays valid and keeps its identity; kills and full disks
leave the old state or the new one and nothing else; read-only targets are refused.

Every write here is a real ``zlt-assets import`` process (or the library in this process where a
test is about the library's API); validity is checked from the file itself and by GDAL.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from _gpkg_checks import assert_valid_gpkg, layer_rows, leftovers, stops_csv, wait_for, zlt
from _mini_inventory import CX, CY, points, write_mini

from zlt_assets._io import LayerChanged, write_gpkg_layers
from zlt_assets.errors import Refused
from zlt_assets.inventory import Inventory, write_layers


def _import(inv: Path, csv: Path, *more: str, env: dict | None = None,
            user: int | None = None) -> subprocess.CompletedProcess:
    p = zlt("import", "bus_stops", str(csv), "--data", str(inv), "--from-crs", "wgs84", *more,
            env=env, user=user)
    out, err = p.communicate(timeout=300)
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


@pytest.fixture
def inv(tmp_path: Path) -> Path:
    return write_mini(tmp_path / "inv.gpkg")


# ---------------------------------------------------------------------------- validity
def test_a_new_inventory_and_every_write_are_valid_geopackages(tmp_path, inv):
    assert_valid_gpkg(inv)
    r = _import(inv, stops_csv(tmp_path / "a.csv", "甲", 40))
    assert r.returncode == 0, r.stderr
    assert_valid_gpkg(inv)
    stops = Inventory.open(inv).read("bus_stops")
    assert len(stops) == 43 and stops["obj_id"].is_unique
    # an update that moves, renames and deletes features, through the library
    i = Inventory.open(inv)
    roads = i.read("roads")
    roads.loc[0, "geometry"] = shapely.LineString([(CX - 900, CY - 900), (CX - 800, CY - 950)])
    roads = roads.drop(index=[3, 4])
    i.write({"roads": roads})
    assert_valid_gpkg(inv)
    con = sqlite3.connect(inv)
    x0, y0 = con.execute("SELECT min_x, min_y FROM gpkg_contents "
                         "WHERE table_name = 'roads'").fetchone()
    con.close()
    assert (x0, y0) == (CX - 900, CY - 950)  # exact extent, not the R-tree's rounded one


def test_new_layers_are_created_as_gdal_creates_them(tmp_path, inv):
    g = points("public_toilets", [(CX, CY)])
    write_layers(inv, {"drainage_points": points("drainage_points", [(CX, CY + 10)]),
                       "custom_points": g.rename(columns={"name": "label"})})
    assert_valid_gpkg(inv)
    assert {"drainage_points", "custom_points"} <= set(Inventory.open(inv).list_layers())


# ---------------------------------------------------------------------------- identity
def test_the_file_keeps_its_identity(tmp_path):
    """Symlink target written, inode, permissions, owner, fids of unchanged features, the user's
    index, view, trigger and extra table: all kept by an import."""
    real = write_mini(tmp_path / "shared" / "inv.gpkg")
    os.chmod(real, 0o664)
    os.chown(real, os.getuid(), os.getgid())
    link = tmp_path / "inv.gpkg"
    link.symlink_to(real)
    con = sqlite3.connect(real)
    con.executescript("""
        CREATE INDEX user_idx_stop_name ON bus_stops(name);
        CREATE VIEW user_view_stops AS SELECT fid, name FROM bus_stops;
        CREATE TABLE user_notes (stop_fid INTEGER, note TEXT);
        INSERT INTO user_notes SELECT fid, 'checked ' || name FROM bus_stops;
        CREATE TABLE user_log (fid INTEGER, what TEXT);
        CREATE TRIGGER user_log_insert AFTER INSERT ON bus_stops
            BEGIN INSERT INTO user_log VALUES (NEW.fid, 'insert'); END;
    """)
    con.commit()
    before_fids = con.execute("SELECT fid, obj_id FROM bus_stops ORDER BY fid").fetchall()
    con.close()
    st0 = os.stat(real)
    r = _import(link, stops_csv(tmp_path / "a.csv", "乙", 5))
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    st1 = os.stat(real)
    assert (st1.st_ino, st1.st_mode, st1.st_uid, st1.st_gid) == \
        (st0.st_ino, st0.st_mode, st0.st_uid, st0.st_gid)
    con = sqlite3.connect(real)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert {"user_idx_stop_name", "user_view_stops", "user_notes", "user_log",
            "user_log_insert"} <= names
    after = con.execute("SELECT fid, obj_id FROM bus_stops ORDER BY fid").fetchall()
    assert after[:3] == before_fids and len(after) == 8
    # the user's trigger saw the five inserts: the rows went into this file, not a copy
    assert con.execute("SELECT count(*) FROM user_log").fetchone()[0] == 5
    assert con.execute("SELECT count(*) FROM user_view_stops").fetchone()[0] == 8
    # the notes still point at the features they were written for
    joined = con.execute("SELECT n.note, s.name FROM user_notes n JOIN bus_stops s ON "
                         "s.fid = n.stop_fid").fetchall()
    assert all(note == f"checked {name}" for note, name in joined) and len(joined) == 3
    con.close()
    assert_valid_gpkg(real)


def test_upsert_changes_one_feature_and_keeps_every_fid(tmp_path, inv):
    con = sqlite3.connect(inv)
    before = con.execute("SELECT fid, obj_id, name FROM bus_stops ORDER BY fid").fetchall()
    con.close()
    _fid, oid, _ = before[1]
    lon, lat = 0.0, 0.0
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:4550", "EPSG:4490", always_xy=True).transform(CX + 400,
                                                                                        CY + 5)
    up = tmp_path / "up.csv"
    up.write_text("对象编码,名称,经度,纬度,街道,责任单位,状态,线路,候车亭\n"
                  f"{oid},改名,{lon},{lat},兴华街道,交通局,在用,1,否\n", encoding="utf-8")
    r = _import(inv, up, "--mode", "upsert")
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(inv)
    after = con.execute("SELECT fid, obj_id, name FROM bus_stops ORDER BY fid").fetchall()
    con.close()
    assert [a[:2] for a in after] == [b[:2] for b in before]
    assert after[1][2] == "改名" and after[0] == before[0] and after[2] == before[2]


# ---------------------------------------------------------------------------- refusals
def _non_root() -> int | None:
    """A user id to run as when the tests run as root (root passes every permission check)."""
    from _unprivileged import unprivileged_uid

    return unprivileged_uid()


def _shared_dir() -> Path:
    d = Path(tempfile.mkdtemp(prefix="zlt-perm-"))
    os.chmod(d, 0o777)
    return d


def test_a_read_only_inventory_is_refused_with_exit_4(tmp_path, inv):
    os.chmod(inv, 0o444)
    rows = layer_rows(inv, "bus_stops")
    r = _import(inv, stops_csv(tmp_path / "a.csv", "丙", 3))
    assert r.returncode == 4, r.stderr
    assert "read-only" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert layer_rows(inv, "bus_stops") == rows


def test_a_read_only_folder_is_refused_with_exit_4():
    user = _non_root()
    d = _shared_dir()
    try:
        folder = d / "ro"
        folder.mkdir()
        inv = write_mini(folder / "inv.gpkg")
        csv = stops_csv(d / "a.csv", "丁", 3)
        if user is not None:
            os.chown(inv, user, user)
            os.chown(folder, 0, 0)
        os.chmod(inv, 0o666)
        os.chmod(folder, 0o555)
        rows = layer_rows(inv, "bus_stops")
        r = _import(inv, csv, user=user)
        assert r.returncode == 4, r.stdout + r.stderr
        assert "read-only" in r.stderr and "Traceback" not in r.stderr
        assert layer_rows(inv, "bus_stops") == rows
        assert leftovers(folder, {"inv.gpkg"}) == set()
    finally:
        os.chmod(d / "ro", 0o755)
        import shutil

        shutil.rmtree(d, ignore_errors=True)


@contextlib.contextmanager
def _small_disk(tmp_path: Path, kib: int):
    """A folder on a file system of ``kib`` KiB (a tmpfs when this may mount one), else None."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(mnt)],
                       capture_output=True)
    if r.returncode != 0:
        yield None
        return
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_full_disk_is_refused_and_leaves_the_inventory_as_it_was(tmp_path, inv):
    big = stops_csv(tmp_path / "big.csv", "戊", 3000)
    with _small_disk(tmp_path, kib=inv.stat().st_size // 1024 + 96) as mnt:
        if mnt is not None:
            target = mnt / "inv.gpkg"
            target.write_bytes(inv.read_bytes())
            rows = layer_rows(target, "bus_stops")
            r = _import(target, big)
            assert r.returncode == 4, r.stdout + r.stderr
            assert "disk is full" in r.stderr and "Traceback" not in r.stderr
            assert layer_rows(target, "bus_stops") == rows
            assert_valid_gpkg(target, gdal=False)
            assert leftovers(mnt, {"inv.gpkg"}) == set()
            return
    # no mount allowed here: a file-size limit in the writing process stands in for the disk
    rows = layer_rows(inv, "bus_stops")
    limit = inv.stat().st_size + 64 * 1024
    code = ("import resource, signal, sys, runpy; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
            "sys.argv = ['zlt-assets', *sys.argv[1:]]; runpy.run_module('zlt_assets', "
            "run_name='__main__')")
    env = dict(os.environ, ZLT_PROGRESS="none", PYTHONIOENCODING="utf-8")
    r = subprocess.run([sys.executable, "-c", code, "import", "bus_stops", str(big), "--data",
                        str(inv), "--from-crs", "wgs84"], capture_output=True, text=True, env=env,
                       timeout=300)
    assert r.returncode == 4, r.stdout + r.stderr
    assert layer_rows(inv, "bus_stops") == rows
    assert_valid_gpkg(inv, gdal=False)


# ---------------------------------------------------------------------------- kill -9
@pytest.mark.parametrize("journal", ["delete", "wal"])
@pytest.mark.parametrize("stage", ["locked", "written", "commit"])
def test_a_kill_at_any_stage_leaves_the_old_state_and_no_files(tmp_path, inv, stage, journal):
    con = sqlite3.connect(inv)
    assert con.execute(f"PRAGMA journal_mode={journal}").fetchone()[0] == journal
    con.close()
    rows = {t: layer_rows(inv, t) for t in ("bus_stops", "roads")}
    marker = tmp_path / "paused"
    csv = stops_csv(tmp_path / "a.csv", "己", 200)
    p = zlt("import", "bus_stops", str(csv), "--data", str(inv), "--from-crs", "wgs84",
            env={"ZLT_IO_PAUSE": f"{stage}={marker}"})
    wait_for(marker, p)
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=60)
    assert {t: layer_rows(inv, t) for t in rows} == rows
    assert_valid_gpkg(inv)
    assert leftovers(tmp_path, {"inv.gpkg", "a.csv", "paused"}) == set()
    # and the next import works normally; afterwards not even SQLite's inert journal remains
    r = _import(inv, csv)
    assert r.returncode == 0, r.stderr
    assert len(layer_rows(inv, "bus_stops")) == 203
    assert {x.name for x in tmp_path.iterdir()} == {"inv.gpkg", "a.csv", "paused"}


def test_kills_at_random_moments_leave_the_old_or_the_new_state(tmp_path, inv):
    csv = stops_csv(tmp_path / "a.csv", "庚", 300)
    old = layer_rows(inv, "bus_stops")
    seen = set()
    for delay in (0.5, 1.5, 2.5, 3.5, 5.0, 8.0):
        p = zlt("import", "bus_stops", str(csv), "--data", str(inv), "--from-crs", "wgs84")
        try:
            p.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait(timeout=60)
        now = layer_rows(inv, "bus_stops")
        assert_valid_gpkg(inv, gdal=False)
        assert leftovers(tmp_path, {"inv.gpkg", "a.csv"}) == set()
        if now == old:
            seen.add("old")
            continue
        # the new state is complete: all 300 rows, once
        assert len(now) == 303 and now[:3] == old
        seen.add("new")
        break
    assert "old" in seen or "new" in seen


@pytest.mark.parametrize("stage", ["publish", "written"])
def test_a_kill_while_creating_a_new_inventory_leaves_nothing(tmp_path, stage):
    marker = tmp_path / "paused"
    csv = stops_csv(tmp_path / "a.csv", "癸", 50)
    new = tmp_path / "new.gpkg"
    p = zlt("import", "bus_stops", str(csv), "--data", str(new), "--from-crs", "wgs84",
            "--create", env={"ZLT_IO_PAUSE": f"{stage}={marker}"})
    wait_for(marker, p)
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=60)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.csv", "paused"]
    r = _import(new, csv, "--create")
    assert r.returncode == 0, r.stderr
    assert len(layer_rows(new, "bus_stops")) == 50
    assert_valid_gpkg(new)
    assert oct(new.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


# ---------------------------------------------------------------------------- stale write-backs
def test_a_layer_changed_since_it_was_read_is_not_overwritten(tmp_path, inv):
    mine = Inventory.open(inv)
    stops = mine.read("bus_stops")
    # another program edits a stop meanwhile (a separate process)
    code = ("import sqlite3, sys; from zlt_assets._io import _register_functions; "
            "c = sqlite3.connect(sys.argv[1]); _register_functions(c); "
            "c.execute(\"UPDATE bus_stops SET name = 'QGIS edit' WHERE fid = 1\"); c.commit()")
    subprocess.run([sys.executable, "-c", code, str(inv)], check=True)
    stops.loc[2, "name"] = "my edit"
    with pytest.raises(LayerChanged) as err:
        mine.write({"bus_stops": stops})
    assert err.value.exit_code == 4
    names = [r[3] for r in layer_rows(inv, "bus_stops")]  # fid, geom, obj_id, name
    assert names[0] == "QGIS edit" and "my edit" not in names


def test_write_gpkg_layers_refuses_a_non_geopackage(tmp_path):
    p = tmp_path / "plain.sqlite"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    g = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs="EPSG:4550")
    with pytest.raises(Exception, match="not a GeoPackage"):
        write_gpkg_layers(p, {"t2": g})
    with pytest.raises(Refused):
        os.chmod(p, 0o444)
        write_gpkg_layers(p, {"t2": g})


def test_backup_dir_naming_a_file_is_bad_input(tmp_path, inv):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    r = _import(inv, stops_csv(tmp_path / "a.csv", "辛", 3), "--mode", "replace", "--backup-dir",
                str(tmp_path / "afile"))
    assert r.returncode == 2, r.stderr
    assert "backup folder" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert len(layer_rows(inv, "bus_stops")) == 3


def test_replace_backup_is_a_consistent_copy(tmp_path, inv):
    r = _import(inv, stops_csv(tmp_path / "a.csv", "壬", 4), "--mode", "replace",
                "--backup-dir", str(tmp_path / "backups"))
    assert r.returncode == 0, r.stderr
    (backup,) = (tmp_path / "backups").iterdir()
    assert_valid_gpkg(backup)
    old = Inventory.open(backup).read("bus_stops")
    assert len(old) == 3 and len(Inventory.open(inv).read("bus_stops")) == 4
    pd.testing.assert_frame_equal(Inventory.open(backup).read("roads"),
                                  Inventory.open(inv).read("roads"))
