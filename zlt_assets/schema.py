"""The one declaration every part of zlt-assets derives from.

Every layer of the inventory, every field, every domain (code -> Chinese and English label), the
GB/T 30428 component codes and the plan's required counts and targets are declared here, once.
The GeoPackage writer, the PostGIS DDL, the QGIS edit forms, validation and the reports all read
these declarations; none of them lists fields of its own.

Each layer also declares its rules (:attr:`LayerDef.rules`, see :mod:`zlt_assets.rules`): the
range of each numeric field, conditional requirements (a road being built needs a works status),
fields bounded by others (lamps lit ≤ lamps installed ≤ lamps required), date order, dates not
after the check date, the recorded length against the geometry. Validation evaluates them, the
PostGIS DDL renders them as checks and triggers, the QGIS forms as constraints.

Examples
--------
>>> [r.key for r in ROADS.rules if r.check == "conditional"]
['completed_needs_date', 'works_needs_status']
>>> ROADS.rule("lamps_lit_le_installed").message
'亮灯数不得多于已装路灯数 / Lamps lit must not exceed lamps installed'

Sources: the plan (``紮政辦字〔2019〕25號``, see docs/plan-brief) and the standards named in
:mod:`zlt_assets.standards`.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from . import rules as _r
from .rules import Rule
from .standards import EARLIEST_DATE, LENGTH_TOLERANCE_M, LENGTH_TOLERANCE_SHARE

#: Administrative division code of Zhalantun (扎兰屯市).
DIVISION_CODE = "150783"

#: The project's metric CRS: CGCS2000 / 3-degree Gauss-Kruger CM 123E.
PROJECT_CRS = "EPSG:4550"
#: Display CRS (web maps).
DISPLAY_CRS = "EPSG:4326"
#: Geographic CGCS2000.
CGCS2000_GEOGRAPHIC = "EPSG:4490"


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Code:
    """One value of a domain: the stored code and its labels."""

    code: str
    zh: str
    en: str

    def label(self, lang: str = "zh") -> str:
        """The label in one language (``zh`` or ``en``)."""
        return self.zh if lang == "zh" else self.en

    def bilingual(self) -> str:
        """``zh / en``."""
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class Domain:
    """A closed list of codes with Chinese and English labels."""

    name: str
    zh: str
    en: str
    values: tuple[Code, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """The stored codes, in declaration order."""
        return tuple(v.code for v in self.values)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def get(self, code: str) -> Code:
        """The :class:`Code` of a stored code; KeyError naming the domain when unknown."""
        for v in self.values:
            if v.code == code:
                return v
        raise KeyError(f"{code!r} is not in domain {self.name} ({', '.join(self.codes)})")

    def label(self, code: str, lang: str = "zh") -> str:
        """The label of a code in one language."""
        return self.get(code).label(lang)

    def labels(self, lang: str = "zh") -> dict[str, str]:
        """Code -> label in one language."""
        return {v.code: v.label(lang) for v in self.values}


#: Field types. ``text``, ``integer``, ``real``, ``boolean``, ``date`` (ISO ``YYYY-MM-DD``),
#: ``datetime`` (ISO).
FIELD_TYPES = ("text", "integer", "real", "boolean", "date", "datetime")


@dataclass(frozen=True)
class FieldDef:
    """One attribute of a layer."""

    name: str
    type: str
    zh: str
    en: str
    required: bool = False
    domain: Domain | None = None
    unit: str | None = None
    description: str = ""
    default: object | None = None
    minimum: float | None = None
    maximum: float | None = None
    read_only: bool = False
    unique: bool = False

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type}")

    @property
    def label(self) -> str:
        """Form label, Chinese first."""
        return f"{self.zh} / {self.en}" + (f" ({self.unit})" if self.unit else "")


@dataclass(frozen=True)
class LayerDef:
    """One layer of the inventory."""

    name: str
    zh: str
    en: str
    geometry: str  # Point, LineString, Polygon, MultiPolygon, MultiLineString
    kind: str  # "asset" (plan assets with object ids) or "frame" (context)
    fields: tuple[FieldDef, ...]
    group: str  # layer-tree group for QGIS and maps
    description: str = ""
    #: GB/T 30428 class+subclass (4 digits), or a field whose value chooses it (see code_by_value)
    component_code: str | None = None
    code_field: str | None = None
    code_by_value: Mapping[str, str] = field(default_factory=dict)
    #: the field that carries a human name, for labels and search
    name_field: str | None = "name"
    order: int = 0
    #: every rule a record of the layer must satisfy (ranges, conditional requirements,
    #: bounds, date order, dates not in the future, geometry tolerances)
    rules: tuple[Rule, ...] = ()

    def __post_init__(self) -> None:
        names = set(self.field_names)
        keys: set[str] = set()
        for r in self.rules:
            if r.key in keys:
                raise ValueError(f"layer {self.name}: rule {r.key} is declared twice")
            keys.add(r.key)
            unknown = [f for f in r.fields if f not in names]
            if unknown:
                raise ValueError(f"layer {self.name}: rule {r.key} names unknown fields {unknown}")

    def field(self, name: str) -> FieldDef:
        """The declaration of one field; KeyError when the layer has no such field."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"layer {self.name} has no field {name}")

    def rule(self, key: str) -> Rule:
        """The rule with that key; KeyError when the layer has no such rule."""
        for r in self.rules:
            if r.key == key:
                return r
        raise KeyError(f"layer {self.name} has no rule {key}")

    @property
    def field_names(self) -> tuple[str, ...]:
        """Names of the declared fields, in order."""
        return tuple(f.name for f in self.fields)

    @property
    def required_fields(self) -> tuple[str, ...]:
        """Names of the fields that must be filled in."""
        return tuple(f.name for f in self.fields if f.required)

    def component_codes(self) -> tuple[str, ...]:
        """All 4-digit component codes an object id of this layer may carry."""
        if self.code_by_value:
            return tuple(sorted(set(self.code_by_value.values())))
        return (self.component_code,) if self.component_code else ()

    def component_code_for(self, record: Mapping[str, object]) -> str | None:
        """The component code an object id of this record must carry (None: any)."""
        if self.code_field and self.code_by_value:
            return self.code_by_value.get(str(record.get(self.code_field)))
        return self.component_code

    @property
    def title(self) -> str:
        """``zh / en``."""
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class RasterDef:
    """A raster that belongs to the inventory (stored beside the GeoPackage)."""

    name: str
    zh: str
    en: str
    suffix: str  # file name = <inventory stem> + suffix
    unit: str
    description: str


