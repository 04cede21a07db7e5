"""Default thresholds, each with the source it comes from.

``[C]`` = seen quoted in a public source; ``[M]`` = recalled, not confirmed against the
standard's text: configurable, and outputs that use it say so. Every analysis default reads from
here so that a report can name its source; the plan's own figures (its required counts and
quantitative targets) are here too, and :mod:`zlt_assets.plan` refers to them.

``Standard`` is generic over its value type (``Standard[int]``, ``Standard[float]``, ...), so a
caller reads ``float(BUS_STOP_RADIUS.value)`` without a cast.

Examples
--------
>>> BUS_STOP_RADIUS.value, BUS_STOP_RADIUS.unit
(500, 'm')
>>> ROAD_LIGHTING_RATE.cite()
'扎兰屯精细化管理方案 四(六)3 [C]'
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Standard(Generic[T]):
    """A default threshold and where it comes from.

    Attributes
    ----------
    value
        The threshold (its type is the type parameter: ``Standard[float]`` ...).
    unit
        Unit of ``value`` (``"m"``, ``"share"`` for a fraction 0-1, ...).
    source
        The standard, plan section or zlt-assets default it comes from.
    confirmed
        True when seen quoted in a public source ([C]), False when recalled ([M]).
    note
        Anything a reader of a report should know about it.
    """

    value: T
    unit: str
    source: str
    confirmed: bool  # True = [C], False = [M]
    note: str = ""

    def cite(self) -> str:
        """The source with its confidence mark, e.g. ``GB 50220-95 3.3.3 [C]``.

        Examples
        --------
        >>> Standard(300, "m", "GB 50220-95 3.3.3", True).cite()
        'GB 50220-95 3.3.3 [C]'
        """
        return f"{self.source} [{'C' if self.confirmed else 'M'}]"

    def percent(self) -> float:
        """A ``share`` (0-1) as a percentage, rounded to remove binary noise (0.98 -> 98.0).

        Examples
        --------
        >>> ROAD_LIGHTING_RATE.percent()
        98.0
        """
        if self.unit != "share" or isinstance(self.value, bool) \
                or not isinstance(self.value, (int, float)):
            raise ValueError(f"not a share: {self.value!r} {self.unit}")
        return round(float(self.value) * 100.0, 9)


_PLAN = "扎兰屯精细化管理方案"


BUS_STOP_RADIUS = Standard(500, "m", f"{_PLAN} 四(五)2; 公交都市指标3; GB 50220-95 3.3.3", True,
                           "plan target: 100% of the urban area within 500 m")
BUS_STOP_RADIUS_SHORT = Standard(300, "m", "GB 50220-95 3.3.3", True,
                                 "300 m radius: at least 50% of urban land")
BUS_COVERAGE_MIN_300 = Standard(0.50, "share", "GB 50220-95 3.3.3", True)
BUS_COVERAGE_MIN_500 = Standard(0.90, "share", "GB 50220-95 3.3.3; 公交都市指标3", True)
BUS_COVERAGE_PLAN = Standard(1.00, "share", f"{_PLAN} 四(五)2", True)
GRID_CELL = Standard(25, "m", "zlt-assets default (area sampling grid)", True,
                     "a cell counts when its centre is within reach")
NETWORK_SNAP_TOLERANCE = Standard(1.0, "m", "zlt-assets default (noding tolerance)", True)
#: Largest scale error of the CRS the analysis computes in, over the data (issue #13: true metres).
MAX_SCALE_ERROR = Standard(
    1e-4, "", "zlt-assets default (0.05 m in 500 m; Gauss-Kruger scale 1/sqrt(1-(cos(lat)"
    "sin(dlon))^2), field-notes)", True,
    "a run computes in a CRS whose scale error stays below this over its area")

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

ROAD_AREA_PER_CAPITA = Standard(29.3, "m²/person", f"{_PLAN} 四(五)1", True)
ROAD_LIGHTING_RATE = Standard(0.98, "share", f"{_PLAN} 四(六)3", True,
                              "installation rate and lit rate of main and secondary roads")
MECH_SWEEPING_RATE = Standard(0.50, "share", f"{_PLAN} 四(一)3", True)
GREEN_RATIO = Standard(0.35, "share", f"{_PLAN} 四(一)4", True)
PARK_PER_CAPITA = Standard(21.0, "m²/person", f"{_PLAN} 四(一)4", True)
PARK_PER_CAPITA_NATIONAL = Standard(8.0, "m²/person", "GB 55014-2021 2.1.3", True)
SPONGE_SHARE = Standard(0.20, "share", f"国办发〔2015〕75号; {_PLAN} 四(四)4", True,
                        "70% of rainfall absorbed on site")
PONDING_LIMIT_CM = Standard(15, "cm", "one traffic lane (common practice)", False)

# --- the plan's other figures (紮政辦字〔2019〕25號, by end of 2020) ---
FACADE_LIGHTING_COUNT = Standard(190, "buildings", f"{_PLAN} 四(一)2", True,
                                 "street-front buildings to get facade lighting")
FACADE_RENOVATION_COUNT = Standard(31, "buildings", f"{_PLAN} 四(一)2", True,
                                   "of them, buildings on 中央路 that also get facade renovation")
BRIDGE_LIGHTING_COUNT = Standard(3, "bridges", f"{_PLAN} 四(一)2", True,
                                 "布特哈大桥, 雅鲁街大桥, 南市大桥")
PLAN_ROADS_COUNT = Standard(45, "roads", f"{_PLAN} 四(五)1", True,
                            "municipal roads newly built or rebuilt")
ROAD_CLEANLINESS_RATE = Standard(0.90, "share", f"{_PLAN} 四(一)3", True,
                                 "road cleanliness good or better")
SITE_DUST_RATE = Standard(1.00, "share", f"{_PLAN} 四(一)5", True,
                          "construction sites with the six dust measures")
OWNERS_COMMITTEES_RATE = Standard(1.00, "share", f"{_PLAN} 四(二)2", True,
                                  "eligible compounds with an owners' committee")
WASTE_RECYCLING_RATE = Standard(0.35, "share", f"{_PLAN} 四(三)1", True,
                                "household waste recycled in the pilot compounds")
SEWAGE_TREATMENT_RATE = Standard(0.95, "share", f"{_PLAN} 四(四)2", True)
WATERLOGGING_FIXED_RATE = Standard(1.00, "share", f"{_PLAN} 四(四)4", True,
                                   "waterlogging points found and fixed")
NO_ILLEGAL_CONSTRUCTION_RATE = Standard(1.00, "share", f"{_PLAN} 四(七)2", True,
                                        "street offices without illegal construction")
TARGET_COMPARE_TOLERANCE = Standard(
    1e-9, "same unit as the target", "zlt-assets default (floating-point rounding)", True,
    "a value this close to its target counts as reaching it")

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
LENGTH_TOLERANCE_M = Standard(
    5.0, "m", "zlt-assets default (recorded length vs drawn length)", True,
    "length_m may differ from the geometry's length by max(5 m, 5% of it)")
LENGTH_TOLERANCE_SHARE = Standard(
    0.05, "share", "zlt-assets default (recorded length vs drawn length)", True,
    "length_m may differ from the geometry's length by max(5 m, 5% of it)")
EARLIEST_DATE = Standard(_dt.date(1900, 1, 1), "date", "zlt-assets default (sanity)", True,
                         "dates before this are taken as typing errors")
