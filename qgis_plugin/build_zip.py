#!/usr/bin/env python
"""Build the installable QGIS plugin zip: ``dist/zlt_assets_qgis-<version>.zip``.

构建可安装的 QGIS 插件压缩包(插件文件夹位于压缩包根目录)。

The zip holds the folder ``zlt_assets_qgis/`` at its root (what QGIS's "Install from ZIP"
expects), with

* the plugin (metadata.txt, code, help, icons, compiled zh_CN translation),
* a copy of the ``zlt_assets`` core package in ``zlt_assets_qgis/ext/zlt_assets`` (the plugin puts
  ``ext`` first on ``sys.path``), unless ``--no-core``,
* the sample inventory in ``zlt_assets_qgis/ext/layers`` (so the core's default and "Open
  inventory" find it), unless ``--no-sample``.

The core's compiled dependencies (geopandas, shapely, pyogrio, pyproj, scipy) are not bundled:
they must be installed into QGIS's Python (qgis_plugin/README.md); the plugin says how when they
are missing. The zip is deterministic (sorted entries, fixed timestamps) and written atomically.

Usage::

    python qgis_plugin/build_zip.py [--out FILE.zip] [--no-core] [--no-sample]
"""
from __future__ import annotations

import argparse
import configparser
import os
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PLUGIN_NAME = "zlt_assets_qgis"
PLUGIN_DIR = HERE / PLUGIN_NAME
CORE_DIR = REPO / "zlt_assets"
SAMPLE = REPO / "layers" / "zhalantun.gpkg"
FIXED_TIME = (2019, 5, 31, 0, 0, 0)
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", "ext"}
SKIP_SUFFIXES = {".pyc", ".pyo", ".tmp"}


def plugin_version() -> str:
    cfg = configparser.ConfigParser()
    cfg.read(PLUGIN_DIR / "metadata.txt", encoding="utf-8")
    return cfg["general"]["version"]


def _files(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.suffix in SKIP_SUFFIXES or name.startswith("."):
                continue
            out.append(p)
    return out


def entries(core: bool = True, sample: bool = True) -> list[tuple[str, Path]]:
    """(name in the zip, source file) pairs, sorted by name."""
    items = [(f"{PLUGIN_NAME}/{p.relative_to(PLUGIN_DIR).as_posix()}", p)
             for p in _files(PLUGIN_DIR)]
    if core:
        items += [(f"{PLUGIN_NAME}/ext/zlt_assets/{p.relative_to(CORE_DIR).as_posix()}", p)
                  for p in _files(CORE_DIR)]
    if sample and SAMPLE.exists():
        for p in (SAMPLE, SAMPLE.with_name(SAMPLE.stem + "_population.tif"),
                  SAMPLE.with_name("README.md")):
            if p.exists():
                items.append((f"{PLUGIN_NAME}/ext/layers/{p.name}", p))
    for extra in ("LICENSE", "LICENSE.txt"):
        if (REPO / extra).exists():
            items.append((f"{PLUGIN_NAME}/{extra}", REPO / extra))
    return sorted(items)


def build(out: Path, *, core: bool = True, sample: bool = True, compile_qm: bool = True) -> Path:
    """Write the plugin zip to ``out`` (atomically) and return it."""
    if compile_qm:
        sys.path.insert(0, str(PLUGIN_DIR / "i18n"))
        try:
            import update_ts

            update_ts.compile_qm()
        finally:
            sys.path.pop(0)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}-", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, src in entries(core=core, sample=sample):
                info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, src.read_bytes())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="构建 QGIS 插件压缩包 / build the QGIS plugin zip")
    ap.add_argument("--out", type=Path, default=None,
                    help="zip to write (default: dist/zlt_assets_qgis-<version>.zip)")
    ap.add_argument("--no-core", action="store_true",
                    help="do not bundle the zlt_assets package (install it with pip instead)")
    ap.add_argument("--no-sample", action="store_true", help="do not bundle the sample inventory")
    ap.add_argument("--no-compile", action="store_true",
                    help="do not recompile the .qm translation (use the committed one)")
    args = ap.parse_args(argv)
    out = args.out or REPO / "dist" / f"{PLUGIN_NAME}-{plugin_version()}.zip"
    path = build(out, core=not args.no_core, sample=not args.no_sample,
                 compile_qm=not args.no_compile)
    with zipfile.ZipFile(path) as zf:
        n = len(zf.namelist())
    print(f"已写入 / written: {path} ({n} files, {path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
