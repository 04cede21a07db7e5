"""The one place for writes (private): atomic files, GeoPackages changed in place, locations.

Where an inventory lives is checked here too (:func:`check_location`, :func:`open_inventory`).

Every writer of zlt-assets goes through this module:

* :func:`atomic_path` - a temporary file beside the target, handed to a writer that needs a path
  (openpyxl, matplotlib), moved over the target only when the writer succeeded; a failure or an
  interrupt leaves the old file and no temporary file;
* :func:`write_bytes`, :func:`write_text`, :func:`write_json` - the same for data in memory;
  ``-`` as the target writes to standard output instead;
* :func:`write_gpkg_layers` - layers written **into** a GeoPackage, in one SQLite transaction on
  the file itself (no copy-and-replace): all layers or none; R-tree, ``gpkg_contents`` extents
  and ``gpkg_ogr_contents`` counts kept valid; other writers (QGIS saving edits, another import)
  are waited for, then refused with a clear message; the file keeps its identity (same inode,
  permissions, owner, fids of unchanged features, user indexes, views, triggers, other tables);
  a kill at any moment leaves the old or the new state (SQLite's journal) and no file of ours;
* :func:`backup_gpkg` - a consistent copy made with SQLite's backup API;
* :func:`check_location` and :func:`open_inventory` - the one check of a ``--data`` value: a
  well-formed ``postgresql://`` URL goes to the database backend, anything that looks like a
  mistyped URL is refused, everything else is a GeoPackage path.

The file keeps its identity for every write: a symlink is followed (its target is written, the
link stays), the permissions of an existing file are kept (a new file gets ``0666 & ~umask``), and
special files (devices, FIFOs, folders) are never replaced.

The core imports nothing of the faces; this module imports only the standard library at import
time (numpy, shapely and pyogrio are loaded by the GeoPackage functions when called).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import io
import json
import math
import os
import re
import sqlite3
import stat
import struct
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BadInput, Refused, one_line

if TYPE_CHECKING:  # the factory returns inventories; nothing is imported at run time
    from .inventory import Inventory

__all__ = [
    "BUSY_TIMEOUT_ENV",
    "STDOUT",
    "Busy",
    "LayerChanged",
    "LayerWrite",
    "atomic_path",
    "backup_gpkg",
    "check_backup_dir",
    "check_location",
    "gpkg_layer_token",
    "is_database_url",
    "is_stdout",
    "json_text",
    "open_inventory",
    "resolve_target",
    "write_backup_gpkg",
    "write_bytes",
    "write_gpkg_layers",
    "write_json",
    "write_text",
]

#: The target name that means standard output.
STDOUT = "-"


def is_stdout(target: str | os.PathLike[str] | None) -> bool:
    """True when ``target`` is ``-`` (standard output)."""
    return target is not None and os.fspath(target) == STDOUT


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def resolve_target(target: str | os.PathLike[str]) -> Path:
    """The regular file a write to ``target`` changes (symlinks followed).

    Raises
    ------
    BadInput
        ``target`` is a folder, a device, a FIFO or another special file, or its folder is a file.
    Refused
        ``target`` exists and is read-only (exit 4: nothing is written).
    """
    p = Path(target)
    if p.is_symlink():
        p = Path(os.path.realpath(p))
    try:
        st = p.stat()
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise BadInput(f"cannot write {target}: a part of its folder path is a file",
                       zh=f"无法写入 {target}:其路径中的某一级是文件而不是文件夹") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise BadInput(f"cannot write {target}: it is a folder, give a file name",
                           zh=f"无法写入 {target}:这是文件夹,请给出文件名")
        if not stat.S_ISREG(st.st_mode):
            raise BadInput(f"refusing to replace {target}: it is not a regular file "
                           f"(device, FIFO or socket); use '-' for standard output",
                           zh=f"拒绝覆盖 {target}:它不是普通文件(设备、管道或套接字)")
        # no write bit for anyone is a read-only file even for an administrator (root passes
        # every access check): the user marked it so
        if not os.access(p, os.W_OK) or not st.st_mode & 0o222:
            raise Refused(f"refusing to write {target}: the file is read-only; nothing was "
                          "changed", zh=f"拒绝写入 {target}:文件为只读,未做任何修改")
    parent = p.parent
    if parent.exists() and not parent.is_dir():
        raise BadInput(f"cannot write {target}: {parent} is a file, not a folder",
                       zh=f"无法写入 {target}:{parent} 是文件而不是文件夹")
    return p


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it over ``target`` when the block succeeds.

    The temporary file does not exist when the block starts (writers that refuse to overwrite,
    such as GDAL's, can create it). On any exception, including ``KeyboardInterrupt``, it is
    removed and ``target`` is untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("done", encoding="utf-8")
    >>> out.read_text(encoding="utf-8")
    'done'
    """
    dst = resolve_target(target)
    _mkdir(dst.parent)
    old_mode = stat.S_IMODE(dst.stat().st_mode) if dst.exists() else None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}-",
                                        suffix=suffix or dst.suffix or ".tmp", dir=dst.parent)
    except PermissionError:
        raise _folder_not_writable(dst) from None
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        yield tmp
        if not tmp.exists():
            raise RuntimeError(f"the writer produced no file for {target}")
        os.chmod(tmp, old_mode if old_mode is not None else 0o666 & ~_umask())
        os.replace(tmp, dst)
    except BaseException:
        # the temporary file and any SQLite side files a writer left beside it
        for side in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-wal", "-shm", "-journal"))):
            with contextlib.suppress(OSError):
                side.unlink()
        raise


def _mkdir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise BadInput(f"cannot create the folder {folder}: a file of that name exists",
                       zh=f"无法创建文件夹 {folder}:已有同名文件") from None
    except PermissionError:
        raise Refused(f"cannot create the folder {folder}: permission denied; nothing was written",
                      zh=f"无法创建文件夹 {folder}:没有权限,未写入任何内容") from None


def _folder_not_writable(dst: Path) -> Refused:
    return Refused(f"cannot write {dst}: its folder {dst.parent} is read-only (no permission); "
                   "nothing was changed",
                   zh=f"无法写入 {dst}:所在文件夹 {dst.parent} 只读(没有权限),未做任何修改")


def write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes atomically (``-``: standard output)."""
    if is_stdout(target):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_text(target: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text atomically, line ends as given (``-``: standard output)."""
    write_bytes(target, text.encode("utf-8"))


def json_text(obj: Any) -> str:
    """JSON as zlt-assets writes it: UTF-8, Chinese kept readable, indented, a final newline."""
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n"


def write_json(target: str | os.PathLike[str], obj: Any) -> None:
    """Write JSON atomically (``-``: standard output)."""
    write_text(target, json_text(obj))


