"""PostGIS backend: DDL and migrations generated from the schema, roles, audit, push and pull.

A PostGIS inventory is addressed by a URL, ``postgresql://user@host:port/dbname``, with two
optional query parameters of our own (removed before connecting; each at most once):

* ``schema=NAME`` - the database schema holding the inventory (default ``public``; lower-case
  letters, digits and ``_``; never a system schema such as ``pg_catalog`` or
  ``information_schema``);
* ``population=/path/grid.tif`` - a population GeoTIFF to use instead of the stored one.

Everything is derived from :mod:`zlt_assets.schema`:

* one table per declared layer; column types from the field types (text ``TEXT``, integer
  ``INTEGER``, real ``DOUBLE PRECISION``, boolean ``BOOLEAN``, date ``DATE``, datetime
  ``TIMESTAMP``); ``NOT NULL`` from ``required``; ``CHECK`` constraints from the domains and the
  minimum/maximum (and the layer's hard rules); ``UNIQUE`` from ``unique`` (the object id); a
  typed geometry column ``geom geometry(<type>, 4550)`` with a GiST spatial index; a ``fid``
  primary key and a ``row_version`` column;
* ``zlt_audit``: one row per inserted, updated or deleted feature and per ``TRUNCATE`` (with the
  truncated rows), written by ``SECURITY DEFINER`` triggers that editors cannot bypass: the
  declared editor (the ``zlt.editor`` session setting, else the login), the database login
  (``session_user``) and the role it acted as (``SET ROLE``), the client program, when, and the
  old and new row as ``jsonb`` (geometry as GeoJSON). The trail is append-only;
* ``row_version`` is incremented by a trigger on every update. An update that sets
  ``row_version`` to a value other than the stored one (the version the editor read) is refused:
  two editors that send the version never silently lose an edit. Clients that do not send it
  (a plain QGIS edit) still get the increment and the audit row, and an update of theirs that
  replaces a value another editor changed is marked in the audit (``overwrote``): a possible lost
  update, shown by ``db audit --overlaps`` (the database cannot know what such a client read);
* roles (``db init`` creates them unless told not to): ``<prefix>_owner`` owns the tables (DDL,
  migrations), ``<prefix>_editor`` may select, insert, update and delete features (never
  truncate, alter, disable triggers or touch the audit), ``<prefix>_reader`` may select;
* ``zlt_meta``: the DDL version of the database (:data:`DDL_VERSION` is the code's); ``db init``
  on an older database applies the ordered :data:`MIGRATIONS` and brings every table to the
  schema in one transaction, or refuses and says what is needed;
* ``zlt_layers``: which layers the inventory holds (as a GeoPackage holds some layers, not all);
* ``zlt_rasters``: the population grid, stored as the GeoTIFF's bytes (``name = 'population'``),
  so that push/pull carry it and every analysis finds it.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import math
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import __version__, schema
from ._io import check_location, is_database_url, write_bytes
from .crs import to_project
from .errors import BadInput, MissingComponent, Refused, ZltError, one_line
from .inventory import Inventory, InventoryError, write_layers

__all__ = [
    "DDL_VERSION",
    "MIGRATIONS",
    "PG_TYPES",
    "SRID",
    "DbStatus",
    "PgTarget",
    "PostGISInventory",
    "Roles",
    "audit_rows",
    "connect",
    "db_status",
    "ddl",
    "grant_role",
    "init_db",
    "is_database_url",
    "overlaps",
    "parse_url",
    "pull",
    "push",
    "update_feature",
]

SRID = 4550
PG_TYPES = {
    "text": "TEXT", "integer": "INTEGER", "real": "DOUBLE PRECISION", "boolean": "BOOLEAN",
    "date": "DATE", "datetime": "TIMESTAMP",
}
#: ``format_type`` spelling of :data:`PG_TYPES`, to compare with the catalog.
_CATALOG_TYPES = {
    "text": "text", "integer": "integer", "real": "double precision", "boolean": "boolean",
    "date": "date", "datetime": "timestamp without time zone",
}
AUDIT_TABLE = "zlt_audit"
LAYERS_TABLE = "zlt_layers"
RASTER_TABLE = "zlt_rasters"
META_TABLE = "zlt_meta"
#: The DDL version this code writes. 1 = zlt-assets 0.1; 2 = roles, SECURITY DEFINER audit with
#: the database login, TRUNCATE audit, append-only trail, lost-update marks, migrations.
DDL_VERSION = 2
_OWN_PARAMS = ("schema", "population")
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SYSTEM_SCHEMA = re.compile(r"^(pg_.*|information_schema)$")
_ROLE_PREFIX = re.compile(r"^[a-z_][a-z0-9_]{0,50}$")
CONFLICT_TAG = "zlt edit conflict"
AUDIT_OPERATIONS = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "MIGRATE")
OPTION = "data"  # the option a URL error is about


# ============================================================================ addressing
def _bad_url(en: str, zh: str) -> BadInput:
    return BadInput(en, zh=zh, option=OPTION)



def _psycopg() -> Any:
    """The psycopg 3 module, or MissingComponent naming the [postgis] extra (exit 3)."""
    try:
        import psycopg
    except ImportError:  # the [postgis] extra is not installed
        raise MissingComponent(
            "PostGIS needs psycopg 3, which is not installed: pip install 'zlt-assets[postgis]' "
            "(conda: conda install -c conda-forge psycopg)",
            zh="PostGIS 需要 psycopg 3,尚未安装:pip install 'zlt-assets[postgis]'"
               "(conda:conda install -c conda-forge psycopg)") from None
    return psycopg


@dataclass(frozen=True)
class PgTarget:
    """A parsed inventory URL."""

    conninfo: str  # libpq URL without our own parameters
    schema: str = "public"
    population: Path | None = None
    display: str = ""  # the URL without password, for messages
    has_app_name: bool = False  # the URL sets application_name itself

    def q(self, name: str) -> str:
        """A schema-qualified, quoted identifier."""
        return f'"{self.schema}"."{name}"'


def parse_url(url: str) -> PgTarget:
    """Split an inventory URL into the connection string and our parameters, checking both.

    Raises
    ------
    BadInput
        The URL is not a well-formed ``postgresql://`` URL (``postgresql:/host/db`` with one
        slash, a port that is not a number, control characters), repeats ``?schema=`` or
        ``?population=``, or names an invalid or system schema (``pg_*``,
        ``information_schema``).
    """
    raw = url if isinstance(url, str) else str(url)
    text = raw.strip()
    try:
        check_location(text)  # the one URL check: a mistyped URL is refused there
    except BadInput as exc:
        raise BadInput("{option}: " + exc.template,
                       zh="{option}:" + (exc.zh_template or exc.template), option=OPTION) from None
    if not is_database_url(text):
        raise _bad_url("{option}: not a PostgreSQL URL (expected "
                       f"postgresql://user@host:port/dbname): {text!r}",
                       "{option}:不是 PostgreSQL 地址(应为 "
                       f"postgresql://用户@主机:端口/数据库):{text!r}")
    if any(ord(c) < 32 or ord(c) == 127 for c in text) or " " in text:
        raise _bad_url(f"{{option}}: the database URL {text!r} contains spaces or control "
                       "characters",
                       f"{{option}}:数据库地址 {text!r} 含空格或控制字符")
    parts = urlsplit(text)
    if parts.fragment:
        raise _bad_url(f"{{option}}: the database URL has a '#' part ({parts.fragment!r}); remove "
                       "it (a '#' in a password must be written %23)",
                       f"{{option}}:数据库地址含 '#' 部分 ({parts.fragment!r}),请删除(密码中的 # "
                       "写作 %23)")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise _bad_url(f"{{option}}: the port in the database URL {text!r} is not a number "
                       "(1-65535)",
                       f"{{option}}:数据库地址 {text!r} 中的端口不是 1-65535 的数字") from None
    own: dict[str, str] = {}
    rest: list[tuple[str, str]] = []
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        if k in _OWN_PARAMS:
            if k in own:
                raise _bad_url(f"{{option}}: ?{k}= appears more than once in the database URL; "
                               "give it once",
                               f"{{option}}:数据库地址中 ?{k}= 出现了多次,只能给一次")
            own[k] = v
        else:
            rest.append((k, v))
    schema_name = own.get("schema", "public")
    if not _SCHEMA_NAME.match(schema_name):
        raise _bad_url(f"{{option}}: invalid schema name {schema_name!r} in the database URL "
                       "(lower-case letters, digits and _, not starting with a digit, at most 63)",
                       f"{{option}}:数据库地址中的模式名 {schema_name!r} "
                       "无效(小写字母、数字和下划线,不以数字开头,最多 63 个)")
    if _SYSTEM_SCHEMA.match(schema_name):
        raise _bad_url(f"{{option}}: {schema_name!r} is a PostgreSQL system schema; choose another "
                       "?schema= (e.g. zlt)",
                       f"{{option}}:{schema_name!r} 是 PostgreSQL 系统模式,请换一个 ?schema=(如 "
                       "zlt)")
    if "population" in own and not own["population"]:
        raise _bad_url("{option}: ?population= is empty; give the path of a GeoTIFF or leave it "
                       "out",
                       "{option}:?population= 为空;请给出 GeoTIFF 路径或删去该参数")
    conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(rest), ""))
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = userinfo.split(":", 1)[0] + "@" + host
    display = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    if schema_name != "public":
        display += f"?schema={schema_name}"
    pop = Path(own["population"]) if own.get("population") else None
    return PgTarget(conninfo=conninfo, schema=schema_name, population=pop, display=display,
                    has_app_name=any(k == "application_name" for k, _ in rest))


def editor_name() -> str:
    """Who is editing: ``$ZLT_EDITOR``, else the login name."""
    name = os.environ.get("ZLT_EDITOR")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name in some containers
        return "unknown"


# ============================================================================ connecting, errors
_DISCONNECT_STATES = ("57P01", "57P02", "57P03")
_DISCONNECT_WORDS = ("Connection refused", "could not connect", "timeout expired",
                     "No such file or "
                     "directory", "could not translate host", "server closed the connection",
                     "consuming input failed", "connection is lost", "the connection is closed",
                     "terminating connection", "SSL SYSCALL error", "could not receive data",
                     "could not send data", "Connection reset")


def _is_disconnect(exc: BaseException, conn: Any = None) -> bool:
    import psycopg

    if not isinstance(exc, psycopg.Error):
        return False
    state = getattr(exc, "sqlstate", None) or ""
    if state.startswith("08") or state in _DISCONNECT_STATES:
        return True
    if conn is not None and (getattr(conn, "broken", False) or getattr(conn, "closed", False)):
        return True
    return isinstance(exc, psycopg.OperationalError) and any(
        w in str(exc) for w in _DISCONNECT_WORDS)


def _primary(exc: BaseException) -> str:
    diag = getattr(exc, "diag", None)
    return one_line((getattr(diag, "message_primary", None) if diag else None) or exc)


_OWNER_ACTIONS = ("db init", "db grant")
_ZH_ACTIONS = {"reading": "读取", "the write": "写入", "the edit": "编辑", "db status": "状态检查",
               "db audit": "审计查询", "connecting": "连接", "storing the population "
                                                       "grid": "保存人口栅格"}


def _translate(exc: BaseException, target: PgTarget, action: str, *, writing: bool,
               conn: Any = None, layer: str | None = None) -> ZltError:
    """One ZltError (Chinese first) for a psycopg error raised while doing ``action``."""
    state = getattr(exc, "sqlstate", None) or ""
    msg = _primary(exc)
    if _is_disconnect(exc, conn):
        tail_en = "; nothing was committed" if writing else ""
        tail_zh = ",未提交任何更改" if writing else ""
        return MissingComponent(
            f"the database server {target.display} went away during {action}{tail_en}: {msg}",
            zh=f"数据库服务器 {target.display} "
               f"在{_ZH_ACTIONS.get(action, action)}过程中断开{tail_zh}")
    if CONFLICT_TAG in msg:
        return Refused(msg.replace(CONFLICT_TAG + ": ", "edit conflict: ")
                       + "; nothing was written: read again and redo the edit",
                       zh="编辑冲突:该要素在读取后已被他人修改,未写入任何更改;请重新读取后再编辑")
    if state == "42501":  # insufficient_privilege
        need = "owner" if action in _OWNER_ACTIONS else ("editor" if writing else "reader")
        en = (f"the database login may not do this in {target.display} ({msg}): {action} needs the "
              f"inventory's {need} role; ask its owner to run zlt-assets db grant {need} <login>")
        zh = (f"当前数据库登录无权在 {target.display} "
              f"中执行{_ZH_ACTIONS.get(action, action)}:需要清单的 {need} 角色,请所有者运行 "
              f"zlt-assets db grant {need} <登录名>")
        if writing:
            return Refused(en + "; nothing was written", zh=zh + ";未写入任何更改")
        return BadInput(en, zh=zh)
    if writing:
        return Refused(f"{_db_error_message(exc, layer)}; nothing was written",
                       zh=f"数据库拒绝写入,未写入任何更改:{_db_error_message(exc, layer)}")
    return BadInput(f"{action} failed in {target.display}: {msg}",
                    zh=f"{_ZH_ACTIONS.get(action, action)}失败({target.display})")


@contextmanager
def _db_errors(target: PgTarget, action: str, *, writing: bool, conn: Any = None,
               layer: str | None = None) -> Iterator[None]:
    """Translate psycopg errors raised inside the block (see :func:`_translate`)."""
    import psycopg

    try:
        yield
    except psycopg.Error as exc:
        raise _translate(exc, target, action, writing=writing, conn=conn, layer=layer) from None


def _commit(conn: Any, target: PgTarget, action: str) -> None:
    """COMMIT; a server lost during the commit itself leaves the outcome unknown, and says so."""
    import psycopg

    try:
        conn.commit()
    except psycopg.Error as exc:
        if _is_disconnect(exc, conn):
            raise MissingComponent(
                f"the database server {target.display} went away while committing {action}: "
                "whether it was committed is unknown; check with zlt-assets db status and db audit",
                zh=f"提交{action}时数据库服务器 {target.display} 断开:是否已提交未知,请用 db "
                   "status 与 db audit 核对") \
                from None
        raise _translate(exc, target, action, writing=True, conn=conn) from None


def connect(target: PgTarget, *, autocommit: bool = False) -> Any:
    """Open a psycopg connection with ``zlt.editor`` set for the audit trail.

    Raises
    ------
    MissingComponent
        psycopg is not installed, or the server cannot be reached (exit 3).
    BadInput
        The server answers but refuses (unknown database, authentication failed).
    """
    psycopg = _psycopg()
    extra: dict[str, Any] = {} if target.has_app_name else {"application_name": "zlt-assets"}
    try:
        conn = psycopg.connect(target.conninfo, autocommit=autocommit, connect_timeout=10, **extra)
    except psycopg.OperationalError as exc:
        msg = one_line(exc)
        if any(s in msg for s in _DISCONNECT_WORDS):
            raise MissingComponent(f"cannot reach the database server {target.display}: {msg}",
                                   zh=f"无法连接数据库服务器 {target.display}") from None
        raise BadInput(f"cannot connect to {target.display}: {msg}",
                       zh=f"无法连接 {target.display}(数据库不存在或认证失败)") from None
    except psycopg.ProgrammingError as exc:
        raise BadInput(f"{{option}}: invalid database URL {target.display}: {one_line(exc)}",
                       zh=f"{{option}}:数据库地址无效 {target.display}", option=OPTION) from None
    with _db_errors(target, "connecting", writing=False, conn=conn):
        conn.execute("SELECT set_config('zlt.editor', %s, false)", (editor_name(),))
        if not autocommit:
            conn.commit()
    return conn


# ============================================================================ roles
@dataclass(frozen=True)
class Roles:
    """The three group roles of an inventory: ``<prefix>_owner``, ``_editor``, ``_reader``.

    Roles are cluster-wide: inventories in several databases of one server share them unless
    each gets its own prefix (``db init --roles PREFIX``).
    """

    prefix: str = "zlt"

    def __post_init__(self) -> None:
        if not _ROLE_PREFIX.match(self.prefix):
            raise BadInput(f"{{option}}: invalid role prefix {self.prefix!r} (lower-case letters, "
                           "digits, _)",
                           zh=f"{{option}}:角色前缀 {self.prefix!r} 无效(小写字母、数字、下划线)",
                           option="roles")

    @property
    def owner(self) -> str:
        """The role owning the tables (DDL, migrations)."""
        return f"{self.prefix}_owner"

    @property
    def editor(self) -> str:
        """The role that may insert, update and delete features."""
        return f"{self.prefix}_editor"

    @property
    def reader(self) -> str:
        """The role that may read."""
        return f"{self.prefix}_reader"

    def by_kind(self, kind: str) -> str:
        """The role named for ``owner``, ``editor`` or ``reader``."""
        if kind not in ("owner", "editor", "reader"):
            raise BadInput(f"{{option}}: unknown role {kind!r}: owner, editor or reader",
                           zh=f"{{option}}:未知角色 {kind!r}:owner、editor 或 "
                              "reader", option="role")
        return str(getattr(self, kind))

    def all(self) -> tuple[str, str, str]:
        """Owner, editor and reader role names."""
        return (self.owner, self.editor, self.reader)


# ============================================================================ DDL
def _literal(s: object) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def _sql_value(v: object, ftype: str) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return repr(v)
    return f"{_literal(v)}::{PG_TYPES[ftype]}"


def _field_check(f: schema.FieldDef, ranged: bool) -> str | None:
    """The column's own CHECK: its domain, and its range unless a ``<field>_range`` rule has it."""
    checks = []
    if f.domain is not None:
        checks.append(f'"{f.name}" IN ({", ".join(_literal(c) for c in f.domain.codes)})')
    if f.type in ("integer", "real") and not ranged:
        if f.minimum is not None:
            checks.append(f'"{f.name}" >= {f.minimum!r}')
        if f.maximum is not None:
            checks.append(f'"{f.name}" <= {f.maximum!r}')
    return " AND ".join(checks) if checks else None


