"""Reading analysis inputs: any vector file GDAL reads, in any CRS, into the CRS of the run.

The analysis computes in true metres (:func:`zlt_assets.crs.choose_work_crs`): inputs are read in
their own CRS (``crs=None``) and moved into the run's metric CRS with :func:`as_work`.

Inputs travel as a :class:`Layer`: geometries as a shapely array, attributes as numpy arrays, the
CRS as a :class:`pyproj.CRS`. :func:`read_layer` reads a GeoPackage layer straight from its
SQLite tables (the GeoPackage geometry blobs are WKB behind a short header; points are decoded
with numpy without making one Python object each), any other format through pyogrio, so that a
run needs neither pandas nor geopandas. GeoDataFrames are accepted everywhere (:func:`as_layer`),
and the functions that returned GeoDataFrames still do when given one.

Every reader raises :class:`zlt_assets.errors.BadInput` with a one-line message a user can act on
(file missing or unreadable, no CRS, empty layer, wrong geometry type); nothing here prints.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import numpy as np
import shapely

from .. import schema
from ..crs import to_project, transformer
from ..errors import BadInput
from ..schema import PROJECT_CRS

if TYPE_CHECKING:
    import geopandas as gpd
    from pyproj import CRS, Transformer

__all__ = [
    "LINE",
    "POINT",
    "POLYGON",
    "Layer",
    "as_layer",
    "as_project",
    "as_work",
    "facility_ids",
    "geometries",
    "gpkg_layers",
    "gpkg_point_table",
    "in_service",
    "is_frame",
    "read_layer",
    "read_vector",
    "require_geometry",
    "transform_xy",
]

POINT = ("Point", "MultiPoint")
LINE = ("LineString", "MultiLineString", "LinearRing")
POLYGON = ("Polygon", "MultiPolygon")

L = TypeVar("L")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _crs(value: object) -> CRS:
    from pyproj import CRS

    return value if isinstance(value, CRS) else CRS.from_user_input(value)


@lru_cache(maxsize=64)
def _layer_transformer(src: CRS, dst: CRS) -> Transformer:
    """The always-xy transformer geopandas' ``to_crs`` uses for the same pair of CRSs."""
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