# ============================================================================ where data lives
_PG_SCHEMES = ("postgresql", "postgres")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+):")
_USER_HOST_DB = re.compile(r"^[\w.\-]+(:[^@/]*)?@[\w.\-\[\]]+(:\d+)?/\w+")


def is_database_url(data: object) -> bool:
    """True when ``data`` is a ``postgresql://`` (or ``postgres://``) URL."""
    return isinstance(data, str) and data.strip().lower().startswith(
        tuple(s + "://" for s in _PG_SCHEMES))


def check_location(data: str | os.PathLike[str]) -> str | Path:
    """The one check of where an inventory lives: a database URL (``str``) or a path (``Path``).

    A well-formed ``postgresql://user@host:port/dbname`` URL is returned as a string (its own
    parameters, such as ``?schema=``, are checked by :func:`zlt_assets.db.parse_url`). Anything
    that looks like a URL but is not one - ``postgresql:/host/db`` (one slash),
    ``postgres:host``, ``postgis://...``, ``http://...``, ``user@host/db`` - is refused: it is never
    taken as a file name, so a typo cannot create folders and a new GeoPackage. An existing file
    is always a path, whatever its name.

    Raises
    ------
    BadInput
        A mistyped or unsupported URL, or an empty value.

    Examples
    --------
    >>> check_location("postgresql://editor@dbhost:5432/zlt")
    'postgresql://editor@dbhost:5432/zlt'
    >>> check_location("city.gpkg")
    PosixPath('city.gpkg')
    >>> check_location("postgresql:/editor@dbhost/zlt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    zlt_assets.errors.BadInput: 'postgresql:/editor@dbhost/zlt' is not a well-formed ...
    """
    raw = os.fspath(data)
    text = raw.strip()
    if not text:
        raise BadInput("{option} is empty: give a GeoPackage file or a postgresql:// URL",
                       zh="{option} 为空:请给出 GeoPackage 文件或 postgresql:// 地址",
                       option="data")
    if is_database_url(text):
        _check_pg_url(text)
        return text
    if os.path.lexists(raw):
        return Path(raw)
    m = _SCHEME.match(text)
    lower = text.lower()
    if m:
        scheme = m.group(1).lower()
        if scheme in _PG_SCHEMES or scheme.startswith(("postg", "pg", "psql")):
            raise _bad_url(text)
        raise BadInput(f"{text!r} looks like a {scheme}: URL; an inventory is a GeoPackage file "
                       "or a postgresql://user@host:port/dbname URL",
                       zh=f"{text!r} 像是 {scheme}: 网址;清单只能是 GeoPackage 文件或 "
                          "postgresql://用户@主机:端口/库名")
    if lower.startswith(("postgres", "pgsql")) and any(c in text for c in "@/:"):
        raise _bad_url(text)
    if _USER_HOST_DB.match(text) and not lower.endswith(".gpkg"):
        raise _bad_url(text)
    return Path(raw)


def _bad_url(text: str) -> BadInput:
    return BadInput(f"{text!r} is not a well-formed database URL: write "
                    "postgresql://user@host:port/dbname",
                    zh=f"{text!r} 不是正确的数据库地址:应写作 postgresql://用户@主机:端口/库名")


def _check_pg_url(text: str) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError for a non-numeric port
    except ValueError as exc:
        raise BadInput(f"{_redact(text)!r} is not a well-formed database URL ({one_line(exc)}): "
                       "write postgresql://user@host:port/dbname",
                       zh=f"{_redact(text)!r} 不是正确的数据库地址:应写作 "
                          "postgresql://用户@主机:端口/库名") from None
    rest = text.split("://", 1)[1]
    if rest.startswith("/") and not rest.startswith("//") and not parts.hostname and \
            len(parts.path.strip("/").split("/")) > 1:
        raise _bad_url(_redact(text))
    if "/" in parts.path.strip("/"):
        raise BadInput(f"{_redact(text)!r}: the database name cannot hold '/'; write "
                       "postgresql://user@host:port/dbname",
                       zh=f"{_redact(text)!r}:数据库名不能含 '/';应写作 postgresql://用户@主机:端口/库名")


def _redact(url: str) -> str:
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


#: Backends by kind, named by module so that the inventory module never imports its subclasses.
_BACKENDS = {"gpkg": ("zlt_assets.inventory", "Inventory"),
             "postgis": ("zlt_assets.db", "PostGISInventory")}