# --------------------------------------------------------------------------------------------
# Domains
# --------------------------------------------------------------------------------------------
def _domain(name: str, zh: str, en: str, *values: tuple[str, str, str]) -> Domain:
    return Domain(name, zh, en, tuple(Code(*v) for v in values))


STREET_OFFICES = _domain(
    "street_office", "街道办事处", "Street office",
    ("150783001", "兴华街道", "Xinghua"),
    ("150783002", "正阳街道", "Zhengyang"),
    ("150783003", "繁荣街道", "Fanrong"),
    ("150783004", "向阳街道", "Xiangyang"),
    ("150783005", "高台子街道", "Gaotaizi"),
    ("150783006", "铁东街道", "Tiedong"),
    ("150783007", "河西街道", "Hexi"),
)

DEPARTMENTS = _domain(
    "department", "责任单位", "Responsible department",
    ("zjj", "住建局", "Housing and Urban-Rural Development Bureau"),
    ("zrzyj", "自然资源局", "Natural Resources Bureau"),
    ("cgzfj", "城管执法局", "Urban Management and Law Enforcement Bureau"),
    ("jtj", "交通局", "Transport Bureau"),
    ("gaj", "公安局", "Public Security Bureau (traffic)"),
    ("slj", "水利局", "Water Resources Bureau"),
    ("hbj", "环保局", "Environmental Protection Bureau"),
    ("lcj", "林草局", "Forestry and Grassland Bureau"),
    ("fgw", "发改委", "Development and Reform Commission"),
    ("jdb", "各街道办事处", "Street offices"),
)

WORKS_STATUS = _domain(
    "works_status", "工程状态", "Works status",
    ("planned", "计划", "Planned"),
    ("under_construction", "在建", "Under construction"),
    ("completed", "已完工", "Completed"),
    ("accepted", "已验收", "Accepted"),
)
#: Works statuses that count as done for the plan's targets.
DONE_STATUSES = ("completed", "accepted")

SERVICE_STATUS = _domain(
    "service_status", "设施状态", "Facility status",
    ("planned", "规划", "Planned"),
    ("under_construction", "在建", "Under construction"),
    ("in_service", "在用", "In service"),
    ("closed", "停用", "Closed"),
)
#: Facility statuses that count as existing for coverage and gaps.
IN_SERVICE_STATUSES = ("in_service",)
#: Facility statuses of facilities being planned or built (counted when asked to).
PLANNED_STATUSES = ("planned", "under_construction")


def _blank(value: object) -> bool:
    """NULL, NaN, pandas NA or blank text."""
    if value is None:
        return True
    try:
        if value != value:  # NaN
            return True
    except (TypeError, ValueError):  # pandas NA has no truth value
        return True
    return isinstance(value, str) and not value.strip()


def is_in_service(status: object, entered: object = None, as_of: _dt.date | None = None, *,
                  include_planned: bool = False) -> bool:
    """Whether a facility counts as existing: the one definition of "in service".

    A facility is in service when its status is one of :data:`IN_SERVICE_STATUSES` (with
    ``include_planned`` also :data:`PLANNED_STATUSES`), or when it has no status at all (NULL
    or blank): a facility whose status is not recorded is taken as existing, as are the rows of
    a facility file without a status column (validation reports the blank status of an
    inventory layer, where it is required). Another status (closed, planned ...) does not
    count. With ``as_of``, the date it entered service (``completed_date``: a date or ISO text)
    must be empty or on or before ``as_of``.

    Examples
    --------
    >>> is_in_service("in_service"), is_in_service(None), is_in_service("closed")
    (True, True, False)
    >>> is_in_service("planned")
    False
    >>> is_in_service("planned", include_planned=True)
    True
    >>> is_in_service("in_service", "2020-06-01", _dt.date(2020, 1, 1))
    False
    """
    keep = IN_SERVICE_STATUSES + (PLANNED_STATUSES if include_planned else ())
    if not _blank(status) and str(status).strip() not in keep:
        return False
    if as_of is None or entered is None:
        return True
    day: _dt.date | None
    if isinstance(entered, _dt.datetime):
        day = entered.date()
    elif isinstance(entered, _dt.date):
        day = entered
    else:
        try:
            day = _dt.date.fromisoformat(str(entered).strip()[:10])
        except ValueError:
            day = None  # not a date: the date format check reports it
    return day is None or day <= as_of

