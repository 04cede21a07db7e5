"""A walkable road network: noding, components, attachment and multi-source distances.

The network is built from any line layer in a metric CRS with numpy/shapely 2 array operations
(no per-feature Python loops). Two ways to join lines (``noding``):

* ``crossings`` - lines drawn in CAD, crossing without shared vertices: segment end points closer
  than ``tolerance`` are snapped into one node (k-d tree pairs + connected components); segments
  that cross without a shared vertex, and end points that touch (or nearly touch, within
  ``tolerance``) the inside of another segment, are noded (candidate pairs from an STRtree of
  tolerance-expanded boxes, vectorised numpy tests);
* ``vertices`` - lines join only where they share a vertex (OpenStreetMap, most survey data);
  nothing is snapped or noded.

``auto`` (the default) counts, among the places where two lines meet, those at a shared vertex
and those where they cross without one, and takes ``vertices`` when nine in ten meetings are at
shared vertices. Grade separation: a line's level comes from a level field, or from the
OpenStreetMap ``layer`` / ``bridge`` / ``tunnel`` attributes (``bridge`` without ``layer`` is 1,
``tunnel`` -1); lines on different levels never join except at end points. With a river layer,
road lines that cross the river without a ``bridge_id`` are cut at the river (reported, and they
do not connect the banks): the banks connect only through bridges.

Points (facilities, population cells) attach to the nearest point on the nearest edge, not the
nearest node. Distances from many sources at once come from one
``scipy.sparse.csgraph.dijkstra(..., min_only=True, limit=cutoff)`` run in which every source is a
virtual node tied to both ends of its edge (weights: attachment distance + distance along the edge).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from .. import standards
from ..errors import BadInput
from ..schema import PROJECT_CRS
from .inputs import LINE, as_work, facility_ids, require_geometry

__all__ = [
    "FACILITY_MAX_SNAP",
    "LEVEL_FIELDS",
    "NODING_MODES",
    "Attachment",
    "NetworkReport",
    "NodeDistances",
    "RoadNetwork",
    "build_network",
]

#: Facilities farther than this from any road cannot be reached on the network (zlt-assets default).
FACILITY_MAX_SNAP = standards.FACILITY_MAX_SNAP

_EPS = 1e-9
#: How lines are joined: ``auto`` detects ``crossings`` (CAD) or ``vertices`` (OpenStreetMap).
NODING_MODES = ("auto", "crossings", "vertices")
#: Attributes read for grade separation when no level field is named (OpenStreetMap tags).
LEVEL_FIELDS = ("layer", "bridge", "tunnel")
#: ``auto`` takes ``vertices`` when at least this share of meetings are at shared vertices.
VERTEX_SHARE_FOR_AUTO = 0.9


# ------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------
def _points_frame(xy: np.ndarray, crs: object = PROJECT_CRS, **columns: Any) -> gpd.GeoDataFrame:
    xy = np.asarray(xy, dtype="float64").reshape(-1, 2)
    return gpd.GeoDataFrame(dict(columns), geometry=shapely.points(xy) if len(xy) else
                            gpd.GeoSeries([], crs=crs).values, crs=crs)


@dataclass
class NetworkReport:
    """What building the network found.

    Attributes
    ----------
    n_nodes, n_edges : int
        Size of the noded graph (an edge is a straight piece between two nodes).
    n_components : int
        Connected components.
    component_sizes : list of int
        Nodes per component, largest first.
    component_lengths_m : list of float
        Total edge length per component, in the order of ``component_sizes``.
    total_length_m : float
        Length of all edges.
    dangles : GeoDataFrame
        Nodes with one edge (dead ends, and loose ends of lines that stop short).
    noded_crossings : GeoDataFrame
        Where the builder split a line where it had no vertex; ``kind`` is ``crossing`` (two lines
        cross) or ``junction`` (an end touches, or stops within the tolerance of, another line).
    river_crossings : GeoDataFrame
        Where a road without ``bridge_id`` crosses the river: cut there (only bridges connect the
        banks). Empty when no river was given.
    snapped_endpoints : int
        Distinct end points merged with a neighbour within the tolerance.
    tolerance_m : float
        The snapping tolerance used (0 with ``vertices`` noding).
    noding : str
        ``crossings`` or ``vertices``: how lines were joined.
    noding_detected : bool
        True when ``noding`` was detected (``auto``), False when it was asked for.
    meetings_at_vertices, meetings_crossing : int
        Places where two lines meet at a shared vertex, and where they cross without one (the
        counts ``auto`` decides on).
    level_source : str or None
        Where the levels came from (a field name, ``layer/bridge/tunnel``), None without levels.
    grade_separated : int
        Crossings (or shared vertices) not joined because the lines are on different levels.
    snapped : GeoDataFrame
        Where end points were snapped together (one point per merged node, ``members``).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (10, 0)]),
    ...                                    shapely.LineString([(5, -5), (5, 5)])],
    ...                          crs="EPSG:4550")
    >>> rep = build_network(roads, noding="crossings").report
    >>> rep.n_noded_crossings, rep.n_components, rep.noding
    (1, 1, 'crossings')
    """

    n_nodes: int
    n_edges: int
    n_components: int
    component_sizes: list[int]
    component_lengths_m: list[float]
    total_length_m: float
    dangles: gpd.GeoDataFrame
    noded_crossings: gpd.GeoDataFrame
    river_crossings: gpd.GeoDataFrame
    snapped_endpoints: int
    tolerance_m: float
    noding: str = "crossings"
    noding_detected: bool = False
    meetings_at_vertices: int = 0
    meetings_crossing: int = 0
    level_source: str | None = None
    grade_separated: int = 0
    snapped: gpd.GeoDataFrame | None = None

    @property
    def n_dangles(self) -> int:
        """Number of dead ends (nodes of degree 1)."""
        return len(self.dangles)

    @property
    def n_noded_crossings(self) -> int:
        """Number of places split or joined by the builder."""
        return len(self.noded_crossings)

    @property
    def n_river_crossings(self) -> int:
        """Number of river crossings without a bridge."""
        return len(self.river_crossings)

    @property
    def connected(self) -> bool:
        """True when the network is one component."""
        return self.n_components <= 1

    def to_dict(self) -> dict[str, Any]:
        """Plain-data summary (counts, component sizes), JSON-ready."""
        return {
            "n_nodes": self.n_nodes,
            "n_edges": self.n_edges,
            "n_components": self.n_components,
            "component_sizes": self.component_sizes[:20],
            "component_lengths_m": [round(v, 1) for v in self.component_lengths_m[:20]],
            "total_length_m": round(self.total_length_m, 1),
            "dangles": self.n_dangles,
            "noded_crossings": self.n_noded_crossings,
            "noded_crossings_by_kind": (self.noded_crossings["kind"].value_counts().to_dict()
                                        if self.n_noded_crossings else {}),
            "river_crossings_without_bridge": self.n_river_crossings,
            "snapped_endpoints": self.snapped_endpoints,
            "tolerance_m": self.tolerance_m,
            "noding": self.noding,
            "noding_detected": self.noding_detected,
            "meetings_at_vertices": self.meetings_at_vertices,
            "meetings_crossing": self.meetings_crossing,
            "junctions_created": int((self.noded_crossings["kind"] == "junction").sum())
            if self.n_noded_crossings else 0,
            "crossings_noded": int((self.noded_crossings["kind"] == "crossing").sum())
            if self.n_noded_crossings else 0,
            "level_source": self.level_source,
            "grade_separated": self.grade_separated,
        }

    def repairs_frame(self) -> gpd.GeoDataFrame:
        """Every place the builder joined lines that did not share a vertex (one layer).

        ``kind`` is ``snapped`` (end points merged within the tolerance), ``junction`` (an end
        joined to another line's inside) or ``crossing`` (two lines split where they cross).
        """
        frames = []
        crs = self.noded_crossings.crs
        if self.snapped is not None and len(self.snapped):
            frames.append(gpd.GeoDataFrame({"kind": "snapped",
                                            "members": self.snapped["members"].to_numpy()},
                                           geometry=self.snapped.geometry.values, crs=crs))
        if self.n_noded_crossings:
            frames.append(gpd.GeoDataFrame({"kind": self.noded_crossings["kind"].to_numpy(),
                                            "members": 2},
                                           geometry=self.noded_crossings.geometry.values,
                                           crs=crs))
        if not frames:
            return _points_frame(np.zeros((0, 2)), crs, kind=np.zeros(0, dtype=object),
                                 members=np.zeros(0, dtype=np.int64))
        return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                                crs=crs)


# ------------------------------------------------------------------------------------------
# Attachment and distances
# ------------------------------------------------------------------------------------------
@dataclass
class Attachment:
    """Points attached to the nearest point on the nearest edge.

    Attributes
    ----------
    edge : ndarray of int
        Edge index (-1 where the point could not be attached within ``max_snap``).
    along : ndarray of float
        Distance from the edge's first node (``u``) to the attachment point.
    distance : ndarray of float
        Straight distance from the point to its attachment point (inf when not attached).
    x, y : ndarray of float
        The attachment point.
    ok : ndarray of bool
        Attached within ``max_snap``.
    """

    edge: np.ndarray
    along: np.ndarray
    distance: np.ndarray
    x: np.ndarray
    y: np.ndarray
    ok: np.ndarray

    def __len__(self) -> int:
        return len(self.edge)

    def to_frame(self) -> pd.DataFrame:
        """The attachment as a table, one row per point."""
        return pd.DataFrame({"edge": self.edge, "along": self.along, "distance": self.distance,
                             "x": self.x, "y": self.y, "ok": self.ok})


@dataclass
class NodeDistances:
    """Result of a multi-source search: per node, the nearest source and its distance.

    Attributes
    ----------
    dist : ndarray of float
        Walking distance from the nearest source to each node (inf beyond ``cutoff``); it includes
        the source's own attachment distance.
    source : ndarray of int
        Position (row number in the sources frame) of the nearest source; -1 beyond ``cutoff``.
    sources : Attachment
        The sources' attachment.
    source_ids : ndarray
        Ids of the sources (``obj_id`` or index), by position.
    unreachable : list
        Ids of sources that could not be attached (farther than ``max_snap`` from every edge).
    cutoff : float
        Search limit (m).
    """

    dist: np.ndarray
    source: np.ndarray
    sources: Attachment
    source_ids: np.ndarray
    unreachable: list
    cutoff: float
    network: RoadNetwork = field(repr=False)

    def at(self, att: Attachment) -> tuple[np.ndarray, np.ndarray]:
        """Walking distance and nearest source for attached points.

        distance = point-to-attachment + along the network + the source's attachment distance;
        inf (and source -1) beyond ``cutoff`` or for points not attached.
        """
        net = self.network
        n = len(att)
        dist = np.full(n, np.inf)
        src = np.full(n, -1, dtype=np.int64)
        ok = att.ok
        if not ok.any():
            return dist, src
        # all attached (the usual case): a full slice instead of a boolean mask (no copies)
        ok = slice(None) if ok.all() else ok
        e = att.edge[ok]
        u, v, length = net.edge_u[e], net.edge_v[e], net.edge_len[e]
        along = att.along[ok]
        du = self.dist[u] + along
        dv = self.dist[v] + (length - along)
        use_u = du <= dv
        d = np.where(use_u, du, dv)
        s = np.where(use_u, self.source[u], self.source[v])
        # sources on the same edge: straight along the edge, without going through a node
        d, s = self._same_edge(e, along, d, s)
        d = d + att.distance[ok]
        far = ~(d <= self.cutoff)
        d[far] = np.inf
        s[far] = -1
        dist[ok] = d
        src[ok] = s
        return dist, src

    def _same_edge(self, e: np.ndarray, along: np.ndarray, d: np.ndarray,
                   s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sa = self.sources
        good = np.flatnonzero(sa.ok)
        if not len(good):
            return d, s
        order = good[np.argsort(sa.edge[good], kind="stable")]
        sedges = sa.edge[order]
        lo = np.searchsorted(sedges, e, side="left")
        hi = np.searchsorted(sedges, e, side="right")
        count = hi - lo
        if not count.any():
            return d, s
        d = d.copy()
        s = s.copy()
        for k in range(int(count.max())):
            m = count > k
            idx = order[lo[m] + k]
            cand = np.abs(along[m] - sa.along[idx]) + sa.distance[idx]
            better = cand < d[m]
            rows = np.flatnonzero(m)[better]
            d[rows] = cand[better]
            s[rows] = idx[better]
        return d, s


# ------------------------------------------------------------------------------------------
# The network
# ------------------------------------------------------------------------------------------
@dataclass
class RoadNetwork:
    """A noded road network (EPSG:4550). Build it with :func:`build_network`.

    Attributes
    ----------
    node_xy : ndarray (n_nodes, 2)
    edge_u, edge_v : ndarray of int
        End nodes of each edge (an edge is a straight piece).
    edge_len : ndarray of float
    edge_road : ndarray of int
        Row position, in the roads frame given to :func:`build_network`, of the road each edge
        comes from.
    component : ndarray of int
        Component label per node (0 = the largest).
    report : NetworkReport
    roads : GeoDataFrame
        The roads (in the network's CRS), for edge attributes.
    crs : CRS-like
        The metric CRS of the coordinates.
    """

    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_len: np.ndarray
    edge_road: np.ndarray
    component: np.ndarray
    report: NetworkReport
    roads: gpd.GeoDataFrame = field(repr=False)
    _graph: sparse.csr_matrix = field(repr=False, default=None)  # type: ignore[assignment]
    crs: object = PROJECT_CRS

    @property
    def crs_obj(self) -> Any:
        """The network's CRS as a :class:`pyproj.CRS`."""
        from pyproj import CRS

        return CRS.from_user_input(self.crs)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        """Number of edges (straight pieces)."""
        return len(self.edge_u)

    @cached_property
    def edge_geoms(self) -> np.ndarray:
        """Each edge as a two-point LineString."""
        a = self.node_xy[self.edge_u]
        b = self.node_xy[self.edge_v]
        return shapely.linestrings(np.stack([a, b], axis=1))

    @cached_property
    def _tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.edge_geoms)

    def edges_frame(self, columns: tuple[str, ...] = ("name", "road_class", "bridge_id")
                    ) -> gpd.GeoDataFrame:
        """The edges as a GeoDataFrame (u, v, length_m, component and road attributes)."""
        data: dict[str, Any] = {"u": self.edge_u, "v": self.edge_v, "length_m": self.edge_len,
                                "component": self.component[self.edge_u]}
        for c in columns:
            if c in self.roads.columns:
                data[c] = self.roads[c].to_numpy()[self.edge_road]
        return gpd.GeoDataFrame(data, geometry=self.edge_geoms, crs=self.crs)

    def edge_attribute(self, column: str) -> np.ndarray:
        """A road attribute per edge (object array; None when the roads lack the column)."""
        if column not in self.roads.columns:
            return np.full(self.n_edges, None, dtype=object)
        return self.roads[column].to_numpy()[self.edge_road]

    # -------------------------------------------------------------- attachment
    @cached_property
    def _bucket_size(self) -> float:
        """Bucket side B: about half the median edge length (5 m to 250 m)."""
        med = float(np.median(self.edge_len)) if self.n_edges else 1.0
        span = np.ptp(self.node_xy, axis=0) if self.n_nodes else np.ones(2)
        typical = float(np.sqrt(max(span[0] * span[1], 1.0) / max(self.n_edges, 1)))
        return float(min(250.0, max(5.0, med / 2.0, typical / 2.0)))

    def _buckets(self, size: float) -> tuple[float, float, int, int, np.ndarray, np.ndarray,
                                             np.ndarray]:
        """Square buckets of side ``size`` listing the edges within ``size`` of them.

        Long edges are cut into pieces of at most ``size`` for the listing, so a bucket list
        stays short whatever the edge lengths. Cached per size.
        """
        cache = self.__dict__.setdefault("_bucket_cache", {})
        if size in cache:
            return cache[size]
        pieces = np.maximum(1, np.ceil(self.edge_len / size).astype(np.int64))
        pe = np.repeat(np.arange(self.n_edges), pieces)
        k = np.arange(len(pe)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        a = self.node_xy[self.edge_u][pe]
        d = (self.node_xy[self.edge_v] - self.node_xy[self.edge_u])[pe]
        p0 = a + d * (k / pieces[pe])[:, None]
        p1 = a + d * ((k + 1) / pieces[pe])[:, None]
        lo = np.minimum(p0, p1) - size
        hi = np.maximum(p0, p1) + size
        ox, oy = float(lo[:, 0].min()), float(lo[:, 1].min())
        i0 = np.floor((lo[:, 0] - ox) / size).astype(np.int64)
        i1 = np.floor((hi[:, 0] - ox) / size).astype(np.int64)
        j0 = np.floor((lo[:, 1] - oy) / size).astype(np.int64)
        j1 = np.floor((hi[:, 1] - oy) / size).astype(np.int64)
        ni = i1 - i0 + 1
        nj = j1 - j0 + 1
        ncols = int(i1.max()) + 1
        nrows = int(j1.max()) + 1
        # every (piece, bucket row), then every bucket of that row: each run of consecutive
        # keys is a repeat of its first key plus a running number (no division, few passes)
        ne = np.int64(max(self.n_edges, 1))
        off_j = np.cumsum(nj) - nj
        r1_total = int(nj.sum())
        jj = np.repeat(j0 - off_j, nj) + np.arange(r1_total)
        row_key = jj * ncols + np.repeat(i0, nj)
        nir = np.repeat(ni, nj)
        off_i = np.cumsum(nir) - nir
        # value = bucket key * n_edges + edge, so that one sort orders by bucket, then edge
        val = np.repeat((row_key - off_i) * ne + np.repeat(pe, nj), nir)
        run = np.arange(len(val), dtype=np.int64)
        run *= ne
        val += run
        del run
        val.sort()
        keep = np.empty(len(val), dtype=bool)
        keep[:1] = True
        np.not_equal(val[1:], val[:-1], out=keep[1:])
        pair = val[keep]
        key, edge = pair // ne, pair % ne
        counts = np.bincount(key, minlength=ncols * nrows)
        first = np.cumsum(counts) - counts
        cache[size] = (ox, oy, ncols, nrows, first, counts, edge)
        return cache[size]

    @cached_property
    def _edge_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per edge: first node x, y, direction dx, dy and squared length (1 where zero)."""
        ax, ay = self.node_xy[self.edge_u].T
        dx, dy = (self.node_xy[self.edge_v] - self.node_xy[self.edge_u]).T
        ll = dx * dx + dy * dy
        ll = np.where(ll > 0, ll, 1.0)
        return (np.ascontiguousarray(ax), np.ascontiguousarray(ay), np.ascontiguousarray(dx),
                np.ascontiguousarray(dy), ll)

    def _nearest_in_buckets(self, xy: np.ndarray, size: float, ring: int = 0
                            ) -> tuple[np.ndarray, np.ndarray]:
        """Best edge among those listed for each point's bucket (and, with ``ring`` = 1, the
        8 buckets around it), and its distance.

        A bucket lists every edge within ``size`` of it, so the answer is exact when the best
        distance is within ``size`` (own bucket) or ``2 * size`` (with the ring). The bucket
        index is built once per network and size (cached on the network).
        """
        ox, oy, ncols, nrows, first, counts, bedge = self._buckets(size)
        n = len(xy)
        best_d = np.full(n, np.inf)
        best_e = np.full(n, -1, dtype=np.int64)
        bi = np.floor((xy[:, 0] - ox) / size)
        bj = np.floor((xy[:, 1] - oy) / size)
        offsets = [(0, 0)] + ([(di, dj) for dj in (-1, 0, 1) for di in (-1, 0, 1)
                               if (di, dj) != (0, 0)] if ring else [])
        for di, dj in offsets:
            ci, cj = bi + di, bj + dj
            inside = (ci >= 0) & (ci < ncols) & (cj >= 0) & (cj < nrows)
            pkey = np.where(inside, cj * ncols + ci, 0).astype(np.int64)
            count = np.where(inside, counts[pkey], 0)
            self._scan(xy, first[pkey], count, bedge, best_d, best_e)
        return best_e, best_d

    def _scan(self, xy: np.ndarray, start: np.ndarray, count: np.ndarray, bedge: np.ndarray,
              best_d: np.ndarray, best_e: np.ndarray) -> None:
        """Compare each point with the edges ``bedge[start:start + count]`` (in place).

        Points are processed in order of decreasing list length, one list position per numpy
        pass; a candidate replaces the best only when strictly nearer, so the first of equally
        near edges wins.
        """
        n = len(xy)
        if not n or not count.any():
            return
        # a stable sort of small integers (radix sort)
        negc = -count.astype(np.int64)
        negc = negc.astype(np.int16) if count.max() < 2 ** 15 else negc
        order = np.argsort(negc, kind="stable")
        cs = count[order]
        st = start[order]
        px = xy[order, 0]
        py = xy[order, 1]
        bd = best_d[order]
        be = best_e[order]
        ax, ay, dx, dy, ll = self._edge_arrays
        neg = -cs
        buf = [np.empty(n) for _ in range(6)]
        ce_buf = np.empty(n, dtype=np.int64)
        better_buf = np.empty(n, dtype=bool)
        for s in range(int(cs[0])):
            m = int(np.searchsorted(neg, -s, side="left"))  # points with count > s
            ce = np.add(st[:m], s, out=ce_buf[:m])
            np.take(bedge, ce, out=ce)
            rx, ry, ddx, ddy, t, w = (b[:m] for b in buf)
            np.take(ax, ce, out=rx)
            np.subtract(px[:m], rx, out=rx)            # x - x0
            np.take(ay, ce, out=ry)
            np.subtract(py[:m], ry, out=ry)            # y - y0
            np.take(dx, ce, out=ddx)
            np.take(dy, ce, out=ddy)
            np.multiply(rx, ddx, out=t)
            np.multiply(ry, ddy, out=w)
            np.add(t, w, out=t)
            np.take(ll, ce, out=w)
            np.divide(t, w, out=t)
            np.clip(t, 0.0, 1.0, out=t)
            np.multiply(ddx, t, out=w)
            np.subtract(rx, w, out=rx)                 # x - x0 - ddx * t
            np.multiply(ddy, t, out=w)
            np.subtract(ry, w, out=ry)                 # y - y0 - ddy * t
            d = np.hypot(rx, ry, out=rx)
            better = np.less(d, bd[:m], out=better_buf[:m])
            np.copyto(bd[:m], d, where=better)
            np.copyto(be[:m], ce, where=better)
        best_d[order] = bd
        best_e[order] = be

    def _nearest_edge(self, xy: np.ndarray) -> np.ndarray:
        """Exact nearest edge per point.

        Each point is compared with the edges listed for its bucket (all edges within B of the
        bucket); the answer is exact when the best of them is within B. Points farther than B
        from every edge compare with the lists of the 8 buckets around too (exact within 2B);
        the few left get an exact STRtree nearest search.
        """
        size = self._bucket_size
        out, dist = self._nearest_in_buckets(xy, size)
        far = np.flatnonzero(~(dist <= size))
        if len(far):
            e2, d2 = self._nearest_in_buckets(xy[far], size, ring=1)
            out[far] = e2
            far = far[~(d2 <= 2 * size)]
        if len(far):
            res = self._tree.query_nearest(shapely.points(xy[far]), all_matches=False)
            out[far[res[0]]] = res[1]
        return out

    def attach_xy(self, xy: np.ndarray, max_snap: float | None = None) -> Attachment:
        """Attach coordinates (n, 2) to the nearest point on the nearest edge."""
        xy = np.asarray(xy, dtype="float64").reshape(-1, 2)
        n = len(xy)
        edge = np.full(n, -1, dtype=np.int64)
        if n and self.n_edges:
            edge = self._nearest_edge(xy)
        ok = edge >= 0
        along = np.zeros(n)
        dist = np.full(n, np.inf)
        ax = np.full(n, np.nan)
        ay = np.full(n, np.nan)
        if ok.any():
            sel = slice(None) if ok.all() else ok  # all attached: no boolean copies
            e = edge[sel]
            a = self.node_xy[self.edge_u[e]]
            b = self.node_xy[self.edge_v[e]]
            p = xy[sel]
            t, d = _project(p, a, b)
            q = a + (b - a) * t[:, None]
            along[sel] = t * self.edge_len[e]
            dist[sel] = d
            ax[sel] = q[:, 0]
            ay[sel] = q[:, 1]
        if max_snap is not None:
            ok = ok & (dist <= max_snap)
            edge = np.where(ok, edge, -1)
            dist = np.where(ok, dist, np.inf)
        return Attachment(edge=edge, along=along, distance=dist, x=ax, y=ay, ok=ok)

    def attach(self, points: gpd.GeoDataFrame | np.ndarray,
               max_snap: float | None = None) -> Attachment:
        """Attach points to the nearest point on the nearest edge (not the nearest node).

        Parameters
        ----------
        points : GeoDataFrame of points (EPSG:4550) or ndarray (n, 2)
        max_snap : float, optional
            Points farther than this from every edge are not attached (``ok`` False).

        Returns
        -------
        Attachment
        """
        if isinstance(points, gpd.GeoDataFrame):
            points = as_work(points, self.crs, what="points")
            xy = shapely.get_coordinates(points.geometry.values)
            if len(xy) != len(points):
                raise BadInput("points to attach must be single points (one coordinate each)")
        else:
            xy = np.asarray(points, dtype="float64")
        return self.attach_xy(xy, max_snap=max_snap)

    # -------------------------------------------------------------- search
    @property
    def graph(self) -> sparse.csr_matrix:
        """Symmetric sparse adjacency matrix (shortest parallel edge kept)."""
        if self._graph is None:
            self._graph = _adjacency(self.edge_u, self.edge_v, self.edge_len, self.n_nodes)
        return self._graph

    def distances_from(self, sources: gpd.GeoDataFrame, cutoff: float = 500.0, *,
                       max_snap: float | None = None, id_field: str = "obj_id") -> NodeDistances:
        """Multi-source walking distances to every node, with a search limit.

        Every source becomes a virtual node tied to both ends of its edge (weights: attachment
        distance + distance along the edge to that end); one Dijkstra run from all virtual nodes
        (``min_only=True``, ``limit=cutoff``) gives each node's nearest source.

        Parameters
        ----------
        sources : GeoDataFrame of points (EPSG:4550)
        cutoff : float
            Search limit in metres; nodes farther than this get inf.
        max_snap : float, optional
            Sources farther than this from every edge are unreachable (default
            :data:`FACILITY_MAX_SNAP`).
        id_field : str
            Column with the source ids (default ``obj_id``; else the index).

        Returns
        -------
        NodeDistances
        """
        if max_snap is None:
            max_snap = float(FACILITY_MAX_SNAP.value)
        if isinstance(sources, gpd.GeoDataFrame):
            ids = facility_ids(sources, id_field)
        else:
            ids = np.asarray([str(i) for i in range(len(sources))], dtype=object)
        att = self.attach(sources, max_snap=max_snap)
        return self._search(att, ids, float(cutoff))

    def _search(self, att: Attachment, ids: np.ndarray, cutoff: float) -> NodeDistances:
        n = self.n_nodes
        good = np.flatnonzero(att.ok)
        unreachable = [ids[i] for i in np.flatnonzero(~att.ok)]
        if not len(good):
            return NodeDistances(np.full(n, np.inf), np.full(n, -1, dtype=np.int64), att, ids,
                                 unreachable, cutoff, self)
        f = len(good)
        e = att.edge[good]
        virt = n + np.arange(f)
        wu = att.distance[good] + att.along[good]
        wv = att.distance[good] + (self.edge_len[e] - att.along[good])
        base = self.graph.tocoo()
        rows = np.concatenate([base.row, virt, virt])
        cols = np.concatenate([base.col, self.edge_u[e], self.edge_v[e]])
        vals = np.concatenate([base.data, np.maximum(wu, _EPS), np.maximum(wv, _EPS)])
        g = sparse.csr_matrix((vals, (rows, cols)), shape=(n + f, n + f))
        dist, _pred, src = csgraph.dijkstra(g, directed=True, indices=virt, limit=cutoff,
                                            min_only=True, return_predecessors=True)
        dist = dist[:n]
        src = src[:n].astype(np.int64)
        has = src >= 0
        source = np.full(n, -1, dtype=np.int64)
        source[has] = good[src[has] - n]
        dist = np.where(has, dist, np.inf)
        return NodeDistances(dist, source, att, ids, unreachable, cutoff, self)

    def distances_between(self, points: gpd.GeoDataFrame | np.ndarray,
                          sources: gpd.GeoDataFrame, cutoff: float = 500.0, *,
                          max_snap: float | None = None, point_max_snap: float | None = None,
                          ) -> tuple[np.ndarray, np.ndarray, NodeDistances]:
        """Walking distance from each point to its nearest source (inf beyond ``cutoff``).

        Returns ``(distance, source position, NodeDistances)``.
        """
        nd = self.distances_from(sources, cutoff, max_snap=max_snap)
        att = self.attach(points, max_snap=point_max_snap)
        d, s = nd.at(att)
        return d, s, nd


# ------------------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------------------
def _adjacency(u: np.ndarray, v: np.ndarray, length: np.ndarray, n: int) -> sparse.csr_matrix:
    keep = u != v
    u, v, length = u[keep], v[keep], length[keep]
    lo = np.minimum(u, v)
    hi = np.maximum(u, v)
    order = np.lexsort((length, hi, lo))
    lo, hi, length = lo[order], hi[order], length[order]
    first = np.ones(len(lo), dtype=bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    lo, hi, length = lo[first], hi[first], np.maximum(length[first], _EPS)
    rows = np.concatenate([lo, hi])
    cols = np.concatenate([hi, lo])
    vals = np.concatenate([length, length])
    return sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))


def _cluster(points: np.ndarray, tol: float) -> tuple[np.ndarray, int]:
    """Label points so that points within ``tol`` (transitively) share a label."""
    n = len(points)
    if n == 0:
        return np.zeros(0, dtype=np.int64), 0
    if tol <= 0:
        return np.arange(n), n
    # pairs within tol from an STRtree of the points (shapely is loaded anyway; scipy.spatial
    # would cost a second of imports on its own)
    pts = shapely.points(points)
    i, j = shapely.STRtree(pts).query(pts, predicate="dwithin", distance=tol)
    keep = i < j
    pairs = np.stack([i[keep], j[keep]], axis=1)
    if not len(pairs):
        return np.arange(n), n
    adj = sparse.coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])),
                            shape=(n, n))
    k, lab = csgraph.connected_components(adj, directed=False)
    return lab.astype(np.int64), int(k)


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]


def _project(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parameter t in [0, 1] of the nearest point of segments a-b to p, and the distance."""
    ab = b - a
    ll = np.einsum("ij,ij->i", ab, ab)
    t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.where(ll > 0, ll, 1.0), 0.0, 1.0)
    q = a + ab * t[:, None]
    return t, np.hypot(p[:, 0] - q[:, 0], p[:, 1] - q[:, 1])


