"""Shared test fixtures.

System components (QGIS, PostgreSQL/PostGIS, Chromium) are required under ``CI=true``: a test
that needs one *fails* there when it is missing; elsewhere it skips with the reason.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Qt must run headless before anything (pytest-qgis, matplotlib) starts it.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "layers" / "zhalantun.gpkg"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_component(name: str, available: bool, how: str) -> None:
    """Fail under CI=true, skip elsewhere, when a system component is missing."""
    if available:
        return
    message = f"{name} is not available ({how})"
    if in_ci():
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


def pytest_collection_modifyitems(config, items):
    """Mark tests by the component their module needs, so ``-m "not qgis and not postgis and not
    browser"`` selects the part of the suite that runs anywhere (.ci/run's floors and newest runs).
    """
    for item in items:
        name = item.path.name
        if "qgis" in name:
            item.add_marker(pytest.mark.qgis)
        if "postgis" in name:
            item.add_marker(pytest.mark.postgis)
        if "browser" in name:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def sample_gpkg() -> Path:
    """The shipped sample inventory (read-only: copy it before changing anything)."""
    assert SAMPLE.exists(), "layers/zhalantun.gpkg is missing: run scripts/build_sample_layers.py"
    return SAMPLE


@pytest.fixture
def sample_copy(tmp_path: Path, sample_gpkg: Path) -> Path:
    """A writable copy of the sample inventory and its population grid."""
    dst = tmp_path / "zhalantun.gpkg"
    shutil.copyfile(sample_gpkg, dst)
    pop = sample_gpkg.with_name(sample_gpkg.stem + "_population.tif")
    if pop.exists():
        shutil.copyfile(pop, dst.with_name(dst.stem + "_population.tif"))
    return dst


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``python -m zlt_assets ARGS`` as a user would; returns the completed process."""
    full_env = dict(os.environ)
    full_env.setdefault("PYTHONIOENCODING", "utf-8")
    # no progress lines unless a test asks (--progress on the command line or ZLT_PROGRESS in
    # env): under load a step lasts over a second and its plain line would join the error line
    full_env["ZLT_PROGRESS"] = "none"
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "zlt_assets", *args], cwd=cwd or REPO, env=full_env,
        capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli
