"""Install the engine into the plugin's private environment (standard library only).

The environment is a virtual environment under the QGIS profile folder
(``<profile>/zlt_assets_engine/env-<time>``), made with any Python 3.10 or newer; the engine wheel
bundled in the plugin zip goes in with its dependencies, from a package index the user can set
(a mirror) or offline from a folder of wheels. The environment becomes the one in use only when
everything is installed and ``zlt-assets info`` answers: ``current.json`` is written last
(atomically); a failed or cancelled install removes its own folder and leaves the previous
environment in use. Every line pip prints goes to ``install.log`` beside it.
"""
from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import engine

MIN_PYTHON = (3, 10)
LOG_FILE = "install.log"

Progress = Callable[[float, str], None]
Log = Callable[[str], None]


class InstallError(Exception):
    """The install failed or was cancelled; nothing was left half-installed."""


@dataclass
class PythonFound:
    """A Python interpreter that can make the environment."""

    command: list[str]
    version: str


def _looks_like_python(path: str) -> bool:
    return os.path.basename(path).lower().startswith("python")


def python_candidates(preferred: str | None = None) -> list[list[str]]:
    """Interpreters to try, best first: the user's choice, QGIS's own Python (``sys.executable``
    is QGIS itself on Windows and macOS: look beside ``sys.prefix``), then PATH."""
    out: list[list[str]] = []
    if preferred and preferred.strip():
        out.append([preferred.strip()])
    if sys.executable and _looks_like_python(sys.executable):
        out.append([sys.executable])
    for prefix in dict.fromkeys((sys.base_prefix, sys.exec_prefix, sys.prefix)):
        for rel in ("python.exe", "python3.exe", os.path.join("bin", "python3"),
                    os.path.join("bin", "python")):
            cand = os.path.join(prefix, rel)
            if os.path.isfile(cand):
                out.append([cand])
    for name in ("python3", "python"):
        found = shutil.which(name)
        if found:
            out.append([found])
    if sys.platform == "win32" and shutil.which("py"):
        out.append(["py", "-3"])
    seen: set[str] = set()
    unique = []
    for cmd in out:
        key = os.path.normcase(" ".join(cmd))
        if key not in seen:
            seen.add(key)
            unique.append(cmd)
    return unique


_PROBE = ("import sys, venv, ensurepip; "
          "print('%d.%d.%d' % sys.version_info[:3])")


