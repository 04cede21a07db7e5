"""The plan scorecard: every quantitative target of the plan, computed from the inventory.

For each target of :data:`zlt_assets.plan.TARGETS` the scorecard gives the value computed from the
layers, the target, a status (``met`` / ``not_met`` / ``not_measurable``), the evidence behind the
value (counts and sums), the plan section and the responsible departments; then breakdowns by
street office and by department, the assets that keep a target unmet, and the monthly progress of
the works programmes.

State at a date (``as_of``)
---------------------------
A work counts as done at a date when its status is in :data:`zlt_assets.schema.DONE_STATUSES`
and its completion date is on or before that date; a work completed later counts as not done. A
record marked done without a completion date is taken as done from its ``updated`` date (the date
the record was known to be in that state). A facility (bus stop) is in service at a date when its
status is in :data:`zlt_assets.schema.IN_SERVICE_STATUSES` (or blank: not recorded) and its
``completed_date`` (date it entered service) is empty or on or before the date
(:func:`zlt_assets.schema.is_in_service`, the one definition coverage uses too). New road
segments exist from their completion; other segments exist throughout. Attributes that carry
no dates (lamp counts, sweeping, green space) are the state recorded in the data and say so
(``as_of_applies``).

The default ``as_of`` is the latest ``updated`` date in the asset layers (the date the data
describes), else today; the scorecard states which one it used.

Labels, units, sources and methods of the targets and of the street-office breakdown are
declared in :mod:`zlt_assets.indicators`; target values come from :mod:`zlt_assets.standards`
through :data:`zlt_assets.plan.TARGETS`; a value meets its target by
:func:`zlt_assets.indicators.meets`.

This module is core: it imports nothing of QGIS, folium, matplotlib or the CLI.
"""
from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import indicators, plan, rules, schema, standards
from ..errors import ZltError
from ..inventory import Inventory, iter_records

__all__ = [
    "DISTRICT_INDICATORS",
    "STATUS_LABELS",
    "Scorecard",
    "TargetResult",
    "compute_scorecard",
    "parse_as_of",
    "phase_info",
]

MET = "met"
NOT_MET = "not_met"
NOT_MEASURABLE = "not_measurable"

#: Status code -> (Chinese, English) label.
STATUS_LABELS: dict[str, tuple[str, str]] = {
    MET: ("达标", "Met"),
    NOT_MET: ("未达标", "Not met"),
    NOT_MEASURABLE: ("无法由清单计算", "Not measurable from the inventory"),
}

ILLUSTRATIVE_NOTICE_ZH = "示意数据(非真实数据):本记分卡不是官方考评结果。"
ILLUSTRATIVE_NOTICE_EN = ("Illustrative data (made, not real): this scorecard is not an official "
                          "evaluation.")

#: What data each target that the inventory cannot measure would need (zh, en).
NOT_IN_INVENTORY: dict[str, tuple[str, str]] = {
    k: (i.needs_zh, i.needs_en) for k, i in indicators.INDICATORS.items()
    if i.group == "target" and i.needs_zh}

#: Indicators of the street-office breakdown: (key, zh, en, unit), from
#: :data:`zlt_assets.indicators.DISTRICT`. Keys are columns of :attr:`Scorecard.by_district`
#: rows (the map draws a choropleth of any numeric one).
DISTRICT_INDICATORS: tuple[tuple[str, str, str, str], ...] = tuple(
    (i.key, i.zh, i.en, i.unit) for i in indicators.DISTRICT)

PROGRESS_TARGETS = ("facade_lighting", "facade_renovation", "bridge_lighting", "roads_built")


# ============================================================================== results
@dataclass
class TargetResult:
    """One target of the plan as measured from the inventory.

    ``value`` is ``None`` exactly when ``status`` is ``not_measurable``; ``needs_zh``/``needs_en``
    then say why and what data would be needed.
    """

    id: str
    section: str
    name_zh: str
    name_en: str
    target: float
    unit: str
    comparator: str
    value: float | None
    status: str
    departments: list[dict[str, str]]
    evidence: dict[str, Any] = field(default_factory=dict)
    method_zh: str = ""
    method_en: str = ""
    needs_zh: str | None = None
    needs_en: str | None = None
    due: str = ""
    as_of_applies: bool = True

    @property
    def status_zh(self) -> str:
        """The status in Chinese (达标 ...)."""
        return STATUS_LABELS[self.status][0]

    @property
    def status_en(self) -> str:
        """The status in English (Met ...)."""
        return STATUS_LABELS[self.status][1]

    @property
    def measurable(self) -> bool:
        """False when the inventory cannot give a value (``not_measurable``)."""
        return self.status != NOT_MEASURABLE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, with the status labels."""
        d = asdict(self)
        d["status_zh"], d["status_en"] = STATUS_LABELS[self.status]
        out: dict[str, Any] = _plain(d)
        return out


@dataclass
class Scorecard:
    """The scorecard: plain data every face renders (reports, map, QGIS plugin)."""

    as_of: str
    as_of_source: str  # "argument", "data" (latest updated date) or "today"
    phase: dict[str, Any]
    data: str
    data_sources: list[str]
    illustrative: bool
    generated: str
    targets: list[TargetResult]
    by_district: list[dict[str, Any]]
    by_department: list[dict[str, Any]]
    unmet_assets: list[dict[str, Any]]
    progress: list[dict[str, Any]]
    notes: list[dict[str, str]] = field(default_factory=list)

    def target(self, target_id: str) -> TargetResult:
        """The result of one target; KeyError when unknown."""
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(target_id)

    def counts(self) -> dict[str, int]:
        """Number of targets by status."""
        out = {MET: 0, NOT_MET: 0, NOT_MEASURABLE: 0}
        for t in self.targets:
            out[t.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: metadata, ``targets`` (one object per target) and the breakdowns."""
        out: dict[str, Any] = _plain({
            "title_zh": f"{plan.PLAN_TITLE_ZH} 目标记分卡",
            "title_en": f"{plan.PLAN_TITLE_EN}: target scorecard",
            "plan_document": plan.PLAN_DOCUMENT,
            "as_of": self.as_of,
            "as_of_source": self.as_of_source,
            "phase": self.phase,
            "data": self.data,
            "data_sources": self.data_sources,
            "illustrative": self.illustrative,
            "notice_zh": ILLUSTRATIVE_NOTICE_ZH if self.illustrative else None,
            "notice_en": ILLUSTRATIVE_NOTICE_EN if self.illustrative else None,
            "generated": self.generated,
            "counts": self.counts(),
            "targets": [t.to_dict() for t in self.targets],
            "by_district": self.by_district,
            "district_indicators": [
                {"key": k, "zh": zh, "en": en, "unit": u} for k, zh, en, u in DISTRICT_INDICATORS],
            "by_department": self.by_department,
            "unmet_assets": self.unmet_assets,
            "progress": self.progress,
            "notes": self.notes,
        })
        return out


