"""Coverage of a facility layer (bus stops by default): area and population within reach.

Two distance methods:

* ``euclidean`` - straight line (the official 公交站点500米覆盖率 indicator): nearest facility per
  grid cell centre from a k-d tree;
* ``network`` - walking: straight distance from the point to its attachment on the nearest edge +
  distance along the network + the facility's own attachment distance, from one multi-source
  Dijkstra (see :mod:`zlt_assets.analysis.network`).

Measures: the urban area is sampled on a grid of ``cell`` metres (a cell counts when its centre is
inside the area, and is covered when its centre is within reach); population cells or points
count by their centre. Totals and per street office.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import schema, standards
from ..crs import WorkCRS, choose_work_crs, lonlat_bounds
from ..errors import BadInput
from ..schema import PROJECT_CRS
from .inputs import POINT, POLYGON, as_work, facility_ids, in_service, require_geometry
from .network import NetworkReport, RoadNetwork, build_network
from .population import PopulationInput, load_population

__all__ = [
    "COVER_EPS",
    "METHODS",
    "CoverageResult",
    "Grid",
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

Progress = Callable[[str], None]


def _quiet(_msg: str) -> None:
    return None


# ------------------------------------------------------------------------------------------
# Grid and districts
# ------------------------------------------------------------------------------------------
@dataclass
class Grid:
    """Cell centres of a regular grid that fall inside an area.

    ``x0, ytop`` is the top-left corner; rows go down. ``row, col`` index each kept cell.
    """

    cell: float
    x0: float
    ytop: float
    nrows: int
    ncols: int
    row: np.ndarray
    col: np.ndarray

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
    def cell_area(self) -> float:
        """Area of one cell (m²)."""
        return self.cell * self.cell

    def __len__(self) -> int:
        return len(self.row)

    def index_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Position in the grid of points lying exactly on a kept cell centre, else -1.

        Lets a population raster aligned with the grid reuse the cells' distances.
        """
        out = np.full(len(x), -1, dtype=np.int64)
        if not len(x) or self.nrows * self.ncols > 50_000_000:
            return out
        col = np.rint((x - self.x0) / self.cell - 0.5)
        row = np.rint((self.ytop - y) / self.cell - 0.5)
        ok = (col >= 0) & (col < self.ncols) & (row >= 0) & (row < self.nrows)
        ok &= np.abs(self.x0 + (col + 0.5) * self.cell - x) < 1e-6
        ok &= np.abs(self.ytop - (row + 0.5) * self.cell - y) < 1e-6
        if not ok.any():
            return out
        lookup = np.full(self.nrows * self.ncols, -1, dtype=np.int64)
        lookup[self.row * self.ncols + self.col] = np.arange(len(self.row))
        key = (row[ok] * self.ncols + col[ok]).astype(np.int64)
        out[ok] = lookup[key]
        return out

    def patches(self, mask: np.ndarray) -> tuple[np.ndarray, int, int, int]:
        """Label 4-connected patches of the selected cells.

        Returns ``(labels image, first row, first column, number of patches)``; label 0 is
        "not selected".
        """
        from scipy import ndimage

        if not mask.any():
            return np.zeros((0, 0), dtype=np.int32), 0, 0, 0
        r, c = self.row[mask], self.col[mask]
        r0, c0 = int(r.min()), int(c.min())
        img = np.zeros((int(r.max()) - r0 + 1, int(c.max()) - c0 + 1), dtype=bool)
        img[r - r0, c - c0] = True
        labels, n = ndimage.label(img)
        return labels.astype(np.int32), r0, c0, int(n)

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
                    ) -> tuple[list[shapely.Geometry], np.ndarray, tuple]:
        """Dissolve the cells selected by ``mask`` into one polygon per 4-connected patch.

        Returns ``(polygons, their patch labels, (labels image, first row, first column))``;
        with ``clip`` the polygons are cut to it (a patch may then fall into several parts,
        which keep its label).
        """
        labels, r0, c0, n = self.patches(mask)
        if n == 0:
            return [], np.zeros(0, dtype=np.int64), (labels, r0, c0)
        from rasterio import features
        from rasterio.transform import from_origin

        tr = from_origin(self.x0 + c0 * self.cell, self.ytop - r0 * self.cell, self.cell,
                         self.cell)
        # rings of all patches in one coordinate array, then one vectorised construction
        # (the same coordinates, shell first then holes, as building polygon by polygon)
        ring_xy: list[Any] = []
        ring_len: list[int] = []
        ring_poly: list[int] = []
        labs: list[int] = []
        for k, (g, v) in enumerate(features.shapes(labels, mask=labels > 0, transform=tr,
                                                   connectivity=4)):
            for ring in g["coordinates"]:
                ring_xy.extend(ring)
                ring_len.append(len(ring))
                ring_poly.append(k)
            labs.append(int(v))
        lab = np.asarray(labs, dtype=np.int64)
        rings = shapely.linearrings(np.asarray(ring_xy, dtype="float64"),
                                    indices=np.repeat(np.arange(len(ring_len)), ring_len))
        polys = list(shapely.polygons(rings, indices=np.asarray(ring_poly, dtype=np.int64)))
        if clip is not None:
            cut = shapely.intersection(np.asarray(polys, dtype=object), clip)
            parts, idx = shapely.get_parts(cut, return_index=True)
            keep = (shapely.get_dimensions(parts) == 2) & ~shapely.is_empty(parts)
            polys, lab = list(parts[keep]), lab[idx[keep]]
        return polys, lab, (labels, r0, c0)


