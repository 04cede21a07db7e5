"""PostGIS backend: DDL generated from the schema, audit history, row versions, push and pull.

A PostGIS inventory is addressed by a URL, ``postgresql://user@host:port/dbname``, with two
optional query parameters of our own (removed before connecting):

* ``schema=NAME`` - the database schema holding the inventory (default ``public``);
* ``population=/path/grid.tif`` - a population GeoTIFF to use instead of the stored one.

Everything is derived from :mod:`zlt_assets.schema`:

* one table per declared layer; column types from the field types (text ``TEXT``, integer
  ``INTEGER``, real ``DOUBLE PRECISION``, boolean ``BOOLEAN``, date ``DATE``, datetime
  ``TIMESTAMP``); ``NOT NULL`` from ``required``; ``CHECK`` constraints from the domains and the
  minimum/maximum; ``UNIQUE`` from ``unique`` (the object id); a typed geometry column
  ``geom geometry(<type>, 4550)`` with a GiST spatial index; a ``fid`` primary key and a
  ``row_version`` column;
* ``zlt_audit``: one row per inserted, updated or deleted feature, written by triggers - who
  (the ``zlt.editor`` session setting, else the database user), when, the operation, and the old
  and new row as ``jsonb`` (geometry as GeoJSON);
* ``row_version`` is incremented by a trigger on every update. An update that sets
  ``row_version`` to a value other than the stored one (the version the editor read) is refused
  by the trigger: two editors changing the same asset never silently lose an edit. Clients that
  do not send ``row_version`` (e.g. a plain QGIS edit) still get the increment and the audit row;
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
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import schema
from .crs import to_project
from ._io import is_database_url
from .errors import BadInput, MissingComponent, Refused
from .inventory import Inventory, InventoryError, write_layers

__all__ = [
    "PG_TYPES",
    "SRID",
    "PgTarget",
    "PostGISInventory",
    "audit_rows",
    "connect",
    "ddl",
    "init_db",
    "is_database_url",
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
AUDIT_TABLE = "zlt_audit"
LAYERS_TABLE = "zlt_layers"
RASTER_TABLE = "zlt_rasters"
META_TABLE = "zlt_meta"
DDL_VERSION = "1"
_OWN_PARAMS = ("schema", "population")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
CONFLICT_TAG = "zlt edit conflict"


# ============================================================================ addressing
@dataclass(frozen=True)
class PgTarget:
    """A parsed inventory URL."""

    conninfo: str  # libpq URL without our own parameters
    schema: str = "public"
    population: Path | None = None
    display: str = ""  # the URL without password, for messages

    def q(self, name: str) -> str:
        """A schema-qualified, quoted identifier."""
        return f'"{self.schema}"."{name}"'


def parse_url(url: str) -> PgTarget:
    """Split an inventory URL into the connection string and our parameters.

    Raises
    ------
    BadInput
        When the URL is not a PostgreSQL URL or names an invalid schema.
    """
    if not is_database_url(url):
        raise BadInput(f"not a PostgreSQL URL (expected postgresql://user@host:port/dbname): {url}")
    parts = urlsplit(url.strip())
    own: dict[str, str] = {}
    rest: list[tuple[str, str]] = []
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        (own.__setitem__(k, v) if k in _OWN_PARAMS else rest.append((k, v)))
    schema_name = own.get("schema") or "public"
    if not _IDENT.match(schema_name):
        raise BadInput(f"invalid schema name {schema_name!r} in the database URL")
    conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(rest), ""))
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = userinfo.split(":", 1)[0] + "@" + host
    display = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    if schema_name != "public":
        display += f"?schema={schema_name}"
    pop = Path(own["population"]) if own.get("population") else None
    return PgTarget(conninfo=conninfo, schema=schema_name, population=pop, display=display)


def editor_name() -> str:
    """Who is editing: ``$ZLT_EDITOR``, else the login name."""
    name = os.environ.get("ZLT_EDITOR")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name in some containers
        return "unknown"


def connect(target: PgTarget, *, autocommit: bool = False):
    """Open a psycopg connection with ``zlt.editor`` set for the audit trail.

    Raises
    ------
    MissingComponent
        psycopg is not installed, or the server cannot be reached (exit 3).
    BadInput
        The server answers but refuses (unknown database, authentication failed).
    """
    try:
        import psycopg
    except ImportError:  # pragma: no cover - a declared dependency
        raise MissingComponent("psycopg 3 is not installed (pip install 'psycopg[binary]')") from None
    try:
        conn = psycopg.connect(target.conninfo, autocommit=autocommit, connect_timeout=10)
    except psycopg.OperationalError as exc:
        msg = _one_line(exc)
        if any(s in msg for s in ("Connection refused", "could not connect", "timeout expired",
                                  "No such file or directory", "could not translate host")):
            raise MissingComponent(f"cannot reach the database server {target.display}: {msg}") from None
        raise BadInput(f"cannot connect to {target.display}: {msg}") from None
    except psycopg.ProgrammingError as exc:
        raise BadInput(f"invalid database URL {target.display}: {_one_line(exc)}") from None
    conn.execute("SELECT set_config('zlt.editor', %s, false)", (editor_name(),))
    if not autocommit:
        conn.commit()
    return conn


# ============================================================================ DDL
def _literal(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def _column_sql(layer: schema.LayerDef, f: schema.FieldDef) -> str:
    parts = [f'"{f.name}" {PG_TYPES[f.type]}']
    if f.required:
        parts.append("NOT NULL")
    if f.unique:
        parts.append(f'CONSTRAINT "{layer.name}_{f.name}_unique" UNIQUE')
    checks = []
    if f.domain is not None:
        checks.append(f'"{f.name}" IN ({", ".join(_literal(c) for c in f.domain.codes)})')
    if f.type in ("integer", "real"):
        if f.minimum is not None:
            checks.append(f'"{f.name}" >= {f.minimum!r}')
        if f.maximum is not None:
            checks.append(f'"{f.name}" <= {f.maximum!r}')
    if checks:
        parts.append(f'CONSTRAINT "{layer.name}_{f.name}_check" CHECK ({" AND ".join(checks)})')
    return " ".join(parts)


def table_ddl(layer: schema.LayerDef, schema_name: str = "public") -> list[str]:
    """``CREATE TABLE``, spatial index and triggers of one layer."""
    q = f'"{schema_name}"."{layer.name}"'
    cols = ["fid BIGSERIAL PRIMARY KEY"]
    cols += [_column_sql(layer, f) for f in layer.fields]
    cols.append("row_version INTEGER NOT NULL DEFAULT 1")
    cols.append(f"geom geometry({layer.geometry}, {SRID}) NOT NULL")
    comment = f"{layer.zh} / {layer.en}"
    stmts = [
        f"CREATE TABLE IF NOT EXISTS {q} (\n  " + ",\n  ".join(cols) + "\n)",
        f"COMMENT ON TABLE {q} IS {_literal(comment)}",
        f'CREATE INDEX IF NOT EXISTS "{layer.name}_geom_gist" ON {q} USING GIST (geom)',
        f'DROP TRIGGER IF EXISTS zlt_row_version ON {q}',
        f'CREATE TRIGGER zlt_row_version BEFORE UPDATE ON {q} FOR EACH ROW '
        f'EXECUTE FUNCTION "{schema_name}".zlt_row_version()',
        f'DROP TRIGGER IF EXISTS zlt_audit ON {q}',
        f'CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON {q} FOR EACH ROW '
        f'EXECUTE FUNCTION "{schema_name}".zlt_audit_row()',
    ]
    for f in layer.fields:
        stmts.append(f'COMMENT ON COLUMN {q}."{f.name}" IS {_literal(f.label)}')
    return stmts


def ddl(schema_name: str = "public") -> list[str]:
    """Every statement ``db init`` runs, in order, generated from the schema declaration."""
    s = f'"{schema_name}"'
    stmts = [
        f"CREATE SCHEMA IF NOT EXISTS {s}",
        f"""CREATE TABLE IF NOT EXISTS {s}.{META_TABLE} (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
)""",
        f"""CREATE TABLE IF NOT EXISTS {s}.{LAYERS_TABLE} (
  name TEXT PRIMARY KEY
)""",
        f"""CREATE TABLE IF NOT EXISTS {s}.{RASTER_TABLE} (
  name TEXT PRIMARY KEY,
  content BYTEA NOT NULL,
  sha256 TEXT NOT NULL,
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
)""",
        f"""CREATE TABLE IF NOT EXISTS {s}.{AUDIT_TABLE} (
  id BIGSERIAL PRIMARY KEY,
  table_name TEXT NOT NULL,
  operation TEXT NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
  who TEXT NOT NULL,
  db_user TEXT NOT NULL DEFAULT current_user,
  at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  txid BIGINT NOT NULL DEFAULT txid_current(),
  obj_key TEXT,
  old_row JSONB,
  new_row JSONB
)""",
        f'CREATE INDEX IF NOT EXISTS zlt_audit_key ON {s}.{AUDIT_TABLE} (table_name, obj_key)',
        f"""CREATE OR REPLACE FUNCTION {s}.zlt_row_version() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.row_version IS DISTINCT FROM OLD.row_version THEN
    RAISE EXCEPTION '{CONFLICT_TAG}: % % was changed by someone else since it was read (read version %, now version %)',
      TG_TABLE_NAME, coalesce(to_jsonb(OLD)->>'obj_id', 'fid ' || OLD.fid::text),
      NEW.row_version, OLD.row_version
      USING ERRCODE = 'P0001';
  END IF;
  NEW.row_version := OLD.row_version + 1;
  RETURN NEW;
