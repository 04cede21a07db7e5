"""New sites that cover the most demand: the maximal covering location problem (MCLP).

Existing facilities are kept fixed: demand they already cover is removed first, then ``n`` new
sites are chosen among candidates to maximise the newly covered demand (population). The exact
solution is an integer programme solved by ``scipy.optimize.milp`` (HiGHS); the greedy heuristic
(always add the site with the largest marginal gain) is the fallback. The result says which was
used and what each site adds.

ILP: maximise sum_i w_i y_i subject to y_i <= sum_{j covers i} x_j, sum_j x_j <= n,
x_j in {0, 1}, 0 <= y_i <= 1 (demand points with the same covering set are merged first).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from scipy import sparse

from ..errors import BadInput
from ..schema import PROJECT_CRS
from .inputs import POINT, as_work, require_geometry
from .population import PopulationInput, load_population

__all__ = [
    "SITING_METHODS",
    "MCLPSolution",
    "SitingResult",
    "candidates_along",
    "coverage_matrix",
    "propose_sites",
    "solve_mclp",
]

SITING_METHODS = ("auto", "ilp", "greedy")
#: Largest problem (non-zeros of the merged covering matrix) given to the ILP solver by ``auto``.
ILP_MAX_NNZ = 2_000_000


@dataclass
class MCLPSolution:
    """Chosen candidate positions in pick order, the demand each adds, and how it was solved."""

    chosen: list[int]
    gains: list[float]
    method: str  # "ilp" or "greedy"
    optimal: bool  # proven optimal by the solver
    note: str = ""

    @property
    def total(self) -> float:
        """The demand the chosen sites add."""
        return float(sum(self.gains))


def _has_milp() -> bool:
    try:
        from scipy.optimize import milp  # noqa: F401
    except ImportError:
        return False
    return True


def _merge_rows(cover: sparse.csr_matrix, weight: np.ndarray
                ) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Merge demand rows with the same covering set (weights add); drop rows nobody covers."""
    cover = cover.tocsr()
    cover.sort_indices()
    groups: dict[bytes, int] = {}
    gid = np.empty(cover.shape[0], dtype=np.int64)
    ind, ptr = cover.indices, cover.indptr
    for i in range(cover.shape[0]):
        key = ind[ptr[i]:ptr[i + 1]].tobytes()
        gid[i] = groups.setdefault(key, len(groups))
    k = len(groups)
    w = np.bincount(gid, weights=weight, minlength=k)
    first = np.full(k, -1, dtype=np.int64)
    first[gid[::-1]] = np.arange(cover.shape[0])[::-1]
    merged = cover[first]
    keep = (np.diff(merged.indptr) > 0) & (w > 0)
    return merged[keep], w[keep]


def _greedy(cover: sparse.csr_matrix, weight: np.ndarray, n: int,
            fixed: list[int] | None = None) -> tuple[list[int], list[float]]:
    cover = cover.tocsr()
    csc = cover.tocsc()
    alive = weight.astype("float64").copy()
    gains = np.asarray(cover.T @ alive).ravel()
    chosen: list[int] = []
    got: list[float] = []
    order = list(fixed) if fixed is not None else None
    for step in range(n if order is None else len(order)):
        if order is None:
            j = int(np.argmax(gains)) if len(gains) else -1
            if j < 0 or gains[j] <= 0:
                break
        else:
            # among the remaining fixed choices, the one with the largest marginal gain
            rest = [c for c in order if c not in chosen]
            j = max(rest, key=lambda c: (gains[c], -c))
        rows = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        rows = rows[alive[rows] > 0]
        g = float(alive[rows].sum())
        if len(rows):
            sub = cover[rows]
            gains -= np.asarray(sub.T @ alive[rows]).ravel()
            alive[rows] = 0.0
        gains[j] = -np.inf
        chosen.append(j)
        got.append(g)
    return chosen, got


