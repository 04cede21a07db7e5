"""A walkable road network: noding, components, attachment and multi-source distances.

The network is built from any line layer in a metric CRS with numpy/shapely 2 array operations
(no per-feature Python loops, no pandas, no scipy). Two ways to join lines (``noding``):

* ``crossings`` - lines drawn in CAD, crossing without shared vertices: segment end points closer
  than ``tolerance`` are snapped into one node (pairs from an STRtree of the points + connected
  components); segments that cross without a shared vertex, and end points that touch (or nearly
  touch, within ``tolerance``) the inside of another segment, are noded (candidate pairs from an
  STRtree of tolerance-expanded boxes, vectorised numpy tests);
* ``vertices`` - lines join only where they share a vertex (OpenStreetMap, most survey data);
  nothing is snapped or noded.

``auto`` (the default) counts, among the places where two lines meet, those at a shared vertex
and those where they cross without one, and takes ``vertices`` when nine in ten meetings are at
shared vertices. Lines that share no vertex at all are ``crossings`` without a search. On a large
layer (more than :data:`AUTO_SAMPLE_ABOVE` segments) the crossings are counted for an evenly
spread sample of :data:`AUTO_SAMPLE` segments; when the sample decides clearly (three standard
deviations) that is the answer, and the report says the count is an estimate
(``meetings_estimated``); otherwise every segment is searched. Grade separation: a line's level
comes from a level field, or from the OpenStreetMap ``layer`` / ``bridge`` / ``tunnel``
attributes (``bridge`` without ``layer`` is 1, ``tunnel`` -1); lines on different levels never
join except at end points. With a river layer, road lines that cross the river without a
``bridge_id`` are cut at the river (reported, and they do not connect the banks): the banks
connect only through bridges.

Points (facilities, population cells) attach to the nearest point on the nearest edge, not the
nearest node (:mod:`zlt_assets.analysis._nearest`). Distances from many sources at once come from
one multi-source search (:func:`zlt_assets.analysis._graph.multi_source`, the distances of
Dijkstra's algorithm) in which every source reaches both ends of its edge (attachment distance +
distance along the edge).
"""
from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from .. import standards
from ..errors import BadInput
from ..schema import PROJECT_CRS
from ._graph import EPS, Adjacency, components, multi_source, undirected, unique
from ._nearest import GridSpec, Segments, nearest_segment
from .inputs import LINE, Layer, as_layer, as_work, facility_ids, is_frame, require_geometry

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "AUTO_SAMPLE",
    "AUTO_SAMPLE_ABOVE",
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

_EPS = EPS
#: How lines are joined: ``auto`` detects ``crossings`` (CAD) or ``vertices`` (OpenStreetMap).
NODING_MODES = ("auto", "crossings", "vertices")
#: Attributes read for grade separation when no level field is named (OpenStreetMap tags).
LEVEL_FIELDS = ("layer", "bridge", "tunnel")
#: ``auto`` takes ``vertices`` when at least this share of meetings are at shared vertices.
VERTEX_SHARE_FOR_AUTO = 0.9
#: Points projected on their edge per numpy pass (the temporaries stay in the caches).
_SLICE = 65_536
#: ``auto`` counts crossings on a sample of this many segments ...
AUTO_SAMPLE = 4096
#: ... when a layer has more than this many (smaller layers are searched whole: it is quick).
AUTO_SAMPLE_ABOVE = 16_384


# ------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------
def _points_frame(xy: np.ndarray, crs: object = PROJECT_CRS, **columns: Any) -> gpd.GeoDataFrame:
    import geopandas as gpd

    xy = np.asarray(xy, dtype="float64").reshape(-1, 2)
    return gpd.GeoDataFrame(dict(columns), geometry=shapely.points(xy) if len(xy) else
                            gpd.GeoSeries([], crs=crs).values, crs=crs)


def _no_points() -> np.ndarray:
    return np.zeros((0, 2))


