"""The real QGIS for the tests: the plugin zip installed into a fresh profile, qgis_process.

The project's venv has no PyQGIS (and must not: the geo wheels crash inside QGIS's process). The
tests therefore drive QGIS as users do, from outside: ``qgis_process.bin`` (Debian's
``qgis_process`` wrapper is broken) and the desktop under Xvfb, each with the plugin unpacked from
the built zip into a fresh profile (``QGIS_CUSTOM_CONFIG_PATH``) and the project's engine
(``.venv/bin/zlt-assets``) named by ``ZLT_ASSETS_ENGINE``. Scripts that need PyQGIS run in the
system Python QGIS is built for (``ZLT_QGIS_PYTHON``, default ``python3`` on the system PATH).

:func:`guard_env` puts a ``sitecustomize`` on QGIS's Python path that refuses to import the
engine's stack (geopandas, shapely, pyogrio, rasterio, fiona, pyproj, zlt_assets) and records every
attempt: a test then asserts QGIS's process never tried.
"""
from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLUGIN_NAME = "zlt_assets_qgis"
ENGINE = Path(sys.executable).with_name("zlt-assets")
FORBIDDEN = ("geopandas", "shapely", "pyogrio", "rasterio", "fiona", "pyproj", "zlt_assets")


def qgis_process() -> str | None:
    """The real ``qgis_process`` binary."""
    return shutil.which("qgis_process.bin") or shutil.which("qgis_process-qgis") \
        or shutil.which("qgis_process")


def qgis_python() -> str | None:
    """The system Python that has PyQGIS."""
    exe = os.environ.get("ZLT_QGIS_PYTHON") or shutil.which("python3", path=os.defpath)
    if not exe:
        return None
    try:
        ok = subprocess.run([exe, "-c", "import qgis.core"], capture_output=True, timeout=120,
                            env=clean_env()).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return None
    return exe if ok else None


HOW = ("QGIS 3.40 is needed: scripts/setup.sh installs it from Debian's bookworm-backports "
       "(qgis, python3-qgis, qgis-providers; qgis_process.bin)")


def need_qgis() -> None:
    """Fail under CI=true, skip elsewhere, when QGIS (qgis_process and PyQGIS) is missing."""
    from conftest import require_component

    require_component("QGIS", bool(qgis_process() and qgis_python()), HOW)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the venv's Python settings (QGIS runs its own Python)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "ZLT_ASSETS_ENGINE",
                        "ZLT_DATA", "ZLT_PROGRESS")}
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and Path(p) != Path(venv_bin))
    env["QT_QPA_PLATFORM"] = extra.pop("QT_QPA_PLATFORM", "offscreen")
    env["LANG"] = env.get("LANG") or "C.UTF-8"
    env.update(extra)
    return env


def build_zip(dest: Path) -> Path:
    """Build the plugin zip with the project's builder (as a release is built)."""
    out = dest / f"{PLUGIN_NAME}.zip"
    proc = subprocess.run([sys.executable, str(REPO / "qgis_plugin" / "build_zip.py"),
                           "--out", str(out)], capture_output=True, text=True, cwd=str(dest),
                          timeout=600)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return out


def make_profile(root: Path, plugin_zip: Path, *, settings: dict[str, str] | None = None,
                 locale: str | None = None) -> Path:
    """A fresh QGIS settings folder with the plugin unpacked from the zip and enabled.

    ``settings`` are provider settings (``ZLTASSETS_ENGINE``…); returns the folder to give as
    ``QGIS_CUSTOM_CONFIG_PATH`` (the profile is ``profiles/default`` in it).
    """
    profile = root / "profiles" / "default"
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(plugin_zip) as zf:
        zf.extractall(plugins)
    ini = configparser.ConfigParser(interpolation=None)
    ini.optionxform = str  # keys are case-sensitive
    ini["PythonPlugins"] = {PLUGIN_NAME: "true"}
    if settings:
        ini["Processing"] = {f"Configuration\\{k}": v for k, v in settings.items()}
    if locale:
        ini["locale"] = {"overrideFlag": "true", "userLocale": locale}
    (profile / "QGIS").mkdir()
    with open(profile / "QGIS" / "QGIS3.ini", "w", encoding="utf-8") as fh:
        ini.write(fh, space_around_delimiters=False)
    return root


GUARD = r'''
import os, sys
_LOG = os.environ["ZLT_TEST_GUARD_LOG"]
_FORBIDDEN = set(os.environ["ZLT_TEST_GUARD_MODULES"].split(","))
with open(_LOG, "a", encoding="utf-8") as _fh:
    _fh.write("guard-active %d\n" % os.getpid())


class _Guard:
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in _FORBIDDEN:
            frame = sys._getframe(1)
            while frame is not None and (frame.f_globals.get("__name__", "").startswith(
                    ("importlib", "_frozen_importlib")) or frame.f_code.co_filename == __file__):
                frame = frame.f_back
            by = frame.f_globals.get("__name__", "?") if frame is not None else "?"
            with open(_LOG, "a", encoding="utf-8") as fh:
                fh.write("import %s by %s\n" % (name, by))
            raise ModuleNotFoundError("No module named %r (test guard: not in QGIS's process)"
                                      % name)
        return None


sys.meta_path.insert(0, _Guard())
'''


def guard_env(folder: Path) -> tuple[dict[str, str], Path]:
    """Environment entries that install the import guard in QGIS's Python; and its log."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = folder / "guard.log"
    log.write_text("", encoding="utf-8")
    return ({"PYTHONPATH": str(folder), "ZLT_TEST_GUARD_LOG": str(log),
             "ZLT_TEST_GUARD_MODULES": ",".join(FORBIDDEN)}, log)


def guard_report(log: Path) -> tuple[bool, list[str]]:
    """(the guard ran, the forbidden imports QGIS's process attempted).

    QGIS's own optional probes (``qgis.core`` tries shapely for ``QgsGeometry.as_shapely`` and
    copes without it) are not counted: only what the plugin or anything else asked for.
    """
    lines = log.read_text(encoding="utf-8").splitlines()
    return (any(x.startswith("guard-active") for x in lines),
            [x for x in lines if x.startswith("import ")
             and not x.split(" by ")[-1].startswith("qgis.")])


def run_qgis_process(config: Path, *args: str, env: dict[str, str] | None = None,
                     timeout: float = 900) -> subprocess.CompletedProcess:
    """``qgis_process.bin ARGS`` with the profile ``config``."""
    full = clean_env(QGIS_CUSTOM_CONFIG_PATH=str(config), **(env or {}))
    return subprocess.run([qgis_process(), *args], capture_output=True, text=True,
                          env=full, timeout=timeout, stdin=subprocess.DEVNULL)


def run_algorithm(config: Path, alg: str, params: dict[str, object], *,
                  env: dict[str, str] | None = None) -> dict:
    """Run ``zltassets:ALG`` with qgis_process; its JSON answer (``results``, ``log``...)."""
    args = ["run", f"zltassets:{alg}", "--json", "--"]
    for key, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        args += [f"{key}={v}" for v in values]
    proc = run_qgis_process(config, *args, env=env)
    start = proc.stdout.find("{")
    answer = json.loads(proc.stdout[start:]) if start >= 0 else {}
    answer["_returncode"] = proc.returncode
    answer["_stderr"] = proc.stderr
    return answer