# ============================================================================== dates
def parse_as_of(text: str | _dt.date | None) -> _dt.date | None:
    """Parse an as-of date (``YYYY-MM-DD``).

    Raises
    ------
    BadInput
        When the text is not a date (the message names the option ``as_of``).

    Examples
    --------
    >>> parse_as_of("2020-12-31")
    datetime.date(2020, 12, 31)
    >>> parse_as_of(None) is None
    True
    """
    return rules.parse_date(text, option="as_of")


def _date(v: object) -> _dt.date | None:
    if v is None:
        return None
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    s = str(v).strip()
    if not s:
        return None
    try:
        return _dt.date.fromisoformat(s[:10])
    except ValueError:
        return None


def phase_info(day: _dt.date) -> dict[str, Any]:
    """The plan phase a date falls in, as plain data (before/after the plan say so).

    Examples
    --------
    >>> phase_info(_dt.date(2020, 12, 5))["key"], phase_info(_dt.date(2019, 1, 1))["key"]
    ('inspection', 'before')
    """
    p = plan.phase_on(day)
    if p is not None:
        return {"key": p.key, "zh": p.zh, "en": p.en, "start": p.start.isoformat(),
                "end": p.end.isoformat()}
    first, last = plan.PHASES[0], plan.PHASES[-1]
    if day < first.start:
        return {"key": "before", "zh": "方案实施前", "en": "Before the plan",
                "start": None, "end": first.start.isoformat()}
    return {"key": "after", "zh": "方案期结束后", "en": "After the plan period",
            "start": last.end.isoformat(), "end": None}


# ============================================================================== helpers
def _plain(obj: Any) -> Any:
    """Numpy/pandas scalars and containers to plain JSON-friendly Python."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return None if math.isnan(f) else f
    if isinstance(obj, (_dt.date, _dt.datetime)):
        return obj.isoformat()
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


def _dept(code: str) -> dict[str, str]:
    try:
        c = schema.DEPARTMENTS.get(code)
        return {"code": c.code, "zh": c.zh, "en": c.en}
    except KeyError:
        return {"code": code, "zh": code, "en": code}


def _office(code: object) -> tuple[str, str]:
    try:
        c = schema.STREET_OFFICES.get(str(code))
        return c.zh, c.en
    except KeyError:
        return ("未指定", "unassigned") if code is None else (str(code), str(code))


def _pct(num: float, den: float) -> float | None:
    return None if not den else 100.0 * float(num) / float(den)


def _round(v: float | None, nd: int = 2) -> float | None:
    return None if v is None else round(float(v), nd)


#: A flag that is set (the one definition the plan counts use).
_truthy = plan.is_true


def _num(v: object) -> float | None:
    if v is None or isinstance(v, bool) or not isinstance(v, (int, float, np.number, str)):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


class _Missing(Exception):  # noqa: N818 (a signal, not an error of the user)
    """A layer or field a target needs is missing (message zh, en)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass
class _WorkState:
    done: bool
    when: _dt.date | None  # date it counts as done from (completion, else updated)
    reason_zh: str
    reason_en: str


def _work_state(status: object, done_date: object, updated: object, as_of: _dt.date,
                done_statuses: Iterable[str] = schema.DONE_STATUSES,
                status_domain: schema.Domain = schema.WORKS_STATUS) -> _WorkState:
    """Whether one work is done at ``as_of`` (see the module docstring for the rules)."""
    st = None if status is None else str(status)
    if st not in tuple(done_statuses):
        if st is None:
            return _WorkState(False, None, "无状态", "no status")
        try:
            c = status_domain.get(st)
            return _WorkState(False, None, f"状态:{c.zh}", f"status: {c.en}")
        except KeyError:
            return _WorkState(False, None, f"状态:{st}", f"status: {st}")
    d = _date(done_date)
    if d is not None:
        if d <= as_of:
            return _WorkState(True, d, "已完成", "done")
        return _WorkState(False, d, f"完成日期{d.isoformat()}晚于评估日",
                          f"completed {d.isoformat()}, after the as-of date")
    u = _date(updated)
    if u is not None and u <= as_of:
        return _WorkState(True, u, "已完成(无完成日期,按更新日期)",
                          "done (no completion date; dated by its updated date)")
    return _WorkState(False, None, "标记完成但无可用日期", "marked done but has no usable date")


