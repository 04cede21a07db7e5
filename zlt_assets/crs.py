"""Coordinate reference systems of the project.

The inventory's metric CRS is CGCS2000 / 3-degree Gauss-Kruger CM 123E (EPSG:4550, always_xy);
display is in WGS84. An analysis computes in true metres wherever its data lie
(:func:`choose_work_crs`): in the inventory's CRS when its scale error over the data is below
:data:`zlt_assets.standards.MAX_SCALE_ERROR`, else in the input's own metric CRS, the CGCS2000
3-degree Gauss-Kruger zone of the data (in China) or a local transverse Mercator. Conversions from
the Chinese web-map systems (GCJ-02, BD-09) live here too.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from pyproj import CRS, Transformer

from .errors import BadInput
from .schema import CGCS2000_GEOGRAPHIC, DISPLAY_CRS, PROJECT_CRS

if TYPE_CHECKING:
    import geopandas as gpd

ArrayLike = Any  # a float or an array of floats (lon/lat)
Forward = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

__all__ = [
    "CGCS2000_GEOGRAPHIC",
    "DISPLAY_CRS",
    "KRASOVSKY_A",
    "KRASOVSKY_EE",
    "PROJECT_CRS",
    "WorkCRS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "choose_work_crs",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "gk_zone",
    "is_project_crs",
    "local_tm",
    "out_of_china",
    "project_crs",
    "scale_error",
    "to_display",
    "to_project",
    "transformer",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]


@cache
def project_crs() -> CRS:
    """The project CRS (EPSG:4550) as a :class:`pyproj.CRS`."""
    return CRS.from_user_input(PROJECT_CRS)


@lru_cache(maxsize=64)
def transformer(src: str, dst: str) -> Transformer:
    """A cached always_xy transformer between two CRS strings."""
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def is_project_crs(crs: object) -> bool:
    """True when ``crs`` is EPSG:4550."""
    if crs is None:
        return False
    return CRS.from_user_input(crs).equals(project_crs())


def to_project(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject a GeoDataFrame to EPSG:4550; ValueError when it has no CRS."""
    if gdf.crs is None:
        raise ValueError("the layer has no coordinate reference system; "
                         "declare one (e.g. EPSG:4550)")
    if is_project_crs(gdf.crs):
        return gdf
    return gdf.to_crs(PROJECT_CRS)


