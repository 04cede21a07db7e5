"""Several programs on one GeoPackage at once, with real processes and real SQLite locks.

Two imports started together; an import while another program (GDAL, as QGIS uses it) holds a
write transaction, shortly or for longer than the wait; an import while a reader holds a read
transaction, in rollback-journal and WAL mode; and the other program, which kept the file open,
saving again after the import. No write is ever lost, nothing is corrupted, a refusal says that
another program is writing.
"""
from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from _gpkg_checks import (
    Editor,
    assert_valid_gpkg,
    has_debian_gdal,
    layer_rows,
    other_programs,
    stops_csv,
    zlt,
)
from _mini_inventory import CX, CY, write_mini
from conftest import require_component

from zlt_assets.inventory import Inventory

JOURNALS = ["delete", "wal"]


@pytest.fixture
def gdal_editor():
    require_component("GDAL for Debian's python3 (python3-gdal)", has_debian_gdal(),
                      "apt-get install python3-gdal")
    yield from other_programs(Editor)


def _inv(tmp_path: Path, journal: str) -> Path:
    inv = write_mini(tmp_path / "inv.gpkg")
    con = sqlite3.connect(inv)
    assert con.execute(f"PRAGMA journal_mode={journal}").fetchone()[0] == journal
    con.close()
    return inv


def _start_import(inv: Path, csv: Path, *more: str, env: dict | None = None):
    return zlt("import", "bus_stops", str(csv), "--data", str(inv), "--from-crs", "wgs84", *more,
               env=env)


