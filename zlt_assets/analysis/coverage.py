"""Coverage of a facility layer (bus stops by default): area and population within reach.

Two distance methods:

* ``euclidean`` - straight line (the official 公交站点500米覆盖率 indicator): the cells within
  the radius of a facility are marked by stamping a disc of cells around each facility (one run
  of columns per row, its ends decided with the exact distance), people off the cell centres by an
  exact nearest-facility search; the distance to the nearest facility of every cell is computed
  when asked for (the cells output);
* ``network`` - walking: straight distance from the point to its attachment on the nearest edge +
  distance along the network + the facility's own attachment distance, from one multi-source
  search (see :mod:`zlt_assets.analysis.network`).

Measures: the urban area is sampled on a grid of ``cell`` metres (a cell counts when its centre is
inside the area, and is covered when its centre is within reach); population cells or points
count by their centre. Totals and per street office.

The computation works on arrays (:class:`zlt_assets.analysis.inputs.Layer`): it imports neither
pandas nor geopandas, nor scipy; the result builds its GeoDataFrames (``facilities``,
``uncovered``, ``cells``, ``districts``) when they are first asked for.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from .. import schema, standards
from ..crs import WorkCRS, choose_work_crs, lonlat_bounds
from ..errors import BadInput
from ..schema import PROJECT_CRS
from ._nearest import GridSpec, nearest_point
from ._raster import disc_mask, label_patches, nonzero2d, patch_polygons, polygon_mask
from .inputs import (
    POINT,
    POLYGON,
    Layer,
    as_layer,
    as_work,
    facility_ids,
    geometries,
    in_service,
    is_frame,
    require_geometry,
)
from .network import NetworkReport, RoadNetwork, build_network
from .population import PopulationInput, load_population

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "COVER_EPS",
    "METHODS",
    "CoverageResult",
    "Grid",
    "Uncovered",
    "compute_coverage",
    "district_codes",
    "grid_district_codes",
    "inside_mask",
    "make_grid",
    "nearest_euclidean",
]

METHODS = ("euclidean", "network")
#: Distances are compared with this slack (m) so that a point exactly at the radius is covered.
COVER_EPS = 1e-6
#: The largest grid (cells) a run samples.
MAX_GRID_CELLS = 60_000_000

Progress = Callable[[str], None]


def _quiet(_msg: str) -> None:
    return None


def _column(obj: Any, name: str) -> np.ndarray:
    """A column of a Layer or GeoDataFrame as a numpy array."""
    if isinstance(obj, Layer):
        return np.asarray(obj[name])
    return np.asarray(obj[name].to_numpy())


def _text(values: np.ndarray) -> np.ndarray:
    """Values as text (an object array of str), like pandas' ``astype(str)``."""
    out = np.empty(len(values), dtype=object)
    out[:] = [str(v) for v in values]
    return out


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and v != v) or type(v).__name__ in ("NAType",
                                                                                  "NaTType")


