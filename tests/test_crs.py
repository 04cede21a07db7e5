"""GCJ-02 / BD-09 conversions: known values, round trips across China, argument order."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from zlt_assets import crs

GEOD = Geod(ellps="WGS84")

# points across China's mainland box (lon 73.6-134.7, lat 18.2-53.5)
LONS = st.floats(min_value=73.7, max_value=134.7, allow_nan=False)
LATS = st.floats(min_value=18.2, max_value=53.5, allow_nan=False)


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    _, _, d = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.abs(np.asarray(d))


def test_known_gcj02_value_tiananmen():
    # widely published pair: WGS84 116.391305, 39.907188 -> GCJ-02 116.39754, 39.90859
    lon, lat = crs.wgs84_to_gcj02(116.391305, 39.907188)
    assert lon == pytest.approx(116.397546, abs=2e-5)
    assert lat == pytest.approx(39.908589, abs=2e-5)


def test_offset_at_zhalantun_is_hundreds_of_metres():
    lon, lat = crs.wgs84_to_gcj02(122.737, 48.007)
    d = float(metres(122.737, 48.007, lon, lat))
    assert 300 < d < 800


def test_krasovsky_constants():
    assert crs.KRASOVSKY_A == 6378245.0
    assert pytest.approx(0.00669342162296594323) == crs.KRASOVSKY_EE


def test_outside_china_is_identity():
    assert crs.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert crs.gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)
    assert bool(crs.out_of_china(2.35, 48.85)) and not crs.out_of_china(122.7, 48.0)


def test_argument_order_is_lon_lat():
    # swapping arguments puts a Zhalantun point (lon 122.7, lat 48.0) outside China: identity
    assert crs.wgs84_to_gcj02(48.007, 122.737) == (48.007, 122.737)
    lon, lat = crs.wgs84_to_gcj02(122.737, 48.007)
    assert lon > 122.737 and lat > 48.007  # GCJ-02 shifts north-east here


@settings(max_examples=300, deadline=None)
@given(LONS, LATS)
def test_gcj02_round_trip_within_half_metre(lon, lat):
    g = crs.wgs84_to_gcj02(lon, lat)
    back = crs.gcj02_to_wgs84(*g)
    assert float(metres(lon, lat, *back)) < 0.5


@settings(max_examples=300, deadline=None)
@given(LONS, LATS)
def test_bd09_round_trip_within_half_metre(lon, lat):
    b = crs.wgs84_to_bd09(lon, lat)
    back = crs.bd09_to_wgs84(*b)
    assert float(metres(lon, lat, *back)) < 0.5


def test_vectorised_grid_across_china_and_one_step_inverse_is_worse():
    lon, lat = np.meshgrid(np.linspace(74, 134, 61), np.linspace(19, 53, 35))
    lon, lat = lon.ravel(), lat.ravel()
    glon, glat = crs.wgs84_to_gcj02(lon, lat)
    assert isinstance(glon, np.ndarray) and glon.shape == lon.shape
    blon, blat = crs.gcj02_to_wgs84(glon, glat)
    assert metres(lon, lat, blon, blat).max() < 0.5
    # the common one-step inverse (subtract the offset found at the GCJ point) errs by metres
    flon, flat = crs.wgs84_to_gcj02(glon, glat)
    one_lon, one_lat = glon - (flon - glon), glat - (flat - glat)
    assert metres(lon, lat, one_lon, one_lat).max() > 0.5
    # BD-09 composed with GCJ-02, vectorised
    dlon, dlat = crs.wgs84_to_bd09(lon, lat)
    rlon, rlat = crs.bd09_to_wgs84(dlon, dlat)
    assert metres(lon, lat, rlon, rlat).max() < 0.5


def test_bd09_gcj02_pair_consistent():
    g = crs.wgs84_to_gcj02(122.737, 48.007)
    b1 = crs.gcj02_to_bd09(*g)
    b2 = crs.wgs84_to_bd09(122.737, 48.007)
    assert b1 == pytest.approx(b2)
    back = crs.bd09_to_gcj02(*b1)
    assert float(metres(*g, *back)) < 0.05


def test_nan_passes_through_without_hanging():
    lon, _lat = crs.gcj02_to_wgs84(np.array([122.7, math.nan]), np.array([48.0, 48.0]))
    assert math.isnan(lon[1]) and math.isfinite(lon[0])


# ------------------------------------------------------------------ true metres wherever the data lie
def test_work_crs_choice_across_the_world():
    cases = {
        (122.74, 48.0): ("EPSG:4550", "declared"),     # Zhalantun: the inventory's CRS
        (87.6, 43.8): ("EPSG:4538", "gauss-kruger"),   # Urumqi: 4550 would stretch x1.10
        (117.43, 49.6): ("EPSG:4548", "gauss-kruger"),  # Manzhouli, Hulunbuir
        (104.07, 30.67): (None, "local-tm"),           # Chengdu: 0.93 deg from CM 105E
        (24.94, 60.17): (None, "local-tm"),            # Helsinki
        (-122.28, 37.8): (None, "local-tm"),           # Oakland
    }
    for (lon, lat), (label, reason) in cases.items():
        w = crs.choose_work_crs((lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05),
                                declared="EPSG:4550")
        assert w.reason == reason, (lon, lat, w.reason)
        if label:
            assert w.label == label
        assert w.max_scale_error < 1e-4
        # the measured stretch of EPSG:4550 there (field notes: 1.10 Urumqi, 1.04 Chengdu)
    assert crs.scale_error("EPSG:4550", 87.6, 43.8)[0] == pytest.approx(0.10, abs=0.005)
    assert crs.scale_error("EPSG:4550", 104.07, 30.67)[0] == pytest.approx(0.04, abs=0.005)


def test_input_own_metric_crs_is_kept_when_true_and_utm_is_not():
    box = (24.9, 60.1, 25.0, 60.2)
    own = crs.local_tm(24.95, 60.15).to_wkt()
    assert crs.choose_work_crs(box, inputs=[own]).reason == "input"
    # UTM's scale 0.9996 on its meridian is 4e-4 off: not true enough
    assert crs.choose_work_crs(box, inputs=["EPSG:32635"]).reason == "local-tm"


def test_too_wide_an_extent_is_refused_and_forcing_reports_the_error():
    with pytest.raises(crs.BadInput) as e:
        crs.choose_work_crs((100.0, 30.0, 104.0, 31.0))
    assert e.value.option == "crs" and "too wide" in str(e.value)
    w = crs.choose_work_crs((87.5, 43.7, 87.7, 43.9), forced="EPSG:4550")
    assert w.reason == "forced" and w.max_scale_error > 0.09
    with pytest.raises(crs.BadInput):
        crs.choose_work_crs((87.5, 43.7, 87.7, 43.9), forced="EPSG:4326")  # not metric


PLACES = [(122.74, 48.0), (87.6, 43.8), (104.07, 30.67), (124.2, 47.0), (117.43, 49.6),
          (24.94, 60.17), (-122.28, 37.8), (-58.4, -34.6), (18.4, -33.9), (147.3, -42.9),
          (-149.9, 61.2)]


def _city(lon: float, lat: float):
    """A 4 km city built in true metres (a TM on the place) and handed over in EPSG:4326."""
    import geopandas as gpd
    import shapely

    frame = f"+proj=tmerc +lat_0={lat} +lon_0={lon} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m"
    s = np.arange(-2000, 2001, 200.0)
    # streets 7 m / 3 m off the cell lattice, people and cell centres never equally near two
    # streets (a tie would make "the nearest street" ambiguous)
    h = [shapely.LineString([(x, y + 3) for x in s]) for y in s]
    v = [shapely.LineString([(x + 7, y) for y in s]) for x in s]
    roads = gpd.GeoDataFrame(geometry=h + v, crs=frame)
    px, py = np.meshgrid(np.arange(-1987, 2000, 50.0), np.arange(-1969, 2000, 50.0))
    people = gpd.GeoDataFrame({"population": 1 + (np.abs(px) + np.abs(py)).ravel() % 7},
                              geometry=shapely.points(px.ravel(), py.ravel()), crs=frame)
    stops = gpd.GeoDataFrame(geometry=shapely.points([(-913.0, -611.0), (577.0, 1043.0),
                                                      (1201.0, -1307.0), (-1409.0, 1183.0)]),
                             crs=frame)
    area = gpd.GeoDataFrame(geometry=[shapely.box(-2000, -2000, 2000, 2000)], crs=frame)
    return {k: f.to_crs("EPSG:4326") for k, f in
            {"roads": roads, "people": people, "stops": stops, "area": area}.items()}, frame


def _run(c, method, radius, **kw):
    from zlt_assets.analysis.coverage import compute_coverage

    return compute_coverage(c["stops"], c["area"], method=method, radius=radius,
                            roads=c["roads"] if method == "network" else None,
                            population=c["people"], cell=50, **kw)


@pytest.mark.parametrize("method", ["euclidean", "network"])
def test_a_city_moved_anywhere_gives_the_same_true_metre_answer(method):
    base, frame = _city(0.0, 0.0)
    ref = _run(base, method, 500.0, crs=frame)  # computed in the city's own true frame
    d = ref.population_distance[np.isfinite(ref.population_distance)]
    # a radius near 500 m with no person within 0.3 m of it: a scale error < 1e-4 (5 cm) cannot
    # move anyone across, so the people answer must be the same to 1e-6 everywhere
    cands = np.arange(480.0, 520.0, 0.1)
    gap = np.array([np.abs(d - r).min() for r in cands])
    radius = float(cands[np.argmax(gap)])
    assert gap.max() > 0.3
    ref = _run(base, method, radius, crs=frame)
    want = ref.summary
    assert 0.05 < want["population_share"] < 0.95
    for lon, lat in PLACES:
        c, _ = _city(lon, lat)
        got = _run(c, method, radius).summary
        assert got["crs"]["max_scale_error"] < 1e-4
        assert got["population_total"] == pytest.approx(want["population_total"], rel=1e-6)
        assert got["population_covered"] == pytest.approx(want["population_covered"], rel=1e-6)
        assert got["population_share"] == pytest.approx(want["population_share"], abs=1e-6)
        # the area is sampled on a grid of the CRS used: a local TM is the city's own frame (the
        # same cells: 1e-6); a Gauss-Kruger zone is rotated by the meridian convergence (up to
        # 1.1 degrees), so its 50 m cells sample other points: the same within that sampling
        tol = 1e-6 if got["crs"]["reason"] == "local-tm" else 5e-3
        assert got["area_total_m2"] == pytest.approx(16e6, rel=max(tol, 1e-6))
        assert got["area_share"] == pytest.approx(want["area_share"], abs=tol)
    # the same city computed in EPSG:4550 at Urumqi (as before issue 13) is wrong: the check bites
    c, _ = _city(87.6, 43.8)
    wrong = _run(c, method, radius, crs="EPSG:4550").summary
    assert abs(wrong["population_share"] - want["population_share"]) > 0.01


@pytest.mark.parametrize("module", ["zlt_assets.crs", "zlt_assets.analysis.coverage",
                                    "zlt_assets.analysis.network", "zlt_assets.analysis.inputs",
                                    "zlt_assets.analysis.population",
                                    "zlt_assets.analysis.toilets", "zlt_assets.analysis.siting"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    res = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0