def to_display(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject a GeoDataFrame to WGS84 for display."""
    if gdf.crs is None:
        raise ValueError("the layer has no coordinate reference system")
    return gdf.to_crs(DISPLAY_CRS)


# ---------------------------------------------------------------------------------------------
# True metres: the CRS an analysis computes in
# ---------------------------------------------------------------------------------------------
#: Name of the local transverse Mercator CRSs :func:`local_tm` makes (before its centre).
LOCAL_TM_PREFIX = "zlt-assets local transverse Mercator"
#: EPSG code of the CGCS2000 3-degree Gauss-Kruger zone with central meridian 75E; the codes up
#: to 4554 (135E) follow in steps of 3 degrees (the "CM" variants, false easting 500 km).
GK_CM75_EPSG = 4534


@dataclass(frozen=True)
class WorkCRS:
    """The metric CRS an analysis computes in, and why.

    Attributes
    ----------
    crs : pyproj.CRS
    reason : str
        ``forced`` (asked for), ``declared`` (the inventory's), ``input`` (the inputs' own),
        ``gauss-kruger`` (the CGCS2000 3-degree zone of the data) or ``local-tm``.
    max_scale_error : float
        Largest ``|k - 1|`` of the CRS over the data (k the point scale, worst direction).
    bounds : tuple of float
        The data's extent in longitude/latitude (west, south, east, north) it was checked over.
    """

    crs: CRS
    reason: str
    max_scale_error: float
    bounds: tuple[float, float, float, float]

    @property
    def name(self) -> str:
        """The CRS's name (e.g. ``CGCS2000 / 3-degree Gauss-Kruger CM 123E``)."""
        return str(self.crs.name)

    @cached_property
    def epsg(self) -> int | None:
        """The EPSG code, or None for a local CRS.

        Looked up once: pyproj searches its database for a CRS without an identifier, a good
        part of a second.
        """
        if str(self.crs.name).startswith(LOCAL_TM_PREFIX):
            return None  # ours (local_tm): never an EPSG CRS
        code = self.crs.to_epsg()
        return int(code) if code is not None else None

    @property
    def label(self) -> str:
        """``EPSG:4550`` or the CRS's name."""
        code = self.epsg
        return f"EPSG:{code}" if code else self.name

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (name, code, reason, scale error, extent, WKT)."""
        return {"name": self.name, "epsg": self.epsg, "label": self.label,
                "reason": self.reason, "max_scale_error": float(self.max_scale_error),
                "max_scale_error_allowed": _max_error(None),
                "bounds_lonlat": [round(float(v), 6) for v in self.bounds],
                "wkt": self.crs.to_wkt()}


def _max_error(value: float | None) -> float:
    if value is not None:
        return float(value)
    from . import standards

    return float(standards.MAX_SCALE_ERROR.value)


def is_metric(crs: CRS) -> bool:
    """True for a projected CRS whose axes are in metres."""
    if not crs.is_projected:
        return False
    units = {(a.unit_name or "").lower() for a in crs.axis_info}
    return units <= {"metre", "meter", "m"}


def scale_error(crs: Any, lon: Any, lat: Any) -> np.ndarray:
    """Scale error ``max(|a - 1|, |b - 1|)`` of a projected CRS at points (Tissot's indicatrix).

    Parameters
    ----------
    crs : anything pyproj reads
        A projected CRS.
    lon, lat : array_like
        Longitude and latitude in degrees.

    Returns
    -------
    ndarray
        The relative length error in the worst direction at each point.

    Examples
    --------
    >>> import numpy as np
    >>> bool(scale_error("EPSG:4550", 123.0, 48.0)[0] < 1e-9)  # on the central meridian
    True
    >>> bool(scale_error("EPSG:4550", 87.6, 43.8)[0] > 0.05)          # Urumqi: about 1.10
    True
    """
    from pyproj import Proj

    c = CRS.from_user_input(crs)
    lon_a = np.atleast_1d(np.asarray(lon, dtype="float64"))
    lat_a = np.atleast_1d(np.asarray(lat, dtype="float64"))
    f = Proj(c).get_factors(lon_a, lat_a)
    a = np.asarray(f.tissot_semimajor, dtype="float64")
    b = np.asarray(f.tissot_semiminor, dtype="float64")
    err = np.maximum(np.abs(a - 1.0), np.abs(b - 1.0))
    return np.where(np.isfinite(err), err, np.inf)


def _sample(bounds: tuple[float, float, float, float], n: int = 9) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    w, s, e, n_ = bounds
    lon, lat = np.meshgrid(np.linspace(w, e, n), np.linspace(s, n_, n))
    return lon.ravel(), lat.ravel()


def max_scale_error(crs: Any, bounds: tuple[float, float, float, float]) -> float:
    """Largest scale error of ``crs`` over a longitude/latitude box (sampled 9 x 9).

    Examples
    --------
    >>> max_scale_error("EPSG:4550", (122.5, 47.9, 122.9, 48.1)) < 1e-4   # Zhalantun
    True
    """
    lon, lat = _sample(bounds)
    return float(np.max(scale_error(crs, lon, lat)))


def gk_zone(lon: float) -> CRS | None:
    """The CGCS2000 3-degree Gauss-Kruger CM zone (EPSG:4534-4554) nearest ``lon``, or None.

    Examples
    --------
    >>> gk_zone(122.74).to_epsg()
    4550
    >>> gk_zone(10.0) is None
    True
    """
    cm = 75 + 3 * round((float(lon) - 75.0) / 3.0)
    if not 75 <= cm <= 135:
        return None
    return CRS.from_epsg(GK_CM75_EPSG + (cm - 75) // 3)


def local_tm(lon: float, lat: float) -> CRS:
    """A transverse Mercator (WGS 84, scale 1) centred on ``lon, lat`` (rounded to 1e-4 degree).

    Examples
    --------
    >>> local_tm(24.94, 60.17).name
    'zlt-assets local transverse Mercator 24.9400E 60.1700N'
    """
    from pyproj.crs import GeographicCRS, ProjectedCRS
    from pyproj.crs.coordinate_operation import TransverseMercatorConversion

    lon0 = round(float(lon), 4)
    lat0 = round(float(lat), 4)
    ew = "E" if lon0 >= 0 else "W"
    ns = "N" if lat0 >= 0 else "S"
    name = f"{LOCAL_TM_PREFIX} {abs(lon0):.4f}{ew} {abs(lat0):.4f}{ns}"
    conv = TransverseMercatorConversion(latitude_natural_origin=lat0,
                                        longitude_natural_origin=lon0, false_easting=0.0,
                                        false_northing=0.0, scale_factor_natural_origin=1.0)
    return ProjectedCRS(conversion=conv, geodetic_crs=GeographicCRS(datum="WGS84"), name=name)


#: Datums that PROJ takes to WGS 84 without a shift (a null transformation): a projected CRS on
#: one of them gives WGS 84 longitude/latitude by its own inverse projection.
_WGS84_LIKE = ("World Geodetic System 1984", "World Geodetic System 1984 ensemble", "China 2000",
               "European Terrestrial Reference System 1989",
               "European Terrestrial Reference System 1989 ensemble")


def _to_lonlat(c: CRS, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (WGS 84) of points in ``c``.

    A projected CRS on a datum PROJ equates with WGS 84 is inverted by its own projection (a
    millisecond; building a transformer reads PROJ's database, about a tenth of a second).
    """
    from pyproj import Proj

    geo = c.geodetic_crs
    if c.is_projected and geo is not None and geo.datum is not None \
            and geo.datum.name in _WGS84_LIKE:
        lon, lat = Proj(c)(x, y, inverse=True)
        return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
    lon, lat = transformer(c.to_wkt(), "EPSG:4326").transform(x, y)
    return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")


def lonlat_bounds(frames: Any, *, margin_m: float = 0.0) -> tuple[float, float, float, float]:
    """Longitude/latitude box of the vertices of layers (in any CRS), widened by metres.

    Parameters
    ----------
    frames : iterable of GeoDataFrame or :class:`zlt_assets.analysis.inputs.Layer`
        Layers with a CRS (None entries are skipped).
    margin_m : float
        Widen the box by this many metres on every side.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.Point(10.0, 50.0)], crs="EPSG:4326")
    >>> [round(v, 3) for v in lonlat_bounds([g], margin_m=1000)]
    [9.986, 49.991, 10.014, 50.009]
    """
    boxes = []
    for f in frames:
        if f is None or len(f) == 0:
            continue
        if f.crs is None:
            raise BadInput("a layer has no coordinate reference system")
        c = CRS.from_user_input(f.crs)
        b = np.asarray(f.total_bounds, dtype="float64")
        if not np.isfinite(b).all():
            continue
        if c.is_geographic and c.equals(CRS.from_epsg(4326), ignore_axis_order=True):
            boxes.append(b)
            continue
        import shapely

        geoms = f.geometry
        xy = shapely.get_coordinates(np.asarray(getattr(geoms, "values", geoms), dtype=object))
        lon, lat = _to_lonlat(c, xy[:, 0], xy[:, 1])
        boxes.append(np.array([np.nanmin(lon), np.nanmin(lat), np.nanmax(lon), np.nanmax(lat)]))
    if not boxes:
        raise BadInput("no geometry to measure: every layer is empty")
    arr = np.vstack(boxes)
    w, s, e, n = arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max()
    if margin_m > 0:
        dlat = margin_m / 111_000.0
        coslat = max(np.cos(np.radians(max(abs(s), abs(n)))), 1e-3)
        dlon = margin_m / (111_000.0 * coslat)
        w, s, e, n = w - dlon, max(s - dlat, -90.0), e + dlon, min(n + dlat, 90.0)
    return float(w), float(s), float(e), float(n)


def choose_work_crs(bounds: tuple[float, float, float, float], *, forced: Any = None,
                    declared: Any = None, inputs: Any = (),
                    max_error: float | None = None) -> WorkCRS:
    """The metric CRS to compute in over a longitude/latitude extent.

    In order: ``forced`` (``--crs``); the ``declared`` CRS (the inventory's) when its scale
    error over the extent is below ``max_error``; the first of the ``inputs``' own metric CRSs
    that keeps it below; the CGCS2000 3-degree Gauss-Kruger zone of the extent's central
    longitude when the extent lies in that zone's area of use (China); a local transverse
    Mercator centred on the extent.

    Parameters
    ----------
    bounds : (west, south, east, north)
        The data's extent in degrees (see :func:`lonlat_bounds`).
    forced : CRS-like, optional
        Use this CRS (it must be metric); its scale error is reported, not checked.
    declared : CRS-like, optional
        The inventory's metric CRS.
    inputs : iterable of CRS-like
        The CRSs the inputs came in (geographic ones are skipped).
    max_error : float, optional
        Default :data:`zlt_assets.standards.MAX_SCALE_ERROR` (1e-4).

    Returns
    -------
    WorkCRS

    Raises
    ------
    BadInput
        ``forced`` is not a metric CRS, or the extent is too wide for any one CRS to keep the
        error below ``max_error`` (split the area or force a CRS).

    Examples
    --------
    >>> choose_work_crs((122.5, 47.9, 122.9, 48.1), declared="EPSG:4550").label  # Zhalantun
    'EPSG:4550'
    >>> choose_work_crs((87.4, 43.7, 87.8, 43.9), declared="EPSG:4550").label     # Urumqi
    'EPSG:4538'
    >>> choose_work_crs((24.8, 60.1, 25.1, 60.3), declared="EPSG:4550").reason    # Helsinki
    'local-tm'
    """
    tol = _max_error(max_error)
    w, s, e, n = bounds
    if forced is not None:
        try:
            c = CRS.from_user_input(forced)
        except Exception as exc:
            raise BadInput(f"{{option}}: not a CRS pyproj knows: {forced!r} ({exc})",
                           zh=f"{{option}}:无法识别的坐标系 {forced!r}", option="crs") from None
        if not is_metric(c):
            raise BadInput(f"{{option}} must be a projected CRS in metres, got {c.name!r}",
                           zh=f"{{option}} 必须是以米为单位的投影坐标系,而不是 {c.name!r}",
                           option="crs")
        return WorkCRS(c, "forced", max_scale_error(c, bounds), bounds)
    tried: list[tuple[CRS, str]] = []
    if declared is not None:
        tried.append((CRS.from_user_input(declared), "declared"))
    for c_in in inputs:
        if c_in is None:
            continue
        c = CRS.from_user_input(c_in)
        if is_metric(c) and not any(c.equals(t) for t, _ in tried):
            tried.append((c, "input"))
    lon_c, lat_c = (w + e) / 2.0, (s + n) / 2.0

    def fallbacks() -> Iterator[tuple[CRS, str]]:
        # built only when the CRSs before them are not true enough (PROJ objects cost time)
        zone = gk_zone(lon_c)
        if zone is not None and zone.area_of_use is not None:
            zw, zs, ze, zn = zone.area_of_use.bounds
            if w >= zw - 0.5 and e <= ze + 0.5 and s >= zs - 0.5 and n <= zn + 0.5:
                yield zone, "gauss-kruger"
        yield local_tm(lon_c, lat_c), "local-tm"

    for c, why in itertools.chain(tried, fallbacks()):
        if not is_metric(c):
            continue
        err = max_scale_error(c, bounds)
        if err < tol:
            return WorkCRS(c, why, err, bounds)
    err = max_scale_error(local_tm(lon_c, lat_c), bounds)
    width_km = (e - w) * 111.3 * np.cos(np.radians((s + n) / 2.0))
    raise BadInput(
        f"the data span {width_km:.0f} km east-west (longitude {w:.3f} to {e:.3f}): too wide for "
        f"one transverse Mercator to keep the scale error below {tol:g} (it reaches {err:.1e}); "
        "split the area, or force a CRS with {option}",
        zh=f"数据东西跨度 {width_km:.0f} km,过宽:任何一个横轴墨卡托投影的尺度误差都超过 {tol:g};"
           "请拆分范围,或用 {option} 指定坐标系",
        option="crs")


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


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> Any:
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
    return np.asarray(ret)


def _transform_lon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return np.asarray(ret)


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray, bool]:
    lon_a = np.asarray(lon, dtype="float64")
    lat_a = np.asarray(lat, dtype="float64")
    scalar = lon_a.ndim == 0 and lat_a.ndim == 0
    lon_a, lat_a = np.broadcast_arrays(np.atleast_1d(lon_a), np.atleast_1d(lat_a))
    return lon_a.astype("float64"), lat_a.astype("float64"), scalar


def _ret(lon: np.ndarray, lat: np.ndarray, scalar: bool) -> Any:
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


def _iterate_inverse(forward: Forward, lon: np.ndarray, lat: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
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


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Any:
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


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Any:
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


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Any:
    """GCJ-02 to BD-09 (Baidu). ``(lon, lat)`` in, ``(lon, lat)`` out."""
    lon_a, lat_a, scalar = _as_arrays(lon, lat)
    return _ret(*_bd_forward(lon_a, lat_a), scalar)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Any:
    """BD-09 to GCJ-02 by iterated inverse. ``(lon, lat)`` in, ``(lon, lat)`` out."""
    lon_a, lat_a, scalar = _as_arrays(lon, lat)
    return _ret(*_iterate_inverse(_bd_forward, lon_a, lat_a), scalar)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Any:
    """WGS84 (or CGCS2000) to BD-09 via GCJ-02. ``(lon, lat)`` in, ``(lon, lat)`` out."""
    lon_a, lat_a, scalar = _as_arrays(lon, lat)
    return _ret(*_bd_forward(*_gcj_forward(lon_a, lat_a)), scalar)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Any:
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