# ------------------------------------------------------------------------------------------
# Grid and districts
# ------------------------------------------------------------------------------------------
class Grid:
    """Cell centres of a regular grid that fall inside an area.

    ``x0, ytop`` is the top-left corner; rows go down. The kept cells are the True cells of
    :attr:`inside` (an ``(nrows, ncols)`` image) in raster order; ``row, col`` index each kept
    cell (built on first use: the computation works on the image and on index arithmetic).
    """

    def __init__(self, cell: float, x0: float, ytop: float, nrows: int, ncols: int,
                 row: np.ndarray | None = None, col: np.ndarray | None = None, *,
                 inside: np.ndarray | None = None) -> None:
        self.cell, self.x0, self.ytop = cell, x0, ytop
        self.nrows, self.ncols = nrows, ncols
        self._inside = inside
        self._row, self._col = row, col
        if inside is None:
            if row is None or col is None:
                raise ValueError("Grid needs row and col, or inside")
            key = np.asarray(row, dtype=np.int64) * ncols + np.asarray(col, dtype=np.int64)
            # cells given in another order than the image's: keep their order
            self._ordered = bool(np.all(key[1:] > key[:-1]))
            img = np.zeros((nrows, ncols), dtype=bool)
            img[row, col] = True
            self._inside = img
            self._count = len(key)
        else:
            self._ordered = True
            self._count = int(np.count_nonzero(inside))

    def __repr__(self) -> str:
        return (f"Grid(cell={self.cell}, x0={self.x0}, ytop={self.ytop}, nrows={self.nrows}, "
                f"ncols={self.ncols}, cells={self._count})")

    @property
    def inside(self) -> np.ndarray:
        """The kept cells as a boolean ``(nrows, ncols)`` image."""
        assert self._inside is not None
        return self._inside

    @property
    def full(self) -> bool:
        """Every cell of the image is kept (kept cells = the image in raster order)."""
        return self._ordered and self._count == self.nrows * self.ncols

    def _cells(self) -> tuple[np.ndarray, np.ndarray]:
        if self._row is None or self._col is None:
            self._row, self._col = nonzero2d(self.inside)
        return self._row, self._col

    @property
    def row(self) -> np.ndarray:
        """Row of each kept cell."""
        return self._cells()[0]

    @property
    def col(self) -> np.ndarray:
        """Column of each kept cell."""
        return self._cells()[1]

    @property
    def x(self) -> np.ndarray:
        """Cell centre x of each kept cell."""
        return self.x0 + (self.col + 0.5) * self.cell

    @property
    def y(self) -> np.ndarray:
        """Cell centre y of each kept cell."""
        return self.ytop - (self.row + 0.5) * self.cell

    @property
    def xy(self) -> np.ndarray:
        """Cell centres as an (n, 2) array."""
        return np.column_stack([self.x, self.y])

    @property
    def spec(self) -> GridSpec:
        """The grid for the searches that take cell centres (buckets = cells)."""
        return GridSpec(self.x0, self.ytop, self.cell)

    @property
    def cell_area(self) -> float:
        """Area of one cell (m²)."""
        return self.cell * self.cell

    def __len__(self) -> int:
        return self._count

    def take(self, img: np.ndarray) -> np.ndarray:
        """The values of an ``(nrows, ncols)`` image at the kept cells, in the grid's order."""
        if self.full:
            return img.reshape(-1)
        if self._ordered:
            return np.asarray(img[self.inside])
        return np.asarray(img[self.row, self.col])

    def image(self, values: np.ndarray) -> np.ndarray:
        """Kept cells' booleans as a (nrows, ncols) image (False elsewhere)."""
        img = np.zeros((self.nrows, self.ncols), dtype=bool)
        if self._ordered:
            img[self.inside] = values
        else:
            img[self.row, self.col] = values
        return img

    def index_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Position in the grid of points lying exactly on a kept cell centre, else -1.

        Lets a population raster aligned with the grid reuse the cells' distances.
        """
        out = np.full(len(x), -1, dtype=np.int64)
        if not len(x) or self.nrows * self.ncols > 50_000_000:
            return out
        # col = rint((x - x0) / cell - 0.5), the centre's x = x0 + (col + 0.5) cell, in place
        col = np.subtract(x, self.x0)
        col /= self.cell
        col -= 0.5
        np.rint(col, out=col)
        row = np.subtract(self.ytop, y)
        row /= self.cell
        row -= 0.5
        np.rint(row, out=row)
        ok = (col >= 0) & (col < self.ncols) & (row >= 0) & (row < self.nrows)
        t = col + 0.5
        t *= self.cell
        t += self.x0
        t -= x
        np.abs(t, out=t)
        ok &= t < 1e-6
        np.add(row, 0.5, out=t)
        t *= self.cell
        np.subtract(self.ytop, t, out=t)
        t -= y
        np.abs(t, out=t)
        ok &= t < 1e-6
        del t
        if not ok.any():
            return out
        if ok.all():
            key: np.ndarray = row.astype(np.int64)
            key *= self.ncols
            key += col.astype(np.int64)
        else:
            key = (row[ok] * self.ncols + col[ok]).astype(np.int64)
        if not self.full:
            lookup = np.full(self.nrows * self.ncols, -1, dtype=np.int64)
            if self._ordered:
                lookup[self.inside.reshape(-1)] = np.arange(self._count)
            else:
                lookup[self.row * self.ncols + self.col] = np.arange(self._count)
            key = np.asarray(lookup[key])
        if ok.all():
            return key
        out[ok] = key
        return out

    def patches(self, mask: np.ndarray) -> tuple[np.ndarray, int, int, int]:
        """Label 4-connected patches of the selected cells.

        ``mask`` selects kept cells (one boolean per cell), or is an ``(nrows, ncols)`` image
        of selected cells. Returns ``(labels image, first row, first column, number of
        patches)``; label 0 is "not selected"; patches are numbered in raster order.
        """
        img = mask if mask.ndim == 2 else self.image(mask)
        rows = np.flatnonzero(img.any(axis=1))
        if not len(rows):
            return np.zeros((0, 0), dtype=np.int32), 0, 0, 0
        cols = np.flatnonzero(img.any(axis=0))
        r0, c0 = int(rows[0]), int(cols[0])
        labels, n = label_patches(img[r0:int(rows[-1]) + 1, c0:int(cols[-1]) + 1])
        return labels, r0, c0, int(n)

    def label_at(self, labels: np.ndarray, r0: int, c0: int, x: np.ndarray,
                 y: np.ndarray) -> np.ndarray:
        """The patch label of the cell containing each point (0 outside every patch)."""
        rows = np.floor((self.ytop - y) / self.cell).astype(np.int64) - r0
        cols = np.floor((x - self.x0) / self.cell).astype(np.int64) - c0
        ok = (rows >= 0) & (cols >= 0) & (rows < labels.shape[0]) & (cols < labels.shape[1])
        out = np.zeros(len(x), dtype=np.int64)
        out[ok] = labels[rows[ok], cols[ok]]
        return out

    def to_polygons(self, mask: np.ndarray, clip: shapely.Geometry | None = None
                    ) -> tuple[list[shapely.Geometry], np.ndarray, tuple[np.ndarray, int, int]]:
        """Dissolve the cells selected by ``mask`` into one polygon per 4-connected patch.

        Returns ``(polygons, their patch labels, (labels image, first row, first column))``;
        with ``clip`` the polygons are cut to it (a patch may then fall into several parts,
        which keep its label).
        """
        labels, r0, c0, n = self.patches(mask)
        if n == 0:
            return [], np.zeros(0, dtype=np.int64), (labels, r0, c0)
        polys, lab = patch_polygons(labels, n, self.x0 + c0 * self.cell,
                                    self.ytop - r0 * self.cell, self.cell)
        if clip is not None:
            shapely.prepare(clip)
            inside = shapely.covers(clip, polys)
            cut = polys.copy()
            if not inside.all():
                cut[~inside] = shapely.intersection(polys[~inside], clip)
            parts, idx = shapely.get_parts(cut, return_index=True)
            keep = (shapely.get_dimensions(parts) == 2) & ~shapely.is_empty(parts)
            polys, lab = parts[keep], lab[idx[keep]]
        return list(polys), lab, (labels, r0, c0)


def inside_mask(geom: shapely.Geometry, x0: float, ytop: float, cell: float, nrows: int,
                ncols: int) -> np.ndarray:
    """Boolean image (nrows, ncols): the cell centre is in ``geom`` (inside or on its boundary).

    A scanline fill at the centres' heights, the centres next to the boundary decided exactly
    with ``shapely.intersects_xy`` (a centre on the boundary belongs to the polygon); see
    :func:`zlt_assets.analysis._raster.polygon_mask`.

    Examples
    --------
    >>> import shapely
    >>> inside_mask(shapely.box(0, 0, 20, 10), 0.0, 10.0, 10.0, 1, 3).tolist()
    [[True, True, False]]
    """
    return polygon_mask(geom, x0, ytop, cell, nrows, ncols)


def make_grid(area: shapely.Geometry, cell: float) -> Grid:
    """Grid cells (anchored at multiples of ``cell``) whose centre is inside ``area``.

    Examples
    --------
    >>> import shapely
    >>> g = make_grid(shapely.box(0, 0, 100, 50), 25.0)
    >>> len(g), g.cell_area
    (8, 625.0)
    """
    if not (cell > 0 and np.isfinite(cell)):
        raise BadInput(f"cell size must be a finite number > 0 m, got {cell}",
                       zh=f"格网大小必须是大于 0 的有限数(米),而不是 {cell}")
    minx, miny, maxx, maxy = area.bounds
    x0 = float(np.floor(minx / cell) * cell)
    ytop = float(np.ceil(maxy / cell) * cell)
    ncols = max(1, int(np.ceil((maxx - x0) / cell)))
    nrows = max(1, int(np.ceil((ytop - miny) / cell)))
    if ncols * nrows > MAX_GRID_CELLS:
        raise BadInput(f"grid too large ({nrows} x {ncols} cells of {cell} m); use a larger --cell")
    return Grid(float(cell), x0, ytop, nrows, ncols,
                inside=inside_mask(area, x0, ytop, cell, nrows, ncols))


def grid_district_codes(grid: Grid, districts: Any, code_field: str) -> np.ndarray:
    """The district code of each grid cell (by its centre; None outside; first district wins).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = make_grid(shapely.box(0, 0, 100, 50), 50.0)
    >>> d = gpd.GeoDataFrame({"code": ["W", "E"]}, geometry=[shapely.box(0, 0, 50, 50),
    ...                      shapely.box(50, 0, 100, 50)], crs="EPSG:4550")
    >>> grid_district_codes(g, d, "code").tolist()
    ['W', 'E']
    """
    out = np.full(len(grid), None, dtype=object)
    if districts is None or not len(grid):
        return out
    row = _grid_district_rows(grid, districts)
    hit = row >= 0
    codes = _text(_column(districts, code_field))
    out[hit] = codes[row[hit]]
    return out


def _grid_district_rows(grid: Grid, districts: Any) -> np.ndarray:
    """Row position (in ``districts``) of the district holding each cell centre, -1 outside.

    The first district wins where they overlap.
    """
    return grid.take(_district_image(grid, districts))


def _district_image(grid: Grid, districts: Any) -> np.ndarray:
    """:func:`_grid_district_rows` as an ``(nrows, ncols)`` image (-1: no district)."""
    out = np.full((grid.nrows, grid.ncols), -1, dtype=np.int64)
    for k, geom in enumerate(geometries(districts)):
        if geom is None or geom.is_empty:
            continue
        # only the window of the grid the district's box covers
        minx, miny, maxx, maxy = geom.bounds
        r0 = max(int(np.floor((grid.ytop - maxy) / grid.cell)) - 1, 0)
        r1 = min(int(np.ceil((grid.ytop - miny) / grid.cell)) + 1, grid.nrows - 1)
        c0 = max(int(np.floor((minx - grid.x0) / grid.cell)) - 1, 0)
        c1 = min(int(np.ceil((maxx - grid.x0) / grid.cell)) + 1, grid.ncols - 1)
        if r1 < r0 or c1 < c0:
            continue
        img = polygon_mask(geom, grid.x0, grid.ytop, grid.cell, r1 - r0 + 1, c1 - c0 + 1,
                           r0, c0)
        win = out[r0:r1 + 1, c0:c1 + 1]
        img &= win < 0
        win[img] = k
    return out


def _code_ids(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Position in ``codes`` (unique strings) of each value (None or unknown: -1)."""
    lookup = {c: i for i, c in enumerate(codes)}
    return np.fromiter((lookup.get(v, -1) if v is not None else -1 for v in values),
                       dtype=np.int64, count=len(values))


