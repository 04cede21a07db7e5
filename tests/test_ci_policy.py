"""A test that needs a system component fails under CI=true when it is missing, skips elsewhere."""
import pytest
from conftest import require_component


def test_missing_component_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true and QGIS is not available"):
        require_component("QGIS", False, "python3-qgis not importable")


def test_missing_component_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium is not available"):
        require_component("Chromium", False, "/usr/bin/chromium not found")


def test_present_component_passes(monkeypatch):
    monkeypatch.setenv("CI", "true")
    require_component("PostgreSQL/PostGIS", True, "found")
