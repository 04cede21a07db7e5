"""Meeting maps without a browser: content, legend, escaping, offline page, basemaps, CLI, PNG.

The inventory is crafted in ``tmp_path`` (see :func:`make_inventory`) so every count is known by
construction; ``tests/test_maps_browser.py`` reuses it.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, box

from zlt_assets import schema
from zlt_assets.inventory import write_layers

EVIL_NAME = "<img src=x onerror=alert(1)>"
QUOTE_NAME = "O'Brien \"桥\" `tick` ${x} </script><script>alert(2)</script>"
BASE_LON, BASE_LAT = 122.74, 48.0
#: features per layer in the crafted inventory
COUNTS = {
    "facade_lighting_buildings": 4, "bridges": 2, "roads": 3, "public_toilets": 3,
    "bus_stops": 5, "drainage_points": 3, "street_offices": 2, "urban_area": 1,
    "city_boundary": 1, "river": 1, "railway": 1, "railway_stations": 1, "parks": 2,
}


def _pt(dx: float, dy: float) -> Point:
    return Point(BASE_LON + dx, BASE_LAT + dy)


def _common(layer: str, i: int, status: str, name: str | None) -> dict:
    code = schema.layer(layer).component_codes()
    return {
        "obj_id": schema.make_object_id(code[0] if code else "2101", i + 1),
        "name": name, "street_office": "150783001" if i % 2 == 0 else "150783002",
        "department": "zjj", "status": status, "planned_date": "2020-12-31",
        "completed_date": "2020-10-01" if status in ("completed", "accepted", "in_service") else None,
        "data_source": "illustrative", "updated": f"2021-0{1 + i % 3}-15",
    }


def _gdf(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326").to_crs(schema.PROJECT_CRS)


def make_inventory(path: Path, *, many_stops: int = 0) -> Path:
    """A small inventory with every layer; one toilet named EVIL_NAME, one bridge QUOTE_NAME.

    ``many_stops`` adds that many bus stops on a grid (to exercise clustering).
    """
    layers: dict[str, gpd.GeoDataFrame] = {}
    works = ["planned", "under_construction", "completed", "accepted"]
    groups = list(schema.STREET_GROUPS.codes)
    rows, geoms = [], []
    for i in range(COUNTS["facade_lighting_buildings"]):
        r = _common("facade_lighting_buildings", i, works[i % 4], f"楼{i + 1}号")
        r.update(street_group=groups[i % len(groups)], street_name="中央路", floors=5,
                 renovation=i == 0, renovation_status=None, renovation_date=None)
        rows.append(r)
        geoms.append(box(BASE_LON + i * 0.002, BASE_LAT, BASE_LON + i * 0.002 + 0.0008,
                         BASE_LAT + 0.0006))
    layers["facade_lighting_buildings"] = _gdf(rows, geoms)
    rows, geoms = [], []
    for i, nm in enumerate([QUOTE_NAME, "布特哈大桥"]):
        r = _common("bridges", i, works[i], nm)
        r.update(plan_lighting=True, length_m=120.0, hazard_status="none", inspection_date=None)
        rows.append(r)
        geoms.append(LineString([(BASE_LON + 0.01 * i, BASE_LAT + 0.01),
                                 (BASE_LON + 0.01 * i + 0.0015, BASE_LAT + 0.0105)]))
    layers["bridges"] = _gdf(rows, geoms)
    rows, geoms = [], []
    for i, rc in enumerate(["main", "secondary", "branch"]):
        r = _common("roads", i, "completed" if i == 0 else None, f"路{i + 1}")
        r.update(road_class=rc, length_m=700.0, red_line_width_m=30.0, carriageway_width_m=15.0,
                 works="rebuilt" if i == 0 else "none", plan_road="P01" if i == 0 else None,
                 bike_lane=False, sidewalk=True, barrier_free=False, lamps_required=10,
                 lamps_installed=10, lamps_lit=9, mech_sweeping=True, bridge_id=None)
        rows.append(r)
        geoms.append(LineString([(BASE_LON - 0.005, BASE_LAT - 0.003 * i),
                                 (BASE_LON + 0.012, BASE_LAT - 0.003 * i)]))
    layers["roads"] = _gdf(rows, geoms)
    rows, geoms = [], []
    for i, nm in enumerate([EVIL_NAME, "公厕2", "公厕3"]):
        r = _common("public_toilets", i, ["in_service", "planned", "closed"][i], nm)
        r.update(toilet_type=["fixed", "mobile", "opened"][i], seats_male=2, seats_female=3,
                 seats_accessible=1, hours="24h")
        rows.append(r)
        geoms.append(_pt(0.003 * i, 0.004))
    layers["public_toilets"] = _gdf(rows, geoms)
    rows, geoms = [], []
    n_stops = COUNTS["bus_stops"] + many_stops
    for i in range(n_stops):
        r = _common("bus_stops", i, "in_service", f"站{i + 1}")
        r.update(routes="1,2", shelter=i % 2 == 0)
        rows.append(r)
        geoms.append(_pt(0.0004 * (i % 40) - 0.004, -0.0004 * (i // 40) - 0.006))
    layers["bus_stops"] = _gdf(rows, geoms)
    rows, geoms = [], []
    for i, t in enumerate(["waterlogging", "outfall", "pump_station"]):
        r = _common("drainage_points", i, "in_service", None if i == 1 else f"排水{i}")
        r["obj_id"] = schema.make_object_id(schema.DRAINAGE_POINTS.code_by_value[t], i + 1)
        r.update(drainage_type=t, depth_cm=20.0 if i == 0 else None, extent_m2=None,
                 remedy_status="not_started" if i == 0 else None, remedy_date=None)
        rows.append(r)
        geoms.append(_pt(-0.003, 0.001 * i))
    layers["drainage_points"] = _gdf(rows, geoms)
    rows = [{"code": "150783001", "name": "兴华街道", "name_en": "Xinghua", "land_use": "R",
             "crowded": False, "data_source": "illustrative", "source_note": "test"},
            {"code": "150783002", "name": "正阳街道", "name_en": "Zhengyang", "land_use": "ABS",
             "crowded": True, "data_source": "illustrative", "source_note": "test"}]
    west = box(BASE_LON - 0.01, BASE_LAT - 0.01, BASE_LON + 0.004, BASE_LAT + 0.015)
    east = box(BASE_LON + 0.004, BASE_LAT - 0.01, BASE_LON + 0.02, BASE_LAT + 0.015)
    layers["street_offices"] = _gdf(rows, [MultiPolygon([west]), MultiPolygon([east])])
    frame = {"data_source": "illustrative", "source_note": "test"}
    layers["urban_area"] = _gdf([dict(frame, name="城区")],
                                [MultiPolygon([west.union(east)])])
    layers["city_boundary"] = _gdf([dict(frame, name="扎兰屯市", code="150783")],
                                   [MultiPolygon([box(BASE_LON - 0.05, BASE_LAT - 0.05,
                                                      BASE_LON + 0.05, BASE_LAT + 0.05)])])
    layers["river"] = _gdf([dict(frame, name="雅鲁河")], [MultiLineString(
        [[(BASE_LON - 0.01, BASE_LAT + 0.0102), (BASE_LON + 0.02, BASE_LAT + 0.0102)]])])
    layers["railway"] = _gdf([dict(frame, name="滨洲铁路")], [MultiLineString(
        [[(BASE_LON + 0.015, BASE_LAT - 0.01), (BASE_LON + 0.015, BASE_LAT + 0.015)]])])
    layers["railway_stations"] = _gdf([dict(frame, name="扎兰屯站")], [_pt(0.015, 0.0)])
    layers["parks"] = _gdf(
        [dict(frame, name="吊桥公园", green_type="park", street_office="150783001"),
         dict(frame, name="防护林", green_type="protective", street_office="150783002")],
        [MultiPolygon([box(BASE_LON - 0.008, BASE_LAT + 0.011, BASE_LON - 0.004,
                           BASE_LAT + 0.014)]),
         MultiPolygon([box(BASE_LON + 0.006, BASE_LAT + 0.011, BASE_LON + 0.009,
                           BASE_LAT + 0.013)])])
    write_layers(path, layers, replace_file=True)
    return path


@pytest.fixture
def crafted(tmp_path: Path) -> Path:
    return make_inventory(tmp_path / "crafted.gpkg")
