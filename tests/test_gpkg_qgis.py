"""Real QGIS beside an import: QGIS 3.40 (PyQGIS in Debian's python3, its own process) has the
GeoPackage open, edits and saves a layer before the import, keeps an edit session open across
it, and saves again after: every edit and every imported row is there, QGIS reports no error
(no "attempt to write a readonly database"), the file is valid."""
from __future__ import annotations

import contextlib
import sqlite3
import subprocess
from pathlib import Path

import pytest
from _gpkg_checks import DEBIAN_PYTHON, assert_valid_gpkg, other_programs, stops_csv, zlt
from _mini_inventory import CX, CY, write_mini
from conftest import require_component

from zlt_assets.inventory import Inventory


def _have_pyqgis() -> bool:
    if not Path(DEBIAN_PYTHON).exists():
        return False
    r = subprocess.run([DEBIAN_PYTHON, "-c", "import qgis.core"], capture_output=True, timeout=120,
                       env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    return r.returncode == 0


class Qgis:
    def __init__(self, path: Path) -> None:
        script = Path(__file__).with_name("_qgis_editor.py")
        env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(path.parent),
               "QGIS_CUSTOM_CONFIG_PATH": str(path.parent / "qgis-profile")}
        self.proc = subprocess.Popen([DEBIAN_PYTHON, str(script), str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     encoding="utf-8", env=env)
        self.first = self._answer("start-up")

    def _answer(self, what: str) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        while line and not line.startswith(("ok", "error")):  # QGIS's own chatter
            line = self.proc.stdout.readline().strip()
        err = self.proc.stderr.read()[-2000:] if self.proc.stderr and not line else ""
        assert line.startswith("ok"), f"QGIS {what}: {line or err}"
        return line[2:].strip()

    def __call__(self, command: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._answer(command)

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(AssertionError):
                self("quit")
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def qgis():
    require_component("QGIS (PyQGIS in Debian's python3)", _have_pyqgis(),
                      "apt-get install -t bookworm-backports python3-qgis qgis")
    yield from other_programs(Qgis)


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_qgis_edits_before_during_and_after_an_import(tmp_path, qgis, journal):
    inv = write_mini(tmp_path / "inv.gpkg")
    con = sqlite3.connect(inv)
    con.execute(f"PRAGMA journal_mode={journal}")
    con.close()
    q = qgis(inv)
    assert q.first == "3"
    # QGIS edits and saves before the import
    q("start")
    q(f"add QGIS之前 {CX + 10} {CY + 2}")
    q("commit")
    # QGIS starts another edit session and keeps it open while the import runs
    q("start")
    q(f"add QGIS期间 {CX + 20} {CY + 3}")
    q("rename 1 QGIS改名")
    p = zlt("import", "bus_stops", str(stops_csv(tmp_path / "a.csv", "导入站", 100)), "--data",
            str(inv), "--from-crs", "wgs84")
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, out + err
    # QGIS saves its session after the import: no error, nothing lost on either side
    q("commit")
    q("start")
    q(f"add QGIS之后 {CX + 30} {CY + 4}")
    q("commit")
    names = Inventory.open(inv).read("bus_stops")["name"].tolist()
    assert {"QGIS之前", "QGIS期间", "QGIS之后", "QGIS改名"} <= set(names)
    assert sum(n.startswith("导入站") for n in names) == 100
    assert len(names) == 3 + 3 + 100
    q("reload")
    assert set(q("names").split("|")) == set(names)
    assert_valid_gpkg(inv)
