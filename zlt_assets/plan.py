"""The plan's required counts, quantitative targets and timeline, as data beside the schema.

Source: 《扎兰屯市推进城市精细化管理三年行动实施方案》 (紮政辦字〔2019〕25號, 2019-05-31);
sections refer to 四、重点任务. Departments use the codes of :data:`zlt_assets.schema.DEPARTMENTS`.

Every figure of the plan (190 buildings, 98%, 29.3 m² ...) is declared once, with its source, in
:mod:`zlt_assets.standards`; the counts and targets here refer to those declarations.

Examples
--------
>>> TARGETS["road_lighting"].value, TARGETS["road_lighting"].unit
(98.0, '%')
>>> TARGETS["facade_lighting"].value
190
>>> REQUIRED_COUNTS["facade_lighting"].count
190
"""
from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from . import standards as _std
from .standards import Standard

PLAN_TITLE_ZH = "扎兰屯市推进城市精细化管理三年行动实施方案"
PLAN_TITLE_EN = "Zhalantun three-year action plan for refined urban management"
PLAN_DOCUMENT = "紮政辦字〔2019〕25號 (2019-05-31)"


def is_true(value: object) -> bool:
    """A flag that is set: ``True`` (or 1), never NULL, NaN or a blank.

    Examples
    --------
    >>> [is_true(v) for v in (True, 1, False, 0, None, float("nan"), "")]
    [True, True, False, False, False, False, False]
    """
    if value is None or isinstance(value, str):
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    try:
        return bool(value == True)  # noqa: E712 (numpy and pandas booleans too)
    except (TypeError, ValueError):  # pandas NA
        return False


def _filled(value: object) -> str | None:
    """A value as stripped text, or None when it is missing or blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        if value != value:  # pandas NA, NaT
            return None
    except (TypeError, ValueError):
        return None
    text = str(value).strip()
    return text or None


@dataclass(frozen=True)
class RequiredCount:
    """A count of assets the plan names, checked by validation, the summary and the scorecard.

    What counts is declared here once: every record of ``layer``; with ``flag``, the records
    whose flag field is set (:func:`is_true`); with ``distinct``, the number of different filled
    values of that field (a plan road may have several segments).
    """

    key: str
    layer: str
    standard: Standard[int]
    section: str
    zh: str
    en: str
    flag: str | None = None
    distinct: str | None = None

    @property
    def count(self) -> int:
        """The number the plan names (from :attr:`standard`)."""
        return self.standard.value

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the count reads."""
        return tuple(f for f in (self.flag, self.distinct) if f)

    def selects(self, record: Mapping[str, object]) -> bool:
        """Whether a record is one of the plan's items (``flag`` set, ``distinct`` filled)."""
        if self.flag and not is_true(record.get(self.flag)):
            return False
        return not (self.distinct and _filled(record.get(self.distinct)) is None)

    def item_key(self, record: Mapping[str, object]) -> str | None:
        """The plan item a selected record belongs to (the ``distinct`` value), else None."""
        return _filled(record.get(self.distinct)) if self.distinct else None

    def found(self, records: Iterable[Mapping[str, object]]) -> int:
        """How many of the plan's items the records hold (the one definition of the count).

        Examples
        --------
        >>> REQUIRED_COUNTS["plan_roads"].found(
        ...     [{"plan_road": "P01"}, {"plan_road": "P01 "}, {"plan_road": ""}, {}])
        1
        >>> REQUIRED_COUNTS["facade_renovation"].found([{"renovation": True}, {}])
        1
        """
        chosen = [r for r in records if self.selects(r)]
        if self.distinct:
            return len({self.item_key(r) for r in chosen})
        return len(chosen)


REQUIRED_COUNTS: dict[str, RequiredCount] = {
    c.key: c
    for c in (
        RequiredCount("facade_lighting", "facade_lighting_buildings",
                      _std.FACADE_LIGHTING_COUNT, "四(一)2",
                      "楼体亮化建筑", "Facade-lighting buildings"),
        RequiredCount("facade_renovation", "facade_lighting_buildings",
                      _std.FACADE_RENOVATION_COUNT, "四(一)2",
                      "中央路立面改造建筑", "Facade renovations on Zhongyang Road",
                      flag="renovation"),
        RequiredCount("bridge_lighting", "bridges", _std.BRIDGE_LIGHTING_COUNT, "四(一)2",
                      "桥体亮化桥梁", "Bridges to be lit", flag="plan_lighting"),
        RequiredCount("plan_roads", "roads", _std.PLAN_ROADS_COUNT, "四(五)1",
                      "新建改建市政道路", "Municipal roads built or rebuilt",
                      distinct="plan_road"),
    )
}

#: The three bridges named for bridge lighting.
PLAN_BRIDGES = ("布特哈大桥", "雅鲁街大桥", "南市大桥")
#: Streets named for facade lighting, by street group code.
PLAN_STREETS = {
    "zhongyang": ("中央路",),
    "zhanqian": ("站前街",),
    "yalu": ("雅鲁街",),
    "lvlin_zhenxing": ("绿林街", "振兴路"),
    "limingshan": ("黎明山路",),
}


@dataclass(frozen=True)
class Target:
    """One quantitative target of the plan.

    ``standard`` is the declaration of its figure in :mod:`zlt_assets.standards`; ``value`` is
    that figure in the target's ``unit`` (a ``share`` standard shown in ``%`` is multiplied by
    100).
    """

    id: str
    section: str
    zh: str
    en: str
    standard: Standard[int] | Standard[float]
    unit: str
    comparator: str  # ">=", "<=", "=="
    departments: tuple[str, ...]
    due: str = "2020-12-31"
    note: str = ""

    @property
    def value(self) -> float:
        """The target figure in :attr:`unit` (98.0 for 98%, 190.0 for 190 buildings)."""
        if self.unit == "%":
            return self.standard.percent()
        return self.standard.value