# ============================================================================== context
@dataclass
class _Ctx:
    inv: Any  # Inventory or another backend with the same API
    as_of: _dt.date
    layers: dict[str, gpd.GeoDataFrame]
    unreadable: dict[str, str] = field(default_factory=dict)
    unmet: list[dict[str, Any]] = field(default_factory=list)
    progress: list[dict[str, Any]] = field(default_factory=list)
    district: dict[str, dict[str, Any]] = field(default_factory=dict)
    dept_assets: dict[str, dict[str, int]] = field(default_factory=dict)
    _population: tuple[float | None, str, str] | None = None
    _district_population: dict[str, float] | None = None

    def layer(self, name: str, fields: Iterable[str] = ()) -> gpd.GeoDataFrame:
        lyr = schema.layer(name)
        if name in self.unreadable:
            msg = self.unreadable[name]
            raise _Missing(f"图层 {name}({lyr.zh})无法读取:{msg}",
                           f"layer {name} ({lyr.en}) cannot be read: {msg}")
        if name not in self.layers:
            raise _Missing(f"清单中缺少图层 {name}({lyr.zh})",
                           f"layer {name} ({lyr.en}) is missing from the inventory")
        gdf = self.layers[name]
        missing = [f for f in fields if f not in gdf.columns]
        if missing:
            names = ", ".join(missing)
            raise _Missing(f"图层 {name} 缺少字段 {names}",
                           f"layer {name} lacks field(s) {names}")
        return gdf

    def district_population(self) -> dict[str, float]:
        """Residents per street office (cell centres inside its polygon); empty when unknown."""
        if self._district_population is None:
            self._district_population = {}
            offices = self.layers.get("street_offices")
            path = getattr(self.inv, "population_path", None)
            if offices is not None and "code" in offices.columns and not offices.empty \
                    and path is not None and Path(path).exists():
                from .population import load_population, sum_by_polygon

                try:
                    pop = load_population(str(path))
                except Exception:  # unreadable raster: the totals say why
                    return self._district_population
                if pop is not None:
                    self._district_population = sum_by_polygon(pop, offices, "code")
        return self._district_population

    def population(self) -> tuple[float | None, str, str]:
        """(total residents, reason zh, reason en) from the raster beside the GeoPackage."""
        if self._population is None:
            self._population = _read_population(self.inv)
        return self._population

    def add_unmet(self, target_id: str, layer_name: str, rec: Mapping[str, Any],
                  reason_zh: str, reason_en: str, **extra: Any) -> None:
        tgt = plan.TARGETS[target_id]
        office = rec.get("street_office") or rec.get("code")
        dept = rec.get("department")
        row = {
            "target_id": target_id, "target_zh": tgt.zh, "target_en": tgt.en,
            "layer": layer_name, "obj_id": rec.get("obj_id") or rec.get("code"),
            "name": rec.get("name"),
            "street_office": office, "street_office_zh": _office(office)[0],
            "department": dept, "department_zh": _dept(str(dept))["zh"] if dept else None,
            "reason_zh": reason_zh, "reason_en": reason_en,
        }
        row.update(extra)
        self.unmet.append(row)

    def dist(self, code: object) -> dict[str, Any]:
        key = str(code) if code is not None else "unassigned"
        return self.district.setdefault(key, {})

    def count_dept(self, dept: object, done: bool) -> None:
        row = self.dept_assets.setdefault(str(dept) if dept else "unassigned",
                                          {"assets_total": 0, "assets_done": 0})
        row["assets_total"] += 1
        row["assets_done"] += int(done)


def _read_population(inv: Any) -> tuple[float | None, str, str]:
    """The population total, read the one way.

    :func:`~zlt_assets.analysis.population.load_population` reads it: no-data and non-finite
    cells count 0, negative cells refuse the grid (not measurable, with the reason).
    """
    path = getattr(inv, "population_path", None)
    if path is None:
        return (None, "该清单没有人口格网", "this inventory has no population grid")
    path = Path(path)
    if not path.exists():
        return (None, f"缺少人口格网 {path.name}(与GeoPackage同目录)",
                f"population grid {path.name} beside the GeoPackage is missing")
    from .population import load_population

    try:
        pop = load_population(str(path))
        total = 0.0 if pop is None else pop.total
    except Exception as exc:  # unreadable or refused raster -> not measurable, with the reason
        msg = " ".join(str(exc).split())
        return None, f"人口格网无法读取:{msg}", f"population grid cannot be read: {msg}"
    if total <= 0:
        return None, "人口格网总人口为0", "the population grid holds no residents"
    return total, "", ""


def _target(tid: str, value: float | None, *, evidence: dict[str, Any], method: tuple[str, str],
            status: str | None = None, needs: tuple[str, str] | None = None,
            as_of_applies: bool = True) -> TargetResult:
    t = plan.TARGETS[tid]
    if value is None:
        status = NOT_MEASURABLE
    elif status is None:
        status = MET if indicators.meets(value, t) else NOT_MET
    return TargetResult(
        id=t.id, section=t.section, name_zh=t.zh, name_en=t.en, target=float(t.value),
        unit=t.unit, comparator=t.comparator, value=None if value is None else float(value),
        status=status, departments=[_dept(c) for c in t.departments], evidence=evidence,
        method_zh=method[0], method_en=method[1], needs_zh=needs[0] if needs else None,
        needs_en=needs[1] if needs else None, due=t.due, as_of_applies=as_of_applies,
    )


def _method(tid: str, **fmt: Any) -> tuple[str, str]:
    """How a target is computed (zh, en), from its declaration in :mod:`zlt_assets.indicators`."""
    ind = indicators.get(tid)
    return ind.method_zh.format(**fmt), ind.method_en.format(**fmt)


def _not_measurable(tid: str, zh: str, en: str, method: tuple[str, str] = ("", ""),
                    evidence: dict[str, Any] | None = None) -> TargetResult:
    return _target(tid, None, evidence=evidence or {}, method=method, needs=(zh, en))


# ============================================================================== works targets
def _works_count(ctx: _Ctx, tid: str, layer_name: str, *,
                 select: Callable[[dict[str, Any]], bool], status_field: str, date_field: str,
                 extra_fields: tuple[str, ...] = (), district_prefix: str) -> TargetResult:
    """Count works done at as_of among selected records of a layer (buildings, bridges)."""
    gdf = ctx.layer(layer_name, ("obj_id", status_field, date_field, *extra_fields))
    recs = [r for r in iter_records(gdf) if select(r)]
    done_dates: list[_dt.date] = []
    by_status: dict[str, int] = {}
    later = undated = 0
    for r in recs:
        ws = _work_state(r.get(status_field), r.get(date_field), r.get("updated"), ctx.as_of)
        by_status[str(r.get(status_field))] = by_status.get(str(r.get(status_field)), 0) + 1
        d = ctx.dist(r.get("street_office"))
        d[f"{district_prefix}_total"] = d.get(f"{district_prefix}_total", 0) + 1
        d[f"{district_prefix}_done"] = d.get(f"{district_prefix}_done", 0) + int(ws.done)
        ctx.count_dept(r.get("department"), ws.done)
        if ws.done:
            assert ws.when is not None
            done_dates.append(ws.when)
            if _date(r.get(date_field)) is None:
                undated += 1
        else:
            if ws.when is not None:
                later += 1
            ctx.add_unmet(tid, layer_name, r, ws.reason_zh, ws.reason_en)
    target = plan.TARGETS[tid]
    done = len(done_dates)
    evidence = {
        "in_inventory": len(recs), "required": int(target.value), "done": done,
        "not_done": len(recs) - done, "completed_after_as_of": later,
        "done_dated_by_updated": undated, "by_status": by_status,
    }
    if len(recs) != int(target.value):
        evidence["count_differs_from_plan"] = True
    _add_progress(ctx, tid, done_dates)
    return _target(tid, done, evidence=evidence, method=_method(tid))