def open_inventory(data: str | os.PathLike[str] | None = None, *, must_exist: bool = True,
                   create: bool = False) -> Inventory:
    """Open an inventory: a GeoPackage path or a ``postgresql://`` URL (``None``: the default).

    Parameters
    ----------
    data
        Where the inventory is; ``None`` means ``$ZLT_DATA`` when set, else the shipped sample.
    must_exist
        Refuse a GeoPackage that does not exist (or a database without the inventory tables).
    create
        Allow a GeoPackage that does not exist yet (the first write creates it): the explicit
        choice the import's create option makes. Its name must end in ``.gpkg``.

    Returns
    -------
    zlt_assets.inventory.Inventory
        A :class:`zlt_assets.inventory.Inventory`, or :class:`zlt_assets.db.PostGISInventory` for
        a URL (same API).

    Raises
    ------
    zlt_assets.inventory.InventoryError
        The inventory is missing, not a GeoPackage, a folder, unreadable; or the URL is mistyped.
    """
    import importlib

    inventory = importlib.import_module(_BACKENDS["gpkg"][0])
    if data is None:
        env = os.environ.get(inventory.DATA_ENV, "").strip()
        data = env if env else inventory.sample_path()
    where = check_location(data)
    if isinstance(where, str):
        mod, cls = _BACKENDS["postgis"]
        backend: Any = getattr(importlib.import_module(mod), cls)
        return backend.connect(where, must_exist=must_exist)
    path = where
    err = inventory.InventoryError
    gpkg_inventory: type[Inventory] = inventory.Inventory
    st = stat_file(path, "inventory", "清单", error=err, missing_ok=True)
    if st is None:
        if create:
            if path.suffix.lower() != ".gpkg":
                raise err(f"a new inventory must be a .gpkg file, got {path.name}",
                          zh=f"新建的清单必须是 .gpkg 文件,而不是 {path.name}")
            return gpkg_inventory(path)
        if must_exist:
            hint = ""
            if path.suffix.lower() != ".gpkg":
                hint = f" (did you mean {path.with_suffix('.gpkg').name}?)"
            raise err(f"inventory not found: {path}{hint}", zh=f"找不到清单:{path}{hint}")
        return gpkg_inventory(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except PermissionError:
        raise err(f"cannot read the inventory {path}: permission denied",
                  zh=f"无法读取清单 {path}:没有权限") from None
    if not head.startswith(b"SQLite format 3"):
        raise err(f"not a GeoPackage (SQLite) file: {path}",
                  zh=f"不是 GeoPackage(SQLite)文件:{path}")
    return gpkg_inventory(path)


def stat_file(path: Path, what: str, what_zh: str, *, error: type[BadInput] = BadInput,
              missing_ok: bool = False) -> os.stat_result | None:
    """The ``stat`` of a file to read, refusing folders, FIFOs, devices and unreadable paths.

    ``what`` names the file in messages (``"the inventory"``, ``"the input file"``). Returns
    None for a missing file when ``missing_ok``, else raises ``error`` ("... not found").
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        if missing_ok:
            return None
        raise error(f"{what} not found: {path}", zh=f"找不到{what_zh}:{path}") from None
    except PermissionError:
        raise error(f"cannot read {what} {path}: permission denied",
                    zh=f"无法读取{what_zh} {path}:没有权限") from None
    except NotADirectoryError:
        raise error(f"{what} not found: {path} (a part of its folder path is a file)",
                    zh=f"找不到{what_zh}:{path}(路径中的某一级是文件)") from None
    if stat.S_ISDIR(st.st_mode):
        raise error(f"{what} must be a file, got a folder: {path}",
                    zh=f"{what_zh}必须是文件,而不是文件夹:{path}")
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{what} must be a regular file, got a device, FIFO or socket: {path}",
                    zh=f"{what_zh}必须是普通文件,而不是设备、管道或套接字:{path}")
    return st


# ============================================================================ GeoPackage writes
#: Environment variable: seconds to wait for another program's write to finish (default 10).
BUSY_TIMEOUT_ENV = "ZLT_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 10.0
#: Test hook: ``ZLT_IO_PAUSE=stage=MARKER`` makes a write pause (60 s) at that stage (``locked``,
#: ``written``: half the rows inserted, ``commit``: just before COMMIT, ``publish``: a new file
#: written but not yet linked into place) after writing its process id into the file MARKER, so
#: a test can kill it exactly there.
PAUSE_ENV = "ZLT_IO_PAUSE"


class Busy(Refused):
    """Another program is writing the GeoPackage (it kept the lock past the wait)."""


class LayerChanged(Refused):
    """A layer changed between the read and the write (another program wrote it meanwhile)."""


@dataclass
class LayerWrite:
    """What a write did to one layer."""

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    created: bool = False


def _busy_timeout(timeout: float | None) -> float:
    if timeout is not None:
        return max(0.0, float(timeout))
    raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_BUSY_TIMEOUT
    except ValueError:
        value = DEFAULT_BUSY_TIMEOUT
    return value if math.isfinite(value) and value >= 0 else DEFAULT_BUSY_TIMEOUT


def _pause(stage: str) -> None:
    raw = os.environ.get(PAUSE_ENV)
    if not raw:
        return
    want, _, marker = raw.partition("=")
    if want != stage:
        return
    if marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(60)


# ---------------------------------------------------------------------------- SQL functions
_ENV_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


@lru_cache(maxsize=64)
def _blob_bounds(blob: bytes) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a GeoPackage geometry blob; None when empty or unreadable."""
    if len(blob) < 8 or blob[:2] != b"GP":
        return None
    flags = blob[3]
    if flags & 0x10:
        return None
    order = "<" if flags & 1 else ">"
    kind = (flags >> 1) & 7
    if kind in (1, 2, 3, 4):
        return struct.unpack_from(order + "4d", blob, 8)
    import shapely

    try:
        geom = shapely.from_wkb(blob[8 + 8 * _ENV_DOUBLES.get(kind, 0):])
    except Exception:  # shapely.errors.GEOSException and malformed blobs
        return None
    if geom is None or geom.is_empty:
        return None
    x0, y0, x1, y1 = geom.bounds
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        return None
    return (x0, x1, y0, y1)


def _st_is_empty(blob: object) -> int | None:
    if blob is None:
        return None
    if not isinstance(blob, bytes) or len(blob) < 8:
        return 1
    return 1 if (blob[3] & 0x10) or _blob_bounds(blob) is None else 0


def _st_coord(i: int) -> Callable[[object], float | None]:
    def f(blob: object) -> float | None:
        if not isinstance(blob, bytes):
            return None
        b = _blob_bounds(blob)
        return None if b is None else b[i]
    return f


def _register_functions(conn: sqlite3.Connection) -> None:
    """The spatial SQL functions GDAL's R-tree triggers call (plain sqlite3 lacks them)."""
    det = {"deterministic": True} if sys.version_info >= (3, 8) else {}
    conn.create_function("ST_IsEmpty", 1, _st_is_empty, **det)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        conn.create_function(name, 1, _st_coord(i), **det)


# ---------------------------------------------------------------------------- geometry blobs
def _gpkg_blobs(geoms: Any, srs_id: int, keep_z: bool) -> list[bytes | None]:
    """GeoPackage binary geometries (little-endian, xy envelope, ISO WKB) for a geometry array."""
    import numpy as np
    import shapely

    arr = np.asarray(geoms, dtype=object)
    out: list[bytes | None] = [None] * len(arr)
    if not len(arr):
        return out
    missing = shapely.is_missing(arr)
    present = ~missing
    if not present.any():
        return out
    g = arr[present]
    if not keep_z:
        g = shapely.force_2d(g)
    else:
        g = shapely.force_3d(g) if bool(shapely.has_z(g).any()) else g
    wkb = shapely.to_wkb(g, byte_order=1, flavor="iso", output_dimension=3 if keep_z else 2)
    empty = shapely.is_empty(g)
    bounds = shapely.bounds(g)
    srs = struct.pack("<i", int(srs_id))
    idx = np.flatnonzero(present)
    for j, i in enumerate(idx):
        if empty[j]:
            out[i] = b"GP\x00\x11" + srs + wkb[j]
        else:
            x0, y0, x1, y1 = bounds[j]
            out[i] = b"GP\x00\x03" + srs + struct.pack("<4d", x0, x1, y0, y1) + wkb[j]
    return out


def _wkb_part(blob: object) -> object:
    """The WKB of a geometry blob (to compare geometries whatever envelope their writer put)."""
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
        return blob
    return blob[8 + 8 * _ENV_DOUBLES.get((blob[3] >> 1) & 7, 0):]


# ---------------------------------------------------------------------------- values
_INT_TYPES = ("INT", "INTEGER", "MEDIUMINT", "SMALLINT", "TINYINT", "BIGINT")


def _sql_value(v: Any, decl: str) -> Any:
    """A Python/numpy/pandas value as SQLite stores it in a column declared ``decl``."""
    import numpy as np

    if v is None:
        return None
    if isinstance(v, float) and v != v:
        return None
    try:
        import pandas as pd

        if v is pd.NA or v is pd.NaT:
            return None
        if isinstance(v, pd.Timestamp):
            v = v.to_pydatetime()
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    d = decl.upper()
    if isinstance(v, (bool, np.bool_)):
        return int(bool(v))
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        f = float(v)
        if f != f:
            return None
        v = f
    if isinstance(v, float) and d.startswith(_INT_TYPES) and v.is_integer():
        return int(v)
    if isinstance(v, dt.datetime):
        if d.startswith("DATE") and not d.startswith("DATETIME"):
            return v.date().isoformat()
        if v.tzinfo is not None:
            v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond // 1000:03d}Z"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (str, int, float, bytes)):
        if d.startswith("BOOLEAN") and isinstance(v, str) and v in ("True", "False"):
            return int(v == "True")
        return v
    if isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    return str(v)


def _column_decl(dtype: Any) -> str:
    kind = getattr(dtype, "kind", "O")
    name = str(dtype).lower()
    if name == "boolean" or kind == "b":
        return "BOOLEAN"
    if kind in "iu" or name.startswith(("int", "uint")):
        return "INTEGER"
    if kind == "f" or name.startswith("float"):
        return "REAL"
    if kind == "M" or name.startswith("datetime"):
        return "DATETIME"
    return "TEXT"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------------------- layer state
def _table_name(conn: sqlite3.Connection, layer: str) -> str | None:
    row = conn.execute("SELECT table_name FROM gpkg_contents WHERE lower(table_name) = lower(?)",
                       (layer,)).fetchone()
    return None if row is None else str(row[0])


def _layer_token(conn: sqlite3.Connection, layer: str) -> str:
    """A digest of a layer's columns and rows (``absent`` when the layer is not there)."""
    table = _table_name(conn, layer)
    if table is None:
        return "absent"
    h = hashlib.blake2b(digest_size=16)
    cols = [r[1] for r in conn.execute(f"PRAGMA table_info({_q(table)})")]
    h.update(repr(cols).encode())
    pk = _fid_column(conn, table)
    order = f" ORDER BY {_q(pk)}" if pk else ""
    for row in conn.execute(f"SELECT * FROM {_q(table)}{order}"):
        h.update(repr(row).encode())
    return h.hexdigest()


def gpkg_layer_token(path: str | os.PathLike[str], layer: str) -> str:
    """A digest of a layer as stored now (``"absent"`` when the file or the layer is not there).

    Pass it as ``expect`` to :func:`write_gpkg_layers`: the write is refused
    (:class:`LayerChanged`) when another program changed the layer since.
    """
    p = Path(path)
    if not p.exists():
        return "absent"
    conn = _connect(p, _busy_timeout(None))
    try:
        conn.execute("BEGIN")
        return _layer_token(conn, layer)
    except sqlite3.DatabaseError as exc:
        raise _sqlite_error(exc, p, "read") from None
    finally:
        conn.close()


def _fid_column(conn: sqlite3.Connection, table: str) -> str | None:
    for _cid, name, decl, _nn, _dflt, pk in conn.execute(f"PRAGMA table_info({_q(table)})"):
        if pk == 1 and str(decl).upper() == "INTEGER":
            return str(name)
    return None


# ---------------------------------------------------------------------------- connections
def _connect(path: Path, timeout: float) -> sqlite3.Connection:
    conn = sqlite3.connect(os.fspath(path), timeout=timeout, isolation_level=None)
    _register_functions(conn)
    return conn


def _sqlite_error(exc: BaseException, path: Path, doing: str = "write") -> Exception:
    msg = str(exc).lower()
    if "locked" in msg or "busy" in msg:
        return Busy(f"another program is writing {path.name} (for example QGIS saving edits, or "
                    "another import) and kept it locked; nothing was changed: try again when it "
                    "has finished", zh=f"另一个程序(例如正在保存编辑的 QGIS 或另一次导入)正在写入 "
                    f"{path.name} 并一直占用;未做任何修改,请等它完成后重试")
    if "readonly" in msg or "read-only" in msg or "unable to open" in msg:
        if not os.access(path.parent, os.W_OK):
            return _folder_not_writable(path)
        return Refused(f"cannot {doing} {path}: the file or its folder is read-only; nothing was "
                       "changed", zh=f"无法写入 {path}:文件或所在文件夹只读,未做任何修改")
    if "disk is full" in msg or "or disk is full" in msg or "or database is full" in msg:
        return Refused(f"cannot {doing} {path}: the disk is full; nothing was changed",
                       zh=f"无法写入 {path}:磁盘已满,未做任何修改")
    if "not a database" in msg or "malformed" in msg or "no such table: gpkg_contents" in msg:
        return BadInput(f"{path} is not a readable GeoPackage ({one_line(exc)})",
                        zh=f"{path} 不是可读的 GeoPackage")
    if "disk i/o" in msg:
        return Refused(f"cannot {doing} {path}: disk I/O error ({one_line(exc)}); nothing was "
                       "changed", zh=f"无法写入 {path}:磁盘读写错误,未做任何修改")
    if isinstance(exc, sqlite3.IntegrityError):
        return Refused(f"{path.name} refused the write: {one_line(exc)} (a constraint or unique "
                       "index of the file); nothing was changed",
                       zh=f"{path.name} 拒绝了写入:违反文件中的约束或唯一索引,未做任何修改")
    return Refused(f"cannot {doing} {path}: {one_line(exc)}; nothing was changed",
                   zh=f"无法写入 {path}:{one_line(exc)};未做任何修改")


def _begin_immediate(conn: sqlite3.Connection, path: Path, timeout: float) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        err = _sqlite_error(exc, path)
        if isinstance(err, Busy):
            raise Busy(f"another program is writing {path.name} (for example QGIS saving edits, "
                       f"or another import): waited {timeout:g} s; nothing was changed, try again "
                       "when it has finished",
                       zh=f"另一个程序(例如正在保存编辑的 QGIS 或另一次导入)正在写入 {path.name}:"
                          f"已等待 {timeout:g} 秒;未做任何修改,请等它完成后重试") from None
        raise err from None


# ---------------------------------------------------------------------------- templates
def _template(frame: Any, name: str, geometry_type: str | None,
              version: str | None) -> sqlite3.Connection:
    """An in-memory GeoPackage holding ``name`` as GDAL creates it (empty): the DDL to copy."""
    import pyogrio

    empty = frame.iloc[:0]
    kwargs: dict[str, Any] = {"layer": name, "driver": "GPKG", "promote_to_multi": False}
    if geometry_type:
        kwargs["geometry_type"] = geometry_type
    if version:
        kwargs["dataset_options"] = {"VERSION": version}
    buf = io.BytesIO()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyogrio.write_dataframe(empty, buf, **kwargs)
    return _memory_db(buf.getvalue())


def _memory_db(data: bytes) -> sqlite3.Connection:
    mem = sqlite3.connect(":memory:", isolation_level=None)
    if hasattr(mem, "deserialize"):
        mem.deserialize(data)
    else:  # Python 3.10: through a file in the system's temporary folder
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "t.gpkg"
            p.write_bytes(data)
            src = sqlite3.connect(os.fspath(p))
            try:
                src.backup(mem)
            finally:
                src.close()
    _register_functions(mem)
    return mem


def _memory_bytes(conn: sqlite3.Connection) -> bytes:
    if hasattr(conn, "serialize"):
        return bytes(conn.serialize())
    with tempfile.TemporaryDirectory() as d:  # Python 3.10
        p = Path(d) / "t.gpkg"
        dst = sqlite3.connect(os.fspath(p))
        try:
            conn.backup(dst)
        finally:
            dst.close()
        return p.read_bytes()


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    return [(str(r[1]), str(r[2] or "")) for r in conn.execute(f"PRAGMA table_info({_q(table)})")]


def _copy_srs(conn: sqlite3.Connection, tmpl: sqlite3.Connection, srs_id: int) -> int:
    """Make sure ``conn`` knows the template's CRS ``srs_id``; the id to use in ``conn``."""
    row = tmpl.execute("SELECT * FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (srs_id,)).fetchone()
    if row is None:
        return srs_id
    tcols = [c for c, _ in _columns(tmpl, "gpkg_spatial_ref_sys")]
    rec = dict(zip(tcols, row, strict=False))
    org, code = rec.get("organization"), rec.get("organization_coordsys_id")
    if srs_id in (-1, 0):
        return srs_id
    found = conn.execute("SELECT srs_id FROM gpkg_spatial_ref_sys WHERE lower(organization) = "
                         "lower(?) AND organization_coordsys_id = ?", (org, code)).fetchone()
    if found is not None and str(org).upper() != "NONE":
        return int(found[0])
    new_id = srs_id
    if conn.execute("SELECT 1 FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (new_id,)).fetchone():
        new_id = int(conn.execute("SELECT max(srs_id) FROM gpkg_spatial_ref_sys").fetchone()[0]) + 1
        new_id = max(new_id, 100000)
    rec["srs_id"] = new_id
    dcols = {c for c, _ in _columns(conn, "gpkg_spatial_ref_sys")}
    keys = [k for k in rec if k in dcols]
    if "definition_12_063" in dcols and "definition_12_063" not in rec:
        keys.append("definition_12_063")
        rec["definition_12_063"] = "undefined"
    conn.execute(f"INSERT INTO gpkg_spatial_ref_sys ({', '.join(map(_q, keys))}) VALUES "
                 f"({', '.join('?' for _ in keys)})", [rec[k] for k in keys])
    return new_id


def _create_layer(conn: sqlite3.Connection, frame: Any, name: str,
                  geometry_type: str | None) -> None:
    """Create ``name`` in ``conn`` exactly as GDAL would (table, R-tree, triggers, metadata)."""
    tmpl = _template(frame, name, geometry_type, "1.2")
    try:
        objs = tmpl.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND "
            "(tbl_name = ? OR name LIKE ? ESCAPE '\\') ORDER BY CASE type WHEN 'table' THEN 0 "
            "WHEN 'index' THEN 1 ELSE 2 END, rowid",
            (name, "rtree\\_" + name.replace("_", "\\_") + "\\_%")).fetchall()
        shadow = re.compile(r"^rtree_.*_(node|parent|rowid)$")
        for kind, oname, sql in objs:
            if kind == "table" and shadow.match(str(oname)) and not str(sql).upper().startswith(
                    "CREATE VIRTUAL"):
                if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (oname,)).fetchone():
                    continue
                if tmpl.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND sql LIKE "
                                "'CREATE VIRTUAL%' AND ? LIKE name || '\\_%' ESCAPE '\\'",
                                (oname,)).fetchone():
                    continue  # made by the virtual table itself
            conn.execute(str(sql))
        srs = tmpl.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?",
                           (name,)).fetchone()
        srs_id = _copy_srs(conn, tmpl, int(srs[0])) if srs else None
        for table in ("gpkg_contents", "gpkg_geometry_columns", "gpkg_extensions",
                      "gpkg_ogr_contents"):
            if not _has_table(tmpl, table) or not _has_table(conn, table):
                continue
            tcols = [c for c, _ in _columns(tmpl, table)]
            dcols = {c for c, _ in _columns(conn, table)}
            keys = [c for c in tcols if c in dcols]
            for row in tmpl.execute(f"SELECT {', '.join(map(_q, keys))} FROM {table} "
                                    "WHERE lower(table_name) = lower(?)", (name,)).fetchall():
                rec = dict(zip(keys, row, strict=False))
                if "srs_id" in rec and srs_id is not None:
                    rec["srs_id"] = srs_id
                if table == "gpkg_contents" and conn.execute(
                        "SELECT 1 FROM gpkg_contents WHERE identifier = ?",
                        (rec.get("identifier"),)).fetchone():
                    rec["identifier"] = name
                conn.execute(f"INSERT INTO {table} ({', '.join(map(_q, rec))}) VALUES "
                             f"({', '.join('?' for _ in rec)})", list(rec.values()))
    finally:
        tmpl.close()


