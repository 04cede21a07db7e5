"""The command line as a program: lazy imports, global options, the engine protocol (contract 1).

Every check that matters to a user runs ``zlt-assets`` as a real child process.
"""
from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from zlt_assets import _console, progress
from zlt_assets.cli import ENVIRONMENT, PROTOCOL, build_parser

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pandas", "geopandas", "shapely", "pyogrio", "rasterio", "scipy", "folium",
         "matplotlib", "pyproj", "fiona", "psycopg", "openpyxl", "tqdm")

# Runs the CLI like the console script does, then lists the heavy packages that got imported.
_PROBE = f"""
import sys
sys.argv = ["zlt-assets", *sys.argv[1:]]
from zlt_assets.cli import main
try:
    code = main()
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in sys.modules if m in {HEAVY!r})
sys.stderr.write("HEAVY=" + ",".join(heavy) + "\\n")
sys.exit(code)
"""


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    env.pop("ZLT_PROGRESS", None)
    env.update(extra)
    return env


def _zlt(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess:
    # from a neutral folder, as a user runs it: the installed package, never a source tree's
    return subprocess.run([sys.executable, "-m", "zlt_assets", *args], capture_output=True,
                          text=True, encoding="utf-8", env=env or _env(),
                          cwd=cwd or tempfile.gettempdir(), timeout=timeout)


def _events(stderr: str) -> list[dict]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    out = []
    for line in lines:
        obj = json.loads(line)  # every line is one JSON object: nothing else on stderr
        assert isinstance(obj, dict) and obj.get("event") in ("progress", "log", "error", "done")
        out.append(obj)
    return out


def _command_names() -> list[str]:
    sub = build_parser()._subparsers._group_actions[0]  # type: ignore[union-attr]
    return list(sub.choices)


# ------------------------------------------------------------------ lazy imports (issue 13.5)


@pytest.mark.parametrize("argv", [
    ["--help"], ["--version"], ["coverage", "--help"], ["db", "init", "--help"],
    ["coverage", "--radius", "not-a-number"], ["no-such-command"], ["import"],
    ["--progress", "json", "toilet-gaps", "--propose", "many"],
], ids=lambda a: " ".join(a))
def test_help_and_argument_errors_import_no_scientific_package(argv):
    r = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True,
                       encoding="utf-8", env=_env(), timeout=120)
    heavy = re.search(r"HEAVY=(.*)", r.stderr)
    assert heavy is not None, r.stderr
    assert heavy.group(1) == "", f"{argv} imported {heavy.group(1)}"
    assert r.returncode in (0, 2)


def test_every_command_help_is_light():
    """Each command's --help, in one process per command, loads none of the stack."""
    for name in _command_names():
        r = subprocess.run([sys.executable, "-c", _PROBE, name, "--help"], capture_output=True,
                           text=True, encoding="utf-8", env=_env(), timeout=120)
        assert r.returncode == 0, r.stderr
        assert "HEAVY=\n" in r.stderr, f"{name} --help: {r.stderr[-300:]}"


# ------------------------------------------------------------------ global options


@pytest.mark.parametrize("argv", [
    ["-q", "--progress", "plain", "validate"],
    ["validate", "-q", "--progress", "plain"],
    ["--progress", "bar", "validate", "-q", "--progress", "plain"],
])
def test_global_options_before_or_after_the_command(argv):
    args = build_parser().parse_args(argv)
    assert args.quiet is True and args.progress == "plain"


def test_global_options_on_every_command_and_action():
    parser = build_parser()
    sub = parser._subparsers._group_actions[0]  # type: ignore[union-attr]
    for name, p in sub.choices.items():
        for opt in ("-q", "--quiet", "-v", "--verbose", "--progress"):
            assert opt in p._option_string_actions, f"{name} lacks {opt}"
    args = parser.parse_args(["db", "audit", "-v", "-v", "--progress", "none"])
    assert args.verbose == 2 and args.progress == "none"
    args = parser.parse_args(["-vv", "db", "audit"])
    assert args.verbose == 2


