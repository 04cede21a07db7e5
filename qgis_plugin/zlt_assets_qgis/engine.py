"""The zlt-assets engine, run as a child process (standard library only).

QGIS's own process never imports the engine nor its compiled dependencies (shapely, pyogrio,
rasterio bring their own GEOS, GDAL and PROJ, which clash with QGIS's): like QGIS's GRASS and SAGA
providers, the plugin runs the ``zlt-assets`` program and reads what it says (the engine
protocol, contract 1 of the project):

* ``zlt-assets info --json -`` tells the engine's version and protocol;
* ``--progress json`` makes the engine write one JSON event per line on standard error
  (``progress``, ``log``, ``error``, ``done``); other lines are tolerated as log lines;
* cancelling terminates the child (the engine's writes are all or nothing).

Finding the engine, in this order: the provider's setting, the environment variable
``ZLT_ASSETS_ENGINE``, ``zlt-assets`` on PATH, the plugin's private environment (made by
"Install engine", see :mod:`.install`). Nothing here imports QGIS, so it is tested and used the
same way inside and outside QGIS.
"""
from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Version of the engine protocol this plugin speaks (``info --json`` reports the engine's).
PROTOCOL = 1
ENV_VAR = "ZLT_ASSETS_ENGINE"
PROGRAM = "zlt-assets"
#: Folder of the private environment inside the QGIS profile folder.
PRIVATE_DIR_NAME = "zlt_assets_engine"
#: File in the private folder naming the environment in use (written last by an install).
CURRENT_FILE = "current.json"

#: Environment variables of QGIS's process that must not reach the engine's Python: they point
#: at QGIS's own Python, GDAL and PROJ (the engine's wheels carry their own data).
DROP_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONEXECUTABLE", "PYTHONUSERBASE",
            "PROJ_LIB", "PROJ_DATA", "GDAL_DATA", "GDAL_DRIVER_PATH", "GDAL_FILENAME_IS_UTF8",
            "QGIS_PREFIX_PATH", "QT_PLUGIN_PATH", "PYTHONNOUSERSITE", "__PYVENV_LAUNCHER__",
            "VIRTUAL_ENV")

#: What each exit code means, Chinese first (shown when the engine gave no Chinese message).
EXIT_MEANING = {
    1: "发现问题 / problems found",
    2: "输入有误 / bad input",
    3: "缺少组件 / a component is missing",
    4: "为保护数据已拒绝,未写入任何内容 / refused to protect data, nothing written",
    70: "引擎内部错误(请报告)/ internal error of the engine (please report it)",
    130: "已中断,未留下写了一半的文件 / interrupted, nothing half-written remains",
}

WHAT_TO_DO = (
    "请安装引擎:菜单 插件 › 扎兰屯资产 › 安装引擎;或在 处理 › 选项 › 提供者 › 扎兰屯资产 中填写 "
    "zlt-assets 程序的路径,或设置环境变量 ZLT_ASSETS_ENGINE。/ Install the engine: menu Plugins › "
    "Zhalantun assets › Install engine; or give the path of the zlt-assets program in Processing › "
    "Options › Providers › Zhalantun assets, or set the environment variable ZLT_ASSETS_ENGINE.")

#: Windows: start console programs without a console window.
_NO_WINDOW = 0x08000000 if sys.platform == "win32" else 0


class EngineError(Exception):
    """The engine is missing, broken or of another version; the message says what to do."""


@dataclass
class Engine:
    """A working engine: how to start it and what it said about itself."""

    command: list[str]
    source: str  # "setting", "environment", "path" or "private"
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The engine's version (``info --json``)."""
        return str(self.info.get("version") or "")

    def describe(self) -> str:
        """One line: version, where it was found, the program."""
        where = {"setting": "处理选项 / provider setting", "environment": ENV_VAR,
                 "path": "PATH", "private": "插件私有环境 / the plugin's private environment"}
        return (f"zlt-assets {self.version} ({where.get(self.source, self.source)}): "
                f"{' '.join(self.command)}")