def _has_table(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (table,)).fetchone() is not None


def _drop_layer(conn: sqlite3.Connection, table: str) -> None:
    geom = conn.execute("SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = "
                        "lower(?)", (table,)).fetchone()
    if geom is not None:
        rtree = f"rtree_{table}_{geom[0]}"
        if _has_table(conn, rtree):
            conn.execute(f"DROP TABLE {_q(rtree)}")
    conn.execute(f"DROP TABLE IF EXISTS {_q(table)}")
    for meta in ("gpkg_geometry_columns", "gpkg_extensions", "gpkg_ogr_contents",
                 "gpkg_data_columns", "gpkg_contents"):
        if _has_table(conn, meta):
            conn.execute(f"DELETE FROM {meta} WHERE lower(table_name) = lower(?)", (table,))


# ---------------------------------------------------------------------------- one layer
@dataclass
class _Layer:
    table: str
    fid: str
    geom: str | None
    srs_id: int
    keep_z: bool
    columns: dict[str, tuple[str, str]]  # lower name -> (name, declared type)


def _layer_info(conn: sqlite3.Connection, table: str) -> _Layer:
    fid = _fid_column(conn, table) or "rowid"
    g = conn.execute("SELECT column_name, srs_id, z FROM gpkg_geometry_columns WHERE "
                     "lower(table_name) = lower(?)", (table,)).fetchone()
    cols = {n.lower(): (n, d) for n, d in _columns(conn, table)}
    geom = str(g[0]) if g else None
    return _Layer(table, fid, geom, int(g[1]) if g else 0, bool(g and int(g[2] or 0) in (1, 2)),
                  {k: v for k, v in cols.items() if k not in (fid.lower(), (geom or "").lower())})