def _pg_name(name: str) -> str:
    """An identifier PostgreSQL keeps whole (63 bytes at most): long names get a digest."""
    if len(name.encode()) <= 63:
        return name
    return name[:54] + "_" + hashlib.sha256(name.encode()).hexdigest()[:8]


def rule_constraint_name(layer: schema.LayerDef, rule: Any) -> str:
    """The constraint name a rule is enforced under: ``<layer>_rule_<key>``."""
    return _pg_name(f"{layer.name}_rule_{rule.key}")


def _rule_parts(layer: schema.LayerDef) -> tuple[dict[str, str], dict[str, tuple[str, Any]]]:
    """The layer's hard rules: (CHECK name -> SQL, trigger-checked name -> (SQL, rule)).

    Generated with :func:`zlt_assets.rules.to_sql` from ``LayerDef.rules`` (contract 3). Rules
    that read the check date (``Today()`` renders as ``CURRENT_DATE``) cannot be CHECK
    constraints (a CHECK must hold forever); the layer's ``zlt_rules`` trigger checks them on
    every insert and update. Soft rules are warnings of validation and the QGIS form only.
    """
    from . import rules as zrules

    checks: dict[str, str] = {}
    trig: dict[str, tuple[str, Any]] = {}
    for rule in layer.rules:
        if not rule.hard:
            continue
        sql = zrules.to_sql(rule.expr, geometry="geom")
        name = rule_constraint_name(layer, rule)
        if rule.uses_today:
            trig[name] = (sql, rule)
        else:
            checks[name] = sql
    return checks, trig


def layer_checks(layer: schema.LayerDef) -> dict[str, str]:
    """Every CHECK constraint of a layer table: name -> boolean SQL expression.

    ``<layer>_<field>_check`` for a field's domain (and range, when no rule declares it), and
    ``<layer>_rule_<key>`` for each hard rule that does not read the check date.
    """
    ranged = {r.key for r in layer.rules}
    out = {}
    for f in layer.fields:
        expr = _field_check(f, ranged=f"{f.name}_range" in ranged)
        if expr:
            out[f"{layer.name}_{f.name}_check"] = expr
    out.update(_rule_parts(layer)[0])
    return out


def layer_uniques(layer: schema.LayerDef) -> dict[str, str]:
    """Every UNIQUE constraint of a layer table: name -> column."""
    return {f"{layer.name}_{f.name}_unique": f.name for f in layer.fields if f.unique}


def _rule_trigger_sql(layer: schema.LayerDef, s: str) -> list[str]:
    """The BEFORE INSERT/UPDATE trigger enforcing rules that depend on the check date."""
    q = f'{s}."{layer.name}"'
    fn = f'{s}."zlt_rules_{layer.name}"'
    stmts = [f"DROP TRIGGER IF EXISTS zlt_rules ON {q}"]
    trig = _rule_parts(layer)[1]
    if not trig:
        return [*stmts, f"DROP FUNCTION IF EXISTS {fn}()"]
    body = []
    for name, (sql, rule) in trig.items():
        cond = re.sub(r'(?<![\w."])"([A-Za-z_][A-Za-z0-9_]*)"', r'NEW."\1"', sql)
        body.append(
            f"  IF NOT {cond} THEN\n"  # NULL passes, as in a CHECK
            "    RAISE EXCEPTION USING ERRCODE = 'check_violation',\n"
            f"      CONSTRAINT = {_literal(name)}, MESSAGE = {_literal(rule.message)};\n"
            "  END IF;")
    stmts.append(
        f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
        "BEGIN\n" + "\n".join(body) + "\n  RETURN NEW;\nEND\n$fn$")
    stmts.append(f"CREATE TRIGGER zlt_rules BEFORE INSERT OR UPDATE ON {q} FOR EACH ROW "
                 f"EXECUTE FUNCTION {fn}()")
    return stmts


