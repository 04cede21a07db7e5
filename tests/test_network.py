"""Road network: noding, snapping, components, attachment, river crossings, distances."""
from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from zlt_assets.analysis.network import build_network
from zlt_assets.errors import BadInput

CRS = "EPSG:4550"


def lines(*coords, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(dict(cols), geometry=[shapely.LineString(c) for c in coords], crs=CRS)


def points(*xy, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(dict(cols), geometry=[shapely.Point(p) for p in xy], crs=CRS)


def grid_roads(n: int = 10, step: float = 100.0) -> gpd.GeoDataFrame:
    """Full-length streets: crossings have no shared vertex, so the builder must node them."""
    h = [((0, i * step), (n * step, i * step)) for i in range(n + 1)]
    v = [((i * step, 0), (i * step, n * step)) for i in range(n + 1)]
    return lines(*h, *v)


def test_crossing_lines_without_shared_vertex_are_noded():
    net = build_network(lines([(0, 0), (100, 0)], [(50, -50), (50, 50)]))
    assert net.n_nodes == 5
    assert net.n_edges == 4
    assert net.report.n_components == 1
    assert net.report.n_noded_crossings == 1
    (pt,) = net.report.noded_crossings.geometry
    assert (pt.x, pt.y) == pytest.approx((50.0, 0.0))
    assert set(net.report.noded_crossings["kind"]) == {"crossing"}
    assert net.report.n_dangles == 4
    assert sorted(net.edge_len) == pytest.approx([50, 50, 50, 50])


def test_grid_of_full_streets_is_fully_noded():
    n = 6
    net = build_network(grid_roads(n))
    assert net.n_nodes == (n + 1) ** 2
    assert net.n_edges == 2 * n * (n + 1)
    assert net.report.n_components == 1
    # inner crossings are X crossings, crossings on the border are T junctions
    kinds = net.report.noded_crossings["kind"].value_counts().to_dict()
    assert kinds == {"crossing": (n - 1) ** 2, "junction": 4 * (n - 1)}
    assert net.report.total_length_m == pytest.approx(2 * (n + 1) * n * 100)


def test_junction_within_tolerance_joins_beyond_does_not():
    base = [(0, 0), (200, 0)]
    near = build_network(lines(base, [(100, 0.6), (100, 80)]), tolerance=1.0)
    assert near.report.n_components == 1
    assert near.report.noded_crossings["kind"].tolist() == ["junction"]
    far = build_network(lines(base, [(100, 2.0), (100, 80)]), tolerance=1.0)
    assert far.report.n_components == 2
    assert far.report.component_sizes == [2, 2]


def test_endpoints_within_tolerance_are_snapped():
    net = build_network(lines([(0, 0), (100, 0)], [(100.4, 0.3), (200, 0)]), tolerance=1.0)
    assert net.report.n_components == 1
    assert net.n_nodes == 3
    assert net.report.snapped_endpoints == 1
    apart = build_network(lines([(0, 0), (100, 0)], [(103, 0), (200, 0)]), tolerance=1.0)
    assert apart.report.n_components == 2
    assert apart.report.n_dangles == 4


def test_attach_to_nearest_point_on_edge_not_node():
    net = build_network(lines([(0, 0), (100, 0)]))
    att = net.attach(points((30, 5), (120, 0), (-10, -10)))
    assert att.ok.all()
    assert att.distance == pytest.approx([5.0, 20.0, np.hypot(10, 10)])
    # the first point attaches at (30, 0): 30 m along from node (0, 0)
    u0 = net.node_xy[net.edge_u[att.edge[0]]]
    along_from_origin = att.along[0] if tuple(u0) == (0, 0) else 100 - att.along[0]
    assert along_from_origin == pytest.approx(30.0)
    assert (att.x[0], att.y[0]) == pytest.approx((30.0, 0.0))


def test_attach_max_snap_marks_far_points():
    net = build_network(lines([(0, 0), (100, 0)]))
    att = net.attach(points((50, 10), (50, 300)), max_snap=100)
    assert att.ok.tolist() == [True, False]
    assert att.edge[1] == -1 and np.isinf(att.distance[1])


def test_attach_exact_on_many_points_matches_strtree():
    net = build_network(grid_roads(8, 50.0))
    rng = np.random.default_rng(3)
    xy = rng.uniform(-30, 430, (3000, 2))
    att = net.attach_xy(xy)
    tree = shapely.STRtree(net.edge_geoms)
    _, dist = tree.query_nearest(shapely.points(xy), return_distance=True, all_matches=False)
    assert att.distance == pytest.approx(dist, abs=1e-9)


def test_distances_include_attachment_and_along():
    # an L-shaped road; source 10 m off the first leg, a point 5 m off the second leg
    net = build_network(lines([(0, 0), (100, 0), (100, 100)]))
    nd = net.distances_from(points((20, 10)), cutoff=1000)
    d, s = nd.at(net.attach(points((95, 60))))
    assert d[0] == pytest.approx(10 + 80 + 60 + 5)
    assert s[0] == 0


def test_same_edge_source_and_point_go_straight_along_the_edge():
    net = build_network(lines([(0, 0), (100, 0)]))
    nd = net.distances_from(points((10, 3)), cutoff=1000)
    d, _ = nd.at(net.attach(points((40, -4))))
    assert d[0] == pytest.approx(3 + 30 + 4)


def test_multi_source_picks_nearest_source_and_respects_cutoff():
    net = build_network(lines([(0, 0), (1000, 0)]))
    src = points((0, 0), (1000, 0), obj_id=["A", "B"])
    nd = net.distances_from(src, cutoff=300)
    d, s = nd.at(net.attach(points((100, 0), (900, 0), (500, 0))))
    assert d[:2] == pytest.approx([100, 100])
    assert nd.source_ids[s[:2]].tolist() == ["A", "B"]
    assert np.isinf(d[2]) and s[2] == -1


def test_facility_off_the_network_is_unreachable():
    net = build_network(lines([(0, 0), (100, 0)]))
    nd = net.distances_from(points((50, 5), (50, 400), obj_id=["near", "far"]), cutoff=500)
    assert nd.unreachable == ["far"]


def test_river_crossed_only_on_bridges():
    # west road crosses the river (y = 0) without a bridge; the east road has a bridge segment
    roads = lines(
        [(0, -100), (0, 100)],
        [(200, -100), (200, -10)], [(200, -10), (200, 10)], [(200, 10), (200, 100)],
        [(0, -100), (200, -100)], [(0, 100), (200, 100)],
        bridge_id=[None, None, "1507830208000001", None, None, None],
    )
    river = lines([(-500, 0), (700, 0)])
    free = build_network(roads)
    d_free, _ = free.distances_from(points((0, -100)), cutoff=5000).at(
        free.attach(points((0, 100))))
    assert d_free[0] == pytest.approx(200)
    net = build_network(roads, river=river)
    assert net.report.n_river_crossings == 1
    (pt,) = net.report.river_crossings.geometry
    assert (pt.x, pt.y) == pytest.approx((0, 0))
    d, _ = net.distances_from(points((0, -100)), cutoff=5000).at(net.attach(points((0, 100))))
    assert d[0] == pytest.approx(600)
    assert net.report.n_components == 1


def test_without_bridges_the_banks_are_separate_components():
    roads = lines([(0, -100), (0, 100)], [(50, -100), (50, 100)], [(0, -100), (50, -100)],
                  [(0, 100), (50, 100)])
    assert build_network(roads).report.n_components == 1
    net = build_network(roads, river=lines([(-100, 0), (200, 0)]))
    assert net.report.n_river_crossings == 2
    assert net.report.n_components == 2
    assert net.report.component_lengths_m == pytest.approx([50 + 2 * 98] * 2)


def test_bad_inputs():
    with pytest.raises(BadInput, match="no coordinate reference system"):
        build_network(gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1, 1)])]))
    with pytest.raises(BadInput, match="empty"):
        build_network(gpd.GeoDataFrame(geometry=[], crs=CRS))
    with pytest.raises(BadInput, match="LineString"):
        build_network(points((0, 0)))