def solve_mclp(cover: sparse.spmatrix, weight: np.ndarray, n: int, method: str = "auto",
               time_limit: float = 60.0) -> MCLPSolution:
    """Pick up to ``n`` columns of ``cover`` (demand x candidate, truthy = covers) to maximise the
    covered weight.

    Parameters
    ----------
    cover : sparse matrix (n_demand, n_candidates)
    weight : ndarray (n_demand,)
    n : int
    method : {"auto", "ilp", "greedy"}
        ``auto`` uses the ILP when scipy's ``milp`` is available and the problem is not huge.
    time_limit : float
        Seconds for the ILP solver; a solution found within it but not proven optimal is
        reported with ``optimal=False``.

    Returns
    -------
    MCLPSolution

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> cover = sparse.csr_matrix(np.array([[1, 0], [1, 0], [0, 1]]))
    >>> sol = solve_mclp(cover, np.array([1.0, 1.0, 5.0]), 1, method="greedy")
    >>> sol.chosen, sol.total
    ([1], 5.0)
    """
    if method not in SITING_METHODS:
        raise BadInput(f"unknown siting method {method!r}; use one of {', '.join(SITING_METHODS)}")
    if n < 0:
        raise BadInput(f"number of new sites must be >= 0, got {n}")
    cover = sparse.csr_matrix(cover, dtype=np.int8)
    cover.eliminate_zeros()
    weight = np.asarray(weight, dtype="float64")
    m = cover.shape[1]
    merged, w = _merge_rows(cover, weight) if cover.shape[0] else (cover, weight)
    if n == 0 or m == 0 or merged.shape[0] == 0:
        return MCLPSolution([], [], "greedy" if method == "greedy" else
                            ("ilp" if _has_milp() else "greedy"), True, "nothing to cover")
    use_ilp = method == "ilp" or (method == "auto" and _has_milp() and merged.nnz <= ILP_MAX_NNZ)
    if method == "ilp" and not _has_milp():
        raise BadInput("the exact (ILP) method needs scipy >= 1.9 (scipy.optimize.milp)")
    if use_ilp:
        sol = _ilp(merged, w, n, time_limit)
        if sol is not None:
            return sol
        note = "ILP found no solution within the time limit; greedy used"
    else:
        note = "" if method == "greedy" else "problem too large for the ILP; greedy used"
    chosen, gains = _greedy(merged, w, n)
    return MCLPSolution(chosen, gains, "greedy", False, note)


def _ilp(cover: sparse.csr_matrix, w: np.ndarray, n: int, time_limit: float
         ) -> MCLPSolution | None:
    from scipy.optimize import Bounds, LinearConstraint, milp

    k, m = cover.shape
    n_eff = min(n, m)
    c = np.concatenate([np.zeros(m), -w])
    a_cov = sparse.hstack([-cover.astype("float64"), sparse.identity(k, format="csr")],
                          format="csr")
    a_card = sparse.csr_matrix(np.concatenate([np.ones(m), np.zeros(k)])[None, :])
    cons = [LinearConstraint(a_cov, -np.inf, 0.0), LinearConstraint(a_card, 0, n_eff)]
    integrality = np.concatenate([np.ones(m), np.zeros(k)])
    res = milp(c, constraints=cons, integrality=integrality, bounds=Bounds(0, 1),
               options={"time_limit": float(time_limit), "disp": False})
    if res.x is None:
        return None
    x = np.flatnonzero(res.x[:m] > 0.5)
    # order the chosen sites by marginal gain, so the gains add up to the total
    chosen, gains = _greedy(cover, w, len(x), fixed=[int(j) for j in x])
    keep = [i for i, g in enumerate(gains) if g > 0]
    chosen = [chosen[i] for i in keep]
    gains = [gains[i] for i in keep]
    optimal = bool(res.status == 0)
    return MCLPSolution(chosen, gains, "ilp", optimal,
                        "" if optimal else f"ILP stopped: {res.message}")


