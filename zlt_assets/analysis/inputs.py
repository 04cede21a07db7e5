"""Reading analysis inputs: any vector file GDAL reads, in any CRS, into EPSG:4550.

Every reader raises :class:`zlt_assets.errors.BadInput` with a one-line message a user can act on
(file missing or unreadable, no CRS, empty layer, wrong geometry type); nothing here prints.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from .. import schema
from ..crs import to_project
from ..errors import BadInput

__all__ = [
    "LINE",
    "POINT",
    "POLYGON",
    "as_project",
    "facility_ids",
    "in_service",
    "read_vector",
    "require_geometry",
]

POINT = ("Point", "MultiPoint")
LINE = ("LineString", "MultiLineString", "LinearRing")
POLYGON = ("Polygon", "MultiPolygon")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def read_vector(path: str | os.PathLike[str], *, what: str = "input",
                layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a vector file (any format GDAL reads) and reproject it to EPSG:4550.

    Parameters
    ----------
    path : path-like
        File to read. ``path::layer`` (or the ``layer`` argument) picks a layer of a multi-layer
        source such as a GeoPackage.
    what : str
        What the file is for, used in error messages (``"facilities"``, ``"roads"`` ...).
    layer : str, optional
        Layer name inside the file.

    Returns
    -------
    geopandas.GeoDataFrame
        The features in EPSG:4550.

    Raises
    ------
    BadInput
        When the file does not exist or cannot be read, or has no CRS.
    """
    import pyogrio

    spath = str(path)
    if layer is None and "::" in spath:
        spath, layer = spath.rsplit("::", 1)
    p = Path(spath)
    if not p.exists():
        raise BadInput(f"{what}: file not found: {p}")
    if p.is_dir() and not spath.lower().endswith((".gdb",)):
        # a shapefile folder is fine for GDAL, but an empty folder is not
        if not any(p.iterdir()):
            raise BadInput(f"{what}: empty folder, not a vector file: {p}")
    try:
        gdf = pyogrio.read_dataframe(p, layer=layer)
    except Exception as exc:  # DataSourceError, DataLayerError, ...
        raise BadInput(f"{what}: cannot read {p}: {_one_line(exc)}") from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
        raise BadInput(f"{what}: {p} has no geometry column")
    return as_project(gdf, what=f"{what} ({p.name})")


def as_project(gdf: gpd.GeoDataFrame, *, what: str = "input") -> gpd.GeoDataFrame:
    """Return ``gdf`` in EPSG:4550; BadInput when it has no CRS or no geometry."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise BadInput(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise BadInput(f"{what}: the layer has no coordinate reference system; "
                       "declare one (e.g. EPSG:4550 or EPSG:4326)")
    try:
        return to_project(gdf)
    except Exception as exc:
        raise BadInput(f"{what}: cannot reproject to EPSG:4550: {_one_line(exc)}") from None


def require_geometry(gdf: gpd.GeoDataFrame, kinds: Iterable[str], *, what: str,
                     allow_empty: bool = False) -> gpd.GeoDataFrame:
    """Drop empty/missing geometries and check the geometry type.

    Raises BadInput when nothing is left (unless ``allow_empty``) or when any geometry has a type
    outside ``kinds``.
    """
    kinds = tuple(kinds)
    geoms = gdf.geometry.values
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    out = gdf.loc[ok]
    if out.empty:
        if allow_empty:
            return out
        raise BadInput(f"{what}: the layer is empty (no features with geometry)")
    types = set(shapely.get_type_id(out.geometry.values).tolist())
    names = {shapely.GeometryType(t).name for t in types}
    wanted = {k.upper() for k in kinds}
    bad = sorted(n for n in names if n.upper().replace("_", "") not in
                 {w.replace("_", "") for w in wanted})
    if bad:
        raise BadInput(f"{what}: expected {' or '.join(kinds)} geometries, found {', '.join(bad)}")
    return out


def facility_ids(gdf: gpd.GeoDataFrame, id_field: str = "obj_id") -> np.ndarray:
    """Facility ids: the ``obj_id`` column when present (and filled), else the index."""
    if id_field in gdf.columns and gdf[id_field].notna().all():
        return gdf[id_field].astype(str).to_numpy()
    return np.asarray([str(v) for v in gdf.index], dtype=object)


def in_service(gdf: gpd.GeoDataFrame, *, include_planned: bool = False) -> gpd.GeoDataFrame:
    """Keep facilities that count as existing.

    Rows that :func:`zlt_assets.schema.is_in_service` counts (status in
    :data:`zlt_assets.schema.IN_SERVICE_STATUSES`; with ``include_planned`` also
    :data:`zlt_assets.schema.PLANNED_STATUSES`; a blank status counts, like a file without a
    status column).
    """
    if "status" not in gdf.columns:
        return gdf  # nothing recorded: every row exists
    mask = [schema.is_in_service(s, include_planned=include_planned)
            for s in gdf["status"].astype(object)]
    return gdf.loc[mask]
