"""``zlt-assets import``: bring a department file into the inventory, all or nothing."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import BadInput, Refused, ZltError
from ._common import add_data_argument, deprecated_alias, log, step, write_json

#: The named coordinate systems of ``--from-crs`` (the same as
#: ``zlt_assets.importing.FROM_CRS_CHOICES``, which a test checks; kept here so that ``--help``
#: does not import the scientific stack).
FROM_CRS_CHOICES = ("wgs84", "cgcs2000", "gcj02", "bd09")

NAME = "import"
ORDER = 60
HELP = "导入部门数据 / import a department file (CSV, XLSX, SHP, GeoJSON, KML, GPKG)"
DESCRIPTION = """导入部门数据:读取 CSV、XLSX、Shapefile(GBK)、GeoJSON、KML、GeoPackage,
坐标由 GCJ-02/BD-09/WGS84/CGCS2000 转换到 EPSG:4550,逐行按 schema 检查,全部写入或全不写入。
Import a department file into one layer: columns mapped from Chinese names (名称, 经度, 纬度,
类型 ...), Chinese domain labels mapped to codes, coordinates converted from GCJ-02 / BD-09 /
WGS84 / CGCS2000 / EPSG:n, object ids assigned where missing, every row validated against the
schema.
One bad row means nothing is written; the report lists every bad row with its reason.

  zlt-assets import bus_stops 公交站.csv --from-crs gcj02 --data city.gpkg
  zlt-assets import public_toilets 公厕.shp --encoding gbk --mode upsert --data city.gpkg
  zlt-assets import drainage_points 积水点.xlsx --from-crs bd09 --map 积水深度cm=depth_cm --dry-run
  zlt-assets import bus_stops 公交站.csv --from-crs gcj02 --data postgresql://editor@dbhost/zlt

The target (--data or $ZLT_DATA) must be named: the shipped sample is never changed. A GeoPackage
that does not exist is created only with --create (a mistyped name is refused, not created).

Rows already in the inventory are never added twice: identical rows are skipped and counted; a
row with the same name and position as a stored asset but other values is refused. The write is
one transaction on the GeoPackage itself (safe while QGIS has it open; another writer is waited
for, then refused with exit 4); see docs/import.md.

Exit codes: 0 imported (or dry run clean), 2 unreadable file or bad option, 3 database
unavailable, 4 refused (bad rows or a recognised mistake: nothing was written)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("layer", metavar="LAYER", help="target layer, e.g. bus_stops")
    parser.add_argument("file", metavar="FILE", help="file to import (never changed)")
    add_data_argument(parser)
    parser.add_argument("--from-crs", metavar="CRS",
                        help=f"coordinate system of the file: {'|'.join(FROM_CRS_CHOICES)}|EPSG:n "
                             "(Gaode/Tencent points are gcj02, Baidu bd09)")
    parser.add_argument("--x", metavar="COL", help="column of x / longitude (经度)")
    parser.add_argument("--y", metavar="COL", help="column of y / latitude (纬度)")
    parser.add_argument("--wkt", metavar="COL", help="column holding WKT geometry")
    parser.add_argument("--map", metavar="SRC=DST", action="append", default=[],
                        help="map a column to a field (DST '-' drops it); repeatable")
    parser.add_argument("--encoding", metavar="ENC",
                        help="text encoding: gbk | gb18030 | utf-8 (detected when omitted)")
    parser.add_argument("--mode", choices=("append", "replace", "upsert"), default="append",
                        help="append (default), replace the layer (a backup is kept), or upsert "
                             "by object id")
    parser.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    parser.add_argument("--source-layer", metavar="NAME",
                        help="layer of a multi-layer GeoPackage/KML, or sheet of an XLSX workbook")
    parser.add_argument("--trust-crs", action="store_true",
                        help="skip the GCJ-02/BD-09 offset check against the inventory's roads")
    parser.add_argument("--create", action="store_true",
                        help="create the target GeoPackage when it does not exist (never done "
                             "without this option)")
    parser.add_argument("--backup-dir", metavar="DIR",
                        help="where the backup before --mode replace goes (default: beside the "
                             "GeoPackage; current folder for PostGIS)")
    parser.add_argument("--json", metavar="FILE", dest="json",
                        help="also write the report as JSON ('-': standard output)")
    deprecated_alias(parser, "--report", "--json", dest="json", metavar="FILE")