def _facade_lighting(ctx: _Ctx) -> TargetResult:
    return _works_count(
        ctx, "facade_lighting", "facade_lighting_buildings",
        select=plan.REQUIRED_COUNTS["facade_lighting"].selects,
        status_field="status", date_field="completed_date", district_prefix="facade_lighting")


def _facade_renovation(ctx: _Ctx) -> TargetResult:
    return _works_count(
        ctx, "facade_renovation", "facade_lighting_buildings",
        select=plan.REQUIRED_COUNTS["facade_renovation"].selects,
        status_field="renovation_status", date_field="renovation_date",
        extra_fields=("renovation",), district_prefix="facade_renovation")


def _bridge_lighting(ctx: _Ctx) -> TargetResult:
    res = _bridge_lighting_count(ctx)
    gdf = ctx.layers["bridges"]
    lighting = plan.REQUIRED_COUNTS["bridge_lighting"]
    names = {str(r.get("name")) for r in iter_records(gdf) if lighting.selects(r)}
    res.evidence["plan_bridges_named"] = list(plan.PLAN_BRIDGES)
    res.evidence["plan_bridges_not_in_inventory"] = [n for n in plan.PLAN_BRIDGES if n not in names]
    return res


def _bridge_lighting_count(ctx: _Ctx) -> TargetResult:
    return _works_count(
        ctx, "bridge_lighting", "bridges", select=plan.REQUIRED_COUNTS["bridge_lighting"].selects,
        status_field="status", date_field="completed_date", extra_fields=("plan_lighting",),
        district_prefix="bridge_lighting")


def _add_progress(ctx: _Ctx, tid: str, done_dates: list[_dt.date]) -> None:
    """Cumulative done by month, from the plan's start (or the first completion) to as_of."""
    start = plan.PHASES[0].start
    if done_dates:
        start = min(start, min(done_dates))
    end = max(ctx.as_of, start)
    months: list[str] = []
    cumulative: list[int] = []
    y, m = start.year, start.month
    ordered = sorted(done_dates)
    while (y, m) <= (end.year, end.month):
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        month_end = _dt.date(ny, nm, 1) - _dt.timedelta(days=1)
        months.append(f"{y:04d}-{m:02d}")
        cumulative.append(sum(1 for d in ordered if d <= month_end))
        y, m = ny, nm
    t = plan.TARGETS[tid]
    ctx.progress.append({"target_id": tid, "name_zh": t.zh, "name_en": t.en,
                         "target": float(t.value), "unit": t.unit, "months": months,
                         "cumulative": cumulative})


# ============================================================================== roads
_ROAD_FIELDS = ("obj_id", "name", "status", "completed_date", "works", "length_m")


def _road_records(ctx: _Ctx, fields: Iterable[str] = ()) -> list[dict[str, Any]]:
    gdf = ctx.layer("roads", (*_ROAD_FIELDS, *fields))
    geom_len = gdf.geometry.length
    recs = []
    for r in iter_records(gdf):
        ln = _num(r.get("length_m"))
        r["_length"] = ln if ln is not None else float(geom_len.loc[r["__index__"]])
        ws = _work_state(r.get("status"), r.get("completed_date"), r.get("updated"), ctx.as_of)
        r["_ws"] = ws
        # new segments exist once built; existing and rebuilt segments exist throughout
        r["_exists"] = ws.done if r.get("works") == "new" else True
        recs.append(r)
    return recs


#: What every new road must have (四(五)1): field, zh, en (labels from the schema).
_FEATURES = tuple((n, schema.ROADS.field(n).zh, schema.ROADS.field(n).en.lower())
                  for n in ("bike_lane", "sidewalk", "barrier_free"))


def _roads_built(ctx: _Ctx) -> TargetResult:
    recs = _road_records(ctx, ("plan_road", "bike_lane", "sidewalk", "barrier_free"))
    counted = plan.REQUIRED_COUNTS["plan_roads"]
    plan_roads: dict[str, list[dict[str, Any]]] = {}
    for r in recs:
        key = counted.item_key(r)
        if key is not None:
            plan_roads.setdefault(key, []).append(r)
    done_dates: list[_dt.date] = []
    done_roads: list[str] = []
    for pr, segs in sorted(plan_roads.items()):
        for s in segs:
            d = ctx.dist(s.get("street_office"))
            d["plan_road_segments_total"] = d.get("plan_road_segments_total", 0) + 1
            d["plan_road_segments_done"] = d.get("plan_road_segments_done", 0) + int(s["_ws"].done)
            ctx.count_dept(s.get("department"), s["_ws"].done)
        if all(s["_ws"].done for s in segs):
            done_roads.append(pr)
            done_dates.append(max(s["_ws"].when for s in segs))
        else:
            for s in segs:
                if not s["_ws"].done:
                    ctx.add_unmet("roads_built", "roads", s, s["_ws"].reason_zh,
                                  s["_ws"].reason_en, plan_road=pr)
    lacking = []
    for r in recs:
        if r.get("works") != "new":
            continue
        miss = [(zh, en) for f, zh, en in _FEATURES if not _truthy(r.get(f))]
        if miss:
            zh = "新建道路缺少" + "、".join(m[0] for m in miss)
            en = "new road lacks " + ", ".join(m[1] for m in miss)
            lacking.append({"obj_id": r.get("obj_id"), "name": r.get("name"),
                            "plan_road": r.get("plan_road"), "missing": [m[1] for m in miss],
                            "missing_zh": [m[0] for m in miss]})
            ctx.add_unmet("roads_built", "roads", r, zh, en, plan_road=r.get("plan_road"))
            d = ctx.dist(r.get("street_office"))
            d["new_road_segments_missing_features"] = (
                d.get("new_road_segments_missing_features", 0) + 1)
    n_done = len(done_roads)
    target = plan.TARGETS["roads_built"]
    evidence = {
        "plan_roads_in_inventory": len(plan_roads), "required": int(target.value),
        "plan_roads_done": n_done, "plan_road_segments": sum(len(s) for s in plan_roads.values()),
        "plan_roads_done_list": done_roads,
        "new_segments": sum(1 for r in recs if r.get("works") == "new"),
        "new_segments_missing_features": lacking,
    }
    _add_progress(ctx, "roads_built", done_dates)
    status = MET if indicators.meets(n_done, target) and not lacking else NOT_MET
    return _target("roads_built", n_done, evidence=evidence, status=status,
                   method=_method("roads_built"))