# ------------------------------------------------------------------------------------------
# Layer: a vector layer as arrays
# ------------------------------------------------------------------------------------------
@dataclass
class Layer:
    """A vector layer as arrays: shapely geometries, attribute columns, a CRS.

    Attributes
    ----------
    geometry : ndarray of shapely geometries (object), None where missing
    crs : pyproj.CRS or None
    data : dict of str to ndarray
        Attribute columns, one value per feature (numbers as numeric arrays, text as objects).
    index : ndarray
        A label per feature (the row position in the source, or the GeoDataFrame's index).
    source : str
        Where it came from (a file name), for messages.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> lay = Layer(shapely.points([0.0, 1.0], [0.0, 1.0]), "EPSG:4550", {"k": np.array([1, 2])})
    >>> len(lay), lay["k"].tolist(), lay.crs.to_epsg(), lay.total_bounds.tolist()
    (2, [1, 2], 4550, [0.0, 0.0, 1.0, 1.0])
    """

    geometry: np.ndarray
    crs: Any = None
    data: MutableMapping[str, np.ndarray] = field(default_factory=dict)
    index: np.ndarray | None = None
    source: str = ""

    def __post_init__(self) -> None:
        self.geometry = np.asarray(self.geometry, dtype=object)
        if self.crs is not None:
            self.crs = _crs(self.crs)
        if self.index is None:
            self.index = np.arange(len(self.geometry), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.geometry)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.data[name]

    @property
    def columns(self) -> list[str]:
        """The attribute columns' names."""
        return list(self.data)

    @property
    def empty(self) -> bool:
        """True without features."""
        return len(self) == 0

    @property
    def total_bounds(self) -> np.ndarray:
        """``[minx, miny, maxx, maxy]`` of all geometries (nan when there are none)."""
        g = self.geometry[~shapely.is_missing(self.geometry)] if len(self) else self.geometry
        if not len(g):
            return np.full(4, np.nan)
        return np.asarray(shapely.total_bounds(g), dtype="float64")

    def take(self, which: np.ndarray) -> Layer:
        """The features selected by a boolean mask or positions."""
        idx = np.asarray(which)
        return Layer(self.geometry[idx], self.crs, {k: v[idx] for k, v in self.data.items()},
                     np.asarray(self.index)[idx], self.source)

    def to_crs(self, crs: object, *, what: str = "input") -> Layer:
        """The layer in another CRS (``self`` when it is already there)."""
        target = _crs(crs)
        if self.crs is None:
            raise BadInput(f"{what}: the layer has no coordinate reference system; "
                           "declare one (e.g. EPSG:4550 or EPSG:4326)")
        if self.crs.equals(target):
            return self if self.crs == target else replace(self, crs=target)
        tr = _layer_transformer(self.crs, target)

        def move(xy: np.ndarray) -> np.ndarray:
            x, y = tr.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        try:
            geoms = shapely.transform(self.geometry, move)
        except Exception as exc:
            raise BadInput(f"{what}: cannot reproject to {target.name}: {_one_line(exc)}") \
                from None
        return replace(self, geometry=geoms, crs=target)

    def to_frame(self) -> gpd.GeoDataFrame:
        """The layer as a GeoDataFrame (imports geopandas)."""
        import geopandas as gpd
        import pandas as pd

        idx = pd.Index(self.index)
        return gpd.GeoDataFrame(dict(self.data), geometry=gpd.GeoSeries(
            self.geometry, index=idx, crs=self.crs).values, index=idx, crs=self.crs)

    @classmethod
    def from_frame(cls, gdf: Any, *, what: str = "input") -> Layer:
        """A GeoDataFrame's geometries, columns, index and CRS.

        Each column is converted to an array when first used.
        """
        if getattr(gdf, "geometry", None) is None:
            raise BadInput(f"{what}: {gdf!r} has no geometry column")
        geom_name = gdf.geometry.name
        geoms = np.asarray(gdf.geometry.values, dtype=object)
        data = _FrameColumns(gdf, [str(c) for c in gdf.columns if c != geom_name])
        return cls(geoms, gdf.crs, data, gdf.index.to_numpy(), what)


class _FrameColumns(MutableMapping[str, np.ndarray]):
    """A GeoDataFrame's columns as numpy arrays, each converted on first access."""

    def __init__(self, frame: Any, names: list[str]) -> None:
        self._frame = frame
        self._names = list(names)
        self._done: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._done:
            if name not in self._names:
                raise KeyError(name)
            self._done[name] = self._frame[name].to_numpy()
        return self._done[name]

    def __setitem__(self, name: str, value: np.ndarray) -> None:
        if name not in self._names:
            self._names.append(name)
        self._done[name] = value

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._done.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)


def is_frame(obj: object) -> bool:
    """True for a (Geo)DataFrame (checked without importing pandas).

    Examples
    --------
    >>> import pandas as pd
    >>> is_frame(pd.DataFrame({"a": [1]})), is_frame([1, 2])
    (True, False)
    """
    return hasattr(obj, "iloc") and hasattr(obj, "columns")


def as_layer(obj: Any, *, what: str = "input") -> Layer:
    """A :class:`Layer` from a Layer or a GeoDataFrame; BadInput otherwise.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(1, 2)], crs="EPSG:4326")
    >>> lay = as_layer(g)
    >>> lay["a"].tolist(), lay.crs.to_epsg()
    ([1], 4326)
    """
    if isinstance(obj, Layer):
        return obj
    if is_frame(obj) and hasattr(obj, "geometry"):
        return Layer.from_frame(obj, what=what)
    raise BadInput(f"{what}: expected a GeoDataFrame, got {type(obj).__name__}")


