"""``zlt-assets db init|push|pull|audit``: the PostGIS backend."""
from __future__ import annotations

import argparse

from ..errors import BadInput
from ._common import add_data_argument, step

NAME = "db"
ORDER = 80
HELP = "PostGIS 多用户数据库 / PostGIS multi-user backend (init, push, pull, audit)"
DESCRIPTION = """PostGIS 多用户后端:建表(由 schema 生成)、推送与拉取 GeoPackage、查看审计记录。
PostGIS multi-user backend. The tables, constraints, spatial indexes, audit triggers and row
versions are generated from the schema declaration.

  zlt-assets db init --data postgresql://user@host:5432/zlt
  zlt-assets db push layers/zhalantun.gpkg --data postgresql://user@host:5432/zlt
  zlt-assets db pull copy.gpkg --data postgresql://user@host:5432/zlt
  zlt-assets db audit --data postgresql://user@host:5432/zlt --layer bus_stops

URL parameters: ?schema=NAME (default public), ?population=/path.tif (use this grid instead
of the stored one). The editor's name in the audit trail is $ZLT_EDITOR, else the login name.

Exit codes: 0 done, 2 bad input, 3 database server or PostGIS unavailable, 4 refused (nothing
was written: existing data, edit conflict, constraint violated)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION")
    p = sub.add_parser("init", help="建表 / create the inventory tables, constraints, triggers")
    add_data_argument(p)
    p.add_argument("--drop", action="store_true",
                   help="drop the inventory tables first (their rows and history are lost)")
    p = sub.add_parser("push", help="GeoPackage → PostGIS / copy a GeoPackage into the database")
    p.add_argument("source", metavar="GPKG", help="GeoPackage inventory to copy")
    add_data_argument(p)
    p.add_argument("--replace", action="store_true",
                   help="replace layers the database already holds")
    p = sub.add_parser("pull", help="PostGIS → GeoPackage / copy the database into a GeoPackage")
    p.add_argument("target", metavar="GPKG", help="GeoPackage to write")
    add_data_argument(p)
    p.add_argument("--overwrite", action="store_true", help="replace an existing GeoPackage")
    p = sub.add_parser("audit", help="审计记录 / show the edit history")
    add_data_argument(p)
    p.add_argument("--layer", help="only this layer")
    p.add_argument("--limit", type=int, default=50, help="last N entries (default 50)")


def _url(args: argparse.Namespace) -> str:
    import os

    from ..db import is_database_url

    url = args.data or os.environ.get("ZLT_DATA")
    if not is_database_url(url):
        raise BadInput("db commands need --data postgresql://user@host:port/dbname "
                       "(or ZLT_DATA set to such a URL)")
    return str(url)


def run(args: argparse.Namespace) -> int:
    from .. import db  # heavy (geopandas): only when a db action runs

    action = getattr(args, "db_command", None)
    if not action:
        raise BadInput("choose an action: db init | db push GPKG | db pull GPKG | db audit")
    url = _url(args)
    step(f"数据库 / database: {action}", 0.0)
    if action == "init":
        tables = db.init_db(url, drop=args.drop)
        print(f"已建表 / initialised {db.parse_url(url).display}: {len(tables)} layer tables, "
              "audit table, row-version and audit triggers")
        return 0
    if action == "push":
        rep = db.push(args.source, url, replace=args.replace)
        counts = ", ".join(f"{k}={v}" for k, v in rep.counts.items())
        print(f"已推送 / pushed {rep.source} → {rep.target}: {counts}; population grid: "
              f"{'yes' if rep.population else 'no'}"
              + (f"; skipped undeclared layers: {', '.join(rep.skipped)}" if rep.skipped else ""))
        return 0
    if action == "pull":
        rep = db.pull(url, args.target, overwrite=args.overwrite)
        counts = ", ".join(f"{k}={v}" for k, v in rep.counts.items())
        print(f"已拉取 / pulled {rep.source} → {rep.target}: {counts}; population grid: "
              f"{'yes' if rep.population else 'no'}")
        return 0
    if action == "audit":
        for r in db.audit_rows(url, args.layer, args.limit):
            print(f"{r['at']:%Y-%m-%d %H:%M:%S} {r['who']:<12} {r['operation']:<6} "
                  f"{r['table_name']} {r['obj_key']}")
        return 0
    raise BadInput(f"unknown db action {action!r}")  # pragma: no cover - argparse rejects it