def test_reprojected_input_gives_the_same_network():
    roads = grid_roads(3)
    a = build_network(roads)
    b = build_network(roads.to_crs("EPSG:4326"))
    assert (a.n_nodes, a.n_edges) == (b.n_nodes, b.n_edges)
    assert b.report.total_length_m == pytest.approx(a.report.total_length_m, rel=1e-6)


_GRID = build_network(grid_roads(6, 100.0))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-50, 650), st.floats(-50, 650)), min_size=1, max_size=4),
       st.lists(st.tuples(st.floats(-50, 650), st.floats(-50, 650)), min_size=1, max_size=20))
def test_network_distance_never_below_straight_distance(sources, targets):
    src = np.asarray(sources)
    tgt = np.asarray(targets)
    nd = _GRID.distances_from(gpd.GeoDataFrame(geometry=shapely.points(src), crs=CRS),
                              cutoff=5000, max_snap=1000)
    d, s = nd.at(_GRID.attach_xy(tgt))
    assert (s >= 0).all()
    straight = np.hypot(*(tgt - src[s]).T)
    assert (d >= straight - 1e-6).all()
    # and the chosen source is the nearest on the network: no other source is closer
    for k in range(len(src)):
        one = _GRID.distances_from(gpd.GeoDataFrame(geometry=shapely.points(src[k:k + 1]),
                                                    crs=CRS), cutoff=5000, max_snap=1000)
        dk, _ = one.at(_GRID.attach_xy(tgt))
        assert (d <= dk + 1e-6).all()


