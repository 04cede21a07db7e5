"""Packaging: the two dependency lists agree, the command is installed, set-up files are sane."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import tomllib
import yaml

REPO = Path(__file__).resolve().parents[1]

# conda-forge names differ from PyPI names for a few packages
CONDA_NAME = {"psycopg[binary]": "psycopg"}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ ]", spec.strip(), maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject_runtime_dependencies():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    pip_deps = {_name(CONDA_NAME.get(_name(d), d)) for d in pyproject["project"]["dependencies"]}
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    conda = set()
    for d in env["dependencies"]:
        if isinstance(d, str) and _name(d) not in ("python", "pip"):
            conda.add(_name(d))
        elif isinstance(d, dict):
            assert d.get("pip") == ["-e ."], "environment.yml installs the project itself with pip -e ."
    assert "conda-forge" in env["channels"]
    assert conda == pip_deps, f"only in environment.yml: {conda - pip_deps}; only in pyproject: {pip_deps - conda}"
    for core in ("geopandas", "shapely", "fiona", "pyogrio", "pyproj", "rasterio", "folium"):
        assert core in pip_deps


def test_shapely_2_required():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(d.replace(" ", "") == "shapely>=2.0" for d in pyproject["project"]["dependencies"])


def test_command_and_module_entry_points():
    r = subprocess.run([sys.executable, "-m", "zlt_assets", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "validate" in r.stdout
    exe = Path(sys.executable).with_name("zlt-assets")
    if exe.exists():
        r = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
        assert r.returncode == 0 and "zlt-assets" in r.stdout


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_cmd = "bash scripts/setup.sh && .venv/bin/python -m pytest"
    assert test_cmd in readme
    assert ci.strip().splitlines()[-1].strip() == test_cmd


def test_core_imports_no_face():
    """The core knows no face: importing it loads neither QGIS, folium, matplotlib nor the CLI."""
    code = (
        "import sys\n"
        "import zlt_assets.schema, zlt_assets.plan, zlt_assets.inventory, zlt_assets.validate\n"
        "import zlt_assets.summary, zlt_assets.crs, zlt_assets.standards\n"
        "import importlib, pkgutil, zlt_assets.analysis as A\n"
        "for m in pkgutil.iter_modules(A.__path__): importlib.import_module('zlt_assets.analysis.' + m.name)\n"
        "import zlt_assets.importing, zlt_assets.db, zlt_assets.batch, zlt_assets.styles\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('qgis', 'folium', 'matplotlib', 'branca')"
        " or m in ('zlt_assets.cli',)]\n"
        "print(','.join(sorted(bad)))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"core imported faces: {r.stdout.strip()}"


def test_every_command_is_documented():
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "gen_command_docs.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