def inside_mask(geom: shapely.Geometry, x0: float, ytop: float, cell: float, nrows: int,
                ncols: int) -> np.ndarray:
    """Boolean image (nrows, ncols): the cell centre is in ``geom`` (inside or on its boundary).

    GDAL burns the polygon by cell centres; cells crossed by the boundary are then decided
    exactly with ``shapely.intersects_xy`` (a centre on the boundary belongs to the polygon), so
    the answer does not depend on GDAL's tie rules.

    Examples
    --------
    >>> import shapely
    >>> inside_mask(shapely.box(0, 0, 20, 10), 0.0, 10.0, 10.0, 1, 3).tolist()
    [[True, True, False]]
    """
    from rasterio import features
    from rasterio.transform import from_origin

    if geom is None or geom.is_empty:
        return np.zeros((nrows, ncols), dtype=bool)
    tr = from_origin(x0, ytop, cell, cell)
    img = features.rasterize([(geom, 1)], out_shape=(nrows, ncols), transform=tr, fill=0,
                             dtype="uint8", all_touched=False).astype(bool)
    edge = features.rasterize([(shapely.boundary(geom), 1)], out_shape=(nrows, ncols),
                              transform=tr, fill=0, dtype="uint8", all_touched=True)
    r, c = np.nonzero(edge)
    if len(r):
        shapely.prepare(geom)
        img[r, c] = shapely.intersects_xy(geom, x0 + (c + 0.5) * cell, ytop - (r + 0.5) * cell)
    return img


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
    if ncols * nrows > 60_000_000:
        raise BadInput(f"grid too large ({nrows} x {ncols} cells of {cell} m); use a larger --cell")
    row, col = np.nonzero(inside_mask(area, x0, ytop, cell, nrows, ncols))
    return Grid(float(cell), x0, ytop, nrows, ncols, row.astype(np.int64), col.astype(np.int64))


def grid_district_codes(grid: Grid, districts: gpd.GeoDataFrame | None,
                        code_field: str) -> np.ndarray:
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
    codes = np.asarray(districts[code_field].astype(str).to_numpy(), dtype=object)
    out[hit] = codes[row[hit]]
    return out


def _grid_district_rows(grid: Grid, districts: gpd.GeoDataFrame) -> np.ndarray:
    """Row position (in ``districts``) of the district holding each cell centre, -1 outside;
    the first district wins where they overlap.
    """
    out = np.full(len(grid), -1, dtype=np.int64)
    free = np.ones(len(grid), dtype=bool)
    for k, geom in enumerate(districts.geometry.values):
        if geom is None or geom.is_empty:
            continue
        img = inside_mask(geom, grid.x0, grid.ytop, grid.cell, grid.nrows, grid.ncols)
        hit = free & img[grid.row, grid.col]
        out[hit] = k
        free &= ~hit
    return out


