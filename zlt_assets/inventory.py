"""One way to open an inventory, whatever the backend, and to write it safely.

An inventory is a GeoPackage holding the layers declared in :mod:`zlt_assets.schema` (in
EPSG:4550), with the population grid GeoTIFF beside it (``<stem>_population.tif``). Layers are read
into GeoDataFrames whose columns carry the schema's types: text as ``object``, integers as
``Int64``, reals as ``float64``, booleans as ``boolean``, dates as ISO ``YYYY-MM-DD`` text (the
GeoPackage encoding of DATE).

Writes go into the GeoPackage itself, in one SQLite transaction (:func:`zlt_assets._io.
write_gpkg_layers`): all layers or none, safe beside QGIS and other writers, the file keeping its
identity (permissions, symlinks, fids of unchanged features, indexes, views). A layer read through
an :class:`Inventory` and written back through it is refused when another program changed it in
between (nothing is lost; read again and retry).

:func:`open_inventory` (from :mod:`zlt_assets._io`) is the one way to open an inventory, a path or a
``postgresql://`` URL; this module does not know the database backend.
"""
from __future__ import annotations

import contextlib
import importlib
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
else:  # imported on first use: opening an inventory (coverage on arrays) needs neither
    class _Lazy:
        def __init__(self, name: str) -> None:
            self._name = name

        def __getattr__(self, attr: str) -> Any:
            return getattr(importlib.import_module(self._name), attr)

    gpd, pd = _Lazy("geopandas"), _Lazy("pandas")

from . import schema
from ._io import gpkg_layer_token, open_inventory, write_backup_gpkg, write_gpkg_layers
from .crs import to_project
from .errors import BadInput
from .text import one_line as _one_line

__all__ = [
    "DATA_ENV",
    "Inventory",
    "InventoryError",
    "check_population_grid",
    "coerce_types",
    "default_data_path",
    "is_present",
    "iter_records",
    "open_inventory",
    "sample_path",
    "to_storage",
    "write_backup",
    "write_layers",
]

DATA_ENV = "ZLT_DATA"
#: Package holding the shipped sample inventory (``layers/`` in the repository).
SAMPLE_PACKAGE = "zlt_assets.sample"
SAMPLE_NAME = "zhalantun.gpkg"


def sample_path() -> Path:
    """The shipped sample inventory (illustrative data, see its README), found as package data.

    Works from any folder, in an installed wheel as in a source checkout.
    """
    from importlib import resources

    res = resources.files(SAMPLE_PACKAGE) / SAMPLE_NAME
    return Path(str(res))


class InventoryError(BadInput):
    """The inventory cannot be opened or read; the message is one line for the user."""


def default_data_path() -> Path:
    """``$ZLT_DATA`` when set, else the shipped sample ``layers/zhalantun.gpkg``."""
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else sample_path()