def test_river_as_polygon_also_cuts_non_bridge_crossings():
    roads = lines([(0, -100), (0, 100)], [(50, -100), (50, -20)], [(50, -20), (50, 20)],
                  [(50, 20), (50, 100)], [(0, -100), (50, -100)], [(0, 100), (50, 100)],
                  bridge_id=[None, None, "B", None, None, None])
    river = gpd.GeoDataFrame(geometry=[shapely.box(-200, -10, 200, 10)], crs=CRS)
    net = build_network(roads, river=river)
    assert net.report.n_river_crossings == 2  # the west road enters and leaves the river area
    d, _ = net.distances_from(points((0, -100)), cutoff=5000).at(net.attach(points((0, 100))))
    assert d[0] == pytest.approx(50 + 200 + 50)


def test_far_points_ring_and_fallback_are_exact_and_index_is_cached():
    # two blocks of streets 2 km apart: points in the gap are far (> 2B) from every edge, points
    # just outside a block are between B and 2B, so every search path of _nearest_edge is used
    left = grid_roads(4, 50.0)
    right = grid_roads(4, 50.0).translate(2000.0, 0.0)
    net = build_network(gpd.GeoDataFrame(geometry=list(left.geometry) + list(right.geometry),
                                         crs=CRS))
    size = net._bucket_size
    rng = np.random.default_rng(11)
    xy = np.vstack([rng.uniform([-100, -100], [2300, 300], (4000, 2)),
                    # between B and 2B to the left of the first block
                    np.column_stack([-1.5 * size * np.ones(50), rng.uniform(0, 200, 50)])])
    tree = shapely.STRtree(net.edge_geoms)
    _, exact = tree.query_nearest(shapely.points(xy), return_distance=True, all_matches=False)
    assert (exact > 2 * size).any() and ((exact > size) & (exact <= 2 * size)).any()
    first = net.attach_xy(xy)
    assert first.distance == pytest.approx(exact, abs=1e-9)
    # the bucket index is built once per network and reused by later calls
    cache = net.__dict__["_bucket_cache"]
    index = cache[size]
    again = net.attach_xy(xy[::-1])
    assert net.__dict__["_bucket_cache"][size] is index and list(cache) == [size]
    assert np.array_equal(again.edge, first.edge[::-1])
    assert np.array_equal(again.distance, first.distance[::-1])
    assert np.array_equal(again.along, first.along[::-1])


