"""Checks that a GeoPackage is valid and helpers to drive writes from other processes.

``assert_valid_gpkg`` checks what a reader relies on, from the file itself: SQLite's integrity
check, every feature table's R-tree (one entry per non-empty geometry, holding its bounds),
``gpkg_ogr_contents`` counts, ``gpkg_contents`` extents, and GDAL's own view (``ogrinfo`` and
GDAL's ``validate_gpkg.py`` from Debian's python3-gdal, when installed).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import shapely
from _mini_inventory import CX, CY
from conftest import REPO
from pyproj import Transformer

_TO_LL = Transformer.from_crs("EPSG:4550", "EPSG:4490", always_xy=True)
STOP_HEADER = "名称,经度,纬度,街道,责任单位,状态,线路,候车亭"


def stops_csv(path: Path, prefix: str, n: int, *, y_offset: float = 0.0) -> Path:
    """``n`` bus stops named ``prefix0..`` along the mini inventory's middle east-west road."""
    lines = [STOP_HEADER]
    for i in range(n):
        x = CX - 390 + 780 * i / max(1, n - 1)
        lon, lat = _TO_LL.transform(x, CY + y_offset)
        lines.append(f"{prefix}{i},{lon:.8f},{lat:.8f},兴华街道,交通局,在用,1,否")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

DEBIAN_PYTHON = "/usr/bin/python3"


def _bounds(blob: bytes) -> tuple[float, float, float, float] | None:
    if blob is None or blob[3] & 0x10:
        return None
    kind = (blob[3] >> 1) & 7
    size = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[kind]
    g = shapely.from_wkb(blob[8 + size:])
    if g is None or g.is_empty:
        return None
    return g.bounds


def layer_rows(path: Path, table: str) -> list[tuple]:
    """Every row of a table, ordered by fid (for old-or-new comparisons)."""
    con = sqlite3.connect(path)
    try:
        return con.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
    finally:
        con.close()