@dataclass
class Inventory:
    """An opened inventory (GeoPackage backend; the PostGIS backend shares this API).

    Open one with :func:`open_inventory` (or ``Inventory.open``, the same).
    """

    path: Path
    #: layer -> digest of the layer when this object read it (refuses stale write-backs)
    _read_tokens: dict[str, str] = field(default_factory=dict, init=False, repr=False,
                                         compare=False)

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, data: str | os.PathLike[str] | None = None, *, must_exist: bool = True,
             create: bool = False) -> Inventory:
        """Open an inventory: the same as :func:`open_inventory`.

        ``data`` is a GeoPackage path or a ``postgresql://`` URL; ``None`` opens the default
        (``$ZLT_DATA`` or the sample). A mistyped URL is refused, never taken as a path.
        """
        return open_inventory(data, must_exist=must_exist, create=create)

    @property
    def backend(self) -> str:
        """``gpkg`` (``postgis`` for the database backend)."""
        return "gpkg"

    @property
    def label(self) -> str:
        """How messages name the inventory (its path)."""
        return str(self.path)

    # ------------------------------------------------------------------ reading
    def list_layers(self) -> list[str]:
        """Names of the vector layers present in the file."""
        import pyogrio

        try:
            return [str(name) for name, _ in pyogrio.list_layers(self.path)]
        except Exception as exc:  # pyogrio raises DataSourceError and friends
            raise InventoryError(f"cannot read {self.path}: {_one_line(exc)}") from None

    def has(self, layer: str) -> bool:
        """True when the file holds ``layer``."""
        return layer in self.list_layers()

    @property
    def metric_crs(self) -> str | None:
        """The metric CRS the inventory declares: that of its first declared layer (EPSG:4550)."""
        import pyogrio

        for name in self.list_layers():
            if name in schema.LAYERS:
                crs = pyogrio.read_info(self.path, layer=name).get("crs")
                if crs:
                    return str(crs)
        return None

    def read_raw(self, layer: str) -> gpd.GeoDataFrame:
        """A layer as stored, without reprojection or type normalisation."""
        import pyogrio

        if layer not in self.list_layers():
            raise InventoryError(f"layer {layer!r} is missing from {self.path}")
        token = gpkg_layer_token(self.path, layer)  # before reading: a change after it is seen
        try:
            gdf = pyogrio.read_dataframe(self.path, layer=layer)
        except Exception as exc:
            raise InventoryError(f"cannot read layer {layer!r} of {self.path}: "
                                 f"{_one_line(exc)}") from None
        self._read_tokens[layer] = token
        return gdf

    def read(self, layer: str) -> gpd.GeoDataFrame:
        """A declared layer in EPSG:4550 with columns typed from the schema."""
        gdf = self.read_raw(layer)
        if gdf.crs is None:
            raise InventoryError(f"layer {layer!r} has no coordinate reference system")
        gdf = to_project(gdf)
        if layer in schema.LAYERS:
            gdf = coerce_types(gdf, schema.layer(layer))
        return gdf

    def read_all(self, layers: Iterable[str] | None = None) -> dict[str, gpd.GeoDataFrame]:
        """Several layers (default: every declared layer present), as :meth:`read` gives them."""
        names = list(layers) if layers is not None else [n for n in schema.LAYERS if self.has(n)]
        return {n: self.read(n) for n in names}

    # ------------------------------------------------------------------ population raster
    @property
    def population_path(self) -> Path:
        """The population grid beside the GeoPackage (``<stem>_population.tif``)."""
        return self.path.with_name(self.path.stem + schema.POPULATION.suffix)

    def check_population(self) -> None:
        """Refuse an absurd population grid (see :func:`check_population_grid`)."""
        check_population_grid(self.population_path)

    def has_population(self) -> bool:
        """True when the population grid exists."""
        return self.population_path.exists()

    # ------------------------------------------------------------------ writing
    def write(self, layers: dict[str, gpd.GeoDataFrame], *, create: bool = True,
              backup_dir: str | os.PathLike[str] | None = None) -> Path | None:
        """Write the given layers in one transaction (all or none); returns the backup's path.

        Each layer becomes the frame's rows: features are matched by their object id (or the
        schema's unique field), so unchanged features keep their fid. A layer this object read
        is refused (:class:`zlt_assets._io.LayerChanged`, exit 4) when another program changed it
        since; ``backup_dir`` copies the file first, inside the same lock.
        """
        expect = {n: self._read_tokens[n] for n in layers if n in self._read_tokens}
        backup = write_layers(self.path, layers, expect=expect, create=create,
                              backup_dir=backup_dir)
        for n in layers:
            self._read_tokens.pop(n, None)
        return backup


# ---------------------------------------------------------------------- population grid
#: Values that mark "no data" in rasters when the nodata value was not declared.
NODATA_MARKERS = (-3.4028234663852886e38, 3.4028234663852886e38, -1.7976931348623157e308,
                  -99999.0, -9999.0, -32768.0, 65535.0, -2147483648.0)