def table_ddl(layer: schema.LayerDef, schema_name: str = "public") -> list[str]:
    """Idempotent statements that create a layer table or bring an existing one to the schema.

    A new table is created with every declared column; an older table gets the missing columns
    (a required one is filled with the field's declared default), ``NOT NULL`` as declared, and
    its CHECK and UNIQUE constraints rebuilt from the declaration (validating every row), its
    spatial index and its triggers.
    """
    s = f'"{schema_name}"'
    q = f'{s}."{layer.name}"'
    cols = ["fid BIGSERIAL PRIMARY KEY"]
    cols += [f'"{f.name}" '
             f'{PG_TYPES[f.type]}' + (" NOT NULL" if f.required else "") for f in layer.fields]
    cols.append("row_version INTEGER NOT NULL DEFAULT 1")
    cols.append(f"geom geometry({layer.geometry}, {SRID}) NOT NULL")
    stmts = [f"CREATE TABLE IF NOT EXISTS {q} (\n  " + ",\n  ".join(cols) + "\n)"]
    for f in layer.fields:
        if f.required and f.default is not None:
            stmts.append(f'ALTER TABLE {q} ADD COLUMN IF NOT EXISTS "{f.name}" {PG_TYPES[f.type]} '
                         f"DEFAULT {_sql_value(f.default, f.type)}")
            stmts.append(f'ALTER TABLE {q} ALTER COLUMN "{f.name}" DROP DEFAULT')
        else:
            stmts.append(f'ALTER TABLE {q} ADD COLUMN IF NOT EXISTS "{f.name}" {PG_TYPES[f.type]}')
        stmts.append(f'ALTER TABLE {q} ALTER COLUMN "{f.name}" '
                     + ("SET NOT NULL" if f.required else "DROP NOT NULL"))
    stmts.append(f"ALTER TABLE {q} ADD COLUMN IF NOT EXISTS row_version INTEGER NOT NULL DEFAULT 1")
    for name, expr in layer_checks(layer).items():
        stmts.append(f'ALTER TABLE {q} DROP CONSTRAINT IF EXISTS "{name}"')
        stmts.append(f'ALTER TABLE {q} ADD CONSTRAINT "{name}" CHECK ({expr})')
    for name, col in layer_uniques(layer).items():
        stmts.append(f'ALTER TABLE {q} DROP CONSTRAINT IF EXISTS "{name}"')
        stmts.append(f'ALTER TABLE {q} ADD CONSTRAINT "{name}" UNIQUE ("{col}")')
    stmts += [
        f"COMMENT ON TABLE {q} IS {_literal(f'{layer.zh} / {layer.en}')}",
        f'CREATE INDEX IF NOT EXISTS "{layer.name}_geom_gist" ON {q} USING GIST (geom)',
    ]
    for f in layer.fields:
        stmts.append(f'COMMENT ON COLUMN {q}."{f.name}" IS {_literal(f.label)}')
    stmts += _trigger_ddl(q, s)
    stmts += _rule_trigger_sql(layer, s)
    return stmts


def _trigger_ddl(q: str, s: str) -> list[str]:
    """Row version, audit and TRUNCATE-audit triggers of one layer table.

    BEFORE STATEMENT triggers fire in name order: ``zlt_a_stmt_reset`` clears the
    "version sent" mark of the statement, ``zlt_b_stmt_version_sent`` (an ``UPDATE OF
    row_version`` trigger: it fires only when the client put ``row_version`` in its SET list)
    sets it, so the audit knows which updates were checked against the version read.
    """
    out = []
    for name, spec in (
        ("zlt_a_stmt_reset", f"BEFORE UPDATE ON {q} FOR EACH STATEMENT EXECUTE FUNCTION "
                             f"{s}.zlt_stmt_reset()"),
        ("zlt_b_stmt_version_sent", f"BEFORE UPDATE OF row_version ON {q} FOR EACH STATEMENT "
                                    f"EXECUTE FUNCTION {s}.zlt_stmt_version_sent()"),
        ("zlt_row_version", f"BEFORE UPDATE ON {q} FOR EACH ROW EXECUTE FUNCTION "
                            f"{s}.zlt_row_version()"),
        ("zlt_audit", f"AFTER INSERT OR UPDATE OR DELETE ON {q} FOR EACH ROW "
                      f"EXECUTE FUNCTION {s}.zlt_audit_row()"),
        ("zlt_audit_truncate", f"BEFORE TRUNCATE ON {q} FOR EACH STATEMENT "
                               f"EXECUTE FUNCTION {s}.zlt_audit_truncate()"),
    ):
        out.append(f"DROP TRIGGER IF EXISTS {name} ON {q}")
        out.append(f"CREATE TRIGGER {name} {spec}")
    return out


#: Trigger names every layer table carries (``db status`` checks they exist and are enabled).
LAYER_TRIGGERS = ("zlt_a_stmt_reset", "zlt_b_stmt_version_sent", "zlt_row_version", "zlt_audit",
                  "zlt_audit_truncate")
AUDIT_TRIGGERS = ("zlt_audit_append_only", "zlt_audit_no_truncate")


def _base_ddl(s: str) -> list[str]:
    """The inventory's own tables (meta, layers, rasters, audit), created or completed."""
    a = f"{s}.{AUDIT_TABLE}"
    ops = ", ".join(_literal(o) for o in AUDIT_OPERATIONS)
    return [
        f"CREATE SCHEMA IF NOT EXISTS {s}",
        f"CREATE TABLE IF NOT EXISTS {s}.{META_TABLE} (\n  key TEXT PRIMARY KEY,\n  value TEXT NOT "
        "NULL\n)",
        f"CREATE TABLE IF NOT EXISTS {s}.{LAYERS_TABLE} (\n  name TEXT PRIMARY KEY\n)",
        f"""CREATE TABLE IF NOT EXISTS {s}.{RASTER_TABLE} (
  name TEXT PRIMARY KEY,
  content BYTEA NOT NULL,
  sha256 TEXT NOT NULL,
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
)""",
        # the 0.1 columns first, then the later ones: a migrated table has the same order
        f"""CREATE TABLE IF NOT EXISTS {a} (
  id BIGSERIAL PRIMARY KEY,
  table_name TEXT NOT NULL,
  operation TEXT NOT NULL,
  who TEXT NOT NULL,
  db_user TEXT NOT NULL DEFAULT session_user,
  at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  txid BIGINT NOT NULL DEFAULT txid_current(),
  obj_key TEXT,
  old_row JSONB,
  new_row JSONB
)""",
        f"ALTER TABLE {a} ADD COLUMN IF NOT EXISTS db_role TEXT",
        f"ALTER TABLE {a} ADD COLUMN IF NOT EXISTS app TEXT",
        f"ALTER TABLE {a} ADD COLUMN IF NOT EXISTS fid BIGINT",
        f"ALTER TABLE {a} ADD COLUMN IF NOT EXISTS version_checked BOOLEAN",
        f"ALTER TABLE {a} ADD COLUMN IF NOT EXISTS overwrote JSONB",
        f"ALTER TABLE {a} ALTER COLUMN db_user SET DEFAULT session_user",
        f"ALTER TABLE {a} DROP CONSTRAINT IF EXISTS {AUDIT_TABLE}_operation_check",
        f"ALTER TABLE {a} ADD CONSTRAINT {AUDIT_TABLE}_operation_check CHECK (operation IN "
        f"({ops}))",
        f"CREATE INDEX IF NOT EXISTS zlt_audit_key ON {a} (table_name, obj_key)",
        f"CREATE INDEX IF NOT EXISTS zlt_audit_fid ON {a} (table_name, fid, id)",
        # the append-only triggers are recreated after the migrations (which may backfill)
        f"DROP TRIGGER IF EXISTS zlt_audit_append_only ON {a}",
        f"DROP TRIGGER IF EXISTS zlt_audit_no_truncate ON {a}",
    ]


def _function_ddl(s: str) -> list[str]:
    a = f"{s}.{AUDIT_TABLE}"
    who = "coalesce(nullif(current_setting('zlt.editor', true), ''), session_user)"
    role = "nullif(nullif(current_setting('role', true), 'none'), '')"
    app = "nullif(current_setting('application_name', true), '')"
    definer = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
    mark = [f"""CREATE OR REPLACE FUNCTION {s}.{fn}() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM set_config('zlt.version_sent', '{value}', true);
  RETURN NULL;
END
$fn$""" for fn, value in (("zlt_stmt_reset", "off"), ("zlt_stmt_version_sent", "on"))]
    return [
        *mark,
        f"""CREATE OR REPLACE FUNCTION {s}.zlt_row_version() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.row_version IS DISTINCT FROM OLD.row_version THEN
    RAISE EXCEPTION '{CONFLICT_TAG}: % % was changed by someone else since it was read '
                    '(read version %, now version %)',
      TG_TABLE_NAME, coalesce(to_jsonb(OLD)->>'obj_id', 'fid ' || OLD.fid::text),
      NEW.row_version, OLD.row_version
      USING ERRCODE = 'P0001';
  END IF;
  NEW.row_version := OLD.row_version + 1;
  RETURN NEW;
END
$fn$""",
        # SECURITY DEFINER: editors cannot write the audit table, only this trigger can
        f"""CREATE OR REPLACE FUNCTION {s}.zlt_audit_row() RETURNS trigger
LANGUAGE plpgsql {definer} AS $fn$
DECLARE
  editor TEXT := {who};
  rec JSONB;
  old_j JSONB;
  new_j JSONB;
  checked BOOLEAN;
  k TEXT;
  prev RECORD;
  overlap JSONB := '{{}}'::jsonb;
BEGIN
  IF TG_OP <> 'INSERT' THEN old_j := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN new_j := to_jsonb(NEW); END IF;
  rec := coalesce(new_j, old_j);
  IF TG_OP = 'UPDATE' THEN
    checked := coalesce(current_setting('zlt.version_sent', true), '') = 'on';
    IF NOT checked THEN
      -- a client that did not send row_version: did it replace a value another editor set?
      FOR k IN SELECT key FROM jsonb_each(new_j)
               WHERE key NOT IN ('fid', 'row_version')
                 AND new_j->key IS DISTINCT FROM old_j->key LOOP
        SELECT p.who, p.db_user, p.at, p.old_row->k AS before, p.new_row->k AS theirs INTO prev
          FROM {a} p
         WHERE p.table_name = TG_TABLE_NAME AND p.fid = OLD.fid AND p.operation = 'UPDATE'
           AND p.old_row->k IS DISTINCT FROM p.new_row->k
         ORDER BY p.id DESC LIMIT 1;
        IF FOUND AND (prev.who IS DISTINCT FROM editor
                      OR prev.db_user IS DISTINCT FROM session_user::text) THEN
          overlap := overlap || jsonb_build_object(k, jsonb_build_object(
            'by', prev.who, 'db_user', prev.db_user, 'at', prev.at,
            'before', prev.before, 'theirs', prev.theirs, 'now', new_j->k));
        END IF;
      END LOOP;
    END IF;
  END IF;
  INSERT INTO {a} (table_name, operation, who, db_user, db_role, app, fid, obj_key,
                   version_checked, overwrote, old_row, new_row)
  VALUES (TG_TABLE_NAME, TG_OP, editor, session_user, {role}, {app}, (rec->>'fid')::bigint,
          coalesce(rec->>'obj_id', 'fid ' || (rec->>'fid')), checked,
          CASE WHEN overlap = '{{}}'::jsonb THEN NULL ELSE overlap END, old_j, new_j);
  RETURN NULL;
END
$fn$""",
        f"""CREATE OR REPLACE FUNCTION {s}.zlt_audit_truncate() RETURNS trigger
LANGUAGE plpgsql {definer} AS $fn$
DECLARE
  n BIGINT;
  rows_ JSONB;
BEGIN
  EXECUTE format('SELECT count(*), coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.fid), ''[]''::jsonb) '
                 'FROM %I.%I t',
                 TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO n, rows_;
  INSERT INTO {a} (table_name, operation, who, db_user, db_role, app, obj_key, old_row)
  VALUES (TG_TABLE_NAME, 'TRUNCATE', {who}, session_user, {role}, {app}, NULL,
          jsonb_build_object('count', n, 'rows', rows_));
  RETURN NULL;
END
$fn$""",
        f"""CREATE OR REPLACE FUNCTION {s}.zlt_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'the audit trail % is append-only: rows are never changed or removed',
    TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$fn$""",
    ]