def _counts_in_order(kinds: np.ndarray) -> dict[str, int]:
    """Counts per kind, most frequent first, ties in order of first appearance."""
    if not len(kinds):
        return {}
    uniq, first, counts = np.unique(kinds.astype(str), return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    order = order[np.argsort(-counts[order], kind="stable")]
    return {str(uniq[k]): int(counts[k]) for k in order}


@dataclass
class NetworkReport:
    """What building the network found.

    The places it lists are coordinate arrays; :attr:`dangles`, :attr:`noded_crossings`,
    :attr:`river_crossings` and :attr:`snapped` give them as GeoDataFrames.

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
    dangle_xy, dangle_node, dangle_component : ndarray
        Nodes with one edge (dead ends, and loose ends of lines that stop short).
    crossing_xy, crossing_kind : ndarray
        Where the builder split a line where it had no vertex; ``kind`` is ``crossing`` (two lines
        cross) or ``junction`` (an end touches, or stops within the tolerance of, another line).
    river_xy, river_road : ndarray
        Where a road without ``bridge_id`` crosses the river: cut there (only bridges connect the
        banks); the road's row in the roads layer.
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
    meetings_estimated : bool
        True when ``meetings_crossing`` was estimated from a sample of the segments (``auto`` on
        a large layer that the sample showed to be ``vertices``).
    level_source : str or None
        Where the levels came from (a field name, ``layer/bridge/tunnel``), None without levels.
    grade_separated : int
        Crossings (or shared vertices) not joined because the lines are on different levels.
    snapped_xy, snapped_members : ndarray
        Where end points were snapped together (one point per merged node) and how many.
    crs : CRS-like
        The CRS of the coordinates.

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
    dangle_xy: np.ndarray = field(default_factory=_no_points, repr=False)
    dangle_node: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64),
                                    repr=False)
    dangle_component: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64),
                                         repr=False)
    crossing_xy: np.ndarray = field(default_factory=_no_points, repr=False)
    crossing_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object),
                                      repr=False)
    river_xy: np.ndarray = field(default_factory=_no_points, repr=False)
    river_road: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64),
                                   repr=False)
    snapped_endpoints: int = 0
    tolerance_m: float = 0.0
    noding: str = "crossings"
    noding_detected: bool = False
    meetings_at_vertices: int = 0
    meetings_crossing: int = 0
    meetings_estimated: bool = False
    level_source: str | None = None
    grade_separated: int = 0
    snapped_xy: np.ndarray = field(default_factory=_no_points, repr=False)
    snapped_members: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64),
                                        repr=False)
    crs: object = PROJECT_CRS

    @property
    def n_dangles(self) -> int:
        """Number of dead ends (nodes of degree 1)."""
        return len(self.dangle_xy)

    @property
    def n_noded_crossings(self) -> int:
        """Number of places split or joined by the builder."""
        return len(self.crossing_kind)

    @property
    def n_river_crossings(self) -> int:
        """Number of river crossings without a bridge."""
        return len(self.river_xy)

    @property
    def connected(self) -> bool:
        """True when the network is one component."""
        return self.n_components <= 1

    @cached_property
    def dangles(self) -> gpd.GeoDataFrame:
        """The dead ends as points (``node``, ``component``)."""
        return _points_frame(self.dangle_xy, self.crs, node=self.dangle_node,
                             component=self.dangle_component)

    @cached_property
    def noded_crossings(self) -> gpd.GeoDataFrame:
        """Where lines were split or joined without a shared vertex (``kind``)."""
        return _points_frame(self.crossing_xy, self.crs, kind=self.crossing_kind)

    @cached_property
    def river_crossings(self) -> gpd.GeoDataFrame:
        """Where roads without a bridge were cut at the river (``road``)."""
        return _points_frame(self.river_xy, self.crs, road=self.river_road)

    @cached_property
    def snapped(self) -> gpd.GeoDataFrame:
        """Where end points were snapped together (``members``)."""
        return _points_frame(self.snapped_xy, self.crs, members=self.snapped_members)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data summary (counts, component sizes), JSON-ready."""
        kinds = self.crossing_kind
        return {
            "n_nodes": self.n_nodes,
            "n_edges": self.n_edges,
            "n_components": self.n_components,
            "component_sizes": self.component_sizes[:20],
            "component_lengths_m": [round(v, 1) for v in self.component_lengths_m[:20]],
            "total_length_m": round(self.total_length_m, 1),
            "dangles": self.n_dangles,
            "noded_crossings": self.n_noded_crossings,
            "noded_crossings_by_kind": _counts_in_order(kinds),
            "river_crossings_without_bridge": self.n_river_crossings,
            "snapped_endpoints": self.snapped_endpoints,
            "tolerance_m": self.tolerance_m,
            "noding": self.noding,
            "noding_detected": self.noding_detected,
            "meetings_at_vertices": self.meetings_at_vertices,
            "meetings_crossing": self.meetings_crossing,
            "meetings_estimated": self.meetings_estimated,
            "junctions_created": int((kinds == "junction").sum()),
            "crossings_noded": int((kinds == "crossing").sum()),
            "level_source": self.level_source,
            "grade_separated": self.grade_separated,
        }

    def repairs_frame(self) -> gpd.GeoDataFrame:
        """Every place the builder joined lines that did not share a vertex (one layer).

        ``kind`` is ``snapped`` (end points merged within the tolerance), ``junction`` (an end
        joined to another line's inside) or ``crossing`` (two lines split where they cross).
        """
        ns = len(self.snapped_xy)
        kind = np.concatenate([np.full(ns, "snapped", dtype=object),
                               np.asarray(self.crossing_kind, dtype=object)])
        members = np.concatenate([np.asarray(self.snapped_members, dtype=np.int64),
                                  np.full(self.n_noded_crossings, 2, dtype=np.int64)])
        xy = np.vstack([self.snapped_xy.reshape(-1, 2), self.crossing_xy.reshape(-1, 2)])
        return _points_frame(xy, self.crs, kind=kind, members=members)


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
        import pandas as pd

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
    unreachable: list[Any]
    cutoff: float
    network: RoadNetwork = field(repr=False)

    def at(self, att: Attachment) -> tuple[np.ndarray, np.ndarray]:
        """Walking distance and nearest source for attached points.

        distance = point-to-attachment + along the network + the source's attachment distance;
        inf (and source -1) beyond ``cutoff`` or for points not attached.
        """
        n = len(att)
        dist = np.full(n, np.inf)
        src = np.full(n, -1, dtype=np.int64)
        if not att.ok.any():
            return dist, src
        # in slices of points: the temporaries stay in the processor caches
        for lo in range(0, n, _SLICE):
            sl = slice(lo, min(lo + _SLICE, n))
            ok = att.ok[sl]
            idx: Any = sl if ok.all() else lo + np.flatnonzero(ok)
            if not ok.any():
                continue
            dist[idx], src[idx] = self._at(att.edge[idx], att.along[idx], att.distance[idx])
        return dist, src

    def _at(self, e: np.ndarray, along: np.ndarray, offset: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
        net = self.network
        u, v, length = net.edge_u[e], net.edge_v[e], net.edge_len[e]
        du = self.dist[u] + along
        dv = self.dist[v] + (length - along)
        use_u = du <= dv
        d = np.where(use_u, du, dv)
        s = np.where(use_u, self.source[u], self.source[v])
        # sources on the same edge: straight along the edge, without going through a node
        d, s = self._same_edge(e, along, d, s)
        d = d + offset
        far = ~(d <= self.cutoff)
        d[far] = np.inf
        s[far] = -1
        return d, s

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
        Row position, in the roads layer given to :func:`build_network`, of the road each edge
        comes from.
    component : ndarray of int
        Component label per node (0 = the largest).
    report : NetworkReport
    roads : Layer
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
    roads: Layer = field(repr=False)
    adjacency: Adjacency | None = field(repr=False, default=None)
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
        return np.asarray(shapely.linestrings(np.stack([a, b], axis=1)), dtype=object)

    def edges_frame(self, columns: tuple[str, ...] = ("name", "road_class", "bridge_id")
                    ) -> gpd.GeoDataFrame:
        """The edges as a GeoDataFrame (u, v, length_m, component and road attributes)."""
        import geopandas as gpd

        data: dict[str, Any] = {"u": self.edge_u, "v": self.edge_v, "length_m": self.edge_len,
                                "component": self.component[self.edge_u]}
        for c in columns:
            if c in self.roads.columns:
                data[c] = self.roads[c][self.edge_road]
        return gpd.GeoDataFrame(data, geometry=self.edge_geoms, crs=self.crs)

    def edge_attribute(self, column: str) -> np.ndarray:
        """A road attribute per edge (object array; None when the roads lack the column)."""
        if column not in self.roads.columns:
            return np.full(self.n_edges, None, dtype=object)
        return np.asarray(np.asarray(self.roads[column])[self.edge_road])

    # -------------------------------------------------------------- attachment
    @cached_property
    def segments(self) -> Segments:
        """The edges as coordinate arrays for the nearest-edge search (built once)."""
        return Segments.from_ends(self.node_xy[self.edge_u], self.node_xy[self.edge_v])

    def _nearest_edge(self, xy: np.ndarray, within: float | None = None,
                      grid: GridSpec | None = None) -> np.ndarray:
        """Exact nearest edge per point (-1 when none lies within ``within``)."""
        reach = within
        edge, _d = nearest_segment(xy[:, 0], xy[:, 1], self.segments, within=within,
                                   reach=reach, grid=grid)
        return edge

    def attach_xy(self, xy: np.ndarray, max_snap: float | None = None, *,
                  grid: GridSpec | None = None) -> Attachment:
        """Attach coordinates (n, 2) to the nearest point on the nearest edge.

        ``grid`` says the points are the cell centres of a grid (a faster search, the same
        answer).
        """
        xy = np.asarray(xy, dtype="float64").reshape(-1, 2)
        n = len(xy)
        edge = np.full(n, -1, dtype=np.int64)
        within = None if max_snap is None else float(max_snap) * (1.0 + 1e-9) + 1e-6
        if n and self.n_edges:
            edge = self._nearest_edge(xy, within, grid)
        ok = edge >= 0
        along = np.zeros(n)
        dist = np.full(n, np.inf)
        ax = np.full(n, np.nan)
        ay = np.full(n, np.nan)
        seg = self.segments
        # in slices of points: the temporaries stay in the processor caches
        for lo in range(0, n, _SLICE):
            sl = slice(lo, min(lo + _SLICE, n))
            e = edge[sl]
            if not (e >= 0).all():
                if not (e >= 0).any():
                    continue
                idx = lo + np.flatnonzero(e >= 0)
                e = edge[idx]
            else:
                idx = sl  # type: ignore[assignment]
            t, d, qx, qy = _attach_point(xy[idx, 0], xy[idx, 1], seg, e)
            along[idx] = t * self.edge_len[e]
            dist[idx] = d
            ax[idx] = qx
            ay[idx] = qy
        if max_snap is not None:
            ok = ok & (dist <= max_snap)
            edge = np.where(ok, edge, -1)
            dist = np.where(ok, dist, np.inf)
        return Attachment(edge=edge, along=along, distance=dist, x=ax, y=ay, ok=ok)

    def attach(self, points: Any, max_snap: float | None = None) -> Attachment:
        """Attach points to the nearest point on the nearest edge (not the nearest node).

        Parameters
        ----------
        points : GeoDataFrame or Layer of points (any CRS), or ndarray (n, 2) in the network's
        max_snap : float, optional
            Points farther than this from every edge are not attached (``ok`` False).

        Returns
        -------
        Attachment
        """
        if isinstance(points, Layer) or is_frame(points):
            lay = as_work(as_layer(points, what="points"), self.crs, what="points")
            xy = shapely.get_coordinates(lay.geometry)
            if len(xy) != len(lay):
                raise BadInput("points to attach must be single points (one coordinate each)")
        else:
            xy = np.asarray(points, dtype="float64")
        return self.attach_xy(xy, max_snap=max_snap)

    # -------------------------------------------------------------- search
    @property
    def adj(self) -> Adjacency:
        """The adjacency (shortest parallel edge kept), built once."""
        if self.adjacency is None:
            self.adjacency = undirected(self.edge_u, self.edge_v, self.edge_len, self.n_nodes)
        return self.adjacency

    @property
    def graph(self) -> Any:
        """Symmetric ``scipy.sparse.csr_matrix`` adjacency (imports scipy)."""
        return self.adj.to_scipy()

    def distances_from(self, sources: Any, cutoff: float | None = None, *,
                       max_snap: float | None = None, id_field: str = "obj_id"
                       ) -> NodeDistances:
        """Multi-source walking distances to every node, with a search limit.

        Every source reaches both ends of its edge (attachment distance + distance along the
        edge to that end); one search from all sources gives each node's nearest source
        (:func:`zlt_assets.analysis._graph.multi_source`).

        Parameters
        ----------
        sources : GeoDataFrame or Layer of points (any CRS), or ndarray (n, 2)
        cutoff : float
            Search limit in metres (default :data:`zlt_assets.standards.BUS_STOP_RADIUS`);
            nodes farther than this get inf.
        max_snap : float, optional
            Sources farther than this from every edge are unreachable (default
            :data:`FACILITY_MAX_SNAP`).
        id_field : str
            Column with the source ids (default ``obj_id``; else the index).

        Returns
        -------
        NodeDistances
        """
        if cutoff is None:
            cutoff = float(standards.BUS_STOP_RADIUS.value)
        if max_snap is None:
            max_snap = float(FACILITY_MAX_SNAP.value)
        if isinstance(sources, Layer) or is_frame(sources):
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
        e = att.edge[good]
        wu = np.maximum(att.distance[good] + att.along[good], _EPS)
        wv = np.maximum(att.distance[good] + (self.edge_len[e] - att.along[good]), _EPS)
        dist, source = multi_source(self.adj, np.concatenate([self.edge_u[e], self.edge_v[e]]),
                                    np.concatenate([wu, wv]), np.concatenate([good, good]),
                                    cutoff)
        return NodeDistances(dist, source, att, ids, unreachable, cutoff, self)

    def distances_between(self, points: Any, sources: Any, cutoff: float | None = None, *,
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
def _cluster(points: np.ndarray, tol: float) -> tuple[np.ndarray, int]:
    """Label points so that points within ``tol`` (transitively) share a label."""
    n = len(points)
    if n == 0:
        return np.zeros(0, dtype=np.int64), 0
    if tol <= 0:
        return np.arange(n), n
    i, j = _pairs_within(points, tol)
    if not len(i):
        return np.arange(n), n
    k, lab = components(n, i, j)
    return lab, int(k)


def _pairs_within(points: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``i < j`` of points at most ``tol`` apart.

    ``sqrt(dx² + dy²) <= tol``, GEOS's ``dwithin`` for points, from a hash grid of cells of side
    ``tol``: a point's partners lie in its own cell or the eight around it.
    """
    from ._nearest import _argsort_keys

    cx = np.floor((points[:, 0] - points[:, 0].min()) / tol).astype(np.int64)
    cy = np.floor((points[:, 1] - points[:, 1].min()) / tol).astype(np.int64)
    width = int(cx.max()) + 3
    key = (cy + 1) * width + (cx + 1)
    order = _argsort_keys(key)
    skey = key[order]
    out_i: list[np.ndarray] = []
    out_j: list[np.ndarray] = []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            lo = np.searchsorted(skey, key + dy * width + dx, side="left")
            hi = np.searchsorted(skey, key + dy * width + dx, side="right")
            c = hi - lo
            if not c.any():
                continue
            a = np.repeat(np.arange(len(points), dtype=np.int64), c)
            b = order[np.repeat(lo - (np.cumsum(c) - c), c) +
                      np.arange(int(c.sum()), dtype=np.int64)]
            keep = a < b
            a, b = a[keep], b[keep]
            d = points[a] - points[b]
            near = np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]) <= tol
            out_i.append(a[near])
            out_j.append(b[near])
    if not out_i:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(out_i), np.concatenate(out_j)


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]  # type: ignore[no-any-return]


def _project(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parameter t in [0, 1] of the nearest point of segments a-b to p, and the distance."""
    ab = b - a
    ll = np.einsum("ij,ij->i", ab, ab)
    t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.where(ll > 0, ll, 1.0), 0.0, 1.0)
    q = a + ab * t[:, None]
    return t, np.hypot(p[:, 0] - q[:, 0], p[:, 1] - q[:, 1])


def _attach_point(px: np.ndarray, py: np.ndarray, seg: Segments, e: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parameter t in [0, 1] of the nearest point q of segments ``e`` to p, the distance, q.

    The distance is ``sqrt(dx * dx + dy * dy)`` (numpy's ``hypot`` costs as much as the rest of
    the attachment of a million cells together; the two differ by at most an ulp).
    """
    sax, say = seg.ax[e], seg.ay[e]
    sdx, sdy = seg.dx[e], seg.dy[e]
    rx = px - sax
    ry = py - say
    t = rx * sdx
    t += ry * sdy
    t /= seg.ll[e]
    np.clip(t, 0.0, 1.0, out=t)
    qx = sdx * t
    qx += sax
    qy = sdy * t
    qy += say
    rx = px - qx
    ry = py - qy
    rx *= rx
    ry *= ry
    rx += ry
    return t, np.sqrt(rx, out=rx), qx, qy


def _truthy_text(values: np.ndarray) -> np.ndarray:
    """``bridge_id`` filled: not None/NaN and not blank text."""
    out = np.zeros(len(values), dtype=bool)
    for k, b in enumerate(values):
        out[k] = b is not None and not (isinstance(b, float) and np.isnan(b)) \
            and str(b).strip() not in ("", "nan", "<NA>", "None")
    return out


def _cut_river(geoms: np.ndarray, roads: Layer, river: Any, tol: float, crs: object
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Roads without ``bridge_id`` cut at the river: ``(geoms, cut points, their road rows)``."""
    none = (geoms, _no_points(), np.zeros(0, dtype=np.int64))
    if river is None:
        return none
    rl = as_work(as_layer(river, what="river"), crs, what="river")
    rg = rl.geometry
    rg = rg[~(shapely.is_missing(rg) | shapely.is_empty(rg))]
    if not len(rg):
        return none
    rgeom = shapely.union_all(rg)
    if "bridge_id" in roads.columns:
        bridge = _truthy_text(np.asarray(roads["bridge_id"], dtype=object))
    else:
        bridge = np.zeros(len(roads), dtype=bool)
    shapely.prepare(rgeom)
    cand = np.flatnonzero(~bridge & shapely.intersects(geoms, rgeom))
    if not len(cand):
        return none
    inter = shapely.intersection(geoms[cand], shapely.boundary(rgeom)
                                 if shapely.get_dimensions(rgeom) == 2 else rgeom)
    parts, idx = shapely.get_parts(inter, return_index=True)
    pts = shapely.get_coordinates(shapely.point_on_surface(parts)) if len(parts) else \
        _no_points()
    where = cand[idx] if len(parts) else np.zeros(0, dtype=np.int64)
    cutter = shapely.buffer(rgeom, max(tol, 0.5) * 2.0)
    out = geoms.copy()
    out[cand] = shapely.difference(geoms[cand], cutter)
    return out, pts, where


def _numeric(values: np.ndarray) -> np.ndarray:
    """Numbers of a column; what does not read as a number is NaN (like ``errors="coerce"``)."""
    arr = np.asarray(values)
    if arr.dtype.kind in "fiub":
        return arr.astype("float64")
    out = np.full(len(arr), np.nan)
    for k, v in enumerate(arr):
        if v is None or isinstance(v, bool):
            continue
        with contextlib.suppress(TypeError, ValueError):
            out[k] = float(v)
    return out


def _present(values: np.ndarray) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        return np.asarray(~np.isnan(arr))
    if arr.dtype.kind in "iub":
        return np.ones(len(arr), dtype=bool)
    return np.array([not (v is None or (isinstance(v, float) and np.isnan(v))) for v in arr],
                    dtype=bool)


def _levels(roads: Layer, level_field: str | None) -> tuple[np.ndarray | None, str | None]:
    """Level per road (int), and where it came from; (None, None) when nothing tells levels."""
    n = len(roads)
    if level_field:
        if level_field not in roads.columns:
            raise BadInput(f"roads: no {level_field!r} column for {{option}} (columns: "
                           f"{', '.join(str(c) for c in roads.columns)})",
                           zh=f"道路图层没有 {level_field!r} 字段({{option}})",
                           option="level_field")
        v = _numeric(roads[level_field])
        if np.isnan(v).all() and _present(roads[level_field]).any():
            raise BadInput(f"roads: {{option}} column {level_field!r} is not numeric",
                           zh=f"{{option}} 字段 {level_field!r} 不是数值", option="level_field")
        return np.rint(np.nan_to_num(v, nan=0.0)).astype(np.int64), level_field
    cols: dict[str, np.ndarray] = {c: roads[c] for c in LEVEL_FIELDS if c in roads.columns}
    present = list(cols)
    if not present and "other_tags" in roads.columns:
        # GDAL's OpenStreetMap driver keeps layer/bridge/tunnel in an hstore-like text column
        tags = [t if isinstance(t, str) else "" for t in roads["other_tags"]]
        for c in LEVEL_FIELDS:
            pat = re.compile(rf'"{c}"=>"([^"]*)"')
            found = [pat.search(t) for t in tags]
            col = np.empty(n, dtype=object)
            col[:] = [m.group(1) if m else None for m in found]
            if any(m is not None for m in found):
                cols[c] = col
        present = [f"other_tags:{c}" for c in LEVEL_FIELDS if c in cols]
        if not present:
            return None, None
    if not present:
        return None, None
    level = np.zeros(n, dtype=np.int64)
    has_layer = np.zeros(n, dtype=bool)
    if "layer" in cols:
        lay = _numeric(cols["layer"])
        has_layer = np.isfinite(lay)
        level[has_layer] = np.rint(lay[has_layer]).astype(np.int64)
    for name, value in (("bridge", 1), ("tunnel", -1)):
        if name in cols:
            flag = np.array([_is_yes(v) for v in cols[name]], dtype=bool)
            level[flag & ~has_layer] = value
    return level, "/".join(present)


def _is_yes(v: object) -> bool:
    """OpenStreetMap truthiness of ``bridge`` / ``tunnel`` (``yes``, ``viaduct``, 1 ...)."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return False
    t = str(v).strip().lower()
    return t not in ("", "no", "0", "false", "nan", "none", "<na>")


def build_network(roads: Any, tolerance: float | None = None, river: Any = None, *,
                  crs: object = PROJECT_CRS, noding: str | None = None,
                  level_field: str | None = None) -> RoadNetwork:
    """Build a noded, walkable network from a line layer.

    Parameters
    ----------
    roads : GeoDataFrame or Layer of LineString/MultiLineString
        Roads (any CRS; reprojected to ``crs``). A ``bridge_id`` column marks segments over the
        river; ``layer`` / ``bridge`` / ``tunnel`` (or ``level_field``) give levels.
    tolerance : float, optional
        Snapping tolerance in metres for ``crossings`` noding (default
        :data:`zlt_assets.standards.NETWORK_SNAP_TOLERANCE`): end points closer than this become
        one node; an end within this distance of another line is joined to it.
    river : GeoDataFrame or Layer, optional
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
    lay = as_work(as_layer(roads, what="roads"), crs, what="roads")
    lay = require_geometry(lay, LINE, what="roads")
    lay = Layer(lay.geometry, lay.crs, lay.data, None, lay.source)  # rows renumbered 0..n-1
    road_level, level_source = _levels(lay, level_field)
    geoms = lay.geometry
    if shapely.has_z(geoms).any():  # force_2d copies every line: only when some have z
        geoms = np.asarray(shapely.force_2d(geoms), dtype=object)
    geoms, river_xy, river_road = _cut_river(geoms, lay, river, tol, crs)

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
    nroads = max(len(lay), 1)
    pair = unique(inv.astype(np.int64) * nroads + occ_road)
    at_vertices = int((np.bincount(pair // nroads, minlength=len(uniq)) >= 2).sum())

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
            sep = int(len(ukey) - len(unique(ukey[:, 0])))
            xy_of = ukey[:, 0]
        if k == len(lab):  # nothing merged: every vertex its own cluster, in order
            cl_xy = uniq
        else:
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
    estimated = False
    cm = None
    if mode == "auto":
        if at_vertices == 0:
            mode = "crossings"  # no line shares a vertex with another: CAD lines
        elif s > AUTO_SAMPLE_ABOVE:
            node0 = inv[:s], inv[s:]
            guess = _sampled_meetings(a, b, node0[0], node0[1], tol, len(uniq), seg_level)
            mode, crossing_meetings, estimated = _decide(at_vertices, *guess)
    if mode in ("auto", "crossings"):
        cm = crossings_mode()
        crossing_meetings = int(cm[6][5])
        estimated = False
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
        snapped_xy, snapped_members = uniq[first][merged], size[merged]
        used_tol = tol
    else:
        lab = np.arange(len(uniq))
        node_of, node_xy, sep = nodes_for(lab, len(uniq))
        keep = node_of[:s] != node_of[s:]
        splits = None
        snapped = 0
        snapped_xy, snapped_members = _no_points(), np.zeros(0, dtype=np.int64)
        used_tol = 0.0
    su, sv, seg_road = node_of[:s][keep], node_of[s:][keep], seg_road[keep]
    s = len(su)

    # 3. node crossings and junctions (crossings mode only)
    if splits is not None:
        split_seg, split_t, (split_node, new_xy), kinds_xy, kinds, _n, grade_sep = splits
    else:
        split_seg, split_t = np.zeros(0, dtype=np.int64), np.zeros(0)
        split_node, new_xy = np.zeros(0, dtype=np.int64), _no_points()
        kinds_xy, kinds, grade_sep = _no_points(), [], 0
    if len(new_xy):
        node_xy = np.vstack([node_xy, new_xy])

    # 4. edges: consecutive split points along each segment
    if len(split_seg):
        segs = np.concatenate([np.arange(s), np.arange(s), split_seg])
        ts = np.concatenate([np.zeros(s), np.ones(s), split_t])
        nodes = np.concatenate([su, sv, split_node])
        order = np.lexsort((ts, segs))
        segs, nodes = segs[order], nodes[order]
        same = segs[1:] == segs[:-1]
        eu = nodes[:-1][same]
        ev = nodes[1:][same]
        er = seg_road[segs[:-1][same]]
    else:  # nothing split: each segment is one edge
        eu, ev, er = su, sv, seg_road
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
    adj = undirected(eu, ev, elen, n)
    ncomp, comp = components(n, *adj.edges()[:2])
    sizes = np.bincount(comp, minlength=ncomp)
    rank = np.argsort(-sizes, kind="stable")
    relabel = np.empty_like(rank)
    relabel[rank] = np.arange(ncomp)
    comp = relabel[comp]
    sizes = sizes[rank]
    clen = np.bincount(comp[eu], weights=elen, minlength=ncomp)
    dangle_nodes = np.flatnonzero(adj.degree == 1)
    report = NetworkReport(
        n_nodes=n, n_edges=len(eu), n_components=int(ncomp),
        component_sizes=[int(x) for x in sizes],
        component_lengths_m=[float(x) for x in clen],
        total_length_m=float(elen.sum()),
        dangle_xy=node_xy[dangle_nodes], dangle_node=dangle_nodes,
        dangle_component=comp[dangle_nodes],
        crossing_xy=np.asarray(kinds_xy, dtype="float64").reshape(-1, 2),
        crossing_kind=np.asarray(kinds, dtype=object),
        river_xy=river_xy, river_road=river_road,
        snapped_endpoints=int(snapped), tolerance_m=used_tol,
        noding=mode, noding_detected=detected, meetings_at_vertices=at_vertices,
        meetings_crossing=crossing_meetings, meetings_estimated=estimated,
        level_source=level_source, grade_separated=int(sep + grade_sep),
        snapped_xy=snapped_xy, snapped_members=snapped_members, crs=crs,
    )
    return RoadNetwork(node_xy=node_xy, edge_u=eu.astype(np.int64), edge_v=ev.astype(np.int64),
                       edge_len=elen, edge_road=er.astype(np.int64), component=comp,
                       report=report, roads=lay, adjacency=adj, crs=crs)


def _decide(at_vertices: int, found: int, share: float) -> tuple[str, int, bool]:
    """``auto`` from a sample: ``(mode, estimated crossings, estimated)``.

    Mode ``auto`` when the sample does not decide clearly (then every segment is searched).

    ``found`` meetings were seen among the pairs that involve a sampled segment; a meeting
    involves two segments, so it is seen with probability ``1 - (1 - share) ** 2``.
    """
    seen = 1.0 - (1.0 - share) ** 2
    if seen <= 0:
        return "auto", 0, False
    spread = 3.0 * np.sqrt(found) + 3.0
    high = (found + spread) / seen
    low = max(found - spread, 0.0) / seen
    if at_vertices >= VERTEX_SHARE_FOR_AUTO * (at_vertices + high):
        return "vertices", round(found / seen), True
    if at_vertices < VERTEX_SHARE_FOR_AUTO * (at_vertices + low):
        return "crossings", 0, False  # the search for the noding counts them exactly
    return "auto", 0, False


def _box_pairs(lo: np.ndarray, hi: np.ndarray, query: np.ndarray) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    """Pairs ``(i in query, j)`` of boxes that intersect (i != j).

    From a bucket grid: the query boxes are listed per bucket, every box looks in the buckets it
    covers.
    """
    from ._nearest import _argsort_keys

    ext = hi - lo
    size = max(float(np.median(np.maximum(ext[:, 0], ext[:, 1]))), 1e-6) * 2.0
    ox, oy = float(lo[:, 0].min()), float(lo[:, 1].min())
    i0 = np.floor((lo[:, 0] - ox) / size).astype(np.int64)
    i1 = np.floor((hi[:, 0] - ox) / size).astype(np.int64)
    j0 = np.floor((lo[:, 1] - oy) / size).astype(np.int64)
    j1 = np.floor((hi[:, 1] - oy) / size).astype(np.int64)
    ncols = int(i1.max()) + 1

    def cells(which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ni = i1[which] - i0[which] + 1
        cnt = ni * (j1[which] - j0[which] + 1)
        owner = np.repeat(which, cnt)
        k = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        nir = np.repeat(ni, cnt)
        return owner, (j0[owner] + k // nir) * ncols + i0[owner] + k % nir

    q_own, q_key = cells(np.asarray(query, dtype=np.int64))
    order = _argsort_keys(q_key)
    skey, sown = q_key[order], q_own[order]
    own, key = cells(np.arange(len(lo), dtype=np.int64))
    a = np.searchsorted(skey, key, side="left")
    c = np.searchsorted(skey, key, side="right") - a
    pj = np.repeat(own, c)
    pi = sown[np.repeat(a - (np.cumsum(c) - c), c) + np.arange(int(c.sum()), dtype=np.int64)]
    keep = (pi != pj) & (lo[pi, 0] <= hi[pj, 0]) & (lo[pj, 0] <= hi[pi, 0]) & \
        (lo[pi, 1] <= hi[pj, 1]) & (lo[pj, 1] <= hi[pi, 1])
    pair = unique(pi[keep] * len(lo) + pj[keep])
    return pair // len(lo), pair % len(lo)


def _sampled_meetings(a: np.ndarray, b: np.ndarray, su: np.ndarray, sv: np.ndarray, tol: float,
                      n_nodes: int, level: np.ndarray) -> tuple[int, float]:
    """Meetings without a shared vertex seen on an evenly spread sample of the segments.

    Returns ``(count, share of segments sampled)``.
    """
    s = len(a)
    step = int(np.ceil(s / AUTO_SAMPLE))
    sample = np.arange(0, s, step, dtype=np.int64)
    lo = np.minimum(a, b) - tol
    hi = np.maximum(a, b) + tol
    pi, pj = _box_pairs(lo, hi, sample)
    splits = _find_splits(a, b, su, sv, tol, n_nodes, level, pairs=(pi, pj))
    return int(splits[5]), len(sample) / s


def _find_splits(a: np.ndarray, b: np.ndarray, su: np.ndarray, sv: np.ndarray, tol: float,
                 n_nodes: int, level: np.ndarray | None = None,
                 pairs: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[Any, ...]:
    """Where segments must be split: crossings (new nodes) and junctions (existing end nodes).

    Segments on different levels are never split against each other (their crossings are
    counted as grade-separated). ``pairs`` limits the search to these candidate pairs (default:
    every pair of segments whose tolerance-widened boxes meet).

    Returns ``(seg, t, (node, new_node_xy), report_xy, report_kind, meetings, grade_separated)``
    where ``meetings`` counts the crossings and junctions found (places where lines meet without
    a shared vertex).
    """
    s = len(a)

    def empty(grade: int = 0) -> tuple[Any, ...]:
        return (np.zeros(0, dtype=np.int64), np.zeros(0), (np.zeros(0, dtype=np.int64),
                _no_points()), _no_points(), [], 0, grade)

    if s < 2:
        return empty()
    if pairs is None:
        lo = np.minimum(a, b) - tol
        hi = np.maximum(a, b) + tol
        boxes = shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1])
        tree = shapely.STRtree(boxes)
        pi, pj = tree.query(boxes)
        m = pi < pj
        pi, pj = pi[m], pj[m]
    else:
        pi, pj = np.minimum(*pairs), np.maximum(*pairs)
        uq = unique(pi * s + pj)
        pi, pj = uq // s, uq % s
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
    n_meet = 0
    if junction_keys:
        jk = np.unique(np.vstack(junction_keys), axis=0)
        jn = unique(jk[:, 1])
        n_meet += len(jn)
        # node coordinates are a/b of some segment: take them from the end arrays
        node_pos = np.zeros((n_nodes, 2))
        node_pos[su] = a
        node_pos[sv] = b
        rep_xy.append(node_pos[jn])
        rep_kind.extend(["junction"] * len(jn))

    # proper crossings: both segments crossed in their insides
    new_xy = _no_points()
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
            np.vstack(rep_xy) if rep_xy else _no_points(), rep_kind, n_meet, grade)


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
