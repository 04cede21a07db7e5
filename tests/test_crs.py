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
    lon, lat = crs.gcj02_to_wgs84(np.array([122.7, math.nan]), np.array([48.0, 48.0]))
    assert math.isnan(lon[1]) and math.isfinite(lon[0])