def _audit_trigger_ddl(s: str) -> list[str]:
    a = f"{s}.{AUDIT_TABLE}"
    return [
        f"CREATE TRIGGER zlt_audit_append_only BEFORE UPDATE OR DELETE ON {a} FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.zlt_audit_append_only()",
        f"CREATE TRIGGER zlt_audit_no_truncate BEFORE TRUNCATE ON {a} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {s}.zlt_audit_append_only()",
    ]


_FUNCTIONS = ("zlt_stmt_reset", "zlt_stmt_version_sent", "zlt_row_version", "zlt_audit_row",
              "zlt_audit_truncate", "zlt_audit_append_only")


def _roles_ddl(s: str, roles: Roles) -> list[str]:
    """Create the three roles when missing, give the tables to the owner, grant the others."""
    stmts = []
    for r in roles.all():
        stmts.append("DO $do$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                     f"{_literal(r)}) "
                     f'THEN CREATE ROLE "{r}" NOLOGIN; END IF; END $do$')
    o, e, r = (f'"{x}"' for x in roles.all())
    stmts.append(f"DO $do$ BEGIN IF NOT pg_has_role(current_user, {_literal(roles.owner)}, "
                 f"'MEMBER') THEN EXECUTE format('GRANT %I TO %I', {_literal(roles.owner)}, "
                 "current_user); END IF; END $do$")
    stmts += [f"GRANT USAGE ON SCHEMA {s} TO {o}, {e}, {r}", f"GRANT CREATE ON SCHEMA {s} TO {o}"]
    own = [META_TABLE, LAYERS_TABLE, RASTER_TABLE, AUDIT_TABLE, *schema.LAYERS]
    for t in own:
        stmts += [f'ALTER TABLE {s}."{t}" OWNER TO {o}', f'REVOKE ALL ON {s}."{t}" FROM PUBLIC',
                  f'GRANT SELECT ON {s}."{t}" TO {r}, {e}']
    for t in schema.LAYERS:
        stmts += [f'GRANT INSERT, UPDATE, DELETE ON {s}."{t}" TO {e}',
                  f'GRANT USAGE, SELECT ON SEQUENCE {s}."{t}_fid_seq" TO {e}']
    stmts += [f"GRANT INSERT ON {s}.{LAYERS_TABLE} TO {e}",
              f"GRANT INSERT, UPDATE ON {s}.{RASTER_TABLE} TO {e}"]
    for fn in _FUNCTIONS:
        stmts.append(f"ALTER FUNCTION {s}.{fn}() OWNER TO {o}")
    for layer in schema.LAYERS.values():
        if _rule_parts(layer)[1]:
            stmts.append(f'ALTER FUNCTION {s}."zlt_rules_{layer.name}"() OWNER TO {o}')
    return stmts


def ddl(schema_name: str = "public", roles: Roles | None = None) -> list[str]:
    """Every statement ``db init`` runs after the migrations, in order, generated from the schema.

    The statements are idempotent: on a new database they create everything, on an older one
    they complete it (see :func:`table_ddl`). ``roles`` adds the role, ownership and grant
    statements. The ordered :data:`MIGRATIONS` of an older database run between the base tables
    and these statements (:func:`init_db`).
    """
    s = f'"{schema_name}"'
    stmts = _base_ddl(s) + _function_ddl(s)
    for layer in schema.LAYERS.values():
        stmts += table_ddl(layer, schema_name)
    stmts += _audit_trigger_ddl(s)
    if roles is not None:
        stmts += _roles_ddl(s, roles)
    return stmts


def schema_fingerprint() -> str:
    """A digest of the layer DDL generated from the schema: changes when the schema does."""
    text = "\n".join(st for layer in schema.LAYERS.values() for st in table_ddl(layer, "s"))
    return hashlib.sha256(f"{DDL_VERSION}\n{text}".encode()).hexdigest()[:16]


# ============================================================================ migrations
@dataclass(frozen=True)
class Migration:
    """One ordered step from DDL version ``version - 1`` to ``version``.

    The declarative part (new columns, constraints, functions, triggers, grants) is in
    :func:`ddl` and runs on every ``db init``; a migration holds what cannot be declared: data
    moved or backfilled. ``sql(s)`` returns its statements for the quoted schema ``s``; they run
    after the base tables are completed and before the triggers are recreated.
    """

    version: int
    zh: str
    en: str
    sql: Any  # Callable[[str], list[str]]


def _m2(s: str) -> list[str]:
    a = f"{s}.{AUDIT_TABLE}"
    return [f"UPDATE {a} SET fid = coalesce(new_row->>'fid', old_row->>'fid')::bigint WHERE fid IS "
            "NULL"]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "角色(所有者/编辑者/读者)、审计记录数据库用户、TRUNCATE "
                 "审计、只追加审计、覆盖他人修改的标记",
              "roles (owner/editor/reader), the database login in the audit, TRUNCATE audited, "
              "append-only audit, marks for updates that replaced another editor's change", _m2),
)


def _meta(conn: Any, target: PgTarget) -> dict[str, str]:
    reg = conn.execute("SELECT to_regclass(%s)", (f'"{target.schema}".{META_TABLE}',)).fetchone()
    if not reg or not reg[0]:
        return {}
    return dict(conn.execute(f"SELECT key, value FROM {target.q(META_TABLE)}").fetchall())


def _stored_version(meta: dict[str, str]) -> int | None:
    v = meta.get("ddl_version")
    try:
        return int(v) if v is not None else None
    except ValueError:
        return None


def _newer_database(target: PgTarget, version: int) -> Refused:
    return Refused(
        f"{target.display} was set up by a newer zlt-assets (DDL version {version}; this "
        f"zlt-assets {__version__} writes version {DDL_VERSION}): upgrade zlt-assets; nothing was "
        "changed",
        zh=f"{target.display} 由较新的 zlt-assets 建立(DDL 版本 {version},本程序为 {DDL_VERSION}):"
           "请升级 zlt-assets;未做任何更改")


def _table_exists(conn: Any, target: PgTarget, name: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s)", (target.q(name),)).fetchone()
    return bool(row and row[0])


def _columns(conn: Any, target: PgTarget, table: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        (target.q(table),)).fetchall()
    return dict(rows)


def _sample_ids(conn: Any, target: PgTarget, layer: schema.LayerDef, where: str) -> str:
    key = '"obj_id"' if "obj_id" in layer.field_names else "'fid ' || fid"
    rows = conn.execute(f"SELECT {key} FROM {target.q(layer.name)} WHERE {where} ORDER BY fid "
                        "LIMIT 5"
                        ).fetchall()
    return ", ".join(str(r[0]) for r in rows)


def _migration_blockers(conn: Any, target: PgTarget) -> list[tuple[str, str]]:
    """What stops the schema from being applied to existing tables: (en, zh) for each."""
    out: list[tuple[str, str]] = []
    for layer in schema.LAYERS.values():
        if not _table_exists(conn, target, layer.name):
            continue
        q = target.q(layer.name)
        have = _columns(conn, target, layer.name)
        n_rows = conn.execute(f"SELECT count(*) FROM {q}").fetchone()[0]
        mistyped = set()
        for f in layer.fields:
            t = have.get(f.name)
            if t is None:
                if f.required and f.default is None and n_rows:
                    out.append((f"{layer.name}.{f.name} is a new required field and the table "
                                f"holds {n_rows} rows: declare a default for it in the schema, or "
                                "pull the inventory, fill the field, re-create the tables (db "
                                "init, dropping them) and push it back",
                                f"{layer.name}.{f.name} 是新的必填字段而表中已有 {n_rows} 行:请在 "
                                "schema 中声明默认值,或 db pull 后补填,删除重建(db init)再 db "
                                "push"))
                continue
            if t != _CATALOG_TYPES[f.type]:
                mistyped.add(f.name)
                out.append((f"{layer.name}.{f.name} is {t} in the database but {f.type} in the "
                            "schema: convert it by hand (ALTER TABLE ... TYPE), or pull the "
                            "inventory, re-create the tables and push it back",
                            f"{layer.name}.{f.name} 在数据库中为 {t},schema 中为 "
                            f"{f.type}:请手工转换类型"))
                continue
            if f.required:
                where = f'"{f.name}" IS NULL'
                bad = conn.execute(f"SELECT count(*) FROM {q} WHERE {where}").fetchone()[0]
                if bad:
                    ids = _sample_ids(conn, target, layer, where)
                    out.append((f"{layer.name}.{f.name} is now required and {bad} rows have no "
                                f"value ({ids}): fill them, then run db init again",
                                f"{layer.name}.{f.name} 现为必填,有 {bad} 行为空({ids}):"
                                "请补填后再运行 db init"))
        geom = have.get("geom")
        want = f"geometry({layer.geometry},{SRID})"
        if geom is not None and geom.replace(" ", "").lower() != want.lower():
            out.append((f"{layer.name}.geom is {geom} in the database but {want} in the schema",
                        f"{layer.name}.geom 在数据库中为 {geom},schema 中为 {want}"))
        for name, expr in layer_checks(layer).items():
            cols = set(re.findall(r'"([A-Za-z_][A-Za-z0-9_]*)"', expr))
            if not cols <= set(have) or cols & mistyped:
                continue  # a new column (NULL everywhere, passes) or one reported above
            where = f"({expr}) IS FALSE"
            bad = conn.execute(f"SELECT count(*) FROM {q} WHERE {where}").fetchone()[0]
            if bad:
                out.append((f"{bad} rows of {layer.name} break {name} "
                            f"({_sample_ids(conn, target, layer, where)}): fix them, then run db "
                            "init again",
                            f"{layer.name} 有 {bad} 行违反 {name}:请修正后再运行 db init"))
        for col in layer_uniques(layer).values():
            if col not in have:
                continue
            dup = conn.execute(f'SELECT count(*) FROM (SELECT "{col}" FROM {q} WHERE "{col}" IS '
                               f'NOT NULL GROUP BY "{col}" HAVING count(*) > 1) d').fetchone()[0]
            if dup:
                out.append((f"{dup} values of {layer.name}.{col} appear more than once: make them "
                            "unique, then run db init again",
                            f"{layer.name}.{col} 有 {dup} 个值重复:请改为唯一后再运行 db init"))
    return out


