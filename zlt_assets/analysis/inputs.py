"""Reading analysis inputs: any vector file GDAL reads, in any CRS, into the CRS of the run.

The analysis computes in true metres (:func:`zlt_assets.crs.choose_work_crs`): inputs are read in
their own CRS (``crs=None``) and moved into the run's metric CRS with :func:`as_work`.

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
from ..crs import to_project, transformer
from ..errors import BadInput
from ..schema import PROJECT_CRS

__all__ = [
    "LINE",
    "POINT",
    "POLYGON",
    "as_project",
    "as_work",
    "facility_ids",
    "in_service",
    "read_vector",
    "require_geometry",
    "transform_xy",
]

POINT = ("Point", "MultiPoint")
LINE = ("LineString", "MultiLineString", "LinearRing")
POLYGON = ("Polygon", "MultiPolygon")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


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


def _arrow() -> bool:
    """Read through Arrow when pyarrow is installed (much faster for large layers)."""
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None


def as_work(gdf: gpd.GeoDataFrame, crs: object, *, what: str = "input") -> gpd.GeoDataFrame:
    """Return ``gdf`` in ``crs`` (unchanged when it is already there).

    Parameters
    ----------
    gdf : GeoDataFrame
        A layer with a CRS.
    crs : CRS-like
        The run's metric CRS.
    what : str
        Named in error messages.

    Returns
    -------
    GeoDataFrame

    Raises
    ------
    BadInput
        No GeoDataFrame, no CRS, or the reprojection fails.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.Point(123.0, 48.0)], crs="EPSG:4326")
    >>> round(as_work(g, "EPSG:4550").geometry.x.iloc[0])
    500000
    """
    from pyproj import CRS

    if not isinstance(gdf, gpd.GeoDataFrame):
        raise BadInput(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise BadInput(f"{what}: the layer has no coordinate reference system; "
                       "declare one (e.g. EPSG:4550 or EPSG:4326)")
    target = CRS.from_user_input(crs)
    if CRS.from_user_input(gdf.crs).equals(target):
        return gdf if gdf.crs == target else gdf.set_crs(target, allow_override=True)
    try:
        return gdf.to_crs(target)
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
    from pyproj import CRS

    s, d = CRS.from_user_input(src), CRS.from_user_input(dst)
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

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0), None], crs="EPSG:4550")
    >>> len(require_geometry(g, POINT, what="stops"))
    1
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
    """Facility ids: the ``obj_id`` column when present (and filled), else the index.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"obj_id": ["a", "b"]}, geometry=[shapely.Point(0, 0)] * 2)
    >>> facility_ids(g).tolist()
    ['a', 'b']
    """
    if id_field in gdf.columns and gdf[id_field].notna().all():
        return gdf[id_field].astype(str).to_numpy()
    return np.asarray([str(v) for v in gdf.index], dtype=object)


def in_service(gdf: gpd.GeoDataFrame, *, include_planned: bool = False) -> gpd.GeoDataFrame:
    """Keep facilities that count as existing.

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
    if "status" not in gdf.columns:
        return gdf  # nothing recorded: every row exists
    mask = [schema.is_in_service(s, include_planned=include_planned)
            for s in gdf["status"].astype(object)]
    return gdf.loc[mask]
