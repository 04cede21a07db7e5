"""Default thresholds, each with the source it comes from.

``[C]`` = seen quoted in a public source; ``[M]`` = recalled, not confirmed against the
standard's text: configurable, and outputs that use it say so. Every analysis default reads from
here so that a report can name its source.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Standard:
    value: object
    unit: str
    source: str
    confirmed: bool  # True = [C], False = [M]
    note: str = ""

    def cite(self) -> str:
        return f"{self.source} [{'C' if self.confirmed else 'M'}]"


BUS_STOP_RADIUS = Standard(500, "m", "扎兰屯精细化管理方案 四(五)2; 公交都市指标3; GB 50220-95 3.3.3", True,
                           "plan target: 100% of the urban area within 500 m")
BUS_STOP_RADIUS_SHORT = Standard(300, "m", "GB 50220-95 3.3.3", True,
                                 "300 m radius: at least 50% of urban land")
BUS_COVERAGE_MIN_300 = Standard(0.50, "share", "GB 50220-95 3.3.3", True)
BUS_COVERAGE_MIN_500 = Standard(0.90, "share", "GB 50220-95 3.3.3; 公交都市指标3", True)
BUS_COVERAGE_PLAN = Standard(1.00, "share", "扎兰屯精细化管理方案 四(五)2", True)
GRID_CELL = Standard(25, "m", "zlt-assets default (area sampling grid)", True,
                     "a cell counts when its centre is within reach")
NETWORK_SNAP_TOLERANCE = Standard(1.0, "m", "zlt-assets default (noding tolerance)", True)

TOILET_DENSITY_PER_KM2 = Standard(
    {"R": (3, 5), "ABS": (4, 11), "G": (5, 6), "MW": (1, 2)}, "toilets/km²",
    "GB/T 50337-2018 表4.2.1", True, "M/W range is [M]")
TOILET_SPACING_M = Standard(
    {"commercial": (300, 500), "main": (500, 800), "secondary": (500, 800), "branch": (800, 1000),
     "expressway": (500, 800)},
    "m", "公厕设置规范 (municipal rules); CJJ 27-2012", False,
    "expressway uses the main-road range [M]")
TOILET_SERVICE_RADIUS = Standard(500, "m", "zlt-assets default; CJJ 27-2012", False)
TOILET_SERVICE_RADIUS_CROWDED = Standard(300, "m", "GB 55013-2021 5.0.1", True,
                                         "workplaces and crowded public places")
TOILETS_PER_10K = Standard(None, "toilets/10,000 residents", "每万人拥有公厕 (statistical)", False)

ROAD_AREA_PER_CAPITA = Standard(29.3, "m²/person", "扎兰屯精细化管理方案 四(五)1", True)
ROAD_LIGHTING_RATE = Standard(0.98, "share", "扎兰屯精细化管理方案 四(六)3", True)
MECH_SWEEPING_RATE = Standard(0.50, "share", "扎兰屯精细化管理方案 四(一)3", True)
GREEN_RATIO = Standard(0.35, "share", "扎兰屯精细化管理方案 四(一)4", True)
PARK_PER_CAPITA = Standard(21.0, "m²/person", "扎兰屯精细化管理方案 四(一)4", True)
PARK_PER_CAPITA_NATIONAL = Standard(8.0, "m²/person", "GB 55014-2021 2.1.3", True)
SPONGE_SHARE = Standard(0.20, "share", "国办发〔2015〕75号; 扎兰屯精细化管理方案 四(四)4", True)
PONDING_LIMIT_CM = Standard(15, "cm", "one traffic lane (common practice)", False)

# --- import (zlt-assets' own choices) ---
IMPORT_DUPLICATE_DISTANCE = Standard(
    1.0, "m", "zlt-assets default (import duplicate check)", True,
    "a row without an object id whose name matches a stored asset within this distance is the "
    "same asset: refused unless identical (then skipped); points picked on web maps agree to "
    "about a metre")

POPULATION_DENSITY_MAX = Standard(
    500_000, "people/km²", "densest districts ever recorded (Dharavi, Mumbai ~280,000/km²; "
    "Mong Kok ~130,000/km²)", False,
    "a population grid cell denser than this is not a count of people (a no-data marker, a "
    "unit error): the grid is refused")

# --- network and siting defaults (zlt-assets' own choices, configurable per call) ---
FACILITY_MAX_SNAP = Standard(
    150, "m", "zlt-assets default (facility attachment to the road network)", True,
    "a facility farther from every road is reported as unreachable")
TOILET_NEAR_ROAD = Standard(50, "m", "zlt-assets default (toilet on a street)", True,
                            "toilets within this distance of a street count for its spacing")
CANDIDATE_SPACING = Standard(150, "m", "zlt-assets default (candidate spacing)", True,
                             "candidate sites for proposals are spaced this far apart along roads")

# --- display defaults (meeting maps; never used by the analyses) ---
DISPLAY_SIMPLIFY_M = Standard(
    {"asset": 0.5, "frame": 5.0, "city_boundary": 25.0, "overlay": 2.0}, "m",
    "zlt-assets display default (meeting maps; below one screen pixel at zoom 17)", True,
    "folium issue #787: large GeoJSON makes the page sluggish")
CLUSTER_MIN_POINTS = Standard(200, "features", "zlt-assets display default (meeting maps)", True)

# --- validation tolerances (zlt-assets' own choices) ---
STOP_ROAD_TOLERANCE = Standard(30.0, "m", "zlt-assets default (a stop sits at the kerb)", True,
                               "a bus stop farther than this from every road is reported")
BOUNDARY_TOLERANCE = Standard(5.0, "m", "zlt-assets default (digitising tolerance)", True,
                              "features may stick out of the city boundary by this much")
PARTITION_TOLERANCE = Standard(1e-4, "share of the urban area", "zlt-assets default", True,
                               "street offices must partition the urban area up to this share")
