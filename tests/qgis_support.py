"""Shared set-up of the QGIS tests (imported by tests/test_qgis_*.py, never collected itself).

pytest-qgis imports ``qgis`` as soon as pytest loads it, which aborts the whole run on a machine
without QGIS; pyproject.toml therefore disables its auto-loading (``-p no:pytest_qgis``) and each
QGIS test module loads it with ``pytest_plugins = PYTEST_PLUGINS``, which is empty when PyQGIS is
not importable. The tests then call :func:`need_qgis`, which fails under ``CI=true`` and skips
elsewhere (``tests/conftest.py``'s ``require_component``).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
PLUGIN_SRC = REPO / "qgis_plugin"
PROCESSING_PATHS = ("/usr/share/qgis/python/plugins", "/usr/lib/qgis/python/plugins")

try:  # PyQGIS importable?
    import qgis.core  # noqa: F401

    HAVE_QGIS = True
except ImportError:  # pragma: no cover - depends on the machine
    HAVE_QGIS = False

#: ``pytest_plugins`` value for QGIS test modules.
PYTEST_PLUGINS = ["pytest_qgis.plugin"] if HAVE_QGIS else []

HOW = ("PyQGIS not importable: on Debian/Ubuntu `apt-get install python3-qgis qgis` and a venv "
       "made with --system-site-packages (scripts/setup.sh)")


def need_qgis() -> None:
    """Fail under CI=true, skip elsewhere, when PyQGIS is missing."""
    from conftest import require_component

    require_component("QGIS", HAVE_QGIS, HOW)


def add_processing_path() -> None:
    """Put QGIS's bundled ``processing`` package on sys.path (Debian keeps it outside)."""
    for p in PROCESSING_PATHS:
        if Path(p).is_dir() and p not in sys.path:
            sys.path.append(p)


def add_plugin_path() -> None:
    """Make ``zlt_assets_qgis`` importable from the source tree."""
    if str(PLUGIN_SRC) not in sys.path:
        sys.path.insert(0, str(PLUGIN_SRC))


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def qgis_env(request: pytest.FixtureRequest):
    """A running headless QGIS with Processing initialised; returns pytest-qgis's stub iface.

    Fails under CI=true and skips elsewhere when PyQGIS is missing (before any pytest-qgis
    fixture is requested, so nothing breaks without QGIS).
    """
    need_qgis()
    add_processing_path()
    add_plugin_path()
    request.getfixturevalue("qgis_processing")
    return request.getfixturevalue("qgis_iface")