def _frame_rows(frame: Any, info: _Layer,
                conn: sqlite3.Connection) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names (as stored) and SQLite rows of ``frame`` for layer ``info``."""
    geom_name = frame.geometry.name if hasattr(frame, "geometry") and info.geom else None
    names: list[str] = []
    decls: list[str] = []
    series: list[list[Any]] = []
    for col in frame.columns:
        if col == geom_name or str(col).lower() == info.fid.lower():
            continue
        key = str(col).lower()
        if key not in info.columns:
            decl = _column_decl(frame[col].dtype)
            conn.execute(f"ALTER TABLE {_q(info.table)} ADD COLUMN {_q(str(col))} {decl}")
            info.columns[key] = (str(col), decl)
        stored, decl = info.columns[key]
        names.append(stored)
        decls.append(decl)
        series.append(frame[col].tolist())
    cols = list(names)
    data: list[list[Any]] = [[_sql_value(v, d) for v in s]
                             for s, d in zip(series, decls, strict=True)]
    if geom_name is not None:
        cols.append(info.geom or "geom")
        data.append(_gpkg_blobs(frame.geometry.values, info.srs_id, info.keep_z))
    n = len(frame)
    rows = [tuple(c[i] for c in data) for i in range(n)] if data else [() for _ in range(n)]
    return cols, rows


def _write_layer(conn: sqlite3.Connection, name: str, frame: Any, mode: str, key: str | None,
                 geometry_type: str | None) -> LayerWrite:
    res = LayerWrite()
    table = _table_name(conn, name)
    if table is not None and mode == "recreate":
        _drop_layer(conn, table)
        table = None
    if table is None:
        _create_layer(conn, frame, name, geometry_type)
        table = _table_name(conn, name) or name
        res.created = True
    info = _layer_info(conn, table)
    cols, rows = _frame_rows(frame, info, conn)
    if cols:
        insert = (f"INSERT INTO {_q(table)} ({', '.join(map(_q, cols))}) VALUES "
                  f"({', '.join('?' for _ in cols)})")
    else:
        insert = f"INSERT INTO {_q(table)} DEFAULT VALUES"
    fid = info.fid
    if mode in ("append", "recreate") or res.created:
        _insert(conn, insert, rows, bool(cols))
        res.inserted = len(rows)
        return res
    # sync: the layer becomes the frame; matched rows keep their fid
    match_col = None
    if key is not None and key.lower() in info.columns and key in frame.columns:
        match_col = info.columns[key.lower()][0]
        kpos = cols.index(match_col)
        frame_keys = [r[kpos] for r in rows]
    elif getattr(frame.index, "name", None) == fid:
        match_col = fid
        frame_keys = [int(v) for v in frame.index]
    if match_col is None:
        n_old = conn.execute(f"SELECT count(*) FROM {_q(table)}").fetchone()[0]
        conn.execute(f"DELETE FROM {_q(table)}")
        _insert(conn, insert, rows, bool(cols))
        res.deleted, res.inserted = int(n_old), len(rows)
        return res
    sel = ", ".join(_q(c) for c in cols) if cols else "NULL"
    stored: dict[Any, list[tuple[int, tuple[Any, ...]]]] = {}
    for r in conn.execute(f"SELECT {_q(fid)}, {_q(match_col)}, {sel} FROM {_q(table)} "
                          f"ORDER BY {_q(fid)}"):
        stored.setdefault(r[1], []).append((int(r[0]), tuple(r[2:])))
    gpos = cols.index(info.geom) if info.geom in cols else None
    update = (f"UPDATE {_q(table)} SET {', '.join(_q(c) + ' = ?' for c in cols)} "
              f"WHERE {_q(fid)} = ?")
    to_insert: list[tuple[Any, ...]] = []
    for k, row in zip(frame_keys, rows, strict=False):
        if k is not None and stored.get(k):
            old_fid, old = stored[k].pop(0)
            if _same_row(old, row, gpos):
                res.unchanged += 1
            else:
                conn.execute(update, (*row, old_fid))
                res.updated += 1
        elif match_col == fid and k is not None:
            conn.execute(f"INSERT INTO {_q(table)} ({_q(fid)}, {', '.join(map(_q, cols))}) VALUES "
                         f"(?, {', '.join('?' for _ in cols)})", (k, *row))
            res.inserted += 1
        else:
            to_insert.append(row)
    gone = [f for lst in stored.values() for f, _ in lst]
    for i in range(0, len(gone), 500):
        part = gone[i:i + 500]
        conn.execute(f"DELETE FROM {_q(table)} WHERE {_q(fid)} IN ({', '.join('?' for _ in part)})",
                     part)
    res.deleted = len(gone)
    _insert(conn, insert, to_insert, bool(cols))
    res.inserted += len(to_insert)
    return res


def _same_row(old: tuple[Any, ...], new: tuple[Any, ...], gpos: int | None) -> bool:
    if len(old) != len(new):
        return False
    for i, (a, b) in enumerate(zip(old, new, strict=False)):
        if i == gpos:
            if _wkb_part(a) != _wkb_part(b):
                return False
        elif a != b and not (isinstance(a, (int, float)) and isinstance(b, (int, float))
                             and float(a) == float(b)):
            return False
    return True


def _insert(conn: sqlite3.Connection, sql: str, rows: list[tuple[Any, ...]],
            has_cols: bool) -> None:
    if not rows:
        return
    if has_cols:
        step = max(1, len(rows) // 2)
        conn.executemany(sql, rows[:step])
        _pause("written")
        conn.executemany(sql, rows[step:])
    else:
        for _ in rows:
            conn.execute(sql)


def _finish_layer(conn: sqlite3.Connection, table: str, created: bool) -> None:
    """``gpkg_contents`` extent and time from the data; GDAL's count (see below).

    ``gpkg_ogr_contents`` gets the count of a layer this write created, and loses the row of a
    layer that existed.
    """
    info = _layer_info(conn, table)
    n = int(conn.execute(f"SELECT count(*) FROM {_q(table)}").fetchone()[0])
    ext = None
    if info.geom:  # exact (the R-tree holds bounds rounded outwards to 32-bit floats)
        g = _q(info.geom)
        ext = conn.execute(f"SELECT min(ST_MinX({g})), min(ST_MinY({g})), max(ST_MaxX({g})), "
                           f"max(ST_MaxY({g})) FROM {_q(table)}").fetchone()
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if ext is not None and ext[0] is not None:
        conn.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, "
                     "last_change = ? WHERE lower(table_name) = lower(?)", (*ext, now, table))
    else:
        conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE lower(table_name) = lower(?)",
                     (now, table))
    if _has_table(conn, "gpkg_ogr_contents"):
        if created:
            cur = conn.execute("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE "
                               "lower(table_name) = lower(?)", (n, table))
            if cur.rowcount == 0:
                conn.execute("INSERT INTO gpkg_ogr_contents (table_name, feature_count) "
                             "VALUES (?, ?)", (table, n))
        else:
            # GDAL's cached count: a GDAL session (QGIS) that has the layer open keeps its own
            # copy and writes it back when it saves, which would undo ours. Without the row
            # GDAL counts the rows itself, and its write-back finds nothing to overwrite.
            conn.execute("DELETE FROM gpkg_ogr_contents WHERE lower(table_name) = lower(?)",
                         (table,))


def _apply(conn: sqlite3.Connection, layers: Mapping[str, Any], modes: Mapping[str, str],
           keys: Mapping[str, str | None], geometry_types: Mapping[str, str | None],
           only_these: bool, new_file: bool = False) -> dict[str, LayerWrite]:
    out: dict[str, LayerWrite] = {}
    if only_these:
        wanted = {n.lower() for n in layers}
        for (t,) in conn.execute("SELECT table_name FROM gpkg_contents WHERE lower(data_type) IN "
                                 "('features', 'attributes')").fetchall():
            if str(t).lower() not in wanted:
                _drop_layer(conn, str(t))
    for name, frame in layers.items():
        out[name] = _write_layer(conn, name, frame, modes[name], keys.get(name),
                                 geometry_types.get(name))
        _finish_layer(conn, _table_name(conn, name) or name, out[name].created or new_file)
    return out


# ---------------------------------------------------------------------------- new files
def _new_gpkg_bytes(layers: Mapping[str, Any], keys: Mapping[str, str | None],
                    geometry_types: Mapping[str, str | None]) -> bytes:
    first = next(iter(layers))
    conn = _template(layers[first], first, geometry_types.get(first), "1.2")
    try:
        conn.execute("BEGIN")
        _apply(conn, layers, dict.fromkeys(layers, "append"), keys, geometry_types, False, True)
        conn.execute("COMMIT")
        return _memory_bytes(conn)
    finally:
        conn.close()


def _publish_new(dst: Path, data: bytes) -> bool:
    """Create ``dst`` holding ``data``, complete or not at all; False when it appeared meanwhile.

    On Linux the bytes go to an unnamed file (``O_TMPFILE``) linked into place once written, so
    a kill leaves nothing behind; elsewhere a hidden temporary file is linked, then removed.
    """
    mode = 0o666 & ~_umask()
    folder = dst.parent
    tmpfile = getattr(os, "O_TMPFILE", None)
    if tmpfile is not None and sys.platform.startswith("linux"):
        try:
            fd = os.open(folder, tmpfile | os.O_WRONLY, mode)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise _folder_not_writable(dst) from None
            fd = -1  # the file system has no unnamed files: fall back below
        if fd >= 0:
            try:
                _write_all(fd, data)
                os.fchmod(fd, mode)
                _pause("publish")
                try:
                    os.link(f"/proc/self/fd/{fd}", dst, follow_symlinks=True)
                except FileExistsError:
                    return False
                except OSError as exc:
                    if exc.errno not in (errno.ENOENT, errno.EXDEV, errno.EINVAL, errno.EPERM):
                        raise
                else:
                    _fsync_dir(folder)
                    return True
            finally:
                os.close(fd)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".zlt-new", dir=folder)
    except PermissionError:
        raise _folder_not_writable(dst) from None
    try:
        _write_all(fd, data)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        os.close(fd)
        fd = -1
        _pause("publish")
        try:
            os.link(tmp, dst)
        except FileExistsError:
            return False
        except OSError:  # no hard links (some network shares): a rename cannot replace here
            if dst.exists():
                return False
            os.replace(tmp, dst)
        _fsync_dir(folder)
        return True
    finally:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]
    os.fsync(fd)


def _fsync_dir(folder: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------------------- the write
def write_gpkg_layers(
    path: str | os.PathLike[str],
    layers: Mapping[str, Any],
    *,
    mode: str | Mapping[str, str] = "sync",
    keys: Mapping[str, str | None] | None = None,
    geometry_types: Mapping[str, str | None] | None = None,
    only_these: bool = False,
    create: bool = True,
    expect: Mapping[str, str | None] | None = None,
    backup_dir: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
) -> tuple[dict[str, LayerWrite], Path | None]:
    """Write layers into a GeoPackage in one SQLite transaction on the file itself.

    Parameters
    ----------
    path
        The GeoPackage (a symlink is followed: its target is written).
    layers
        Layer name -> GeoDataFrame (or DataFrame for a table without geometry), with storage
        dtypes (see :func:`zlt_assets.inventory.to_storage`) in the layer's CRS.
    mode
        ``sync`` (default): the layer's rows become the frame's; rows are matched by ``keys``
        (e.g. the object id) or by a frame index named ``fid``, and a matched row keeps its fid
        (unchanged rows are not touched); unmatched stored rows are deleted. ``append``: the rows
        are added. ``recreate``: the table is dropped and created anew (outputs). A mapping gives
        a mode per layer.
    keys
        Layer -> column that identifies a feature, for ``sync``.
    geometry_types
        Layer -> geometry type for layers created by this write.
    only_these
        Drop the file's other feature/attribute layers in the same transaction (a file that
        should hold exactly ``layers``, such as an analysis output).
    create
        Create the file when it does not exist (it appears complete or not at all).
    expect
        Layer -> :func:`gpkg_layer_token` taken before the caller read the layer: the write is
        refused with :class:`LayerChanged` when the layer changed since (another program wrote).
    backup_dir
        Copy the file, as it is just before this write, into this folder first (SQLite's backup
        API, inside the write's lock, so the copy is exactly the state the write changes).
    timeout
        Seconds to wait for another writer (default ``$ZLT_BUSY_TIMEOUT`` or 10).

    Returns
    -------
    (dict, Path or None)
        What happened to each layer (:class:`LayerWrite`), and the backup's path.

    Raises
    ------
    Busy
        Another program kept the file locked for longer than ``timeout`` (exit 4).
    LayerChanged
        A layer in ``expect`` changed since it was read (exit 4; read again and retry).
    Refused
        The file or its folder is read-only, the disk is full, a constraint of the file refused
        a row: nothing was changed (exit 4).
    BadInput
        The path is a folder or a special file, or the file is not a GeoPackage.
    """
    if not layers:
        return {}, None
    modes = {n: (mode if isinstance(mode, str) else mode.get(n, "sync")) for n in layers}
    for n, m in modes.items():
        if m not in ("sync", "append", "recreate"):
            raise ValueError(f"unknown write mode {m!r} for layer {n!r}")
    keys = dict(keys or {})
    gtypes = dict(geometry_types or {})
    wait = _busy_timeout(timeout)
    dst = resolve_target(path)
    if not dst.exists():
        if not create:
            raise BadInput(f"inventory not found: {path}", zh=f"找不到清单:{path}")
        if expect and any(v not in (None, "absent") for v in expect.values()):
            raise LayerChanged(f"{dst.name} disappeared while it was being read; nothing was "
                               "written", zh=f"{dst.name} 在读取过程中消失,未写入任何内容")
        _mkdir(dst.parent)
        try:
            data = _new_gpkg_bytes(layers, keys, gtypes)
        except MemoryError:
            raise Refused(f"not enough memory to build {dst.name}; nothing was written",
                          zh=f"内存不足,无法生成 {dst.name};未写入任何内容") from None
        try:
            created = _publish_new(dst, data)
        except OSError as exc:
            raise _os_write_error(exc, dst) from None
        if created:
            return {n: LayerWrite(inserted=len(f), created=True) for n, f in layers.items()}, None
        # another program created it meanwhile: write into it like into any existing file
    try:
        conn = _connect(dst, wait)
    except sqlite3.Error as exc:
        raise _sqlite_error(exc, dst) from None
    backup: Path | None = None
    try:
        _begin_immediate(conn, dst, wait)
        try:
            if not _has_table(conn, "gpkg_contents"):
                raise BadInput(f"not a GeoPackage (no gpkg_contents table): {dst}",
                               zh=f"不是 GeoPackage(缺少 gpkg_contents 表):{dst}")
            _pause("locked")
            for name, token in (expect or {}).items():
                if token is not None and _layer_token(conn, name) != token:
                    raise LayerChanged(
                        f"layer {name} of {dst.name} was changed by another program while this "
                        "command was working; nothing was written (read it again and retry)",
                        zh=f"{dst.name} 的图层 {name} 在本命令运行期间被另一个程序修改;"
                           "未写入任何内容(请重新读取后再试)")
            if backup_dir is not None:
                backup = _backup_from(conn, dst, Path(backup_dir))
            result = _apply(conn, layers, modes, keys, gtypes, only_these)
            _pause("commit")
            _commit(conn, dst, wait)
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            if backup is not None:
                with contextlib.suppress(OSError):
                    backup.unlink()
            raise
    except sqlite3.Error as exc:
        raise _sqlite_error(exc, dst) from None
    except OSError as exc:
        raise _os_write_error(exc, dst) from None
    finally:
        conn.close()
    return result, backup


def _commit(conn: sqlite3.Connection, dst: Path, wait: float) -> None:
    """COMMIT; readers in rollback-journal mode may delay it: retry within the wait."""
    deadline = time.monotonic() + wait
    while True:
        try:
            conn.execute("COMMIT")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise Busy(f"another program kept reading {dst.name} for {wait:g} s, so the write "
                           "could not finish; nothing was changed: try again",
                           zh=f"另一个程序持续读取 {dst.name} 达 {wait:g} 秒,写入无法完成;"
                              "未做任何修改,请重试") from None
            time.sleep(0.05)


def _os_write_error(exc: OSError, dst: Path) -> Exception:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT if hasattr(errno, "EDQUOT") else errno.ENOSPC):
        return Refused(f"cannot write {dst}: the disk is full; nothing was changed",
                       zh=f"无法写入 {dst}:磁盘已满,未做任何修改")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return Refused(f"cannot write {dst}: permission denied or read-only file system; nothing "
                       "was changed", zh=f"无法写入 {dst}:没有权限或文件系统只读,未做任何修改")
    return Refused(f"cannot write {dst}: {one_line(exc)}; nothing was changed",
                   zh=f"无法写入 {dst}:{one_line(exc)};未做任何修改")


# ---------------------------------------------------------------------------- backups
def _backup_name(src: Path, folder: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return folder / f"{src.stem}.backup-{stamp}{src.suffix or '.gpkg'}"


def check_backup_dir(folder: str | os.PathLike[str]) -> None:
    """Refuse a backup folder that is a file or cannot be written (created when missing)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"the backup folder {folder} is a file; give a folder",
                       zh=f"备份文件夹 {folder} 是一个文件;请给出文件夹", option="backup_dir")
    _mkdir(folder)
    if not os.access(folder, os.W_OK):
        raise Refused(f"cannot write backups into {folder}: permission denied; nothing was "
                      "changed", zh=f"无法在 {folder} 写入备份:没有权限;未做任何修改",
                      option="backup_dir")