def _cut_river(geoms: np.ndarray, roads: gpd.GeoDataFrame, river: gpd.GeoDataFrame | None,
               tol: float, crs: object) -> tuple[np.ndarray, gpd.GeoDataFrame]:
    empty = _points_frame(np.zeros((0, 2)), crs, road=np.zeros(0, dtype=np.int64))
    if river is None:
        return geoms, empty
    river = as_work(river, crs, what="river")
    rg = river.geometry.values
    rg = rg[~(shapely.is_missing(rg) | shapely.is_empty(rg))]
    if not len(rg):
        return geoms, empty
    rgeom = shapely.union_all(rg)
    if "bridge_id" in roads.columns:
        bid = roads["bridge_id"].astype(object).to_numpy()
        bridge = np.array([b is not None and not (isinstance(b, float) and np.isnan(b))
                           and str(b).strip() not in ("", "nan", "<NA>", "None") for b in bid])
    else:
        bridge = np.zeros(len(roads), dtype=bool)
    shapely.prepare(rgeom)
    cand = np.flatnonzero(~bridge & shapely.intersects(geoms, rgeom))
    if not len(cand):
        return geoms, empty
    inter = shapely.intersection(geoms[cand], shapely.boundary(rgeom)
                                 if shapely.get_dimensions(rgeom) == 2 else rgeom)
    parts, idx = shapely.get_parts(inter, return_index=True)
    pts = shapely.get_coordinates(shapely.point_on_surface(parts)) if len(parts) else \
        np.zeros((0, 2))
    report = _points_frame(pts, crs,
                           road=cand[idx] if len(parts) else np.zeros(0, dtype=np.int64))
    cutter = shapely.buffer(rgeom, max(tol, 0.5) * 2.0)
    out = geoms.copy()
    out[cand] = shapely.difference(geoms[cand], cutter)
    return out, report