def _code_ids(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Position in ``codes`` (unique strings) of each value (None or unknown: -1)."""
    lookup = {c: i for i, c in enumerate(codes)}
    return np.fromiter((lookup.get(v, -1) if v is not None else -1 for v in values),
                       dtype=np.int64, count=len(values))


def district_codes(x: np.ndarray, y: np.ndarray, districts: gpd.GeoDataFrame | None,
                   code_field: str) -> np.ndarray:
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
    for code, geom in zip(districts[code_field].astype(str), districts.geometry.values, strict=False):
        if geom is None or geom.is_empty:
            continue
        minx, miny, maxx, maxy = geom.bounds
        cand = np.flatnonzero((out == None) & (x >= minx) & (x <= maxx) &  # noqa: E711
                              (y >= miny) & (y <= maxy))
        if not len(cand):
            continue
        shapely.prepare(geom)
        hit = shapely.intersects_xy(geom, x[cand], y[cand])
        out[cand[hit]] = code
    return out


def nearest_euclidean(points_xy: np.ndarray, facilities_xy: np.ndarray, *,
                      within: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line distance to, and position of, the nearest facility (k-d tree).

    Parameters
    ----------
    points_xy, facilities_xy : ndarray (n, 2)
    within : float, optional
        A speed hint, not a limit: the tree is first searched only up to this distance (most
        points have a facility within the radius asked, and a bounded search stops early); the
        points with none that near are then searched without a bound. Every point still gets
        its exact nearest facility and distance, the same as without the hint.

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
    if not len(facilities_xy):
        return np.full(len(points_xy), np.inf), np.full(len(points_xy), -1, dtype=np.int64)
    if not len(points_xy):
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    from scipy.spatial import cKDTree  # imported here: the network method does not need it

    tree = cKDTree(facilities_xy)
    if within is None or not np.isfinite(within) or within <= 0:
        d, i = tree.query(points_xy, k=1, workers=-1)
        return np.asarray(d, dtype="float64"), np.asarray(i, dtype=np.int64)
    bound = float(within) * (1.0 + 1e-9) + 1e-6
    d, i = tree.query(points_xy, k=1, workers=-1, distance_upper_bound=bound)
    d = np.asarray(d, dtype="float64")
    i = np.asarray(i, dtype=np.int64)
    far = np.flatnonzero(~np.isfinite(d))
    if len(far):
        d2, i2 = tree.query(points_xy[far], k=1, workers=-1)
        d[far] = d2
        i[far] = i2
    return d, i


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
        Distance from each cell centre to its nearest facility (inf when out of reach).
    cell_facility : ndarray of int
        Position of the nearest facility in ``facilities`` (-1 when out of reach).
    cell_district : ndarray of object
        District code of each cell (None outside every district).
    facilities : GeoDataFrame
        The facilities used (``facility_id``, ``reachable``).
    uncovered : GeoDataFrame
        Uncovered parts of the area, one polygon per connected patch (``area_m2``,
        ``population``, ``district``).
    population : PopulationInput or None
        The population inside the area, with ``population_distance`` per point.
    network_report : NetworkReport or None
    """

    summary: dict[str, Any]
    grid: Grid
    cell_distance: np.ndarray
    cell_facility: np.ndarray
    cell_district: np.ndarray
    facilities: gpd.GeoDataFrame
    uncovered: gpd.GeoDataFrame
    population: PopulationInput | None = None
    population_distance: np.ndarray | None = None
    network_report: NetworkReport | None = None
    radius: float = 500.0
    districts: gpd.GeoDataFrame | None = field(default=None, repr=False)
    district_code_field: str = "code"
    work_crs: WorkCRS | None = None
    network: RoadNetwork | None = field(default=None, repr=False)

    @property
    def crs(self) -> object:
        """The metric CRS the run computed in (and its output layers are in)."""
        return self.work_crs.crs if self.work_crs is not None else PROJECT_CRS

    @property
    def cell_covered(self) -> np.ndarray:
        """True for each cell within the radius."""
        return self.cell_distance <= self.radius + COVER_EPS

    @cached_property
    def cells(self) -> gpd.GeoDataFrame:
        """Grid cell centres: nearest facility id, distance (m), covered, district code."""
        ids = self.facilities["facility_id"].to_numpy()
        fac = np.where(self.cell_facility >= 0, ids[np.maximum(self.cell_facility, 0)], None)
        dist = np.where(np.isfinite(self.cell_distance), self.cell_distance, np.nan)
        return gpd.GeoDataFrame(
            {"facility_id": fac.astype(object), "distance_m": dist,
             "covered": self.cell_covered, "district": self.cell_district},
            geometry=shapely.points(self.grid.x, self.grid.y), crs=self.crs)

    def district_frame(self) -> gpd.GeoDataFrame | None:
        """Street offices with their measures (None without districts)."""
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
def _union(gdf: gpd.GeoDataFrame) -> shapely.Geometry:
    geom = shapely.union_all(shapely.make_valid(gdf.geometry.values))
    polys = [p for p in shapely.get_parts(geom) if shapely.get_dimensions(p) == 2]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def prepare_facilities(facilities: gpd.GeoDataFrame, *, include_planned: bool = False,
                       what: str = "facilities", crs: object = PROJECT_CRS) -> gpd.GeoDataFrame:
    """Facilities in ``crs``, single points, in service only (unless ``include_planned``).

    Parameters
    ----------
    facilities : GeoDataFrame of points (any CRS)
    include_planned : bool
        Keep planned and under-construction ones too.
    what : str
        Named in error messages.
    crs : CRS-like
        The run's metric CRS (default EPSG:4550).

    Returns
    -------
    GeoDataFrame
        With a ``facility_id`` column (``obj_id`` or the index).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> f = gpd.GeoDataFrame({"status": ["in_service", "planned"]},
    ...                      geometry=[shapely.Point(0, 0), shapely.Point(1, 1)], crs="EPSG:4550")
    >>> prepare_facilities(f)["facility_id"].tolist()
    ['0']
    """
    fac = as_work(facilities, crs, what=what)
    fac = require_geometry(fac, POINT, what=what)
    if (shapely.get_type_id(fac.geometry.values) == 4).any():
        fac = fac.explode(index_parts=False)
    fac = in_service(fac, include_planned=include_planned)
    if fac.empty:
        raise BadInput(f"{what}: no facility is in service (status "
                       f"{'/'.join(schema.IN_SERVICE_STATUSES)}); count planned ones with "
                       "include_planned (--include-planned)")
    fac = fac.copy()
    fac["facility_id"] = facility_ids(fac)
    return fac


def prepare_districts(districts: gpd.GeoDataFrame | None, code_field: str, name_field: str,
                      crs: object = PROJECT_CRS) -> gpd.GeoDataFrame | None:
    """Street offices in ``crs`` with their code and name columns checked (None passes).

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
    for f in (code_field, name_field):
        if f not in d.columns:
            raise BadInput(f"districts: no {f!r} column (columns: "
                           f"{', '.join(c for c in d.columns if c != d.geometry.name)})")
    return d


def _share(part: float, total: float) -> float | None:
    return float(part / total) if total > 0 else None


def _measures(cov_cells: np.ndarray, cell_area: float, pop_w: np.ndarray | None,
              cov_pop: np.ndarray | None) -> dict[str, Any]:
    at = float(len(cov_cells) * cell_area)
    ac = float(cov_cells.sum() * cell_area)
    out: dict[str, Any] = {"area_total_m2": at, "area_covered_m2": ac, "area_share": _share(ac, at)}
    if pop_w is None or cov_pop is None:
        out.update(population_total=None, population_covered=None, population_share=None)
    else:
        pt = float(pop_w.sum())
        pc = float(pop_w[cov_pop].sum())
        out.update(population_total=pt, population_covered=pc, population_share=_share(pc, pt))
    return out


def compute_coverage(
    facilities: gpd.GeoDataFrame,
    area: gpd.GeoDataFrame | None,
    *,
    radius: float | None = None,
    method: str = "euclidean",
    roads: gpd.GeoDataFrame | None = None,
    population: str | os.PathLike[str] | gpd.GeoDataFrame | PopulationInput | None = None,
    districts: gpd.GeoDataFrame | None = None,
    cell: float | None = None,
    district_code_field: str = "code",
    district_name_field: str = "name",
    include_planned: bool = False,
    network: RoadNetwork | None = None,
    river: gpd.GeoDataFrame | None = None,
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
    facilities : GeoDataFrame of points
        Any CRS. Only in-service ones count (``status`` in
        :data:`zlt_assets.schema.IN_SERVICE_STATUSES`) unless ``include_planned``; ids from
        ``obj_id`` or the index.
    area : GeoDataFrame of polygons
        The urban area; None to use the union of ``districts``.
    radius : float
        Reach in metres (default :data:`zlt_assets.standards.BUS_STOP_RADIUS`, 500).
    method : {"euclidean", "network"}
    roads : GeoDataFrame of lines
        Needed for ``network`` (unless ``network`` is given).
    population : GeoTIFF path, points GeoDataFrame/file, PopulationInput or None
    districts : GeoDataFrame of polygons, optional
        Street offices with ``district_code_field`` and ``district_name_field``.
    cell : float
        Area grid cell in metres (default :data:`zlt_assets.standards.GRID_CELL`, 25).
    include_planned : bool
        Count planned and under-construction facilities too.
    network : RoadNetwork, optional
        A network built beforehand (reused across runs).
    river : GeoDataFrame, optional
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
    reach = max(radius, short)
    work = work_crs_for(
        [area if area is not None else districts],
        [area, districts, facilities, roads, river, population],
        margin=reach + (network_max_snap() if max_snap is None else float(max_snap)),
        forced=crs, declared=declared_crs, network=network)
    wcrs = work.crs
    say(f"CRS {work.label} ({work.reason}, scale error {work.max_scale_error:.1e}) ...")
    fac = prepare_facilities(facilities, include_planned=include_planned, crs=wcrs)
    dist_gdf = prepare_districts(districts, district_code_field, district_name_field, wcrs)
    if area is None:
        assert dist_gdf is not None
        area_geom = _union(dist_gdf)
    else:
        a = require_geometry(as_work(area, wcrs, what="area"), POLYGON, what="area")
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
        pop = pop.subset(inside)
        pidx = pidx[inside]
    fxy = shapely.get_coordinates(fac.geometry.values)
    net_report = None
    unreachable: list = []
    if method == "euclidean":
        say(f"straight-line distances for {len(grid):,} cells ...")
        # exact nearest facility for every cell (the catchment output gives it for far
        # cells too); ``within`` only lets the tree stop early for the cells within reach
        cd, cf = nearest_euclidean(grid.xy, fxy, within=reach + COVER_EPS)
        pd_, pf = _reuse(pop, pidx, cd, cf,
                         lambda xy: nearest_euclidean(xy, fxy, within=reach + COVER_EPS))
        reachable = np.ones(len(fac), dtype=bool)
    else:
        if network is None:
            if roads is None:
                raise BadInput("the network method needs a road layer (roads)")
            say("building the road network ...")
            network = build_network(roads, snap_tolerance, river=river, crs=wcrs,
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
        cd, cf = nd.at(network.attach_xy(grid.xy))
        pd_, _pf = _reuse(pop, pidx, cd, cf, lambda xy: nd.at(network.attach_xy(xy)))
    cd = np.where(cd <= reach + COVER_EPS, cd, np.inf) if method == "network" else cd
    # districts as small integers (the position of the code among the distinct codes):
    # comparing integers instead of a million code strings gives the same cells
    cdist = np.full(len(grid), None, dtype=object)
    ccode = np.full(len(grid), -1, dtype=np.int64)
    pcode = None
    if dist_gdf is not None:
        row_codes = dist_gdf[district_code_field].astype(str).to_numpy()
        ucodes, row_code_id = np.unique(row_codes, return_inverse=True)
        row_code_id = row_code_id.reshape(-1)
        crow = _grid_district_rows(grid, dist_gdf)
        hit = crow >= 0
        ccode[hit] = row_code_id[crow[hit]]
        cdist[hit] = np.asarray(row_codes, dtype=object)[crow[hit]]
        if pop is not None:
            pcode = np.full(len(pop), -1, dtype=np.int64)
            hit = pidx >= 0
            pcode[hit] = ccode[pidx[hit]]
            if not hit.all():
                pcode[~hit] = _code_ids(ucodes, district_codes(pop.x[~hit], pop.y[~hit],
                                                               dist_gdf, district_code_field))

    def measures(r: float, cmask: np.ndarray | None = None, pmask: np.ndarray | None = None
                 ) -> dict[str, Any]:
        cc = cd <= r + COVER_EPS
        pc = (pd_ <= r + COVER_EPS) if pd_ is not None else None
        if cmask is not None:
            cc = cc[cmask]
        if pc is not None and pmask is not None:
            pc = pc[pmask]
        pw = pop.weight if pop is not None else None
        if pw is not None and pmask is not None:
            pw = pw[pmask]
        return _measures(cc, grid.cell_area, pw, pc)

    summary: dict[str, Any] = {"method": method, "radius_m": radius}
    summary.update(measures(radius))
    by_district = []
    if dist_gdf is not None:
        for k, (code, name) in enumerate(zip(dist_gdf[district_code_field].astype(str),
                                             dist_gdf[district_name_field].astype(object), strict=False)):
            row = {"name": None if pd.isna(name) else str(name), "code": code}
            cid = row_code_id[k]
            row.update(measures(radius, ccode == cid,
                                (pcode == cid) if pcode is not None else None))
            by_district.append(row)
        # what lies in the area but in no district (gaps, or an area wider than the districts):
        # the district rows and this one add up to the totals
        outside = measures(radius, ccode < 0, (pcode < 0) if pcode is not None else None)
        summary["outside_districts"] = outside
    summary["by_district"] = by_district
    summary["facilities"] = len(fac)
    summary["unreachable_facilities"] = unreachable
    short_block = {"radius_m": short}
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
    covered = cd <= radius + COVER_EPS
    uncovered = _uncovered_frame(grid, ~covered, area_geom, pop, pd_, radius, dist_gdf,
                                 district_code_field, district_name_field, crs=wcrs)
    fac_out = fac[["facility_id", fac.geometry.name]].copy()
    if "name" in fac.columns:
        fac_out.insert(1, "name", fac["name"].astype(object))
    fac_out["reachable"] = reachable
    res = CoverageResult(
        summary=summary, grid=grid, cell_distance=cd, cell_facility=np.where(
            np.isfinite(cd), cf, -1).astype(np.int64),
        cell_district=cdist, facilities=gpd.GeoDataFrame(fac_out, crs=wcrs),
        uncovered=uncovered, population=pop, population_distance=pd_,
        network_report=net_report, radius=radius, districts=dist_gdf,
        district_code_field=district_code_field, work_crs=work,
        network=network if method == "network" else None)
    return res


def _reuse(pop: PopulationInput | None, idx: np.ndarray | None, cd: np.ndarray, cf: np.ndarray,
           compute: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
           ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Distances for the population points: taken from the grid where a point is a cell
    centre (``idx`` >= 0), computed for the others.
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
    extent : list of GeoDataFrame
        The layers whose extent (widened by ``margin`` metres) the CRS must be true over: the
        area, or the districts.
    inputs : list
        Every input (GeoDataFrames, population); their own metric CRSs are candidates.
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


def _uncovered_frame(grid: Grid, mask: np.ndarray, area_geom: shapely.Geometry,
                     pop: PopulationInput | None, pop_dist: np.ndarray | None, radius: float,
                     districts: gpd.GeoDataFrame | None, code_field: str,
                     name_field: str = "name", *, crs: object = PROJECT_CRS) -> gpd.GeoDataFrame:
    """Uncovered patches: polygons with their area, uncovered people and street office.

    A person counts for the patch of the grid cell they stand in (when they are themselves out
    of reach).
    """
    polys, lab, (labels, r0, c0) = grid.to_polygons(mask, clip=area_geom)
    n = len(polys)
    geoms = np.asarray(polys, dtype=object) if n else np.zeros(0, dtype=object)
    areas = shapely.area(geoms) if n else np.zeros(0)
    people = np.zeros(n)
    if n and pop is not None and pop_dist is not None:
        un = ~(pop_dist <= radius + COVER_EPS)
        if un.any():
            pl = grid.label_at(labels, r0, c0, pop.x[un], pop.y[un])
            per_label = np.bincount(pl, weights=pop.weight[un], minlength=int(labels.max()) + 1)
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
        lookup = dict(zip(districts[code_field].astype(str), districts[name_field], strict=False))
        names = np.array([lookup.get(c) if c is not None else None for c in dist], dtype=object)
    order = np.argsort(-areas, kind="stable") if n else np.zeros(0, dtype=np.int64)
    return gpd.GeoDataFrame(
        {"area_m2": areas[order], "population": people[order] if pop is not None else
         np.full(n, np.nan), "district": dist[order], "district_name": names[order]},
        geometry=gpd.GeoSeries(list(geoms[order]) if n else [], crs=crs).values,
        crs=crs)
