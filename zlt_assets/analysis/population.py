"""Population input for coverage and gaps: a GeoTIFF of people per cell, or points with a count.

Either way the population becomes weighted points in EPSG:4550: a raster cell counts by its
centre, a point by itself (a polygon by its centroid). Cells with no data or zero people are
dropped.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ..crs import transformer
from ..errors import BadInput
from ..schema import PROJECT_CRS
from .inputs import as_project, read_vector

__all__ = ["POPULATION_FIELDS", "PopulationInput", "load_population"]

#: Column names recognised as a population count, in order of preference.
POPULATION_FIELDS = ("population", "pop", "persons", "people", "residents", "count", "人口")
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".img", ".asc")


@dataclass
class PopulationInput:
    """Population as weighted points in EPSG:4550.

    Attributes
    ----------
    x, y : ndarray of float
        Where the people are (cell centres or points).
    weight : ndarray of float
        People at each point.
    source : str
        Where it came from (file name or ``GeoDataFrame``), for reports.
    cell_area_m2 : float or None
        Area of one raster cell (None for points).
    """

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    source: str = "points"
    cell_area_m2: float | None = None

    def __len__(self) -> int:
        return len(self.weight)

    @property
    def xy(self) -> np.ndarray:
        return np.column_stack([self.x, self.y])

    @property
    def total(self) -> float:
        return float(self.weight.sum())

    def subset(self, mask: np.ndarray) -> PopulationInput:
        return PopulationInput(self.x[mask], self.y[mask], self.weight[mask], self.source,
                               self.cell_area_m2)

    def to_frame(self) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame({"population": self.weight},
                                geometry=shapely.points(self.x, self.y), crs=PROJECT_CRS)


def load_population(src: str | os.PathLike[str] | gpd.GeoDataFrame | PopulationInput | None,
                    *, field: str | None = None) -> PopulationInput | None:
    """Read population from a GeoTIFF path, a vector file/GeoDataFrame of points, or pass through.

    Parameters
    ----------
    src : path, GeoDataFrame, PopulationInput or None
        A raster (``.tif``: people per cell, any CRS) or a vector layer of points (or polygons,
        counted at their centroid) with a population column.
    field : str, optional
        The population column of a vector input; by default the first of
        :data:`POPULATION_FIELDS` present.

    Returns
    -------
    PopulationInput or None
        None when ``src`` is None.

    Raises
    ------
    BadInput
        Unreadable file, no CRS, no population column, negative counts.
    """
    if src is None or isinstance(src, PopulationInput):
        return src
    if isinstance(src, gpd.GeoDataFrame):
        return _from_frame(src, field, "GeoDataFrame")
    path = Path(src)
    if path.suffix.lower() in RASTER_SUFFIXES:
        return _from_raster(path)
    return _from_frame(read_vector(path, what="population"), field, path.name)


def _from_frame(gdf: gpd.GeoDataFrame, field: str | None, source: str) -> PopulationInput:
    gdf = as_project(gdf, what="population")
    geoms = gdf.geometry.values
    good = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    gdf = gdf.loc[good]
    if field is None:
        lower = {str(c).lower(): c for c in gdf.columns}
        for cand in POPULATION_FIELDS:
            if cand in lower:
                field = lower[cand]
                break
    if field is None or field not in gdf.columns:
        raise BadInput(f"population ({source}): no population column; expected one of "
                       f"{', '.join(POPULATION_FIELDS)} (or name it)")
    try:
        w = gdf[field].astype("float64").to_numpy()
    except (TypeError, ValueError):
        raise BadInput(f"population ({source}): column {field!r} is not numeric") from None
    w = np.where(np.isfinite(w), w, 0.0)
    if (w < 0).any():
        raise BadInput(f"population ({source}): negative counts in column {field!r}")
    pts = gdf.geometry.values
    is_point = shapely.get_type_id(pts) == 0
    centres = np.where(is_point, pts, shapely.centroid(pts))
    xy = shapely.get_coordinates(centres)
    keep = w > 0
    return PopulationInput(xy[keep, 0], xy[keep, 1], w[keep], source, None)


def _from_raster(path: Path) -> PopulationInput:
    import rasterio

    if not path.exists():
        raise BadInput(f"population: file not found: {path}")
    from ..inventory import check_population_grid

    check_population_grid(path)  # absurd grids (no-data markers, negative, denser than cities)
    try:
        with rasterio.open(path) as ds:
            if ds.crs is None:
                raise BadInput(f"population ({path.name}): the raster has no coordinate "
                               "reference system")
            band = ds.read(1, masked=True).astype("float64")
            transform = ds.transform
            crs = ds.crs.to_string()
    except BadInput:
        raise
    except Exception as exc:
        raise BadInput(f"population: cannot read {path}: {' '.join(str(exc).split())}") from None
    data = np.ma.filled(band, 0.0)
    data = np.where(np.isfinite(data), data, 0.0)
    if (data < 0).any():
        raise BadInput(f"population ({path.name}): negative cell values")
    rows, cols = np.nonzero(data > 0)
    w = data[rows, cols]
    xs = transform.c + (cols + 0.5) * transform.a + (rows + 0.5) * transform.b
    ys = transform.f + (cols + 0.5) * transform.d + (rows + 0.5) * transform.e
    cell_area = abs(transform.a * transform.e - transform.b * transform.d)
    if crs and not _is_project(crs):
        tr = transformer(crs, PROJECT_CRS)
        xs, ys = tr.transform(xs, ys)
        cell_area = None  # not metric in the source CRS
    return PopulationInput(np.asarray(xs, dtype="float64"), np.asarray(ys, dtype="float64"), w,
                           path.name, cell_area)


def _is_project(crs: str) -> bool:
    from ..crs import is_project_crs

    try:
        return is_project_crs(crs)
    except Exception:
        return False


def sum_by_polygon(pop: PopulationInput, polygons: gpd.GeoDataFrame, key: str) -> dict[str, float]:
    """People per polygon, a point (cell centre) counting for the polygon that contains it.

    Parameters
    ----------
    pop
        Population as weighted points (EPSG:4550).
    polygons
        Polygons in EPSG:4550 (e.g. street offices); where they overlap, a point counts once,
        for the first polygon that holds it.
    key
        Column naming each polygon in the result.
    """
    out = {str(k): 0.0 for k in polygons[key]}
    if len(pop) == 0 or polygons.empty:
        return out
    pts = shapely.points(pop.x, pop.y)
    tree = shapely.STRtree(polygons.geometry.values)
    pt_idx, poly_idx = tree.query(pts, predicate="within")
    first = np.full(len(pop), -1)
    # keep the first polygon per point (query results come sorted by point)
    order = np.lexsort((poly_idx, pt_idx))
    pt_idx, poly_idx = pt_idx[order], poly_idx[order]
    keep = np.ones(len(pt_idx), bool)
    keep[1:] = pt_idx[1:] != pt_idx[:-1]
    first[pt_idx[keep]] = poly_idx[keep]
    sums = np.bincount(first[first >= 0], weights=pop.weight[first >= 0],
                       minlength=len(polygons))
    for k, v in zip(polygons[key], sums):
        out[str(k)] += float(v)
    return out
