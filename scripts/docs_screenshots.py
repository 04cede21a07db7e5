#!/usr/bin/env python
"""Make every screenshot the guides show (docs/img/*.png), from the real programs.

    .venv/bin/python scripts/docs_screenshots.py              # all of them
    .venv/bin/python scripts/docs_screenshots.py --only maps  # maps, print, scorecard, qgis

Nothing here is drawn by hand. The maps and the scorecard are made with the installed
``zlt-assets`` on the shipped sample and photographed in headless Chromium (Playwright driving
Debian's ``/usr/bin/chromium``, no browser download) at a projector's 1024×768 and a screen's
1920×1080; the print layout is the tool's own PNG; the QGIS pictures come from the QGIS desktop
under ``xvfb-run``, with the plugin installed from the zip built now into a fresh profile and the
engine of this venv (``ZLT_ASSETS_ENGINE``), as the planner's guide describes. Each step says
what it wrote; a missing component (Chromium, QGIS, Xvfb) is an error naming it. Look at the
images after a run (they are committed): tests/test_docs_site.py checks every one is used.
"""
from __future__ import annotations

import argparse
import configparser
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
IMG = REPO / "docs" / "img"
ENGINE = Path(sys.executable).with_name("zlt-assets")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PROJECTOR, SCREEN = (1024, 768), (1920, 1080)
STORIES = ("inventory", "coverage", "toilets", "works", "drainage", "scorecard")
GROUPS = ("maps", "print", "scorecard", "qgis")


