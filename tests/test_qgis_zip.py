"""The packaged plugin zip installs into a fresh QGIS profile and loads (in a fresh process)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from qgis_support import HAVE_QGIS, PLUGIN_SRC, PROCESSING_PATHS, PYTEST_PLUGINS, need_qgis

pytest_plugins = PYTEST_PLUGINS  # registers the pytest-qgis ini options (no QGIS app needed here)

REPO = PLUGIN_SRC.parent

# Runs in a fresh Python: a QGIS app on a fresh profile, the plugin loaded from that profile's
# python/plugins through qgis.utils, then one algorithm on the bundled sample.
CHILD = r"""
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
BLOCK = [m for m in os.environ.get("ZLT_TEST_BLOCK", "").split(",") if m]


class _Block:  # make modules unimportable, as on a QGIS without them
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCK:
            raise ImportError(f"No module named {name!r} (blocked by the test)")
        return None


sys.meta_path.insert(0, _Block())
profile, plugins_dir, processing_paths = sys.argv[1], sys.argv[2], sys.argv[3:]
from qgis.core import Qgis, QgsApplication
from qgis.gui import QgsGui, QgsMapCanvas
from pytest_qgis.mock_qgis_classes import MockMessageBar
from pytest_qgis.qgis_interface import QgisInterface
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False, profile)
app.initQgis()
QgsGui.editorWidgetRegistry().initEditors()
for p in processing_paths:
    if os.path.isdir(p):
        sys.path.append(p)
from processing.core.Processing import Processing
Processing.initialize()
import processing
from qgis.PyQt.QtWidgets import QMainWindow
import qgis.utils
main = QMainWindow()
qgis.utils.iface = QgisInterface(QgsMapCanvas(main), MockMessageBar(), main)
sys.path.insert(0, plugins_dir)
qgis.utils.plugin_paths = [plugins_dir]
qgis.utils.updateAvailablePlugins()
out = {"available": "zlt_assets_qgis" in qgis.utils.available_plugins,
       "settings_dir": QgsApplication.qgisSettingsDirPath()}
out["loaded"] = qgis.utils.loadPlugin("zlt_assets_qgis")
out["started"] = qgis.utils.startPlugin("zlt_assets_qgis")
import zlt_assets_qgis
out["plugin_file"] = zlt_assets_qgis.__file__
reg = QgsApplication.processingRegistry()
prov = reg.providerById("zltassets")
out["algorithms"] = sorted(a.id() for a in prov.algorithms()) if prov else []
out["messages"] = [str(m) for m in qgis.utils.iface.messageBar().get_messages(Qgis.MessageLevel.Warning)]
if not BLOCK:
    import zlt_assets
    out["core_file"] = zlt_assets.__file__
    from zlt_assets_qgis.inventory_loader import default_inventory_path
    out["sample"] = default_inventory_path()
    res = processing.run("zltassets:validate_inventory", {"OUTPUT": "memory:"})
    out["errors"] = res["ERRORS"]
    out["problems"] = res["OUTPUT"].featureCount()
else:
    try:
        processing.run("zltassets:install_help", {})
    except Exception as exc:
        out["help_error"] = str(exc)
out["unloaded"] = qgis.utils.unloadPlugin("zlt_assets_qgis")
out["provider_after_unload"] = reg.providerById("zltassets") is not None
print("RESULT " + json.dumps(out))
sys.stdout.flush()
os._exit(0)  # no exitQgis (segfaults with layers alive, see environment notes)
"""


def _build(out: Path) -> Path:
    res = subprocess.run([sys.executable, str(PLUGIN_SRC / "build_zip.py"), "--out", str(out),
                          "--no-compile"], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    return out


def test_zip_layout_has_the_plugin_folder_at_its_root(tmp_path: Path) -> None:
    path = _build(tmp_path / "plugin.zip")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert all(n.startswith("zlt_assets_qgis/") for n in names)
        for needed in ("metadata.txt", "__init__.py", "plugin.py", "provider.py",
                       "i18n/zlt_assets_qgis_zh_CN.qm", "icons/icon.svg",
                       "ext/zlt_assets/__init__.py", "ext/zlt_assets/schema.py",
                       "ext/zlt_assets/styles.py", "ext/layers/zhalantun.gpkg"):
            assert f"zlt_assets_qgis/{needed}" in names, needed
        for alg in (PLUGIN_SRC / "zlt_assets_qgis" / "algorithms").glob("*.py"):
            if alg.stem in ("__init__", "base", "install_help"):
                continue
            mod = alg.read_text(encoding="utf-8")
            name = mod.split('NAME = "', 1)[1].split('"', 1)[0]
            assert f"zlt_assets_qgis/help/{name}.html" in names, name
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    # deterministic: building twice gives the same bytes
    again = _build(tmp_path / "again.zip")
    assert again.read_bytes() == path.read_bytes()


def _install_and_run(tmp_path: Path, block: str = "") -> tuple[dict, Path, Path]:
    path = _build(tmp_path / "plugin.zip")
    profile = tmp_path / "profiles" / "fresh"
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(path) as zf:
        zf.extractall(plugins)
    assert (plugins / "zlt_assets_qgis" / "metadata.txt").exists()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    env.pop("ZLT_DATA", None)
    env["ZLT_TEST_BLOCK"] = block
    res = subprocess.run([sys.executable, "-c", CHILD, str(profile), str(plugins),
                          *PROCESSING_PATHS], capture_output=True, text=True, cwd=tmp_path,
                         env=env, timeout=300)
    line = next((ln for ln in res.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line, f"rc={res.returncode}\n{res.stdout[-2000:]}\n{res.stderr[-4000:]}"
    return json.loads(line[len("RESULT "):]), profile, plugins


def test_zip_installs_into_a_fresh_profile_and_loads(tmp_path: Path) -> None:
    need_qgis()
    assert HAVE_QGIS
    out, profile, plugins = _install_and_run(tmp_path)
    assert out["available"] and out["loaded"] and out["started"]
    assert Path(out["settings_dir"]).resolve() == profile.resolve()
    # the plugin and the core both come from the installed profile, not from the source tree
    assert Path(out["plugin_file"]).resolve().is_relative_to(plugins.resolve())
    assert Path(out["core_file"]).resolve().is_relative_to(plugins.resolve())
    assert Path(out["sample"]).resolve().is_relative_to(plugins.resolve())
    assert {"zltassets:validate_inventory", "zltassets:plan_scorecard",
            "zltassets:meeting_map"} <= set(out["algorithms"])
    assert out["errors"] == 0 and out["problems"] == 0  # the bundled sample is valid
    assert out["unloaded"] and not out["provider_after_unload"]


def test_readme_explains_installation_in_both_languages() -> None:
    text = (PLUGIN_SRC / "README.md").read_text(encoding="utf-8")
    for needle in ("OSGeo4W", "conda", "apt", "build_zip.py", "安装"):
        assert needle in text


def test_without_geopandas_the_plugin_loads_and_says_how_to_install(tmp_path: Path) -> None:
    need_qgis()
    out, _profile, plugins = _install_and_run(tmp_path, block="geopandas")
    assert out["loaded"] and out["started"]
    assert Path(out["plugin_file"]).resolve().is_relative_to(plugins.resolve())
    assert out["algorithms"] == ["zltassets:install_help"]
    for needle in ("geopandas", "OSGeo4W", "conda install", "apt install"):
        assert needle in out["help_error"], needle
    assert any("geopandas" in m for m in out["messages"]), out["messages"]
    assert out["unloaded"] and not out["provider_after_unload"]
