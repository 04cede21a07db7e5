#!/usr/bin/env python
"""Build ``layers/zhalantun.qgz``: a QGIS project of the inventory with relative paths.

构建 QGIS 工程 layers/zhalantun.qgz(相对路径,图层组按数据模式排列,样式与表单来自 layer_styles)。

Runs under PyQGIS (Debian: the project's .venv made with --system-site-packages)::

    .venv/bin/python scripts/build_qgis_project.py [--data layers/zhalantun.gpkg] [--out FILE.qgz]

The project is written beside the GeoPackage by default, so the relative paths resolve when the
folder is copied or moved. Layers are loaded by the plugin's loader (the same as the action
"Open Zhalantun inventory / 打开扎兰屯资产清单").
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def build(data: Path, out: Path) -> Path:
    """Write the project ``out`` for the inventory ``data`` and return it."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsProject

    for p in (str(REPO / "qgis_plugin"), str(REPO)):
        if p not in sys.path:
            sys.path.insert(0, p)
    from zlt_assets_qgis.inventory_loader import load_inventory

    from zlt_assets import schema

    aux = [p for p in data.parent.glob(f"{data.stem}*.aux.xml")]
    project = QgsProject()
    project.setTitle("扎兰屯资产清单 / Zhalantun inventory")
    project.setCrs(QgsCoordinateReferenceSystem(schema.PROJECT_CRS))
    project.writeEntryBool("Paths", "/Absolute", False)
    out.parent.mkdir(parents=True, exist_ok=True)
    project.setFileName(str(out))
    result = load_inventory(str(data), project)
    if result.skipped:
        raise SystemExit(f"layers that could not be loaded: {', '.join(result.skipped)}")
    # QGIS names the .qgs inside the .qgz after the file's base name (up to the first dot)
    tmp = out.with_name(f"{out.stem}.building{out.suffix}")
    project.setFileName(str(tmp))
    if not project.write():
        raise SystemExit(f"could not write {out}: {project.error()}")
    os.replace(tmp, out)
    project.clear()
    for p in data.parent.glob(f"{data.stem}*.aux.xml"):  # statistics QGIS wrote: not ours
        if p not in aux:
            p.unlink()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="构建 QGIS 工程 / build the QGIS project of the inventory")
    ap.add_argument("--data", type=Path, default=REPO / "layers" / "zhalantun.gpkg",
                    help="inventory GeoPackage (default: layers/zhalantun.gpkg)")
    ap.add_argument("--out", type=Path, default=None,
                    help="project to write (default: beside the GeoPackage, <stem>.qgz)")
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"错误 / error: inventory not found: {args.data}", file=sys.stderr)
        return 2
    out = args.out or args.data.with_suffix(".qgz")

    from qgis.core import QgsApplication

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    build(args.data.resolve(), out.resolve())
    print(f"已写入 / written: {out}")
    sys.stdout.flush()
    os._exit(0)  # no exitQgis(): it can segfault at exit (docs/qgis.md)


if __name__ == "__main__":
    sys.exit(main())