END
$fn$""",
        f"""CREATE OR REPLACE FUNCTION {s}.zlt_audit_row() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  editor TEXT := coalesce(nullif(current_setting('zlt.editor', true), ''), session_user);
  rec JSONB;
BEGIN
  IF TG_OP = 'DELETE' THEN rec := to_jsonb(OLD); ELSE rec := to_jsonb(NEW); END IF;
  INSERT INTO {s}.{AUDIT_TABLE} (table_name, operation, who, obj_key, old_row, new_row)
  VALUES (TG_TABLE_NAME, TG_OP, editor, coalesce(rec->>'obj_id', 'fid ' || (rec->>'fid')),
          CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END,
          CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END);
  RETURN NULL;
END
$fn$""",
    ]
    for layer in schema.LAYERS.values():
        stmts += table_ddl(layer, schema_name)
    stmts.append(
        f"INSERT INTO {s}.{META_TABLE} (key, value) VALUES ('ddl_version', {_literal(DDL_VERSION)}) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")
    return stmts


def init_db(url: str, *, drop: bool = False) -> list[str]:
    """Create (or complete) the inventory tables in a database; returns the tables.

    Parameters
    ----------
    url
        ``postgresql://...`` URL (``?schema=`` chooses the schema).
    drop
        Drop the inventory's tables first (their rows and history are lost).
    """
    import psycopg

    target = parse_url(url)
    with connect(target) as conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            conn.commit()
        except psycopg.Error as exc:
            conn.rollback()
            raise MissingComponent(f"the PostGIS extension is not available in {target.display}: "
                                   f"{_one_line(exc)}") from None
        try:
            with conn.transaction():
                if drop:
                    for name in [*schema.LAYERS, AUDIT_TABLE, LAYERS_TABLE, RASTER_TABLE, META_TABLE]:
                        conn.execute(f"DROP TABLE IF EXISTS {target.q(name)} CASCADE")
                for stmt in ddl(target.schema):
                    conn.execute(stmt)
        except psycopg.Error as exc:
            raise BadInput(f"cannot create the inventory tables in {target.display}: "
                           f"{_one_line(exc)}") from None
    return list(schema.LAYERS)


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
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _db_error_message(exc: Exception, layer: str | None = None) -> str:
    diag = getattr(exc, "diag", None)
    primary = (getattr(diag, "message_primary", None) or str(exc)) if diag else str(exc)
    constraint = getattr(diag, "constraint_name", None) if diag else None
    column = getattr(diag, "column_name", None) if diag else None
    where = layer or (getattr(diag, "table_name", None) if diag else None) or ""
    if constraint and constraint.endswith("_check"):
        return f"{where}: a value breaks the constraint {constraint} ({_one_line(primary)})"
    if constraint and constraint.endswith("_unique"):
        detail = getattr(diag, "message_detail", None) or ""
        return f"{where}: duplicate value ({_one_line(detail) or constraint})"
    if column:
        return f"{where}.{column}: {_one_line(primary)}"
    return f"{where}: {_one_line(primary)}" if where else _one_line(primary)


# ============================================================================ the backend
@dataclass
class PostGISInventory(Inventory):
    """An inventory held in PostGIS, with the same reading and writing API as a GeoPackage.

    ``path`` is a stand-in (the database name) so code that names outputs after ``path.stem``
    keeps working; the population grid is materialised to a cached GeoTIFF for raster readers.
    """

    url: str = ""
    target: PgTarget = field(default_factory=lambda: PgTarget(""))
    _conn: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def connect(cls, url: str, *, must_exist: bool = True) -> PostGISInventory:
        target = parse_url(url)
        dbname = urlsplit(target.conninfo).path.lstrip("/") or "postgres"
        inv = cls(path=Path(dbname), url=url, target=target)
        if must_exist and not inv.initialised():
            raise InventoryError(f"{target.display} holds no zlt-assets inventory; "
                                 f"run: zlt-assets db init --data {target.display}")
        return inv

    # ------------------------------------------------------------------ plumbing
    @property
    def backend(self) -> str:
        return "postgis"

    @property
    def label(self) -> str:
        return self.target.display

    def conn(self):
        if self._conn is None or self._conn.closed:
            self._conn = connect(self.target, autocommit=True)
        return self._conn

    def close(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.close()
        self._conn = None

    def __del__(self) -> None:  # pragma: no cover - best effort
        try:
            self.close()
        except Exception:
            pass

    def initialised(self) -> bool:
        row = self.conn().execute("SELECT to_regclass(%s)",
                                  (f'"{self.target.schema}".{META_TABLE}',)).fetchone()
        return bool(row and row[0])

    def _table_columns(self, layer: str) -> list[str]:
        rows = self.conn().execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = %s ORDER BY ordinal_position", (self.target.schema, layer)).fetchall()
        return [r[0] for r in rows]

    # ------------------------------------------------------------------ reading
    def list_layers(self) -> list[str]:
        """Layers this inventory holds (pushed, written, or holding rows), in schema order."""
        if not self.initialised():
            raise InventoryError(f"{self.label} holds no zlt-assets inventory; run zlt-assets db init")
        names = {r[0] for r in self.conn().execute(
            f"SELECT name FROM {self.target.q(LAYERS_TABLE)}").fetchall()}
        # a table filled by another client (e.g. digitised in QGIS) counts too
        tables = {r[0] for r in self.conn().execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (self.target.schema,)).fetchall()}
        for n in schema.LAYERS:
            if n not in names and n in tables and self.conn().execute(
                    f"SELECT EXISTS (SELECT 1 FROM {self.target.q(n)})").fetchone()[0]:
                names.add(n)
        return [n for n in schema.LAYERS if n in names]

    def has(self, layer: str) -> bool:
        return layer in self.list_layers()

    def read_raw(self, layer: str) -> gpd.GeoDataFrame:
        """A layer with its declared columns, ``row_version`` and geometry (EPSG:4550).

        The versions read are also kept in ``gdf.attrs['zlt_versions']`` so that
        :meth:`write` can refuse to overwrite or delete rows someone else changed since.
        """
        if layer not in self.list_layers():
            raise InventoryError(f"layer {layer!r} is missing from {self.label}")
        decl = schema.LAYERS[layer]
        present = set(self._table_columns(layer))
        cols = [f.name for f in decl.fields if f.name in present]
        sel = ", ".join(f'"{c}"' for c in cols)
        sql = (f"SELECT fid, {sel + ', ' if sel else ''}row_version, ST_AsBinary(geom) "
               f"FROM {self.target.q(layer)} ORDER BY fid")
        rows = self.conn().execute(sql).fetchall()
        data: dict[str, list[Any]] = {c: [] for c in cols}
        versions: list[int] = []
        wkb: list[bytes | None] = []
        for r in rows:
            for c, v in zip(cols, r[1:1 + len(cols)]):
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
        if "obj_id" in gdf.columns:
            gdf.attrs["zlt_versions"] = {str(k): int(v) for k, v in zip(gdf["obj_id"], versions)}
        return gdf

    # ------------------------------------------------------------------ population raster
    @property
    def population_path(self) -> Path:
        """A GeoTIFF path for raster readers: ``?population=`` or the stored grid (cached)."""
        if self.target.population is not None:
            return self.target.population
        row = None
        if self.initialised():
            row = self.conn().execute(
                f"SELECT sha256 FROM {self.target.q(RASTER_TABLE)} WHERE name = 'population'"
            ).fetchone()
        if not row:
            return Path(tempfile.gettempdir()) / "zlt-assets-cache" / f"{self.path.name}_population.tif"
        cache = Path(tempfile.gettempdir()) / "zlt-assets-cache"
        cache.mkdir(parents=True, exist_ok=True)
        out = cache / f"{row[0]}_population.tif"
        if not out.exists():
            content = self.conn().execute(
                f"SELECT content FROM {self.target.q(RASTER_TABLE)} WHERE name = 'population'"
            ).fetchone()[0]
            fd, tmp = tempfile.mkstemp(dir=cache, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(bytes(content))
            os.replace(tmp, out)
        return out

    def has_population(self) -> bool:
        if self.target.population is not None:
            return self.target.population.exists()
        if not self.initialised():
            return False
        return self.conn().execute(
            f"SELECT 1 FROM {self.target.q(RASTER_TABLE)} WHERE name = 'population'"
        ).fetchone() is not None

    def store_population(self, tif: Path, conn=None) -> None:
        """Store a population GeoTIFF in the database (replacing the stored one)."""
        content = Path(tif).read_bytes()
        sql = (f"INSERT INTO {self.target.q(RASTER_TABLE)} (name, content, sha256) "
               "VALUES ('population', %s, %s) ON CONFLICT (name) DO UPDATE "
               "SET content = EXCLUDED.content, sha256 = EXCLUDED.sha256, updated = now()")
        (conn or self.conn()).execute(sql, (content, hashlib.sha256(content).hexdigest()))

    # ------------------------------------------------------------------ writing
    def write(self, layers: dict[str, gpd.GeoDataFrame], *, check_versions: bool = True) -> None:
        """Make the given layers hold exactly these rows, in one transaction (all or none).

        Rows are matched on ``obj_id`` where the layer has one: unchanged rows are left alone,
        changed rows are updated, missing rows deleted, new rows inserted - so the audit trail
        records real changes only. When a frame was read from this database (it carries
        ``row_version`` / ``attrs['zlt_versions']``), a row changed or added by someone else
        since then raises :class:`~zlt_assets.errors.Refused` and nothing is written.
        """
        import psycopg

        for name in layers:
            if name not in schema.LAYERS:
                raise BadInput(f"layer {name!r} is not declared in the schema; PostGIS holds "
                               f"declared layers only ({', '.join(schema.LAYERS)})")
        conn = connect(self.target)
        try:
            with conn.transaction():
                for name, gdf in layers.items():
                    self._sync_layer(conn, name, gdf, check_versions=check_versions)
                    conn.execute(f"INSERT INTO {self.target.q(LAYERS_TABLE)} (name) VALUES (%s) "
                                 "ON CONFLICT DO NOTHING", (name,))
        except psycopg.Error as exc:
            msg = _one_line(getattr(getattr(exc, "diag", None), "message_primary", None) or exc)
            if CONFLICT_TAG in msg:
                raise Refused(msg.replace(CONFLICT_TAG + ": ", "edit conflict: ")
                              + "; nothing was written: read again and redo the edit") from None
            raise Refused(f"{_db_error_message(exc)}; nothing was written") from None
        finally:
            conn.close()

    def _rows(self, name: str, gdf: gpd.GeoDataFrame) -> tuple[list[str], list[list[Any]], list[bytes]]:
        decl = schema.LAYERS[name]
        if gdf.crs is None:
            raise InventoryError(f"layer {name!r} has no CRS; refusing to write it")
        frame = to_project(gdf)
        cols = [f.name for f in decl.fields if f.name in frame.columns]
        types = {f.name: f.type for f in decl.fields}
        records = frame[cols].astype(object).to_numpy().tolist() if cols else [[] for _ in range(len(frame))]
        values = [[_py(v, types[c]) for c, v in zip(cols, rec)] for rec in records]
        geoms = frame.geometry.values
        if (shapely.is_missing(geoms)).any():
            raise Refused(f"{name}: a row has no geometry; nothing was written")
        wkb = [bytes(b) for b in shapely.to_wkb(geoms, output_dimension=2)]
        return cols, values, wkb

    def _sync_layer(self, conn, name: str, gdf: gpd.GeoDataFrame, *, check_versions: bool) -> None:
        decl = schema.LAYERS[name]
        q = self.target.q(name)
        cols, values, wkb = self._rows(name, gdf)
        casts = {f.name: PG_TYPES[f.type] for f in decl.fields}
        placeholders = ", ".join(f"%s::{casts[c]}" for c in cols)
        insert = (f"INSERT INTO {q} ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in cols)}"
                  f"{', ' if cols else ''}geom) VALUES ({placeholders}{', ' if cols else ''}"
                  f"ST_GeomFromWKB(%s, {SRID}))")
        if "obj_id" not in cols:
            conn.execute(f"DELETE FROM {q}")
            with conn.cursor() as cur:
                cur.executemany(insert, [v + [g] for v, g in zip(values, wkb)])
            return
        read_versions: dict[str, int] | None = gdf.attrs.get("zlt_versions") if check_versions else None
        frame_versions = (gdf["row_version"].tolist() if check_versions and "row_version" in gdf.columns
                          else [None] * len(gdf))
        current = {r[0]: int(r[1]) for r in conn.execute(f"SELECT obj_id, row_version FROM {q}").fetchall()}
        id_pos = cols.index("obj_id")
        incoming = [str(v[id_pos]) if v[id_pos] is not None else None for v in values]
        keep = set(i for i in incoming if i is not None)
        # deletions: rows not in the frame
        for oid, ver in current.items():
            if oid in keep:
                continue
            if read_versions is not None:
                if oid not in read_versions:
                    raise Refused(f"edit conflict: {name} {oid} was added by someone else since the "
                                  "layer was read; nothing was written: read again and redo the edit")
                if read_versions[oid] != ver:
                    raise Refused(f"edit conflict: {name} {oid} was changed by someone else since it "
                                  f"was read (read version {read_versions[oid]}, now version {ver}); "
                                  "nothing was written: read again and redo the edit")
            conn.execute(f"DELETE FROM {q} WHERE obj_id = %s", (oid,))
        set_list = ", ".join(f'"{c}" = %s::{casts[c]}' for c in cols if c != "obj_id")
        distinct_left = ", ".join(f'"{c}"' for c in cols if c != "obj_id")
        distinct_right = ", ".join(f"%s::{casts[c]}" for c in cols if c != "obj_id")
        new_rows = []
        with conn.cursor() as cur:
            for i, (oid, vals, g) in enumerate(zip(incoming, values, wkb)):
                if oid is None or oid not in current:
                    new_rows.append(vals + [g])
                    continue
                version = frame_versions[i]
                if version is None or (not isinstance(version, (int, np.integer)) and pd.isna(version)):
                    version = read_versions.get(oid) if read_versions else None
                others = [v for c, v in zip(cols, vals) if c != "obj_id"]
                ver_sql = "row_version = %s, " if version is not None else ""
                ver_arg = [int(version)] if version is not None else []
                sql = (f"UPDATE {q} SET {ver_sql}{set_list + ', ' if set_list else ''}"
                       f"geom = ST_GeomFromWKB(%s, {SRID}) WHERE obj_id = %s AND "
                       f"(ROW({distinct_left + ', ' if distinct_left else ''}geom) IS DISTINCT FROM "
                       f"ROW({distinct_right + ', ' if distinct_right else ''}ST_GeomFromWKB(%s, {SRID}))"
                       ")")
                args = ver_arg + others + [g, oid] + others + [g]
                cur.execute(sql, args)
            if new_rows:
                cur.executemany(insert, new_rows)


# ============================================================================ edits, history
def update_feature(url: str, layer: str, obj_id: str, values: dict[str, Any],
                   read_version: int) -> int:
    """Update one asset, only if it is still at the version the editor read.

    Returns the new version. Raises :class:`~zlt_assets.errors.Refused` when someone else
    changed it in between (nothing is written), :class:`BadInput` when the asset is unknown.
    """
    import psycopg

    target = parse_url(url)
    decl = schema.layer(layer)
    types = {f.name: f.type for f in decl.fields}
    for k in values:
        if k not in types or k == "obj_id":
            raise BadInput(f"{layer} has no editable field {k!r}")
    sets = ", ".join(f'"{k}" = %s::{PG_TYPES[types[k]]}' for k in values)
    with connect(target) as conn:
        try:
            with conn.transaction():
                row = conn.execute(
                    f"UPDATE {target.q(layer)} SET row_version = %s{', ' if sets else ''}{sets} "
                    "WHERE obj_id = %s RETURNING row_version",
                    [read_version, *[_py(v, types[k]) for k, v in values.items()], obj_id]).fetchone()
        except psycopg.Error as exc:
            msg = _one_line(getattr(getattr(exc, "diag", None), "message_primary", None) or exc)
            if CONFLICT_TAG in msg:
                raise Refused(msg.replace(CONFLICT_TAG + ": ", "edit conflict: ")
                              + "; nothing was written: read again and redo the edit") from None
            raise Refused(f"{_db_error_message(exc, layer)}; nothing was written") from None
    if row is None:
        raise BadInput(f"{layer} has no asset {obj_id}")
    return int(row[0])


def audit_rows(url: str, layer: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Audit history, newest last: dicts with table_name, operation, who, at, obj_key, old, new."""
    target = parse_url(url)
    where, args = "", []
    if layer:
        where, args = "WHERE table_name = %s", [layer]
    sql = (f"SELECT id, table_name, operation, who, db_user, at, obj_key, old_row, new_row "
           f"FROM {target.q(AUDIT_TABLE)} {where} ORDER BY id")
    with connect(target) as conn:
        rows = conn.execute(sql, args).fetchall()
    keys = ("id", "table_name", "operation", "who", "db_user", "at", "obj_key", "old_row", "new_row")
    out = [dict(zip(keys, r)) for r in rows]
    return out[-limit:] if limit else out