# ------------------------------------------------------------------------------------------
# Reading files
# ------------------------------------------------------------------------------------------
def _split(path: str | os.PathLike[str], layer: str | None) -> tuple[Path, str | None]:
    spath = str(path)
    if layer is None and "::" in spath:
        spath, layer = spath.rsplit("::", 1)
    return Path(spath), layer


def _check_exists(p: Path, what: str) -> None:
    if not p.exists():
        raise BadInput(f"{what}: file not found: {p}")
    # a shapefile folder is fine for GDAL, but an empty folder is not
    if p.is_dir() and not str(p).lower().endswith((".gdb",)) and not any(p.iterdir()):
        raise BadInput(f"{what}: empty folder, not a vector file: {p}")


def read_layer(path: str | os.PathLike[str], *, what: str = "input", layer: str | None = None,
               columns: Sequence[str] | None = None) -> Layer:
    """Read a vector file (any format GDAL reads) in its own CRS, as a :class:`Layer`.

    A GeoPackage layer is read from the file's SQLite tables (read-only); other formats, and
    GeoPackages this reader does not handle (several layers and none named, curved or extended
    geometry types), go through pyogrio.

    Parameters
    ----------
    path : path-like
        File to read; ``path::layer`` (or ``layer``) picks a layer of a multi-layer source.
    what : str
        What the file is for, in error messages.
    layer : str, optional
        Layer name inside the file.
    columns : sequence of str, optional
        Read only these attribute columns (those present); default all.

    Returns
    -------
    Layer

    Raises
    ------
    BadInput
        The file does not exist, cannot be read, has no geometry or no CRS.

    Examples
    --------
    >>> import geopandas as gpd, shapely, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "p.gpkg")
    >>> gpd.GeoDataFrame({"n": [7]}, geometry=[shapely.Point(123, 48)],
    ...                  crs="EPSG:4326").to_file(path)
    >>> lay = read_layer(path)
    >>> lay.crs.to_epsg(), lay["n"].tolist(), lay.geometry[0].x
    (4326, [7], 123.0)
    """
    p, layer = _split(path, layer)
    _check_exists(p, what)
    lay = None
    if p.suffix.lower() == ".gpkg" and p.is_file():
        try:
            lay = _read_gpkg(p, layer, columns)
        except sqlite3.Error:
            lay = None  # locked, not SQLite, odd tables: GDAL decides
    if lay is None:
        lay = _read_ogr(p, layer, columns, what)
    lay.source = p.name
    if lay.crs is None:
        raise BadInput(f"{what} ({p.name}): the layer has no coordinate reference system; "
                       "declare one (e.g. EPSG:4550 or EPSG:4326)")
    return lay


def _read_ogr(p: Path, layer: str | None, columns: Sequence[str] | None, what: str) -> Layer:
    """Any format through pyogrio (Arrow when pyarrow is installed)."""
    import pyogrio

    try:
        if _arrow():
            meta, table = pyogrio.read_arrow(p, layer=layer, columns=columns)
            gcol = meta.get("geometry_name") or "wkb_geometry"
            if gcol not in table.column_names:
                raise BadInput(f"{what}: {p} has no geometry column")
            wkb = np.asarray(table[gcol].to_numpy(zero_copy_only=False), dtype=object)
            names = [str(c) for c in table.column_names if c != gcol]
            data = {c: _arrow_column(table[c]) for c in names}
        else:
            meta, _fids, wkb_arr, field_data = pyogrio.raw.read(p, layer=layer, columns=columns)
            if wkb_arr is None:
                raise BadInput(f"{what}: {p} has no geometry column")
            wkb = np.asarray(wkb_arr, dtype=object)
            data = {str(c): np.asarray(v) for c, v in zip(meta["fields"], field_data,
                                                          strict=True)}
    except BadInput:
        raise
    except Exception as exc:  # DataSourceError, DataLayerError, ...
        raise BadInput(f"{what}: cannot read {p}: {_one_line(exc)}") from None
    return Layer(shapely.from_wkb(wkb), meta.get("crs"), data)


def _arrow_column(col: Any) -> np.ndarray:
    arr = col.to_numpy(zero_copy_only=False)
    return np.asarray(arr)


