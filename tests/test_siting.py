"""Maximal covering proposals: exact ILP vs greedy, existing sites fixed, gains per site."""
from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from zlt_assets.analysis.network import build_network
from zlt_assets.analysis.population import PopulationInput
from zlt_assets.analysis.siting import candidates_along, coverage_matrix, propose_sites, solve_mclp
from zlt_assets.errors import BadInput

CRS = "EPSG:4550"


def points(xy, **cols):
    return gpd.GeoDataFrame(dict(cols), geometry=[shapely.Point(p) for p in xy], crs=CRS)


def greedy_trap() -> sparse.csr_matrix:
    """c0 covers d0-d3 (4), c1 covers d0, d1, d4 (3), c2 covers d2, d3, d5 (3).

    Greedy takes c0 then gains 1 (total 5); the optimum for two sites is c1 + c2 = 6."""
    c = np.zeros((6, 3), dtype=int)
    c[[0, 1, 2, 3], 0] = 1
    c[[0, 1, 4], 1] = 1
    c[[2, 3, 5], 2] = 1
    return sparse.csr_matrix(c)


def test_greedy_is_suboptimal_and_ilp_finds_the_optimum():
    cover, w = greedy_trap(), np.ones(6)
    g = solve_mclp(cover, w, 2, "greedy")
    assert (g.method, g.chosen, g.gains, g.optimal) == ("greedy", [0, 1], [4.0, 1.0], False)
    e = solve_mclp(cover, w, 2, "ilp")
    assert e.method == "ilp" and e.optimal
    assert sorted(e.chosen) == [1, 2]
    assert e.gains == [3.0, 3.0] and e.total == 6.0
    assert solve_mclp(cover, w, 2, "auto").method == "ilp"


def test_weights_and_more_sites_than_useful():
    cover, w = greedy_trap(), np.array([1, 1, 1, 1, 10, 0.0])
    for method in ("greedy", "ilp"):
        sol = solve_mclp(cover, w, 5, method)
        assert sol.total == pytest.approx(14)  # everything coverable, zero-weight d5 ignored
        assert all(g > 0 for g in sol.gains)
        assert len(sol.chosen) <= 3


def test_bad_method_and_count():
    with pytest.raises(BadInput):
        solve_mclp(greedy_trap(), np.ones(6), 2, "magic")
    with pytest.raises(BadInput):
        solve_mclp(greedy_trap(), np.ones(6), -1)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 3))
def test_ilp_matches_brute_force_and_beats_greedy(seed, n):
    rng = np.random.default_rng(seed)
    m, k = 6, 12
    cover = sparse.csr_matrix((rng.random((k, m)) < 0.3).astype(int))
    w = rng.integers(1, 10, k).astype(float)
    dense = cover.toarray().astype(bool)
    best = max(w[dense[:, list(c)].any(axis=1)].sum() for c in itertools.combinations(range(m), n))
    exact = solve_mclp(cover, w, n, "ilp")
    greedy = solve_mclp(cover, w, n, "greedy")
    assert exact.total == pytest.approx(best)
    assert greedy.total <= exact.total + 1e-9
    # the reported gains add up to what the chosen set covers
    assert w[dense[:, exact.chosen].any(axis=1)].sum() == pytest.approx(exact.total)


def test_propose_sites_geometric_trap_with_existing_site_fixed():
    # people in clusters along a line; candidates reach 100 m
    people = PopulationInput(
        x=np.array([0.0, 200, 400, 600, 800, -1000]), y=np.zeros(6),
        weight=np.array([10.0, 10, 10, 10, 10, 50]))
    # existing toilet already serves the 50 people at x = -1000
    existing = points([(-1000, 0)])
    cands = points([(300, 0), (100, 0), (700, 0), (-950, 0)], candidate=["mid", "w", "e", "dup"])
    # 'mid' reaches 200 and 400 (20); 'w' reaches 0 and 200 (20); 'e' reaches 600 and 800 (20)
    res = propose_sites(existing, cands, people, 100, 2, "ilp")
    assert res.method == "ilp" and res.optimal
    assert res.covered_before == 50
    assert sorted(res.sites["candidate"]) in (["e", "mid"], ["e", "w"])
    assert res.covered_after == 90
    assert res.gains == [20.0, 20.0]
    assert list(res.sites["rank"]) == [1, 2]
    d = res.to_dict()
    assert d["share_before"] == pytest.approx(50 / 100) and d["share_after"] == pytest.approx(0.9)


def test_coverage_matrix_radius_inclusive_and_per_point():
    m = coverage_matrix(np.array([[0.0, 0], [100, 0]]), np.array([[0.0, 0], [200, 0]]),
                        np.array([100.0, 50.0])).toarray()
    # demand 0 (radius 100): candidate at distance 0 yes, 200 no; demand 1 (radius 50): none
    assert m.tolist() == [[1, 0], [0, 0]]
    m2 = coverage_matrix(np.array([[0.0, 0], [100, 0]]), np.array([[0.0, 0], [200, 0]]),
                         100.0).toarray()
    assert m2.tolist() == [[1, 0], [1, 1]]


def test_coverage_matrix_on_the_network_uses_walking_distance():
    roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (100, 0), (100, 100)])],
                             crs=CRS)
    net = build_network(roads)
    demand = np.array([[100.0, 100.0], [50.0, 0.0]])
    cand = np.array([[0.0, 0.0]])
    straight = coverage_matrix(demand, cand, 150.0).toarray()
    walk = coverage_matrix(demand, cand, 150.0, network=net).toarray()
    assert straight[:, 0].tolist() == [1, 1]  # 141 m and 50 m
    assert walk[:, 0].tolist() == [0, 1]  # 200 m and 50 m


def test_candidates_along_roads_are_spaced_on_the_lines():
    roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1000, 0)])], crs=CRS)
    c = candidates_along(roads, 200)
    assert len(c) == 5
    assert c.geometry.x.tolist() == pytest.approx([100, 300, 500, 700, 900])
    assert (c.geometry.y == 0).all()
    assert c["candidate"].is_unique


def test_geometric_greedy_trap_ilp_finds_the_optimum():
    # people: 1 at x=0, 2 at x=150, 2 at x=250, 1 at x=400; radius 100
    # the middle candidate (x=200) reaches 4 people, the side ones 3 each, together 6
    people = PopulationInput(np.array([0.0, 150, 250, 400]), np.zeros(4),
                             np.array([1.0, 2, 2, 1]))
    cands = points([(200, 0), (75, 0), (325, 0)], candidate=["mid", "west", "east"])
    greedy = propose_sites(None, cands, people, 100, 2, "greedy")
    exact = propose_sites(None, cands, people, 100, 2, "ilp")
    assert greedy.method == "greedy" and not greedy.optimal
    assert greedy.sites["candidate"].iloc[0] == "mid" and greedy.covered_after == 5
    assert exact.method == "ilp" and exact.optimal
    assert sorted(exact.sites["candidate"]) == ["east", "west"] and exact.covered_after == 6
    assert exact.gains == [3.0, 3.0]
