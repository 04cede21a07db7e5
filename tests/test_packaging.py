"""Packaging: one dependency list, true floors, and a wheel that runs the main job anywhere.

The slow test builds the sdist, builds the wheel from the unpacked sdist, installs it
(non-editable) into a fresh venv without system site packages, runs ``zlt-assets pack`` from
another folder and a part of the test suite from the unpacked sdist against the installed wheel.
"""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]

# conda-forge names where they differ from PyPI's
CONDA_NAME = {"matplotlib": "matplotlib-base"}
# conda-only packages: GDAL's KML (libkml) driver is a separate conda-forge plug-in
CONDA_ONLY = {"libgdal-kml"}
# import name of each runtime dependency, where it differs from the distribution name
IMPORT_NAME = {"pyyaml": "yaml"}
# used without an import statement: dependency -> the text in zlt_assets that uses it
INDIRECT = {"pyarrow": "use_arrow"}
NEVER = {"fiona", "sqlalchemy", "charset-normalizer"}  # declared in 0.1, never imported


def _name(spec: str) -> str:
    base = re.split(r"[<>=!~ ;\[]", spec.strip(), maxsplit=1)[0].lower()
    return base


def _floor(spec: str) -> str | None:
    m = re.search(r">=\s*([\w.]+)", spec)
    return m.group(1) if m else None


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _runtime() -> dict[str, str | None]:
    return {_name(d): _floor(d) for d in _pyproject()["project"]["dependencies"]}


def _postgis_extra() -> dict[str, str | None]:
    extra = _pyproject()["project"]["optional-dependencies"]["postgis"]
    return {_name(d): _floor(d) for d in extra}


def _conda(deps: dict[str, str | None]) -> dict[str, str | None]:
    return {CONDA_NAME.get(k, k): v for k, v in deps.items()}


def _conda_specs(items: list) -> dict[str, str | None]:
    out = {}
    for d in items:
        assert isinstance(d, str), f"unexpected entry {d!r} (no pip: section)"
        name = _name(d)
        out[name] = _floor(d.replace(" ", ""))
    return out


# ------------------------------------------------------------------ one dependency list


def test_runtime_dependencies_have_floors_and_no_upper_pins():
    deps = _pyproject()["project"]["dependencies"]
    for d in deps:
        assert _floor(d), f"{d}: no floor"
        assert "<" not in d.split(";")[0], f"{d}: an upper pin (numpy 2 everywhere)"
    names = set(_runtime())
    assert not names & NEVER
    assert "psycopg" not in names and set(_postgis_extra()) == {"psycopg"}
    tomli = next(d for d in deps if _name(d) == "tomli")
    assert "python_version < '3.11'" in tomli.replace('"', "'")


def test_every_runtime_dependency_is_imported():
    imported: set[str] = set()
    for path in (REPO / "zlt_assets").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    sources = "".join(p.read_text(encoding="utf-8") for p in (REPO / "zlt_assets").rglob("*.py"))
    for name in [*_runtime(), *_postgis_extra()]:
        if name in INDIRECT:
            assert INDIRECT[name] in sources, f"{name} is declared but never used"
            continue
        mod = IMPORT_NAME.get(name, name)
        assert mod in imported, f"{name} is declared but zlt_assets never imports {mod}"
    for name in NEVER:
        assert IMPORT_NAME.get(name, name).replace("-", "_") not in imported