def _levels(roads: gpd.GeoDataFrame, level_field: str | None) -> tuple[np.ndarray | None,
                                                                       str | None]:
    """Level per road (int), and where it came from; (None, None) when nothing tells levels."""
    n = len(roads)
    if level_field:
        if level_field not in roads.columns:
            raise BadInput(f"roads: no {level_field!r} column for {{option}} (columns: "
                           f"{', '.join(str(c) for c in roads.columns if c != roads.geometry.name)})",
                           zh=f"道路图层没有 {level_field!r} 字段({{option}})",
                           option="level_field")
        v = pd.to_numeric(roads[level_field], errors="coerce").to_numpy(dtype="float64")
        if np.isnan(v).all() and roads[level_field].notna().any():
            raise BadInput(f"roads: {{option}} column {level_field!r} is not numeric",
                           zh=f"{{option}} 字段 {level_field!r} 不是数值", option="level_field")
        return np.rint(np.nan_to_num(v, nan=0.0)).astype(np.int64), level_field
    present = [c for c in LEVEL_FIELDS if c in roads.columns]
    if not present and "other_tags" in roads.columns:
        # GDAL's OpenStreetMap driver keeps layer/bridge/tunnel in an hstore-like text column
        tags = roads["other_tags"].astype(object).where(roads["other_tags"].notna(), "")
        roads = roads[[]].copy()
        for c in LEVEL_FIELDS:
            roads[c] = tags.astype(str).str.extract(rf'"{c}"=>"([^"]*)"', expand=False)
        present = [c for c in LEVEL_FIELDS if roads[c].notna().any()]
        if not present:
            return None, None
        present = [f"other_tags:{c}" for c in present]
    if not present:
        return None, None
    level = np.zeros(n, dtype=np.int64)
    has_layer = np.zeros(n, dtype=bool)
    if "layer" in roads.columns:
        lay = pd.to_numeric(roads["layer"], errors="coerce").to_numpy(dtype="float64")
        has_layer = np.isfinite(lay)
        level[has_layer] = np.rint(lay[has_layer]).astype(np.int64)
    for col, value in (("bridge", 1), ("tunnel", -1)):
        if col in roads.columns:
            flag = roads[col].astype(object).map(_is_yes).to_numpy(dtype=bool)
            level[flag & ~has_layer] = value
    return level, "/".join(present)