def _mapping(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        src, sep, dst = item.partition("=")
        if not sep or not src.strip() or not dst.strip():
            raise BadInput(f"{{option}} {item!r}: expected SRC=DST (e.g. 站点名称=name)",
                           zh=f"{{option}} {item!r}:应写作 源列=字段(例如 站点名称=name)",
                           option="map")
        out[src.strip()] = dst.strip()
    return out


def _check_report_target(target: str | None) -> None:
    """Refuse an unwritable report path before anything is imported (nothing fails after)."""
    if target is None or target == "-":
        return
    from .._io import resolve_target

    path = resolve_target(target)
    folder = path.parent
    if folder.exists() and not os.access(folder, os.W_OK):
        raise BadInput(f"cannot write the report {target}: its folder is read-only (no "
                       "permission); nothing was imported",
                       zh=f"无法写入报告 {target}:所在文件夹只读(没有权限);未导入任何内容",
                       option="json")


def run(args: argparse.Namespace) -> int:
    step("读取与检查 / reading and checking", 0.0)
    from ..importing import ImportOptions, import_file

    opts = ImportOptions(
        from_crs=args.from_crs, x=args.x, y=args.y, wkt=args.wkt, mapping=_mapping(args.map),
        encoding=args.encoding, mode=args.mode, dry_run=args.dry_run,
        source_layer=args.source_layer, trust_crs=args.trust_crs,
        backup_dir=Path(args.backup_dir) if args.backup_dir else None,
        create=args.create,
    )
    if args.data is None and not os.environ.get("ZLT_DATA") and not args.dry_run:
        raise BadInput("name the inventory to import into with --data FILE.gpkg or "
                       "postgresql://... (the shipped sample inventory is never changed)",
                       zh="请用 --data 指定要导入的清单(FILE.gpkg 或 postgresql://...);"
                          "随附的示例清单不会被修改")
    _check_report_target(args.json)
    report = import_file(args.layer, args.file, args.data, opts)
    lines = report.lines()
    if not report.ok:
        if args.json:
            write_json(args.json, report.to_dict())
        for line in lines:
            print(line, file=sys.stdout)
        n_rows = len(report.bad_rows)
        what, what_zh = [], []
        if report.diagnoses:
            what.append(report.diagnoses[0].message)
            what_zh.append(report.diagnoses[0].zh or report.diagnoses[0].message)
        if n_rows:
            what.append(f"{n_rows} of {report.rows_read} rows have problems (listed above)")
            what_zh.append(f"{report.rows_read} 行中有 {n_rows} 行有问题(见上)")
        elif report.problems:
            what.append(report.problems[0].line())
            what_zh.append(report.problems[0].line())
        raise Refused("import refused, nothing written: " + "; ".join(what),
                      zh="导入被拒绝,未写入任何内容:" + ";".join(what_zh))
    # from here on the rows are in the inventory: nothing below may turn that into a failure
    if report.dry_run:
        summary = (f"演练通过 / dry run OK: {report.rows_read} rows of {report.source} would go "
                   f"into {report.layer} of {report.target} ({report.mode}); nothing written")
    elif report.written:
        summary = (f"已导入 / imported {report.rows_written} rows into {report.layer} of "
                   f"{report.target} ({report.mode})"
                   + (f"; {report.rows_skipped} already there, skipped" if report.rows_skipped
                      else "")
                   + (f"; backup: {report.backup}" if report.backup else ""))
    else:
        summary = (f"未改动 / nothing to import: {report.rows_skipped} of {report.rows_read} rows "
                   f"are already in {report.layer} of {report.target}")
    if args.json:
        try:
            write_json(args.json, report.to_dict())
        except (ZltError, OSError) as exc:
            log.warning(f"报告未写入 / the report was not written ({exc}); the import itself "
                        "succeeded")
    try:
        for line in [*lines, summary]:
            print(line, file=sys.stdout)
    except OSError as exc:
        log.warning(f"the summary could not be printed ({exc}); the import succeeded")
    return 0