def _arrow() -> bool:
    """Read through Arrow when pyarrow is installed (much faster for large layers)."""
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _connect(p: Path) -> sqlite3.Connection:
    uri = "file:" + quote(str(p.resolve())) + "?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=10.0)


def _gpkg_tables(con: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """Feature tables: (table, geometry column, srs id), in the order of gpkg_contents."""
    rows = con.execute(
        "SELECT g.table_name, g.column_name, g.srs_id FROM gpkg_geometry_columns g "
        "JOIN gpkg_contents c ON c.table_name = g.table_name "
        "WHERE c.data_type = 'features' ORDER BY c.rowid").fetchall()
    return [(str(t), str(c), int(s)) for t, c, s in rows]


def gpkg_point_table(path: str | os.PathLike[str], layer: str | None,
                     choose: Callable[[list[str]], Sequence[str]]
                     ) -> tuple[Any, np.ndarray, dict[str, np.ndarray]] | None:
    """Points of a GeoPackage layer as coordinates: ``(crs, xy, columns)``, or None.

    ``choose`` is given the layer's column names and returns those to read. None when the file
    is not a GeoPackage this reader handles or the layer is not made of single 2D points (the
    caller then reads it the general way). Missing and empty points are dropped (their rows
    too).

    Examples
    --------
    >>> import os, tempfile, geopandas as gpd, shapely
    >>> p = os.path.join(tempfile.mkdtemp(), "stops.gpkg")
    >>> pts = [shapely.Point(1, 2), shapely.Point(3, 4)]
    >>> gpd.GeoDataFrame({"name": ["甲", "乙"]}, geometry=pts,
    ...                  crs="EPSG:4550").to_file(p, layer="bus_stops")
    >>> crs, xy, cols = gpkg_point_table(p, "bus_stops", lambda names: ["name"])
    >>> xy.tolist(), cols["name"].tolist()
    ([[1.0, 2.0], [3.0, 4.0]], ['甲', '乙'])
    >>> gpkg_point_table(p.replace(".gpkg", ".geojson"), None, list) is None
    True
    """
    p, layer = _split(path, layer)
    if p.suffix.lower() != ".gpkg" or not p.is_file():
        return None
    try:
        with _Closing(_connect(p)) as con:
            found = _pick_table(con, layer)
            if found is None:
                return None
            table, gcol, srs = found
            types = _column_types(con, table)
            pk = {str(r[1]) for r in con.execute(f"PRAGMA table_info({_q(table)})") if r[5]}
            names = list(choose([c for c in types if c != gcol and c not in pk]))
            crs = _srs(con, srs)
            cur = con.execute(f"SELECT {', '.join(_q(c) for c in [gcol, *names])} "
                              f"FROM {_q(table)} ORDER BY rowid")
            rows = cur.fetchall()
    except sqlite3.Error:
        return None
    xy, keep = _decode_points([r[0] for r in rows])
    if xy is None:
        return None
    data = {}
    for k, c in enumerate(names):
        col = _column([r[k + 1] for r in rows], types.get(c, ""))
        data[c] = col if keep.all() else col[keep]
    return crs, xy, data


class _Closing:
    """``contextlib.closing`` for a connection (sqlite3's own context manager only commits)."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def __enter__(self) -> sqlite3.Connection:
        return self.con

    def __exit__(self, *exc: object) -> None:
        self.con.close()


def gpkg_layers(path: str | os.PathLike[str]) -> list[tuple[str, Any]] | None:
    """The feature layers of a GeoPackage with their CRS, in the file's order.

    None when the file cannot be read so (GDAL decides).

    Examples
    --------
    >>> from zlt_assets.inventory import sample_path
    >>> [(n, c.to_epsg()) for n, c in gpkg_layers(sample_path()) if n == "roads"]
    [('roads', 4550)]
    """
    p = Path(path)
    if p.suffix.lower() != ".gpkg" or not p.is_file():
        return None
    try:
        with _Closing(_connect(p)) as con:
            return [(t, _srs(con, srs)) for t, _g, srs in _gpkg_tables(con)]
    except sqlite3.Error:
        return None


def _pick_table(con: sqlite3.Connection, layer: str | None) -> tuple[str, str, int] | None:
    tables = _gpkg_tables(con)
    if layer is None:
        return tables[0] if len(tables) == 1 else None
    for t in tables:
        if t[0] == layer:
            return t
    return None


def _srs(con: sqlite3.Connection, srs_id: int) -> Any:
    """The CRS of a GeoPackage srs id the way GDAL reads it (EPSG code when there is one)."""
    from pyproj import CRS

    if srs_id in (0, -1):
        return None
    row = con.execute("SELECT organization, organization_coordsys_id, definition FROM "
                      "gpkg_spatial_ref_sys WHERE srs_id = ?", (srs_id,)).fetchone()
    if row is None:
        return None
    org, code, definition = row
    if org is not None and str(org).upper() == "EPSG" and code is not None and int(code) > 0:
        try:
            return CRS.from_epsg(int(code))
        except Exception:
            pass
    if definition and str(definition).strip().lower() not in ("undefined", ""):
        return CRS.from_user_input(str(definition))
    return None


def _column_types(con: sqlite3.Connection, table: str) -> dict[str, str]:
    return {str(r[1]): str(r[2] or "").upper() for r in
            con.execute(f"PRAGMA table_info({_q(table)})")}


_INT_TYPES = ("INTEGER", "INT", "MEDIUMINT", "SMALLINT", "TINYINT", "BIGINT")
_REAL_TYPES = ("REAL", "FLOAT", "DOUBLE")


def _column(values: list[Any], decl: str) -> np.ndarray:
    """A column's values as GDAL would type them from the declared type."""
    base = decl.split("(")[0].strip()
    if base in _INT_TYPES or base in _REAL_TYPES or base == "BOOLEAN":
        if None in values:
            return np.asarray([np.nan if v is None else float(v) for v in values],
                              dtype="float64")
        try:
            if base == "BOOLEAN":
                return np.asarray(values, dtype=bool)
            return np.asarray(values, dtype="int64" if base in _INT_TYPES else "float64")
        except (TypeError, ValueError, OverflowError):
            pass
    out = np.empty(len(values), dtype=object)
    out[:] = values
    odd = [k for k, v in enumerate(values) if not (v is None or isinstance(v, str))]
    for k in odd:
        out[k] = str(values[k])
    return out


def _header_len(blob: bytes) -> int | None:
    """Length of a GeoPackage geometry header, None when this reader cannot take the blob."""
    if len(blob) < 8 or blob[0:2] != b"GP":
        return None
    flags = blob[3]
    if flags & 0x20:  # extended geometry type
        return None
    env = (flags >> 1) & 0x07
    size = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get(env)
    return None if size is None else 8 + size


def _read_gpkg(p: Path, layer: str | None, columns: Sequence[str] | None) -> Layer | None:
    with _Closing(_connect(p)) as con:
        found = _pick_table(con, layer)
        if found is None:
            return None
        table, gcol, srs = found
        types = _column_types(con, table)
        pk = [str(r[1]) for r in con.execute(f"PRAGMA table_info({_q(table)})") if r[5]]
        names = [c for c in types if c != gcol and c not in pk]
        if columns is not None:
            wanted = set(columns)
            names = [c for c in names if c in wanted]
        rows = con.execute(f"SELECT {', '.join(_q(c) for c in [gcol, *names])} "
                           f"FROM {_q(table)} ORDER BY rowid").fetchall()
        crs = _srs(con, srs)
    geoms = _decode([r[0] for r in rows])
    if geoms is None:
        return None
    data = {c: _column([r[k + 1] for r in rows], types.get(c, "")) for k, c in enumerate(names)}
    return Layer(geoms, crs, data)


def _decode(blobs: list[Any]) -> np.ndarray | None:
    """Shapely geometries from GeoPackage blobs (None where NULL or empty)."""
    n = len(blobs)
    out = np.full(n, None, dtype=object)
    if not n:
        return out
    xy, keep = _decode_points(blobs)
    if xy is not None and keep.all():
        return np.asarray(shapely.points(xy), dtype=object)
    wkb: list[bytes | None] = []
    for b in blobs:
        if b is None:
            wkb.append(None)
            continue
        h = _header_len(bytes(b[:8]))
        if h is None:
            return None
        if b[3] & 0x10:  # empty geometry
            wkb.append(None)
            continue
        wkb.append(bytes(b[h:]))
    geoms = shapely.from_wkb(np.asarray(wkb, dtype=object))
    empty = shapely.is_empty(geoms)
    geoms[empty] = None
    return np.asarray(geoms, dtype=object)


def _decode_points(blobs: list[Any]) -> tuple[np.ndarray | None, np.ndarray]:
    """Coordinates of 2D points when every blob is one (same header), else ``(None, ...)``.

    Returns ``(xy of the kept points, keep mask)``: NULL and empty points are not kept.
    """
    n = len(blobs)
    if None in blobs:
        keep = np.array([b is not None for b in blobs], dtype=bool)
        vals = [b for b in blobs if b is not None]
    else:
        keep = np.ones(n, dtype=bool)
        vals = blobs
    if not n or not keep.any():
        return None, keep
    h = _header_len(bytes(vals[0][:8]))
    if h is None:
        return None, keep
    buf = b"".join(vals)
    if len(buf) != (h + 21) * len(vals):
        return None, keep
    xy, empty = _decode_point_buffer(buf, len(vals), h)
    if xy is None:
        return None, keep
    sub = np.flatnonzero(keep)
    keep[sub[empty]] = False
    return xy, keep


def _decode_point_buffer(buf: bytes, n: int, h: int) -> tuple[np.ndarray | None, np.ndarray]:
    """Decode ``n`` GeoPackage point blobs of header length ``h`` lying back to back.

    Returns ``(xy of the points that are not empty, empty mask)``, or ``(None, ...)`` when they
    are not all 2D points with the same header flags.
    """
    size = h + 21  # WKB point: byte order, type, x, y
    raw = np.frombuffer(buf, dtype=np.uint8).reshape(n, size)
    empty = np.zeros(n, dtype=bool)
    head = raw[:, :8]
    if not ((head == raw[0, :8]).all(axis=0)[[0, 1, 3]].all()):
        return None, empty  # headers differ (flags): not the one layout this reads
    if not (raw[:, h] == 1).all():  # little-endian WKB only
        return None, empty
    gtype = raw[:, h + 1:h + 5].copy().view("<u4").ravel()
    if not (gtype == 1).all():
        return None, empty
    coords = raw[:, h + 5:h + 21].copy().view("<f8").reshape(n, 2)
    empty = np.isnan(coords).all(axis=1) | ((raw[:, 3] & 0x10) > 0)
    return np.ascontiguousarray(coords[~empty]), empty


def read_vector(path: str | os.PathLike[str], *, what: str = "input",
                layer: str | None = None, crs: object = PROJECT_CRS) -> gpd.GeoDataFrame:
    """Read a vector file (any format GDAL reads), in its own CRS or reprojected.

    Parameters
    ----------
    path : path-like
        File to read. ``path::layer`` (or the ``layer`` argument) picks a layer of a multi-layer
        source such as a GeoPackage.
    what : str
        What the file is for, used in error messages (``"facilities"``, ``"roads"`` ...).
    layer : str, optional
        Layer name inside the file.
    crs : CRS-like or None
        Reproject to this CRS (default EPSG:4550); None keeps the file's own CRS (checked to
        exist), for a run that chooses its CRS from the data.

    Returns
    -------
    geopandas.GeoDataFrame
        The features.

    Raises
    ------
    BadInput
        When the file does not exist or cannot be read, or has no CRS.

    Examples
    --------
    >>> import geopandas as gpd, shapely, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "p.geojson")
    >>> gpd.GeoDataFrame(geometry=[shapely.Point(123, 48)], crs="EPSG:4326").to_file(path)
    >>> read_vector(path, crs=None).crs.to_epsg(), round(read_vector(path).geometry.x.iloc[0])
    (4326, 500000)
    """
    import geopandas as gpd
    import pyogrio

    p, layer = _split(path, layer)
    _check_exists(p, what)
    try:
        gdf = pyogrio.read_dataframe(p, layer=layer, use_arrow=_arrow())
    except Exception as exc:  # DataSourceError, DataLayerError, ...
        raise BadInput(f"{what}: cannot read {p}: {_one_line(exc)}") from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
        raise BadInput(f"{what}: {p} has no geometry column")
    if crs is None:
        if gdf.crs is None:
            raise BadInput(f"{what} ({p.name}): the layer has no coordinate reference system; "
                           "declare one (e.g. EPSG:4550 or EPSG:4326)")
        return gdf
    return as_work(gdf, crs, what=f"{what} ({p.name})")


# ------------------------------------------------------------------------------------------
# CRS and checks (Layers and GeoDataFrames alike)
# ------------------------------------------------------------------------------------------
def as_work(gdf: L, crs: object, *, what: str = "input") -> L:
    """Return ``gdf`` (a GeoDataFrame or a :class:`Layer`) in ``crs``.

    Unchanged when it is already there.

    Parameters
    ----------
    gdf : GeoDataFrame or Layer
        A layer with a CRS.
    crs : CRS-like
        The run's metric CRS.
    what : str
        Named in error messages.

    Returns
    -------
    GeoDataFrame or Layer (the type given)

    Raises
    ------
    BadInput
        No layer, no CRS, or the reprojection fails.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.Point(123.0, 48.0)], crs="EPSG:4326")
    >>> round(as_work(g, "EPSG:4550").geometry.x.iloc[0])
    500000
    """
    if isinstance(gdf, Layer):
        return gdf.to_crs(crs, what=what)  # type: ignore[return-value]
    if not (is_frame(gdf) and hasattr(gdf, "geometry")):
        raise BadInput(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}")
    frame: Any = gdf
    if frame.crs is None:
        raise BadInput(f"{what}: the layer has no coordinate reference system; "
                       "declare one (e.g. EPSG:4550 or EPSG:4326)")
    target = _crs(crs)
    if _crs(frame.crs).equals(target):
        out = frame if frame.crs == target else frame.set_crs(target, allow_override=True)
        return out  # type: ignore[no-any-return]
    try:
        return frame.to_crs(target)  # type: ignore[no-any-return]
    except Exception as exc:
        raise BadInput(f"{what}: cannot reproject to {target.name}: {_one_line(exc)}") from None


def transform_xy(x: np.ndarray, y: np.ndarray, src: object, dst: object
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates from ``src`` to ``dst`` (always x/y, i.e. lon/lat order).

    Examples
    --------
    >>> import numpy as np
    >>> x, y = transform_xy(np.array([123.0]), np.array([48.0]), "EPSG:4326", "EPSG:4550")
    >>> round(float(x[0]))
    500000
    """
    s, d = _crs(src), _crs(dst)
    if s.equals(d):
        return np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    tx, ty = transformer(s.to_wkt(), d.to_wkt()).transform(x, y)
    return np.asarray(tx, dtype="float64"), np.asarray(ty, dtype="float64")


def as_project(gdf: gpd.GeoDataFrame, *, what: str = "input") -> gpd.GeoDataFrame:
    """Return ``gdf`` in EPSG:4550; BadInput when it has no CRS or no geometry.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.Point(123.0, 48.0)], crs="EPSG:4326")
    >>> as_project(g).crs.to_epsg()
    4550
    """
    if not is_frame(gdf):
        raise BadInput(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise BadInput(f"{what}: the layer has no coordinate reference system; "
                       "declare one (e.g. EPSG:4550 or EPSG:4326)")
    try:
        return to_project(gdf)
    except Exception as exc:
        raise BadInput(f"{what}: cannot reproject to EPSG:4550: {_one_line(exc)}") from None


def geometries(obj: Any) -> np.ndarray:
    """The geometries of a Layer or GeoDataFrame as an object array.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs="EPSG:4550")
    >>> geometries(g)[0].wkt, geometries(as_layer(g)).dtype
    ('POINT (0 0)', dtype('O'))
    """
    if isinstance(obj, Layer):
        return obj.geometry
    return np.asarray(obj.geometry.values, dtype=object)


def _select(obj: L, mask: np.ndarray) -> L:
    if isinstance(obj, Layer):
        return obj.take(mask)  # type: ignore[return-value]
    return obj.loc[mask]  # type: ignore[attr-defined,no-any-return]


def require_geometry(gdf: L, kinds: Iterable[str], *, what: str,
                     allow_empty: bool = False) -> L:
    """Drop empty/missing geometries and check the geometry type (GeoDataFrame or Layer).

    Raises BadInput when nothing is left (unless ``allow_empty``) or when any geometry has a type
    outside ``kinds``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0), None], crs="EPSG:4550")
    >>> len(require_geometry(g, POINT, what="stops"))
    1
    """
    kinds = tuple(kinds)
    geoms = geometries(gdf)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    out = gdf if ok.all() else _select(gdf, ok)
    g = geoms[ok]
    if not len(g):
        if allow_empty:
            return out
        raise BadInput(f"{what}: the layer is empty (no features with geometry)")
    types = set(shapely.get_type_id(g).tolist())
    names = {shapely.GeometryType(t).name for t in types}
    wanted = {k.upper() for k in kinds}
    bad = sorted(n for n in names if n.upper().replace("_", "") not in
                 {w.replace("_", "") for w in wanted})
    if bad:
        raise BadInput(f"{what}: expected {' or '.join(kinds)} geometries, found {', '.join(bad)}")
    return out


def _notna(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "f":
        return np.asarray(~np.isnan(values))
    if values.dtype.kind in "iub":
        return np.ones(len(values), dtype=bool)
    return np.array([not (v is None or (isinstance(v, float) and v != v)) for v in values],
                    dtype=bool)


def facility_ids(gdf: Any, id_field: str = "obj_id") -> np.ndarray:
    """Facility ids: the ``obj_id`` column when present (and filled), else the index.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"obj_id": ["a", "b"]}, geometry=[shapely.Point(0, 0)] * 2)
    >>> facility_ids(g).tolist()
    ['a', 'b']
    """
    if isinstance(gdf, Layer):
        values = gdf.data.get(id_field)
        if values is None or not _notna(values).all():
            values = np.asarray(gdf.index)
        out = np.empty(len(values), dtype=object)
        out[:] = [str(v) for v in values]
        return out
    if id_field in gdf.columns and gdf[id_field].notna().all():
        return gdf[id_field].astype(str).to_numpy()  # type: ignore[no-any-return]
    return np.asarray([str(v) for v in gdf.index], dtype=object)


def in_service(gdf: L, *, include_planned: bool = False) -> L:
    """Keep facilities that count as existing (GeoDataFrame or Layer).

    Rows that :func:`zlt_assets.schema.is_in_service` counts (status in
    :data:`zlt_assets.schema.IN_SERVICE_STATUSES`; with ``include_planned`` also
    :data:`zlt_assets.schema.PLANNED_STATUSES`; a blank status counts, like a file without a
    status column).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"status": ["in_service", "planned", None]},
    ...                      geometry=[shapely.Point(0, 0)] * 3)
    >>> len(in_service(g)), len(in_service(g, include_planned=True))
    (2, 3)
    """
    frame: Any = gdf
    if "status" not in frame.columns:
        return gdf  # nothing recorded: every row exists
    status = frame["status"] if isinstance(frame, Layer) else frame["status"].astype(object)
    mask = np.array([schema.is_in_service(s, include_planned=include_planned)
                     for s in status], dtype=bool)
    return _select(gdf, mask)