def check_population_grid(path: str | os.PathLike[str]) -> None:
    """Refuse a population grid whose values are not counts of people, with a clear message.

    Refused: negative or non-finite cells, cells holding a usual no-data marker (``-9999``,
    ``3.4e38`` ...) while the raster declares no nodata value, and cells holding more people
    than :data:`zlt_assets.standards.POPULATION_DENSITY_MAX` allows on their area. Cells equal to
    the declared nodata value are ignored.

    Raises
    ------
    BadInput
        The grid cannot be read or holds absurd values.
    """
    import rasterio

    p = Path(path)
    try:
        with rasterio.open(p) as ds:
            band = ds.read(1, masked=True)
            nodata = ds.nodata
            transform = ds.transform
            crs = ds.crs
    except Exception as exc:  # rasterio.errors.RasterioIOError and friends
        raise BadInput(f"population: cannot read {p}: {_one_line(exc)}",
                       zh=f"人口格网:无法读取 {p}") from None
    values: Any = np.ma.asarray(band, dtype="float64")
    check_population_values(values.compressed(), nodata, transform, crs, values.shape, p.name)


def check_population_values(data: np.ndarray, nodata: float | None, transform: Any, crs: Any,
                            shape: tuple[int, ...], name: str) -> None:
    """The checks of :func:`check_population_grid` on values already read.

    ``data`` holds the valid cells (those the raster does not mask) as float64, ``shape`` is the
    band's shape, ``name`` names the file in messages.
    """
    from .standards import POPULATION_DENSITY_MAX

    nan = np.isnan(data)
    if (nodata is None or not math.isnan(nodata)) and nan.any():
        raise BadInput(f"population ({name}): cells hold NaN but the raster declares no "
                       "nodata value for them; declare it (e.g. gdal_edit.py -a_nodata nan)",
                       zh=f"人口格网({name}):有 NaN 值但未声明 nodata;请声明(如 gdal_edit.py "
                          "-a_nodata nan)")
    if nan.any():
        data = data[~nan]
    if np.isinf(data).any():
        raise BadInput(f"population ({name}): cells hold infinite values",
                       zh=f"人口格网({name}):有无穷大的值")
    if nodata is None and data.size:
        lo, hi = float(data.min()), float(data.max())
        for marker in NODATA_MARKERS:
            tol = 2e-6 * abs(marker)
            if marker - hi > tol or lo - marker > tol:
                continue  # no value within the marker's tolerance (1e-6 of it)
            hit = np.isclose(data, marker, rtol=1e-6, atol=0.0)
            if hit.any():
                raise BadInput(
                    f"population ({name}): {int(hit.sum())} cells hold {marker:g}, a usual "
                    "no-data marker, but the raster declares no nodata value; declare it "
                    f"(e.g. gdal_edit.py -a_nodata {marker:g})",
                    zh=f"人口格网({name}):{int(hit.sum())} 个格子为 {marker:g}(常见的无数据标记),"
                       f"但未声明 nodata;请声明(如 gdal_edit.py -a_nodata {marker:g})")
    if (data < 0).any():
        raise BadInput(f"population ({name}): {int((data < 0).sum())} cells are negative "
                       f"(lowest {data.min():g}); a population count cannot be",
                       zh=f"人口格网({name}):{int((data < 0).sum())} 个格子为负值")
    area_m2 = _cell_area_m2(transform, crs, shape)
    if area_m2 and data.size:
        limit = float(POPULATION_DENSITY_MAX.value) * area_m2 / 1e6
        top = float(data.max())
        if top > limit:
            raise BadInput(
                f"population ({name}): a cell holds {top:.4g} people on {area_m2:,.0f} m², more "
                f"than any city has ({POPULATION_DENSITY_MAX.value:,} people/km², "
                f"{POPULATION_DENSITY_MAX.source}); is it a no-data marker or another unit?",
                zh=f"人口格网({name}):一个格子有 {top:.4g} 人(面积 {area_m2:,.0f} 平方米),"
                   "超过任何城市的密度;是否为无数据标记或单位错误?")