def _obsolete_constraints(conn: Any, target: PgTarget) -> list[str]:
    """DROP statements for constraints zlt-assets once made and the schema no longer declares."""
    out = []
    for layer in schema.LAYERS.values():
        if not _table_exists(conn, target, layer.name):
            continue
        wanted = set(layer_checks(layer)) | set(layer_uniques(layer))
        rows = conn.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
                            "AND contype IN ('c', 'u')", (target.q(layer.name),)).fetchall()
        for (con,) in rows:
            mine = con.startswith(f"{layer.name}_") and (
                con.endswith(("_check", "_unique")) or con.startswith(f"{layer.name}_rule_"))
            if mine and con not in wanted:
                out.append(f'ALTER TABLE {target.q(layer.name)} DROP CONSTRAINT "{con}"')
    return out


def _can_create_roles(conn: Any) -> bool:
    row = conn.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = "
                       "current_user").fetchone()
    return bool(row and row[0])


def _missing_roles(conn: Any, roles: Roles) -> list[str]:
    have = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)",
                                       (list(roles.all()),)).fetchall()}
    return [r for r in roles.all() if r not in have]


@dataclass
class InitReport:
    """What ``db init`` did."""

    target: str
    from_version: int | None
    to_version: int
    layers: list[str]
    roles: Roles | None
    migrations: list[int] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def init_db(url: str, *, drop: bool = False, roles: str | None = "zlt") -> InitReport:
    """Create the inventory, or migrate an older one to this version, in one transaction.

    Parameters
    ----------
    url
        ``postgresql://...`` URL (``?schema=`` chooses the schema).
    drop
        Drop the inventory's tables first (their rows and history are lost).
    roles
        Prefix of the owner/editor/reader roles to create (when missing) and grant; ``None``
        leaves roles and grants alone (every user that can reach the tables is then equal).
        When the database was set up with roles, their stored prefix is kept.

    Returns
    -------
    InitReport
        The versions before and after, the migrations applied, the roles used.

    Raises
    ------
    Refused
        The database is newer than this code, or existing rows stop the migration (each
        reason says what to do); nothing was changed.
    BadInput
        The roles are missing and this user may not create them.
    MissingComponent
        PostGIS is not available, or the server went away (nothing was committed).
    """
    psycopg = _psycopg()

    target = parse_url(url)
    action = "db init"
    with connect(target) as conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            conn.commit()
        except psycopg.Error as exc:
            conn.rollback()
            if _is_disconnect(exc, conn):
                raise _translate(exc, target, action, writing=True, conn=conn) from None
            raise MissingComponent(f"the PostGIS extension is not available in {target.display}: "
                                   f"{one_line(exc)}",
                                   zh=f"{target.display} 中没有 PostGIS 扩展") from None
        with _db_errors(target, action, writing=True, conn=conn):
            # one init at a time per schema; everything below is one transaction
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                         (f"zlt-init:{target.schema}",))
            meta = _meta(conn, target)
            before = _stored_version(meta) if meta else None
            if meta and before is None:
                before = 1
            if before is not None and before > DDL_VERSION:
                raise _newer_database(target, before)
            stored_prefix = meta.get("roles") if meta else None
            use_roles = Roles(stored_prefix) if stored_prefix else (Roles(roles) if roles else None)
            dropped: list[str] = []
            if drop:
                for name in [*schema.LAYERS, AUDIT_TABLE, LAYERS_TABLE, RASTER_TABLE, META_TABLE]:
                    if _table_exists(conn, target, name):
                        dropped.append(name)
                    conn.execute(f"DROP TABLE IF EXISTS {target.q(name)} CASCADE")
                before = None
            if use_roles is not None:
                missing = _missing_roles(conn, use_roles)
                if missing and not _can_create_roles(conn):
                    raise BadInput(
                        f"the roles {', '.join(missing)} do not exist and this database user may "
                        f"not create them: ask the administrator to run CREATE ROLE {missing[0]} "
                        f"NOLOGIN; (each of {', '.join(missing)}) and GRANT {use_roles.owner} TO "
                        "<you>, or run db init without roles",
                        zh=f"角色 {', '.join(missing)} "
                           "不存在且当前用户无权创建:请管理员创建这些角色并 GRANT "
                           f"{use_roles.owner} 给你,或不建角色运行 db init")
            blockers = _migration_blockers(conn, target)
            if blockers:
                raise Refused(
                    f"cannot bring {target.display} to DDL version {DDL_VERSION}: "
                    + "; ".join(en for en, _ in blockers) + "; nothing was changed",
                    zh=f"无法将 {target.display} 升级到 DDL 版本 {DDL_VERSION}:"
                       + ";".join(zh for _, zh in blockers) + ";未做任何更改")
            s = f'"{target.schema}"'
            for stmt in _base_ddl(s):
                conn.execute(stmt)
            applied = []
            for m in MIGRATIONS:
                if before is not None and before < m.version:
                    for stmt in m.sql(s):
                        conn.execute(stmt)
                    applied.append(m.version)
            for stmt in _obsolete_constraints(conn, target):
                conn.execute(stmt)
            for stmt in ddl(target.schema, use_roles)[len(_base_ddl(s)):]:
                conn.execute(stmt)
            for key, value in (("ddl_version", str(DDL_VERSION)),
                               ("zlt_assets_version", __version__),
                               ("schema_fingerprint", schema_fingerprint()),
                               ("roles", use_roles.prefix if use_roles else "")):
                conn.execute(f"INSERT INTO {target.q(META_TABLE)} (key, value) VALUES (%s, %s) "
                             "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (key, value))
            if before != DDL_VERSION or applied or dropped:
                conn.execute(
                    f"INSERT INTO {target.q(AUDIT_TABLE)} (table_name, operation, who, db_user, "
                    "db_role, app, new_row) VALUES (%s, 'MIGRATE', %s, session_user, "
                    "nullif(nullif(current_setting('role', true), 'none'), ''), "
                    "nullif(current_setting('application_name', true), ''), %s::jsonb)",
                    (META_TABLE, editor_name(),
                     _json({"from": before, "to": DDL_VERSION, "migrations": applied,
                            "dropped": dropped, "zlt_assets": __version__})))
        _commit(conn, target, action)
    return InitReport(target.display, before, DDL_VERSION, list(schema.LAYERS), use_roles,
                      applied, dropped)


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False, default=str)


def grant_role(url: str, kind: str, users: list[str]) -> Roles:
    """Make database logins members of the inventory's ``owner``, ``editor`` or ``reader`` role.

    The logins must exist (``CREATE ROLE name LOGIN PASSWORD ...`` is the administrator's job).
    """
    target = parse_url(url)
    with connect(target) as conn:
        with _db_errors(target, "db grant", writing=True, conn=conn):
            meta = _meta(conn, target)
            if not meta:
                raise _not_initialised(target)
            if not meta.get("roles"):
                raise BadInput(f"{target.display} was initialised without roles: run db init with "
                               "roles first",
                               zh=f"{target.display} 初始化时未建角色:请先用角色运行 db init")
            roles = Roles(meta["roles"])
            role = roles.by_kind(kind)
            for u in users:
                row = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (u,)).fetchone()
                if not row:
                    raise BadInput(f"there is no database login {u!r}: create it first (CREATE "
                                   "ROLE ... LOGIN)",
                                   zh=f"数据库登录 {u!r} 不存在:请先创建(CREATE ROLE ... LOGIN)")
                conn.execute(f'GRANT "{role}" TO "{u}"')
        _commit(conn, target, "db grant")
    return roles


def _not_initialised(target: PgTarget) -> InventoryError:
    return InventoryError(f"{target.display} holds no zlt-assets inventory; "
                          f"run: zlt-assets db init {{option}} {target.display}",
                          zh=f"{target.display} 中没有 zlt-assets 清单;请先运行 zlt-assets db init "
                             f"{{option}} {target.display}", option=OPTION)


# ============================================================================ status
@dataclass
class DbStatus:
    """What ``db status`` shows: versions, roles, triggers, layers, possible lost updates."""

    target: str
    initialised: bool
    db_version: int | None
    code_version: int = DDL_VERSION
    zlt_assets: str | None = None
    schema_current: bool = False
    user: str = ""
    user_roles: list[str] = field(default_factory=list)
    roles: str | None = None
    roles_missing: list[str] = field(default_factory=list)
    layers: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    overlaps: int = 0

    @property
    def ok(self) -> bool:
        """Initialised, current, and without problems."""
        return self.initialised and not self.problems and not self.pending

    def as_dict(self) -> dict[str, Any]:
        """The status as plain data (``db status --json``)."""
        return {k: getattr(self, k) for k in (
            "target", "initialised", "db_version", "code_version", "zlt_assets", "schema_current",
            "user", "user_roles", "roles", "roles_missing", "layers", "problems", "pending",
            "overlaps")} | {"ok": self.ok}


def db_status(url: str) -> DbStatus:
    """The database's DDL version beside the code's, and what ``db init`` or the owner must do."""
    target = parse_url(url)
    with connect(target, autocommit=True) as conn, \
            _db_errors(target, "db status", writing=False, conn=conn):
        user = conn.execute("SELECT session_user").fetchone()[0]
        if _table_exists(conn, target, META_TABLE) and not conn.execute(
                "SELECT has_table_privilege(%s, 'SELECT')", (target.q(META_TABLE),)).fetchone()[0]:
            st = DbStatus(target.display, True, None, user=user)
            st.problems.append(f"the login {user} holds no role on this inventory: ask its owner "
                               f"to run zlt-assets db grant reader {user} (or editor)")
            return st
        meta = _meta(conn, target)
        st = DbStatus(target.display, bool(meta), _stored_version(meta) if meta else None,
                      user=user)
        if not meta:
            st.pending.append(f"not initialised: run zlt-assets db init --data {target.display}")
            return st
        if st.db_version is None:
            st.db_version = 1
        st.zlt_assets = meta.get("zlt_assets_version")
        st.schema_current = meta.get("schema_fingerprint") == schema_fingerprint()
        if st.db_version < DDL_VERSION:
            steps = [f"{m.version}: {m.en}" for m in MIGRATIONS if m.version > st.db_version]
            st.pending.append(f"DDL version {st.db_version} < {DDL_VERSION}: db init will migrate ("
                              + "; ".join(steps) + ")")
        elif st.db_version > DDL_VERSION:
            st.problems.append(f"DDL version {st.db_version} is newer than this zlt-assets "
                               f"({DDL_VERSION}): upgrade")
        elif not st.schema_current:
            st.pending.append("the schema changed since the last db init: run db init to apply it")
        st.roles = meta.get("roles") or None
        if conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = session_user").fetchone()[0]:
            st.user_roles.append("superuser")
        if st.roles:
            roles = Roles(st.roles)
            st.roles_missing = _missing_roles(conn, roles)
            for r in roles.all():
                if "superuser" not in st.user_roles and r not in st.roles_missing and conn.execute(
                        "SELECT pg_has_role(session_user, %s, 'MEMBER')", (r,)).fetchone()[0]:
                    st.user_roles.append(r)
            if st.roles_missing:
                st.problems.append(f"roles missing: {', '.join(st.roles_missing)} (run db init)")
        else:
            st.problems.append("no roles: every user that reaches the tables may alter, truncate "
                               "or disable triggers (run db init with roles)")
        for layer in schema.LAYERS:
            if not _table_exists(conn, target, layer):
                st.pending.append(f"table {layer} missing (run db init)")
                continue
            st.layers[layer] = int(conn.execute("SELECT count(*) FROM "
                                                f"{target.q(layer)}").fetchone()[0])
            expected = LAYER_TRIGGERS if st.db_version >= 2 else ("zlt_row_version", "zlt_audit")
            if st.db_version >= 2 and _rule_parts(schema.LAYERS[layer])[1]:
                expected = (*expected, "zlt_rules")
            _check_table(conn, target, layer, expected,
                         st, roles=Roles(st.roles) if st.roles else None)
        if st.db_version >= 2:
            _check_table(conn, target, AUDIT_TABLE, AUDIT_TRIGGERS, st, roles=None)
            st.overlaps = int(conn.execute(
                f"SELECT count(*) FROM {target.q(AUDIT_TABLE)} WHERE overwrote IS NOT "
                "NULL").fetchone()[0])
    return st