def _road_area_per_capita(ctx: _Ctx) -> TargetResult:
    method = _method("road_area_per_capita")
    recs = _road_records(ctx, ("red_line_width_m", "carriageway_width_m"))
    pop, why_zh, why_en = ctx.population()
    existing = [r for r in recs if r["_exists"]]
    no_width = [r for r in existing if _num(r.get("red_line_width_m")) is None]
    area = sum(r["_length"] * (_num(r.get("red_line_width_m")) or 0.0) for r in existing)
    cw = sum(r["_length"] * (_num(r.get("carriageway_width_m")) or 0.0) for r in existing)
    evidence = {"segments": len(existing),
                "length_m": round(sum(r["_length"] for r in existing), 1),
                "red_line_area_m2": round(area, 1), "carriageway_area_m2": round(cw, 1),
                "segments_without_red_line_width": len(no_width),
                "width_used": "red_line_width_m", "population": pop}
    if pop is None:
        return _not_measurable("road_area_per_capita", why_zh, why_en, method, evidence)
    evidence["carriageway_area_per_capita_m2"] = round(cw / pop, 3)
    district_pop = ctx.district_population()
    if district_pop:
        by_office: dict[str, float] = {}
        for r in existing:
            key = str(r.get("street_office"))
            width = _num(r.get("red_line_width_m")) or 0.0
            by_office[key] = by_office.get(key, 0.0) + r["_length"] * width
        for code, people in district_pop.items():
            d = ctx.dist(code)
            d["population"] = round(people)
            if people > 0:
                d["road_area_per_capita"] = round(by_office.get(code, 0.0) / people, 2)
    return _target("road_area_per_capita", area / pop, evidence=evidence, method=method)


def _lamp_segments(ctx: _Ctx) -> list[dict[str, Any]]:
    recs = _road_records(ctx, ("road_class", "lamps_required", "lamps_installed", "lamps_lit"))
    return [r for r in recs if r["_exists"] and r.get("road_class") in ("main", "secondary")]


def _road_lighting(ctx: _Ctx) -> TargetResult:
    target = plan.TARGETS["road_lighting"]
    method = _method("road_lighting", target=f"{target.value:g}")
    segs = _lamp_segments(ctx)
    with_data = [r for r in segs if (_num(r.get("lamps_required")) or 0) > 0]
    req = sum(_num(r.get("lamps_required")) or 0 for r in with_data)
    inst = sum(_num(r.get("lamps_installed")) or 0 for r in with_data)
    lit = sum(_num(r.get("lamps_lit")) or 0 for r in with_data)
    evidence: dict[str, Any] = {
        "segments": len(segs), "segments_with_lamp_data": len(with_data),
        "lamps_required": int(req), "lamps_installed": int(inst), "lamps_lit": int(lit)}
    if not with_data:
        return _not_measurable(
            "road_lighting", "主次干道路段均无应设路灯数(lamps_required)",
            "no main or secondary road segment has lamps_required", method, evidence)
    lit_pct = _pct(lit, req)
    inst_pct = _pct(inst, req)
    evidence.update({"lit_pct": _round(lit_pct), "installed_pct": _round(inst_pct),
                     "lit_of_installed_pct": _round(_pct(lit, inst))})
    for r in with_data:
        rq = _num(r.get("lamps_required")) or 0
        li = _num(r.get("lamps_lit")) or 0
        ins = _num(r.get("lamps_installed")) or 0
        d = ctx.dist(r.get("street_office"))
        for k, v in (("_lamps_required", rq), ("_lamps_lit", li), ("_lamps_installed", ins)):
            d[k] = d.get(k, 0) + v
        if not (indicators.meets(100 * li / rq, target)
                and indicators.meets(100 * ins / rq, target)):
            ctx.add_unmet("road_lighting", "roads", r,
                          f"应设{int(rq)}盏,已装{int(ins)}盏,亮{int(li)}盏",
                          f"{int(rq)} lamps required, {int(ins)} installed, {int(li)} lit",
                          lamps_required=int(rq), lamps_installed=int(ins), lamps_lit=int(li))
    assert lit_pct is not None and inst_pct is not None
    status = MET if indicators.meets(lit_pct, target) and indicators.meets(inst_pct, target) \
        else NOT_MET
    return _target("road_lighting", lit_pct, evidence=evidence, status=status, method=method,
                   as_of_applies=False)