def district_codes(x: np.ndarray, y: np.ndarray, districts: Any, code_field: str) -> np.ndarray:
    """The district code at each point (None outside every district).

    A point belongs to the first district (in the layer's order) that holds it, inside or on its
    boundary: a point on a border shared by two districts counts once, for the first.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, shapely
    >>> d = gpd.GeoDataFrame({"code": ["a", "b"]}, geometry=[shapely.box(0, 0, 1, 1),
    ...                      shapely.box(1, 0, 2, 1)], crs="EPSG:4550")
    >>> district_codes(np.array([0.5, 1.0, 3.0]), np.array([0.5, 0.5, 0.5]), d, "code").tolist()
    ['a', 'a', None]
    """
    out = np.full(len(x), None, dtype=object)
    if districts is None or not len(x):
        return out
    free = np.ones(len(x), dtype=bool)
    for code, geom in zip(_text(_column(districts, code_field)), geometries(districts),
                          strict=True):
        if geom is None or geom.is_empty:
            continue
        minx, miny, maxx, maxy = geom.bounds
        cand = np.flatnonzero(free & (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        if not len(cand):
            continue
        shapely.prepare(geom)
        hit = cand[shapely.intersects_xy(geom, x[cand], y[cand])]
        out[hit] = code
        free[hit] = False
    return out


def nearest_euclidean(points_xy: np.ndarray, facilities_xy: np.ndarray, *,
                      within: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line distance to, and position of, the nearest facility.

    Parameters
    ----------
    points_xy, facilities_xy : ndarray (n, 2)
    within : float, optional
        A speed hint, not a limit: the search starts with this reach (most points have a
        facility within the radius asked); the points with none that near are then searched
        farther. Every point still gets its exact nearest facility and distance, the same as
        without the hint (:func:`zlt_assets.analysis._nearest.nearest_point`).

    Returns
    -------
    (distance, position) : tuple of ndarray

    Examples
    --------
    >>> import numpy as np
    >>> d, i = nearest_euclidean(np.array([[0.0, 0.0], [10.0, 0.0]]), np.array([[3.0, 4.0]]))
    >>> d.tolist(), i.tolist()
    ([5.0, 8.06225774829855], [0, 0])
    """
    pxy = np.asarray(points_xy, dtype="float64").reshape(-1, 2)
    fxy = np.asarray(facilities_xy, dtype="float64").reshape(-1, 2)
    if not len(fxy):
        return np.full(len(pxy), np.inf), np.full(len(pxy), -1, dtype=np.int64)
    if not len(pxy):
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    reach = float(within) if within is not None and np.isfinite(within) and within > 0 \
        else None
    i, d = nearest_point(pxy[:, 0], pxy[:, 1], fxy[:, 0], fxy[:, 1], reach=reach)
    return d, i


# ------------------------------------------------------------------------------------------
# Uncovered patches
# ------------------------------------------------------------------------------------------
@dataclass
class Uncovered:
    """Uncovered parts of the area, one polygon per connected patch, largest first.

    Attributes
    ----------
    geometry : ndarray of polygons
    area_m2, population : ndarray of float
        Area of each patch, and the people in it out of reach (NaN without population).
    district, district_name : ndarray of object
        The street office holding the patch (None outside every district).
    crs : CRS-like
    """

    geometry: np.ndarray
    area_m2: np.ndarray
    population: np.ndarray
    district: np.ndarray
    district_name: np.ndarray
    crs: object = PROJECT_CRS

    def __len__(self) -> int:
        return len(self.geometry)

    def to_frame(self) -> gpd.GeoDataFrame:
        """The patches as a GeoDataFrame.

        Columns ``area_m2``, ``population``, ``district``, ``district_name``.
        """
        import geopandas as gpd

        n = len(self)
        return gpd.GeoDataFrame(
            {"area_m2": self.area_m2, "population": self.population,
             "district": self.district, "district_name": self.district_name},
            geometry=gpd.GeoSeries(list(self.geometry) if n else [], crs=self.crs).values,
            crs=self.crs)


def _uncovered(grid: Grid, mask: np.ndarray, area_geom: shapely.Geometry,
               pop: PopulationInput | None, pop_out: np.ndarray | None, districts: Any,
               code_field: str, name_field: str = "name", *, crs: object = PROJECT_CRS
               ) -> Uncovered:
    """Uncovered patches: polygons with their area, uncovered people and street office.

    ``pop_out`` marks the people out of reach; a person counts for the patch of the grid cell
    they stand in.
    """
    polys, lab, (labels, r0, c0) = grid.to_polygons(mask, clip=area_geom)
    n = len(polys)
    geoms = np.asarray(polys, dtype=object) if n else np.zeros(0, dtype=object)
    areas = shapely.area(geoms) if n else np.zeros(0)
    people = np.zeros(n)
    if n and pop is not None and pop_out is not None and pop_out.any():
        pl = grid.label_at(labels, r0, c0, pop.x[pop_out], pop.y[pop_out])
        per_label = np.bincount(pl, weights=pop.weight[pop_out],
                                minlength=int(labels.max()) + 1)
        # a patch cut into parts by the clip: its people go to its largest part
        order = np.lexsort((-areas, lab))
        first = np.ones(n, dtype=bool)
        first[1:] = lab[order][1:] != lab[order][:-1]
        people[order[first]] = per_label[lab[order[first]]]
    if n:
        reps = shapely.get_coordinates(shapely.point_on_surface(geoms))
        dist = district_codes(reps[:, 0], reps[:, 1], districts, code_field)
    else:
        dist = np.zeros(0, dtype=object)
    names = np.full(n, None, dtype=object)
    if n and districts is not None and name_field in districts.columns:
        lookup = dict(zip(_text(_column(districts, code_field)), _column(districts, name_field),
                          strict=True))
        names = np.array([lookup.get(c) if c is not None else None for c in dist], dtype=object)
    order = np.argsort(-areas, kind="stable") if n else np.zeros(0, dtype=np.int64)
    return Uncovered(geoms[order], areas[order],
                     people[order] if pop is not None else np.full(n, np.nan), dist[order],
                     names[order], crs)


def _uncovered_frame(grid: Grid, mask: np.ndarray, area_geom: shapely.Geometry,
                     pop: PopulationInput | None, pop_dist: np.ndarray | None, radius: float,
                     districts: Any, code_field: str, name_field: str = "name", *,
                     crs: object = PROJECT_CRS) -> gpd.GeoDataFrame:
    """:func:`_uncovered` as a GeoDataFrame.

    People with ``pop_dist`` beyond ``radius`` are out of reach.
    """
    out = None if pop_dist is None else ~(pop_dist <= radius + COVER_EPS)
    return _uncovered(grid, mask, area_geom, pop, out, districts, code_field, name_field,
                      crs=crs).to_frame()


# ------------------------------------------------------------------------------------------
# Result
# ------------------------------------------------------------------------------------------
@dataclass
class CoverageResult:
    """Coverage of one facility set at one radius by one method.

    Attributes
    ----------
    summary : dict
        The JSON contract (``method``, ``radius_m``, ``area_total_m2``, ``area_covered_m2``,
        ``area_share``, ``population_total``, ``population_covered``, ``population_share``,
        ``by_district``, ``facilities``, ``unreachable_facilities``) plus ``radius_300`` (the
        GB 50220 short radius beside it), ``cell_m``, ``targets`` and, for the network method,
        ``network`` (the network report).
    grid : Grid
        The area sampling grid.
    cell_distance : ndarray
        Distance from each cell centre to its nearest facility (inf when out of reach by the
        network; by straight line the exact distance, computed on first use).
    cell_facility : ndarray of int
        Position of the nearest facility in ``facilities`` (-1 when out of reach).
    cell_district : ndarray of object
        District code of each cell (None outside every district), built on first use from
        ``cell_district_row`` (the position of each cell's district in the districts, -1 none)
        and ``district_row_codes`` (each district's code).
    facilities : GeoDataFrame
        The facilities used (``facility_id``, ``reachable``).
    uncovered : GeoDataFrame
        Uncovered parts of the area, one polygon per connected patch (``area_m2``,
        ``population``, ``district``); :attr:`patches` holds the same as arrays.
    population : PopulationInput or None
        The population inside the area, with ``population_distance`` per point.
    network_report : NetworkReport or None
    """

    summary: dict[str, Any]
    grid: Grid
    cell_district_row: np.ndarray = field(repr=False)
    district_row_codes: np.ndarray = field(repr=False)
    facility_layer: Layer = field(repr=False)
    patches: Uncovered = field(repr=False)
    population: PopulationInput | None = None
    network_report: NetworkReport | None = None
    radius: float = 500.0
    district_layer: Layer | None = field(default=None, repr=False)
    district_code_field: str = "code"
    work_crs: WorkCRS | None = None
    network: RoadNetwork | None = field(default=None, repr=False)
    covered_cells: np.ndarray | None = field(default=None, repr=False)
    _distances: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray | None]] | None = \
        field(default=None, repr=False)
    _cell_distance: np.ndarray | None = field(default=None, repr=False)
    _cell_facility: np.ndarray | None = field(default=None, repr=False)
    _population_distance: np.ndarray | None = field(default=None, repr=False)

    def _complete(self) -> None:
        if self._cell_distance is None and self._distances is not None:
            cd, cf, pdist = self._distances()
            self._cell_distance, self._cell_facility = cd, cf
            self._population_distance = pdist

    @property
    def cell_distance(self) -> np.ndarray:
        """Distance from each cell centre to its nearest facility (see the class)."""
        self._complete()
        assert self._cell_distance is not None
        return self._cell_distance

    @property
    def cell_facility(self) -> np.ndarray:
        """Position of the nearest facility of each cell (-1 when out of reach)."""
        self._complete()
        assert self._cell_facility is not None
        return np.where(np.isfinite(self.cell_distance), self._cell_facility,
                        -1).astype(np.int64)

    @property
    def population_distance(self) -> np.ndarray | None:
        """Distance of each person (point) to the nearest facility (None without population)."""
        self._complete()
        return self._population_distance

    @cached_property
    def cell_district(self) -> np.ndarray:
        """District code of each cell (None outside every district)."""
        codes = np.empty(len(self.district_row_codes) + 1, dtype=object)
        codes[:-1] = self.district_row_codes
        codes[-1] = None  # row -1: no district
        return np.asarray(codes[self.cell_district_row])

    @property
    def crs(self) -> object:
        """The metric CRS the run computed in (and its output layers are in)."""
        return self.work_crs.crs if self.work_crs is not None else PROJECT_CRS

    @property
    def cell_covered(self) -> np.ndarray:
        """True for each cell within the radius."""
        if self.covered_cells is not None:
            return self.covered_cells
        return self.cell_distance <= self.radius + COVER_EPS

    @cached_property
    def facilities(self) -> gpd.GeoDataFrame:
        """The facilities used: ``facility_id``, ``name`` (when present), ``reachable``."""
        import geopandas as gpd

        lay = self.facility_layer
        data: dict[str, Any] = {"facility_id": lay["facility_id"]}
        if "name" in lay.columns:
            data["name"] = np.asarray(lay["name"], dtype=object)
        data["reachable"] = lay["reachable"]
        return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(
            lay.geometry, index=np.asarray(lay.index), crs=self.crs).values,
            index=np.asarray(lay.index), crs=self.crs)

    @cached_property
    def uncovered(self) -> gpd.GeoDataFrame:
        """Uncovered patches as a GeoDataFrame (see :class:`Uncovered`)."""
        return self.patches.to_frame()

    @cached_property
    def districts(self) -> gpd.GeoDataFrame | None:
        """The street offices the run used (None without districts)."""
        return self.district_layer.to_frame() if self.district_layer is not None else None

    @cached_property
    def cells(self) -> gpd.GeoDataFrame:
        """Grid cell centres: nearest facility id, distance (m), covered, district code."""
        import geopandas as gpd

        ids = np.asarray(self.facility_layer["facility_id"], dtype=object)
        cf = self.cell_facility
        fac = np.where(cf >= 0, ids[np.maximum(cf, 0)], np.full(len(cf), None, dtype=object))
        dist = np.where(np.isfinite(self.cell_distance), self.cell_distance, np.nan)
        return gpd.GeoDataFrame(
            {"facility_id": fac.astype(object), "distance_m": dist,
             "covered": self.cell_covered, "district": self.cell_district},
            geometry=shapely.points(self.grid.x, self.grid.y), crs=self.crs)

    def district_frame(self) -> gpd.GeoDataFrame | None:
        """Street offices with their measures (None without districts)."""
        import geopandas as gpd
        import pandas as pd

        if self.districts is None:
            return None
        rows = pd.DataFrame(self.summary["by_district"])
        d = self.districts[[self.district_code_field, self.districts.geometry.name]].copy()
        d["code"] = d[self.district_code_field].astype(str)
        out = d[["code", d.geometry.name]].merge(rows, on="code", how="left")
        return gpd.GeoDataFrame(out, geometry=d.geometry.name, crs=self.crs)

    def to_geopackage(self, path: str | os.PathLike[str], *, cells: bool = True) -> None:
        """Write the results as layers of a new GeoPackage, atomically.

        Layers: ``coverage_uncovered``, ``coverage_facilities``, ``coverage_districts`` (when
        districts were given), ``coverage_cells`` (unless ``cells=False``) and, for the network
        method, ``network_repairs`` (where lines were snapped, joined or split). Every layer is
        in the CRS the run computed in (``summary["crs"]``).
        """
        from ..inventory import write_layers

        layers: dict[str, gpd.GeoDataFrame] = {}
        layers["coverage_uncovered"] = self.uncovered
        layers["coverage_facilities"] = self.facilities
        dist = self.district_frame()
        if dist is not None:
            layers["coverage_districts"] = dist
        if cells:
            layers["coverage_cells"] = self.cells
        if self.network_report is not None:
            layers["network_repairs"] = self.network_report.repairs_frame()
        layers = {k: _storable(v) for k, v in layers.items()}
        write_layers(path, layers, replace_file=True)


def _storable(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    for c in out.columns:
        if c == out.geometry.name:
            continue
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: None if v is None or (isinstance(v, float) and
                                                                 np.isnan(v)) else
                                (v if isinstance(v, (str, bool, int, float)) else str(v)))
    return out


# ------------------------------------------------------------------------------------------
# Computation
# ------------------------------------------------------------------------------------------
def _union(gdf: Any) -> shapely.Geometry:
    geom = shapely.union_all(shapely.make_valid(geometries(gdf)))
    polys = [p for p in shapely.get_parts(geom) if shapely.get_dimensions(p) == 2]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def prepare_facilities(facilities: Any, *, include_planned: bool = False,
                       what: str = "facilities", crs: object = PROJECT_CRS) -> Any:
    """Facilities in ``crs``, single points, in service only (unless ``include_planned``).

    Parameters
    ----------
    facilities : GeoDataFrame or Layer of points (any CRS)
    include_planned : bool
        Keep planned and under-construction ones too.
    what : str
        Named in error messages.
    crs : CRS-like
        The run's metric CRS (default EPSG:4550).

    Returns
    -------
    GeoDataFrame or Layer (the type given)
        With a ``facility_id`` column (``obj_id`` or the index).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> f = gpd.GeoDataFrame({"status": ["in_service", "planned"]},
    ...                      geometry=[shapely.Point(0, 0), shapely.Point(1, 1)], crs="EPSG:4550")
    >>> prepare_facilities(f)["facility_id"].tolist()
    ['0']
    """
    frame = is_frame(facilities)
    fac = as_work(as_layer(facilities, what=what), crs, what=what)
    fac = require_geometry(fac, POINT, what=what)
    if (shapely.get_type_id(fac.geometry) == 4).any():
        parts, idx = shapely.get_parts(fac.geometry, return_index=True)
        fac = fac.take(idx)
        fac.geometry = np.asarray(parts, dtype=object)
    fac = in_service(fac, include_planned=include_planned)
    if fac.empty:
        raise BadInput(f"{what}: no facility is in service (status "
                       f"{'/'.join(schema.IN_SERVICE_STATUSES)}); count planned ones with "
                       "include_planned (--include-planned)")
    fac = Layer(fac.geometry, fac.crs, dict(fac.data), fac.index, fac.source)
    fac.data["facility_id"] = facility_ids(fac)
    return fac.to_frame() if frame else fac


def prepare_districts(districts: Any, code_field: str, name_field: str,
                      crs: object = PROJECT_CRS) -> Any:
    """Street offices in ``crs`` with their code and name columns checked (None passes).

    Returns the type given (GeoDataFrame or Layer).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> d = gpd.GeoDataFrame({"code": ["1"], "name": ["x"]}, geometry=[shapely.box(0, 0, 1, 1)],
    ...                      crs="EPSG:4550")
    >>> len(prepare_districts(d, "code", "name"))
    1
    """
    if districts is None:
        return None
    d = as_work(districts, crs, what="districts")
    d = require_geometry(d, POLYGON, what="districts")
    cols = [str(c) for c in d.columns if not (is_frame(d) and c == d.geometry.name)]
    for f in (code_field, name_field):
        if f not in cols:
            raise BadInput(f"districts: no {f!r} column (columns: {', '.join(cols)})")
    return d


class _Groups:
    """Positions sorted (stably) by a small integer code (-1 = none): one slice per code."""

    def __init__(self, code: np.ndarray) -> None:
        from ._nearest import _argsort_keys

        key = np.asarray(code, dtype=np.int64) + 1
        counts = np.bincount(key, minlength=1)
        # a stable sort of 8- or 16-bit keys is a radix sort (the order _argsort_keys gives)
        small = np.uint8 if len(counts) <= 0xFF else np.uint16 if len(counts) <= 0xFFFF else None
        self.order = np.argsort(key.astype(small), kind="stable") if small is not None \
            else _argsort_keys(key)
        self.start = np.concatenate([[0], np.cumsum(counts)])

    def sort(self, values: np.ndarray) -> np.ndarray:
        """``values`` in the sorted order."""
        return np.asarray(values[self.order])

    def slice(self, code: int) -> slice:
        """Where the members of ``code`` lie in the sorted order."""
        k = code + 1
        if k + 1 >= len(self.start):
            return slice(0, 0)
        return slice(int(self.start[k]), int(self.start[k + 1]))


#: Up to this many districts, each district's people are selected by a mask (cheaper than
#: sorting a million people by district, the same sums).
_FEW_DISTRICTS = 12


class _PeopleByDistrict:
    """People (weights) and their coverage per district code: the totals of one district."""

    def __init__(self, code: np.ndarray, weight: np.ndarray, covered: np.ndarray, *,
                 by_mask: bool) -> None:
        self.code, self.weight, self.covered = code, weight, covered
        self.groups = None if by_mask else _Groups(code)
        if self.groups is not None:
            self.w_sorted = self.groups.sort(weight)
            self.c_sorted = self.groups.sort(covered)

    def sums(self, code: int) -> tuple[float, float]:
        """``(people, people covered)`` of district ``code`` (-1: in no district)."""
        if self.groups is None:
            m = self.code == code
            w, c = self.weight[m], self.covered[m]
        else:
            ps = self.groups.slice(code)
            w, c = self.w_sorted[ps], self.c_sorted[ps]
        return float(w.sum()), float(w[c].sum())


def _share(part: float, total: float) -> float | None:
    return float(part / total) if total > 0 else None


def _measures(cov_cells: np.ndarray, cell_area: float, pop_w: np.ndarray | None,
              cov_pop: np.ndarray | None, pop_total: float | None = None) -> dict[str, Any]:
    pt = pc = None
    if pop_w is not None and cov_pop is not None:
        pt = float(pop_w.sum()) if pop_total is None else pop_total
        pc = float(pop_w[cov_pop].sum())
    return _measures_of(len(cov_cells), int(np.count_nonzero(cov_cells)), cell_area, pt, pc)


def _measures_of(n_cells: int, n_covered: int, cell_area: float, pop_total: float | None,
                 pop_covered: float | None) -> dict[str, Any]:
    """The measures of ``n_cells`` cells of which ``n_covered`` are covered, and the people."""
    at = float(n_cells * cell_area)
    ac = float(n_covered * cell_area)
    out: dict[str, Any] = {"area_total_m2": at, "area_covered_m2": ac, "area_share": _share(ac, at)}
    if pop_total is None or pop_covered is None:
        out.update(population_total=None, population_covered=None, population_share=None)
    else:
        out.update(population_total=pop_total, population_covered=pop_covered,
                   population_share=_share(pop_covered, pop_total))
    return out


def compute_coverage(
    facilities: Any,
    area: Any,
    *,
    radius: float | None = None,
    method: str = "euclidean",
    roads: Any = None,
    population: str | os.PathLike[str] | Any = None,
    districts: Any = None,
    cell: float | None = None,
    district_code_field: str = "code",
    district_name_field: str = "name",
    include_planned: bool = False,
    network: RoadNetwork | None = None,
    river: Any = None,
    max_snap: float | None = None,
    short_radius: float | None = None,
    progress: Progress | None = None,
    crs: object = None,
    declared_crs: object = PROJECT_CRS,
    noding: str | None = None,
    level_field: str | None = None,
    snap_tolerance: float | None = None,
) -> CoverageResult:
    """Share of the area and of the population within ``radius`` of a facility.

    Parameters
    ----------
    facilities : GeoDataFrame or Layer of points
        Any CRS. Only in-service ones count (``status`` in
        :data:`zlt_assets.schema.IN_SERVICE_STATUSES`) unless ``include_planned``; ids from
        ``obj_id`` or the index.
    area : GeoDataFrame or Layer of polygons
        The urban area; None to use the union of ``districts``.
    radius : float
        Reach in metres (default :data:`zlt_assets.standards.BUS_STOP_RADIUS`, 500).
    method : {"euclidean", "network"}
    roads : GeoDataFrame or Layer of lines
        Needed for ``network`` (unless ``network`` is given).
    population : GeoTIFF path, points file/GeoDataFrame/Layer, PopulationInput or None
    districts : GeoDataFrame or Layer of polygons, optional
        Street offices with ``district_code_field`` and ``district_name_field``.
    cell : float
        Area grid cell in metres (default :data:`zlt_assets.standards.GRID_CELL`, 25).
    include_planned : bool
        Count planned and under-construction facilities too.
    network : RoadNetwork, optional
        A network built beforehand (reused across runs).
    river : GeoDataFrame or Layer, optional
        Passed to :func:`build_network`: only bridges cross it.
    max_snap : float, optional
        Facilities farther than this from every road are unreachable (network method; default
        :data:`zlt_assets.analysis.network.FACILITY_MAX_SNAP`).
    short_radius : float, optional
        The second radius reported beside (default
        :data:`zlt_assets.standards.BUS_STOP_RADIUS_SHORT`, 300).
    progress : callable, optional
        Called with short progress messages.
    crs : CRS-like, optional
        Compute in this metric CRS (``--crs``); by default one is chosen that keeps the scale
        error below :data:`zlt_assets.standards.MAX_SCALE_ERROR` over the area
        (:func:`zlt_assets.crs.choose_work_crs`). ``summary["crs"]`` names the one used.
    declared_crs : CRS-like or None
        The inventory's metric CRS (default EPSG:4550), used when it is true enough over the
        area; None when the inputs come from no inventory.
    noding, level_field, snap_tolerance
        Passed to :func:`zlt_assets.analysis.network.build_network`.

    Returns
    -------
    CoverageResult

    Raises
    ------
    BadInput
        Empty layers, missing CRS, bad method/radius, no roads for the network method, no
        facility attachable to the network, an area too wide for one metric CRS.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> stops = gpd.GeoDataFrame(geometry=[shapely.Point(500000, 5300000)], crs="EPSG:4550")
    >>> area = gpd.GeoDataFrame(geometry=[shapely.box(499000, 5299000, 501000, 5301000)],
    ...                         crs="EPSG:4550")
    >>> res = compute_coverage(stops, area, radius=500, cell=50)
    >>> round(res.summary["area_share"], 3), res.summary["crs"]["label"]
    (0.198, 'EPSG:4550')
    """
    say = progress or _quiet
    radius = float(standards.BUS_STOP_RADIUS.value if radius is None else radius)
    short = float(standards.BUS_STOP_RADIUS_SHORT.value if short_radius is None
                  else short_radius)
    cell = float(standards.GRID_CELL.value if cell is None else cell)
    if method not in METHODS:
        raise BadInput(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if not (radius > 0 and np.isfinite(radius)):
        raise BadInput(f"radius must be a positive number of metres, got {radius}")
    if area is None and districts is None:
        raise BadInput("no area given (and no districts to take it from)")
    fac_in = as_layer(facilities, what="facilities")
    area_in = as_layer(area, what="area") if area is not None else None
    dist_in = as_layer(districts, what="districts") if districts is not None else None
    roads_in = as_layer(roads, what="roads") if roads is not None else None
    river_in = as_layer(river, what="river") if river is not None else None
    reach = max(radius, short)
    work = work_crs_for(
        [area_in if area_in is not None else dist_in],
        [area_in, dist_in, fac_in, roads_in, river_in, population],
        margin=reach + (network_max_snap() if max_snap is None else float(max_snap)),
        forced=crs, declared=declared_crs, network=network)
    wcrs = work.crs
    say(f"CRS {work.label} ({work.reason}, scale error {work.max_scale_error:.1e}) ...")
    fac: Layer = prepare_facilities(fac_in, include_planned=include_planned, crs=wcrs)
    dist_l: Layer | None = prepare_districts(dist_in, district_code_field, district_name_field,
                                             wcrs)
    if area_in is None:
        assert dist_l is not None
        area_geom = _union(dist_l)
    else:
        a = require_geometry(as_work(area_in, wcrs, what="area"), POLYGON, what="area")
        area_geom = _union(a)
    if area_geom.is_empty or area_geom.area <= 0:
        raise BadInput("area: the polygons have no area")

    say(f"grid {cell:g} m ...")
    grid = make_grid(area_geom, cell)
    if not len(grid):
        raise BadInput(f"area: no grid cell centre falls inside the area at {cell:g} m; "
                       "use a smaller cell")
    pop = load_population(population, crs=wcrs)
    pidx = None
    if pop is not None:
        # people standing on a kept cell centre are inside; test only the others (a person on
        # the area's boundary belongs to the area)
        pidx = grid.index_of(pop.x, pop.y)
        inside = pidx >= 0
        off = ~inside
        if off.any():
            shapely.prepare(area_geom)
            inside[off] = shapely.intersects_xy(area_geom, pop.x[off], pop.y[off])
        if not inside.all():
            pop = pop.subset(inside)
            pidx = pidx[inside]
    fxy = shapely.get_coordinates(fac.geometry)
    net_report = None
    unreachable: list[Any] = []
    cd: np.ndarray | None = None
    cf: np.ndarray | None = None
    cover_img: np.ndarray | None = None
    pd_: np.ndarray | None = None
    lazy: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray | None]] | None = None
    if method == "euclidean":
        say(f"straight-line reach of {len(fac):,} facilities over {len(grid):,} cells ...")
        cover_c, cover_p, lazy, cover_img = _euclidean(grid, fxy, pop, pidx, (radius, short),
                                                       reach)
        reachable = np.ones(len(fac), dtype=bool)
    else:
        if network is None:
            if roads_in is None:
                raise BadInput("the network method needs a road layer (roads)")
            say("building the road network ...")
            network = build_network(roads_in, snap_tolerance, river=river_in, crs=wcrs,
                                    noding=noding, level_field=level_field)
        net_report = network.report
        say(f"network: {network.n_nodes:,} nodes, {network.n_edges:,} edges, "
            f"{network.report.n_components} component(s); searching ...")
        nd = network.distances_from(fac, cutoff=reach + COVER_EPS, max_snap=max_snap,
                                    id_field="facility_id")
        reachable = nd.sources.ok
        unreachable = [str(i) for i in nd.unreachable]
        if not reachable.any():
            snap = max_snap if max_snap is not None else network_max_snap()
            raise BadInput(f"facilities: none of the {len(fac)} facilities is within {snap:g} m "
                           "of a road; check the CRS of both layers")
        say(f"walking distances for {len(grid):,} cells ...")
        cd, cf = nd.at(network.attach_xy(grid.xy, grid=grid.spec))
        pd_, _pf = _reuse(pop, pidx, cd, cf, lambda xy: nd.at(network.attach_xy(xy)))
        cd = np.where(cd <= reach + COVER_EPS, cd, np.inf)
        cover_c = {r: cd <= r + COVER_EPS for r in (radius, short)}
        cover_p = {r: pd_ <= r + COVER_EPS for r in (radius, short)} if pd_ is not None \
            else None
    # districts as small integers (the position of the code among the distinct codes):
    # comparing integers instead of a million code strings gives the same cells
    crow = np.full(len(grid), -1, dtype=np.int64)
    ccode = crow
    pcode = None
    row_code_id = np.zeros(0, dtype=np.int64)
    row_codes = np.zeros(0, dtype=object)
    if dist_l is not None:
        row_codes = _text(dist_l[district_code_field])
        ucodes, row_code_id = np.unique(row_codes.astype(str), return_inverse=True)
        row_code_id = row_code_id.reshape(-1)
        crow = _grid_district_rows(grid, dist_l)
        ccode = np.append(row_code_id, -1)[crow]  # row -1 (no district) -> code -1
        if pop is not None:
            assert pidx is not None
            hit = pidx >= 0
            if hit.all():
                pcode = ccode[pidx]
            else:
                pcode = np.full(len(pop), -1, dtype=np.int64)
                pcode[hit] = ccode[pidx[hit]]
                pcode[~hit] = _code_ids(ucodes, district_codes(pop.x[~hit], pop.y[~hit],
                                                               dist_l, district_code_field))

    pop_total = pop.total if pop is not None else None

    def measures(r: float) -> dict[str, Any]:
        pw = pop.weight if pop is not None else None
        return _measures(cover_c[r], grid.cell_area, pw,
                         cover_p[r] if cover_p is not None else None, pop_total)

    summary: dict[str, Any] = {"method": method, "radius_m": radius}
    summary.update(measures(radius))
    by_district = []
    if dist_l is not None:
        # cells per district: counts; people: each district's weights in their original
        # order (the same sums as selecting them by a mask), by a mask per district when
        # they are few, else from one stable sort by district (each district one slice)
        ckey = ccode + 1
        n_cells = np.bincount(ckey, minlength=len(ucodes) + 1)
        n_cov = np.bincount(ckey[cover_c[radius]], minlength=len(ucodes) + 1)
        people = None
        if pcode is not None and pop is not None and cover_p is not None:
            people = _PeopleByDistrict(pcode, pop.weight, cover_p[radius],
                                       by_mask=len(dist_l) < _FEW_DISTRICTS)

        def district_measures(cid: int) -> dict[str, Any]:
            nc, ncov = int(n_cells[cid + 1]), int(n_cov[cid + 1])
            if people is None:
                return _measures_of(nc, ncov, grid.cell_area, None, None)
            return _measures_of(nc, ncov, grid.cell_area, *people.sums(cid))

        names = dist_l[district_name_field]
        for k, (code, name) in enumerate(zip(_text(dist_l[district_code_field]), names,
                                             strict=True)):
            row = {"name": None if _missing(name) else str(name), "code": code}
            row.update(district_measures(int(row_code_id[k])))
            by_district.append(row)
        # what lies in the area but in no district (gaps, or an area wider than the districts):
        # the district rows and this one add up to the totals
        summary["outside_districts"] = district_measures(-1)
    summary["by_district"] = by_district
    summary["facilities"] = len(fac)
    summary["unreachable_facilities"] = unreachable
    short_block: dict[str, Any] = {"radius_m": short}
    short_block.update(measures(short))
    short_block["standard"] = standards.BUS_STOP_RADIUS_SHORT.cite()
    short_block["min_area_share"] = standards.BUS_COVERAGE_MIN_300.value
    summary["radius_300"] = short_block
    summary["cell_m"] = cell
    summary["targets"] = {
        "min_area_share_500": standards.BUS_COVERAGE_MIN_500.value,
        "min_area_share_500_source": standards.BUS_COVERAGE_MIN_500.cite(),
        "plan_area_share": standards.BUS_COVERAGE_PLAN.value,
        "plan_area_share_source": standards.BUS_COVERAGE_PLAN.cite(),
        "radius_source": standards.BUS_STOP_RADIUS.cite(),
    }
    if net_report is not None:
        summary["network"] = net_report.to_dict()
    summary["crs"] = work.to_dict()

    say("uncovered areas ...")
    covered = cover_c[radius]
    pop_out = ~cover_p[radius] if cover_p is not None else None
    # the uncovered cells as an image where the straight line made one
    out_cells = grid.inside & ~cover_img if cover_img is not None else ~covered
    patches = _uncovered(grid, out_cells, area_geom, pop, pop_out, dist_l, district_code_field,
                         district_name_field, crs=wcrs)
    fac = Layer(fac.geometry, fac.crs, dict(fac.data), fac.index, fac.source)
    fac.data["reachable"] = np.asarray(reachable, dtype=bool)
    return CoverageResult(
        summary=summary, grid=grid, cell_district_row=crow, district_row_codes=row_codes,
        facility_layer=fac, patches=patches,
        population=pop, network_report=net_report, radius=radius, district_layer=dist_l,
        district_code_field=district_code_field, work_crs=work,
        network=network if method == "network" else None, covered_cells=covered,
        _distances=lazy, _cell_distance=cd, _cell_facility=cf, _population_distance=pd_)


def _euclidean(grid: Grid, fxy: np.ndarray, pop: PopulationInput | None,
               pidx: np.ndarray | None, radii: tuple[float, ...], reach: float
               ) -> tuple[dict[float, np.ndarray], dict[float, np.ndarray] | None,
                          Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray | None]],
                          np.ndarray]:
    """Straight-line reach: covered cells and people per radius, and the exact distances later.

    Cells: a disc of cells stamped around each facility (:func:`_raster.disc_mask`). People on a
    kept cell centre take their cell's answer; the others get an exact nearest-facility search
    up to the reach. The returned function computes every cell's and person's exact distance to
    its nearest facility (the catchment output). Last: the covered image of the first radius.
    """
    cover_c: dict[float, np.ndarray] = {}
    first: np.ndarray | None = None
    for r in radii:
        img = disc_mask(fxy[:, 0], fxy[:, 1], r + COVER_EPS, grid.x0, grid.ytop, grid.cell,
                        grid.nrows, grid.ncols)
        first = img if first is None else first
        cover_c[r] = grid.take(img)
    assert first is not None
    cover_p = None
    off_d = None
    if pop is not None and pidx is not None:
        on = pidx >= 0
        all_on = bool(on.all())
        off = np.flatnonzero(~on)
        if len(off):
            _i, off_d = nearest_point(pop.x[off], pop.y[off], fxy[:, 0], fxy[:, 1],
                                      within=reach + COVER_EPS, reach=reach + COVER_EPS)
        cover_p = {}
        for r in radii:
            if all_on:
                cover_p[r] = cover_c[r][pidx]
                continue
            c = np.zeros(len(pop), dtype=bool)
            c[on] = cover_c[r][pidx[on]]
            if off_d is not None:
                c[off] = off_d <= r + COVER_EPS
            cover_p[r] = c

    def distances() -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        ci, cdist = nearest_point(grid.x, grid.y, fxy[:, 0], fxy[:, 1], grid=grid.spec,
                                  reach=reach + COVER_EPS)
        pdist = None
        if pop is not None and pidx is not None:
            pdist, _pf = _reuse(pop, pidx, cdist, ci, lambda xy: nearest_euclidean(
                xy, fxy, within=reach + COVER_EPS))
        return cdist, ci, pdist

    return cover_c, cover_p, distances, first


def _reuse(pop: PopulationInput | None, idx: np.ndarray | None, cd: np.ndarray, cf: np.ndarray,
           compute: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
           ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Distances for the population points.

    Taken from the grid where a point is a cell centre (``idx`` >= 0), computed for the others.
    """
    if pop is None or idx is None:
        return None, None
    hit = idx >= 0
    d = np.empty(len(pop))
    f = np.empty(len(pop), dtype=np.int64)
    d[hit] = cd[idx[hit]]
    f[hit] = cf[idx[hit]]
    if not hit.all():
        miss = ~hit
        d[miss], f[miss] = compute(pop.xy[miss])
    return d, f


def work_crs_for(extent: list[Any], inputs: list[Any], *, margin: float, forced: object = None,
                 declared: object = None, network: RoadNetwork | None = None) -> WorkCRS:
    """The metric CRS a run computes in (see :func:`zlt_assets.crs.choose_work_crs`).

    Parameters
    ----------
    extent : list of GeoDataFrame or Layer
        The layers whose extent (widened by ``margin`` metres) the CRS must be true over: the
        area, or the districts.
    inputs : list
        Every input (layers, population); their own metric CRSs are candidates.
    margin : float
        Metres around the extent (the reach plus the attachment limit).
    forced, declared : CRS-like, optional
        See :func:`zlt_assets.crs.choose_work_crs`.
    network : RoadNetwork, optional
        A network built beforehand: the run computes in its CRS.

    Returns
    -------
    WorkCRS

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> a = gpd.GeoDataFrame(geometry=[shapely.box(87.5, 43.7, 87.7, 43.9)], crs="EPSG:4326")
    >>> work_crs_for([a], [a], margin=650, declared="EPSG:4550").label   # Urumqi
    'EPSG:4538'
    """
    from ..crs import max_scale_error

    frames = [f for f in extent if f is not None]
    bounds = lonlat_bounds(frames, margin_m=margin)
    if network is not None and forced is None:
        return WorkCRS(network.crs_obj, "network", max_scale_error(network.crs_obj, bounds),
                       bounds)
    own = []
    for f in inputs:
        c = getattr(f, "crs", None)
        if c is not None:
            own.append(c)
    return choose_work_crs(bounds, forced=forced, declared=declared, inputs=own)


def network_max_snap() -> float:
    """Facilities farther than this (m) from every road are unreachable (the default).

    Examples
    --------
    >>> network_max_snap()
    150.0
    """
    from .network import FACILITY_MAX_SNAP

    return float(FACILITY_MAX_SNAP.value)