def _check_table(conn: Any, target: PgTarget, table: str, triggers: tuple[str, ...], st: DbStatus,
                 roles: Roles | None) -> None:
    rows = dict(conn.execute("SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = "
                             "%s::regclass AND NOT tgisinternal", (target.q(table),)).fetchall())
    for t in triggers:
        if t not in rows:
            st.problems.append(f"trigger {t} missing on {table} (run db init)")
        elif rows[t] == "D":
            st.problems.append(f"trigger {t} on {table} is DISABLED: edits are not audited or "
                               "versioned (run db init to restore it; ALTER TABLE ... DISABLE "
                               "TRIGGER needs the owner role)")
    if roles is None:
        return
    owner = conn.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass",
                         (target.q(table),)).fetchone()[0]
    if owner != roles.owner:
        st.problems.append(f"{table} is owned by {owner}, not {roles.owner} (run db init)")
    for kind in ("editor", "reader"):
        r = roles.by_kind(kind)
        if r in st.roles_missing:
            continue
        for priv in ("TRUNCATE", "TRIGGER", "REFERENCES"):
            if conn.execute("SELECT has_table_privilege(%s, %s, "
                            "%s)", (r, target.q(table), priv)).fetchone()[0]:
                st.problems.append(f"{r} holds {priv} on {table} (only the owner should)")


# ============================================================================ values
def _py(v: Any, ftype: str | None) -> Any:
    """A Python value psycopg can send, None for missing."""
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, np.generic):
        v = v.item()
    if ftype == "integer" and isinstance(v, float):
        return int(v) if v.is_integer() else v
    if ftype in ("date", "datetime") and isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
        return v.isoformat()[:10] if ftype == "date" else pd.Timestamp(v).isoformat()
    if ftype == "real" and isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _from_db(v: Any) -> Any:
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return v


def _rule_by_constraint() -> dict[str, Any]:
    return {rule_constraint_name(layer, r): r
            for layer in schema.LAYERS.values() for r in layer.rules}


def _db_error_message(exc: BaseException, layer: str | None = None) -> str:
    diag = getattr(exc, "diag", None)
    primary = (getattr(diag, "message_primary", None) or str(exc)) if diag else str(exc)
    constraint = getattr(diag, "constraint_name", None) if diag else None
    column = getattr(diag, "column_name", None) if diag else None
    where = layer or (getattr(diag, "table_name", None) if diag else None) or ""
    rule = _rule_by_constraint().get(constraint or "")
    if rule is not None:
        return f"{where}: {rule.en} ({rule.zh}; rule {rule.key})"
    if constraint and constraint.endswith("_check"):
        return f"{where}: a value breaks the constraint {constraint} ({one_line(primary)})"
    if constraint and constraint.endswith("_unique"):
        detail = getattr(diag, "message_detail", None) or ""
        return f"{where}: duplicate value ({one_line(detail) or constraint})"
    if column:
        return f"{where}.{column}: {one_line(primary)}"
    return f"{where}: {one_line(primary)}" if where else one_line(primary)


def _require_current(conn: Any, target: PgTarget) -> None:
    """Refuse to write into a database whose DDL version is not this code's."""
    meta = _meta(conn, target)
    if not meta:
        raise _not_initialised(target)
    version = _stored_version(meta) or 1
    if version > DDL_VERSION:
        raise _newer_database(target, version)
    if version < DDL_VERSION:
        raise Refused(f"{target.display} has DDL version {version}, this zlt-assets writes version "
                      f"{DDL_VERSION}: run zlt-assets db init {{option}} {target.display} (as "
                      "the owner) to migrate it first; nothing was written",
                      zh=f"{target.display} 的 DDL 版本为 {version},本程序为 {DDL_VERSION}:"
                         f"请先(以所有者身份)运行 zlt-assets db init {{option}} {target.display} "
                         "迁移;未写入任何更改", option=OPTION)