def _mech_sweeping(ctx: _Ctx) -> TargetResult:
    method = _method("mech_sweeping")
    recs = [r for r in _road_records(ctx, ("mech_sweeping",)) if r["_exists"]]
    total = sum(r["_length"] for r in recs)
    swept = sum(r["_length"] for r in recs if _truthy(r.get("mech_sweeping")))
    evidence = {"segments": len(recs), "length_m": round(total, 1),
                "swept_length_m": round(swept, 1),
                "swept_segments": sum(1 for r in recs if _truthy(r.get("mech_sweeping")))}
    if total <= 0:
        return _not_measurable("mech_sweeping", "清单中没有道路长度",
                               "no road length in the inventory", method, evidence)
    for r in recs:
        d = ctx.dist(r.get("street_office"))
        d["_road_length"] = d.get("_road_length", 0.0) + r["_length"]
        d["_swept_length"] = d.get("_swept_length", 0.0) + (
            r["_length"] if _truthy(r.get("mech_sweeping")) else 0.0)
    value = 100.0 * swept / total
    res = _target("mech_sweeping", value, evidence=evidence, method=method, as_of_applies=False)
    if res.status == NOT_MET:
        for r in sorted(recs, key=lambda r: -r["_length"]):
            if not _truthy(r.get("mech_sweeping")):
                ctx.add_unmet("mech_sweeping", "roads", r, f"未机械化清扫,长{r['_length']:.0f}米",
                              f"not mechanically swept, {r['_length']:.0f} m",
                              length_m=round(r["_length"], 1))
    return res


# ============================================================================== bus stops
def _bus_stop_coverage(ctx: _Ctx, *, method: str, cell: float) -> TargetResult:
    radius = float(standards.BUS_STOP_RADIUS.value)
    zh_d, en_d = indicators.DISTANCE_WORDS.get(method, (method, method))
    how = _method("bus_stop_coverage", radius=f"{radius:g}", distance_zh=zh_d, distance_en=en_d,
                  cell=f"{cell:g}")
    target = plan.TARGETS["bus_stop_coverage"]
    stops = ctx.layer("bus_stops", ("obj_id", "status"))
    area = ctx.layer("urban_area")
    recs = list(iter_records(stops))
    keep = [schema.is_in_service(r.get("status"), r.get("completed_date"), ctx.as_of)
            for r in recs]
    facilities = stops.loc[[r["__index__"] for r, k in zip(recs, keep, strict=True) if k]]
    evidence: dict[str, Any] = {"stops_in_inventory": len(recs), "stops_in_service": int(sum(keep)),
                                "radius_m": radius, "method": method, "cell_m": cell}
    if facilities.empty:
        return _not_measurable("bus_stop_coverage", "评估日没有在用公交站点",
                               "no bus stop is in service at the as-of date", how, evidence)
    from . import coverage as _coverage

    kwargs: dict[str, Any] = {"radius": radius, "method": method, "cell": cell}
    pop_path = getattr(ctx.inv, "population_path", None)
    if pop_path is not None and Path(pop_path).exists():
        kwargs["population"] = str(pop_path)
    if "street_offices" in ctx.layers:
        kwargs["districts"] = ctx.layers["street_offices"]
    if method != "euclidean" and "roads" in ctx.layers:
        # the network as at the date: new segments only once built
        road_recs = _road_records(ctx)
        kwargs["roads"] = ctx.layers["roads"].loc[[r["__index__"] for r in road_recs
                                                   if r["_exists"]]]
        if "river" in ctx.layers:
            kwargs["river"] = ctx.layers["river"]
    try:
        res = _coverage.compute_coverage(facilities, area, **kwargs)
    except ZltError as exc:
        return _not_measurable("bus_stop_coverage", f"覆盖分析失败:{exc}",
                               f"coverage analysis failed: {exc}", how, evidence)
    s = res.summary
    share = _num(s.get("area_share"))
    pshare = _num(s.get("population_share"))
    evidence.update({
        "area_total_m2": _round(_num(s.get("area_total_m2")), 0),
        "area_covered_m2": _round(_num(s.get("area_covered_m2")), 0),
        "area_pct": _round(None if share is None else 100 * share),
        "population_total": _num(s.get("population_total")),
        "population_covered": _num(s.get("population_covered")),
        "population_pct": _round(None if pshare is None else 100 * pshare),
        "unreachable_facilities": s.get("unreachable_facilities"),
    })
    for row in s.get("by_district") or []:
        code = row.get("code")
        d = ctx.dist(code)
        a = _num(row.get("area_share"))
        p = _num(row.get("population_share"))
        d["bus_coverage_area_pct"] = _round(None if a is None else 100 * a)
        d["bus_coverage_population_pct"] = _round(None if p is None else 100 * p)
        if a is not None and not indicators.meets(100 * a, target):
            ctx.add_unmet("bus_stop_coverage", "street_offices",
                          {"code": code, "name": row.get("name"), "street_office": code},
                          f"面积覆盖率{100 * a:.1f}%", f"area coverage {100 * a:.1f}%",
                          area_pct=round(100 * a, 2))
    if share is None:
        return _not_measurable("bus_stop_coverage", "覆盖分析未给出面积覆盖率",
                               "the coverage analysis gave no area share", how, evidence)
    return _target("bus_stop_coverage", 100 * share, evidence=evidence, method=how)


# ============================================================================== green space
def _union_area(gdf: gpd.GeoDataFrame, clip: Any | None = None) -> float:
    if gdf.empty:
        return 0.0
    geom = gdf.geometry.union_all()
    if clip is not None:
        geom = geom.intersection(clip)
    return float(geom.area)


def _green_ratio(ctx: _Ctx) -> TargetResult:
    method = _method("green_ratio")
    parks = ctx.layer("parks", ("green_type",))
    area = ctx.layer("urban_area")
    ua = area.geometry.union_all() if not area.empty else None
    if ua is None or ua.area <= 0:
        return _not_measurable("green_ratio", "城区范围图层为空", "the urban-area layer is empty",
                               method)
    green = _union_area(parks, ua)
    by_type = {str(k): round(_union_area(g, ua), 1) for k, g in parks.groupby("green_type")}
    evidence = {"urban_area_m2": round(float(ua.area), 1), "green_area_m2": round(green, 1),
                "green_area_by_type_m2": by_type, "polygons": len(parks)}
    if "street_offices" in ctx.layers and "code" in ctx.layers["street_offices"].columns:
        gunion = parks.geometry.union_all() if not parks.empty else None
        for _, row in ctx.layers["street_offices"].iterrows():
            poly = row.geometry.intersection(ua)
            if poly.area <= 0:
                continue
            g = 0.0 if gunion is None else float(gunion.intersection(poly).area)
            ctx.dist(row["code"])["green_ratio_pct"] = round(100 * g / poly.area, 2)
    return _target("green_ratio", 100 * green / float(ua.area), evidence=evidence, method=method,
                   as_of_applies=False)


