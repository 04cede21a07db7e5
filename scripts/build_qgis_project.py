#!/usr/bin/env python
"""Build ``layers/zhalantun.qgz``: a QGIS project of the inventory with relative paths.

构建 QGIS 工程 layers/zhalantun.qgz:相对路径,图层组按数据模式排列,样式与表单来自 layer_styles,
打开时显示城区范围,大比例尺下标注名称。

Run it with the project's Python (it writes the plugin's generated schema first, then runs the
QGIS part in the system Python that has PyQGIS, ``ZLT_QGIS_PYTHON`` or ``python3``)::

    .venv/bin/python scripts/build_qgis_project.py [--data layers/zhalantun.gpkg] [--out FILE.qgz]

The layers are loaded by the plugin's own loader (the same as its menu "Open Zhalantun
inventory"); the map opens on the urban area (the saved canvas extent and the project's default
view); layers with a name field are labelled with it at scales of 1:LABEL_SCALE and larger
(a display default: streets and stops become readable there on a laptop screen).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: labels show at 1:LABEL_SCALE and closer (zlt-assets display default)
LABEL_SCALE = 10000
#: layers labelled with their name field
LABELLED = ("bus_stops", "public_toilets", "roads", "bridges", "parks", "street_offices",
            "railway_stations", "facade_lighting_buildings")


def qgis_part(plugin_parent: str, data: Path, out: Path) -> None:
    """Runs in QGIS's Python: load the inventory, set the view and labels, write the project."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, plugin_parent)
    from qgis.core import (
        QgsApplication,
        QgsPalLayerSettings,
        QgsProject,
        QgsReferencedRectangle,
        QgsTextFormat,
        QgsVectorLayer,
        QgsVectorLayerSimpleLabeling,
    )
    from qgis.gui import QgsMapCanvas
    from qgis.PyQt.QtGui import QColor, QFont

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], True)
    app.initQgis()
    from zlt_assets_qgis import schema_info
    from zlt_assets_qgis.inventory_loader import load_inventory

    project = QgsProject.instance()
    project.setTitle("扎兰屯资产清单 / Zhalantun inventory")
    project.writeEntryBool("Paths", "/Absolute", False)
    canvas = QgsMapCanvas()
    canvas.setObjectName("theMapCanvas")
    canvas.resize(1600, 1000)
    result = load_inventory(str(data), project)
    if result.skipped:
        raise SystemExit(f"layers that could not be loaded: {', '.join(result.skipped)}")
    decl = schema_info.layers()
    urban = None
    for layer in result.layers:
        name = layer.source().split("layername=")[-1]
        if name == "urban_area":
            urban = layer.extent()
        if not isinstance(layer, QgsVectorLayer) or name not in LABELLED:
            continue
        entry = decl.get(name, {})
        field = entry.get("label_field") or entry.get("name_field")
        if not field or layer.fields().indexFromName(field) < 0:
            continue
        if layer.labelsEnabled():  # the style already labels it
            continue
        settings = QgsPalLayerSettings()
        settings.fieldName = field
        settings.scaleVisibility = True
        settings.minimumScale = float(entry.get("label_min_scale") or LABEL_SCALE)
        settings.maximumScale = 0.0
        if layer.geometryType() == 1:  # lines: along the line
            settings.placement = QgsPalLayerSettings.Placement.Line
        fmt = QgsTextFormat()
        fmt.setFont(QFont("Noto Sans CJK SC"))
        fmt.setSize(9)
        fmt.buffer().setEnabled(True)
        fmt.buffer().setColor(QColor("white"))
        settings.setFormat(fmt)
        layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
        layer.setLabelsEnabled(True)
    canvas.setDestinationCrs(project.crs())
    canvas.setLayers(list(result.layers))
    if urban is not None:
        view = urban.buffered(urban.width() * 0.05)
        canvas.setExtent(view)
        project.viewSettings().setDefaultViewExtent(QgsReferencedRectangle(view, project.crs()))
    tmp = out.with_name(f"{out.stem}.building{out.suffix}")
    project.setFileName(str(tmp))
    if not project.write():
        raise SystemExit(f"could not write {out}: {project.error()}")
    # QGIS names the .qgs inside the .qgz after the file name: rename the inner file
    import zipfile

    with zipfile.ZipFile(tmp) as zin:
        items = [(i, zin.read(i.filename)) for i in zin.infolist()]
    fixed = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(fixed, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info, payload in items:
            name = info.filename
            if name.endswith(".qgs"):
                name = f"{out.stem}.qgs"
            zi = zipfile.ZipInfo(name, date_time=(2019, 5, 31, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(zi, payload)
    os.replace(fixed, out)
    tmp.unlink()
    print(f"已写入 / written: {out}")
    sys.stdout.flush()
    os._exit(0)  # no exitQgis(): it can segfault at exit (environment notes)


def qgis_python() -> str:
    return os.environ.get("ZLT_QGIS_PYTHON") or shutil.which("python3", path=os.defpath) \
        or "python3"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="构建 QGIS 工程 / build the QGIS project of the inventory")
    ap.add_argument("--data", type=Path, default=REPO / "layers" / "zhalantun.gpkg",
                    help="inventory GeoPackage (default: layers/zhalantun.gpkg)")
    ap.add_argument("--out", type=Path, default=None,
                    help="project to write (default: beside the GeoPackage, <stem>.qgz)")
    ap.add_argument("--qgis-step", nargs=3, metavar=("PLUGIN_PARENT", "DATA", "OUT"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.qgis_step:
        qgis_part(args.qgis_step[0], Path(args.qgis_step[1]), Path(args.qgis_step[2]))
        return 0
    if not args.data.is_file():
        print(f"错误 / error: inventory not found: {args.data}", file=sys.stderr)
        return 2
    data = args.data.resolve()
    out = (args.out or data.with_suffix(".qgz")).resolve()
    sys.path.insert(0, str(REPO / "qgis_plugin"))
    import build_zip

    with tempfile.TemporaryDirectory(prefix="zlt-qgz-") as tmp:
        plugin = Path(tmp) / "zlt_assets_qgis"
        shutil.copytree(REPO / "qgis_plugin" / "zlt_assets_qgis", plugin,
                        ignore=shutil.ignore_patterns("__pycache__", "generated"))
        for name, payload in build_zip.generated_files().items():
            path = plugin / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(payload)
        before = set(data.parent.glob(f"{data.stem}*.aux.xml"))
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        proc = subprocess.run([qgis_python(), str(Path(__file__).resolve()), "--qgis-step",
                               tmp, str(data), str(out)], env=env, check=False)
        for p in set(data.parent.glob(f"{data.stem}*.aux.xml")) - before:
            p.unlink()  # statistics QGIS wrote: not ours
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