# ------------------------------------------------------------------------------ finding it
def venv_program(venv: str, name: str = PROGRAM) -> str:
    """The path of a console program inside a virtual environment."""
    if sys.platform == "win32":
        return os.path.join(venv, "Scripts", name + ".exe")
    return os.path.join(venv, "bin", name)


def venv_python(venv: str) -> str:
    """The Python interpreter of a virtual environment."""
    if sys.platform == "win32":
        return os.path.join(venv, "Scripts", "python.exe")
    return os.path.join(venv, "bin", "python")


def private_venv(private_dir: str) -> str | None:
    """The environment an install made in ``private_dir`` (None when there is none)."""
    try:
        with open(os.path.join(private_dir, CURRENT_FILE), encoding="utf-8") as fh:
            name = json.load(fh)["venv"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    venv = os.path.join(private_dir, os.path.basename(str(name)))
    return venv if os.path.isdir(venv) else None


def command_for(path: str) -> list[str] | None:
    """How to start the engine given as ``path``: the program, a Python that has zlt_assets
    (``python -m zlt_assets``), or a folder (an environment or its ``bin``/``Scripts``).
    None when nothing runnable is there."""
    path = os.path.expanduser(path.strip().strip('"'))
    if not path:
        return None
    if os.path.isdir(path):
        for cand in (venv_program(path), os.path.join(path, PROGRAM),
                     os.path.join(path, PROGRAM + ".exe")):
            if os.path.isfile(cand):
                return [cand]
        return None
    if not os.path.isfile(path):
        found = shutil.which(path)
        if not found:
            return None
        path = found
    base = os.path.basename(path).lower()
    if base.startswith("python"):
        return [path, "-m", "zlt_assets"]
    return [path]


def candidates(setting: str | None, private_dir: str | None,
               environ: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(source, path) to try, in order; explicit choices (setting, variable) come first."""
    env = os.environ if environ is None else environ
    out: list[tuple[str, str]] = []
    if setting and setting.strip():
        out.append(("setting", setting.strip()))
    if env.get(ENV_VAR, "").strip():
        out.append(("environment", env[ENV_VAR].strip()))
    on_path = shutil.which(PROGRAM, path=env.get("PATH"))
    if on_path:
        out.append(("path", on_path))
    if private_dir:
        venv = private_venv(private_dir)
        if venv:
            out.append(("private", venv_program(venv)))
    return out


def child_env(extra: dict[str, str] | None = None,
              environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the engine: QGIS's, without its Python/GDAL/PROJ paths, UTF-8."""
    env = dict(os.environ if environ is None else environ)
    for key in DROP_ENV:
        env.pop(key, None)
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONUTF8"] = "1"
    env["ZLT_PROGRESS"] = "json"
    if extra:
        env.update(extra)
    return env


def _version_tuple(text: str) -> tuple[int, ...]:
    nums = re.findall(r"\d+", text or "")
    return tuple(int(n) for n in nums[:3])


def compatible(engine_version: str, plugin_version: str) -> bool:
    """The same major and minor version (0.2.x with 0.2.y)."""
    return _version_tuple(engine_version)[:2] == _version_tuple(plugin_version)[:2]


def probe(command: Sequence[str], timeout: float = 120) -> dict[str, Any]:
    """What ``ENGINE info --json -`` says; raises EngineError when the engine does not answer."""
    try:
        proc = subprocess.run([*command, "info", "--json", "-"], capture_output=True,
                              env=child_env({"ZLT_PROGRESS": "none"}), timeout=timeout,
                              stdin=subprocess.DEVNULL, creationflags=_NO_WINDOW, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise EngineError(f"无法启动引擎 / cannot start the engine {' '.join(command)}: "
                            f"{exc}") from None
    out = proc.stdout.decode("utf-8", "replace")
    try:
        info = json.loads(out)
        if not isinstance(info, dict):
            raise ValueError(out)
    except ValueError:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        tail = err[-1] if err else f"exit code {proc.returncode}"
        raise EngineError(
            f"引擎没有回答 info --json(版本过旧或安装损坏)/ the engine did not answer "
            f"`info --json` (too old, or a broken install): {' '.join(command)}: {tail}"
        ) from None
    return info


def check(command: list[str], source: str, plugin_version: str) -> Engine:
    """Start ``command`` once and check its protocol and version against the plugin's."""
    info = probe(command)
    engine = Engine(command, source, info)
    if info.get("protocol") != PROTOCOL:
        raise EngineError(
            f"引擎协议 {info.get('protocol')} 与插件的 {PROTOCOL} 不符 / the engine speaks "
            f"protocol {info.get('protocol')}, the plugin {PROTOCOL}: {engine.describe()}. "
            + WHAT_TO_DO)
    if not compatible(engine.version, plugin_version):
        raise EngineError(
            f"引擎版本 {engine.version} 与插件版本 {plugin_version} 不匹配 / engine version "
            f"{engine.version} does not match the plugin's {plugin_version} ({engine.describe()}). "
            "请安装与插件同版本的引擎(菜单 插件 › 扎兰屯资产 › 安装引擎,或 pip install "
            f"zlt-assets=={plugin_version})/ install the engine of the plugin's version (menu "
            "Plugins › Zhalantun assets › Install engine, or pip install "
            f"zlt-assets=={plugin_version}).")
    return engine


def find_engine(setting: str | None, private_dir: str | None, plugin_version: str, *,
                environ: dict[str, str] | None = None) -> Engine:
    """The first working engine of :func:`candidates`.

    An engine named explicitly (setting, environment variable) that does not work is reported,
    not skipped; of the others (PATH, private environment) the first that works is used.
    """
    problems: list[str] = []
    for source, path in candidates(setting, private_dir, environ):
        command = command_for(path)
        if command is None:
            problem = (f"找不到引擎程序 / no engine program at {path} "
                       f"({'处理选项 / provider setting' if source == 'setting' else source})")
            if source in ("setting", "environment"):
                raise EngineError(problem + ". " + WHAT_TO_DO)
            problems.append(problem)
            continue
        try:
            return check(command, source, plugin_version)
        except EngineError as exc:
            if source in ("setting", "environment"):
                raise
            problems.append(str(exc))
    if problems:
        raise EngineError(" ".join(problems))
    raise EngineError("找不到 zlt-assets 引擎 / the zlt-assets engine was not found. "
                        + WHAT_TO_DO)


# ------------------------------------------------------------------------------ running it
def parse_line(line: str) -> dict[str, Any]:
    """One stderr line as an event; a line that is not a protocol event is a log line."""
    text = line.rstrip("\r\n")
    if text.startswith("{"):
        try:
            event = json.loads(text)
        except ValueError:
            event = None
        if isinstance(event, dict) and isinstance(event.get("event"), str):
            return event
    return {"event": "log", "level": "info", "message": text}


def flag(option: str) -> str:
    """The command-line spelling of an option's dest (``as_of`` -> ``--as-of``)."""
    return "--" + option.replace("_", "-")


def render_error(event: dict[str, Any], labels: dict[str, str] | None = None) -> str:
    """An error event as one line, Chinese first, naming dialog fields instead of CLI flags.

    ``labels`` maps an option's dest to the label of its dialog field.
    """
    labels = labels or {}
    en = " ".join(str(event.get("message") or "").split())
    zh = event.get("message_zh")
    zh = " ".join(str(zh).split()) if zh else None
    code = event.get("exit_code")

    def fill(text: str) -> str:
        option = event.get("option")
        if option and option in labels:
            text = text.replace("{option}", f"“{labels[option]}”")
        # every flag of a known option (longest first: --radius before --r)
        for dest in sorted(labels, key=len, reverse=True):
            text = re.sub(re.escape(flag(dest)) + r"(?![\w-])", f"“{labels[dest]}”", text)
        return text.replace("{option}", str(event.get("option") or ""))

    en = fill(en)
    if zh:
        zh = fill(zh)
        if zh.endswith(en):  # "参数有误:<english>" already holds the English
            return zh
        return f"{zh} / {en}"
    lead = EXIT_MEANING.get(code if isinstance(code, int) else -1, "引擎出错 / engine error")
    return f"{lead.split(' / ')[0]}:{en}" if en else lead


@dataclass
class RunResult:
    """What one engine run ended with."""

    exit_code: int
    canceled: bool = False
    error: dict[str, Any] | None = None
    stdout: str = ""
    log: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Exit code 0 and not cancelled."""
        return self.exit_code == 0 and not self.canceled


def _pump(stream, q: queue.Queue, tag: str) -> None:
    try:
        for raw in iter(stream.readline, b""):
            q.put((tag, raw.decode("utf-8", "replace")))
    finally:
        q.put((tag, None))


def run(command: Sequence[str], args: Sequence[str], *,
        on_progress: Callable[[float | None, str], None] | None = None,
        on_log: Callable[[str, str], None] | None = None,
        is_canceled: Callable[[], bool] | None = None,
        cwd: str | None = None, env: dict[str, str] | None = None,
        grace: float = 5.0, poll: float = 0.1) -> RunResult:
    """Run ``command + ["--progress", "json"] + args`` and follow its events.

    ``on_progress(percent, step)`` and ``on_log(level, message)`` are called in the calling
    thread. When ``is_canceled()`` turns true the child is terminated (SIGTERM; after ``grace``
    seconds SIGKILL; on Windows ``terminate()``) and the result says ``canceled``.
    """
    full = [*command, "--progress", "json", *args]
    proc = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, cwd=cwd,
                            env=env if env is not None else child_env(),
                            creationflags=_NO_WINDOW)
    q: queue.Queue = queue.Queue()
    threads = [threading.Thread(target=_pump, args=(proc.stderr, q, "err"), daemon=True),
               threading.Thread(target=_pump, args=(proc.stdout, q, "out"), daemon=True)]
    for t in threads:
        t.start()
    result = RunResult(exit_code=-1)
    out_parts: list[str] = []
    open_streams = 2
    terminated_at: float | None = None
    while open_streams or proc.poll() is None:
        if is_canceled is not None and is_canceled() and terminated_at is None:
            result.canceled = True
            terminated_at = time.monotonic()
            with contextlib.suppress(OSError):
                proc.terminate()
        if terminated_at is not None and proc.poll() is None \
                and time.monotonic() - terminated_at > grace:
            with contextlib.suppress(OSError):
                proc.kill()
        try:
            tag, text = q.get(timeout=poll)
        except queue.Empty:
            continue
        if text is None:
            open_streams -= 1
            continue
        if tag == "out":
            out_parts.append(text)
            continue
        event = parse_line(text)
        kind = event.get("event")
        if kind == "progress":
            if on_progress is not None:
                pct = event.get("percent")
                on_progress(float(pct) if isinstance(pct, (int, float)) else None,
                            str(event.get("step") or ""))
        elif kind == "log":
            message = str(event.get("message") or "")
            if message.strip():
                result.log.append(message)
                if on_log is not None:
                    on_log(str(event.get("level") or "info"), message)
        elif kind == "error":
            result.error = event
        # "done" needs nothing: the exit code says it
    result.exit_code = proc.wait()
    for t in threads:
        t.join(timeout=1)
    proc.stdout.close()
    proc.stderr.close()
    result.stdout = "".join(out_parts)
    return result


def run_plain(cmd: Sequence[str], *, on_line: Callable[[str], Any] | None = None,
              is_canceled: Callable[[], bool] | None = None, cwd: str | None = None,
              env: dict[str, str] | None = None, grace: float = 5.0) -> int | None:
    """Run a helper program (``venv``, ``pip``), each output line to ``on_line``; its exit code,
    or None when cancelled (the child is terminated)."""
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, cwd=cwd,
                            env=env if env is not None else child_env(),
                            creationflags=_NO_WINDOW)
    q: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_pump, args=(proc.stdout, q, "out"), daemon=True)
    reader.start()
    open_stream = True
    while open_stream or proc.poll() is None:
        if is_canceled is not None and is_canceled():
            with contextlib.suppress(OSError):
                proc.terminate()
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            reader.join(timeout=1)
            proc.stdout.close()
            return None
        try:
            _tag, text = q.get(timeout=0.1)
        except queue.Empty:
            continue
        if text is None:
            open_stream = False
        elif on_line is not None:
            on_line(text.rstrip("\r\n"))
    code = proc.wait()
    reader.join(timeout=1)
    proc.stdout.close()
    return code
