"""``zlt-assets pack`` as users run it: whatever the console encoding, stopped with Ctrl+C, killed.

The outputs of a run appear together at the end with a README listing exactly them; an
interrupted or killed run leaves the folder as the previous run left it; files in the folder
that are not pack outputs are never touched.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from _mini_inventory import CX, CY, mini_layers, record, write_mini
from shapely.geometry import MultiPolygon, Polygon

from zlt_assets import schema
from zlt_assets.commands import pack

USER_FILE = "我的笔记.txt"


@pytest.fixture
def inv(tmp_path: Path) -> Path:
    """A small inventory every pack step can use (in-service stops and toilets, one street
    office, a population grid)."""
    import rasterio
    from rasterio.transform import from_origin

    layers = mini_layers()
    for name in ("bus_stops", "public_toilets"):
        layers[name]["status"] = "in_service"
    half = 600
    poly = MultiPolygon([Polygon([(CX - half, CY - half), (CX + half, CY - half),
                                  (CX + half, CY + half), (CX - half, CY + half)])])
    layers["street_offices"] = gpd.GeoDataFrame([record("street_offices", 1, code="150783001")],
                                                geometry=[poly], crs=schema.PROJECT_CRS)
    path = write_mini(tmp_path / "inv.gpkg", layers)
    n = 48
    with rasterio.open(tmp_path / "inv_population.tif", "w", driver="GTiff", height=n, width=n,
                       count=1, dtype="float32", crs=schema.PROJECT_CRS, nodata=-1,
                       transform=from_origin(CX - half, CY + half, 25, 25)) as ds:
        ds.write(np.full((n, n), 5, dtype="float32"), 1)
    return path


def _pack(inv: Path, out: Path, *more: str, encoding: str = "utf-8", progress: str = "none",
          wait: bool = True):
    env = dict(os.environ, PYTHONIOENCODING=encoding, ZLT_PROGRESS=progress)
    env.pop("ZLT_DEBUG", None)
    p = subprocess.Popen([sys.executable, "-m", "zlt_assets", "pack", "--data", str(inv),
                          "--out", str(out), *more], cwd=inv.parent, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if not wait:
        return p
    out_b, err_b = p.communicate(timeout=900)
    return p.returncode, out_b, err_b


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under the folder (maps/ included), by relative path; a killed run's staging
    folder is not part of what the user sees (the tests look at it separately)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*")
            if p.is_file() and not p.relative_to(folder).parts[0].startswith(pack._STAGING)}


def _readme_files(out: Path) -> set[str]:
    text = (out / "README.md").read_text(encoding="utf-8")
    files: set[str] = set()
    for row in text.splitlines():
        cells = [c.strip() for c in row.split("|")]
        if len(cells) > 5 and "." in cells[4]:
            files |= {f.strip() for f in cells[4].split(",")}
    return files


@pytest.mark.parametrize("encoding", ["cp936", "cp1252", "utf-8"])
def test_pack_works_whatever_the_output_encoding(tmp_path, inv, encoding):
    out = tmp_path / "out"
    out.mkdir()
    (out / USER_FILE).write_text("会议要点", encoding="utf-8")
    code, stdout, stderr = _pack(inv, out, encoding=encoding)
    text = stderr.decode(encoding, errors="replace")
    assert code in (0, 1), text
    assert "internal error" not in text and "Traceback" not in text
    # every step ran and the README lists exactly the files the run produced
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "失败" not in readme and "failed" not in readme, readme
    produced = {f for step in pack.STEPS for f in step.outputs}
    assert _readme_files(out) == produced
    assert {p.name for p in out.iterdir()} == produced | {"README.md", USER_FILE}
    # the printed table came through the console's encoding
    assert "Meeting pack" in stdout.decode(encoding, errors="replace")
    if encoding == "cp936":
        assert "会议材料包" in stdout.decode("cp936")


def _events(proc: subprocess.Popen, until: str) -> list[dict]:
    seen = []
    assert proc.stderr is not None
    for raw in proc.stderr:
        line = raw.decode("utf-8").strip()
        if not line:
            continue
        ev = json.loads(line)
        seen.append(ev)
        if ev.get("event") == "progress" and ev.get("step") == until:
            break
    return seen


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_the_whole_run_and_leaves_the_folder_as_it_was(tmp_path, inv, how):
    out = tmp_path / "out"
    code, _, err = _pack(inv, out)
    assert code in (0, 1), err
    (out / USER_FILE).write_text("会议要点", encoding="utf-8")
    before = _snapshot(out)
    p = _pack(inv, out, progress="json", wait=False)
    seen = _events(p, "toilet-gaps")  # steps validate..coverage ran, toilet gaps started
    p.send_signal(how)
    rest = p.stderr.read().decode("utf-8")
    code = p.wait(timeout=120)
    events = seen + [json.loads(x) for x in rest.splitlines() if x.strip()]
    assert code == 130, events[-3:]
    later = {e.get("step") for e in events[len(seen):] if e.get("event") == "progress"}
    assert not later & {"scorecard", "map"}, "steps after the interrupt still ran"
    assert events[-1]["event"] == "error" and events[-1]["exit_code"] == 130
    assert _snapshot(out) == before  # the previous pack, untouched, README included
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_a_killed_run_leaves_the_previous_pack_and_the_next_run_cleans_up(tmp_path, inv):
    out = tmp_path / "out"
    code, _, err = _pack(inv, out)
    assert code in (0, 1), err
    before = _snapshot(out)
    p = _pack(inv, out, progress="json", wait=False)
    _events(p, "scorecard")
    p.kill()
    p.wait(timeout=60)
    assert _snapshot(out) == before
    assert [x.name for x in out.iterdir() if x.name.startswith(".zlt-pack-")]  # its staging
    code, _, err = _pack(inv, out)
    assert code in (0, 1), err
    assert [x.name for x in out.iterdir() if x.name.startswith(".")] == []


def test_moving_into_place_interrupted_leaves_no_readme(tmp_path, monkeypatch):
    out = tmp_path / "out"
    stage = tmp_path / "stage"
    out.mkdir()
    stage.mkdir()
    (out / "README.md").write_text("old: every step succeeded", encoding="utf-8")
    (out / USER_FILE).write_text("mine", encoding="utf-8")
    for f in ("summary.md", "summary.json", "validation.json"):
        (stage / f).write_text("new", encoding="utf-8")
    done = [pack._Done(pack.STEPS[0], 1, 1.0, ["validation.json"]),
            pack._Done(pack.STEPS[1], 0, 1.0, ["summary.md", "summary.json"])]
    real = os.replace
    calls = []

    def flaky(a, b):
        calls.append(a)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(a, b)

    monkeypatch.setattr(pack.os, "replace", flaky)
    with pytest.raises(KeyboardInterrupt):
        pack._publish(stage, out, done, "inv.gpkg")
    assert not (out / "README.md").exists()
    assert (out / USER_FILE).read_text(encoding="utf-8") == "mine"


def test_outputs_of_an_earlier_run_that_this_run_did_not_make_go(tmp_path):
    out = tmp_path / "out"
    stage = tmp_path / "stage"
    out.mkdir()
    stage.mkdir()
    (out / "coverage_network.gpkg").write_bytes(b"stale")
    (out / USER_FILE).write_text("mine", encoding="utf-8")
    (stage / "validation.json").write_text("{}", encoding="utf-8")
    failed = pack.STEPS[3]
    assert "coverage_network.gpkg" in failed.outputs
    done = [pack._Done(pack.STEPS[0], 1, 1.0, ["validation.json"]),
            pack._Done(failed, 2, 1.0, [])]
    pack._publish(stage, out, done, None)
    assert {p.name for p in out.iterdir()} == {"validation.json", "README.md", USER_FILE}
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert re.search(r"failed \(exit 2\) \| 1\.0 \| — \|", readme)
    assert _readme_files(out) == {"validation.json"}
