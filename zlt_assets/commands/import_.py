"""``zlt-assets import``: bring a department file into the inventory, all or nothing."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import BadInput, Refused
from ._common import add_data_argument, deprecated_alias, step, write_json

#: The named coordinate systems of ``--from-crs`` (the same as
#: ``zlt_assets.importing.FROM_CRS_CHOICES``, which a test checks; kept here so that ``--help``
#: does not import the scientific stack).
FROM_CRS_CHOICES = ("wgs84", "cgcs2000", "gcj02", "bd09")

NAME = "import"
ORDER = 60
HELP = "导入部门数据 / import a department file (CSV, XLSX, SHP, GeoJSON, KML, GPKG)"
DESCRIPTION = """导入部门数据:读取 CSV、XLSX、Shapefile(GBK)、GeoJSON、KML、GeoPackage,
坐标由 GCJ-02/BD-09/WGS84/CGCS2000 转换到 EPSG:4550,逐行按 schema 检查,全部写入或全不写入。
Import a department file into one layer: columns mapped from Chinese names (名称, 经度, 纬度, 类型 ...),
Chinese domain labels mapped to codes, coordinates converted from GCJ-02 / BD-09 / WGS84 /
CGCS2000 / EPSG:n, object ids assigned where missing, every row validated against the schema.
One bad row means nothing is written; the report lists every bad row with its reason.

  zlt-assets import bus_stops 公交站.csv --from-crs gcj02 --data city.gpkg
  zlt-assets import public_toilets 公厕.shp --encoding gbk --mode upsert --data city.gpkg
  zlt-assets import drainage_points 积水点.xlsx --from-crs bd09 --map 积水深度cm=depth_cm --dry-run
  zlt-assets import bus_stops 公交站.csv --from-crs gcj02 --data postgresql://editor@dbhost/zlt

The target (--data or $ZLT_DATA) must be named: the shipped sample is never changed.

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
    parser.add_argument("--backup-dir", metavar="DIR",
                        help="where the backup before --mode replace goes (default: beside the "
                             "GeoPackage; current folder for PostGIS)")
    parser.add_argument("--json", metavar="FILE", dest="json",
                        help="also write the report as JSON ('-': standard output)")
    deprecated_alias(parser, "--report", "--json", dest="json", metavar="FILE")


def _mapping(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise BadInput(f"--map {item!r}: expected SRC=DST (e.g. 站点名称=name)")
        src, dst = item.split("=", 1)
        if not src.strip() or not dst.strip():
            raise BadInput(f"--map {item!r}: expected SRC=DST (e.g. 站点名称=name)")
        out[src.strip()] = dst.strip()
    return out


def run(args: argparse.Namespace) -> int:
    step("读取与检查 / reading and checking", 0.0)
    from ..importing import ImportOptions, import_file

    opts = ImportOptions(
        from_crs=args.from_crs, x=args.x, y=args.y, wkt=args.wkt, mapping=_mapping(args.map),
        encoding=args.encoding, mode=args.mode, dry_run=args.dry_run,
        source_layer=args.source_layer, trust_crs=args.trust_crs,
        backup_dir=Path(args.backup_dir) if args.backup_dir else None,
    )
    if args.data is None and not os.environ.get("ZLT_DATA") and not args.dry_run:
        raise BadInput("name the inventory to import into with --data FILE.gpkg or "
                       "postgresql://... (the shipped sample inventory is never changed)")
    report = import_file(args.layer, args.file, args.data, opts)
    if args.json:
        write_json(args.json, report.to_dict())
    for line in report.lines():
        print(line, file=sys.stdout)
    if not report.ok:
        n_rows = len(report.bad_rows)
        what = []
        if report.diagnoses:
            what.append(report.diagnoses[0].message)
        if n_rows:
            what.append(f"{n_rows} of {report.rows_read} rows have problems (listed above)")
        elif report.problems:
            what.append(report.problems[0].line())
        raise Refused("import refused, nothing written: " + "; ".join(what))
    if report.dry_run:
        print(f"演练通过 / dry run OK: {report.rows_read} rows of {report.source} would go into "
              f"{report.layer} of {report.target} ({report.mode}); nothing written")
    else:
        print(f"已导入 / imported {report.rows_written} rows into {report.layer} of "
              f"{report.target} ({report.mode})"
              + (f"; backup: {report.backup}" if report.backup else ""))
    return 0
