"""``zlt-assets db init|status|grant|push|pull|audit``: the PostGIS backend."""
from __future__ import annotations

import argparse

from ..errors import BadInput
from ._common import add_data_argument, step

NAME = "db"
ORDER = 80
HELP = "PostGIS 多用户数据库 / PostGIS multi-user backend (init, status, grant, push, pull, audit)"
DESCRIPTION = """PostGIS 多用户后端:建表与迁移(由 schema 生成)、角色、推送与拉取、审计记录。
PostGIS multi-user backend. The tables, constraints, spatial indexes, audit triggers, row
versions and roles are generated from the schema declaration; db init on an older database
migrates it in one transaction (or refuses and says what is needed).

  zlt-assets db init --data postgresql://admin@host:5432/zlt
  zlt-assets db status --data postgresql://admin@host:5432/zlt
  zlt-assets db grant editor wang li --data postgresql://admin@host:5432/zlt
  zlt-assets db push layers/zhalantun.gpkg --data postgresql://wang@host:5432/zlt
  zlt-assets db pull copy.gpkg --data postgresql://li@host:5432/zlt
  zlt-assets db audit --data postgresql://admin@host:5432/zlt --layer bus_stops
  zlt-assets db audit --overlaps --data postgresql://admin@host:5432/zlt

Roles: db init creates zlt_owner (owns the tables: DDL, migrations), zlt_editor (select,
insert, update, delete features; never truncate, alter or disable triggers) and zlt_reader
(select); db grant makes existing logins members.

URL parameters: ?schema=NAME (default public), ?population=/path.tif (use this grid instead
of the stored one), each at most once. The editor's name in the audit trail is $ZLT_EDITOR,
else the login name; the audit shows the database login beside it.

Exit codes: 0 done (db status: up to date), 1 db status found something to do, 2 bad input,
3 database server or PostGIS unavailable (or gone during the command: nothing committed),
4 refused (nothing was written: existing data, edit conflict, constraint violated, migration
blocked, not allowed for this database user)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION")
    p = sub.add_parser("init", help="建表或迁移 / create the inventory or migrate it to this "
                                    "version")
    add_data_argument(p)
    p.add_argument("--drop", action="store_true",
                   help="drop the inventory tables first (their rows and history are lost)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--roles", metavar="PREFIX", default="zlt",
                   help="prefix of the owner/editor/reader roles (default zlt: zlt_owner, "
                        "zlt_editor, zlt_reader)")
    g.add_argument("--no-roles", action="store_true",
                   help="create no roles and grant nothing (every user reaching the tables is "
                        "equal)")
    p = sub.add_parser("status", help="版本与检查 / DDL versions, roles, triggers, pending "
                                      "migrations")
    add_data_argument(p)
    p.add_argument("--json", metavar="FILE", help="write the status as JSON (- = stdout)")
    p = sub.add_parser("grant", help="授予角色 / make database logins owners, editors or readers")
    p.add_argument("role", choices=("owner", "editor", "reader"), help="the inventory role")
    p.add_argument("users", nargs="+", metavar="LOGIN", help="existing database logins")
    add_data_argument(p)
    p = sub.add_parser("push", help="GeoPackage → PostGIS / copy a GeoPackage into the database")
    p.add_argument("source", metavar="GPKG", help="GeoPackage inventory to copy")
    add_data_argument(p)
    p.add_argument("--replace", action="store_true",
                   help="replace layers the database already holds")
    p = sub.add_parser("pull", help="PostGIS → GeoPackage / copy the database into a GeoPackage")
    p.add_argument("target", metavar="GPKG", help="GeoPackage to write")
    add_data_argument(p)
    p.add_argument("--overwrite", action="store_true", help="replace an existing GeoPackage")
    p = sub.add_parser("audit", help="审计记录 / show the edit history and possible lost updates")
    add_data_argument(p)
    p.add_argument("--layer", help="only this layer")
    p.add_argument("--limit", type=int, default=50, help="last N entries (default 50)")
    p.add_argument("--overlaps", action="store_true",
                   help="only updates that replaced a value another editor had set (possible "
                        "lost updates from clients that do not send the row version, e.g. QGIS)")
    p.add_argument("--json", metavar="FILE", help="write the entries as JSON (- = stdout)")


def _url(args: argparse.Namespace) -> str:
    import os

    from .._io import check_location
    from ..db import parse_url

    url = args.data or os.environ.get("ZLT_DATA")
    try:
        where = check_location(url) if url else None
    except BadInput:
        parse_url(str(url))  # a mistyped URL: refused with its reason, naming the option
        raise
    if not isinstance(where, str):  # a path is not a database
        raise BadInput("db commands need {option} postgresql://user@host:port/dbname "
                       "(or ZLT_DATA set to such a URL)",
                       zh="db 命令需要 {option} postgresql://用户@主机:端口/数据库"
                          "(或把 ZLT_DATA 设为该地址)",
                       option="data")
    parse_url(str(url))  # its schema and parameters
    return str(url)


def _init(args: argparse.Namespace, url: str) -> int:
    from .. import db

    rep = db.init_db(url, drop=args.drop, roles=None if args.no_roles else args.roles)
    if rep.from_version is None:
        what = "已建立 / created"
    elif rep.from_version < rep.to_version:
        what = f"已迁移 / migrated from DDL version {rep.from_version}"
    else:
        what = "已是最新并已检查 / already current, checked and completed"
    roles = (f"roles {', '.join(rep.roles.all())}" if rep.roles else "no roles")
    print(f"{what}: {rep.target} at DDL version {rep.to_version}; {len(rep.layers)} layer tables, "
          f"audit and row-version triggers, {roles}"
          + (f"; dropped {', '.join(rep.dropped)}" if rep.dropped else ""))
    return 0


def _status(args: argparse.Namespace, url: str) -> int:
    from .. import db
    from ._common import write_json

    st = db.db_status(url)
    if args.json:
        write_json(args.json, st.as_dict())
        if args.json == "-":
            return 0 if st.ok else 1
    member = [r for r in st.user_roles if r != "superuser"]
    print(f"数据库 / database: {st.target} (login {st.user}"
          + (", superuser" if "superuser" in st.user_roles else "")
          + (f", member of {', '.join(member)}" if member else "") + ")")
    print("DDL 版本 / DDL version: database "
          f"{st.db_version if st.db_version is not None else '-'}, this zlt-assets "
          f"{st.code_version}"
          + (" (database last initialised by zlt-assets "
             f"{st.zlt_assets})" if st.zlt_assets else ""))
    if st.roles:
        print(f"角色 / roles: {st.roles}_owner, {st.roles}_editor, {st.roles}_reader")
    for name, n in st.layers.items():
        print(f"  {name}: {n}")
    if st.overlaps:
        print(f"可能的覆盖修改 / possible lost updates: {st.overlaps} (zlt-assets db audit "
              "--overlaps)")
    for p in st.pending:
        print(f"待办 / to do: {p}")
    for p in st.problems:
        print(f"问题 / problem: {p}")
    if st.ok:
        print("状态正常 / up to date")
    return 0 if st.ok else 1


def _gap(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 1.5 * size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


def _audit(args: argparse.Namespace, url: str) -> int:
    from .. import db
    from ._common import write_json

    rows = (db.overlaps if args.overlaps else db.audit_rows)(url, args.layer, args.limit)
    if args.json:
        write_json(args.json, rows)
        if args.json == "-":
            return 0
    if args.overlaps:
        for o in rows:
            gap = _gap(o["gap_seconds"])
            print(f"{o['at']:%Y-%m-%d %H:%M:%S} {o['layer']} {o['obj_key']} {o['field']}: "
                  f"{o['who']} (login {o['db_user']}) set {o['now']!r}, replacing {o['theirs']!r} "
                  f"set by {o['theirs_by']} (login {o['theirs_db_user']}) {gap} earlier"
                  + (f" - back to the value before it ({o['before']!r})" if o["reverted"] else ""))
        if not rows:
            print("没有发现覆盖他人修改 / no update replaced another editor's value")
        return 0
    for r in rows:
        login = r["db_user"] + (f" as {r['db_role']}" if r.get("db_role") else "")
        flag = " [replaced another editor's value]" if r.get("overwrote") else ""
        unchecked = " [version not sent]" if r.get("version_checked") is False else ""
        print(f"{r['at']:%Y-%m-%d %H:%M:%S} {r['who']:<12} (login {login}) {r['operation']:<8} "
              f"{r['table_name']} {r['obj_key'] or ''}{unchecked}{flag}".rstrip())
    return 0


def run(args: argparse.Namespace) -> int:
    from .. import db  # heavy (geopandas): only when a db action runs

    action = getattr(args, "db_command", None)
    if not action:
        raise BadInput("choose an action: db init | db status | db grant ROLE LOGIN | db push GPKG "
                       "| db pull GPKG | db audit",
                       zh="请选择操作:db init | db status | db grant | db push | db pull | db "
                          "audit")
    url = _url(args)
    step(f"数据库 / database: {action}", 0.0)
    if action == "init":
        return _init(args, url)
    if action == "status":
        return _status(args, url)
    if action == "grant":
        roles = db.grant_role(url, args.role, args.users)
        print(f"已授予 / granted {roles.by_kind(args.role)} to {', '.join(args.users)}")
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
        return _audit(args, url)
    raise BadInput(f"unknown db action {action!r}")  # pragma: no cover - argparse rejects it