def test_lines_with_z_or_as_multilines_give_the_same_network():
    flat = grid_roads(3, 100.0)
    with_z = gpd.GeoDataFrame(geometry=[shapely.force_3d(g, 7.0) for g in flat.geometry],
                              crs=CRS)
    multi = gpd.GeoDataFrame(geometry=[shapely.MultiLineString(list(flat.geometry[:4])),
                                       *flat.geometry[4:]], crs=CRS)
    ref = build_network(flat)
    for other in (build_network(with_z), build_network(multi)):
        assert np.array_equal(other.node_xy, ref.node_xy)
        assert np.array_equal(other.edge_u, ref.edge_u) and np.array_equal(other.edge_v,
                                                                            ref.edge_v)
        assert other.edge_len == pytest.approx(ref.edge_len)
        assert other.report.n_noded_crossings == ref.report.n_noded_crossings == 12
    assert ref.n_edges == 2 * 3 * 4


# ------------------------------------------------------------------ noding modes, grade separation
def test_noding_modes_on_a_drawn_crossing_and_auto_detection():
    # two lines crossing without a shared vertex (CAD): joined only with crossings noding
    cad = lines([(0, 0), (100, 0)], [(50, -50), (50, 50)])
    assert build_network(cad, noding="crossings").report.n_components == 1
    vert = build_network(cad, noding="vertices").report
    assert vert.n_components == 2 and vert.tolerance_m == 0 and vert.snapped_endpoints == 0
    auto = build_network(grid_roads(5)).report
    assert (auto.noding, auto.noding_detected) == ("crossings", True)
    # the same street grid cut at every crossing (shared vertices): detected as vertices
    h = [[(x * 100, y * 100) for x in range(6)] for y in range(6)]
    v = [[(x * 100, y * 100) for y in range(6)] for x in range(6)]
    shared = build_network(lines(*h, *v)).report
    assert (shared.noding, shared.meetings_crossing) == ("vertices", 0)
    assert shared.n_components == 1 and shared.n_nodes == 36


def test_near_miss_is_snapped_and_reported_only_with_crossings_noding():
    near = lines([(0, 0), (100, 0)], [(100.4, 0), (200, 0)], [(50, 0.6), (50, 80)])
    rep = build_network(near, noding="crossings").report
    assert rep.n_components == 1 and rep.snapped_endpoints == 1
    assert rep.to_dict()["junctions_created"] == 1
    kinds = rep.repairs_frame()["kind"].value_counts().to_dict()
    assert kinds == {"snapped": 1, "junction": 1}
    assert build_network(near, noding="vertices").report.n_components == 3


@pytest.mark.parametrize("cols", [{"bridge": ["yes", None]}, {"tunnel": [None, "yes"]},
                                  {"layer": [1, 0]}, {"lvl": [2, 0]}])
def test_lines_on_different_levels_do_not_join_where_they_cross(cols):
    over = lines([(0, 0), (100, 0)], [(50, -50), (50, 50)], **cols)
    level_field = "lvl" if "lvl" in cols else None
    rep = build_network(over, noding="crossings", level_field=level_field).report
    assert rep.n_components == 2 and rep.grade_separated == 1 and rep.n_noded_crossings == 0


