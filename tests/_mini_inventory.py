"""Small crafted inventories whose contents are known by construction (for import/PostGIS tests).

Every record is filled from the schema declaration (first domain code, minimum of ranges, ...),
so the layers pass ``validate_layer``; tests then change what they need.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from zlt_assets import schema
from zlt_assets.inventory import write_layers

#: Centre of Zhalantun (lon, lat) and in EPSG:4550.
CENTRE_LONLAT = (122.737, 48.007)
_T = Transformer.from_crs("EPSG:4490", "EPSG:4550", always_xy=True)
CX, CY = _T.transform(*CENTRE_LONLAT)


def record(layer: str, serial: int, **overrides: Any) -> dict[str, Any]:
    """A valid record of ``layer`` (every declared field filled) with ``overrides`` applied."""
    decl = schema.layer(layer)
    rec: dict[str, Any] = {}
    for f in decl.fields:
        if f.domain is not None:
            v: Any = f.domain.codes[0]
        elif f.type == "text":
            v = f"{f.zh}{serial}"
        elif f.type == "integer":
            v = int(f.minimum) if f.minimum is not None and f.minimum > 0 else 1
        elif f.type == "real":
            v = float(f.minimum) if f.minimum is not None and f.minimum > 0 else 1.0
        elif f.type == "boolean":
            v = False
        else:
            v = "2024-01-01"
        rec[f.name] = v
    status_domain = decl.field("status").domain if "status" in rec else None
    if status_domain is not None:
        rec["status"] = status_domain.codes[0]  # planned: no completed date needed
    if layer == "roads":
        rec["works"] = "none"
        rec["red_line_width_m"] = 20.0
        rec["carriageway_width_m"] = 12.0
    rec.update(overrides)
    if "obj_id" in rec and "obj_id" not in overrides:
        code = decl.component_code_for(rec)
        assert code is not None, f"{layer}: no component code for {rec}"
        rec["obj_id"] = schema.make_object_id(code, serial)
    return rec


def roads_grid(n: int = 3, spacing: float = 400.0) -> gpd.GeoDataFrame:
    """An n x n grid of straight roads around the centre (noded at crossings)."""
    recs, geoms = [], []
    half = spacing * (n - 1) / 2
    serial = 1
    for i in range(n):
        off = -half + i * spacing
        for a in range(n - 1):
            s0, s1 = -half + a * spacing, -half + (a + 1) * spacing
            for geom in (LineString([(CX + s0, CY + off), (CX + s1, CY + off)]),
                         LineString([(CX + off, CY + s0), (CX + off, CY + s1)])):
                recs.append(record("roads", serial, name=f"道路{serial}", length_m=geom.length,
                                   plan_road=None, bridge_id=None))
                geoms.append(geom)
                serial += 1
    return gpd.GeoDataFrame(recs, geometry=geoms, crs=schema.PROJECT_CRS)


def points(layer: str, xy: list[tuple[float, float]], **overrides: Any) -> gpd.GeoDataFrame:
    """Point assets at EPSG:4550 coordinates."""
    recs = [record(layer, i + 1, **overrides) for i in range(len(xy))]
    return gpd.GeoDataFrame(recs, geometry=[Point(x, y) for x, y in xy], crs=schema.PROJECT_CRS)


def urban_area(half: float = 600.0) -> gpd.GeoDataFrame:
    poly = Polygon([(CX - half, CY - half), (CX + half, CY - half), (CX + half, CY + half),
                    (CX - half, CY + half)])
    return gpd.GeoDataFrame([record("urban_area", 1, source_note="crafted")],
                            geometry=[MultiPolygon([poly])], crs=schema.PROJECT_CRS)


def mini_layers() -> dict[str, gpd.GeoDataFrame]:
    """Roads, bus stops, toilets and the urban area: small, valid, known."""
    return {
        "roads": roads_grid(),
        "bus_stops": points("bus_stops", [(CX - 400, CY), (CX + 400, CY + 5), (CX, CY - 400)],
                            routes="1,2"),
        "public_toilets": points("public_toilets", [(CX + 10, CY + 400), (CX - 395, CY - 400)]),
        "urban_area": urban_area(),
    }


def write_mini(path: Path, layers: dict[str, gpd.GeoDataFrame] | None = None) -> Path:
    write_layers(path, layers if layers is not None else mini_layers(), replace_file=True)
    return path