def _park_per_capita(ctx: _Ctx) -> TargetResult:
    method = _method("park_per_capita")
    parks = ctx.layer("parks", ("green_type",))
    clip = None
    if "urban_area" in ctx.layers and not ctx.layers["urban_area"].empty:
        clip = ctx.layers["urban_area"].geometry.union_all()
    park_area = _union_area(parks[parks["green_type"] == "park"], clip)
    pop, why_zh, why_en = ctx.population()
    evidence = {"park_area_m2": round(park_area, 1), "population": pop,
                "parks": int((parks["green_type"] == "park").sum())}
    if pop is None:
        return _not_measurable("park_per_capita", why_zh, why_en, method, evidence)
    district_pop = ctx.district_population()
    offices = ctx.layers.get("street_offices")
    if district_pop and offices is not None:
        park_union = parks[parks["green_type"] == "park"].geometry.union_all() \
            if (parks["green_type"] == "park").any() else None
        for code, geom in zip(offices["code"], offices.geometry, strict=True):
            people = district_pop.get(str(code), 0.0)
            d = ctx.dist(code)
            d["population"] = round(people)
            if people > 0:
                area_d = 0.0 if park_union is None else float(park_union.intersection(
                    geom if clip is None else geom.intersection(clip)).area)
                d["park_per_capita"] = round(area_d / people, 2)
    return _target("park_per_capita", park_area / pop, evidence=evidence, method=method,
                   as_of_applies=False)


# ============================================================================== drainage
def _waterlogging(ctx: _Ctx) -> TargetResult:
    method = _method("waterlogging_fixed")
    gdf = ctx.layer("drainage_points", ("obj_id", "drainage_type", "remedy_status", "remedy_date"))
    recs = [r for r in iter_records(gdf) if r.get("drainage_type") == "waterlogging"]
    if not recs:
        return _not_measurable("waterlogging_fixed", "清单中没有积水点",
                               "no waterlogging point in the inventory", method,
                               {"waterlogging_points": 0})
    fixed = 0
    by_status: dict[str, int] = {}
    for r in recs:
        ws = _work_state(r.get("remedy_status"), r.get("remedy_date"), r.get("updated"),
                         ctx.as_of, done_statuses=schema.FIXED_REMEDY_STATUSES,
                         status_domain=schema.REMEDY_STATUS)
        by_status[str(r.get("remedy_status"))] = by_status.get(str(r.get("remedy_status")), 0) + 1
        fixed += int(ws.done)
        d = ctx.dist(r.get("street_office"))
        d["waterlogging_total"] = d.get("waterlogging_total", 0) + 1
        d["waterlogging_fixed"] = d.get("waterlogging_fixed", 0) + int(ws.done)
        ctx.count_dept(r.get("department"), ws.done)
        if not ws.done:
            ctx.add_unmet("waterlogging_fixed", "drainage_points", r, ws.reason_zh, ws.reason_en)
    evidence = {"waterlogging_points": len(recs), "fixed": fixed, "not_fixed": len(recs) - fixed,
                "by_remedy_status": by_status}
    return _target("waterlogging_fixed", 100.0 * fixed / len(recs), evidence=evidence,
                   method=method)


# ============================================================================== assembly
def _compute_target(ctx: _Ctx, tid: str, fn: Callable[[_Ctx], TargetResult]) -> TargetResult:
    try:
        return fn(ctx)
    except _Missing as m:
        return _not_measurable(tid, m.zh, m.en)


def _latest_updated(layers: Mapping[str, gpd.GeoDataFrame]) -> _dt.date | None:
    latest: _dt.date | None = None
    for name in schema.ASSET_LAYERS:
        gdf = layers.get(name)
        if gdf is None or "updated" not in gdf.columns:
            continue
        for v in gdf["updated"]:
            d = _date(v)
            if d is not None and (latest is None or d > latest):
                latest = d
    return latest