# ------------------------------------------------------------------------------------------
# Geometry
# ------------------------------------------------------------------------------------------
def candidates_along(roads: gpd.GeoDataFrame, spacing: float = 150.0, *,
                     crs: object = PROJECT_CRS) -> gpd.GeoDataFrame:
    """Candidate sites every ``spacing`` metres along each road line (from ``spacing/2``).

    Returns points in ``crs`` (default EPSG:4550) with ``road`` (row position in ``roads``) and
    ``candidate`` ids.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> r = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (300, 0)])], crs="EPSG:4550")
    >>> candidates_along(r, 150).geometry.x.tolist()
    [75.0, 225.0]
    """
    if not spacing > 0:
        raise BadInput(f"candidate spacing must be > 0 m, got {spacing}")
    roads = require_geometry(as_work(roads, crs, what="roads"), ("LineString", "MultiLineString"),
                             what="roads")
    parts, src = shapely.get_parts(roads.geometry.values, return_index=True)
    lengths = shapely.length(parts)
    counts = np.maximum(1, np.floor(lengths / spacing + 0.5).astype(np.int64))
    rep = np.repeat(np.arange(len(parts)), counts)
    start = np.cumsum(counts) - counts
    k = np.arange(len(rep)) - start[rep]
    step = lengths[rep] / counts[rep]
    pos = (k + 0.5) * step
    pts = shapely.line_interpolate_point(parts[rep], pos)
    out = gpd.GeoDataFrame({"road": src[rep]}, geometry=pts, crs=crs)
    out["candidate"] = [f"C{i + 1:05d}" for i in range(len(out))]
    return out


def coverage_matrix(demand_xy: np.ndarray, cand_xy: np.ndarray, radius: float | np.ndarray,
                    *, network=None) -> sparse.csr_matrix:
    """Boolean sparse matrix (demand x candidate): candidate j reaches demand i.

    ``radius`` may be one number or one per demand point. With ``network`` (a RoadNetwork) the
    distance is the walking distance (attachments + along the network), else straight line.

    Examples
    --------
    >>> import numpy as np
    >>> m = coverage_matrix(np.array([[0.0, 0.0], [500.0, 0.0]]), np.array([[0.0, 100.0]]), 300.0)
    >>> m.toarray().tolist()
    [[1], [0]]
    """
    nd, nc = len(demand_xy), len(cand_xy)
    r = np.broadcast_to(np.asarray(radius, dtype="float64"), (nd,))
    if nd == 0 or nc == 0:
        return sparse.csr_matrix((nd, nc), dtype=np.int8)
    rmax = float(r.max())
    if network is None:
        from scipy.spatial import cKDTree

        dm = cKDTree(demand_xy).sparse_distance_matrix(cKDTree(cand_xy), rmax + 1e-6,
                                                       output_type="coo_matrix")
        keep = dm.data <= r[dm.row] + 1e-6
        # sparse_distance_matrix drops exact zero distances: add coincident pairs back
        zi, zj = _coincident(demand_xy, cand_xy)
        rows = np.concatenate([dm.row[keep], zi])
        cols = np.concatenate([dm.col[keep], zj])
    else:
        rows, cols = _network_pairs(network, demand_xy, cand_xy, r, rmax)
    m = sparse.csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(nd, nc))
    m.data[:] = 1
    return m


def _coincident(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from scipy.spatial import cKDTree

    pairs = cKDTree(a).query_ball_tree(cKDTree(b), 1e-9)
    i = [ii for ii, js in enumerate(pairs) for _ in js]
    j = [jj for js in pairs for jj in js]
    return np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)


