"""Coordinate reference systems of the project.

Metric work happens in CGCS2000 / 3-degree Gauss-Kruger CM 123E (EPSG:4550, always_xy); display
in WGS84. Conversions from the Chinese web-map systems (GCJ-02, BD-09) live here too.
"""
from __future__ import annotations

from functools import lru_cache

from pyproj import CRS, Transformer

from .schema import CGCS2000_GEOGRAPHIC, DISPLAY_CRS, PROJECT_CRS

__all__ = ["PROJECT_CRS", "DISPLAY_CRS", "CGCS2000_GEOGRAPHIC", "project_crs", "transformer",
           "to_project", "to_display", "is_project_crs"]


@lru_cache(maxsize=None)
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
