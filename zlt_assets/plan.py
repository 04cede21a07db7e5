"""The plan's required counts, quantitative targets and timeline, as data beside the schema.

Source: 《扎兰屯市推进城市精细化管理三年行动实施方案》 (紮政辦字〔2019〕25號, 2019-05-31);
sections refer to 四、重点任务. Departments use the codes of :data:`zlt_assets.schema.DEPARTMENTS`.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

PLAN_TITLE_ZH = "扎兰屯市推进城市精细化管理三年行动实施方案"
PLAN_TITLE_EN = "Zhalantun three-year action plan for refined urban management"
PLAN_DOCUMENT = "紮政辦字〔2019〕25號 (2019-05-31)"


@dataclass(frozen=True)
class RequiredCount:
    """A count of assets the plan names, checked by validation and the scorecard."""

    key: str
    layer: str
    count: int
    section: str
    zh: str
    en: str


REQUIRED_COUNTS: dict[str, RequiredCount] = {
    c.key: c
    for c in (
        RequiredCount("facade_lighting", "facade_lighting_buildings", 190, "四(一)2",
                      "楼体亮化建筑", "Facade-lighting buildings"),
        RequiredCount("facade_renovation", "facade_lighting_buildings", 31, "四(一)2",
                      "中央路立面改造建筑", "Facade renovations on Zhongyang Road"),
        RequiredCount("bridge_lighting", "bridges", 3, "四(一)2",
                      "桥体亮化桥梁", "Bridges to be lit"),
        RequiredCount("plan_roads", "roads", 45, "四(五)1",
                      "新建改建市政道路", "Municipal roads built or rebuilt"),
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
    """One quantitative target of the plan."""

    id: str
    section: str
    zh: str
    en: str
    value: float
    unit: str
    comparator: str  # ">=", "<=", "=="
    departments: tuple[str, ...]
    due: str = "2020-12-31"
    note: str = ""


TARGETS: dict[str, Target] = {
    t.id: t
    for t in (
        Target("facade_lighting", "四(一)2", "楼体亮化", "Facade lighting", 190, "栋 buildings",
               ">=", ("zjj", "zrzyj")),
        Target("facade_renovation", "四(一)2", "中央路立面改造", "Facade renovation, Zhongyang Road",
               31, "栋 buildings", ">=", ("zjj", "zrzyj")),
        Target("bridge_lighting", "四(一)2", "桥体亮化", "Bridge lighting", 3, "座 bridges", ">=",
               ("zjj", "zrzyj")),
        Target("roads_built", "四(五)1", "新建改建道路", "Roads built or rebuilt", 45, "条 roads",
               ">=", ("zjj",),
               note="each new road with bike lane, sidewalk and barrier-free passage"),
        Target("road_area_per_capita", "四(五)1", "人均道路面积", "Road area per resident", 29.3,
               "m²/人", ">=", ("zjj",)),
        Target("bus_stop_coverage", "四(五)2", "公交站点500米覆盖率", "Bus-stop 500 m coverage",
               100, "%", ">=", ("jtj", "gaj"), due="2020-12-31"),
        Target("road_lighting", "四(六)3", "主次干道亮灯率", "Main and secondary road lighting",
               98, "%", ">=", ("zjj", "cgzfj")),
        Target("mech_sweeping", "四(一)3", "机械化清扫率", "Mechanised sweeping", 50, "%", ">=",
               ("cgzfj",)),
        Target("road_cleanliness", "四(一)3", "道路清洁度良好以上", "Road cleanliness good or better",
               90, "%", ">=", ("cgzfj",)),
        Target("green_ratio", "四(一)4", "建成区绿地率", "Green space ratio, built-up area", 35,
               "%", ">=", ("zjj", "zrzyj", "lcj", "cgzfj")),
        Target("park_per_capita", "四(一)4", "人均公园绿地面积", "Park green space per resident",
               21, "m²/人", ">=", ("zjj", "zrzyj", "lcj", "cgzfj")),
        Target("site_dust", "四(一)5", "工地扬尘六个百分之百", "Construction-site dust measures",
               100, "%", ">=", ("zjj", "cgzfj")),
        Target("owners_committees", "四(二)2", "符合条件小区业委会组建率",
               "Owners' committees where eligible", 100, "%", ">=", ("zjj", "jdb")),
        Target("waste_recycling", "四(三)1", "试点小区生活垃圾回收利用率",
               "Household waste recycling, pilot compounds", 35, "%", ">=",
               ("cgzfj", "zjj", "zrzyj", "fgw")),
        Target("sewage_treatment", "四(四)2", "城市污水处理率", "Urban sewage treatment", 95, "%",
               ">=", ("zjj", "hbj", "slj")),
        Target("sponge_city", "四(四)4", "海绵城市达标面积比例", "Sponge-city area share", 20, "%",
               ">=", ("zjj", "cgzfj"), note="70% of rainfall absorbed on site"),
        Target("waterlogging_fixed", "四(四)4", "积水点整治", "Waterlogging points fixed", 100,
               "%", ">=", ("zjj", "cgzfj")),
        Target("no_illegal_construction", "四(七)2", "无违建街道创建", "Street offices without illegal construction",
               100, "%", ">=", ("zrzyj", "cgzfj")),
    )
}


@dataclass(frozen=True)
class Phase:
    key: str
    zh: str
    en: str
    start: _dt.date
    end: _dt.date


PHASES: tuple[Phase, ...] = (
    Phase("launch", "宣传启动", "Launch and publicity", _dt.date(2019, 4, 1), _dt.date(2019, 5, 31)),
    Phase("works", "综合治理", "Comprehensive works", _dt.date(2019, 6, 1), _dt.date(2020, 8, 31)),
    Phase("consolidate", "巩固提高", "Consolidation", _dt.date(2020, 9, 1), _dt.date(2020, 11, 30)),
    Phase("inspection", "检查考评", "Inspection and evaluation", _dt.date(2020, 12, 1),
          _dt.date(2020, 12, 31)),
)


def phase_on(day: _dt.date) -> Phase | None:
    """The plan phase a date falls in, or None before 2019-04-01 and after 2020-12-31."""
    for p in PHASES:
        if p.start <= day <= p.end:
            return p
    return None