def engine(*args: str, cwd: Path) -> str:
    """Run the engine as a user would (from another folder); its stdout."""
    exe = str(ENGINE) if ENGINE.exists() else shutil.which("zlt-assets")
    if not exe:
        sys.exit("zlt-assets is not installed in this Python (pip install -e .)")
    env = dict(os.environ, ZLT_PROGRESS="none")
    env.pop("ZLT_DATA", None)
    proc = subprocess.run([exe, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)
    if proc.returncode != 0:
        sys.exit(f"zlt-assets {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def sample_copy(work: Path) -> list[str]:
    """Copy the sample into WORK/data (as the guides do); the --data option naming it.

    A relative path: what the pages show (the scorecard names its data) is no machine path.
    """
    if not (work / "data" / "zhalantun.gpkg").exists():
        engine("sample", "--out", "data", cwd=work)
    return ["--data", "data/zhalantun.gpkg"]


def save_png(src: Path | bytes, name: str, *, width: int | None = None) -> Path:
    """Write docs/img/NAME, optionally scaled to WIDTH px, optimised (palette when it helps)."""
    import io

    from PIL import Image

    img = Image.open(io.BytesIO(src) if isinstance(src, bytes) else src).convert("RGB")
    if width and img.width > width:
        img = img.resize((width, round(img.height * width / img.width)), Image.Resampling.LANCZOS)
    out = IMG / name
    IMG.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    small = io.BytesIO()
    img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(small, "PNG", optimize=True)
    out.write_bytes(min(buf.getvalue(), small.getvalue(), key=len))
    print(f"  wrote docs/img/{name} ({img.width}×{img.height}, {out.stat().st_size // 1024} KB)")
    return out


def _chromium() -> str:
    exe = os.environ.get("ZLT_CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if not exe:
        sys.exit("Chromium is needed: apt-get install chromium (or set ZLT_CHROMIUM)")
    return exe


class Browser:
    """Headless Chromium through Playwright: open a local page at a window size, photograph."""

    def __enter__(self) -> Browser:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=_chromium(), headless=True,
                                                args=CHROMIUM_ARGS)
        return self

    def __exit__(self, *exc: object) -> None:
        self.browser.close()
        self._pw.stop()

    def page(self, path: Path, size: tuple[int, int], *, is_map: bool = True) -> Any:
        ctx = self.browser.new_context(viewport={"width": size[0], "height": size[1]},
                                       device_scale_factor=1, locale="zh-CN")
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        if is_map:
            page.wait_for_function("window.zltMap !== undefined && window.zltMap.layers")
            page.evaluate("new Promise(r => requestAnimationFrame(() => "
                          "requestAnimationFrame(r)))")
            page.wait_for_timeout(300)
        if errors:
            sys.exit(f"{path.name}: script errors {errors}")
        return page


def shoot_maps(work: Path) -> None:
    """Every story at 1920×1080, two at 1024×768, the index page, a popup found by search."""
    print("story maps (zlt-assets map --story all) in Chromium")
    engine("map", "--story", "all", "--out", "maps", *sample_copy(work), cwd=work)
    maps = work / "maps"
    with Browser() as b:
        page = b.page(maps / "index.html", PROJECTOR, is_map=False)
        save_png(page.screenshot(), "maps-index.png")
        page.context.close()
        for story in STORIES:
            page = b.page(maps / f"{story}.html", SCREEN)
            save_png(page.screenshot(), f"map-{story}-1920.png", width=1280)
            page.context.close()
        for story in ("inventory", "coverage"):
            page = b.page(maps / f"{story}.html", PROJECTOR)
            save_png(page.screenshot(), f"map-{story}-1024.png")
            page.context.close()
        # a person opens the layer panel, types a name into its search box and clicks the
        # first hit: the map goes there and the popup opens
        page = b.page(maps / "inventory.html", (1280, 800))
        if not page.is_visible(".zlt-search-input"):
            page.click(".zlt-layers .zlt-panel-toggle")
        page.fill(".zlt-search-input", "布特哈大桥")
        page.click(".zlt-search-hit >> nth=0")
        page.wait_for_selector(".leaflet-popup-content")
        page.wait_for_timeout(300)
        save_png(page.screenshot(), "map-popup.png")
        page.context.close()


def shoot_print(work: Path) -> None:
    """The print layout of one story (A3 landscape), as the tool writes it (lower dpi)."""
    print("print layout (zlt-assets map --story coverage --paper a3 --png)")
    engine("map", "--story", "coverage", "--out", "print.html", "--png", "print.png",
           "--paper", "a3", "--dpi", "100", *sample_copy(work), cwd=work)
    save_png(work / "print.png", "print-coverage-a3.png", width=1400)


def shoot_scorecard(work: Path) -> None:
    """The scorecard HTML page, top of the page at 1280 px wide."""
    print("scorecard (zlt-assets scorecard --out scorecard.html) in Chromium")
    engine("scorecard", "--as-of", "2020-12-31", "--out", "scorecard.html", *sample_copy(work),
           cwd=work)
    with Browser() as b:
        page = b.page(work / "scorecard.html", (1280, 1000), is_map=False)
        save_png(page.screenshot(), "scorecard.png")
        page.context.close()


QGIS_STARTUP = r'''
import json, os, time, traceback
from qgis.core import QgsApplication, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication, QDockWidget, QProgressBar
from qgis.utils import iface
import processing

OUT = os.environ["DOCS_SHOTS_OUT"]
result = {"errors": []}


def finish():
    with open(os.path.join(OUT, "result.json"), "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
    QgsApplication.exit(0)


def later(fn, delay=600):
    def run():
        try:
            fn()
        except Exception:
            result["errors"].append(traceback.format_exc())
            finish()
    QTimer.singleShot(delay, run)


def action(name):
    for top in iface.pluginMenu().actions():
        sub = top.menu()
        for act in (sub.actions() if sub is not None else []):
            if act.objectName() == name:
                return act
    raise RuntimeError(f"no plugin menu action {name}")


def layer(name):
    return next(l for l in QgsProject.instance().mapLayers().values()
                if isinstance(l, QgsVectorLayer) and l.source().endswith("layername=" + name))


def open_sample():
    action("zlt_open_sample").trigger()
    # the Processing toolbox open beside the map, filtered to the plugin's group; the browser
    # panel closed so that the layer tree has room
    for dock in iface.mainWindow().findChildren(QDockWidget):
        if dock.objectName() == "Browser":
            dock.hide()
        if dock.objectName() == "ProcessingToolbox":
            dock.show()
            dock.raise_()
            from qgis.gui import QgsFilterLineEdit
            box = dock.findChild(QgsFilterLineEdit)
            if box is not None:
                box.setText("zlt")
    later(shoot_window, 4000)


def shoot_window():
    # no network here: QGIS's note that it could not download a web font is not the subject
    iface.messageBar().clearWidgets()
    iface.mapCanvas().refresh()
    QApplication.processEvents()
    def grab():
        iface.mainWindow().grab().save(os.path.join(OUT, "qgis-window.png"))
        result["layers"] = len(QgsProject.instance().mapLayers())
        later(form)
    QTimer.singleShot(2500, grab)


def form():
    roads = layer("roads")
    feat = next(f for f in roads.getFeatures()
                if f["lamps_installed"] is not None and f["lamps_installed"] > 5)
    roads.startEditing()
    dlg = iface.getFeatureForm(roads, feat)
    dlg.resize(760, 860)
    dlg.show()
    QApplication.processEvents()
    def plain():
        dlg.grab().save(os.path.join(OUT, "qgis-form.png"))
        # a planner types more lamps lit than installed: the form refuses it (hard rule)
        bad = int(feat["lamps_installed"]) + 5
        dlg.attributeForm().changeAttribute("lamps_lit", bad)
        QApplication.processEvents()
        def refused():
            from qgis.PyQt.QtWidgets import QDialogButtonBox
            box = dlg.findChild(QDialogButtonBox)
            ok = box.button(QDialogButtonBox.StandardButton.Ok)
            result["ok_enabled_with_bad_value"] = ok.isEnabled()
            field = roads.fields().field("lamps_lit")
            result["lamps_lit_constraint"] = field.constraints().constraintDescription()
            QApplication.processEvents()
            dlg.grab().save(os.path.join(OUT, "qgis-form-refused.png"))
            dlg.close()
            roads.rollBack()
            later(processing_dialog)
        QTimer.singleShot(800, refused)
    QTimer.singleShot(1200, plain)


def processing_dialog():
    dlg = processing.createAlgorithmDialog("zltassets:facility_coverage", {
        "CELL": 25, "UNCOVERED": "TEMPORARY_OUTPUT"})
    dlg.resize(1000, 760)
    dlg.show()
    QApplication.processEvents()
    dlg.grab().save(os.path.join(OUT, "qgis-processing-params.png"))
    done = {}
    dlg.algorithmFinished.connect(lambda ok, res: done.update(ok=ok, res=dict(res)))
    bar = dlg.findChild(QProgressBar)
    progress = []
    start = time.monotonic()
    dlg.runButton().click()
    def poll():
        progress.append(bar.value())
        if 0 < bar.value() < 100 and "running" not in result:
            # mid-run: the engine's step in the log, the bar moving, Cancel available
            result["running"] = bar.value()
            dlg.grab().save(os.path.join(OUT, "qgis-processing-running.png"))
        if "ok" in done:
            result["run_ok"] = done["ok"]
            result["area_share"] = done["res"].get("area_share")
            result["progress"] = progress
            def grab():
                dlg.grab().save(os.path.join(OUT, "qgis-processing-log.png"))
                dlg.close()
                finish()
            QTimer.singleShot(800, grab)
        elif time.monotonic() - start > 300:
            result["errors"].append("the coverage run did not finish in 300 s")
            finish()
        else:
            QTimer.singleShot(200, poll)
    QTimer.singleShot(200, poll)


iface.mainWindow().resize(1500, 950)
later(open_sample, 3000)
'''


def _qgis_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment for QGIS: without this venv's Python settings and PATH entry."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "ZLT_DATA", "ZLT_PROGRESS")}
    venv_bin = Path(sys.executable).parent
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and Path(p) != venv_bin)
    env.update(extra)
    return env


def shoot_qgis(work: Path) -> None:
    """QGIS desktop under Xvfb, plugin from the built zip in a fresh profile, in Chinese."""
    print("QGIS desktop (xvfb-run qgis, plugin from the built zip, fresh profile)")
    for tool, how in (("xvfb-run", "apt-get install xvfb"),
                      ("qgis", "scripts/setup.sh (QGIS 3.40 from bookworm-backports)")):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: {how}")
    plugin_zip = work / "zlt_assets_qgis.zip"
    proc = subprocess.run([sys.executable, str(REPO / "qgis_plugin" / "build_zip.py"),
                           "--out", str(plugin_zip)], cwd=work, capture_output=True, text=True,
                          timeout=900)
    if proc.returncode != 0:
        sys.exit(f"build_zip.py failed:\n{proc.stderr}{proc.stdout}")
    config = work / "qgis-config"
    plugins = config / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(plugin_zip) as zf:
        zf.extractall(plugins)
    ini = configparser.ConfigParser(interpolation=None)
    ini.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    ini["PythonPlugins"] = {p.name: "true" for p in plugins.iterdir() if p.is_dir()}
    # QGIS's own Chinese UI is zh-Hans; the plugin then loads its zh_CN translation
    ini["locale"] = {"overrideFlag": "true", "userLocale": "zh-Hans"}
    (config / "profiles" / "default" / "QGIS").mkdir()
    with open(config / "profiles" / "default" / "QGIS" / "QGIS3.ini", "w",
              encoding="utf-8") as fh:
        ini.write(fh, space_around_delimiters=False)
    out = work / "qgis-shots"
    out.mkdir()
    startup = work / "startup.py"
    startup.write_text(QGIS_STARTUP, encoding="utf-8")
    # the engine of this venv, through a link in the work folder: the dialog's log shows the
    # command line, and a picture in the docs should not show where this checkout lives
    link = work / "engine" / "bin" / "zlt-assets"
    link.parent.mkdir(parents=True)
    link.symlink_to(ENGINE)
    env = _qgis_env({"QT_QPA_PLATFORM": "xcb", "ZLT_ASSETS_ENGINE": str(link),
                     "DOCS_SHOTS_OUT": str(out), "QGIS_CUSTOM_CONFIG_PATH": str(config),
                     "LANG": "zh_CN.UTF-8", "LC_ALL": "C.UTF-8"})
    proc = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "qgis",
                           "--profiles-path", str(config), "--nologo", "--noversioncheck",
                           "--code", str(startup)], env=env, capture_output=True, text=True,
                          timeout=900, stdin=subprocess.DEVNULL)
    result_file = out / "result.json"
    if not result_file.exists():
        sys.exit(f"QGIS ended without a result ({proc.returncode}):\n{proc.stderr[-3000:]}")
    res = json.loads(result_file.read_text(encoding="utf-8"))
    if res["errors"]:
        sys.exit("QGIS steps failed:\n" + "\n".join(res["errors"]))
    if res.get("ok_enabled_with_bad_value") is not False:
        sys.exit("the form's OK stayed enabled with lamps lit > lamps installed: the hard rule "
                 "did not refuse it")
    if not res.get("run_ok"):
        sys.exit(f"the coverage run from the Processing dialog failed: {res}")
    print(f"  QGIS: {res['layers']} layers; the form refused the bad value "
          f"({res['lamps_lit_constraint']}); coverage area share "
          f"{res['area_share']:.4f}; progress seen {sorted(set(res['progress']))[:8]}…")
    save_png(out / "qgis-window.png", "qgis-window.png", width=1400)
    for name in ("qgis-form.png", "qgis-form-refused.png", "qgis-processing-params.png",
                 "qgis-processing-running.png", "qgis-processing-log.png"):
        save_png(out / name, name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(GROUPS),
                        help=f"comma-separated groups of pictures ({', '.join(GROUPS)})")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a "
                        "temporary folder, removed)")
    args = parser.parse_args(argv)
    groups = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
    steps = {"maps": shoot_maps, "print": shoot_print, "scorecard": shoot_scorecard,
             "qgis": shoot_qgis}
    with tempfile.TemporaryDirectory(prefix="zlt-shots-") as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for g in groups:
            (work / g).mkdir(exist_ok=True)
            steps[g](work / g)
    print(textwrap.fill("Look at every image in docs/img before committing (they are what "
                        "the guides show).", 100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