# ============================================================================ push / pull
@dataclass
class TransferReport:
    """What push or pull moved."""

    source: str
    target: str
    counts: dict[str, int]
    population: bool
    skipped: list[str] = field(default_factory=list)


def push(gpkg: str | os.PathLike[str], url: str, *, replace: bool = False) -> TransferReport:
    """Copy a GeoPackage inventory (and its population grid) into PostGIS, all or nothing.

    The database must be initialised (``db init``). When it already holds features, ``replace``
    is needed: the pushed layers then replace the stored ones (the audit keeps the history).
    """
    src = Inventory.open(gpkg)
    if isinstance(src, PostGISInventory):
        raise BadInput("db push reads a GeoPackage; give the .gpkg file as SOURCE")
    dst = PostGISInventory.connect(url)
    names = src.list_layers()
    declared = [n for n in names if n in schema.LAYERS]
    skipped = [n for n in names if n not in schema.LAYERS]
    if not declared:
        raise BadInput(f"{src.label} holds none of the declared layers")
    if not replace:
        held = dst.list_layers()
        non_empty = [n for n in held if dst.conn().execute(
            f"SELECT EXISTS (SELECT 1 FROM {dst.target.q(n)})").fetchone()[0]]
        if non_empty:
            raise Refused(f"{dst.label} already holds features ({', '.join(non_empty)}); "
                          "use --replace to replace them with the GeoPackage's")
    frames = {n: src.read(n) for n in declared}
    for n, f in frames.items():
        f.attrs.pop("zlt_versions", None)
    dst.write(frames, check_versions=False)
    has_pop = src.has_population()
    if has_pop:
        dst.store_population(src.population_path)
    counts = {n: len(f) for n, f in frames.items()}
    dst.close()
    return TransferReport(src.label, dst.label, counts, has_pop, skipped)