DATA_SOURCE = _domain(
    "data_source", "数据来源", "Data source",
    ("survey", "实地调查", "Field survey"),
    ("reference", "公开参考数据", "Public reference data"),
    ("illustrative", "示意数据(非真实)", "Illustrative (made, not real)"),
)

STREET_GROUPS = _domain(
    "street_group", "亮化街区", "Lighting street group",
    ("zhongyang", "中央路东西两侧", "Zhongyang Road, east and west sides"),
    ("zhanqian", "站前街区域", "Zhanqian Street area"),
    ("yalu", "雅鲁街", "Yalu Street"),
    ("lvlin_zhenxing", "绿林街、振兴路", "Lülin Street and Zhenxing Road"),
    ("limingshan", "黎明山路", "Limingshan Road"),
)

ROAD_CLASSES = _domain(
    "road_class", "道路等级", "Road class",
    ("expressway", "快速路", "Expressway"),
    ("main", "主干路", "Main road"),
    ("secondary", "次干路", "Secondary road"),
    ("branch", "支路", "Branch road"),
)

ROAD_WORKS = _domain(
    "road_works", "建设类型", "Road works",
    ("new", "新建", "New build"),
    ("rebuilt", "改建", "Rebuild"),
    ("none", "无", "None"),
)

HAZARD_STATUS = _domain(
    "hazard_status", "隐患状态", "Hazard status",
    ("none", "无隐患", "No hazard"),
    ("found", "发现隐患", "Hazard found"),
    ("fixing", "整治中", "Being fixed"),
    ("fixed", "已整治", "Fixed"),
)

TOILET_TYPES = _domain(
    "toilet_type", "公厕类型", "Toilet type",
    ("fixed", "固定式公厕", "Fixed public toilet"),
    ("mobile", "移动式公厕", "Mobile toilet"),
    ("opened", "社会开放厕所", "Shop or office toilet opened to the public"),
)

DRAINAGE_TYPES = _domain(
    "drainage_type", "排水设施类型", "Drainage point type",
    ("waterlogging", "积水点", "Waterlogging point"),
    ("rain_inlet", "雨水箅子", "Rain inlet (grate)"),
    ("inspection_well", "检查井", "Inspection well"),
    ("outfall", "排放口", "Outfall"),
    ("pump_station", "泵站", "Pump station"),
    ("mixed_connection", "雨污混接点", "Mixed rain/sewage connection"),
)

REMEDY_STATUS = _domain(
    "remedy_status", "整治状态", "Remedy status",
    ("not_started", "未整治", "Not started"),
    ("in_progress", "整治中", "In progress"),
    ("fixed", "已整治", "Fixed"),
)

LAND_USE = _domain(
    "land_use", "用地类别(公厕密度)", "Land-use class (toilet density)",
    ("R", "居住用地", "Residential (R)"),
    ("ABS", "公共服务、商业、道路交通用地",
     "Public service, commercial, road and transport (A, B, S)"),
    ("G", "绿地与广场用地", "Green space and squares (G)"),
    ("MW", "工业、物流仓储用地", "Industrial and logistics (M, W)"),
)

GREEN_TYPES = _domain(
    "green_type", "绿地类型", "Green space type",
    ("park", "公园绿地", "Park green space (G1)"),
    ("protective", "防护绿地", "Protective green (G2)"),
    ("square", "广场用地", "Square (G3)"),
    ("attached", "附属绿地", "Attached green (XG)"),
    ("regional", "区域绿地", "Regional green (EG)"),
)

DOMAINS: dict[str, Domain] = {
    d.name: d
    for d in (
        STREET_OFFICES, DEPARTMENTS, WORKS_STATUS, SERVICE_STATUS, DATA_SOURCE, STREET_GROUPS,
        ROAD_CLASSES, ROAD_WORKS, HAZARD_STATUS, TOILET_TYPES, DRAINAGE_TYPES, REMEDY_STATUS,
        LAND_USE, GREEN_TYPES,
    )
}