def find_python(preferred: str | None = None) -> PythonFound:
    """The first interpreter >= 3.10 with ``venv`` and ``ensurepip``; InstallError when none."""
    tried = []
    for cmd in python_candidates(preferred):
        try:
            proc = subprocess.run([*cmd, "-I", "-c", _PROBE], capture_output=True, timeout=60,
                                  env=engine.child_env(), stdin=subprocess.DEVNULL,
                                  creationflags=engine._NO_WINDOW, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            tried.append(f"{' '.join(cmd)}: {exc}")
            continue
        text = proc.stdout.decode("utf-8", "replace").strip()
        parts = tuple(int(p) for p in text.split(".")[:2] if p.isdigit())
        if proc.returncode == 0 and len(parts) == 2 and parts >= MIN_PYTHON:
            return PythonFound(cmd, text)
        why = text or proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or "?"
        tried.append(f"{' '.join(cmd)}: {why}")
    raise InstallError(
        "找不到可用的 Python 3.10+(需含 venv 与 ensurepip)/ no Python 3.10 or newer with venv "
        "and ensurepip was found. 请安装 Python 3.10+(Debian/Ubuntu: sudo apt install "
        "python3-venv;Windows/macOS: python.org),或在“Python”一栏填写其路径 / install one "
        "(Debian/Ubuntu: sudo apt install python3-venv; Windows/macOS: python.org) or give its "
        "path in the “Python” field. Tried: " + "; ".join(tried))


def bundled_wheel(plugin_dir: str) -> str | None:
    """The engine wheel shipped in the plugin zip (``wheels/zlt_assets-*.whl``)."""
    found = sorted(glob.glob(os.path.join(plugin_dir, "wheels", "zlt_assets-*.whl")))
    return found[-1] if found else None


def pip_arguments(wheel: str, *, index_url: str | None = None,
                  wheels_dir: str | None = None) -> list[str]:
    """The ``pip install`` arguments: offline from a folder of wheels, else from an index."""
    args = ["install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
            "--no-warn-script-location"]
    if wheels_dir:
        args += ["--no-index", "--find-links", wheels_dir]
    elif index_url:
        args += ["--index-url", index_url]
    return [*args, wheel]


class _Logger:
    def __init__(self, path: str, echo: Log | None) -> None:
        self.path = path
        self.echo = echo
        self.fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def __call__(self, line: str) -> None:
        line = line.rstrip()
        self.fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
        self.fh.flush()
        if self.echo is not None and line:
            self.echo(line)

    def close(self) -> None:
        self.fh.close()


def _stream(cmd: list[str], log: _Logger, is_canceled: Callable[[], bool] | None,
            on_line: Callable[[str], None] | None = None, cwd: str | None = None) -> int:
    log("$ " + " ".join(cmd))
    result = engine.run_plain(cmd, on_line=lambda s: (log(s), on_line and on_line(s)),
                              is_canceled=is_canceled, cwd=cwd)
    if result is None:
        raise InstallError("已取消,未安装任何内容 / cancelled: nothing was installed")
    return result


def install(private_dir: str, wheel: str, *, python: str | None = None,
            index_url: str | None = None, wheels_dir: str | None = None,
            progress: Progress | None = None, log: Log | None = None,
            is_canceled: Callable[[], bool] | None = None) -> engine.Engine:
    """Make a new private environment with the engine; return the engine, checked.

    Raises InstallError (and removes the new environment) on failure or cancellation; the
    environment used before stays in use.
    """
    say = progress or (lambda _p, _s: None)
    if not os.path.isfile(wheel):
        raise InstallError(f"找不到引擎安装包 / engine wheel not found: {wheel}")
    if wheels_dir and not os.path.isdir(wheels_dir):
        raise InstallError(f"找不到安装包文件夹 / folder of wheels not found: {wheels_dir}")
    os.makedirs(private_dir, exist_ok=True)
    logger = _Logger(os.path.join(private_dir, LOG_FILE), log)
    venv = os.path.join(private_dir, f"env-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
    try:
        logger(f"== 安装引擎 / installing the engine {os.path.basename(wheel)} into {venv}")
        say(2, "查找 Python / finding Python")
        found = find_python(python)
        logger(f"Python {found.version}: {' '.join(found.command)}")
        say(5, "创建虚拟环境 / creating the virtual environment")
        if _stream([*found.command, "-m", "venv", venv], logger, is_canceled) != 0:
            raise InstallError("无法创建虚拟环境 / could not create the virtual environment "
                               f"(see {logger.path})")
        say(15, "安装引擎及依赖 / installing the engine and its dependencies")
        state = {"n": 0}

        def on_pip(line: str) -> None:
            if line.startswith(("Collecting", "Processing", "Looking in links")):
                state["n"] += 1
                say(min(75.0, 15 + 2 * state["n"]), line.strip()[:120])
            elif line.startswith("Installing collected packages"):
                say(80, "写入软件包 / installing the packages")

        pip = [engine.venv_python(venv), "-m", "pip",
               *pip_arguments(wheel, index_url=index_url, wheels_dir=wheels_dir)]
        if _stream(pip, logger, is_canceled, on_pip) != 0:
            raise InstallError(
                "pip 安装失败(见日志)/ pip failed (see the log): "
                f"{logger.path}. 离线安装请选择含全部依赖的安装包文件夹;在线安装可设置镜像地址 / "
                "offline, choose a folder holding every dependency; online, set a mirror as the "
                "package index.")
        say(92, "检查引擎 / checking the engine")
        from .metadata import plugin_version

        eng = engine.check([engine.venv_program(venv)], "private", plugin_version())
        logger("OK: " + eng.describe())
        _write_current(private_dir, venv)
        _remove_old(private_dir, keep=venv, log=logger)
        say(100, "完成 / done")
        return eng
    except BaseException as exc:
        logger(f"失败 / failed: {exc}")
        shutil.rmtree(venv, ignore_errors=True)
        if isinstance(exc, engine.EngineError):
            raise InstallError(str(exc)) from None
        raise
    finally:
        logger.close()


def _write_current(private_dir: str, venv: str) -> None:
    path = os.path.join(private_dir, engine.CURRENT_FILE)
    tmp = path + f".{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"venv": os.path.basename(venv), "installed": time.strftime("%Y-%m-%d %H:%M:%S")},
                  fh)
    os.replace(tmp, path)


def _remove_old(private_dir: str, keep: str, log: Log) -> None:
    for path in glob.glob(os.path.join(private_dir, "env-*")):
        if os.path.normcase(path) != os.path.normcase(keep):
            log(f"删除旧环境 / removing the old environment {path}")
            with contextlib.suppress(OSError):
                shutil.rmtree(path)