def pull(url: str, gpkg: str | os.PathLike[str], *, overwrite: bool = False) -> TransferReport:
    """Copy a PostGIS inventory into a new GeoPackage (atomically) with its population grid."""
    out = Path(gpkg)
    if out.suffix.lower() != ".gpkg":
        raise BadInput(f"the pull target must be a .gpkg file, got {out.name}")
    if out.exists() and not overwrite:
        raise Refused(f"{out} exists; use --overwrite to replace it")
    src = PostGISInventory.connect(url)
    names = src.list_layers()
    if not names:
        raise BadInput(f"{src.label} holds no layers yet (push or import first)")
    frames = {}
    for n in names:
        f = src.read(n)
        frames[n] = f.drop(columns=["row_version"], errors="ignore")
    pop_src = src.population_path if src.has_population() else None
    pop_dst = out.with_name(out.stem + schema.POPULATION.suffix)
    tmp_pop = None
    if pop_src is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{pop_dst.name}-", dir=out.parent)
        os.close(fd)
        tmp_pop = Path(tmp_name)
        shutil.copyfile(pop_src, tmp_pop)
    try:
        write_layers(out, frames, replace_file=True)
        if tmp_pop is not None:
            os.replace(tmp_pop, pop_dst)
    finally:
        if tmp_pop is not None:
            tmp_pop.unlink(missing_ok=True)
    src.close()
    return TransferReport(src.label, str(out), {n: len(f) for n, f in frames.items()},
                          pop_src is not None)


def _one_line(exc: object) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