def assert_valid_gpkg(path: Path, *, gdal: bool = True) -> None:
    """Fail unless ``path`` is a consistent GeoPackage (see the module docstring)."""
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = con.execute("SELECT c.table_name, g.column_name, c.min_x, c.min_y, c.max_x, "
                             "c.max_y FROM gpkg_contents c JOIN gpkg_geometry_columns g ON "
                             "lower(g.table_name) = lower(c.table_name) WHERE "
                             "c.data_type = 'features'").fetchall()
        for table, geom, x0, y0, x1, y1 in tables:
            rows = con.execute(f'SELECT fid, "{geom}" FROM "{table}"').fetchall()
            bounds = {fid: _bounds(b) for fid, b in rows}
            present = {f: b for f, b in bounds.items() if b is not None}
            count = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE "
                                "lower(table_name) = lower(?)", (table,)).fetchone()
            if count is not None and count[0] is not None:
                assert count[0] == len(rows), \
                    f"{table}: gpkg_ogr_contents {count[0]} != {len(rows)}"
            rtree = f"rtree_{table}_{geom}"
            if con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (rtree,)).fetchone():
                entries = {r[0]: r[1:] for r in con.execute(
                    f'SELECT id, minx, maxx, miny, maxy FROM "{rtree}"')}
                assert set(entries) == set(present), f"{table}: R-tree ids differ from features"
                for fid, (gx0, gy0, gx1, gy1) in present.items():
                    rx0, rx1, ry0, ry1 = entries[fid]
                    tol = 1e-6 * max(1.0, abs(gx0), abs(gy0)) + 0.1
                    assert rx0 <= gx0 + tol and rx1 >= gx1 - tol and ry0 <= gy0 + tol and \
                        ry1 >= gy1 - tol, f"{table} fid {fid}: R-tree bounds do not hold it"
            if present:
                ex = (min(b[0] for b in present.values()), min(b[1] for b in present.values()),
                      max(b[2] for b in present.values()), max(b[3] for b in present.values()))
                assert None not in (x0, y0, x1, y1), f"{table}: no extent in gpkg_contents"
                assert x0 <= ex[0] + 1e-6 and y0 <= ex[1] + 1e-6 and x1 >= ex[2] - 1e-6 \
                    and y1 >= ex[3] - 1e-6, f"{table}: gpkg_contents extent does not hold the data"
    finally:
        con.close()
    if gdal and shutil.which("ogrinfo"):
        r = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 0 and "ERROR" not in r.stderr, r.stderr
    if gdal and has_debian_gdal():
        r = subprocess.run([DEBIAN_PYTHON, "-m", "osgeo_utils.samples.validate_gpkg", str(path)],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr


def has_debian_gdal() -> bool:
    if not Path(DEBIAN_PYTHON).exists():
        return False
    r = subprocess.run([DEBIAN_PYTHON, "-c", "import osgeo.ogr, osgeo_utils.samples.validate_gpkg"],
                       capture_output=True, timeout=60)
    return r.returncode == 0


def leftovers(folder: Path, keep: set[str]) -> set[str]:
    """Files in ``folder`` other than ``keep`` after SQLite has had the chance to recover.

    Every GeoPackage is opened and read once (SQLite rolls a hot journal back then). A rolled
    back journal SQLite leaves behind, inert (its header zeroed: SQLite ignores it and removes
    it at the next write), is not counted; anything else is (a temporary file of ours, a journal
    still hot).
    """
    for p in folder.glob("*.gpkg"):
        con = sqlite3.connect(p)
        con.execute("SELECT count(*) FROM sqlite_master").fetchall()
        con.close()
    extra = set()
    for p in folder.iterdir():
        if p.name in keep:
            continue
        if p.name.endswith("-journal") and p.read_bytes()[:8] == b"\0" * 8:
            continue
        extra.add(p.name)
    return extra


def zlt(*args: str, env: dict | None = None, cwd: Path | None = None,
        user: int | None = None) -> subprocess.Popen:
    """Start ``python -m zlt_assets ARGS`` as its own process (not waited for)."""
    full = dict(os.environ, PYTHONIOENCODING="utf-8", ZLT_PROGRESS="none")
    full.pop("ZLT_DEBUG", None)
    if env:
        full.update(env)
    kwargs: dict = {}
    if user is not None:
        kwargs["user"] = user
        full["HOME"] = "/tmp"
    return subprocess.Popen([sys.executable, "-m", "zlt_assets", *args], cwd=cwd or REPO,
                            env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)


def wait_for(path: Path, proc: subprocess.Popen | None = None, timeout: float = 120) -> None:
    """Wait until ``path`` exists (a process signals a stage by creating it)."""
    t0 = time.monotonic()
    while not path.exists():
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"the process ended before {path.name}: {out}{err}")
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"{path.name} did not appear in {timeout} s")
        time.sleep(0.05)



class Editor:
    """Another program (GDAL in Debian's python, as in QGIS) with the GeoPackage open."""

    def __init__(self, path: Path, layer: str = "bus_stops") -> None:
        script = Path(__file__).with_name("_gdal_editor.py")
        self.proc = subprocess.Popen([DEBIAN_PYTHON, str(script), str(path), layer],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, encoding="utf-8")

    def __call__(self, command: str) -> str:
        """Send one command; the answer after ``ok`` (AssertionError on ``error``)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        assert answer.startswith("ok"), \
            f"{command}: {answer or (self.proc.stderr.read() if self.proc.stderr else '')}"
        return answer[2:].strip()

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(Exception):
                self("quit")
            self.proc.wait(timeout=30)


def other_programs(cls):
    """A fixture body: ``make(path)`` starts a ``cls(path)`` program; all are closed after."""
    started = []

    def make(path: Path):
        program = cls(path)
        started.append(program)
        return program

    yield make
    for program in started:
        program.close()
