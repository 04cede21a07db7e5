"""Population input for coverage and gaps: a GeoTIFF of people per cell, or points with a count.

Either way the population becomes weighted points in the run's metric CRS (EPSG:4550 unless
told otherwise): a raster cell counts by its centre, a point by itself (a polygon by its
centroid). Cells with no data or zero people are dropped. Point files are read as coordinate
arrays (a GeoPackage's blobs decoded with numpy, other formats through Arrow when pyarrow is
installed), never as a GeoDataFrame of Python objects.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from ..crs import transformer
from ..errors import BadInput
from ..schema import PROJECT_CRS
from ._raster import nonzero2d
from .inputs import Layer, as_layer, as_work, gpkg_point_table, read_layer, transform_xy

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["POPULATION_FIELDS", "PopulationInput", "load_population", "sum_by_polygon"]

#: Column names recognised as a population count, in order of preference.
POPULATION_FIELDS = ("population", "pop", "persons", "people", "residents", "count", "人口")
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".img", ".asc")


@dataclass
class PopulationInput:
    """Population as weighted points in EPSG:4550.

    Attributes
    ----------
    x, y : ndarray of float
        Where the people are (cell centres or points), in ``crs``.
    weight : ndarray of float
        People at each point.
    source : str
        Where it came from (file name or ``GeoDataFrame``), for reports.
    cell_area_m2 : float or None
        Area of one raster cell (None for points).
    crs : CRS-like
        The CRS of ``x, y`` (EPSG:4550 unless told otherwise).

    Examples
    --------
    >>> import numpy as np
    >>> p = PopulationInput(np.array([0.0, 10.0]), np.array([0.0, 0.0]), np.array([2.0, 3.0]))
    >>> p.total, len(p.subset(p.weight > 2))
    (5.0, 1)
    """

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    source: str = "points"
    cell_area_m2: float | None = None
    crs: object = PROJECT_CRS

    def __len__(self) -> int:
        return len(self.weight)

    @property
    def xy(self) -> np.ndarray:
        """The points as an (n, 2) array."""
        return np.column_stack([self.x, self.y])

    @property
    def total(self) -> float:
        """Everyone (sum of the weights)."""
        return float(self.weight.sum())

    def subset(self, mask: np.ndarray) -> PopulationInput:
        """The points selected by a boolean mask."""
        return PopulationInput(self.x[mask], self.y[mask], self.weight[mask], self.source,
                               self.cell_area_m2, self.crs)

    def to_crs(self, crs: object) -> PopulationInput:
        """The same people in another CRS (``self`` when it is already there)."""
        if _same(self.crs, crs):
            return self
        x, y = transform_xy(self.x, self.y, self.crs, crs)
        return PopulationInput(x, y, self.weight, self.source, None, crs)

    def to_frame(self) -> gpd.GeoDataFrame:
        """The points as a GeoDataFrame with a ``population`` column."""
        import geopandas as gpd

        return gpd.GeoDataFrame({"population": self.weight},
                                geometry=shapely.points(self.x, self.y), crs=self.crs)


def load_population(src: str | os.PathLike[str] | gpd.GeoDataFrame | Layer | PopulationInput
                    | None, *, field: str | None = None, crs: object = PROJECT_CRS
                    ) -> PopulationInput | None:
    """Read population from a GeoTIFF path, a vector file/GeoDataFrame of points, or pass through.

    Parameters
    ----------
    src : path, GeoDataFrame, Layer, PopulationInput or None
        A raster (``.tif``: people per cell, any CRS) or a vector layer of points (or polygons,
        counted at their centroid) with a population column.
    field : str, optional
        The population column of a vector input; by default the first of
        :data:`POPULATION_FIELDS` present.
    crs : CRS-like
        The CRS of the points returned (default EPSG:4550).

    Returns
    -------
    PopulationInput or None
        None when ``src`` is None.

    Raises
    ------
    BadInput
        Unreadable file, no CRS, no population column, negative counts.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"pop": [3, 0, 2]}, geometry=[shapely.Point(0, 0),
    ...                      shapely.Point(1, 1), shapely.box(0, 0, 2, 2)], crs="EPSG:4550")
    >>> p = load_population(g)
    >>> p.total, p.x.tolist()
    (5.0, [0.0, 1.0])
    """
    if src is None:
        return None
    if isinstance(src, PopulationInput):
        return src.to_crs(crs)
    if isinstance(src, Layer) or hasattr(src, "geometry"):
        return _from_layer(as_layer(src, what="population"), field, "GeoDataFrame", crs)
    path = Path(src)
    if path.suffix.lower() in RASTER_SUFFIXES:
        return _from_raster(path, crs)
    pts = _points_from_file(path, field, crs)
    if pts is not None:
        return pts
    return _from_layer(read_layer(path, what="population"), field, path.name, crs)


def _field_of(columns: list[str], field: str | None, source: str) -> str:
    if field is None:
        lower = {str(c).lower(): c for c in columns}
        for cand in POPULATION_FIELDS:
            if cand in lower:
                field = lower[cand]
                break
    if field is None or field not in columns:
        raise BadInput(f"population ({source}): no population column; expected one of "
                       f"{', '.join(POPULATION_FIELDS)} (or name it)")
    return field


def _to_float(values: np.ndarray, field: str, source: str) -> np.ndarray:
    """Numbers of a column (None and NaN become NaN; text must read as a number)."""
    arr = np.asarray(values)
    if arr.dtype.kind in "fiub":
        return arr.astype("float64")
    out = np.empty(len(arr), dtype="float64")
    try:
        for k, v in enumerate(arr):
            out[k] = np.nan if v is None else float(v)
    except (TypeError, ValueError):
        raise BadInput(f"population ({source}): column {field!r} is not numeric") from None
    return out


def _weights(values: np.ndarray, field: str, source: str) -> np.ndarray:
    w = _to_float(values, field, source)
    w = np.where(np.isfinite(w), w, 0.0)
    if (w < 0).any():
        raise BadInput(f"population ({source}): negative counts in column {field!r}")
    return w


def _points_from_file(path: Path, field: str | None, crs: object) -> PopulationInput | None:
    """A point layer read straight into arrays (None: not points, or not readable so)."""
    if not path.exists():
        return None

    def choose(columns: list[str]) -> list[str]:
        return [_field_of(columns, field, path.name)]

    got = gpkg_point_table(path, None, choose)
    if got is not None:
        src_crs, xy, data = got
        if src_crs is None:
            return None  # read_layer gives the one-line error
        name = next(iter(data))
        w = _weights(data[name], name, path.name)
        keep = w > 0
        x, y = transform_xy(xy[keep, 0], xy[keep, 1], src_crs, crs)
        return PopulationInput(x, y, w[keep], path.name, None, crs)
    return _points_arrow(path, field, crs)


def _points_arrow(path: Path, field: str | None, crs: object) -> PopulationInput | None:
    """A point layer of any format through Arrow (None: not points, or no Arrow)."""
    import importlib.util

    if importlib.util.find_spec("pyarrow") is None:
        return None
    import pyogrio

    spath, layer = str(path), None
    try:
        info = pyogrio.read_info(spath, layer=layer)
    except Exception:
        return None  # read_layer gives the one-line error
    if str(info.get("geometry_type", "")).replace(" Z", "").replace(" M", "") != "Point" \
            or info.get("crs") is None:
        return None
    name = _field_of([str(f) for f in info["fields"]], field, path.name)
    try:
        meta, table = pyogrio.read_arrow(spath, layer=layer, columns=[name])
    except Exception:
        return None
    geoms = shapely.from_wkb(np.asarray(table[meta["geometry_name"] or "wkb_geometry"]))
    w = _weights(table[name].to_numpy(zero_copy_only=False), name, path.name)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    xy = shapely.get_coordinates(geoms[ok])
    if len(xy) != int(ok.sum()):
        return None
    w = w[ok]
    keep = w > 0
    x, y = transform_xy(xy[keep, 0], xy[keep, 1], meta["crs"], crs)
    return PopulationInput(x, y, w[keep], path.name, None, crs)


def _from_layer(lay: Layer, field: str | None, source: str,
                crs: object = PROJECT_CRS) -> PopulationInput:
    lay = as_work(lay, crs, what="population")
    geoms = lay.geometry
    good = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not good.all():
        lay = lay.take(good)
    field = _field_of(lay.columns, field, source)
    w = _weights(lay[field], field, source)
    pts = lay.geometry
    is_point = shapely.get_type_id(pts) == 0
    if not is_point.all():  # centroids only for what is not a point
        pts = pts.copy()
        pts[~is_point] = shapely.centroid(pts[~is_point])
    xy = shapely.get_coordinates(pts)
    keep = w > 0
    return PopulationInput(xy[keep, 0], xy[keep, 1], w[keep], source, None, crs)


def _from_raster(path: Path, work_crs: object = PROJECT_CRS) -> PopulationInput:
    import rasterio

    from ..inventory import check_population_values
    from ..text import one_line

    if not path.exists():
        raise BadInput(f"population: file not found: {path}")
    # one read: the values checked (absurd grids: no-data markers, negative, denser than
    # cities; :func:`zlt_assets.inventory.check_population_grid`) are the values used
    try:
        with rasterio.open(path) as ds:
            data, valid = _read_band(ds)
            nodata = ds.nodata
            transform = ds.transform
            ds_crs = ds.crs
    except Exception as exc:  # rasterio.errors.RasterioIOError and friends
        raise BadInput(f"population: cannot read {path}: {one_line(exc)}",
                       zh=f"人口格网:无法读取 {path}") from None
    check_population_values(data if valid is None else data[valid], nodata, transform, ds_crs,
                            data.shape, path.name)
    if ds_crs is None:
        raise BadInput(f"population ({path.name}): the raster has no coordinate "
                       "reference system")
    crs = ds_crs.to_string()
    if valid is not None:
        data[~valid] = 0.0
    if not np.isfinite(data).all():
        data[~np.isfinite(data)] = 0.0
    if (data < 0).any():
        raise BadInput(f"population ({path.name}): negative cell values")
    people = data > 0
    w = data[people]
    rows, cols = nonzero2d(people)
    # the cell centres, c + (col + 0.5) a + (row + 0.5) b (and f, d, e), computed in place
    cc = cols.astype("float64")
    cc += 0.5
    rr = rows.astype("float64")
    rr += 0.5
    xs = _affine(transform.c, cc, transform.a, rr, transform.b)
    ys = _affine(transform.f, cc, transform.d, rr, transform.e)
    cell_area: float | None = abs(transform.a * transform.e - transform.b * transform.d)
    if crs and not _same(crs, work_crs):
        from pyproj import CRS

        tr = transformer(crs, CRS.from_user_input(work_crs).to_wkt())
        xs, ys = tr.transform(xs, ys)
        cell_area = None  # not metric in the source CRS
    return PopulationInput(np.asarray(xs, dtype="float64"), np.asarray(ys, dtype="float64"), w,
                           path.name, cell_area, work_crs)


def _affine(origin: float, u: np.ndarray, a: float, v: np.ndarray, b: float) -> np.ndarray:
    """``origin + u * a + v * b`` with the same roundings, in one new array.

    ``v * b`` is +0 when ``b`` is 0 (``v`` > 0): adding it changes no value, it is skipped.
    """
    out: np.ndarray = np.multiply(u, a)
    out += origin
    if b != 0.0:
        tmp = np.multiply(v, b)
        out += tmp
    return out


def _read_band(ds: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """Band 1 as float64 and the cells GDAL does not mask (no data, mask band); None: all.

    The values and mask of ``ds.read(1, masked=True)``, without building a masked array (ten
    times slower on a million cells).
    """
    from rasterio.enums import MaskFlags

    raw = ds.read(1)
    data = np.asarray(raw, dtype="float64")
    flags = set(ds.mask_flag_enums[0])
    if flags == {MaskFlags.all_valid}:
        return data, None
    if flags == {MaskFlags.nodata} and ds.nodata is not None:
        nod = float(ds.nodata)
        return data, ~((raw == ds.nodata) if nod == nod else np.isnan(raw))
    return data, ds.read_masks(1) != 0


def _same(a: object, b: object) -> bool:
    from pyproj import CRS

    try:
        return bool(CRS.from_user_input(a).equals(CRS.from_user_input(b)))
    except Exception:
        return False


def sum_by_polygon(pop: PopulationInput, polygons: gpd.GeoDataFrame, key: str) -> dict[str, float]:
    """People per polygon, a point (cell centre) counting for the polygon that contains it.

    Parameters
    ----------
    pop
        Population as weighted points (EPSG:4550).
    polygons
        Polygons in the same CRS (e.g. street offices); where they overlap or share a border, a
        point counts once, for the first polygon that holds it (inside or on its boundary).
    key
        Column naming each polygon in the result.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, shapely
    >>> p = PopulationInput(np.array([0.5, 1.0]), np.array([0.5, 0.5]), np.array([2.0, 3.0]))
    >>> d = gpd.GeoDataFrame({"code": ["a", "b"]}, geometry=[shapely.box(0, 0, 1, 1),
    ...                      shapely.box(1, 0, 2, 1)], crs="EPSG:4550")
    >>> sum_by_polygon(p, d, "code")   # the point on the shared border counts once, for "a"
    {'a': 5.0, 'b': 0.0}
    """
    out = {str(k): 0.0 for k in polygons[key]}
    if len(pop) == 0 or polygons.empty:
        return out
    pts = shapely.points(pop.x, pop.y)
    tree = shapely.STRtree(polygons.geometry.values)
    # inside or on the boundary: a point on a shared border counts once, for the first polygon
    pt_idx, poly_idx = tree.query(pts, predicate="intersects")
    first = np.full(len(pop), -1)
    # keep the first polygon per point (query results come sorted by point)
    order = np.lexsort((poly_idx, pt_idx))
    pt_idx, poly_idx = pt_idx[order], poly_idx[order]
    keep = np.ones(len(pt_idx), bool)
    keep[1:] = pt_idx[1:] != pt_idx[:-1]
    first[pt_idx[keep]] = poly_idx[keep]
    sums = np.bincount(first[first >= 0], weights=pop.weight[first >= 0],
                       minlength=len(polygons))
    for k, v in zip(polygons[key], sums, strict=False):
        out[str(k)] += float(v)
    return out
