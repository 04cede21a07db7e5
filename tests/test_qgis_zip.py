"""The plugin zip holds what the plugin needs and nothing else; every UI string is translated;
in a zh_CN QGIS the plugin speaks Chinese first."""
from __future__ import annotations

import ast
import configparser
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from qgis_support import build_zip, make_profile, need_qgis, run_qgis_process

REPO = Path(__file__).resolve().parents[1]
PLUGIN = REPO / "qgis_plugin" / "zlt_assets_qgis"
UPDATE_TS = PLUGIN / "i18n" / "update_ts.py"

sys.path.insert(0, str(REPO / "qgis_plugin"))
import build_zip as builder  # noqa: E402

#: the only modules QGIS's process may import from the plugin (stdlib, PyQGIS, Qt)
ALLOWED_TOP = {"qgis", "processing"} | set(sys.stdlib_module_names)


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory) -> Path:
    return build_zip(tmp_path_factory.mktemp("zip"))


def test_zip_holds_what_the_plugin_needs_only(plugin_zip: Path) -> None:
    with zipfile.ZipFile(plugin_zip) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        meta = zf.read("zlt_assets_qgis/metadata.txt").decode("utf-8")
        wheel = [n for n in names if n.startswith("zlt_assets_qgis/wheels/") and n.endswith(".whl")]
        assert zf.read("zlt_assets_qgis/LICENSE").startswith(b"MIT License")
    assert all(n.startswith("zlt_assets_qgis/") for n in names)
    for info in infos:
        mode = info.external_attr >> 16
        assert stat.S_IMODE(mode) == (0o755 if info.is_dir() else 0o644), info.filename
    for banned in (".ts", "update_ts.py", ".pyc", "__pycache__", "/ext/", "zlt_assets/cli.py"):
        assert not [n for n in names if banned in n], banned
    assert len(wheel) == 1 and wheel[0].endswith("-py3-none-any.whl")
    assert not [n for n in names if n.startswith("zlt_assets_qgis/zlt_assets")]
    for needed in ("__init__.py", "metadata.txt", "i18n/zlt_assets_qgis_zh_CN.qm",
                   "generated/schema.json", "generated/styles/bus_stops.qml",
                   "sample/zhalantun.gpkg", "sample/README.md", "icons/icon.svg"):
        assert f"zlt_assets_qgis/{needed}" in names, needed
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read_string(meta)
    g = cfg["general"]
    assert g["version"] == builder.project_version()
    assert g["hasProcessingProvider"] == "yes" and g["experimental"] == "True"
    assert "supportsQt6" not in meta
    assert g["qgisMinimumVersion"] == "3.40" and g["qgisMaximumVersion"].startswith("4.")


def test_release_build_refuses_placeholder_metadata() -> None:
    problems = builder.check_release(builder.metadata_text(builder.project_version()))
    assert any("homepage" in p for p in problems)
    assert any("experimental" in p for p in problems)
    good = builder.metadata_text("1.0.0").replace("experimental=True", "experimental=False")
    for key in ("homepage", "tracker", "repository"):
        good = "\n".join(f"{key}=https://github.com/zlt/zlt-assets" if line.startswith(f"{key}=")
                         else line for line in good.splitlines())
    assert builder.check_release(good) == []


def test_plugin_imports_only_pyqgis_qt_and_the_standard_library() -> None:
    bad = []
    for path in PLUGIN.rglob("*.py"):
        if "i18n" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            mods = []
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                mods = [node.module or ""]
            bad += [f"{path.name}: {m}" for m in mods if m.split(".")[0] not in ALLOWED_TOP]
    assert bad == []


def test_every_ui_string_has_a_zh_cn_translation() -> None:
    proc = subprocess.run([sys.executable, str(UPDATE_TS), "--check"], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    sys.path.insert(0, str(UPDATE_TS.parent))
    try:
        import update_ts
    finally:
        sys.path.pop(0)
    strings = update_ts.extract()
    assert len(strings) > 100 and update_ts.missing() == []
    # the check fails on a string without a translation
    assert update_ts.chinese_first("Radius (m) / 服务半径(米)") == "服务半径(米) / Radius (m)"
    assert update_ts.chinese_first("Radius only") is None


@pytest.mark.qgis
def test_zh_cn_qgis_shows_the_plugin_chinese_first(tmp_path: Path, plugin_zip: Path) -> None:
    need_qgis()
    config = make_profile(tmp_path / "config", plugin_zip, locale="zh_CN")
    proc = run_qgis_process(config, "list")
    assert proc.returncode == 0, proc.stderr
    assert "zltassets:facility_coverage\t设施覆盖率 / Facility coverage" in proc.stdout
    assert "扎兰屯资产 / Zhalantun assets" in proc.stdout
    help_ = run_qgis_process(config, "help", "zltassets:facility_coverage")
    assert "服务半径(米) / Radius (m)" in help_.stdout, help_.stdout[:3000]