TARGETS: dict[str, Target] = {
    t.id: t
    for t in (
        Target("facade_lighting", "四(一)2", "楼体亮化", "Facade lighting",
               _std.FACADE_LIGHTING_COUNT, "栋 buildings", ">=", ("zjj", "zrzyj")),
        Target("facade_renovation", "四(一)2", "中央路立面改造",
               "Facade renovation, Zhongyang Road", _std.FACADE_RENOVATION_COUNT, "栋 buildings",
               ">=", ("zjj", "zrzyj")),
        Target("bridge_lighting", "四(一)2", "桥体亮化", "Bridge lighting",
               _std.BRIDGE_LIGHTING_COUNT, "座 bridges", ">=", ("zjj", "zrzyj")),
        Target("roads_built", "四(五)1", "新建改建道路", "Roads built or rebuilt",
               _std.PLAN_ROADS_COUNT, "条 roads", ">=", ("zjj",),
               note="each new road with bike lane, sidewalk and barrier-free passage"),
        Target("road_area_per_capita", "四(五)1", "人均道路面积", "Road area per resident",
               _std.ROAD_AREA_PER_CAPITA, "m²/人", ">=", ("zjj",)),
        Target("bus_stop_coverage", "四(五)2", "公交站点500米覆盖率", "Bus-stop 500 m coverage",
               _std.BUS_COVERAGE_PLAN, "%", ">=", ("jtj", "gaj"), due="2020-12-31"),
        Target("road_lighting", "四(六)3", "主次干道亮灯率", "Main and secondary road lighting",
               _std.ROAD_LIGHTING_RATE, "%", ">=", ("zjj", "cgzfj")),
        Target("mech_sweeping", "四(一)3", "机械化清扫率", "Mechanised sweeping",
               _std.MECH_SWEEPING_RATE, "%", ">=", ("cgzfj",)),
        Target("road_cleanliness", "四(一)3", "道路清洁度良好以上",
               "Road cleanliness good or better", _std.ROAD_CLEANLINESS_RATE, "%", ">=",
               ("cgzfj",)),
        Target("green_ratio", "四(一)4", "建成区绿地率", "Green space ratio, built-up area",
               _std.GREEN_RATIO, "%", ">=", ("zjj", "zrzyj", "lcj", "cgzfj")),
        Target("park_per_capita", "四(一)4", "人均公园绿地面积", "Park green space per resident",
               _std.PARK_PER_CAPITA, "m²/人", ">=", ("zjj", "zrzyj", "lcj", "cgzfj")),
        Target("site_dust", "四(一)5", "工地扬尘六个百分之百", "Construction-site dust measures",
               _std.SITE_DUST_RATE, "%", ">=", ("zjj", "cgzfj")),
        Target("owners_committees", "四(二)2", "符合条件小区业委会组建率",
               "Owners' committees where eligible", _std.OWNERS_COMMITTEES_RATE, "%", ">=",
               ("zjj", "jdb")),
        Target("waste_recycling", "四(三)1", "试点小区生活垃圾回收利用率",
               "Household waste recycling, pilot compounds", _std.WASTE_RECYCLING_RATE, "%",
               ">=", ("cgzfj", "zjj", "zrzyj", "fgw")),
        Target("sewage_treatment", "四(四)2", "城市污水处理率", "Urban sewage treatment",
               _std.SEWAGE_TREATMENT_RATE, "%", ">=", ("zjj", "hbj", "slj")),
        Target("sponge_city", "四(四)4", "海绵城市达标面积比例", "Sponge-city area share",
               _std.SPONGE_SHARE, "%", ">=", ("zjj", "cgzfj"),
               note="70% of rainfall absorbed on site"),
        Target("waterlogging_fixed", "四(四)4", "积水点整治", "Waterlogging points fixed",
               _std.WATERLOGGING_FIXED_RATE, "%", ">=", ("zjj", "cgzfj")),
        Target("no_illegal_construction", "四(七)2", "无违建街道创建",
               "Street offices without illegal construction", _std.NO_ILLEGAL_CONSTRUCTION_RATE,
               "%", ">=", ("zrzyj", "cgzfj")),
    )
}


@dataclass(frozen=True)
class Phase:
    """One phase of the plan's timeline."""

    key: str
    zh: str
    en: str
    start: _dt.date
    end: _dt.date


PHASES: tuple[Phase, ...] = (
    Phase("launch", "宣传启动", "Launch and publicity", _dt.date(2019, 4, 1),
          _dt.date(2019, 5, 31)),
    Phase("works", "综合治理", "Comprehensive works", _dt.date(2019, 6, 1), _dt.date(2020, 8, 31)),
    Phase("consolidate", "巩固提高", "Consolidation", _dt.date(2020, 9, 1), _dt.date(2020, 11, 30)),
    Phase("inspection", "检查考评", "Inspection and evaluation", _dt.date(2020, 12, 1),
          _dt.date(2020, 12, 31)),
)


def phase_on(day: _dt.date) -> Phase | None:
    """The plan phase a date falls in, or None before 2019-04-01 and after 2020-12-31.

    Examples
    --------
    >>> phase_on(_dt.date(2020, 12, 5)).key
    'inspection'
    >>> phase_on(_dt.date(2021, 1, 1)) is None
    True
    """
    for p in PHASES:
        if p.start <= day <= p.end:
            return p
    return None
