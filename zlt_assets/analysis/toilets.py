"""Public-toilet gaps: density, toilets per 10,000 residents, spacing along roads, service gaps,
and proposals for new sites.

Defaults and their sources (:mod:`zlt_assets.standards`):

* density per km² by the street office's land-use class: GB/T 50337-2018 table 4.2.1
  (``TOILET_DENSITY_PER_KM2``; class from the ``land_use`` field, overridable);
* spacing along streets by road class: municipal toilet rules / CJJ 27-2012
  (``TOILET_SPACING_M``);
* service radius 500 m (``TOILET_SERVICE_RADIUS``), 300 m in districts flagged ``crowded``
  (GB 55013-2021 5.0.1, ``TOILET_SERVICE_RADIUS_CROWDED``);
* proposals: maximal covering with existing toilets fixed (:mod:`zlt_assets.analysis.siting`).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import schema, standards
from ..errors import BadInput
from ..schema import PROJECT_CRS
from .coverage import (
    COVER_EPS,
    _storable,
    _uncovered_frame,
    _union,
    district_codes,
    grid_district_codes,
    make_grid,
    nearest_euclidean,
    prepare_districts,
    prepare_facilities,
    work_crs_for,
)
from .inputs import LINE, POLYGON, as_work, require_geometry
from .network import RoadNetwork, build_network
from .population import PopulationInput, load_population
from .siting import SitingResult, candidates_along, propose_sites

__all__ = [
    "NEAR_ROAD",
    "ToiletGapResult",
    "density_status",
    "road_spacing",
    "toilet_gaps",
]

#: A toilet counts for a street when it is this close to it (zlt-assets default).
NEAR_ROAD = standards.TOILET_NEAR_ROAD
#: Candidate sites for proposals are spaced this far apart along the roads (zlt-assets default).
CANDIDATE_SPACING = standards.CANDIDATE_SPACING


def density_status(density: float, rng: tuple[float, float] | None) -> str:
    """``below`` / ``within`` / ``above`` the range (``unknown`` without one).

    Examples
    --------
    >>> density_status(2.0, (3, 5)), density_status(4.0, (3, 5)), density_status(1.0, None)
    ('below', 'within', 'unknown')
    """
    if rng is None or density is None or not np.isfinite(density):
        return "unknown"
    lo, hi = rng
    if density < lo:
        return "below"
    if density > hi:
        return "above"
    return "within"


@dataclass
class ToiletGapResult:
    """Toilet gaps per street office and along roads, uncovered areas and proposals.

    Attributes
    ----------
    summary : dict
        JSON-ready totals, ``by_district``, ``spacing`` and ``proposals``.
    by_district : DataFrame
        One row per street office (see ``summary["by_district"]``).
    spacing : DataFrame
        One row per street (name and class): length, toilets on it, longest stretch without a
        toilet, the spacing limit, ``status`` (``ok`` / ``gap``).
    uncovered : GeoDataFrame
        Uncovered parts of the area (polygons, with population).
    proposals : SitingResult or None
    toilets : GeoDataFrame
        The toilets counted (in service unless planned ones were included).
    districts : GeoDataFrame
    """

    summary: dict[str, Any]
    by_district: pd.DataFrame
    spacing: pd.DataFrame
    uncovered: gpd.GeoDataFrame
    proposals: SitingResult | None
    toilets: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame = field(repr=False)
    crs: object = PROJECT_CRS

    def to_geopackage(self, path: str | os.PathLike[str]) -> None:
        """Write ``toilet_districts``, ``toilet_uncovered``, ``toilet_spacing`` (lines) and
        ``toilet_proposals`` (when any) into a new GeoPackage, atomically.
        """
        from ..inventory import write_layers

        d = self.districts[["code", self.districts.geometry.name]].copy()
        d["code"] = d["code"].astype(str)
        dist = gpd.GeoDataFrame(d.merge(self.by_district, on="code", how="left"),
                                geometry=self.districts.geometry.name, crs=self.crs)
        layers = {"toilet_districts": dist, "toilet_uncovered": self.uncovered}
        if len(self.spacing) and "geometry" in self.spacing.columns:
            layers["toilet_spacing"] = gpd.GeoDataFrame(self.spacing, geometry="geometry",
                                                        crs=self.crs)
        if self.proposals is not None and len(self.proposals.sites):
            layers["toilet_proposals"] = self.proposals.sites
        write_layers(path, {k: _storable(v) for k, v in layers.items()}, replace_file=True)


def road_spacing(roads: gpd.GeoDataFrame, toilets_xy: np.ndarray, *,
                 near: float | None = None, name_field: str = "name",
                 class_field: str = "road_class",
                 limits: Mapping[str, tuple[float, float]] | None = None,
                 crs: object = None) -> gpd.GeoDataFrame:
    """Spacing of toilets along each street (segments merged by name and class).

    For every street the toilets within ``near`` metres are placed along it; ``max_gap_m`` is
    the longest stretch of the street (from its ends and between toilets) without one, compared
    with the upper end of the spacing range for its road class. ``roads`` and ``toilets_xy``
    are in the same metric CRS (``crs``, default the roads' own).

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, shapely
    >>> r = gpd.GeoDataFrame({"name": ["a"], "road_class": ["branch"]},
    ...                      geometry=[shapely.LineString([(0, 0), (2000, 0)])], crs="EPSG:4550")
    >>> sp = road_spacing(r, np.array([[500.0, 10.0]]))
    >>> sp["max_gap_m"].tolist(), sp["status"].tolist()
    ([1500.0], ['gap'])
    """
    crs = roads.crs if crs is None else crs
    near = float(NEAR_ROAD.value if near is None else near)
    limits = dict(standards.TOILET_SPACING_M.value if limits is None else limits)
    roads = roads.copy()
    if name_field not in roads.columns:
        roads[name_field] = [f"#{i}" for i in range(len(roads))]
    if class_field not in roads.columns:
        roads[class_field] = None
    names = roads[name_field].astype(object).where(roads[name_field].notna(), None)
    names = [n if n else f"#{i}" for i, n in enumerate(names)]
    roads["_key_name"] = names
    roads["_key_class"] = roads[class_field].astype(object)
    tpts = shapely.points(toilets_xy) if len(toilets_xy) else np.zeros(0, dtype=object)
    ttree = shapely.STRtree(tpts) if len(tpts) else None
    rows = []
    for (name, rclass), grp in roads.groupby(["_key_name", "_key_class"], dropna=False,
                                             sort=True):
        line = shapely.line_merge(shapely.union_all(grp.geometry.values))
        parts = [p for p in shapely.get_parts(line) if not p.is_empty]
        length = float(sum(p.length for p in parts))
        count = 0
        max_gap = 0.0
        for p in parts:
            pos = np.zeros(0)
            if ttree is not None:
                hit = ttree.query(p, predicate="dwithin", distance=near)
                if len(hit):
                    pos = np.sort(shapely.line_locate_point(p, tpts[hit]))
            count += len(pos)
            stops = np.concatenate([[0.0], pos, [p.length]])
            max_gap = max(max_gap, float(np.diff(stops).max()))
        rng = limits.get(str(rclass)) if rclass is not None else None
        limit = float(rng[1]) if rng else np.nan
        status = "unknown" if rng is None else ("gap" if max_gap > limit + COVER_EPS else "ok")
        rows.append({"name": name, "road_class": rclass, "length_m": length, "toilets": count,
                     "max_gap_m": max_gap, "spacing_min_m": float(rng[0]) if rng else np.nan,
                     "spacing_max_m": limit, "status": status,
                     "geometry": shapely.multilinestrings(parts) if len(parts) > 1 else
                     (parts[0] if parts else None)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs) if rows else \
        gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs=crs).values, crs=crs)


def toilet_gaps(
    toilets: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    roads: gpd.GeoDataFrame | None = None,
    population: str | os.PathLike[str] | gpd.GeoDataFrame | PopulationInput | None = None,
    area: gpd.GeoDataFrame | None = None,
    radius: float | None = None,
    crowded_radius: float | None = None,
    land_use: str | Mapping[str, str] | None = None,
    crowded: bool | Mapping[str, bool] | None = None,
    propose: int = 0,
    candidate_spacing: float | None = None,
    siting_method: str = "auto",
    method: str = "euclidean",
    network: RoadNetwork | None = None,
    river: gpd.GeoDataFrame | None = None,
    include_planned: bool = False,
    cell: float | None = None,
    district_code_field: str = "code",
    district_name_field: str = "name",
    time_limit: float = 60.0,
    progress: Callable[[str], None] | None = None,
    crs: object = None,
    declared_crs: object = PROJECT_CRS,
    noding: str | None = None,
    level_field: str | None = None,
) -> ToiletGapResult:
    """Where public toilets fall short, and where new ones would help most.

    Parameters
    ----------
    toilets : GeoDataFrame of points
        Public toilets (in service ones count unless ``include_planned``).
    districts : GeoDataFrame of polygons
        Street offices with ``code``, ``name`` and optionally ``land_use`` (R, ABS, G, MW) and
        ``crowded`` (bool).
    roads : GeoDataFrame of lines, optional
        For spacing along streets, candidate sites and the network method.
    population : GeoTIFF path, points, PopulationInput or None
    area : GeoDataFrame of polygons, optional
        The urban area (default: the union of the districts).
    radius, crowded_radius : float
        Service radius (default 500 m, ``TOILET_SERVICE_RADIUS``) and the radius in crowded
        districts (default 300 m, GB 55013-2021 5.0.1).
    land_use : str or mapping code -> class, optional
        Overrides the districts' ``land_use`` (one class for all, or per district code).
    crowded : bool or mapping code -> bool, optional
        Overrides the districts' ``crowded`` flag.
    propose : int
        Number of new sites to propose (0: none).
    candidate_spacing : float
        Spacing of candidate sites along the roads (default 150 m).
    siting_method : {"auto", "ilp", "greedy"}
    method : {"euclidean", "network"}
        Distance for the service radius and proposals.
    cell : float
        Area grid cell (default 25 m).
    crs, declared_crs : CRS-like, optional
        As for :func:`zlt_assets.analysis.coverage.compute_coverage`: the run computes in true
        metres (``summary["crs"]`` names the CRS).
    noding, level_field : optional
        Passed to :func:`zlt_assets.analysis.network.build_network`.

    Returns
    -------
    ToiletGapResult

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> d = gpd.GeoDataFrame({"code": ["1"], "name": ["x"], "land_use": ["R"]},
    ...                      geometry=[shapely.box(500000, 5300000, 502000, 5301000)],
    ...                      crs="EPSG:4550")
    >>> t = gpd.GeoDataFrame(geometry=[shapely.Point(501000, 5300500)], crs="EPSG:4550")
    >>> res = toilet_gaps(t, d, cell=50)
    >>> res.summary["toilets"], res.by_district["density_status"].tolist()
    (1, ['below'])
    """
    say = progress or (lambda _m: None)
    radius = float(standards.TOILET_SERVICE_RADIUS.value if radius is None else radius)
    crowded_radius = float(standards.TOILET_SERVICE_RADIUS_CROWDED.value
                           if crowded_radius is None else crowded_radius)
    cell = float(standards.GRID_CELL.value if cell is None else cell)
    spacing = float(CANDIDATE_SPACING.value if candidate_spacing is None
                    else candidate_spacing)
    if method not in ("euclidean", "network"):
        raise BadInput(f"unknown method {method!r}; use euclidean or network")
    for label, v in (("radius", radius), ("crowded radius", crowded_radius)):
        if not (v > 0 and np.isfinite(v)):
            raise BadInput(f"{label} must be a positive number of metres, got {v}")
    if propose < 0:
        raise BadInput(f"--propose must be >= 0, got {propose}")
    work = work_crs_for([area if area is not None else districts],
                        [area, districts, toilets, roads, river, population],
                        margin=max(radius, crowded_radius) + float(
                            standards.FACILITY_MAX_SNAP.value),
                        forced=crs, declared=declared_crs, network=network)
    wcrs = work.crs
    fac = prepare_facilities(toilets, include_planned=include_planned, what="toilets", crs=wcrs)
    prepared = prepare_districts(districts, district_code_field, district_name_field, wcrs)
    assert prepared is not None
    dist = prepared.copy()
    dist["code"] = dist[district_code_field].astype(str)
    dist["name"] = dist[district_name_field].astype(object)
    codes = dist["code"].tolist()
    lu = _per_district(land_use, dist, "land_use", "R", codes)
    bad = sorted({v for v in lu.values() if v not in schema.LAND_USE})
    if bad:
        raise BadInput(f"land-use class {', '.join(bad)} unknown; use one of "
                       f"{', '.join(schema.LAND_USE.codes)}")
    crowd = {k: bool(v) for k, v in _per_district(crowded, dist, "crowded", False,
                                                  codes).items()}
    if area is not None:
        area_geom = _union(require_geometry(as_work(area, wcrs, what="area"), POLYGON,
                                            what="area"))
    else:
        area_geom = _union(dist)
    if roads is not None:
        roads = require_geometry(as_work(roads, wcrs, what="roads"), LINE, what="roads")

    say("counting toilets and residents per street office ...")
    fxy = shapely.get_coordinates(fac.geometry.values)
    t_code = district_codes(fxy[:, 0], fxy[:, 1], dist, "code")
    pop = load_population(population, crs=wcrs)
    if pop is not None:
        shapely.prepare(area_geom)
        pop = pop.subset(shapely.intersects_xy(area_geom, pop.x, pop.y))
    p_code = district_codes(pop.x, pop.y, dist, "code") if pop is not None else None

    say(f"grid {cell:g} m and distances to toilets ...")
    grid = make_grid(area_geom, cell)
    g_code = grid_district_codes(grid, dist, "code")
    r_of = {c: (crowded_radius if crowd[c] else radius) for c in codes}
    g_r = np.array([r_of.get(c, radius) for c in g_code])
    p_r = np.array([r_of.get(c, radius) for c in p_code]) if pop is not None else None
    net = None
    if method == "network":
        if network is None:
            if roads is None:
                raise BadInput("the network method needs a road layer (roads)")
            network = build_network(roads, river=river, crs=wcrs, noding=noding,
                                    level_field=level_field)
        net = network
        nd = net.distances_from(fac, cutoff=max(radius, crowded_radius) + COVER_EPS,
                                id_field="facility_id")
        if not nd.sources.ok.any():
            raise BadInput("toilets: none is close enough to a road to reach the network")
        g_d, _ = nd.at(net.attach_xy(grid.xy))
        p_d = nd.at(net.attach_xy(pop.xy))[0] if pop is not None else None
    else:
        g_d, _ = nearest_euclidean(grid.xy, fxy)
        p_d = nearest_euclidean(pop.xy, fxy)[0] if pop is not None else None
    g_cov = g_d <= g_r + COVER_EPS
    p_cov = (p_d <= p_r + COVER_EPS) if pop is not None else None

    dens = dict(standards.TOILET_DENSITY_PER_KM2.value)
    rows = []
    for code, name, geom in zip(codes, dist["name"], dist.geometry.values, strict=False):
        part = shapely.intersection(geom, area_geom) if area is not None else geom
        km2 = float(shapely.area(part)) / 1e6
        n_t = int((t_code == code).sum())
        rng = dens.get(lu[code])
        d = n_t / km2 if km2 > 0 else float("nan")
        gm = g_code == code
        a_tot = float(gm.sum() * grid.cell_area)
        a_cov = float(g_cov[gm].sum() * grid.cell_area)
        row: dict[str, Any] = {
            "code": code, "name": None if pd.isna(name) else str(name), "land_use": lu[code],
            "crowded": crowd[code], "radius_m": r_of[code], "area_km2": km2, "toilets": n_t,
            "density_per_km2": d,
            "density_min": float(rng[0]) if rng else None,
            "density_max": float(rng[1]) if rng else None,
            "density_status": density_status(d, rng),
            "toilets_needed_for_min": (max(0, int(np.ceil(rng[0] * km2 - 1e-9)) - n_t)
                                       if rng else None),
            "area_total_m2": a_tot, "area_covered_m2": a_cov,
            "area_share": a_cov / a_tot if a_tot > 0 else None,
            "area_uncovered_m2": a_tot - a_cov,
        }
        if pop is not None:
            pm = p_code == code
            pt = float(pop.weight[pm].sum())
            pc = float(pop.weight[pm & p_cov].sum())
            row.update(population_total=pt, population_covered=pc,
                       population_share=pc / pt if pt > 0 else None,
                       population_uncovered=pt - pc,
                       toilets_per_10k=n_t / pt * 1e4 if pt > 0 else None)
        else:
            row.update(population_total=None, population_covered=None, population_share=None,
                       population_uncovered=None, toilets_per_10k=None)
        rows.append(row)
    by_district = pd.DataFrame(rows)

    spacing_df = gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs=wcrs)
                                  .values, crs=wcrs)
    if roads is not None:
        say("spacing along streets ...")
        spacing_df = road_spacing(roads, fxy, crs=wcrs)

    say("uncovered areas ...")
    uncovered = _uncovered_frame(grid, ~g_cov, area_geom, pop,
                                 None if p_d is None else np.where(p_cov, 0.0, np.inf), 0.0,
                                 dist, "code", crs=wcrs)
    proposals = None
    if propose > 0:
        if roads is None:
            raise BadInput("proposals need a road layer (candidate sites lie on the roads)")
        if pop is None:
            raise BadInput("proposals need population (a raster or points)")
        say(f"proposing {propose} new site(s) ...")
        cand = candidates_along(roads, spacing, crs=wcrs)
        cxy = shapely.get_coordinates(cand.geometry.values)
        cand = cand.loc[shapely.intersects_xy(area_geom, cxy[:, 0], cxy[:, 1])]
        proposals = propose_sites(fac, cand, pop, p_r, propose, siting_method, network=net,
                                  time_limit=time_limit, crs=wcrs)
        if len(proposals.sites):
            sxy = shapely.get_coordinates(proposals.sites.geometry.values)
            proposals.sites["district"] = district_codes(sxy[:, 0], sxy[:, 1], dist, "code")

    pt = float(pop.weight.sum()) if pop is not None else None
    pc = float(pop.weight[p_cov].sum()) if pop is not None else None
    a_tot = float(len(grid) * grid.cell_area)
    a_cov = float(g_cov.sum() * grid.cell_area)
    summary: dict[str, Any] = {
        "method": method, "radius_m": radius, "crowded_radius_m": crowded_radius,
        "toilets": len(fac),
        "area_total_m2": a_tot, "area_covered_m2": a_cov,
        "area_share": a_cov / a_tot if a_tot > 0 else None,
        "population_total": pt, "population_covered": pc,
        "population_share": (pc / pt) if pt else None,
        "toilets_per_10k": (len(fac) / pt * 1e4) if pt else None,
        "districts_below_density": [r["code"] for r in rows if r["density_status"] == "below"],
        "by_district": _records(by_district),
        "spacing": {
            "n_streets": len(spacing_df),
            "streets_with_gap": int((spacing_df.get("status", pd.Series([], dtype=object))
                                     == "gap").sum()),
            "streets": _records(pd.DataFrame(spacing_df.drop(columns="geometry"))),
        } if len(spacing_df) else {"n_streets": 0, "streets_with_gap": 0, "streets": []},
        "proposals": proposals.to_dict() if proposals is not None else None,
        "cell_m": cell,
        "standards": {
            "density": standards.TOILET_DENSITY_PER_KM2.cite(),
            "spacing": standards.TOILET_SPACING_M.cite(),
            "radius": standards.TOILET_SERVICE_RADIUS.cite(),
            "crowded_radius": standards.TOILET_SERVICE_RADIUS_CROWDED.cite(),
        },
        "crs": work.to_dict(),
    }
    if net is not None:
        summary["network"] = net.report.to_dict()
    return ToiletGapResult(summary=summary, by_district=by_district, spacing=spacing_df,
                           uncovered=uncovered, proposals=proposals, toilets=fac, districts=dist,
                           crs=wcrs)


def _per_district(override: Any, dist: gpd.GeoDataFrame, column: str, default: Any,
                  codes: list[str]) -> dict[str, Any]:
    if override is not None and not isinstance(override, Mapping):
        return dict.fromkeys(codes, override)
    if column in dist.columns:
        base = {c: (default if pd.isna(v) else v) for c, v in zip(codes, dist[column], strict=False)}
    else:
        base = dict.fromkeys(codes, default)
    if isinstance(override, Mapping):
        base.update({str(k): v for k, v in override.items()})
    return base


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in df.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if isinstance(v, (np.floating, float)):
                v = None if not np.isfinite(v) else float(v)
            elif isinstance(v, np.integer):
                v = int(v)
            elif isinstance(v, np.bool_):
                v = bool(v)
            elif v is pd.NA:
                v = None
            clean[k] = v
        out.append(clean)
    return out