def _finish(p: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


def _names(inv: Path) -> list[str]:
    return Inventory.open(inv).read("bus_stops")["name"].tolist()


# ---------------------------------------------------------------------------- two imports
@pytest.mark.parametrize("journal", JOURNALS)
def test_two_imports_at_once_both_land_once(tmp_path, journal):
    inv = _inv(tmp_path, journal)
    a = stops_csv(tmp_path / "a.csv", "甲站", 300)
    b = stops_csv(tmp_path / "b.csv", "乙站", 300, y_offset=400)
    pa, pb = _start_import(inv, a), _start_import(inv, b)
    (ca, _oa, ea), (cb, _ob, eb) = _finish(pa), _finish(pb)
    assert (ca, cb) == (0, 0), ea + eb
    stops = Inventory.open(inv).read("bus_stops")
    assert len(stops) == 3 + 600 and stops["obj_id"].is_unique
    names = set(stops["name"])
    assert {f"甲站{i}" for i in range(300)} <= names and {f"乙站{i}" for i in range(300)} <= names
    assert_valid_gpkg(inv)


def test_the_same_file_imported_twice_at_once_goes_in_once(tmp_path):
    inv = _inv(tmp_path, "delete")
    a = stops_csv(tmp_path / "a.csv", "丙站", 200)
    p1, p2 = _start_import(inv, a), _start_import(inv, a)
    (c1, o1, e1), (c2, o2, e2) = _finish(p1), _finish(p2)
    assert (c1, c2) == (0, 0), e1 + e2
    names = _names(inv)
    assert len(names) == 203 and len(set(names)) == 203
    assert "already" in o1 + o2  # the second says the rows were there: skipped, counted
    assert_valid_gpkg(inv)
    # and a rerun later is a no-op that says so
    c, out, _err = _finish(_start_import(inv, a))
    assert c == 0 and "already in" in out and len(_names(inv)) == 203


# ---------------------------------------------------------------------------- another writer
@pytest.mark.parametrize("journal", JOURNALS)
def test_an_import_waits_for_a_short_write_transaction(tmp_path, journal, gdal_editor):
    inv = _inv(tmp_path, journal)
    ed = gdal_editor(inv)
    ed("begin")
    ed(f"add QGIS编辑 {CX + 1} {CY + 1}")  # the write lock is held from here
    p = _start_import(inv, stops_csv(tmp_path / "a.csv", "丁站", 50))
    holder = threading.Timer(4.0, lambda: ed("commit"))
    holder.start()
    code, _out, err = _finish(p)
    holder.join()
    assert code == 0, err
    names = _names(inv)
    assert "QGIS编辑" in names and sum(n.startswith("丁站") for n in names) == 50
    assert len(names) == 3 + 1 + 50
    assert_valid_gpkg(inv)
    # the other program, which kept the file open, saves again
    ed("begin")
    ed(f"add 之后 {CX + 2} {CY + 2}")
    ed("commit")
    assert len(_names(inv)) == 55
    assert_valid_gpkg(inv)  # its cached count was not written back over the true one
    assert _ogr_count(inv) == 55
    ed("reopen")
    assert ed("count") == "55"


def _ogr_count(path: Path) -> int:
    r = subprocess.run(["ogrinfo", "-ro", "-so", str(path), "bus_stops"], capture_output=True,
                       text=True, timeout=60)
    line = next(x for x in r.stdout.splitlines() if x.startswith("Feature Count:"))
    return int(line.split(":")[1])


@pytest.mark.parametrize("journal", JOURNALS)
def test_an_import_is_refused_while_another_program_keeps_writing(tmp_path, journal,
                                                                  gdal_editor):
    inv = _inv(tmp_path, journal)
    before = layer_rows(inv, "bus_stops")
    ed = gdal_editor(inv)
    ed("begin")
    ed(f"add QGIS编辑 {CX + 1} {CY + 1}")
    t0 = time.monotonic()
    code, out, err = _finish(_start_import(inv, stops_csv(tmp_path / "a.csv", "戊站", 50),
                                           env={"ZLT_BUSY_TIMEOUT": "2"}))
    waited = time.monotonic() - t0
    assert code == 4, out + err
    assert "another program is writing" in err and len(err.strip().splitlines()) == 1
    assert waited >= 2
    assert layer_rows(inv, "bus_stops") == before  # nothing of ours, the other's not committed
    ed("commit")
    names = _names(inv)
    assert names[-1] == "QGIS编辑" and not any(n.startswith("戊站") for n in names)
    assert_valid_gpkg(inv)


@pytest.mark.parametrize("journal", JOURNALS)
def test_an_import_beside_a_plain_begin_immediate(tmp_path, journal, gdal_editor):
    """Another process holds ``BEGIN IMMEDIATE`` (the write lock, as a saving program takes it):
    an import refuses after the wait with nothing changed; released in time, the import waits
    and goes through."""
    inv = _inv(tmp_path, journal)
    before = layer_rows(inv, "bus_stops")
    ed = gdal_editor(inv)
    ed("lock-begin")
    code, out, err = _finish(_start_import(inv, stops_csv(tmp_path / "a.csv", "壬站", 20),
                                           env={"ZLT_BUSY_TIMEOUT": "2"}))
    assert code == 4, out + err
    assert "another program is writing" in err and len(err.strip().splitlines()) == 1
    assert layer_rows(inv, "bus_stops") == before
    p = _start_import(inv, stops_csv(tmp_path / "b.csv", "癸站", 20))
    holder = threading.Timer(3.0, lambda: ed("lock-end"))
    holder.start()
    code, _out, err = _finish(p)
    holder.join()
    assert code == 0, err
    names = _names(inv)
    assert len(names) == 23 and sum(n.startswith("癸站") for n in names) == 20
    assert_valid_gpkg(inv)


# ---------------------------------------------------------------------------- readers
def test_a_wal_reader_does_not_block_the_import(tmp_path, gdal_editor):
    inv = _inv(tmp_path, "wal")
    ed = gdal_editor(inv)
    assert ed("read-begin") == "3"
    code, _out, err = _finish(_start_import(inv, stops_csv(tmp_path / "a.csv", "己站", 100),
                                           env={"ZLT_BUSY_TIMEOUT": "2"}))
    assert code == 0, err
    ed("read-end")
    assert ed("read-begin") == "103"  # the reader sees the commit once it reads again
    ed("read-end")
    assert_valid_gpkg(inv)
    ed("begin")
    ed(f"add 之后 {CX + 3} {CY}")
    ed("commit")
    assert len(_names(inv)) == 104
    assert_valid_gpkg(inv)


def test_a_rollback_journal_reader_delays_the_commit_then_it_goes_through(tmp_path, gdal_editor):
    inv = _inv(tmp_path, "delete")
    ed = gdal_editor(inv)
    ed("read-begin")
    p = _start_import(inv, stops_csv(tmp_path / "a.csv", "庚站", 100))
    threading.Timer(3.0, lambda: ed("read-end")).start()
    code, _out, err = _finish(p)
    assert code == 0, err
    assert len(_names(inv)) == 103
    assert_valid_gpkg(inv)


def test_a_reader_that_never_finishes_makes_the_import_refuse_cleanly(tmp_path, gdal_editor):
    inv = _inv(tmp_path, "delete")
    before = layer_rows(inv, "bus_stops")
    ed = gdal_editor(inv)
    ed("read-begin")
    code, out, err = _finish(_start_import(inv, stops_csv(tmp_path / "a.csv", "辛站", 100),
                                           env={"ZLT_BUSY_TIMEOUT": "2"}))
    ed("read-end")
    assert code == 4, out + err
    assert "another program" in err and "nothing was changed" in err
    assert layer_rows(inv, "bus_stops") == before
    assert_valid_gpkg(inv)