# --------------------------------------------------------------------------------------------
# GB/T 30428 component codes (class 2 digits + subclass 2 digits); local classes >= 21
# --------------------------------------------------------------------------------------------
COMPONENT_CODES = _domain(
    "component_code", "部件代码", "Component code (GB/T 30428)",
    ("0103", "雨水井盖", "Rain manhole cover"),
    ("0104", "雨水箅子", "Rain grate"),
    ("0118", "路灯", "Street lamp"),
    ("0120", "景观灯", "Landscape lamp"),
    ("0203", "公交站亭", "Bus shelter"),
    ("0208", "跨河桥", "River bridge"),
    ("0301", "公共厕所", "Public toilet"),
    ("0303", "公厕指示牌", "Toilet sign"),
    # local class 21: refined-management assets the standard has no code for
    ("2101", "楼体亮化建筑(地方扩展)", "Facade-lighting building (local)"),
    ("2102", "市政道路(地方扩展)", "Municipal road segment (local)"),
    ("2103", "积水点(地方扩展)", "Waterlogging point (local)"),
    ("2104", "排放口(地方扩展)", "Outfall (local)"),
    ("2105", "排水泵站(地方扩展)", "Drainage pump station (local)"),
    ("2106", "雨污混接点(地方扩展)", "Mixed rain/sewage connection (local)"),
)


def make_object_id(component_code: str, serial: int) -> str:
    """Object id in the GB/T 30428 16-digit form: 150783 + class + subclass + 6-digit serial."""
    if len(component_code) != 4 or not component_code.isdigit():
        raise ValueError(f"component code must be 4 digits, got {component_code!r}")
    if not 0 < serial < 1_000_000:
        raise ValueError(f"serial must be 1..999999, got {serial}")
    return f"{DIVISION_CODE}{component_code}{serial:06d}"


def parse_object_id(obj_id: str) -> tuple[str, str, int]:
    """Split an object id into (division, component code, serial); ValueError when malformed."""
    s = str(obj_id)
    if len(s) != 16 or not s.isdigit():
        raise ValueError(f"object id must be 16 digits, got {s!r}")
    return s[:6], s[6:10], int(s[10:])


# --------------------------------------------------------------------------------------------
# Fields
# --------------------------------------------------------------------------------------------
def _f(name: str, type_: str, zh: str, en: str, *, required: bool = False,
       domain: Domain | None = None, unit: str | None = None, description: str = "",
       default: object | None = None, minimum: float | None = None,
       maximum: float | None = None, read_only: bool = False, unique: bool = False) -> FieldDef:
    return FieldDef(name, type_, zh, en, required=required, domain=domain, unit=unit,
                    description=description, default=default, minimum=minimum,
                    maximum=maximum, read_only=read_only, unique=unique)


# --------------------------------------------------------------------------------------------
# Rules (see zlt_assets.rules): built from the field declarations, so messages name the fields
# --------------------------------------------------------------------------------------------
def _num(x: float) -> str:
    return f"{x:g}"


def _range_rules(fields: Sequence[FieldDef]) -> tuple[Rule, ...]:
    """The declared range of every numeric field, and no date before the earliest date."""
    out: list[Rule] = []
    for f in fields:
        col = _r.Field(f.name)
        unit = f" {f.unit}" if f.unit else ""
        if f.type in ("integer", "real") and (f.minimum is not None or f.maximum is not None):
            parts: list[_r.Expr] = []
            if f.minimum is not None:
                parts.append(_r.Ge(col, _r.Const(f.minimum)))
            if f.maximum is not None:
                parts.append(_r.Le(col, _r.Const(f.maximum)))
            if f.minimum is not None and f.maximum is not None:
                span = f"{_num(f.minimum)}–{_num(f.maximum)}{unit}"
                zh, en = f"{f.zh}应在 {span} 之间", f"{f.en} must be within {span}"
            elif f.minimum is not None:
                zh = f"{f.zh}不得小于 {_num(f.minimum)}{unit}"
                en = f"{f.en} must be at least {_num(f.minimum)}{unit}"
            else:
                assert f.maximum is not None
                zh = f"{f.zh}不得大于 {_num(f.maximum)}{unit}"
                en = f"{f.en} must be at most {_num(f.maximum)}{unit}"
            expr = parts[0] if len(parts) == 1 else _r.And(*parts)
            out.append(Rule(f"{f.name}_range", expr, zh, en, (f.name,), check="range"))
        if f.type in ("date", "datetime"):
            first = EARLIEST_DATE.value.isoformat()
            out.append(Rule(f"{f.name}_not_too_early",
                            _r.Ge(col, _r.Const(EARLIEST_DATE.value)),
                            f"{f.zh}不得早于 {first}", f"{f.en} must not be before {first}",
                            (f.name,), check="date_order"))
    return tuple(out)


def _by_name(fields: Sequence[FieldDef]) -> dict[str, FieldDef]:
    return {f.name: f for f in fields}


def _not_after(fields: Sequence[FieldDef], first: str, then: str) -> Rule:
    """Date order: ``first`` on or before ``then``."""
    a, b = _by_name(fields)[first], _by_name(fields)[then]
    en_then = "the record's update date" if then == "updated" else b.en.lower()
    return Rule(f"{first}_not_after_{then}", _r.Le(_r.Field(first), _r.Field(then)),
                f"{a.zh}不得晚于{b.zh}", f"{a.en} must not be after {en_then}", (first, then),
                check="date_order")