def test_version_and_info_json(tmp_path):
    from zlt_assets import __version__

    r = _zlt("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"zlt-assets {__version__}"
    r = _zlt("info", "--json", "-", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["version"] == __version__ and info["protocol"] == PROTOCOL == 1
    assert info["python"] == ".".join(map(str, sys.version_info[:3]))
    assert Path(info["executable"]).exists()
    assert set(info["components"]) >= {"postgis", "png", "pdf"}
    assert all(isinstance(v, bool) for v in info["components"].values())
    # what is installed here is reported as working, what is not as missing
    from importlib.util import find_spec

    assert info["components"]["postgis"] == (find_spec("psycopg") is not None)
    assert info["components"]["png"] == (find_spec("matplotlib") is not None)
    if not info["components"]["postgis"]:
        assert "zlt-assets[postgis]" in info["component_details"]["postgis"]
    assert not (tmp_path / "-").exists()


def test_quiet_and_verbose(tmp_path):
    out = tmp_path / "s.json"
    quiet = _zlt("-q", "--progress", "plain", "map", "--out", str(tmp_path / "m.html"))
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr.strip() == "", quiet.stderr
    r = _zlt("summary", "--json", str(out), "-v")
    assert r.returncode == 0 and json.loads(out.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ results on stdout


def test_json_dash_writes_stdout_and_summary_goes_to_stderr(tmp_path):
    r = _zlt("coverage", "--cell", "100", "--json", "-", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)  # stdout is the JSON and nothing else
    assert summary["method"] == "euclidean" and 0 < summary["area_share"] <= 1
    assert "面积覆盖率 / area share" in r.stderr
    assert not (tmp_path / "-").exists()


def test_import_json_dash_and_deprecated_report(tmp_path):
    csv = tmp_path / "stops.csv"
    csv.write_text("名称,经度,纬度\n测试站,122.74,48.01\n", encoding="utf-8")
    new = _zlt("import", "bus_stops", str(csv), "--from-crs", "wgs84", "--dry-run", "--trust-crs",
               "--json", "-", cwd=tmp_path)
    report = json.loads(new.stdout)
    assert report["layer"] == "bus_stops"
    old_file = tmp_path / "r.json"
    old = _zlt("import", "bus_stops", str(csv), "--from-crs", "wgs84", "--dry-run", "--trust-crs",
               "--report", str(old_file), cwd=tmp_path)
    assert old.returncode == new.returncode, old.stderr
    assert json.loads(old_file.read_text(encoding="utf-8"))["layer"] == "bus_stops"
    assert "--report is deprecated, use --json" in old.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_json_refuses_to_replace_a_special_file(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    for target in (fifo, link):
        r = _zlt("info", "--json", str(target))
        assert r.returncode == 2, r.stderr
        assert "not a regular file" in r.stderr
    assert fifo.is_fifo() and link.is_symlink()


# ------------------------------------------------------------------ the engine protocol


def test_json_progress_stream_of_a_successful_run(tmp_path):
    r = _zlt("--progress", "json", "toilet-gaps", "--cell", "100", "--json",
             str(tmp_path / "t.json"), "--out", str(tmp_path / "t.gpkg"))
    assert r.returncode == 0, r.stderr
    ev = _events(r.stderr)
    assert ev[-1] == {"event": "done", "exit_code": 0}
    prog = [e for e in ev if e["event"] == "progress"]
    assert len(prog) >= 3
    pcts = [e["percent"] for e in prog if e["percent"] is not None]
    assert pcts == sorted(pcts) and pcts[-1] >= 90 and all(0 <= p <= 100 for p in pcts)
    assert all(isinstance(e["step"], str) and e["step"] for e in prog)
    # the human summary a command prints stays on stdout
    assert "公厕缺口 / Toilet gaps" in r.stdout


def test_json_error_event_carries_option_and_chinese(tmp_path):
    r = _zlt("--progress", "json", "map", "--analysis", "coverage,bogus",
             "--out", str(tmp_path / "m.html"))
    assert r.returncode == 2
    ev = _events(r.stderr)
    assert ev[-1]["event"] == "error" and ev[-1]["exit_code"] == 2
    assert ev[-1]["option"] == "analysis"
    assert "bogus" in ev[-1]["message"] and "--analysis" in ev[-1]["message"]
    assert ev[-1]["message_zh"] and "未知" in ev[-1]["message_zh"]
    assert not any(e["event"] == "done" for e in ev)
    # an argument error, in the mode named by the environment
    r = _zlt("coverage", "--radius", "x", env=_env(ZLT_PROGRESS="json"))
    assert r.returncode == 2 and r.stdout == ""
    (last,) = _events(r.stderr)
    assert last["event"] == "error" and last["option"] == "radius" and last["exit_code"] == 2


def test_json_exit_1_ends_with_an_error_event(tmp_path, sample_copy):
    import sqlite3

    con = sqlite3.connect(sample_copy)
    # GDAL's R-tree triggers call these; the geometry is not changed here
    con.create_function("ST_IsEmpty", 1, lambda _g: 0)
    for fn in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        con.create_function(fn, 1, lambda _g: 0.0)
    with con:
        con.execute("UPDATE bus_stops SET status = 'nonsense' WHERE rowid = 1")
    con.close()
    r = _zlt("--progress", "json", "validate", "--data", str(sample_copy))
    assert r.returncode == 1, r.stderr
    ev = _events(r.stderr)
    assert ev[-1]["event"] == "error" and ev[-1]["exit_code"] == 1


_NOISY = """
import os, sys, warnings
import zlt_assets.commands.info as info
real = info.run
def noisy(args):
    os.write(2, b"ERROR 1: a C library writes to descriptor 2\\n")
    print("a stray print to stderr", file=sys.stderr)
    warnings.warn("a library warning")
    return real(args)
info.run = noisy
from zlt_assets.cli import main
sys.exit(main(["--progress", "json", "info", "--json", "-"]))
"""


def test_json_mode_turns_anything_on_stderr_into_log_events():
    r = subprocess.run([sys.executable, "-c", _NOISY], capture_output=True, text=True,
                       encoding="utf-8", env=_env(), timeout=120)
    assert r.returncode == 0, r.stderr
    ev = _events(r.stderr)
    logs = {e["message"]: e["level"] for e in ev if e["event"] == "log"}
    assert logs.get("ERROR 1: a C library writes to descriptor 2") == "error"
    assert logs.get("a stray print to stderr") == "info"
    assert any("a library warning" in m and lv == "warning" for m, lv in logs.items())
    assert ev[-1] == {"event": "done", "exit_code": 0}
    assert json.loads(r.stdout)["protocol"] == 1


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
def test_sigterm_mid_run_exits_130_and_leaves_nothing(tmp_path):
    out = tmp_path / "gaps.gpkg"
    proc = subprocess.Popen(
        [sys.executable, "-m", "zlt_assets", "--progress", "json", "toilet-gaps",
         "--method", "network", "--propose", "5", "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        env=_env(), cwd=tmp_path)
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(json.loads(line))
        if seen[-1]["event"] == "progress" and (seen[-1]["percent"] or 0) >= 10:
            break  # inside the analysis
    proc.send_signal(signal.SIGTERM)
    rest = proc.stderr.read()
    code = proc.wait(timeout=60)
    ev = seen + _events(rest)
    assert code == 130, ev
    assert ev[-1]["event"] == "error" and ev[-1]["exit_code"] == 130
    assert list(tmp_path.iterdir()) == []


def test_pack_reports_one_progress_over_all_steps(tmp_path):
    r = _zlt("--progress", "json", "pack", "--out", str(tmp_path / "out"), cwd=tmp_path,
             timeout=900)
    ev = _events(r.stderr)
    assert r.returncode == 0, [e for e in ev if e["event"] != "progress"][-5:]
    assert ev[-1] == {"event": "done", "exit_code": 0}
    pcts = [e["percent"] for e in ev if e["event"] == "progress" and e["percent"] is not None]
    assert pcts == sorted(pcts) and pcts[0] < 5 and pcts[-1] >= 85
    steps = {e["step"] for e in ev if e["event"] == "progress"}
    assert {"validate", "scorecard", "map"} <= steps
    assert (tmp_path / "out" / "README.md").exists()
    assert [e for e in ev if e["event"] == "error"] == []


# ------------------------------------------------------------------ progress rendering


def test_auto_is_a_bar_on_a_terminal_and_plain_lines_elsewhere():
    import pty

    assert _console.resolve_mode("auto", io.StringIO()) == "plain"
    master, slave = pty.openpty()
    try:
        with open(slave, "w", closefd=False) as tty:
            assert _console.resolve_mode("auto", tty) == "bar"
            assert _console.resolve_mode("auto", tty, quiet=True) == "none"
    finally:
        os.close(master)
        os.close(slave)
    assert _console.resolve_mode("json", io.StringIO(), quiet=True) == "json"


def test_plain_lines_show_lasting_steps_once_without_redraws(monkeypatch):
    monkeypatch.setattr(_console.PlainSink, "delay", 0.05)
    buf = io.StringIO()
    sink = _console.PlainSink(buf)
    sink.progress(0.0, "quick step")  # replaced before it lasted: never shown
    sink.progress(10.0, "long step")
    time.sleep(0.6)
    for i in range(50):
        sink.progress(10.0 + i, "long step")
    sink.close()
    lines = buf.getvalue().splitlines()
    assert lines == ["… [ 10%] long step"], lines
    assert "\r" not in buf.getvalue()


def test_env_progress_default(monkeypatch):
    monkeypatch.setenv("ZLT_PROGRESS", "json")
    assert _console.env_mode() == "json"
    monkeypatch.setenv("ZLT_PROGRESS", "sparkles")
    assert _console.env_mode() == "auto"


def test_progress_spans_and_old_callbacks():
    seen: list = []
    root = progress.Progress(lambda pct, step: seen.append((pct, step)))
    a, b = root.split([1, 3])
    a("first", 1.0)
    b("second")  # no fraction: the start of its span
    b.span(0.5, 1.0)("second, late", 0.5)
    assert seen == [(25.0, "first"), (25.0, "second"), (81.2, "second, late")]
    msgs: list = []
    say = progress.adapt(msgs.append)  # an old one-argument callback
    say("hello", 0.5)
    assert msgs == ["hello"]
    pairs: list = []
    progress.adapt(lambda m, f: pairs.append((m, f)))("x", 0.25)
    assert pairs == [("x", 0.25)]
    with progress.using(root):
        assert progress.adapt(None) is root
        progress.report("via current", 1.0)
    assert seen[-1] == (100.0, "via current")
    assert progress.adapt(None) is not root
    got = list(progress.iterate(range(10), "loop", reporter=root.span(0, 0.5)))
    assert got == list(range(10)) and seen[-1] == (50.0, "loop")


def test_import_help_names_the_importers_crs_choices():
    from zlt_assets.commands import import_
    from zlt_assets.importing import FROM_CRS_CHOICES

    assert import_.FROM_CRS_CHOICES == FROM_CRS_CHOICES


# ------------------------------------------------------------------ documentation


def test_every_environment_variable_is_documented():
    names: set[str] = set()
    for folder in ("zlt_assets", "qgis_plugin", "scripts", "tests", "tools", "notebooks"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix in (".py", ".ipynb", ".sh", ".md") and path.is_file():
                names |= set(re.findall(r"\bZLT_[A-Z_]+[A-Z]\b",
                                        path.read_text(encoding="utf-8", errors="replace")))
    names |= set(re.findall(r"\bZLT_[A-Z_]+[A-Z]\b",
                            (REPO / "scripts" / "setup.sh").read_text(encoding="utf-8")))
    missing = names - set(ENVIRONMENT)
    assert not missing, f"undocumented environment variables: {sorted(missing)}"
    doc = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    for name in ENVIRONMENT:
        assert f"`{name}`" in doc


def test_shell_completion_scripts():
    for shell, marker in (("bash", "complete"), ("zsh", "#compdef")):
        r = _zlt("completion", shell)
        assert r.returncode == 0, r.stderr
        assert marker in r.stdout and "toilet-gaps" in r.stdout and "--progress" in r.stdout
    bash = _zlt("completion", "bash").stdout
    r = subprocess.run(["bash", "-n"], input=bash, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