def _backup_from(conn: sqlite3.Connection | None, src: Path, folder: Path) -> Path:
    """Copy ``src`` into ``folder`` with the backup API.

    ``conn`` holds the write lock (or is None): the copy is read through a second connection of
    the same SQLite library, which may read while the lock is held (the backup API refuses to
    read through a connection that is writing), so the copy is exactly the committed state the
    locked write is about to change.
    """
    check_backup_dir(folder)
    del conn
    reader = _connect(src, _busy_timeout(None))
    mem = sqlite3.connect(":memory:")
    try:
        reader.backup(mem)
        data = _memory_bytes(mem)
    finally:
        mem.close()
        reader.close()
    return _publish_unique(_backup_name(src, folder), data)


def _publish_unique(base: Path, data: bytes) -> Path:
    """Create ``base`` (or ``<stem>-1``, ``-2`` ... when taken) holding ``data``; its path."""
    dst, n = base, 1
    while True:
        try:
            if _publish_new(dst, data):
                return dst
        except OSError as exc:
            raise _os_write_error(exc, dst) from None
        dst = base.with_name(f"{base.stem}-{n}{base.suffix}")
        n += 1


def write_backup_gpkg(folder: str | os.PathLike[str], base: str, layers: Mapping[str, Any], *,
                      keys: Mapping[str, str | None] | None = None,
                      geometry_types: Mapping[str, str | None] | None = None) -> Path:
    """A new GeoPackage ``<base>.backup-<time>.gpkg`` in ``folder`` holding ``layers``.

    ``layers`` are storage frames; the file is created complete or not at all, under a name no
    other file has. Returns its path.

    Raises
    ------
    BadInput
        ``folder`` is a file.
    Refused
        ``folder`` cannot be written, the disk is full.
    """
    target = Path(folder)
    check_backup_dir(target)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    data = _new_gpkg_bytes(layers, dict(keys or {}), dict(geometry_types or {}))
    return _publish_unique(target / f"{base}.backup-{stamp}.gpkg", data)


def backup_gpkg(path: str | os.PathLike[str], folder: str | os.PathLike[str] | None = None) -> Path:
    """A consistent copy of a GeoPackage, made with SQLite's backup API.

    Safe while other programs use the file; the copy is ``<stem>.backup-<time>.gpkg`` in
    ``folder`` (default: beside the file).

    Raises
    ------
    BadInput
        ``folder`` is a file.
    Refused
        ``folder`` cannot be written, the disk is full.
    """
    src = Path(path)
    target = Path(folder) if folder is not None else src.parent
    try:
        return _backup_from(None, src, target)
    except sqlite3.Error as exc:
        raise _sqlite_error(exc, src, "back up") from None