# ============================================================================ the backend
@dataclass
class PostGISInventory(Inventory):
    """An inventory held in PostGIS, with the same reading and writing API as a GeoPackage.

    ``path`` is a stand-in (the database name) so code that names outputs after ``path.stem``
    keeps working; the population grid is materialised to a cached GeoTIFF for raster readers.

    The inventory remembers the row versions of what it read (per layer): a later
    :meth:`write` through the same object refuses to delete or overwrite rows someone else
    changed or added since, even when the frame written does not carry the versions itself
    (as ``import --mode replace`` writes a new frame after taking its backup).
    """

    url: str = ""
    target: PgTarget = field(default_factory=lambda: PgTarget(""))
    _conn: Any = field(default=None, repr=False, compare=False)
    _seen: dict[str, dict[str, dict[Any, int]]] = field(default_factory=dict, repr=False,
                                                        compare=False)

    @classmethod
    def connect(cls, url: str, *, must_exist: bool = True) -> PostGISInventory:
        """Open the inventory at ``url`` (refused when not initialised and ``must_exist``)."""
        target = parse_url(url)
        dbname = urlsplit(target.conninfo).path.lstrip("/") or "postgres"
        inv = cls(path=Path(dbname), url=url, target=target)
        if must_exist and not inv.initialised():
            raise _not_initialised(target)
        return inv

    # ------------------------------------------------------------------ plumbing
    @property
    def backend(self) -> str:
        """``"postgis"``."""
        return "postgis"

    @property
    def label(self) -> str:
        """The URL without password."""
        return self.target.display

    def conn(self) -> Any:
        """The shared autocommit connection for reads (opened on first use)."""
        if self._conn is None or self._conn.closed:
            self._conn = connect(self.target, autocommit=True)
        return self._conn

    def _query(self, sql: str, args: Any = None) -> list[tuple[Any, ...]]:
        conn = self.conn()
        with _db_errors(self.target, "reading", writing=False, conn=conn):
            return list(conn.execute(sql, args).fetchall())

    def close(self) -> None:
        """Close the read connection."""
        if self._conn is not None and not self._conn.closed:
            self._conn.close()
        self._conn = None

    def __del__(self) -> None:  # pragma: no cover - best effort
        with suppress(Exception):
            self.close()

    def initialised(self) -> bool:
        """True when ``db init`` ran on this schema."""
        row = self._query("SELECT to_regclass(%s)", (f'"{self.target.schema}".{META_TABLE}',))
        return bool(row and row[0][0])

    def _table_columns(self, layer: str) -> list[str]:
        rows = self._query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = %s ORDER BY ordinal_position", (self.target.schema, layer))
        return [r[0] for r in rows]

    # ------------------------------------------------------------------ reading
    def list_layers(self) -> list[str]:
        """Layers this inventory holds (pushed, written, or holding rows), in schema order."""
        if not self.initialised():
            raise _not_initialised(self.target)
        names = {r[0] for r in self._query(f"SELECT name FROM {self.target.q(LAYERS_TABLE)}")}
        # a table filled by another client (e.g. digitised in QGIS) counts too
        tables = {r[0] for r in self._query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (self.target.schema,))}
        for n in schema.LAYERS:
            if n not in names and n in tables and self._query(
                    f"SELECT EXISTS (SELECT 1 FROM {self.target.q(n)})")[0][0]:
                names.add(n)
        return [n for n in schema.LAYERS if n in names]

    def has(self, layer: str) -> bool:
        """True when the inventory holds ``layer`` (an empty layer counts as read empty)."""
        held = layer in self.list_layers()
        if not held and layer in schema.LAYERS:
            self._seen.setdefault(layer, {"obj": {}, "fid": {}})  # read as empty
        return held

    def read_raw(self, layer: str) -> gpd.GeoDataFrame:
        """A layer with its declared columns, ``row_version`` and geometry (EPSG:4550).

        The versions read are also kept in ``gdf.attrs['zlt_versions']`` (by object id) and
        ``gdf.attrs['zlt_fids']`` (by fid), and remembered by this inventory, so that
        :meth:`write` can refuse to overwrite or delete rows someone else changed since.
        """
        if layer not in self.list_layers():
            raise InventoryError(f"layer {layer!r} is missing from {self.label}",
                                 zh=f"{self.label} 中没有图层 {layer!r}")
        gdf, seen = self._frame(layer, set(self._table_columns(layer)), self._query)
        self._seen[layer] = seen
        return gdf

    def _frame(self, layer: str, present: set[str],
               run: Any) -> tuple[gpd.GeoDataFrame, dict[str, dict[Any, int]]]:
        """The layer's rows as a typed frame, and the versions read (``run(sql)`` queries)."""
        decl = schema.LAYERS[layer]
        cols = [f.name for f in decl.fields if f.name in present]
        sel = ", ".join(f'"{c}"' for c in cols)
        rows = run(f"SELECT fid, {sel + ', ' if sel else ''}row_version, ST_AsBinary(geom) "
                   f"FROM {self.target.q(layer)} ORDER BY fid")
        data: dict[str, list[Any]] = {c: [] for c in cols}
        versions: list[int] = []
        fids: list[int] = []
        wkb: list[bytes | None] = []
        for r in rows:
            fids.append(int(r[0]))
            for c, v in zip(cols, r[1:1 + len(cols)], strict=True):
                data[c].append(_from_db(v))
            versions.append(int(r[1 + len(cols)]))
            wkb.append(bytes(r[-1]) if r[-1] is not None else None)
        frame = pd.DataFrame(data, columns=cols)
        for f in decl.fields:
            if f.name in frame.columns and f.type in ("integer",):
                frame[f.name] = pd.array(frame[f.name].tolist(), dtype="Int64")
            elif f.name in frame.columns and f.type == "boolean":
                frame[f.name] = pd.array(frame[f.name].tolist(), dtype="boolean")
            elif f.name in frame.columns and f.type == "real":
                frame[f.name] = pd.to_numeric(frame[f.name], errors="coerce").astype("float64")
            elif f.name in frame.columns:
                frame[f.name] = frame[f.name].astype(object)
        frame["row_version"] = pd.array(versions, dtype="Int64")
        geoms = shapely.from_wkb(np.array(wkb, dtype=object)) if wkb else np.array([], dtype=object)
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=f"EPSG:{SRID}"),
                               crs=f"EPSG:{SRID}")
        seen: dict[str, dict[Any, int]] = {"fid": dict(zip(fids, versions, strict=True)), "obj": {}}
        gdf.attrs["zlt_fids"] = dict(seen["fid"])
        if "obj_id" in gdf.columns:
            seen["obj"] = {str(k): int(v) for k, v in zip(gdf["obj_id"], versions, strict=True)}
            gdf.attrs["zlt_versions"] = dict(seen["obj"])
        return gdf, seen

    # ------------------------------------------------------------------ population raster
    @property
    def population_path(self) -> Path:
        """A GeoTIFF path for raster readers: ``?population=`` or the stored grid (cached)."""
        import tempfile

        if self.target.population is not None:
            return self.target.population
        cache = Path(tempfile.gettempdir()) / "zlt-assets-cache"
        row = None
        if self.initialised():
            row = self._query(f"SELECT sha256 FROM {self.target.q(RASTER_TABLE)} WHERE name = "
                              "'population'")
        if not row:
            return cache / f"{self.path.name}_population.tif"
        out = cache / f"{row[0][0]}_population.tif"
        if not out.exists():
            content = self._query(
                f"SELECT content FROM {self.target.q(RASTER_TABLE)} WHERE name = "
                "'population'")[0][0]
            cache.mkdir(parents=True, exist_ok=True)
            write_bytes(out, bytes(content))
        return out

    def has_population(self) -> bool:
        """True when a population grid is stored (or given by ``?population=``)."""
        if self.target.population is not None:
            return self.target.population.exists()
        if not self.initialised():
            return False
        return bool(self._query(f"SELECT 1 FROM {self.target.q(RASTER_TABLE)} WHERE name = "
                                "'population'"))

    def store_population(self, tif: Path | bytes, conn: Any = None) -> None:
        """Store a population GeoTIFF in the database (replacing the stored one).

        With ``conn``, inside that connection's transaction (as :func:`push` does); alone, in a
        transaction of its own.
        """
        content = tif if isinstance(tif, bytes) else _population_bytes(Path(tif))
        sql = (f"INSERT INTO {self.target.q(RASTER_TABLE)} (name, content, sha256) "
               "VALUES ('population', %s, %s) ON CONFLICT (name) DO UPDATE "
               "SET content = EXCLUDED.content, sha256 = EXCLUDED.sha256, updated = now()")
        args = (content, hashlib.sha256(content).hexdigest())
        if conn is not None:
            conn.execute(sql, args)
            return
        own = connect(self.target)
        try:
            with _db_errors(self.target, "storing the population grid", writing=True, conn=own):
                _require_current(own, self.target)
                own.execute(sql, args)
            _commit(own, self.target, "storing the population grid")
        finally:
            own.close()

    # ------------------------------------------------------------------ writing
    def write(self, layers: dict[str, gpd.GeoDataFrame], *, check_versions: bool = True,
              create: bool = True,  # noqa: ARG002 - the GeoPackage API's; a database exists
              backup_dir: str | os.PathLike[str] | None = None) -> Path | None:
        """Make the given layers hold exactly these rows, in one transaction (all or none).

        Rows are matched on ``obj_id`` where the layer has one: unchanged rows are left alone,
        changed rows are updated, missing rows deleted, new rows inserted - so the audit trail
        records real changes only. The versions checked are those the frame carries (read from
        this database: ``row_version`` / ``attrs['zlt_versions']``), else those this inventory
        read: a row changed or added by someone else since raises
        :class:`~zlt_assets.errors.Refused` and nothing is written.

        With ``backup_dir``, the layers are locked against other writers, copied as they are
        into a GeoPackage there (``<db>-<layer>.backup-<time>.gpkg``), and then written, in the
        same transaction: the backup holds exactly what the write replaces. Returns its path.
        """
        _check_declared(layers)
        conn = connect(self.target)
        backup = None
        try:
            with _db_errors(self.target, "the write", writing=True, conn=conn):
                _require_current(conn, self.target)
                if backup_dir is not None:
                    backup = self._backup_in(conn, list(layers), Path(backup_dir))
                seen = self._write_in(conn, layers, check_versions=check_versions)
            _commit(conn, self.target, "the write")
        finally:
            conn.close()
        self._seen.update(seen)
        return backup

    def _backup_in(self, conn: Any, names: list[str], folder: Path) -> Path:
        """Lock ``names`` (other writers wait, readers go on) and copy them into a GeoPackage."""
        tables = ", ".join(self.target.q(n) for n in names)
        conn.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")

        def run(sql: str) -> list[tuple[Any, ...]]:
            return list(conn.execute(sql).fetchall())

        frames = {}
        for n in names:
            present = set(_columns(conn, self.target, n))
            frames[n] = self._frame(n, present, run)[0].drop(columns=["row_version"])
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        base = f"{self.path.name}-{names[0]}" if len(names) == 1 else self.path.name
        folder.mkdir(parents=True, exist_ok=True)
        dst = folder / f"{base}.backup-{stamp}.gpkg"
        k = 1
        while dst.exists():
            dst = folder / f"{base}.backup-{stamp}-{k}.gpkg"
            k += 1
        write_layers(dst, frames, replace_file=True)
        return dst

    def _write_in(self, conn: Any, layers: dict[str, gpd.GeoDataFrame], *,
                  check_versions: bool) -> dict[str, dict[str, dict[Any, int]]]:
        """Write ``layers`` inside ``conn``'s open transaction; returns the versions now stored."""
        seen: dict[str, dict[str, dict[Any, int]]] = {}
        for name, gdf in layers.items():
            self._sync_layer(conn, name, gdf, check_versions=check_versions)
            conn.execute(f"INSERT INTO {self.target.q(LAYERS_TABLE)} (name) VALUES (%s) "
                         "ON CONFLICT DO NOTHING", (name,))
            has_id = "obj_id" in schema.LAYERS[name].field_names
            rows = conn.execute(f"SELECT fid, row_version{', obj_id' if has_id else ''} "
                                f"FROM {self.target.q(name)}").fetchall()
            seen[name] = {"fid": {int(r[0]): int(r[1]) for r in rows},
                          "obj": {str(r[2]): int(r[1]) for r in rows} if has_id else {}}
        return seen

    def _rows(self, name: str,
              gdf: gpd.GeoDataFrame) -> tuple[list[str], list[list[Any]], list[bytes]]:
        decl = schema.LAYERS[name]
        if gdf.crs is None:
            raise InventoryError(f"layer {name!r} has no CRS; refusing to write it",
                                 zh=f"图层 {name!r} 没有坐标系,拒绝写入")
        frame = to_project(gdf)
        cols = [f.name for f in decl.fields if f.name in frame.columns]
        types = {f.name: f.type for f in decl.fields}
        records = (frame[cols].astype(object).to_numpy().tolist() if cols
                   else [[] for _ in range(len(frame))])
        values = [[_py(v, types[c]) for c, v in zip(cols, rec, strict=True)] for rec in records]
        geoms = frame.geometry.values
        if (shapely.is_missing(geoms)).any():
            raise Refused(f"{name}: a row has no geometry; nothing was written",
                          zh=f"{name}:有一行没有几何,未写入任何更改")
        wkb = [bytes(b) for b in shapely.to_wkb(geoms, output_dimension=2)]
        return cols, values, wkb

    def _read_versions(self, name: str, gdf: gpd.GeoDataFrame, key: str) -> dict[Any, int] | None:
        attr = gdf.attrs.get("zlt_versions" if key == "obj" else "zlt_fids")
        if attr is not None:
            return dict(attr)
        seen = self._seen.get(name)
        return seen[key] if seen is not None else None

    def _sync_layer(self, conn: Any, name: str, gdf: gpd.GeoDataFrame, *,
                    check_versions: bool) -> None:
        decl = schema.LAYERS[name]
        q = self.target.q(name)
        cols, values, wkb = self._rows(name, gdf)
        casts = {f.name: PG_TYPES[f.type] for f in decl.fields}
        placeholders = ", ".join(f"%s::{casts[c]}" for c in cols)
        quoted = ", ".join(f'"{c}"' for c in cols)
        insert = (f"INSERT INTO {q} ({quoted}{', ' if cols else ''}geom) VALUES "
                  f"({placeholders}{', ' if cols else ''}ST_GeomFromWKB(%s, {SRID}))")
        if "obj_id" not in cols:
            read_fids = self._read_versions(name, gdf, "fid") if check_versions else None
            if read_fids is not None:
                stored = {int(r[0]): int(r[1]) for r in conn.execute(
                    f"SELECT fid, row_version FROM {q} FOR UPDATE").fetchall()}
                read = {(int(k), int(v)) for k, v in read_fids.items()}
                if set(stored.items()) != read:
                    changed = sorted(set(stored.items()) ^ read)
                    raise _conflict(name, f"fid {changed[0][0]}", "was changed, added or removed "
                                    "by someone else since the layer was read")
            conn.execute(f"DELETE FROM {q}")
            with conn.cursor() as cur:
                cur.executemany(insert, [[*v, g] for v, g in zip(values, wkb, strict=True)])
            return
        read_versions = self._read_versions(name, gdf, "obj") if check_versions else None
        frame_versions = (gdf["row_version"].tolist()
                          if check_versions and "row_version" in gdf.columns
                          else [None] * len(gdf))
        # lock the rows: nobody changes them between this check and the writes below
        current = {r[0]: int(r[1]) for r in conn.execute(
            f"SELECT obj_id, row_version FROM {q} FOR UPDATE").fetchall()}
        id_pos = cols.index("obj_id")
        incoming = [str(v[id_pos]) if v[id_pos] is not None else None for v in values]
        keep = {i for i in incoming if i is not None}
        for oid, ver in current.items():
            if oid in keep:
                continue
            if read_versions is not None:
                if oid not in read_versions:
                    raise _conflict(name, oid, "was added by someone else since the layer was read")
                if read_versions[oid] != ver:
                    raise _conflict(name, oid, "was changed by someone else since it was read "
                                    f"(read version {read_versions[oid]}, now version {ver})")
            conn.execute(f"DELETE FROM {q} WHERE obj_id = %s", (oid,))
        others_cols = [c for c in cols if c != "obj_id"]
        set_list = ", ".join(f'"{c}" = %s::{casts[c]}' for c in others_cols)
        distinct_left = ", ".join(f'"{c}"' for c in others_cols)
        distinct_right = ", ".join(f"%s::{casts[c]}" for c in others_cols)
        new_rows = []
        with conn.cursor() as cur:
            for i, (oid, vals, g) in enumerate(zip(incoming, values, wkb, strict=True)):
                if oid is None or oid not in current:
                    new_rows.append([*vals, g])
                    continue
                version: Any = frame_versions[i]
                if version is None or (not isinstance(version, (int, np.integer))
                                       and pd.isna(version)):
                    version = read_versions.get(oid) if read_versions else None
                others = [v for c, v in zip(cols, vals, strict=True) if c != "obj_id"]
                ver_sql = "row_version = %s, " if version is not None else ""
                ver_arg = [int(version)] if version is not None else []
                left = f"{distinct_left}, geom" if distinct_left else "geom"
                right = (f"{distinct_right}, " if distinct_right else "") + \
                    f"ST_GeomFromWKB(%s, {SRID})"
                sql = (f"UPDATE {q} SET {ver_sql}{set_list + ', ' if set_list else ''}"
                       f"geom = ST_GeomFromWKB(%s, {SRID}) WHERE obj_id = %s AND "
                       f"(ROW({left}) IS DISTINCT FROM ROW({right}))")
                cur.execute(sql, ver_arg + others + [g, oid] + others + [g])
            if new_rows:
                cur.executemany(insert, new_rows)