def _cell_area_m2(transform: Any, crs: Any, shape: tuple[int, ...]) -> float | None:
    a, b, d, e = (float(getattr(transform, k)) for k in ("a", "b", "d", "e"))
    area = abs(a * e - b * d)
    if crs is None:
        return None
    if getattr(crs, "is_geographic", False):
        lat = float(transform.f) + e * shape[0] / 2
        return area * 111_320.0 * 110_540.0 * math.cos(math.radians(lat))
    return area


# ---------------------------------------------------------------------- types
def coerce_types(gdf: gpd.GeoDataFrame, layer: schema.LayerDef) -> gpd.GeoDataFrame:
    """Give each declared column its schema type; missing declared columns are left missing."""
    out = gdf.copy()
    for f in layer.fields:
        if f.name not in out.columns:
            continue
        # a value that does not fit the type is left as it is: validation reports it
        with contextlib.suppress(TypeError, ValueError):
            out[f.name] = _coerce(out[f.name], f.type)
    return out


def _coerce(col: pd.Series, ftype: str) -> pd.Series:
    if ftype == "integer":
        return pd.to_numeric(col, errors="raise").astype("Int64")
    if ftype == "real":
        return pd.to_numeric(col, errors="raise").astype("float64")
    if ftype == "boolean":
        if col.dtype == object:
            mapped = col.map(_to_bool)
            return mapped.astype("boolean")
        if col.dtype == bool:
            return col.astype("boolean")
        return col.astype("float64").astype("boolean")
    if ftype in ("date", "datetime"):
        return col.map(lambda v: _to_iso(v, ftype)).astype(object)
    if ftype == "text":
        return col.map(lambda v: None if _isna(v) else str(v)).astype(object)
    return col


def _isna(v: object) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def is_present(v: object) -> bool:
    """True for a value that is filled in: not None/NaN/NA and not a blank string."""
    if v is None or _isna(v):
        return False
    return not (isinstance(v, str) and not v.strip())


def _to_bool(v: object) -> object:
    if _isna(v):
        return pd.NA
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    s = str(v).strip().lower()
    if s in ("1", "true", "t", "yes", "y", "是", "有"):
        return True
    if s in ("0", "false", "f", "no", "n", "否", "无"):
        return False
    raise ValueError(f"not a boolean: {v!r}")


def _to_iso(v: object, ftype: str) -> object:
    if _isna(v):
        return None
    if isinstance(v, str):
        return v  # validated as text; kept as given
    ts = pd.Timestamp(v)
    return ts.strftime("%Y-%m-%d") if ftype == "date" else ts.isoformat()


def to_storage(gdf: gpd.GeoDataFrame, layer: schema.LayerDef | None) -> gpd.GeoDataFrame:
    """Prepare a frame for writing: declared column order first, storage-friendly dtypes."""
    out = gdf.copy()
    if layer is not None:
        declared = [f.name for f in layer.fields if f.name in out.columns]
        extra = [c for c in out.columns if c not in declared and c != out.geometry.name]
        out = out[declared + extra + [out.geometry.name]]
        for f in layer.fields:
            if f.name not in out.columns:
                continue
            if f.type in ("date", "datetime"):
                out[f.name] = out[f.name].map(lambda v, t=f.type: _to_iso(v, t)).astype(object)
            elif f.type == "boolean":
                # pyogrio writes a bool column as BOOLEAN; nullable booleans go as object
                col = out[f.name].astype("boolean")
                out[f.name] = col.astype(bool) if not col.isna().any() else col.astype(object)
            elif f.type == "integer":
                col = out[f.name].astype("Int64")
                out[f.name] = col.astype("int64") if not col.isna().any() else col.astype("float64")
    return out


# ---------------------------------------------------------------------- writing
def _key_field(layer: schema.LayerDef | None) -> str | None:
    if layer is None:
        return None
    if "obj_id" in layer.field_names:
        return "obj_id"
    unique = [f.name for f in layer.fields if f.unique]
    return unique[0] if unique else None


