"""The plugin in the real QGIS desktop under Xvfb, as a planner uses it.

Fresh profile with the plugin from the zip; open the sample from the plugin's menu; open a
feature form; run *Facility coverage* from its dialog and watch the progress bar move; start a
slow run and press Cancel (the engine is terminated); a screenshot of the window (looked at, and
checked not blank here); no Python error in the message log.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from qgis_support import (
    ENGINE,
    build_zip,
    clean_env,
    guard_env,
    guard_report,
    make_profile,
    need_qgis,
)

pytestmark = [pytest.mark.qgis, pytest.mark.slow]

STARTUP = r'''
import json, os, sys, time, traceback
from qgis.core import Qgis, QgsApplication, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication, QProgressBar, QTextEdit
from qgis.utils import iface
import processing

OUT = os.environ["ZLT_TEST_OUT"]
result = {"errors": [], "progress": [], "steps": []}
python_errors = []


def on_message(message, tag, level):
    if tag == "Python error" or (level == Qgis.MessageLevel.Critical and "Python" in tag):
        python_errors.append(f"{tag}: {message}"[:2000])


QgsApplication.messageLog().messageReceived.connect(on_message)


def finish():
    result["python_errors"] = python_errors
    with open(os.path.join(OUT, "result.json"), "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
    QgsApplication.exit(0)


def step(fn, delay=500):
    def run():
        try:
            fn()
        except Exception:
            result["errors"].append(traceback.format_exc())
            finish()
    QTimer.singleShot(delay, run)


def wait(cond, then, timeout=240, label=""):
    start = time.monotonic()

    def poll():
        try:
            if cond():
                then()
            elif time.monotonic() - start > timeout:
                result["errors"].append(f"timeout: {label}")
                finish()
            else:
                QTimer.singleShot(200, poll)
        except Exception:
            result["errors"].append(traceback.format_exc())
            finish()
    QTimer.singleShot(200, poll)


def open_from_menu():
    menu = iface.pluginMenu()
    found = None
    for top in menu.actions():
        sub = top.menu()
        if sub is None:
            continue
        for act in sub.actions():
            if act.objectName() == "zlt_open_sample":
                found = (top.text(), act.text(), act)
    result["menu"] = [found[0], found[1]] if found else None
    found[2].trigger()
    root = QgsProject.instance().layerTreeRoot()
    result["tree"] = [[g.name(), [c.name() for c in g.children()]] for g in root.children()]
    result["layers"] = len(QgsProject.instance().mapLayers())
    found[2].trigger()  # a second time: the group is reused
    result["tree_after_second_open"] = len(root.children())
    result["layers_after_second_open"] = len(QgsProject.instance().mapLayers())
    step(open_form)


def open_form():
    layer = next(l for l in QgsProject.instance().mapLayers().values()
                 if isinstance(l, QgsVectorLayer) and l.source().endswith("layername=bus_stops"))
    feat = next(layer.getFeatures())
    dlg = iface.getFeatureForm(layer, feat)
    dlg.show()
    dlg.resize(700, 800)
    QApplication.processEvents()
    form = dlg.attributeForm()
    idx = layer.fields().indexFromName("status")
    result["form"] = {"status_widget": layer.editorWidgetSetup(idx).type(),
                      "fields": [layer.attributeDisplayName(i)
                                 for i in range(layer.fields().count())][:4],
                      "title": dlg.windowTitle()}
    def shoot():
        dlg.grab().save(os.path.join(OUT, "form.png"))
        dlg.close()
        step(run_dialog)
    step(shoot, 800)


def run_dialog():
    dlg = processing.createAlgorithmDialog("zltassets:facility_coverage", {
        "CELL": 10, "UNCOVERED": "TEMPORARY_OUTPUT", "DISTRICTS_OUT": "TEMPORARY_OUTPUT"})
    dlg.show()
    done = {}
    dlg.algorithmFinished.connect(lambda ok, res: done.update(ok=ok, res=dict(res)))
    bar = dlg.findChild(QProgressBar)
    dlg.runButton().click()

    def watch():
        result["progress"].append(bar.value())
        return "ok" in done

    def after():
        result["run_ok"] = done["ok"]
        result["run_area_share"] = done["res"].get("area_share")
        result["run_log"] = log_text(dlg)[-4000:]
        dlg.grab().save(os.path.join(OUT, "dialog.png"))
        dlg.close()
        step(cancel_run)
    wait(watch, after, label="coverage run")


def cancel_run():
    dlg = processing.createAlgorithmDialog("zltassets:facility_coverage", {
        "METHOD": 1, "CELL": 3, "UNCOVERED": "TEMPORARY_OUTPUT"})
    dlg.show()
    done = {}
    dlg.algorithmFinished.connect(lambda ok, res: done.update(ok=ok))
    bar = dlg.findChild(QProgressBar)
    started = time.monotonic()
    dlg.runButton().click()

    def running():
        # wait until the engine is really at work (a progress step arrived), then cancel
        return bar.value() >= 10 or time.monotonic() - started > 20

    def press_cancel():
        result["cancel_at_progress"] = bar.value()
        result["engines_before_cancel"] = engines()
        dlg.cancelButton().click()
        result["cancel_pressed_after_s"] = round(time.monotonic() - started, 1)
        wait(lambda: "ok" in done or time.monotonic() - started > 120, after_cancel,
             label="cancel")

    def after_cancel():
        result["cancel_finished"] = "ok" in done
        result["cancel_ok"] = done.get("ok")
        result["cancel_took_s"] = round(time.monotonic() - started, 1)
        result["engines_after_cancel"] = engines()
        result["cancel_log"] = log_text(dlg)[-3000:]
        dlg.close()
        step(screenshot, 1500)
    wait(running, press_cancel, label="engine start")


def log_text(dlg):
    box = dlg.findChild(QTextEdit, "txtLog")
    return box.toPlainText() if box is not None else ""


def engines():
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        text = b" ".join(cmd).decode("utf-8", "replace")
        if "zlt-assets" in text and "--cell 3" in text:
            out.append(text[:200])
    return out


def screenshot():
    canvas = iface.mapCanvas()
    canvas.refresh()
    QApplication.processEvents()
    def shoot():
        iface.mainWindow().grab().save(os.path.join(OUT, "window.png"))
        result["canvas_layers"] = len(canvas.layers())
        finish()
    QTimer.singleShot(2500, shoot)


iface.mainWindow().resize(1500, 950)
step(open_from_menu, 3000)
'''


def test_desktop_menu_form_dialog_progress_cancel(tmp_path: Path) -> None:
    need_qgis()
    if not shutil.which("xvfb-run"):
        from conftest import require_component

        require_component("Xvfb", False, "apt-get install xvfb")
    plugin_zip = build_zip(tmp_path)
    config = make_profile(tmp_path / "config", plugin_zip)
    genv, log = guard_env(tmp_path / "guard")
    out = tmp_path / "out"
    out.mkdir()
    startup = tmp_path / "startup.py"
    startup.write_text(STARTUP, encoding="utf-8")
    env = clean_env(QT_QPA_PLATFORM="xcb", ZLT_ASSETS_ENGINE=str(ENGINE), ZLT_TEST_OUT=str(out),
                    QGIS_CUSTOM_CONFIG_PATH=str(config), **genv)
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "qgis", "--profiles-path",
         str(config), "--nologo", "--noversioncheck", "--code", str(startup)],
        env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    result_file = out / "result.json"
    assert result_file.exists(), proc.stderr[-4000:]
    res = json.loads(result_file.read_text(encoding="utf-8"))
    keep = os.environ.get("ZLT_TEST_SHOTS")  # a folder to keep the screenshots in
    if keep:
        for png in out.glob("*.png"):
            shutil.copyfile(png, Path(keep) / f"qgis_desktop_{png.name}")
    assert res["errors"] == [], res["errors"]
    assert res["python_errors"] == []
    # the menu, the groups, the reused group
    assert res["menu"][1].startswith("Open the sample inventory")
    (group, children), = res["tree"]
    assert group.startswith("扎兰屯资产清单 / Zhalantun inventory")
    assert children == ["整治工程 / Works programmes", "公共设施 / Public facilities",
                        "基础底图 / Frame"]
    assert res["tree_after_second_open"] == 1
    assert res["layers_after_second_open"] == res["layers"] >= 13
    # the form: value maps with Chinese labels, aliases from the schema
    assert res["form"]["status_widget"] == "ValueMap"
    assert any("/" in f for f in res["form"]["fields"])
    # one run with progress, its result
    assert res["run_ok"] is True and 0 < res["run_area_share"] <= 1
    moving = [p for p in res["progress"] if 0 < p < 100]
    assert moving, res["progress"]
    # a cancelled run: stopped, reported, the engine gone
    assert res["engines_before_cancel"], "the slow run had no engine process to cancel"
    assert res["cancel_finished"] and res["cancel_ok"] is False
    assert res["engines_after_cancel"] == []
    assert res["cancel_took_s"] < 60
    # the screenshot: not blank, the layer tree and the map drawn
    from PIL import Image

    img = Image.open(out / "window.png").convert("RGB")
    assert img.size[0] >= 1000
    colours = img.resize((200, 120)).getcolors(200 * 120)
    assert colours is not None and len(colours) > 50
    active, imports = guard_report(log)
    assert active and imports == []