def _conflict(layer: str, key: str, what: str) -> Refused:
    return Refused(f"edit conflict: {layer} {key} {what}; nothing was written: read again and redo "
                   "the edit",
                   zh=f"编辑冲突:{layer} {key} "
                      "在读取后已被他人修改、新增或删除;未写入任何更改,请重新读取后再编辑")


def _check_declared(layers: dict[str, Any]) -> None:
    for name in layers:
        if name not in schema.LAYERS:
            raise BadInput(f"layer {name!r} is not declared in the schema; PostGIS holds "
                           f"declared layers only ({', '.join(schema.LAYERS)})",
                           zh=f"图层 {name!r} 未在 schema 中声明;PostGIS 只保存已声明的图层")


# ============================================================================ edits, history
def update_feature(url: str, layer: str, obj_id: str, values: dict[str, Any],
                   read_version: int) -> int:
    """Update one asset, only if it is still at the version the editor read.

    Returns the new version. Raises :class:`~zlt_assets.errors.Refused` when someone else
    changed it in between (nothing is written), :class:`BadInput` when the asset is unknown.
    """
    target = parse_url(url)
    decl = schema.layer(layer)
    types = {f.name: f.type for f in decl.fields}
    for k in values:
        if k not in types or k == "obj_id":
            raise BadInput(f"{layer} has no editable field "
                           f"{k!r}", zh=f"{layer} 没有可编辑字段 {k!r}")
    sets = ", ".join(f'"{k}" = %s::{PG_TYPES[types[k]]}' for k in values)
    with connect(target) as conn:
        with _db_errors(target, "the edit", writing=True, conn=conn, layer=layer):
            _require_current(conn, target)
            row = conn.execute(
                f"UPDATE {target.q(layer)} SET row_version = %s{', ' if sets else ''}{sets} "
                "WHERE obj_id = %s RETURNING row_version",
                [read_version, *[_py(v, types[k]) for k, v in values.items()], obj_id]).fetchone()
        _commit(conn, target, "the edit")
    if row is None:
        raise BadInput(f"{layer} has no asset {obj_id}", zh=f"{layer} 中没有对象 {obj_id}")
    return int(row[0])


_AUDIT_COLUMNS = ("id", "table_name", "operation", "who", "db_user", "db_role", "app", "at", "fid",
                  "obj_key", "version_checked", "overwrote", "old_row", "new_row")


def audit_rows(url: str, layer: str | None = None, limit: int | None = None, *,
               overlaps_only: bool = False) -> list[dict[str, Any]]:
    """Audit history, oldest first (the last ``limit`` entries).

    Each entry is a dict: ``id``, ``table_name``, ``operation`` (INSERT, UPDATE, DELETE,
    TRUNCATE, MIGRATE), ``who`` (the declared editor), ``db_user`` (the database login,
    ``session_user``), ``db_role`` (the role it switched to with ``SET ROLE``, or None), ``app``
    (the client's application name), ``at``, ``fid``, ``obj_key``, ``version_checked`` (whether
    the client sent the row version it read), ``overwrote`` (see :func:`overlaps`), ``old_row``
    and ``new_row``. Columns an older database lacks are None.
    """
    target = parse_url(url)
    with connect(target, autocommit=True) as conn, \
            _db_errors(target, "db audit", writing=False, conn=conn):
        if not _meta(conn, target):
            raise _not_initialised(target)
        have = set(_columns(conn, target, AUDIT_TABLE))
        sel = ", ".join(c if c in have else f"NULL AS {c}" for c in _AUDIT_COLUMNS)
        where: list[str] = []
        args: list[Any] = []
        if layer:
            where.append("table_name = %s")
            args.append(layer)
        if overlaps_only:
            where.append("overwrote IS NOT NULL" if "overwrote" in have else "FALSE")
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        tail = ""
        if limit:
            tail = " LIMIT %s"
            args.append(int(limit))
        rows = conn.execute(f"SELECT * FROM (SELECT {sel} FROM {target.q(AUDIT_TABLE)} {clause} "
                            f"ORDER BY id DESC{tail}) t ORDER BY id", args).fetchall()
    return [dict(zip(_AUDIT_COLUMNS, r, strict=True)) for r in rows]


def overlaps(url: str, layer: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Possible lost updates: updates that replaced a value another editor had set.

    An update from a client that did not send ``row_version`` (a plain QGIS edit, a SQL
    script) cannot be checked against what the client read. The audit trigger marks such an
    update when it changes a field whose last change was made by another editor (another
    declared name or another database login). Each entry: when, layer, object, field, who now
    (editor and login), whose change was replaced (editor, login, when), the value before that
    change, their value, the value now, the time between the two edits, and ``reverted`` (the
    value now is the one before their change: the classic trace of a stale copy written back).

    The database cannot know whether the second editor saw the first one's value: an entry is a
    possible lost update to look at, not a proof.
    """
    out = []
    for r in audit_rows(url, layer, limit, overlaps_only=True):
        for fname, o in (r["overwrote"] or {}).items():
            theirs_at = pd.Timestamp(o.get("at")) if o.get("at") else None
            out.append({
                "at": r["at"], "layer": r["table_name"], "obj_key": r["obj_key"], "field": fname,
                "who": r["who"], "db_user": r["db_user"], "app": r["app"],
                "theirs_by": o.get("by"), "theirs_db_user": o.get("db_user"),
                "theirs_at": theirs_at,
                "before": o.get("before"), "theirs": o.get("theirs"), "now": o.get("now"),
                "gap_seconds": ((pd.Timestamp(r["at"]) - theirs_at).total_seconds()
                                if theirs_at is not None else None),
                "reverted": o.get("now") == o.get("before"),
                "audit_id": r["id"],
            })
    return out


# ============================================================================ push / pull
@dataclass
class TransferReport:
    """What push or pull moved."""

    source: str
    target: str
    counts: dict[str, int]
    population: bool
    skipped: list[str] = field(default_factory=list)


def _population_bytes(path: Path) -> bytes:
    """The bytes of a population GeoTIFF, checked to be a raster GDAL can read.

    Raises
    ------
    BadInput
        The file cannot be read or is not a readable raster (nothing is written then).
    """
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read the population grid {path}: {one_line(exc)}",
                       zh=f"无法读取人口栅格 {path}") from None
    try:
        import rasterio
        from rasterio.io import MemoryFile

        with MemoryFile(content) as mem, mem.open() as ds:
            if ds.count < 1 or ds.crs is None:
                raise BadInput(f"the population grid {path} has no band or no coordinate system",
                               zh=f"人口栅格 {path} 没有波段或坐标系")
            ds.read(1, window=((0, min(1, ds.height)), (0, min(1, ds.width))))
    except rasterio.errors.RasterioError as exc:
        raise BadInput(f"the population grid {path} is not a readable GeoTIFF: {one_line(exc)}",
                       zh=f"人口栅格 {path} 不是可读的 GeoTIFF") from None
    return content


def push(gpkg: str | os.PathLike[str], url: str, *, replace: bool = False) -> TransferReport:
    """Copy a GeoPackage inventory and its population grid into PostGIS, in ONE transaction.

    The database must be initialised (``db init``) at this DDL version. When it already holds
    features, ``replace`` is needed: the pushed layers then replace the stored ones (the audit
    keeps the history). The layers pushed are locked against other writers while the push runs
    (readers go on). Any failure - an unreadable population grid, a row the database refuses,
    the server going away (exit 3) - leaves the database as it was, so a rerun simply works.
    """
    src = Inventory.open(gpkg)
    if isinstance(src, PostGISInventory):
        raise BadInput("db push reads a GeoPackage; give the .gpkg file as SOURCE",
                       zh="db push 读取 GeoPackage;请给出 .gpkg 文件作为来源")
    names = src.list_layers()
    declared = [n for n in names if n in schema.LAYERS]
    skipped = [n for n in names if n not in schema.LAYERS]
    if not declared:
        raise BadInput(f"{src.label} holds none of the declared layers",
                       zh=f"{src.label} 中没有任何已声明的图层")
    frames = {n: src.read(n) for n in declared}
    for f in frames.values():
        f.attrs.clear()
    # everything is read and checked before the database is touched
    pop = _population_bytes(src.population_path) if src.has_population() else None
    dst = PostGISInventory.connect(url)
    target = dst.target
    conn = connect(target)
    try:
        with _db_errors(target, "db push", writing=True, conn=conn):
            _require_current(conn, target)
            tables = ", ".join(target.q(n) for n in declared)
            conn.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
            if not replace:
                non_empty = [n for n in declared if conn.execute(
                    f"SELECT EXISTS (SELECT 1 FROM {target.q(n)})").fetchone()[0]]
                if non_empty:
                    raise Refused(f"{dst.label} already holds features ({', '.join(non_empty)}); "
                                  "use {option} to replace them with the GeoPackage's; nothing "
                                  "was written",
                                  zh=f"{dst.label} 已有要素({', '.join(non_empty)});如要以 "
                                     "GeoPackage 替换请加 {option};未写入任何更改",
                                  option="replace")
            dst._write_in(conn, frames, check_versions=False)
            if pop is not None:
                dst.store_population(pop, conn=conn)
        _commit(conn, target, "db push")
    finally:
        conn.close()
        dst.close()
    return TransferReport(src.label, dst.label, {n: len(f) for n, f in frames.items()},
                          pop is not None, skipped)


def pull(url: str, gpkg: str | os.PathLike[str], *, overwrite: bool = False) -> TransferReport:
    """Copy a PostGIS inventory into a new GeoPackage (atomically) with its population grid."""
    out = Path(gpkg)
    if out.suffix.lower() != ".gpkg":
        raise BadInput(f"the pull target must be a .gpkg file, got {out.name}",
                       zh=f"拉取目标必须是 .gpkg 文件,而不是 {out.name}")
    if out.exists() and not overwrite:
        raise Refused(f"{out} exists; use {{option}} to replace it",
                      zh=f"{out} 已存在;如要替换请加 {{option}}", option="overwrite")
    src = PostGISInventory.connect(url)
    names = src.list_layers()
    if not names:
        raise BadInput(f"{src.label} holds no layers yet (push or import first)",
                       zh=f"{src.label} 还没有图层(请先 push 或导入)")
    frames = {n: src.read(n).drop(columns=["row_version"], errors="ignore") for n in names}
    pop = src.population_path.read_bytes() if src.has_population() else None
    src.close()
    write_layers(out, frames, replace_file=True)
    if pop is not None:
        write_bytes(out.with_name(out.stem + schema.POPULATION.suffix), pop)
    return TransferReport(src.label, str(out), {n: len(f) for n, f in frames.items()},
                          pop is not None)