def write_layers(
    path: str | os.PathLike[str],
    layers: dict[str, gpd.GeoDataFrame],
    *,
    replace_file: bool = False,
    mode: str | None = None,
    expect: dict[str, str] | None = None,
    create: bool = True,
    backup_dir: str | os.PathLike[str] | None = None,
) -> Path | None:
    """Write layers into a GeoPackage, in place and in one transaction (all or none).

    Parameters
    ----------
    path
        The GeoPackage; created (complete or not at all) when it does not exist and ``create``.
    layers
        Layer name -> frame; declared layers are stored with the schema's column order, types
        and geometry type, in their CRS.
    replace_file
        The file holds exactly ``layers`` afterwards (an output): its other layers are dropped
        and each layer is created anew, in the same transaction. Otherwise other layers are kept
        and each layer's rows become the frame's, features matched by object id (fids kept);
        columns the frame lacks are kept (a partial frame never drops data).
    mode
        ``sync`` (the default just described), ``append`` (add the rows) or ``recreate`` (drop
        each given layer and create it anew from the frame, columns included).
    expect
        Layer -> token taken when the layer was read: refuse if it changed since.
    create
        Create the file when it does not exist.
    backup_dir
        Copy the file into this folder first (SQLite backup API, inside the write's lock).

    Returns
    -------
    Path or None
        The backup's path, when one was made.
    """
    frames, keys, gtypes = _storage_frames(layers)
    _, backup = write_gpkg_layers(
        path, frames, mode=mode or ("recreate" if replace_file else "sync"), keys=keys,
        geometry_types=gtypes, only_these=replace_file, create=create, expect=expect,
        backup_dir=backup_dir)
    return backup


def _storage_frames(layers: dict[str, gpd.GeoDataFrame]) -> tuple[
        dict[str, gpd.GeoDataFrame], dict[str, str | None], dict[str, str | None]]:
    """Frames as stored (schema order and types), their key fields and geometry types."""
    frames: dict[str, gpd.GeoDataFrame] = {}
    keys: dict[str, str | None] = {}
    gtypes: dict[str, str | None] = {}
    for name, gdf in layers.items():
        decl = schema.LAYERS.get(name)
        frame = to_storage(gdf, decl)
        if isinstance(frame, gpd.GeoDataFrame) and frame.crs is None:
            raise InventoryError(f"layer {name!r} has no CRS; refusing to write it",
                                 zh=f"图层 {name!r} 没有坐标系,拒绝写入")
        frames[name] = frame
        keys[name] = _key_field(decl)
        gtypes[name] = decl.geometry if decl is not None else _geometry_type(frame)
    return frames, keys, gtypes


def write_backup(folder: str | os.PathLike[str], base: str,
                 layers: dict[str, gpd.GeoDataFrame]) -> Path:
    """Layers copied into a new GeoPackage ``<base>.backup-<time>.gpkg`` in ``folder``.

    Never over an existing file (a taken name gets ``-1``, ``-2`` ...). Returns its path.
    """
    frames, keys, gtypes = _storage_frames(layers)
    return write_backup_gpkg(folder, base, frames, keys=keys, geometry_types=gtypes)


def _geometry_type(frame: gpd.GeoDataFrame) -> str | None:
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        return None
    types = set(frame.geometry.geom_type.dropna().unique())
    if len(types) == 1:
        return str(types.pop())
    singles = {str(t).replace("Multi", "") for t in types}
    if len(singles) == 1:
        return "Multi" + singles.pop()
    return "Unknown" if types else None


def iter_records(gdf: gpd.GeoDataFrame) -> Iterator[dict[str, object]]:
    """Rows as plain dicts (missing values as None), geometry excluded."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    for idx, row in gdf[cols].iterrows():
        rec = {c: (None if _isna(v) else v) for c, v in row.items()}
        rec["__index__"] = idx
        yield rec