def _a(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _not_future(fields: Sequence[FieldDef], name: str) -> Rule:
    """A date not after the check date (today, or the date validation is run for)."""
    f = _by_name(fields)[name]
    return Rule(f"{name}_not_future", _r.Le(_r.Field(name), _r.Today()),
                f"{f.zh}不得晚于检查日期(今天)", f"{f.en} must not be after the check date (today)",
                (name,), check="future")


def _needs(fields: Sequence[FieldDef], key: str, when: _r.Expr, need: str, zh_when: str,
           en_when: str) -> Rule:
    """A conditional requirement: when ``when`` holds, ``need`` is filled in."""
    f = _by_name(fields)[need]
    others = tuple(n for n in _r.field_names(when) if n != need)
    return Rule(key, _r.Implies(when, _r.NotNull(_r.Field(need))),
                f"{zh_when}须填写{f.zh}", f"{en_when} needs {_a(f.en.lower())}", (need, *others))


def _bounded(fields: Sequence[FieldDef], small: str, large: str, *, zh_verb: str = "多于",
             en_verb: str = "exceed") -> Rule:
    """A field bounded by another: ``small <= large``."""
    a, b = _by_name(fields)[small], _by_name(fields)[large]
    return Rule(f"{small}_le_{large.removeprefix('lamps_')}" if small.startswith("lamps_")
                else f"{small}_le_{large}",
                _r.Le(_r.Field(small), _r.Field(large)),
                f"{a.zh}不得{zh_verb}{b.zh}", f"{a.en} must not {en_verb} {b.en.lower()}",
                (small, large), check="range")


def _length_rule() -> Rule:
    """The recorded length agrees with the drawn one within max(5 m, 5 %) (a warning)."""
    tol_m, share = LENGTH_TOLERANCE_M.value, LENGTH_TOLERANCE_SHARE.value
    expr = _r.Le(_r.Abs(_r.Sub(_r.Field("length_m"), _r.GeomLength())),
                 _r.Max(_r.Const(tol_m), _r.Mul(_r.Const(share), _r.GeomLength())))
    pct = f"{share * 100:g}%"
    return Rule("length_matches_geometry", expr,
                f"长度与几何长度相差超过 max({tol_m:g} 米, {pct})",
                f"Length differs from the geometry's length by more than max({tol_m:g} m, "
                f"{pct})", ("length_m",), strength="soft", check="geometry")


def _done(status_field: str = "status") -> _r.Expr:
    return _r.In(_r.Field(status_field), DONE_STATUSES)


def _asset_rules(fields: Sequence[FieldDef], *extra: Rule,
                 done_dates: Sequence[str] = ()) -> tuple[Rule, ...]:
    """The rules of an asset layer: ranges, dates in order and not in the future, ``extra``.

    ``done_dates`` are the date fields (besides ``completed_date``) that must not come after
    ``updated``.
    """
    names = {f.name for f in fields}
    out = list(_range_rules(fields))
    status = _by_name(fields).get("status")
    if status is not None and status.domain is not None \
            and set(DONE_STATUSES) <= set(status.domain.codes) and "completed_date" in names:
        out.append(_needs(fields, "completed_needs_date", _done(), "completed_date",
                          "已完工或已验收的工程", "A work completed or accepted"))
    out.extend(extra)
    for d in ("completed_date", *done_dates):
        if d in names and "updated" in names:
            out.append(_not_after(fields, d, "updated"))
    for d in ("updated", "completed_date", *done_dates):
        if d in names:
            out.append(_not_future(fields, d))
    return tuple(out)


def _common_asset_fields(status_domain: Domain, name_required: bool = True) -> tuple[FieldDef, ...]:
    return (
        _f("obj_id", "text", "对象编码", "Object id", required=True, unique=True, read_only=True,
           description="GB/T 30428 16-digit id: 150783 + class + subclass + 6-digit serial"),
        _f("name", "text", "名称", "Name", required=name_required),
        _f("street_office", "text", "街道办事处", "Street office", required=True,
           domain=STREET_OFFICES),
        _f("department", "text", "责任单位", "Responsible department", required=True,
           domain=DEPARTMENTS),
        _f("status", "text", "状态", "Status", required=True, domain=status_domain),
        _f("planned_date", "date", "计划完成日期", "Planned date"),
        _f("completed_date", "date", "完成日期", "Completed date",
           description="date the works were completed (or the facility entered service)"),
        _f("data_source", "text", "数据来源", "Data source", required=True, domain=DATA_SOURCE,
           default="survey"),
        _f("updated", "date", "更新日期", "Last updated", required=True),
    )


def _frame_fields(*extra: FieldDef) -> tuple[FieldDef, ...]:
    return (
        _f("name", "text", "名称", "Name"),
        *extra,
        _f("data_source", "text", "数据来源", "Data source", required=True, domain=DATA_SOURCE),
        _f("source_note", "text", "来源说明", "Source note",
           description="where the feature comes from; licence and attribution"),
    )


_BUILDING_FIELDS = (
    *_common_asset_fields(WORKS_STATUS),
    _f("street_group", "text", "亮化街区", "Street group", required=True, domain=STREET_GROUPS),
    _f("street_name", "text", "所在街路", "Street", required=True),
    _f("floors", "integer", "层数", "Floors", required=True, minimum=1, maximum=60),
    _f("renovation", "boolean", "立面改造", "Facade renovation", required=True, default=False,
       description="one of the 31 中央路 buildings that also get facade renovation"),
    _f("renovation_status", "text", "立面改造状态", "Renovation status", domain=WORKS_STATUS),
    _f("renovation_date", "date", "立面改造完成日期", "Renovation completed date"),
)
_RENOVATION = _r.Eq(_r.Field("renovation"), _r.Const(True))

FACADE_LIGHTING_BUILDINGS = LayerDef(
    name="facade_lighting_buildings", zh="楼体亮化建筑", en="Facade-lighting buildings",
    geometry="Polygon", kind="asset", group="works", order=10, component_code="2101",
    description="The plan's 190 street-front buildings to get facade lighting (四(一)2); "
                "status is the lighting works status.",
    fields=_BUILDING_FIELDS,
    rules=_asset_rules(
        _BUILDING_FIELDS,
        _needs(_BUILDING_FIELDS, "renovation_needs_status", _RENOVATION, "renovation_status",
               "列入立面改造的建筑", "A building marked for facade renovation"),
        _needs(_BUILDING_FIELDS, "renovation_done_needs_date", _done("renovation_status"),
               "renovation_date", "立面改造已完工或已验收的建筑",
               "A facade renovation completed or accepted"),
        Rule("renovation_only_zhongyang",
             _r.Implies(_RENOVATION, _r.Eq(_r.Field("street_group"), _r.Const("zhongyang"))),
             "方案只在中央路(亮化街区 zhongyang)安排立面改造",
             "Facade renovation is planned only on 中央路 (street group zhongyang)",
             ("renovation", "street_group"), check="plan_count"),
        done_dates=("renovation_date",)),
)

_BRIDGE_FIELDS = (
    *_common_asset_fields(WORKS_STATUS),
    _f("plan_lighting", "boolean", "列入桥体亮化", "In the bridge-lighting plan",
       required=True, default=False),
    _f("length_m", "real", "桥长", "Length", unit="m", required=True, minimum=1, maximum=5000),
    _f("hazard_status", "text", "隐患状态", "Hazard status", required=True,
       domain=HAZARD_STATUS),
    _f("inspection_date", "date", "最近检测日期", "Last inspection"),
)

BRIDGES = LayerDef(
    name="bridges", zh="桥梁", en="Bridges", geometry="LineString", kind="asset", group="works",
    order=20, component_code="0208",
    description="River bridges; status is the bridge-lighting works status (四(一)2); "
                "hazards per 四(六)2.",
    fields=_BRIDGE_FIELDS,
    rules=_asset_rules(_BRIDGE_FIELDS, _length_rule(), done_dates=("inspection_date",)),
)

_ROAD_FIELDS = (
    _f("obj_id", "text", "对象编码", "Object id", required=True, unique=True, read_only=True,
       description="GB/T 30428 16-digit id"),
    _f("name", "text", "道路名称", "Road name", required=True),
    _f("street_office", "text", "街道办事处", "Street office", required=True,
       domain=STREET_OFFICES),
    _f("department", "text", "责任单位", "Responsible department", required=True,
       domain=DEPARTMENTS),
    _f("status", "text", "工程状态", "Works status", domain=WORKS_STATUS),
    _f("planned_date", "date", "计划完成日期", "Planned date"),
    _f("completed_date", "date", "完成日期", "Completed date"),
    _f("data_source", "text", "数据来源", "Data source", required=True, domain=DATA_SOURCE,
       default="survey"),
    _f("updated", "date", "更新日期", "Last updated", required=True),
    _f("road_class", "text", "道路等级", "Road class", required=True, domain=ROAD_CLASSES),
    _f("length_m", "real", "长度", "Length", unit="m", required=True, minimum=0.1),
    _f("red_line_width_m", "real", "红线宽度", "Red-line width", unit="m", required=True,
       minimum=3, maximum=120),
    _f("carriageway_width_m", "real", "车行道宽度", "Carriageway width", unit="m",
       required=True, minimum=2, maximum=80),
    _f("works", "text", "建设类型", "Works", required=True, domain=ROAD_WORKS, default="none"),
    _f("plan_road", "text", "计划道路编号", "Plan road number",
       description="P01..P45 for the plan's 45 roads (a road may have several segments)"),
    _f("bike_lane", "boolean", "非机动车道", "Bike lane", required=True, default=False),
    _f("sidewalk", "boolean", "人行便道", "Sidewalk", required=True, default=True),
    _f("barrier_free", "boolean", "无障碍通道", "Barrier-free passage", required=True,
       default=False),
    _f("lamps_required", "integer", "应设路灯数", "Lamps required", minimum=0),
    _f("lamps_installed", "integer", "已装路灯数", "Lamps installed", minimum=0),
    _f("lamps_lit", "integer", "亮灯数", "Lamps lit", minimum=0),
    _f("mech_sweeping", "boolean", "机械化清扫", "Mechanised sweeping", required=True,
       default=False),
    _f("bridge_id", "text", "所在桥梁", "Bridge",
       description="object id of the bridge this segment runs over (river crossings only)"),
)
#: Road works that make a segment part of a works programme.
ROAD_WORKS_BUILT = ("new", "rebuilt")

ROADS = LayerDef(
    name="roads", zh="城市道路", en="Roads", geometry="LineString", kind="asset", group="works",
    order=30, component_code="2102",
    description="Municipal road segments, noded at crossings. status is the works status and is "
                "required only where works is new or rebuilt (四(五)1).",
    fields=_ROAD_FIELDS,
    rules=_asset_rules(
        _ROAD_FIELDS,
        _needs(_ROAD_FIELDS, "works_needs_status", _r.In(_r.Field("works"), ROAD_WORKS_BUILT),
               "status", "新建或改建的道路", "A road being built or rebuilt"),
        Rule("plan_road_is_works",
             _r.Implies(_r.NotNull(_r.Field("plan_road")),
                        _r.In(_r.Field("works"), ROAD_WORKS_BUILT)),
             "计划道路的路段须为新建或改建", "A plan road segment must be new or rebuilt",
             ("works", "plan_road"), check="plan_count"),
        _bounded(_ROAD_FIELDS, "lamps_lit", "lamps_installed"),
        _bounded(_ROAD_FIELDS, "lamps_installed", "lamps_required"),
        _bounded(_ROAD_FIELDS, "carriageway_width_m", "red_line_width_m", zh_verb="宽于",
                 en_verb="be wider than"),
        _length_rule()),
)

_TOILET_FIELDS = (
    *_common_asset_fields(SERVICE_STATUS),
    _f("toilet_type", "text", "公厕类型", "Toilet type", required=True, domain=TOILET_TYPES),
    _f("seats_male", "integer", "男厕位", "Male places", required=True, minimum=0),
    _f("seats_female", "integer", "女厕位", "Female places", required=True, minimum=0),
    _f("seats_accessible", "integer", "无障碍厕位", "Accessible places", required=True,
       minimum=0),
    _f("hours", "text", "开放时间", "Opening hours", required=True, default="24h"),
)
_SEATS = ("seats_male", "seats_female", "seats_accessible")

PUBLIC_TOILETS = LayerDef(
    name="public_toilets", zh="公共厕所", en="Public toilets", geometry="Point", kind="asset",
    group="facilities", order=40, component_code="0301",
    description="Fixed, mobile and opened-to-public toilets (四(一)7).",
    fields=_TOILET_FIELDS,
    rules=_asset_rules(
        _TOILET_FIELDS,
        Rule("in_service_has_places",
             _r.Implies(_r.In(_r.Field("status"), IN_SERVICE_STATUSES),
                        _r.Or(*(_r.Gt(_r.Field(n), _r.Const(0)) for n in _SEATS))),
             "在用公厕至少应有一个厕位", "A toilet in service should have at least one place",
             (*_SEATS, "status"), strength="soft", check="range")),
)

_STOP_FIELDS = (
    *_common_asset_fields(SERVICE_STATUS),
    _f("routes", "text", "线路", "Routes", required=True,
       description="route numbers separated by commas"),
    _f("shelter", "boolean", "候车亭", "Shelter", required=True, default=False),
)

BUS_STOPS = LayerDef(
    name="bus_stops", zh="公交站点", en="Bus stops", geometry="Point", kind="asset",
    group="facilities", order=50, component_code="0203",
    description="Bus stops (四(五)2: every part of the urban area within 500 m).",
    fields=_STOP_FIELDS,
    rules=_asset_rules(_STOP_FIELDS),
)

_DRAINAGE_FIELDS = (
    *_common_asset_fields(SERVICE_STATUS, name_required=False),
    _f("drainage_type", "text", "类型", "Type", required=True, domain=DRAINAGE_TYPES),
    _f("depth_cm", "real", "积水深度", "Ponding depth", unit="cm", minimum=0, maximum=500,
       description="waterlogging points: typical ponding depth"),
    _f("extent_m2", "real", "积水面积", "Ponding extent", unit="m²", minimum=0),
    _f("remedy_status", "text", "整治状态", "Remedy status", domain=REMEDY_STATUS,
       description="required for waterlogging points and mixed connections"),
    _f("remedy_date", "date", "整治完成日期", "Remedy date"),
)
#: Drainage point types that need a remedy status.
REMEDY_TYPES = ("waterlogging", "mixed_connection")
#: Remedy statuses that count as fixed for the plan's targets.
FIXED_REMEDY_STATUSES = ("fixed",)

DRAINAGE_POINTS = LayerDef(
    name="drainage_points", zh="排水设施点", en="Drainage points", geometry="Point",
    kind="asset", group="facilities", order=60, code_field="drainage_type",
    code_by_value={
        "waterlogging": "2103", "rain_inlet": "0104", "inspection_well": "0103",
        "outfall": "2104", "pump_station": "2105", "mixed_connection": "2106",
    },
    description="Waterlogging points, inlets, wells, outfalls, pump stations and mixed "
                "connections (四(四)4, (六)3).",
    fields=_DRAINAGE_FIELDS,
    rules=_asset_rules(
        _DRAINAGE_FIELDS,
        _needs(_DRAINAGE_FIELDS, "remedy_status_required",
               _r.In(_r.Field("drainage_type"), REMEDY_TYPES), "remedy_status",
               "积水点和雨污混接点", "A waterlogging point or mixed connection"),
        _needs(_DRAINAGE_FIELDS, "remedy_fixed_needs_date",
               _r.In(_r.Field("remedy_status"), FIXED_REMEDY_STATUSES), "remedy_date",
               "已整治的排水设施点", "A point marked fixed"),
        done_dates=("remedy_date",)),
)

STREET_OFFICE_LAYER = LayerDef(
    name="street_offices", zh="街道办事处", en="Street offices", geometry="MultiPolygon",
    kind="frame", group="frame", order=110, name_field="name",
    description="The seven street offices (grid-management units), 150783001-007, "
                "partitioning the urban area.",
    fields=(
        _f("code", "text", "区划代码", "Division code", required=True, domain=STREET_OFFICES,
           unique=True),
        _f("name", "text", "名称", "Name", required=True),
        _f("name_en", "text", "英文名", "English name"),
        _f("land_use", "text", "主要用地类别", "Main land-use class", required=True,
           domain=LAND_USE, default="R",
           description="sets the toilet density range (GB/T 50337-2018 table 4.2.1)"),
        _f("crowded", "boolean", "人流密集", "Crowded or commercial", required=True,
           default=False, description="toilet service radius 300 m (GB 55013-2021 5.0.1)"),
        _f("data_source", "text", "数据来源", "Data source", required=True, domain=DATA_SOURCE),
        _f("source_note", "text", "来源说明", "Source note"),
    ),
)

URBAN_AREA = LayerDef(
    name="urban_area", zh="城区范围", en="Urban area", geometry="MultiPolygon", kind="frame",
    group="frame", order=120,
    description="The built-up urban area the plan's indicators refer to.",
    fields=_frame_fields(),
)

CITY_BOUNDARY = LayerDef(
    name="city_boundary", zh="市界", en="City boundary", geometry="MultiPolygon", kind="frame",
    group="frame", order=130,
    description="Boundary of the county-level city (whole territory).",
    fields=_frame_fields(_f("code", "text", "区划代码", "Division code", required=True)),
)

RIVER = LayerDef(
    name="river", zh="河流", en="River", geometry="MultiLineString", kind="frame",
    group="frame", order=140, description="The Yalu river (雅鲁河) through the city.",
    fields=_frame_fields(),
)

RAILWAY = LayerDef(
    name="railway", zh="铁路", en="Railway", geometry="MultiLineString", kind="frame",
    group="frame", order=150, description="The Binzhou railway (滨洲铁路, old 中东铁路).",
    fields=_frame_fields(),
)

RAILWAY_STATIONS = LayerDef(
    name="railway_stations", zh="火车站", en="Railway stations", geometry="Point",
    kind="frame", group="frame", order=160, description="Railway stations (OpenStreetMap).",
    fields=_frame_fields(),
)

PARKS = LayerDef(
    name="parks", zh="公园绿地", en="Parks and green space", geometry="MultiPolygon",
    kind="frame", group="frame", order=170,
    description="Green space for the green-space targets (四(一)4).",
    fields=_frame_fields(
        _f("green_type", "text", "绿地类型", "Green type", required=True, domain=GREEN_TYPES),
        _f("street_office", "text", "街道办事处", "Street office", domain=STREET_OFFICES),
    ),
)

POPULATION = RasterDef(
    name="population", zh="人口格网", en="Population grid", suffix="_population.tif",
    unit="persons per cell",
    description="Residents per cell (float32, EPSG:4550), stored beside the GeoPackage.",
)

LAYERS: dict[str, LayerDef] = {
    layer.name: layer
    for layer in sorted(
        (FACADE_LIGHTING_BUILDINGS, BRIDGES, ROADS, PUBLIC_TOILETS, BUS_STOPS, DRAINAGE_POINTS,
         STREET_OFFICE_LAYER, URBAN_AREA, CITY_BOUNDARY, RIVER, RAILWAY, RAILWAY_STATIONS, PARKS),
        key=lambda lyr: lyr.order,
    )
}
ASSET_LAYERS = tuple(n for n, lyr in LAYERS.items() if lyr.kind == "asset")
FRAME_LAYERS = tuple(n for n, lyr in LAYERS.items() if lyr.kind == "frame")

GROUPS = _domain(
    "layer_group", "图层组", "Layer group",
    ("works", "整治工程", "Works programmes"),
    ("facilities", "公共设施", "Public facilities"),
    ("frame", "基础底图", "Frame"),
)


def layer(name: str) -> LayerDef:
    """The declaration of one layer; KeyError with the list of layers when unknown."""
    try:
        return LAYERS[name]
    except KeyError:
        raise KeyError(f"unknown layer {name!r}; layers: {', '.join(LAYERS)}") from None


def domain_for(layer_name: str, field_name: str) -> Domain | None:
    """The domain of a field of a layer (None when the field has no domain)."""
    return layer(layer_name).field(field_name).domain


def iter_fields(kinds: Iterable[str] = ("asset", "frame")) -> Iterable[tuple[LayerDef, FieldDef]]:
    """Every (layer, field) of the layers of the given kinds, in schema order."""
    for lyr in LAYERS.values():
        if lyr.kind in kinds:
            for f in lyr.fields:
                yield lyr, f