def _network_pairs(net, demand_xy: np.ndarray, cand_xy: np.ndarray, r: np.ndarray,
                   rmax: float) -> tuple[np.ndarray, np.ndarray]:
    from scipy.sparse import csgraph

    datt = net.attach_xy(demand_xy)
    catt = net.attach_xy(cand_xy)
    n = net.n_nodes
    good = np.flatnonzero(catt.ok)
    rows_out: list[np.ndarray] = []
    cols_out: list[np.ndarray] = []
    if len(good):
        e = catt.edge[good]
        virt = n + np.arange(len(good))
        base = net.graph.tocoo()
        wu = catt.distance[good] + catt.along[good]
        wv = catt.distance[good] + net.edge_len[e] - catt.along[good]
        g = sparse.csr_matrix(
            (np.concatenate([base.data, np.maximum(wu, 1e-9), np.maximum(wv, 1e-9)]),
             (np.concatenate([base.row, virt, virt]),
              np.concatenate([base.col, net.edge_u[e], net.edge_v[e]]))),
            shape=(n + len(good), n + len(good)))
        dok = np.flatnonzero(datt.ok)
        de = datt.edge[dok]
        du, dv = net.edge_u[de], net.edge_v[de]
        dal = datt.along[dok]
        dlen = net.edge_len[de]
        dd = datt.distance[dok]
        chunk = max(1, int(20_000_000 // max(n, len(dok), 1)))  # bounded memory
        for s in range(0, len(good), chunk):
            idx = virt[s:s + chunk]
            dist = csgraph.dijkstra(g, directed=True, indices=idx, limit=rmax + 1e-6)[:, :n]
            tot = np.minimum(dist[:, du] + dal, dist[:, dv] + (dlen - dal)) + dd
            ci, di = np.nonzero(tot <= r[dok] + 1e-6)
            rows_out.append(dok[di])
            cols_out.append(good[s + ci])
        # same edge: straight along the edge
        for j in good:
            same = dok[de == catt.edge[j]]
            if not len(same):
                continue
            direct = np.abs(datt.along[same] - catt.along[j]) + datt.distance[same] + \
                catt.distance[j]
            hit = same[direct <= r[same] + 1e-6]
            rows_out.append(hit)
            cols_out.append(np.full(len(hit), j))
    if not rows_out:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows_out), np.concatenate(cols_out)


# ------------------------------------------------------------------------------------------
# Proposals
# ------------------------------------------------------------------------------------------
@dataclass
class SitingResult:
    """Proposed new sites.

    Attributes
    ----------
    sites : GeoDataFrame
        Chosen candidates in pick order: ``rank``, ``candidate`` (id), ``gain`` (demand newly
        covered by this site, after the sites before it), ``cumulative``.
    method : str
        ``ilp`` (exact, scipy milp/HiGHS) or ``greedy``.
    optimal : bool
        True when the solver proved the choice optimal.
    demand_total, covered_before, covered_after : float
        Total demand, demand covered by existing facilities, and after adding the sites.
    radius : float
    note : str
    """

    sites: gpd.GeoDataFrame
    method: str
    optimal: bool
    demand_total: float
    covered_before: float
    covered_after: float
    radius: float
    n_requested: int
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def gains(self) -> list[float]:
        """The demand each site adds, in pick order."""
        return [float(g) for g in self.sites["gain"]]

    def to_dict(self) -> dict[str, Any]:
        """Plain-data summary, JSON-ready."""
        share = (lambda v: v / self.demand_total if self.demand_total > 0 else None)
        return {
            "method": self.method,
            "optimal": self.optimal,
            "n_requested": self.n_requested,
            "n_proposed": len(self.sites),
            "radius_m": self.radius,
            "demand_total": self.demand_total,
            "covered_before": self.covered_before,
            "covered_after": self.covered_after,
            "share_before": share(self.covered_before),
            "share_after": share(self.covered_after),
            "sites": [
                {"rank": int(r.rank), "candidate": str(r.candidate), "gain": float(r.gain),
                 "x": float(r.geometry.x), "y": float(r.geometry.y)}
                for r in self.sites.itertuples()
            ],
            "note": self.note,
            **self.extra,
        }


def propose_sites(
    existing: gpd.GeoDataFrame | None,
    candidates: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame | PopulationInput | str,
    radius: float | np.ndarray,
    n: int,
    method: str = "auto",
    *,
    network=None,
    time_limit: float = 60.0,
    candidate_id_field: str = "candidate",
    crs: object = None,
) -> SitingResult:
    """Propose ``n`` new sites among ``candidates`` that cover the most uncovered population.

    Parameters
    ----------
    existing : GeoDataFrame of points or None
        Facilities kept fixed (already filtered to those in service); what they cover counts as
        covered before.
    candidates : GeoDataFrame of points
        Possible new sites (e.g. :func:`candidates_along` the roads).
    population : GeoDataFrame of points with a population column, PopulationInput or GeoTIFF
    radius : float or ndarray
        Service radius (m), or one radius per population point.
    n : int
        Number of new sites.
    method : {"auto", "ilp", "greedy"}
    network : RoadNetwork, optional
        Walking distances on this network instead of straight lines.
    time_limit : float
        Seconds for the ILP solver.
    crs : CRS-like, optional
        The metric CRS to compute in (default: the network's, else the population's, else
        EPSG:4550).

    Returns
    -------
    SitingResult

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, shapely
    >>> pts = lambda xy: gpd.GeoDataFrame(geometry=[shapely.Point(p) for p in xy], crs="EPSG:4550")
    >>> people = pts([(0, 0), (1000, 0), (1010, 0)]).assign(population=[5, 2, 2])
    >>> res = propose_sites(None, pts([(0, 10), (1005, 0)]), people, 100.0, 1)
    >>> res.sites["candidate"].tolist(), res.covered_after
    (['0'], 5.0)
    """
    if crs is None:
        crs = network.crs if network is not None else getattr(population, "crs", None) \
            or PROJECT_CRS
    pop = load_population(population, crs=crs)
    if pop is None:
        raise BadInput("site proposals need population (raster or points)")
    cand = require_geometry(as_work(candidates, crs, what="candidates"), POINT, what="candidates")
    cxy = shapely.get_coordinates(cand.geometry.values)
    dxy = pop.xy
    w = pop.weight
    r = np.broadcast_to(np.asarray(radius, dtype="float64"), (len(w),))
    before = np.zeros(len(w), dtype=bool)
    if existing is not None and len(existing):
        ex = require_geometry(as_work(existing, crs, what="existing facilities"), POINT,
                              what="existing facilities")
        exy = shapely.get_coordinates(ex.geometry.values)
        ecov = coverage_matrix(dxy, exy, r, network=network)
        before = np.diff(ecov.indptr) > 0
    todo = np.flatnonzero(~before)
    cover = coverage_matrix(dxy[todo], cxy, r[todo], network=network)
    sol = solve_mclp(cover, w[todo], int(n), method=method, time_limit=time_limit)
    ids = cand[candidate_id_field].astype(str).to_numpy() if candidate_id_field in cand.columns \
        else np.asarray([str(i) for i in cand.index], dtype=object)
    chosen = np.asarray(sol.chosen, dtype=np.int64)
    sites = gpd.GeoDataFrame(
        {"rank": np.arange(1, len(chosen) + 1), "candidate": ids[chosen] if len(chosen) else
         np.zeros(0, dtype=object), "gain": np.asarray(sol.gains, dtype="float64"),
         "cumulative": np.cumsum(np.asarray(sol.gains, dtype="float64"))},
        geometry=cand.geometry.values[chosen] if len(chosen) else
        gpd.GeoSeries([], crs=crs).values, crs=crs)
    covered_before = float(w[before].sum())
    return SitingResult(
        sites=sites, method=sol.method, optimal=sol.optimal, demand_total=float(w.sum()),
        covered_before=covered_before, covered_after=covered_before + sol.total,
        radius=float(np.max(r)) if len(r) else float(np.asarray(radius).max()),
        n_requested=int(n), note=sol.note)
