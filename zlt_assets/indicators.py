"""Every figure a report, batch summary, overlay or plugin output shows, declared once.

An :class:`Indicator` has a key (the name of the figure in JSON and tables), its Chinese and
English label, its unit, the :class:`~zlt_assets.standards.Standard` it is compared with (with
the standard's source) and how it is computed. Faces label a figure with :func:`label` or
:func:`heading` instead of typing the words again; comparisons with a target go through
:func:`meets`; which standard a coverage result is judged by is :func:`coverage_standard`.

Groups (:attr:`Indicator.group`):

* ``target`` - the plan's quantitative targets (one per :data:`zlt_assets.plan.TARGETS`, same
  key), with the method the scorecard uses or the data it would need;
* ``district`` - the street-office breakdown of the scorecard;
* ``coverage`` - the summary of a coverage run (CLI JSON, batch tables, plugin outputs, overlays);
* ``toilets`` - the toilet-gap results;
* ``evidence`` - the figures behind a scorecard value (shown as "依据 Evidence").

This module imports only the standard library and the other declarations (``plan``,
``schema``, ``standards``); the QGIS plugin may bundle :func:`catalogue` as JSON.

Examples
--------
>>> label("area_share")
'面积覆盖率 / Area share covered'
>>> INDICATORS["road_lighting"].source.cite()
'扎兰屯精细化管理方案 四(六)3 [C]'
>>> meets(97.6, TARGETS_BY_ID["road_lighting"])
False
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import plan, schema, standards
from .standards import Standard

__all__ = [
    "DISTRICT",
    "GROUPS",
    "INDICATORS",
    "TARGETS_BY_ID",
    "VALUE_LABELS",
    "Indicator",
    "catalogue",
    "coverage_standard",
    "evidence_label",
    "get",
    "heading",
    "label",
    "meets",
    "unit_of",
    "value_label",
]

GROUPS = ("target", "district", "coverage", "toilets", "evidence")


@dataclass(frozen=True)
class Indicator:
    """One figure shown to users.

    Attributes
    ----------
    key
        Its name in JSON, tables and the plugin's outputs.
    zh, en
        Its label.
    unit
        Display unit (``%``, ``share`` for a fraction 0-1, ``m²``, ``人``, ``栋`` ...).
    group
        One of :data:`GROUPS`.
    source
        The standard or plan figure it is compared with (None: a plain figure).
    method_zh, method_en
        How it is computed.
    needs_zh, needs_en
        For a target the inventory cannot measure: the data it would need.
    domain
        For a breakdown keyed by codes (``by_status``): the domain whose labels name the codes.
    """

    key: str
    zh: str
    en: str
    unit: str = ""
    group: str = "evidence"
    source: Standard[Any] | None = None
    method_zh: str = ""
    method_en: str = ""
    needs_zh: str = ""
    needs_en: str = ""
    domain: str | None = None

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise ValueError(f"indicator {self.key}: group must be one of {GROUPS}")

    @property
    def label(self) -> str:
        """``zh / en``."""
        return f"{self.zh} / {self.en}"

    @property
    def heading(self) -> str:
        """A table heading: ``zh en (unit)`` (no unit for plain counts without one)."""
        return f"{self.zh} {self.en}" + (f" ({self.unit})" if self.unit else "")


def _t(key: str, method_zh: str = "", method_en: str = "", needs_zh: str = "",
       needs_en: str = "") -> Indicator:
    """A plan target as an indicator (labels, unit and standard from :data:`plan.TARGETS`)."""
    t = plan.TARGETS[key]
    return Indicator(key, t.zh, t.en, t.unit, "target", t.standard, method_zh, method_en,
                     needs_zh, needs_en)


#: Distance words of the bus-stop coverage method (``{distance}`` in its method text).
DISTANCE_WORDS = {"euclidean": ("直线距离", "euclidean"), "network": ("路网距离", "network")}

_TARGETS = (
    _t("facade_lighting",
       "状态为已完工/已验收且完成日期不晚于评估日的楼体亮化建筑栋数",
       "buildings whose lighting status is completed/accepted with completed_date on or "
       "before the as-of date"),
    _t("facade_renovation",
       "列入立面改造(renovation=是)且改造状态为已完工/已验收、改造完成日期不晚于评估日的建筑栋数",
       "buildings with renovation = true whose renovation_status is completed/accepted "
       "with renovation_date on or before the as-of date"),
    _t("bridge_lighting",
       "列入桥体亮化(plan_lighting=是)且亮化工程已完工/已验收的桥梁座数",
       "bridges with plan_lighting = true whose lighting works are completed/accepted "
       "on or before the as-of date"),
    _t("roads_built",
       "计划道路编号(plan_road)的全部路段均已完工/已验收的道路条数;新建道路须有非机动车道、人行便道和"
       "无障碍通道,缺者列出且该目标不达标",
       "plan roads (distinct plan_road numbers) all of whose segments are completed/accepted; "
       "new roads must have a bike lane, sidewalk and barrier-free passage: those lacking one "
       "are listed and keep the target unmet"),
    _t("road_area_per_capita",
       "道路用地面积 = 红线宽度 × 长度(length_m),计评估日已存在的路段(新建路段自完工起);"
       "除以人口格网总人口。车行道面积(车行道宽度 × 长度)列于依据中",
       "road land area = red-line width × length (length_m) of the segments existing at "
       "the as-of date (new segments from completion), divided by the population grid "
       "total; carriageway area (carriageway width × length) is given in the evidence"),
    _t("bus_stop_coverage",
       "城区范围内距评估日在用公交站点{radius}米以内的面积占比(官方定义,{distance_zh},"
       "{cell}米格网);人口覆盖率并列",
       "share of the urban area within {radius} m of a bus stop in service at the as-of date "
       "(the official definition; {distance_en} distance, {cell} m grid); population share "
       "beside it"),
    _t("road_lighting",
       "主干路、次干路亮灯数之和 ÷ 应设路灯数之和(亮灯率);装灯率 = 已装路灯数 ÷ 应设路灯数;"
       "两者均须 ≥ {target}%。灯数为数据记录的现状",
       "sum of lamps lit ÷ sum of lamps required on main and secondary roads (lit rate); "
       "installed rate = lamps installed ÷ lamps required; both must be ≥ {target}%. Lamp "
       "counts are the state recorded in the data"),
    _t("mech_sweeping",
       "机械化清扫路段长度 ÷ 评估日已存在的全部道路长度(按 length_m)。清扫方式为数据记录的现状",
       "length of mechanically swept segments ÷ length of all roads existing at the as-of "
       "date (length_m). Sweeping is the state recorded in the data"),
    _t("road_cleanliness", needs_zh="需要道路清洁度检查评分记录(按路段的检查日期与等级)",
       needs_en="needs road-cleanliness inspection records (grade per road section and "
                "inspection date)"),
    _t("green_ratio",
       "各类绿地(parks 图层全部 green_type)合并后与城区范围相交的面积 ÷ 城区范围面积。"
       "绿地为数据记录的现状",
       "area of all green space (every green_type of the parks layer, dissolved) inside the "
       "urban area ÷ urban-area area. Green space is the state recorded in the data"),
    _t("park_per_capita",
       "公园绿地(green_type = park)合并面积(有城区范围时取其内部)÷ 人口格网总人口",
       "area of park green space (green_type = park, dissolved; inside the urban area when "
       "there is one) ÷ population grid total"),
    _t("site_dust", needs_zh="需要在建工地清单及“六个百分之百”措施落实检查记录",
       needs_en="needs a register of construction sites with inspections of the six dust "
                "measures"),
    _t("owners_committees", needs_zh="需要小区清单(是否符合组建条件、业委会是否组建)",
       needs_en="needs a register of residential compounds (eligible or not, owners' "
                "committee formed)"),
    _t("waste_recycling", needs_zh="需要试点小区生活垃圾产生量与回收利用量统计",
       needs_en="needs household-waste generated and recycled tonnages for the pilot "
                "compounds"),
    _t("sewage_treatment", needs_zh="需要污水处理厂处理量与城市污水排放量统计",
       needs_en="needs treated volumes of the sewage plants and the urban sewage volume"),
    _t("sponge_city", needs_zh="需要达到海绵城市要求(年径流总量控制率70%)的片区范围图层",
       needs_en="needs a layer of the areas that meet the sponge-city standard (70% of "
                "rainfall kept)"),
    _t("waterlogging_fixed",
       "整治状态为已整治且整治完成日期不晚于评估日的积水点 ÷ 全部积水点",
       "waterlogging points with remedy_status fixed and remedy_date on or before the "
       "as-of date ÷ all waterlogging points"),
    _t("no_illegal_construction",
       needs_zh="需要各街道违法建设清单或“无违建街道”验收结果",
       needs_en="needs the illegal-construction register or the acceptance results per "
                "street office"),
)
#: The plan's targets by id (the same objects as :data:`zlt_assets.plan.TARGETS`).
TARGETS_BY_ID: dict[str, plan.Target] = dict(plan.TARGETS)


def _d(key: str, zh: str, en: str, unit: str, source: Standard[Any] | None = None) -> Indicator:
    return Indicator(key, zh, en, unit, "district", source)


_S = standards
#: The street-office breakdown of the scorecard, in column order.
DISTRICT: tuple[Indicator, ...] = (
    _d("facade_lighting_done", "楼体亮化已完成", "Facade lighting done", "栋"),
    _d("facade_lighting_total", "楼体亮化总数", "Facade lighting buildings", "栋"),
    _d("facade_lighting_pct", "楼体亮化完成率", "Facade lighting done share", "%"),
    _d("facade_renovation_done", "立面改造已完成", "Facade renovation done", "栋"),
    _d("facade_renovation_total", "立面改造总数", "Facade renovation buildings", "栋"),
    _d("bridge_lighting_done", "桥体亮化已完成", "Bridges lit", "座"),
    _d("bridge_lighting_total", "桥体亮化总数", "Plan bridges", "座"),
    _d("plan_road_segments_done", "计划道路路段已完成", "Plan road segments done", "段"),
    _d("plan_road_segments_total", "计划道路路段总数", "Plan road segments", "段"),
    _d("new_road_segments_missing_features", "新建道路缺配套路段",
       "New road segments lacking features", "段"),
    _d("road_lighting_pct", "主次干道亮灯率", "Main/secondary road lit rate", "%",
       _S.ROAD_LIGHTING_RATE),
    _d("road_lighting_installed_pct", "主次干道装灯率", "Main/secondary road lamps installed", "%",
       _S.ROAD_LIGHTING_RATE),
    _d("mech_sweeping_pct", "机械化清扫率", "Mechanised sweeping share", "%",
       _S.MECH_SWEEPING_RATE),
    _d("waterlogging_fixed", "积水点已整治", "Waterlogging points fixed", "处"),
    _d("waterlogging_total", "积水点总数", "Waterlogging points", "处"),
    _d("bus_coverage_area_pct", "公交500米面积覆盖率", "Bus-stop 500 m area coverage", "%",
       _S.BUS_COVERAGE_PLAN),
    _d("bus_coverage_population_pct", "公交500米人口覆盖率", "Bus-stop 500 m population coverage",
       "%"),
    _d("green_ratio_pct", "绿地率", "Green space ratio", "%", _S.GREEN_RATIO),
    _d("population", "人口(人口格网)", "Residents (population grid)", "人"),
    _d("road_area_per_capita", "人均道路面积", "Road area per resident", "m²/人",
       _S.ROAD_AREA_PER_CAPITA),
    _d("park_per_capita", "人均公园绿地面积", "Park green space per resident", "m²/人",
       _S.PARK_PER_CAPITA),
    _d("unmet_assets", "未达标资产数", "Assets keeping targets unmet", "个"),
)


def _c(key: str, zh: str, en: str, unit: str = "", source: Standard[Any] | None = None,
       group: str = "coverage") -> Indicator:
    return Indicator(key, zh, en, unit, group, source)


_COVERAGE = (
    _c("method", "方法", "Method (euclidean / network)"),
    _c("radius_m", "半径", "Radius", "m", _S.BUS_STOP_RADIUS),
    _c("cell_m", "格网", "Grid cell", "m", _S.GRID_CELL),
    _c("facilities", "设施数", "Facilities"),
    _c("unreachable_facilities", "无法接入路网设施数", "Facilities off the network", "",
       _S.FACILITY_MAX_SNAP),
    _c("unreachable_ids", "无法接入设施编号", "Ids of facilities off the network"),
    _c("area_total_m2", "总面积", "Total area", "m²"),
    _c("area_covered_m2", "覆盖面积", "Covered area", "m²"),
    _c("area_share", "面积覆盖率", "Area share covered", "share", _S.BUS_COVERAGE_MIN_500),
    _c("population_total", "总人口", "Total population", "人"),
    _c("population_covered", "覆盖人口", "Population covered", "人"),
    _c("population_share", "人口覆盖率", "Population share covered", "share"),
    _c("standard_min_share", "规范最低面积覆盖率", "Standard minimum area share", "share"),
    _c("meets_standard", "是否达标", "Meets the standard"),
    _c("standard_source", "规范来源", "Standard source"),
    _c("code", "区划代码", "Division code"),
    _c("district", "街道办事处", "Street office"),
    _c("area_m2", "面积", "Area", "m²"),
    _c("population", "人口", "Population", "人"),
    _c("rank", "选址排序", "Rank"),
    _c("candidate", "候选点", "Candidate"),
    _c("gain", "新增覆盖人口", "Population newly covered", "人"),
    _c("cumulative", "累计新增覆盖", "Cumulative newly covered", "人"),
)

_TOILETS = (
    _c("toilets", "沿街公厕数", "Toilets along it", group="toilets"),
    _c("max_gap_m", "最长无公厕路段", "Longest stretch without a toilet", "m",
       _S.TOILET_SPACING_M, "toilets"),
    _c("spacing_min_m", "间距下限", "Spacing lower bound", "m", _S.TOILET_SPACING_M, "toilets"),
    _c("spacing_max_m", "间距上限", "Spacing limit", "m", _S.TOILET_SPACING_M, "toilets"),
)


def _e(key: str, zh: str, en: str, unit: str = "", domain: str | None = None) -> Indicator:
    return Indicator(key, zh, en, unit, "evidence", domain=domain)


#: The figures behind a scorecard value, as its evidence shows them.
_EVIDENCE = (
    _e("in_inventory", "清单中数量", "In the inventory"),
    _e("required", "方案要求", "Required by the plan"),
    _e("done", "已完成", "Done"),
    _e("not_done", "未完成", "Not done"),
    _e("completed_after_as_of", "评估日后完成", "Completed after the as-of date"),
    _e("done_dated_by_updated", "无完成日期、按更新日期计为完成",
       "Done without a completion date (dated by the update date)"),
    _e("by_status", "按状态", "By status", domain="works_status"),
    _e("by_remedy_status", "按整治状态", "By remedy status", domain="remedy_status"),
    _e("count_differs_from_plan", "数量与方案不符", "Count differs from the plan"),
    _e("plan_bridges_named", "方案点名的桥梁", "Bridges the plan names"),
    _e("plan_bridges_not_in_inventory", "清单中缺少的方案桥梁",
       "Plan bridges not in the inventory"),
    _e("plan_roads_in_inventory", "清单中的计划道路", "Plan roads in the inventory"),
    _e("plan_roads_done", "已完成的计划道路", "Plan roads done"),
    _e("plan_road_segments", "计划道路路段", "Plan road segments"),
    _e("plan_roads_done_list", "已完成的计划道路编号", "Plan roads done (numbers)"),
    _e("new_segments", "新建路段", "New road segments"),
    _e("new_segments_missing_features", "缺少配套的新建路段", "New segments lacking features"),
    _e("missing", "缺少", "Missing"),
    _e("missing_zh", "缺少(中文)", "Missing (Chinese)"),
    _e("plan_road", "计划道路编号", "Plan road number"),
    _e("obj_id", "对象编码", "Object id"),
    _e("name", "名称", "Name"),
    _e("segments", "路段数", "Segments"),
    _e("length_m", "长度", "Length", "m"),
    _e("red_line_area_m2", "红线面积", "Red-line area", "m²"),
    _e("carriageway_area_m2", "车行道面积", "Carriageway area", "m²"),
    _e("segments_without_red_line_width", "缺红线宽度的路段", "Segments without red-line width"),
    _e("width_used", "所用宽度字段", "Width field used"),
    _e("carriageway_area_per_capita_m2", "人均车行道面积", "Carriageway area per resident",
       "m²/人"),
    _e("segments_with_lamp_data", "有路灯数据的路段", "Segments with lamp data"),
    _e("lamps_required", "应设路灯数", "Lamps required"),
    _e("lamps_installed", "已装路灯数", "Lamps installed"),
    _e("lamps_lit", "亮灯数", "Lamps lit"),
    _e("lit_pct", "亮灯率", "Lit rate", "%"),
    _e("installed_pct", "装灯率", "Installed rate", "%"),
    _e("lit_of_installed_pct", "已装路灯亮灯率", "Lit share of installed lamps", "%"),
    _e("swept_length_m", "机械化清扫长度", "Mechanically swept length", "m"),
    _e("swept_segments", "机械化清扫路段", "Mechanically swept segments"),
    _e("stops_in_inventory", "清单中的公交站点", "Bus stops in the inventory"),
    _e("stops_in_service", "评估日在用站点", "Stops in service at the as-of date"),
    _e("area_pct", "面积覆盖率", "Area share covered", "%"),
    _e("population_pct", "人口覆盖率", "Population share covered", "%"),
    _e("urban_area_m2", "城区面积", "Urban area", "m²"),
    _e("green_area_m2", "绿地面积", "Green area", "m²"),
    _e("green_area_by_type_m2", "各类绿地面积", "Green area by type", "m²", domain="green_type"),
    _e("polygons", "绿地图斑数", "Green-space polygons"),
    _e("park_area_m2", "公园绿地面积", "Park green area", "m²"),
    _e("parks", "公园绿地图斑数", "Park polygons"),
    _e("waterlogging_points", "积水点", "Waterlogging points"),
    _e("fixed", "已整治", "Fixed"),
    _e("not_fixed", "未整治", "Not fixed"),
)

#: Every indicator by key, except the street-office breakdown (:data:`DISTRICT`, columns of
#: its own whose keys may repeat a target's: ``waterlogging_fixed`` there counts points).
INDICATORS: dict[str, Indicator] = {}
for _ind in (*_TARGETS, *_COVERAGE, *_TOILETS, *_EVIDENCE):
    if _ind.key in INDICATORS:
        raise ValueError(f"indicator {_ind.key} is declared twice")
    INDICATORS[_ind.key] = _ind

#: Labels of values that are codes of the tool itself (not of a schema domain).
VALUE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "method": {"euclidean": ("直线距离", "straight line"), "network": ("路网距离", "network")},
    "width_used": {"red_line_width_m": ("红线宽度", "red-line width"),
                   "carriageway_width_m": ("车行道宽度", "carriageway width")},
}


def get(key: str) -> Indicator:
    """The indicator of a key; KeyError naming the key when it is not declared.

    Examples
    --------
    >>> get("population_share").unit
    'share'
    """
    try:
        return INDICATORS[key]
    except KeyError:
        raise KeyError(f"indicator {key!r} is not declared in zlt_assets.indicators") from None


def _pair(key: str) -> tuple[str, str] | None:
    """(zh, en) of a key: an indicator, else a schema field of any layer, else None."""
    ind = INDICATORS.get(key)
    if ind is not None:
        return ind.zh, ind.en
    for lyr in schema.LAYERS.values():
        if key in lyr.field_names:
            f = lyr.field(key)
            return f.zh, f.en
    return None


def label(key: str) -> str:
    """``zh / en`` of a key: an indicator, else a schema field of any layer, else the key.

    Examples
    --------
    >>> label("done_dated_by_updated")
    '无完成日期、按更新日期计为完成 / Done without a completion date (dated by the update date)'
    >>> label("lamps_lit")
    '亮灯数 / Lamps lit'
    """
    pair = _pair(key)
    return key if pair is None else f"{pair[0]} / {pair[1]}"


def heading(key: str) -> str:
    """A table heading ``zh en (unit)`` of a key (see :func:`label`).

    Examples
    --------
    >>> heading("area_covered_m2")
    '覆盖面积 Covered area (m²)'
    """
    ind = INDICATORS.get(key)
    if ind is not None:
        return ind.heading
    return evidence_label(key)


def evidence_label(key: str) -> str:
    """How a report names an evidence figure: ``zh English`` (never the bare key).

    Examples
    --------
    >>> evidence_label("completed_after_as_of")
    '评估日后完成 Completed after the as-of date'
    """
    pair = _pair(key)
    return key if pair is None else f"{pair[0]} {pair[1]}"


def unit_of(key: str) -> str:
    """The display unit of a figure ("" for counts, shares and unknown keys).

    Examples
    --------
    >>> unit_of("red_line_area_m2"), unit_of("lit_pct"), unit_of("area_share")
    ('m²', '%', '')
    """
    ind = INDICATORS.get(key)
    if ind is None or ind.unit == "share":
        return ""
    return ind.unit


def value_label(key: str, value: object) -> str | None:
    """``zh / en`` of a coded value of figure ``key`` (a status code, a method), else None.

    Examples
    --------
    >>> value_label("by_status", "completed")
    '已完工 / Completed'
    >>> value_label("method", "network")
    '路网距离 / network'
    """
    code = str(value)
    own = VALUE_LABELS.get(key, {})
    if code in own:
        zh, en = own[code]
        return f"{zh} / {en}"
    ind = INDICATORS.get(key)
    if ind is not None and ind.domain is not None:
        dom = schema.DOMAINS.get(ind.domain)
        if dom is not None and code in dom:
            return dom.get(code).bilingual()
    return None


def meets(value: float, target: float | plan.Target | Standard[Any],
          comparator: str = ">=") -> bool:
    """Whether a value reaches a target (the one comparison of every face).

    ``target`` is a number, a :class:`~zlt_assets.plan.Target` (its value and comparator) or
    a :class:`~zlt_assets.standards.Standard` (its value). Values within
    :data:`zlt_assets.standards.TARGET_COMPARE_TOLERANCE` of the target count as reaching it.

    Examples
    --------
    >>> meets(0.9, standards.BUS_COVERAGE_MIN_500), meets(0.8999, standards.BUS_COVERAGE_MIN_500)
    (True, False)
    >>> meets(98.0, TARGETS_BY_ID["road_lighting"])
    True
    """
    if isinstance(target, plan.Target):
        goal, comparator = float(target.value), target.comparator
    elif isinstance(target, Standard):
        goal = float(target.value)
    else:
        goal = float(target)
    eps = standards.TARGET_COMPARE_TOLERANCE.value
    if comparator == ">=":
        return value >= goal - eps
    if comparator == "<=":
        return value <= goal + eps
    if comparator == "==":
        return abs(value - goal) <= eps
    raise ValueError(f"unknown comparator {comparator!r}")


def coverage_standard(radius_m: float) -> Standard[float] | None:
    """The standard a bus-stop coverage area share is judged by, for a radius.

    GB 50220-95 3.3.3: at least 50% of the urban land within 300 m, 90% within 500 m. Other
    radii have no standard (None).

    Examples
    --------
    >>> coverage_standard(500).value, coverage_standard(300).value, coverage_standard(400)
    (0.9, 0.5, None)
    """
    if float(radius_m) == float(standards.BUS_STOP_RADIUS_SHORT.value):
        return standards.BUS_COVERAGE_MIN_300
    if float(radius_m) == float(standards.BUS_STOP_RADIUS.value):
        return standards.BUS_COVERAGE_MIN_500
    return None


def catalogue(groups: Iterable[str] = GROUPS) -> list[dict[str, object]]:
    """Every indicator as plain data (for the QGIS plugin, documentation, JSON).

    Examples
    --------
    >>> row = next(r for r in catalogue(["target"]) if r["key"] == "road_lighting")
    >>> row["unit"], row["source"]
    ('%', '扎兰屯精细化管理方案 四(六)3 [C]')
    """
    wanted = set(groups)
    out: list[dict[str, object]] = []
    for ind in INDICATORS.values():
        if ind.group not in wanted:
            continue
        row: Mapping[str, object] = {
            "key": ind.key, "zh": ind.zh, "en": ind.en, "unit": ind.unit, "group": ind.group,
            "source": ind.source.cite() if ind.source is not None else None,
            "method_zh": ind.method_zh, "method_en": ind.method_en,
            "needs_zh": ind.needs_zh, "needs_en": ind.needs_en,
        }
        out.append(dict(row))
    return out