def _is_yes(v: object) -> bool:
    """OpenStreetMap truthiness of ``bridge`` / ``tunnel`` (``yes``, ``viaduct``, 1 ...)."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return False
    t = str(v).strip().lower()
    return t not in ("", "no", "0", "false", "nan", "none", "<na>")


def build_network(roads: gpd.GeoDataFrame, tolerance: float | None = None,
                  river: gpd.GeoDataFrame | None = None, *, crs: object = PROJECT_CRS,
                  noding: str | None = None, level_field: str | None = None) -> RoadNetwork:
    """Build a noded, walkable network from a line layer.

    Parameters
    ----------
    roads : GeoDataFrame of LineString/MultiLineString
        Roads (any CRS; reprojected to ``crs``). A ``bridge_id`` column marks segments over the
        river; ``layer`` / ``bridge`` / ``tunnel`` (or ``level_field``) give levels.
    tolerance : float, optional
        Snapping tolerance in metres for ``crossings`` noding (default
        :data:`zlt_assets.standards.NETWORK_SNAP_TOLERANCE`): end points closer than this become
        one node; an end within this distance of another line is joined to it.
    river : GeoDataFrame, optional
        River lines (or polygons). Roads crossing it without ``bridge_id`` are cut there and
        reported; only bridges connect the banks.
    crs : CRS-like
        The metric CRS to build in (default EPSG:4550).
    noding : {"auto", "crossings", "vertices"}, optional
        How lines join (default ``auto``: detected, and reported in ``report.noding``).
    level_field : str, optional
        A numeric column giving each line's level; lines on different levels join only at end
        points. Default: OpenStreetMap ``layer``/``bridge``/``tunnel`` when present.

    Returns
    -------
    RoadNetwork

    Raises
    ------
    BadInput
        When the layer has no CRS, no lines, or other geometry types; bad options.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> roads = gpd.GeoDataFrame({"bridge": [None, "yes"]},
    ...     geometry=[shapely.LineString([(0, 0), (10, 0)]), shapely.LineString([(5, -5), (5, 5)])],
    ...     crs="EPSG:4550")
    >>> net = build_network(roads, noding="crossings")
    >>> net.report.n_components, net.report.grade_separated   # the bridge passes over
    (2, 1)
    """
    if tolerance is None:
        tolerance = float(standards.NETWORK_SNAP_TOLERANCE.value)
    tol = float(tolerance)
    if tol < 0:
        raise BadInput(f"{{option}} must be >= 0, got {tol}", zh=f"{{option}} 不能为负:{tol}",
                       option="snap_tolerance")
    mode = noding or "auto"
    if mode not in NODING_MODES:
        raise BadInput(f"{{option}} must be one of {', '.join(NODING_MODES)}, got {mode!r}",
                       zh=f"{{option}} 只能是 {'/'.join(NODING_MODES)}", option="noding")
    roads = as_work(roads, crs, what="roads")
    roads = require_geometry(roads, LINE, what="roads").reset_index(drop=True)
    road_level, level_source = _levels(roads, level_field)
    geoms = roads.geometry.values.to_numpy() if hasattr(roads.geometry.values, "to_numpy") \
        else np.asarray(roads.geometry.values)
    if shapely.has_z(geoms).any():  # force_2d copies every line: only when some have z
        geoms = np.asarray(shapely.force_2d(geoms))
    else:
        geoms = np.asarray(geoms)
    geoms, river_report = _cut_river(geoms, roads, river, tol, crs)

    # 1. straight segments, and which of their ends are ends of a line
    if (shapely.get_type_id(geoms) == 1).all():  # single lines: they are their own parts
        parts, part_src = geoms, np.arange(len(geoms))
    else:
        parts, part_src = shapely.get_parts(geoms, return_index=True)
    coords, cidx = shapely.get_coordinates(parts, return_index=True)
    if len(coords) < 2:
        raise BadInput("roads: no line with at least two points")
    same = cidx[:-1] == cidx[1:]
    first_c = np.r_[True, ~same]
    last_c = np.r_[~same, True]
    a = coords[:-1][same]
    b = coords[1:][same]
    a_end = first_c[:-1][same]
    b_end = last_c[1:][same]
    seg_road = part_src[cidx[:-1][same]]
    nz = (a != b).any(axis=1)
    a, b, seg_road, a_end, b_end = a[nz], b[nz], seg_road[nz], a_end[nz], b_end[nz]
    s = len(a)
    if s == 0:
        raise BadInput("roads: all lines have zero length")
    seg_level = road_level[seg_road] if road_level is not None else np.zeros(s, dtype=np.int64)

    # 2. unique vertices (one sort of x + iy, much faster than np.unique(axis=0))
    pts = np.ascontiguousarray(np.vstack([a, b]), dtype=np.float64)
    uc, inv = np.unique(pts.view(np.complex128).ravel(), return_inverse=True)
    uniq = np.column_stack([uc.real, uc.imag])
    inv = inv.reshape(-1)
    is_end = np.zeros(len(uniq), dtype=bool)
    is_end[inv[np.concatenate([a_end, b_end])]] = True
    # meetings at shared vertices: vertices used by two or more lines
    occ_road = np.concatenate([seg_road, seg_road])
    pair = np.unique(inv.astype(np.int64) * max(len(roads), 1) + occ_road)
    at_vertices = int((np.bincount(pair // max(len(roads), 1), minlength=len(uniq)) >= 2).sum())

    def nodes_for(lab: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, int]:
        """Node per segment end: the snapped cluster, split by level unless a line ends there."""
        occ = lab[inv]
        cl_end = np.zeros(k, dtype=bool)
        cl_end[lab[is_end]] = True
        occ_level = np.concatenate([seg_level, seg_level])
        key_level = np.where(cl_end[occ], np.iinfo(np.int64).min, occ_level)
        if road_level is None:
            node_of, xy_of = occ, lab
            sep = 0
        else:
            key = np.stack([occ, key_level], axis=1)
            ukey, node_of = np.unique(key, axis=0, return_inverse=True)
            node_of = node_of.reshape(-1)
            sep = int(len(ukey) - len(np.unique(ukey[:, 0])))
            xy_of = ukey[:, 0]
        _, first = np.unique(lab, return_index=True)
        cl_xy = uniq[first]
        return node_of, cl_xy[xy_of] if road_level is not None else cl_xy, sep

    def crossings_mode() -> tuple[Any, ...]:
        lab, k = _cluster(uniq, tol)
        node_of, node_xy, sep = nodes_for(lab, k)
        su, sv = node_of[:s], node_of[s:]
        keep = su != sv
        splits = _find_splits(node_xy[su[keep]], node_xy[sv[keep]], su[keep], sv[keep], tol,
                              len(node_xy), seg_level[keep])
        return lab, k, node_of, node_xy, sep, keep, splits

    detected = mode == "auto"
    crossing_meetings = 0
    cm = None
    if mode in ("auto", "crossings"):
        cm = crossings_mode()
        crossing_meetings = int(cm[6][5])
        if mode == "auto":
            total = at_vertices + crossing_meetings
            mode = "vertices" if total and at_vertices >= VERTEX_SHARE_FOR_AUTO * total \
                else "crossings"
    if mode == "crossings":
        assert cm is not None
        lab, k, node_of, node_xy, sep, keep, splits = cm
        snapped = len(uniq) - k
        size = np.bincount(lab, minlength=k)
        merged = np.flatnonzero(size > 1)
        _, first = np.unique(lab, return_index=True)
        snapped_frame = _points_frame(uniq[first][merged], crs, members=size[merged])
        used_tol = tol
    else:
        lab = np.arange(len(uniq))
        node_of, node_xy, sep = nodes_for(lab, len(uniq))
        keep = node_of[:s] != node_of[s:]
        splits = None
        snapped = 0
        snapped_frame = _points_frame(np.zeros((0, 2)), crs, members=np.zeros(0, dtype=np.int64))
        used_tol = 0.0
    su, sv, seg_road = node_of[:s][keep], node_of[s:][keep], seg_road[keep]
    s = len(su)

    # 3. node crossings and junctions (crossings mode only)
    if splits is not None:
        split_seg, split_t, (split_node, new_xy), kinds_xy, kinds, _n, grade_sep = splits
    else:
        split_seg, split_t = np.zeros(0, dtype=np.int64), np.zeros(0)
        split_node, new_xy = np.zeros(0, dtype=np.int64), np.zeros((0, 2))
        kinds_xy, kinds, grade_sep = np.zeros((0, 2)), [], 0
    if len(new_xy):
        node_xy = np.vstack([node_xy, new_xy])

    # 4. edges: consecutive split points along each segment
    segs = np.concatenate([np.arange(s), np.arange(s), split_seg])
    ts = np.concatenate([np.zeros(s), np.ones(s), split_t])
    nodes = np.concatenate([su, sv, split_node])
    order = np.lexsort((ts, segs))
    segs, nodes = segs[order], nodes[order]
    same = segs[1:] == segs[:-1]
    eu = nodes[:-1][same]
    ev = nodes[1:][same]
    er = seg_road[segs[:-1][same]]
    ok = eu != ev
    eu, ev, er = eu[ok], ev[ok], er[ok]
    # drop nodes that ended up unused, renumber
    used = np.zeros(len(node_xy), dtype=bool)
    used[eu] = True
    used[ev] = True
    remap = np.cumsum(used) - 1
    node_xy = node_xy[used]
    eu, ev = remap[eu], remap[ev]
    elen = np.hypot(*(node_xy[ev] - node_xy[eu]).T)

    n = len(node_xy)
    graph = _adjacency(eu, ev, elen, n)
    ncomp, comp = csgraph.connected_components(graph, directed=False)
    sizes = np.bincount(comp, minlength=ncomp)
    rank = np.argsort(-sizes, kind="stable")
    relabel = np.empty_like(rank)
    relabel[rank] = np.arange(ncomp)
    comp = relabel[comp]
    sizes = sizes[rank]
    clen = np.bincount(comp[eu], weights=elen, minlength=ncomp)
    deg = np.diff(graph.indptr)
    dangle_nodes = np.flatnonzero(deg == 1)
    report = NetworkReport(
        n_nodes=n, n_edges=len(eu), n_components=int(ncomp),
        component_sizes=[int(x) for x in sizes],
        component_lengths_m=[float(x) for x in clen],
        total_length_m=float(elen.sum()),
        dangles=_points_frame(node_xy[dangle_nodes], crs, node=dangle_nodes,
                              component=comp[dangle_nodes]),
        noded_crossings=_points_frame(kinds_xy, crs, kind=np.asarray(kinds, dtype=object)),
        river_crossings=river_report,
        snapped_endpoints=int(snapped),
        tolerance_m=used_tol,
        noding=mode, noding_detected=detected, meetings_at_vertices=at_vertices,
        meetings_crossing=crossing_meetings, level_source=level_source,
        grade_separated=int(sep + grade_sep), snapped=snapped_frame,
    )
    return RoadNetwork(node_xy=node_xy, edge_u=eu.astype(np.int64), edge_v=ev.astype(np.int64),
                       edge_len=elen, edge_road=er.astype(np.int64), component=comp,
                       report=report, roads=roads, _graph=graph, crs=crs)


def _find_splits(a: np.ndarray, b: np.ndarray, su: np.ndarray, sv: np.ndarray, tol: float,
                 n_nodes: int, level: np.ndarray | None = None) -> tuple[Any, ...]:
    """Where segments must be split: crossings (new nodes) and junctions (existing end nodes).

    Segments on different levels are never split against each other (their crossings are
    counted as grade-separated).

    Returns ``(seg, t, (node, new_node_xy), report_xy, report_kind, meetings, grade_separated)``
    where ``meetings`` counts the crossings and junctions found (places where lines meet without
    a shared vertex).
    """
    s = len(a)

    def empty(grade: int = 0) -> tuple[Any, ...]:
        return (np.zeros(0, dtype=np.int64), np.zeros(0), (np.zeros(0, dtype=np.int64),
                np.zeros((0, 2))), np.zeros((0, 2)), [], 0, grade)

    if s < 2:
        return empty()
    lo = np.minimum(a, b) - tol
    hi = np.maximum(a, b) + tol
    boxes = shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1])
    tree = shapely.STRtree(boxes)
    pi, pj = tree.query(boxes)
    m = pi < pj
    pi, pj = pi[m], pj[m]
    share = (su[pi] == su[pj]) | (su[pi] == sv[pj]) | (sv[pi] == su[pj]) | (sv[pi] == sv[pj])
    pi, pj = pi[~share], pj[~share]
    seg_len = np.hypot(*(b - a).T)
    grade = 0
    if level is not None and len(pi):
        other = level[pi] != level[pj]
        if other.any():
            oi, oj = pi[other], pj[other]
            grade = int(_proper_crossings(a, b, oi, oj, seg_len, tol).sum())
            pi, pj = pi[~other], pj[~other]

    out_seg: list[np.ndarray] = []
    out_t: list[np.ndarray] = []
    out_node: list[np.ndarray] = []
    rep_xy: list[np.ndarray] = []
    rep_kind: list[str] = []

    # junctions: an end point of one segment on (or within tol of) the inside of the other
    ends_done = np.zeros(0)
    junction_keys = []
    for p_seg, p_end, p_node, q_seg in (
        (pi, a, su, pj), (pi, b, sv, pj), (pj, a, su, pi), (pj, b, sv, pi),
    ):
        if not len(p_seg):
            continue
        p = p_end[p_seg]
        t, d = _project(p, a[q_seg], b[q_seg])
        along = t * seg_len[q_seg]
        hit = (d <= tol) & (along > tol) & (seg_len[q_seg] - along > tol)
        if hit.any():
            out_seg.append(q_seg[hit])
            out_t.append(t[hit])
            out_node.append(p_node[p_seg][hit])
            junction_keys.append(np.stack([q_seg[hit], p_node[p_seg][hit]], axis=1))
    del ends_done
    n_meet = 0
    if junction_keys:
        jk = np.unique(np.vstack(junction_keys), axis=0)
        jn = np.unique(jk[:, 1])
        n_meet += len(jn)
        # node coordinates are a/b of some segment: take them from the end arrays
        node_pos = np.zeros((n_nodes, 2))
        node_pos[su] = a
        node_pos[sv] = b
        rep_xy.append(node_pos[jn])
        rep_kind.extend(["junction"] * len(jn))

    # proper crossings: both segments crossed in their insides
    new_xy = np.zeros((0, 2))
    if len(pi):
        r = b[pi] - a[pi]
        cross, t, u = _proper_crossings(a, b, pi, pj, seg_len, tol, with_params=True)
        if cross.any():
            ci, cj, ct, cu = pi[cross], pj[cross], t[cross], u[cross]
            xy = a[ci] + r[cross] * ct[:, None]
            lab, _k = _cluster(xy, tol)
            _, first = np.unique(lab, return_index=True)
            new_xy = xy[first]
            node_ids = n_nodes + lab
            out_seg += [ci, cj]
            out_t += [ct, cu]
            out_node += [node_ids, node_ids]
            rep_xy.append(new_xy)
            rep_kind.extend(["crossing"] * len(new_xy))
            n_meet += len(new_xy)
    if not out_seg:
        return empty(grade)
    return (np.concatenate(out_seg), np.concatenate(out_t),
            (np.concatenate(out_node).astype(np.int64), new_xy),
            np.vstack(rep_xy) if rep_xy else np.zeros((0, 2)), rep_kind, n_meet, grade)


def _proper_crossings(a: np.ndarray, b: np.ndarray, pi: np.ndarray, pj: np.ndarray,
                      seg_len: np.ndarray, tol: float, *, with_params: bool = False) -> Any:
    """Which segment pairs cross in both their insides (more than ``tol`` from every end)."""
    r = b[pi] - a[pi]
    q = b[pj] - a[pj]
    den = _cross(r, q)
    qp = a[pj] - a[pi]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = _cross(qp, q) / den
        u = _cross(qp, r) / den
    li, lj = seg_len[pi], seg_len[pj]
    cross = (np.abs(den) > _EPS) & (t * li > tol) & ((1 - t) * li > tol) & \
            (u * lj > tol) & ((1 - u) * lj > tol)
    return (cross, t, u) if with_params else cross
