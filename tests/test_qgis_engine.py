"""The plugin's engine module (standard library only) against the real engine: discovery order,
version check, progress events, plain-text lines, cancel, errors in the dialog's words."""
from __future__ import annotations

import json
import os
import stat
import sys
import time
from pathlib import Path

import pytest
from qgis_support import ENGINE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "qgis_plugin" / "zlt_assets_qgis"))
import engine  # the plugin's module, importable without QGIS

from zlt_assets import __version__


def fake_engine(folder: Path, body: str) -> Path:
    """A stand-in ``zlt-assets`` program (a Python script) for protocol edge cases."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "zlt-assets"
    path.write_text(f"#!{sys.executable}\nimport json, sys\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_discovery_order_and_explicit_choices_reported(tmp_path: Path) -> None:
    private = tmp_path / "private"
    venv = private / "env-1"
    prog = Path(engine.venv_program(str(venv)))
    prog.parent.mkdir(parents=True)
    prog.write_text("")
    (private / engine.CURRENT_FILE).write_text(json.dumps({"venv": "env-1"}))
    on_path = fake_engine(tmp_path / "bin", "")
    env = {"PATH": str(on_path.parent), engine.ENV_VAR: "/from/env"}
    got = engine.candidates("/from/setting", str(private), env)
    assert [s for s, _ in got] == ["setting", "environment", "path", "private"]
    assert got[3][1] == str(prog)
    with pytest.raises(engine.EngineError, match="/from/setting"):
        engine.find_engine("/from/setting", str(private), __version__, environ=env)


def test_the_real_engine_is_checked_and_a_mismatch_says_what_to_do() -> None:
    found = engine.find_engine(str(ENGINE), None, __version__, environ={"PATH": ""})
    assert found.version == __version__ and found.info["protocol"] == engine.PROTOCOL
    with pytest.raises(engine.EngineError, match="Install engine"):
        engine.find_engine(str(ENGINE), None, "9.9.0", environ={"PATH": ""})
    assert engine.compatible("0.2.3", "0.2.0") and not engine.compatible("0.3.0", "0.2.0")


def test_progress_events_and_plain_lines(tmp_path: Path) -> None:
    seen, logs = [], []
    run = engine.run([str(ENGINE)], ["coverage", "--json", str(tmp_path / "c.json")],
                     on_progress=lambda p, s: seen.append((p, s)),
                     on_log=lambda lv, m: logs.append((lv, m)))
    assert run.ok and (tmp_path / "c.json").exists()
    assert seen and seen[0][1] and all(p is None or 0 <= p <= 100 for p, _ in seen)
    fake = fake_engine(tmp_path / "fake", 'sys.stderr.write("plain text from an old engine\\n")\n'
                       'sys.stderr.write(json.dumps({"event": "progress", "percent": 50, '
                       '"step": "half"}) + "\\n")')
    logs.clear()
    seen.clear()
    run = engine.run([str(fake)], [], on_progress=lambda p, s: seen.append((p, s)),
                     on_log=lambda lv, m: logs.append((lv, m)))
    assert run.exit_code == 0 and logs == [("info", "plain text from an old engine")]
    assert seen == [(50.0, "half")]


def test_cancel_terminates_the_engine_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "slow.gpkg"
    start = time.monotonic()
    run = engine.run([str(ENGINE)], ["coverage", "--method", "network", "--cell", "3",
                                     "--out", str(out)],
                     is_canceled=lambda: time.monotonic() - start > 2)
    assert run.canceled and run.exit_code in (130, -15, 143)
    assert time.monotonic() - start < 30
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name != "slow.gpkg"]


def test_errors_read_in_the_dialogs_words() -> None:
    run = engine.run([str(ENGINE)], ["coverage", "--radius", "abc"])
    assert run.exit_code == 2 and run.error is not None
    text = engine.render_error(run.error, {"radius": "服务半径(米) / Radius (m)"})
    assert "--radius" not in text and "“服务半径(米) / Radius (m)”" in text
    event = {"exit_code": 2, "message": "{option} must be a date, got 'x'",
             "message_zh": "{option} 必须是日期", "option": "as_of"}
    assert engine.render_error(event, {"as_of": "评估日期"}) == \
        "“评估日期” 必须是日期 / “评估日期” must be a date, got 'x'"
    assert engine.render_error({"exit_code": 4, "message": "refused"}).startswith("为保护数据")


def test_child_environment_drops_qgis_paths() -> None:
    env = engine.child_env(environ={"PYTHONPATH": "/qgis/python", "PROJ_LIB": "/qgis/proj",
                                    "GDAL_DATA": "/qgis/gdal", "PATH": os.defpath})
    assert "PYTHONPATH" not in env and "PROJ_LIB" not in env and "GDAL_DATA" not in env
    assert env["PYTHONIOENCODING"] == "utf-8" and env["ZLT_PROGRESS"] == "json"