def test_floors_constraints_file_pins_exactly_the_declared_floors():
    pins = {}
    for line in (REPO / ".ci" / "constraints-floors.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    want = {**_runtime(), **_postgis_extra()}
    assert set(pins) == set(want)
    for name, floor in want.items():
        assert floor is not None
        # "1.0" and "1.0.0" are the same floor
        assert pins[name].split(".")[:len(floor.split("."))] == floor.split("."), name
        assert re.sub(r"(\.0)+$", "", pins[name]) == re.sub(r"(\.0)+$", "", floor), name


def test_environment_yml_is_conda_forge_only_and_matches_pyproject():
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    assert not any(isinstance(d, dict) for d in env["dependencies"]), "no pip: section"
    deps = _conda_specs(env["dependencies"])
    tools = {"python", "pip", "setuptools"}
    got = {k: v for k, v in deps.items() if k not in tools | CONDA_ONLY}
    assert got == _conda({**_runtime(), **_postgis_extra()})
    assert deps["python"] == _pyproject()["project"]["requires-python"].lstrip(">=")
    assert "psycopg-binary" not in deps and "psycopg[binary]" not in deps


def _read_recipe() -> dict:
    text = (REPO / "recipe" / "meta.yaml").read_text(encoding="utf-8")
    sets = dict(re.findall(r'{%\s*set\s+(\w+)\s*=\s*"([^"]*)"', text))
    sets.update(re.findall(r'{%\s*set\s+(\w+)\s*=\s*\w+\s*\|\s*default\("([^"]*)"\)', text))
    text = re.sub(r"{%.*?%}", "", text)
    text = re.sub(r"{{\s*(\w+)(\|lower)?\s*}}", lambda m: sets.get(m.group(1), m.group(1)), text)
    return yaml.safe_load(text)


def test_recipe_dependencies_equal_pyproject():
    meta = _read_recipe()
    assert meta["package"]["version"] == _pyproject()["project"]["version"]
    assert meta["build"]["noarch"] == "python"
    assert "--no-deps" in meta["build"]["script"]
    assert meta["build"]["entry_points"] == [
        f"{k} = {v}" for k, v in _pyproject()["project"]["scripts"].items()]
    run = _conda_specs(meta["requirements"]["run"])
    assert run.pop("python") == "3.10"
    assert {k: v for k, v in run.items() if k not in CONDA_ONLY} == _conda(_runtime())
    assert _conda_specs(meta["requirements"]["run_constrained"]) == _conda(_postgis_extra())
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    assert set(_conda_specs(env["dependencies"])) >= CONDA_ONLY
    assert set(run) >= CONDA_ONLY


def test_package_list_has_every_importable_folder():
    """setuptools warns about (and may drop) importable folders missing from `packages`."""
    cfg = _pyproject()["tool"]["setuptools"]
    packages = set(cfg["packages"])
    for d in (REPO / "zlt_assets").rglob("*"):
        if not d.is_dir() or d.name == "__pycache__" or not any(f.is_file() for f in d.iterdir()):
            continue
        rel = d.relative_to(REPO).parts
        if all(p.isidentifier() for p in rel):
            assert ".".join(rel) in packages, f"{'.'.join(rel)} missing from [tool.setuptools]"
    assert cfg["package-dir"]["zlt_assets.sample"] == "layers"


def test_postgis_extra_is_named_when_psycopg_is_missing(tmp_path):
    code = ("import sys; sys.modules['psycopg'] = None\n"
            "from zlt_assets.cli import main\n"
            "sys.exit(main(['db', 'init', '--data', 'postgresql://u@127.0.0.1:9/zlt']))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       encoding="utf-8", cwd=tmp_path, timeout=120,
                       env=dict(os.environ, PYTHONIOENCODING="utf-8"))
    assert r.returncode == 3, r.stderr
    assert "pip install 'zlt-assets[postgis]'" in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("zlt-assets db: PostGIS 需要")


# ------------------------------------------------------------------ the project venv


def test_setup_makes_a_venv_without_system_site_packages_and_pins():
    setup = (REPO / "scripts" / "setup.sh").read_text(encoding="utf-8")
    venv_lines = [line for line in setup.splitlines() if "-m venv" in line]
    assert venv_lines and not any("system-site-packages" in line for line in venv_lines)
    assert not re.search(r"(numpy|pandas|geopandas|affine)\s*<", setup)


def test_project_venv_runs_numpy_2():
    if Path(sys.prefix).resolve() != (REPO / ".venv").resolve():
        pytest.skip("not the project venv (the floors venv runs numpy 1.x on purpose)")
    cfg = (Path(sys.prefix) / "pyvenv.cfg").read_text(encoding="utf-8")
    assert "include-system-site-packages = false" in cfg
    import numpy

    assert int(numpy.__version__.split(".")[0]) >= 2


# ------------------------------------------------------------------ entry points and CI


def test_command_and_module_entry_points():
    r = subprocess.run([sys.executable, "-m", "zlt_assets", "--help"], capture_output=True,
                       text=True, encoding="utf-8")
    assert r.returncode == 0 and "validate" in r.stdout
    exe = Path(sys.executable).with_name("zlt-assets")
    if exe.exists():
        r = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
        assert r.returncode == 0 and "zlt-assets" in r.stdout


def test_ci_runs_the_readme_test_command_first():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_cmd = "bash scripts/setup.sh && .venv/bin/python -m pytest"
    assert test_cmd in readme
    commands = [line.strip() for line in ci.splitlines()
                if line.strip() and not line.strip().startswith("#")]
    assert any(c.startswith(test_cmd) for c in commands), "CI runs the README's test command"
    assert "constraints-floors.txt" in ci and "3.13" in ci


def test_core_imports_no_face():
    """The core knows no face: importing it loads neither QGIS, folium, matplotlib nor the CLI."""
    code = (
        "import sys\n"
        "import zlt_assets.schema, zlt_assets.plan, zlt_assets.inventory, zlt_assets.validate\n"
        "import zlt_assets.summary, zlt_assets.crs, zlt_assets.standards, zlt_assets.progress\n"
        "import importlib, pkgutil, zlt_assets.analysis as A\n"
        "for m in pkgutil.iter_modules(A.__path__):\n"
        "    importlib.import_module('zlt_assets.analysis.' + m.name)\n"
        "import zlt_assets.importing, zlt_assets.db, zlt_assets.batch, zlt_assets.styles\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('qgis', 'folium', 'matplotlib', 'branca') or m in ('zlt_assets.cli',)]\n"
        "print(','.join(sorted(bad)))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"core imported faces: {r.stdout.strip()}"


def test_every_command_is_documented():
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "gen_command_docs.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


# ------------------------------------------------------------------ sdist → wheel → fresh venv


def _run(cmd: list, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    env.pop("ZLT_DATA", None)
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, encoding="utf-8",
                       env=env, timeout=kw.pop("timeout", 900), **kw)
    assert r.returncode == 0, f"{cmd}\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r


@pytest.mark.slow
def test_sdist_wheel_in_a_fresh_venv_runs_the_main_job_anywhere(tmp_path):
    pytest.importorskip("build")
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--sdist", "--outdir", dist, REPO])
    (sdist,) = dist.glob("zlt_assets-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
        tar.extractall(tmp_path / "src")  # our own archive
    top = names[0].split("/")[0]
    src = tmp_path / "src" / top
    for need in ("tests/conftest.py", "tests/_mini_inventory.py", "tests/test_cli.py",
                 "layers/zhalantun.gpkg", "docs/commands.md", "scripts/gen_command_docs.py",
                 "LICENSE", ".ci/run", "recipe/meta.yaml", "environment.yml"):
        assert (src / need).is_file(), f"the sdist lacks {need}"

    # the wheel is built from the unpacked sdist, not from the checkout
    wheels = tmp_path / "wheels"
    build_log = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", wheels, src])
    assert "is absent from the `packages` configuration" not in build_log.stdout + build_log.stderr
    (wheel,) = wheels.glob("zlt_assets-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        files = set(zf.namelist())
    for need in ("zlt_assets/sample/zhalantun.gpkg", "zlt_assets/sample/zhalantun_population.tif",
                 "zlt_assets/sample/zhalantun.qgz", "zlt_assets/sample/README.md",
                 "zlt_assets/maps/static/leaflet/leaflet.js", "zlt_assets/py.typed"):
        assert need in files, f"the wheel lacks {need}"
    assert any(f.endswith(".dist-info/licenses/LICENSE") for f in files)
    assert not any(f.startswith(("tests/", "layers/")) for f in files)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv])
    cfg = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    assert "include-system-site-packages = false" in cfg
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    py = bindir / "python"
    _run([py, "-m", "pip", "install", "-q", wheel, "pytest"], timeout=1800)
    where = _run([py, "-c", "import zlt_assets; print(zlt_assets.__file__)"], cwd=tmp_path)
    assert str(venv) in where.stdout and "site-packages" in where.stdout

    # the main job, from a folder that is neither the checkout nor the sdist
    work = tmp_path / "elsewhere"
    work.mkdir()
    pack = _run([bindir / "zlt-assets", "pack", "--out", "out"], cwd=work)
    out = work / "out"
    for name in ("validation.json", "summary.md", "coverage_euclidean.json",
                 "coverage_network.gpkg", "toilet_gaps.json", "scorecard.html",
                 "scorecard.xlsx", "meeting_map.html", "README.md"):
        assert (out / name).is_file(), f"{name} missing\n{pack.stderr[-2000:]}"
    table = (out / "README.md").read_text(encoding="utf-8")
    rows = [r for r in table.splitlines() if r.startswith("| ") and "---" not in r][1:]
    assert len(rows) == 7 and all("完成 / done" in r for r in rows), table
    _run([bindir / "zlt-assets", "sample", "--out", "mine"], cwd=work)
    assert sorted(p.name for p in (work / "mine").iterdir()) == sorted(
        ["zhalantun.gpkg", "zhalantun_population.tif", "zhalantun.qgz", "README.md"])

    # a part of the suite, from the unpacked sdist, against the installed wheel
    tests = _run([bindir / "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", src,
                  src / "tests" / "test_cli.py", src / "tests" / "test_ci_policy.py",
                  "-k", "not pack and not sigterm"], cwd=work)
    assert re.search(r"\d+ passed", tests.stdout) and "failed" not in tests.stdout