def test_levels_join_at_end_points_but_not_at_shared_inner_vertices():
    # a bridge ramp ending on the street joins it; a bridge sharing an inner vertex does not
    ramp = lines([(0, 0), (50, 0), (100, 0)], [(50, 0), (50, 60)], bridge=[None, "yes"])
    assert build_network(ramp, noding="vertices").report.n_components == 1
    over = lines([(0, 0), (50, 0), (100, 0)], [(50, -60), (50, 0), (50, 60)],
                 layer=[0, 1])
    rep = build_network(over, noding="vertices").report
    assert rep.n_components == 2 and rep.grade_separated == 1


def test_bad_noding_options_name_the_option():
    with pytest.raises(BadInput) as e:
        build_network(grid_roads(2), noding="magic")
    assert e.value.option == "noding"
    with pytest.raises(BadInput) as e:
        build_network(grid_roads(2), level_field="nope")
    assert e.value.option == "level_field"


# ------------------------------------------------------------------ real OpenStreetMap extracts
OSM = Path(__file__).parent / "data" / "osm"


def _osm_lines(name: str):
    import pyogrio

    from zlt_assets.crs import choose_work_crs, lonlat_bounds

    g = pyogrio.read_dataframe(OSM / name, layer="lines")
    g = g[g["highway"].notna()].reset_index(drop=True)
    work = choose_work_crs(lonlat_bounds([g]))
    return g, work.crs


def _shared_node_graph(g, crs):
    """networkx over shared nodes (how osmnx joins OSM ways), lengths in the metric CRS."""
    import networkx as nx

    m = g.to_crs(crs)
    graph = nx.Graph()
    for geom in m.geometry.values:
        c = [tuple(p) for p in shapely.get_coordinates(geom)]
        for p, q in itertools.pairwise(c):
            if p != q:
                w = float(np.hypot(p[0] - q[0], p[1] - q[1]))
                if not graph.has_edge(p, q) or graph[p][q]["weight"] > w:
                    graph.add_edge(p, q, weight=w)
    return graph


@pytest.mark.parametrize("name", ["Helsinki.osm.pbf", "kouvola-test.osm.pbf"])
def test_osm_extract_vertices_noding_equals_networkx_over_shared_nodes(name):
    import networkx as nx

    g, crs = _osm_lines(name)
    net = build_network(g, crs=crs)
    rep = net.report
    assert (rep.noding, rep.noding_detected) == ("vertices", True)
    assert rep.level_source and rep.grade_separated == 0  # no inner vertex shared across levels
    graph = _shared_node_graph(g, crs)
    assert net.n_nodes == graph.number_of_nodes()
    sizes = sorted((len(c) for c in nx.connected_components(graph)), reverse=True)
    assert rep.component_sizes == sizes
    # walking distances from a few street nodes, project vs networkx
    rng = np.random.default_rng(7)
    src_nodes = rng.choice(net.n_nodes, 5, replace=False)
    sources = gpd.GeoDataFrame(geometry=shapely.points(net.node_xy[src_nodes]), crs=crs)
    nd = net.distances_from(sources, cutoff=800.0)
    ref = nx.multi_source_dijkstra_path_length(
        graph, [tuple(net.node_xy[k]) for k in src_nodes], cutoff=800.0)
    d_ref = np.array([ref.get(tuple(p), np.inf) for p in net.node_xy])
    assert np.isfinite(d_ref).sum() == np.isfinite(nd.dist).sum() > 20
    ok = np.isfinite(d_ref)
    assert np.abs(nd.dist[ok] - d_ref[ok]).max() < 1e-6


def test_osm_crossings_noding_without_levels_makes_false_junctions_levels_prevent_them():
    g, crs = _osm_lines("Helsinki.osm.pbf")
    flat = build_network(g.drop(columns=["other_tags"]), crs=crs, noding="crossings").report
    levelled = build_network(g, crs=crs, noding="crossings").report
    assert flat.level_source is None and levelled.level_source.startswith("other_tags")
    assert flat.n_noded_crossings > 100  # tunnels and bridges noded as level crossings
    assert levelled.grade_separated > 100
    assert levelled.n_noded_crossings < flat.n_noded_crossings / 10
