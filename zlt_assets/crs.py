"""Coordinate reference systems of the project.

Metric work happens in CGCS2000 / 3-degree Gauss-Kruger CM 123E (EPSG:4550, always_xy); display
in WGS84. Conversions from the Chinese web-map systems (GCJ-02, BD-09) live here too.
"""
from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
from pyproj import CRS, Transformer

from .schema import CGCS2000_GEOGRAPHIC, DISPLAY_CRS, PROJECT_CRS

__all__ = [
    "CGCS2000_GEOGRAPHIC",
    "DISPLAY_CRS",
    "KRASOVSKY_A",
    "KRASOVSKY_EE",
    "PROJECT_CRS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "is_project_crs",
    "out_of_china",
    "project_crs",
    "to_display",
    "to_project",
    "transformer",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]


@cache
def project_crs() -> CRS:
    return CRS.from_user_input(PROJECT_CRS)


@lru_cache(maxsize=64)
def transformer(src: str, dst: str) -> Transformer:
    """A cached always_xy transformer between two CRS strings."""
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def is_project_crs(crs: object) -> bool:
    if crs is None:
        return False
    return CRS.from_user_input(crs).equals(project_crs())


def to_project(gdf):
    """Reproject a GeoDataFrame to EPSG:4550; ValueError when it has no CRS."""
    if gdf.crs is None:
        raise ValueError("the layer has no coordinate reference system; declare one (e.g. EPSG:4550)")
    if is_project_crs(gdf.crs):
        return gdf
    return gdf.to_crs(PROJECT_CRS)


def to_display(gdf):
    """Reproject a GeoDataFrame to WGS84 for display."""
    if gdf.crs is None:
        raise ValueError("the layer has no coordinate reference system")
    return gdf.to_crs(DISPLAY_CRS)


# ---------------------------------------------------------------------------------------------
# Chinese web-map systems: GCJ-02 (AutoNavi/Gaode, Tencent) and BD-09 (Baidu)
# ---------------------------------------------------------------------------------------------
# Every function takes and returns (lon, lat) in that order, as scalars or numpy arrays
# (vectorised). Conventions:
#
# * "WGS84" here also stands for CGCS2000: the two datums differ by centimetres at this level,
#   far below the hundreds of metres of the GCJ-02 offset, so CGCS2000 (EPSG:4490) coordinates
#   go in and come out unchanged.
# * The forward GCJ-02 transform uses the Krasovsky 1940 ellipsoid (a = 6378245 m,
#   e^2 = 0.00669342162296594323) as the published formula does; packages that use the WGS84
#   a = 6378137 are wrong by decimetres.
# * Outside China's rough bounding box the transforms are the identity (as the web maps do).
# * The inverses are iterated to a fixed point: they land within millimetres (well under the
#   0.5 m required), where the common one-step inverse errs by up to a few metres.

#: Krasovsky 1940 semi-major axis used by the GCJ-02 formula (metres).
KRASOVSKY_A = 6378245.0
#: Krasovsky 1940 first eccentricity squared used by the GCJ-02 formula.
KRASOVSKY_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
#: Iteration stops when the step is below this (degrees; about 1 mm).
_INVERSE_TOL_DEG = 1e-8
_INVERSE_MAX_ITER = 50


def out_of_china(lon, lat):
    """True where a point lies outside the box in which GCJ-02 applies.

    Parameters
    ----------
    lon, lat : float or array_like
        Longitude and latitude in degrees (lon first).

    Returns
    -------
    bool or numpy.ndarray of bool
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    out = (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)
    return out if out.ndim else bool(out)


def _transform_lat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _as_arrays(lon, lat) -> tuple[np.ndarray, np.ndarray, bool]:
    lon_a = np.asarray(lon, dtype="float64")
    lat_a = np.asarray(lat, dtype="float64")
    scalar = lon_a.ndim == 0 and lat_a.ndim == 0
    lon_a, lat_a = np.broadcast_arrays(np.atleast_1d(lon_a), np.atleast_1d(lat_a))
    return lon_a.astype("float64"), lat_a.astype("float64"), scalar


def _ret(lon: np.ndarray, lat: np.ndarray, scalar: bool):
    if scalar:
        return float(lon[0]), float(lat[0])
    return lon, lat


def _gcj_forward(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - KRASOVSKY_EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (KRASOVSKY_A / sqrtmagic * np.cos(radlat) * np.pi)
    inside = ~out_of_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def _iterate_inverse(forward, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve forward(x) = target by fixed-point iteration x <- x - (forward(x) - target)."""
    x, y = lon.copy(), lat.copy()
    for _ in range(_INVERSE_MAX_ITER):
        fx, fy = forward(x, y)
        dx, dy = fx - lon, fy - lat
        x, y = x - dx, y - dy
        step = np.nanmax(np.abs(np.concatenate([dx, dy]))) if dx.size else 0.0
        if not np.isfinite(step) or step < _INVERSE_TOL_DEG:
            break
    return x, y


def wgs84_to_gcj02(lon, lat):
    """WGS84 (or CGCS2000) to GCJ-02 (Gaode/AutoNavi, Tencent).

    Parameters
    ----------
    lon, lat : float or array_like
        Longitude and latitude in degrees, **longitude first**.

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02: floats for scalar input, numpy arrays otherwise. Points outside
        China are returned unchanged.
    """
    lon_a, lat_a, scalar = _as_arrays(lon, lat)
    return _ret(*_gcj_forward(lon_a, lat_a), scalar)


def gcj02_to_wgs84(lon, lat):
    """GCJ-02 to WGS84 (or CGCS2000) by iterated inverse (error well below 0.5 m).

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 longitude and latitude in degrees, **longitude first**.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS84 / CGCS2000.
    """
    lon_a, lat_a, scalar = _as_arrays(lon, lat)
    return _ret(*_iterate_inverse(_gcj_forward, lon_a, lat_a), scalar)


def _bd_forward(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def gcj02_to_bd09(lon, lat):
    """GCJ-02 to BD-09 (Baidu). ``(lon, lat)`` in, ``(lon, lat)`` out."""
    lon_a, lat_a, scalar = _as_arrays(lon, lat)
    return _ret(*_bd_forward(lon_a, lat_a), scalar)


def bd09_to_gcj02(lon, lat):
    """BD-09 to GCJ-02 by iterated inverse. ``(lon, lat)`` in, ``(lon, lat)`` out."""
    lon_a, lat_a, scalar = _as_arrays(lon, lat)
    return _ret(*_iterate_inverse(_bd_forward, lon_a, lat_a), scalar)


def wgs84_to_bd09(lon, lat):
    """WGS84 (or CGCS2000) to BD-09 via GCJ-02. ``(lon, lat)`` in, ``(lon, lat)`` out."""
    lon_a, lat_a, scalar = _as_arrays(lon, lat)
    return _ret(*_bd_forward(*_gcj_forward(lon_a, lat_a)), scalar)


def bd09_to_wgs84(lon, lat):
    """BD-09 to WGS84 (or CGCS2000) by iterating the composed forward transform (< 0.5 m).

    Parameters
    ----------
    lon, lat : float or array_like
        BD-09 longitude and latitude in degrees, **longitude first**.
    """
    lon_a, lat_a, scalar = _as_arrays(lon, lat)

    def forward(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _bd_forward(*_gcj_forward(x, y))

    return _ret(*_iterate_inverse(forward, lon_a, lat_a), scalar)
