"""One way to open an inventory, whatever the backend, and to write it safely.

An inventory is a GeoPackage holding the layers declared in :mod:`zlt_assets.schema` (in
EPSG:4550), with the population grid GeoTIFF beside it (``<stem>_population.tif``). Layers are read
into GeoDataFrames whose columns carry the schema's types: text as ``object``, integers as
``Int64``, reals as ``float64``, booleans as ``boolean``, dates as ISO ``YYYY-MM-DD`` text (the
GeoPackage encoding of DATE).

Writes are atomic: the GeoPackage is copied, changed, and moved over the original, so a failure
leaves the original untouched.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from . import schema
from .crs import to_project
from .errors import BadInput

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
    """An opened inventory (GeoPackage backend; :class:`zlt_assets.db.PostGISInventory` for
    PostGIS shares this API).
    """

    path: Path

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, data: str | os.PathLike[str] | None = None, *, must_exist: bool = True) -> Inventory:
        """Open an inventory; ``None`` opens the default (``$ZLT_DATA`` or the sample).

        ``data`` is a GeoPackage path or a ``postgresql://`` URL (see :mod:`zlt_assets.db`);
        a URL gives a :class:`zlt_assets.db.PostGISInventory` with the same API.
        """
        raw = data if data is not None else os.environ.get(DATA_ENV)
        if isinstance(raw, str) and raw.strip().lower().startswith(("postgresql://", "postgres://")):
            from .db import PostGISInventory

            return PostGISInventory.connect(raw.strip(), must_exist=must_exist)
        path = Path(data) if data is not None else default_data_path()
        if must_exist:
            if not path.exists():
                raise InventoryError(f"inventory not found: {path}")
            if path.is_dir():
                raise InventoryError(f"inventory must be a GeoPackage file, got a folder: {path}")
            with open(path, "rb") as fh:
                head = fh.read(16)
            if not head.startswith(b"SQLite format 3"):
                raise InventoryError(f"not a GeoPackage (SQLite) file: {path}")
        return cls(path)

    @property
    def backend(self) -> str:
        return "gpkg"

    @property
    def label(self) -> str:
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
        try:
            return pyogrio.read_dataframe(self.path, layer=layer)
        except Exception as exc:
            raise InventoryError(f"cannot read layer {layer!r} of {self.path}: {_one_line(exc)}") from None

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
        names = list(layers) if layers is not None else [n for n in schema.LAYERS if self.has(n)]
        return {n: self.read(n) for n in names}

    # ------------------------------------------------------------------ population raster
    @property
    def population_path(self) -> Path:
        return self.path.with_name(self.path.stem + schema.POPULATION.suffix)

    def has_population(self) -> bool:
        return self.population_path.exists()

    # ------------------------------------------------------------------ writing
    def write(self, layers: dict[str, gpd.GeoDataFrame]) -> None:
        """Replace the given layers atomically (all or none)."""
        write_layers(self.path, layers, replace_file=False)


# ---------------------------------------------------------------------- types
def coerce_types(gdf: gpd.GeoDataFrame, layer: schema.LayerDef) -> gpd.GeoDataFrame:
    """Give each declared column its schema type; missing declared columns are left missing."""
    out = gdf.copy()
    for f in layer.fields:
        if f.name not in out.columns:
            continue
        col = out[f.name]
        try:
            out[f.name] = _coerce(col, f.type)
        except (TypeError, ValueError):
            # leave it as it is: validation reports values that do not fit the type
            pass
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
        return col.astype("float64").astype("boolean") if col.dtype != bool else col.astype("boolean")
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
def write_layers(
    path: str | os.PathLike[str],
    layers: dict[str, gpd.GeoDataFrame],
    *,
    replace_file: bool = False,
) -> None:
    """Write layers into a GeoPackage atomically.

    With ``replace_file`` the result holds only ``layers``; otherwise other layers already in
    the file are kept. The work happens on a temporary copy moved over ``path`` at the end.
    """
    import pyogrio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp.gpkg", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if path.exists() and not replace_file:
            shutil.copyfile(path, tmp)
        else:
            tmp.unlink()
        for name, gdf in layers.items():
            decl = schema.LAYERS.get(name)
            frame = to_storage(gdf, decl)
            if frame.crs is None:
                raise InventoryError(f"layer {name!r} has no CRS; refusing to write it")
            kwargs: dict[str, object] = {"layer": name, "driver": "GPKG"}
            if not tmp.exists():
                kwargs["dataset_options"] = {"VERSION": "1.2"}
            if decl is not None:
                kwargs["geometry_type"] = decl.geometry
            if tmp.exists() and name in [n for n, _ in pyogrio.list_layers(tmp)]:
                kwargs["layer_options"] = {"OVERWRITE": "YES"}
            if frame.empty:
                kwargs["promote_to_multi"] = False
            pyogrio.write_dataframe(frame, tmp, **kwargs)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def iter_records(gdf: gpd.GeoDataFrame) -> Iterator[dict[str, object]]:
    """Rows as plain dicts (missing values as None), geometry excluded."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    for idx, row in gdf[cols].iterrows():
        rec = {c: (None if _isna(v) else v) for c, v in row.items()}
        rec["__index__"] = idx
        yield rec


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