def _data_sources(layers: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    seen: set[str] = set()
    for gdf in layers.values():
        if "data_source" in gdf.columns:
            seen.update(str(v) for v in gdf["data_source"].dropna().unique())
    return sorted(seen)


def _district_rows(ctx: _Ctx) -> list[dict[str, Any]]:
    unmet_by: dict[str, int] = {}
    for u in ctx.unmet:
        key = str(u.get("street_office")) if u.get("street_office") else "unassigned"
        unmet_by[key] = unmet_by.get(key, 0) + 1
    rows = []
    codes = list(schema.STREET_OFFICES.codes)
    extra = [k for k in ctx.district if k not in codes]
    for code in codes + sorted(extra):
        d = ctx.district.get(code, {})
        zh, en = _office(None if code == "unassigned" else code)
        row: dict[str, Any] = {"code": code, "name_zh": zh, "name_en": en}
        for key, *_ in DISTRICT_INDICATORS:
            row[key] = d.get(key)
        row["facade_lighting_pct"] = _round(_pct(d.get("facade_lighting_done", 0),
                                                 d.get("facade_lighting_total", 0)))
        row["road_lighting_pct"] = _round(_pct(d.get("_lamps_lit", 0), d.get("_lamps_required", 0)))
        row["road_lighting_installed_pct"] = _round(
            _pct(d.get("_lamps_installed", 0), d.get("_lamps_required", 0)))
        row["mech_sweeping_pct"] = _round(_pct(d.get("_swept_length", 0), d.get("_road_length", 0)))
        row["unmet_assets"] = unmet_by.get(code, 0)
        named = ("code", "name_zh", "name_en")
        if code in extra and not any(v for k, v in row.items() if k not in named):
            continue
        rows.append(row)
    return rows


def _department_rows(ctx: _Ctx, targets: list[TargetResult]) -> list[dict[str, Any]]:
    unmet_by: dict[str, int] = {}
    for u in ctx.unmet:
        key = str(u.get("department")) if u.get("department") else "unassigned"
        unmet_by[key] = unmet_by.get(key, 0) + 1
    rows = []
    for c in schema.DEPARTMENTS.values:
        mine = [t for t in targets if any(d["code"] == c.code for d in t.departments)]
        assets = ctx.dept_assets.get(c.code, {"assets_total": 0, "assets_done": 0})
        rows.append({
            "code": c.code, "name_zh": c.zh, "name_en": c.en,
            "targets": [t.id for t in mine],
            "targets_met": [t.id for t in mine if t.status == MET],
            "targets_not_met": [t.id for t in mine if t.status == NOT_MET],
            "targets_not_measurable": [t.id for t in mine if t.status == NOT_MEASURABLE],
            "met": sum(t.status == MET for t in mine),
            "not_met": sum(t.status == NOT_MET for t in mine),
            "not_measurable": sum(t.status == NOT_MEASURABLE for t in mine),
            "works_items": assets["assets_total"], "works_items_done": assets["assets_done"],
            "unmet_assets": unmet_by.get(c.code, 0),
        })
    return rows


def compute_scorecard(inventory_or_path: Inventory | str | Path | None,
                      as_of: str | _dt.date | None = None, *, coverage_method: str = "euclidean",
                      cell: float | None = None) -> Scorecard:
    """Compute every target of the plan from an inventory, at a date.

    Parameters
    ----------
    inventory_or_path
        An opened :class:`~zlt_assets.inventory.Inventory`, a path to a GeoPackage, or ``None``
        for the default inventory (``$ZLT_DATA`` or the shipped sample).
    as_of
        The date (``YYYY-MM-DD`` or :class:`datetime.date`) the state is evaluated at. Default:
        the latest ``updated`` date in the asset layers, else today (stated in the result).
    coverage_method
        Distance for the bus-stop coverage: ``"euclidean"`` (the official definition, default)
        or ``"network"``.
    cell
        Sampling grid cell of the coverage analysis in metres (default
        :data:`zlt_assets.standards.GRID_CELL`).

    Returns
    -------
    Scorecard
        Targets in the order of :data:`zlt_assets.plan.TARGETS`, with the breakdowns.

    Raises
    ------
    BadInput
        When the inventory cannot be opened or ``as_of`` is not a date.

    Examples
    --------
    >>> from zlt_assets.inventory import sample_path
    >>> card = compute_scorecard(sample_path(), "2020-12-31")
    >>> t = card.target("road_lighting")
    >>> t.status, round(t.value, 1), t.target
    ('not_met', 97.6, 98.0)
    """
    # an opened inventory of any backend (GeoPackage, PostGIS) shares the Inventory API
    inv: Any = (inventory_or_path if hasattr(inventory_or_path, "list_layers")
                and hasattr(inventory_or_path, "read") else Inventory.open(inventory_or_path))
    day = parse_as_of(as_of)
    names = inv.list_layers()
    layers: dict[str, gpd.GeoDataFrame] = {}
    unreadable: dict[str, str] = {}
    for n in schema.LAYERS:
        if n not in names:
            continue
        try:
            layers[n] = inv.read(n)
        except ZltError as exc:  # one broken layer makes its targets not measurable, no more
            unreadable[n] = str(exc)
    source = "argument"
    if day is None:
        day = _latest_updated(layers)
        source = "data"
        if day is None:
            day, source = _dt.date.today(), "today"
    ctx = _Ctx(inv=inv, as_of=day, layers=layers, unreadable=unreadable)
    cell_m = float(cell if cell is not None else standards.GRID_CELL.value)

    computed: dict[str, Callable[[_Ctx], TargetResult]] = {
        "facade_lighting": _facade_lighting,
        "facade_renovation": _facade_renovation,
        "bridge_lighting": _bridge_lighting,
        "roads_built": _roads_built,
        "road_area_per_capita": _road_area_per_capita,
        "bus_stop_coverage": lambda c: _bus_stop_coverage(c, method=coverage_method, cell=cell_m),
        "road_lighting": _road_lighting,
        "mech_sweeping": _mech_sweeping,
        "green_ratio": _green_ratio,
        "park_per_capita": _park_per_capita,
        "waterlogging_fixed": _waterlogging,
    }
    targets: list[TargetResult] = []
    for tid in plan.TARGETS:
        if tid in computed:
            targets.append(_compute_target(ctx, tid, computed[tid]))
        else:
            zh, en = NOT_IN_INVENTORY.get(tid, ("清单中没有该指标所需数据",
                                               "the inventory holds no data for this target"))
            targets.append(_not_measurable(tid, zh, en))
    sources = _data_sources(layers)
    notes = [{"zh": f"图层 {n} 无法读取:{msg}", "en": f"layer {n} cannot be read: {msg}"}
             for n, msg in unreadable.items()]
    notes += [{
        "zh": ("评估日状态:状态为已完工/已验收且完成日期不晚于评估日的工程计为完成;"
               "完成日期晚于评估日的计为未完成;无完成日期的已完工记录自其更新日期起计为完成。"),
        "en": ("State at the as-of date: a work is done when its status is completed/accepted and "
               "its completion date is on or before the date; completed later counts as not done; "
               "a done record without a completion date counts from its updated date."),
    }]
    if source != "argument":
        from_data = source == "data"
        notes.append({
            "zh": (f"未指定评估日,采用{'数据最新更新日期' if from_data else '今天'} "
                   f"{day.isoformat()}。"),
            "en": ("No as-of date given: using "
                   f"{'the latest updated date in the data' if from_data else 'today'} "
                   f"{day.isoformat()}."),
        })
    return Scorecard(
        as_of=day.isoformat(), as_of_source=source, phase=phase_info(day), data=inv.label,
        data_sources=sources, illustrative="illustrative" in sources,
        generated=_dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        targets=targets, by_district=_district_rows(ctx),
        by_department=_department_rows(ctx, targets), unmet_assets=_plain(ctx.unmet),
        progress=ctx.progress, notes=notes,
    )
