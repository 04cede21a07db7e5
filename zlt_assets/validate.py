"""Validation of an inventory against the schema: problems as data.

Every problem names its layer, object id, field and a plain message (the report is a face of
its own: ``zlt-assets validate`` prints it, the QGIS plugin shows it, the import refuses rows
with it). The checks, each with its ``check`` code:

* ``missing_layer``, ``empty_layer``, ``missing_field``, ``crs`` - presence and CRS (EPSG:4550)
* ``geometry_missing``, ``geometry_type``, ``geometry_invalid`` - geometry
* ``required``, ``type``, ``domain`` - attributes against their declaration
* ``id_format``, ``id_division``, ``id_component``, ``id_duplicate`` - GB/T 30428 object ids
* ``date_format`` - ISO dates
* the layer's declared rules (:attr:`zlt_assets.schema.LayerDef.rules`), evaluated by the one
  evaluator :func:`zlt_assets.rules.evaluate`, each reported under its ``check`` code:
  ``range`` (declared ranges, fields bounded by others), ``conditional`` (fields required by
  another field's value), ``date_order``, ``future`` (after the check date), ``geometry``
  (recorded length against the drawn one) and ``plan_count`` (row rules of the plan); hard rules
  are errors, soft rules warnings
* ``plan_count`` - the plan's required counts (190 / 31 / 3 / 45) and named bridges
* ``outside_boundary``, ``stop_far_from_road``, ``bridge_not_crossing``, ``partition`` -
  spatial sanity

The check date (``today``) is the date the "not in the future" rules compare with: today unless
given.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TypeGuard

import geopandas as gpd
import numpy as np
import shapely

from . import plan, rules, schema, standards
from .crs import is_project_crs, to_project
from .inventory import Inventory, InventoryError, coerce_types, is_present, iter_records
from .text import garbled

#: The reprojection of :mod:`zlt_assets.crs`, typed for this module.
_to_project: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] = to_project
#: Characters that must never reach a terminal raw (escape sequences from hostile data).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: Tolerances of the spatial checks (sources in :mod:`zlt_assets.standards`).
STOP_ROAD_TOLERANCE_M = float(standards.STOP_ROAD_TOLERANCE.value)
BOUNDARY_TOLERANCE_M = float(standards.BOUNDARY_TOLERANCE.value)
PARTITION_TOLERANCE_SHARE = float(standards.PARTITION_TOLERANCE.value)


@dataclass(frozen=True)
class Problem:
    """One finding: where it is and what is wrong, in plain words."""

    layer: str
    obj_id: str | None
    field: str | None
    message: str
    check: str
    severity: str = "error"  # "error" or "warning"

    def line(self) -> str:
        """One printable line: severity, layer [object id] .field: message."""
        where = self.layer
        if self.obj_id:
            where += f" [{self.obj_id}]"
        if self.field:
            where += f" .{self.field}"
        return _CONTROL.sub(lambda m: repr(m.group())[1:-1],
                            f"{self.severity.upper():7} {where}: {self.message}")


@dataclass
class ValidationReport:
    """All problems of one inventory."""

    source: str
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems of severity ``warning``."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def by_check(self) -> dict[str, int]:
        """Number of problems per check code."""
        out: dict[str, int] = {}
        for p in self.problems:
            out[p.check] = out.get(p.check, 0) + 1
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (the ``--json`` report)."""
        return {
            "source": self.source,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "counts": self.counts,
            "by_check": self.by_check(),
            "problems": [asdict(p) for p in self.problems],
        }


# ============================================================================ entry points
def parse_check_date(text: str | dt.date | None) -> dt.date | None:
    """The check date given as ``YYYY-MM-DD`` (None stays None: today).

    Raises
    ------
    BadInput
        When the text is not a date (the message names the option ``check_date``).

    Examples
    --------
    >>> parse_check_date("2020-11-30")
    datetime.date(2020, 11, 30)
    """
    return rules.parse_date(text, option="check_date")


def validate_inventory(inventory: Inventory | str | None, *,
                       today: dt.date | None = None) -> ValidationReport:
    """Check every layer of an inventory against the schema, the plan counts and spatial sanity.

    Parameters
    ----------
    inventory
        An opened :class:`~zlt_assets.inventory.Inventory`, or a path (``None``: the default).
    today
        The check date the "not in the future" rules compare with (default: today).

    Returns
    -------
    ValidationReport
        Problems as data; ``report.ok`` when there is no error.

    Examples
    --------
    >>> from zlt_assets.inventory import sample_path
    >>> report = validate_inventory(sample_path())
    >>> report.ok, report.counts["roads"]
    (True, 636)
    """
    inv = inventory if isinstance(inventory, Inventory) else Inventory.open(inventory)
    report = ValidationReport(source=inv.label)
    present = set(inv.list_layers())
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name, decl in schema.LAYERS.items():
        if name not in present:
            report.problems.append(Problem(name, None, None,
                                           f"缺少图层 {decl.zh} / "
                                           f"layer is missing ({decl.zh} / {decl.en})",
                                           "missing_layer"))
            continue
        try:
            raw = inv.read_raw(name)
        except InventoryError as exc:
            report.problems.append(Problem(name, None, None, str(exc), "unreadable"))
            continue
        report.counts[name] = len(raw)
        if raw.empty:
            report.problems.append(Problem(name, None, None,
                                           f"图层没有要素 / "
                                           f"layer has no features ({decl.zh} / {decl.en})",
                                           "empty_layer"))
            continue
        if raw.crs is None:
            report.problems.append(Problem(name, None, None,
                                           "图层没有坐标系,应为 EPSG:4550 / layer has no "
                                           "coordinate reference system; expected EPSG:4550",
                                           "crs"))
            frame = raw
        else:
            if not is_project_crs(raw.crs):
                report.problems.append(Problem(
                    name, None, None,
                    f"图层坐标系为 {raw.crs.to_string()},应为 EPSG:4550 / "
                    f"layer is stored in {raw.crs.to_string()}, expected EPSG:4550 "
                    "(CGCS2000 / 3-degree GK CM 123E)", "crs"))
            frame = _to_project(raw)
        frame = coerce_types(frame, decl)
        report.problems.extend(validate_layer(name, frame, today=today))
        layers[name] = frame
    if not inv.has_population():
        report.problems.append(Problem(schema.POPULATION.name, None, None,
                                       f"缺少人口格网 / population grid is missing "
                                       f"({inv.population_path.name})",
                                       "missing_layer", "warning"))
    report.problems.extend(check_plan_counts(layers))
    report.problems.extend(check_spatial(layers))
    return report


def validate_layer(layer_name: str, gdf: gpd.GeoDataFrame, *,
                   today: dt.date | None = None) -> list[Problem]:
    """Attribute, geometry and rule checks of one layer (no cross-layer checks).

    The import uses this to refuse bad rows before writing anything. ``gdf`` should already be
    in EPSG:4550 (CRS is checked by :func:`validate_inventory`).

    Parameters
    ----------
    layer_name
        A layer of :data:`zlt_assets.schema.LAYERS`.
    gdf
        Its features (typed with :func:`zlt_assets.inventory.coerce_types`).
    today
        The check date of the "not in the future" rules (default: today).

    Returns
    -------
    list of Problem

    Examples
    --------
    >>> import geopandas as gpd
    >>> from zlt_assets.inventory import coerce_types, sample_path
    >>> roads = gpd.read_file(sample_path(), layer="roads", rows=1)
    >>> roads.loc[0, ["lamps_installed", "lamps_lit"]] = [15, 999]
    >>> [(p.check, p.field) for p in validate_layer("roads", coerce_types(roads, schema.ROADS))]
    [('range', 'lamps_lit')]
    """
    decl = schema.layer(layer_name)
    problems: list[Problem] = []
    ids = _ids(gdf)
    problems += _check_fields_present(decl, gdf)
    problems += _check_geometry(decl, gdf, ids)
    problems += _check_attributes(decl, gdf, ids)
    problems += _check_object_ids(decl, gdf, ids)
    date_problems, dates = _check_dates(decl, gdf, ids)
    problems += date_problems
    problems += _check_rules(decl, gdf, ids, dates, today=today)
    return problems


# ============================================================================ per-layer checks
def _ids(gdf: gpd.GeoDataFrame) -> list[str]:
    """A label per row for messages: the object id, else the code, else the row number."""
    for col in ("obj_id", "code"):
        if col in gdf.columns:
            return [(str(v) if is_present(v) else f"row {i + 1}") for i, v in enumerate(gdf[col])]
    return [f"row {i + 1}" for i in range(len(gdf))]


def _check_fields_present(decl: schema.LayerDef, gdf: gpd.GeoDataFrame) -> list[Problem]:
    out = []
    for f in decl.fields:
        if f.name not in gdf.columns:
            sev = "error" if f.required else "warning"
            out.append(Problem(decl.name, None, f.name, f"缺少字段{f.zh} / "
                                                        f"field is missing ({f.zh} / {f.en})",
                               "missing_field", sev))
    return out


_GEOM_ACCEPT = {
    "Point": {"Point"},
    "LineString": {"LineString"},
    "Polygon": {"Polygon"},
    "MultiPolygon": {"Polygon", "MultiPolygon"},
    "MultiLineString": {"LineString", "MultiLineString"},
}


def _check_geometry(decl: schema.LayerDef, gdf: gpd.GeoDataFrame, ids: list[str]) -> list[Problem]:
    out = []
    geoms = gdf.geometry.values
    accept = _GEOM_ACCEPT[decl.geometry]
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = shapely.get_type_id(geoms)
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                      "MultiLineString", "MultiPolygon", "GeometryCollection"])
    valid = shapely.is_valid(geoms)
    for i in range(len(gdf)):
        if missing[i]:
            out.append(Problem(decl.name, ids[i], "geometry",
                               "几何为空 / geometry is missing or empty", "geometry_missing"))
            continue
        tname = names[types[i]] if 0 <= types[i] < len(names) else "unknown"
        if tname not in accept:
            out.append(Problem(decl.name, ids[i], "geometry",
                               f"几何类型为 {tname},应为 {decl.geometry} / "
                               f"geometry is {tname}, expected {decl.geometry}", "geometry_type"))
        if not valid[i]:
            reason = shapely.is_valid_reason(geoms[i])
            out.append(Problem(decl.name, ids[i], "geometry",
                               f"几何无效 / invalid geometry: {reason}", "geometry_invalid"))
        elif tname in ("Point",) and not np.all(np.isfinite(shapely.get_coordinates(geoms[i]))):
            out.append(Problem(decl.name, ids[i], "geometry", "坐标不是有限数值 / "
                                                              "coordinates are not finite",
                               "geometry_invalid"))
    return out


def _type_ok(v: object, ftype: str) -> bool:
    if ftype == "text":
        return isinstance(v, str)
    if ftype == "integer":
        if isinstance(v, (bool, np.bool_)):
            return False
        if isinstance(v, (int, np.integer)):
            return True
        return isinstance(v, (float, np.floating)) and math.isfinite(v) and float(v).is_integer()
    if ftype == "real":
        return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) \
            and math.isfinite(float(v))
    if ftype == "boolean":
        return isinstance(v, (bool, np.bool_))
    if ftype in ("date", "datetime"):
        return isinstance(v, str)
    return True


def _check_attributes(decl: schema.LayerDef, gdf: gpd.GeoDataFrame,
                      ids: list[str]) -> list[Problem]:
    out = []
    for f in decl.fields:
        if f.name not in gdf.columns:
            continue
        values = gdf[f.name].tolist()
        seen: dict[str, int] = {}
        for i, v in enumerate(values):
            if not is_present(v):
                if f.required:
                    out.append(Problem(decl.name, ids[i], f.name,
                                       f"必填项{f.zh}为空 / "
                                       f"required value is empty ({f.zh} / {f.en})", "required"))
                continue
            if not _type_ok(v, f.type):
                out.append(Problem(decl.name, ids[i], f.name,
                                   f"值 {_short(v)} 不是 {f.type} 类型 / "
                                   f"value {_short(v)} is not of type {f.type}", "type"))
                continue
            if f.type == "text" and (fixed := garbled(v)):  # 乱码: zlt_assets.text
                out.append(Problem(decl.name, ids[i], f.name,
                                   f"文本疑似乱码:{_short(v)} 应为 {_short(fixed)} / "
                                   f"text looks garbled (乱码): {_short(v)} reads as "
                                   f"{_short(fixed)}", "garbled"))
            if f.domain is not None and str(v) not in f.domain:
                out.append(Problem(decl.name, ids[i], f.name,
                                   f"值 {_short(v)} 不在{f.domain.zh}之内 / "
                                   f"value {_short(v)} is not in "
                                   f"{f.domain.zh} / {f.domain.en} "
                                   f"({', '.join(f.domain.codes)})", "domain"))
            if f.unique and f.name != "obj_id":
                key = str(v)
                if key in seen:
                    out.append(Problem(decl.name, ids[i], f.name,
                                       f"值 {_short(v)} 与第 {seen[key] + 1} 行重复 / "
                                       f"value {_short(v)} repeats row {seen[key] + 1}",
                                       "id_duplicate"))
                else:
                    seen[key] = i
    return out


def _check_object_ids(decl: schema.LayerDef, gdf: gpd.GeoDataFrame,
                      ids: list[str]) -> list[Problem]:  # noqa: ARG001 (same signature)
    if "obj_id" not in gdf.columns:
        return []
    out = []
    first_seen: dict[str, int] = {}
    records = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    for i, rec in enumerate(records):
        v = rec.get("obj_id")
        if not is_present(v):
            continue  # reported as required
        s = str(v)
        try:
            division, comp, _serial = schema.parse_object_id(s)
        except ValueError:
            out.append(Problem(decl.name, s, "obj_id",
                               "对象编码应为16位数字:150783 + 大类 + 小类 + 序号 / "
                               "object id must be 16 digits: 150783 + class + subclass + serial",
                               "id_format"))
            continue
        if division != schema.DIVISION_CODE:
            out.append(Problem(decl.name, s, "obj_id",
                               f"对象编码以 {division} 开头,应为扎兰屯的 {schema.DIVISION_CODE} / "
                               f"object id starts with {division}, expected Zhalantun's "
                               f"{schema.DIVISION_CODE}", "id_division"))
        expected = decl.component_code_for(rec)
        if expected and comp != expected:
            out.append(Problem(decl.name, s, "obj_id",
                               f"部件代码 {comp} 与图层不符(应为 {expected})/ "
                               f"component code {comp} does not match the layer "
                               f"(expected {expected})", "id_component"))
        if s in first_seen:
            out.append(Problem(decl.name, s, "obj_id",
                               f"对象编码重复(亦见第 {first_seen[s] + 1} 行)/ "
                               f"duplicate object id (also row {first_seen[s] + 1})",
                               "id_duplicate"))
        else:
            first_seen[s] = i
    return out


def _parse_date(v: object) -> dt.date | None:
    if not isinstance(v, str):
        return None
    try:
        return dt.date.fromisoformat(v[:10]) if len(v) >= 10 else None
    except ValueError:
        return None


def _check_dates(decl: schema.LayerDef, gdf: gpd.GeoDataFrame, ids: list[str]
                 ) -> tuple[list[Problem], dict[str, list[dt.date | None]]]:
    """ISO date format; returns the problems and the parsed dates (None: empty or malformed)."""
    out = []
    date_fields = [f.name for f in decl.fields if f.type in ("date", "datetime")
                   and f.name in gdf.columns]
    parsed: dict[str, list[dt.date | None]] = {}
    for name in date_fields:
        col: list[dt.date | None] = []
        for i, v in enumerate(gdf[name].tolist()):
            if not is_present(v):
                col.append(None)
                continue
            d = _parse_date(v)
            if d is None or (decl.field(name).type == "date" and len(str(v)) != 10):
                out.append(Problem(decl.name, ids[i], name,
                                   f"{_short(v)} 不是 YYYY-MM-DD 格式的日期 / "
                                   f"{_short(v)} is not a date in the form YYYY-MM-DD",
                                   "date_format"))
                col.append(None)
            else:
                col.append(d)
        parsed[name] = col
    return out, parsed


def _rule_records(decl: schema.LayerDef, gdf: gpd.GeoDataFrame,
                  dates: dict[str, list[dt.date | None]]) -> list[dict[str, object]]:
    """One record per row for the evaluator, declared fields only.

    A missing, blank or ill-typed value is NULL (the required, type and date_format checks
    report it); dates are parsed.
    """
    types = {f.name: f.type for f in decl.fields if f.name in gdf.columns}
    out: list[dict[str, object]] = []
    for i, raw in enumerate(iter_records(gdf[[*types, gdf.geometry.name]])):
        rec: dict[str, object] = {}
        for name, ftype in types.items():
            v = raw.get(name)
            if name in dates:
                rec[name] = dates[name][i]
            elif not is_present(v) or not _type_ok(v, ftype):
                rec[name] = None
            elif ftype == "integer":
                rec[name] = int(v)  # type: ignore[call-overload]
            elif ftype == "real":
                rec[name] = float(v)  # type: ignore[arg-type]
            elif ftype == "boolean":
                rec[name] = bool(v)
            else:
                rec[name] = v
        out.append(rec)
    return out


def _check_rules(decl: schema.LayerDef, gdf: gpd.GeoDataFrame, ids: list[str],
                 dates: dict[str, list[dt.date | None]], *,
                 today: dt.date | None = None) -> list[Problem]:
    """The layer's declared rules, each evaluated by :func:`zlt_assets.rules.evaluate`."""
    present = set(gdf.columns)
    active = [r for r in decl.rules if set(r.fields) <= present]
    if not active or gdf.empty:
        return []
    day = today or dt.date.today()
    lengths: list[float | None] = [None] * len(gdf)
    if any(r.uses_geometry for r in active):
        geoms = gdf.geometry.values
        ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        lengths = [float(x) if k else None for x, k in zip(shapely.length(geoms), ok, strict=True)]
    out: list[Problem] = []
    for i, rec in enumerate(_rule_records(decl, gdf, dates)):
        for r in active:
            if not rules.evaluate(r, rec, today=day, geom_length=lengths[i]):
                out.append(Problem(decl.name, ids[i], r.fields[0],
                                   f"{r.message} ({_values(r, rec, lengths[i], day)})",
                                   r.check, "error" if r.hard else "warning"))
    return out


def _values(rule: rules.Rule, rec: dict[str, object], geom_length: float | None,
            today: dt.date) -> str:
    """The values a rule read, for its message: ``lamps_lit=999, lamps_installed=15``."""
    parts = [f"{name}={_show(rec.get(name))}" for name in rule.fields]
    if rule.uses_geometry and geom_length is not None:
        parts.append(f"geometry length={geom_length:.1f} m")
    if rule.uses_today:
        parts.append(f"check date={today.isoformat()}")
    return ", ".join(parts)


# ============================================================================ cross-layer
def check_plan_counts(layers: dict[str, gpd.GeoDataFrame]) -> list[Problem]:
    """The plan's required counts and the bridges it names.

    The counts are :data:`zlt_assets.plan.REQUIRED_COUNTS` (190 buildings, 31 renovations on
    中央路, 3 bridges, 45 roads), counted the one way :meth:`~zlt_assets.plan.RequiredCount.found`
    says. The row rules of the plan (renovation only on 中央路, a plan road is new or rebuilt) are
    declared rules of the layers (``check == "plan_count"``).
    """
    out: list[Problem] = []
    for rc in plan.REQUIRED_COUNTS.values():
        gdf = layers.get(rc.layer)
        if gdf is None or any(f not in gdf.columns for f in rc.fields):
            continue
        found = rc.found(iter_records(gdf))
        if found != rc.count:
            out.append(Problem(rc.layer, None, rc.flag or rc.distinct,
                               f"清单中有 {found} 项{rc.zh},方案为 {rc.count} 项({rc.section}) / "
                               f"{found} in the inventory, the plan names {rc.count}: {rc.en} "
                               f"({rc.section})", "plan_count"))
    br = layers.get("bridges")
    lighting = plan.REQUIRED_COUNTS["bridge_lighting"]
    if br is not None and set(lighting.fields) | {"name"} <= set(br.columns):
        lit = {str(r.get("name")) for r in iter_records(br) if lighting.selects(r)}
        missing = [n for n in plan.PLAN_BRIDGES if n not in lit]
        if missing:
            out.append(Problem("bridges", None, "name",
                               f"方案点名的桥梁未列入桥体亮化:{'、'.join(missing)} / plan bridges "
                               f"missing from the lighting plan: {', '.join(missing)}",
                               "plan_count"))
    return out


def check_spatial(layers: dict[str, gpd.GeoDataFrame]) -> list[Problem]:
    """Spatial sanity across layers.

    Features inside the city boundary; bus stops near a road; bridges cross the river; street
    offices partition the urban area.
    """
    out: list[Problem] = []

    def usable(g: gpd.GeoDataFrame | None) -> TypeGuard[gpd.GeoDataFrame]:
        return g is not None and len(g) > 0 and g.crs is not None

    boundary = layers.get("city_boundary")
    if usable(boundary):
        shell = shapely.buffer(shapely.union_all(_valid(boundary.geometry.values)),
                               BOUNDARY_TOLERANCE_M)
        shapely.prepare(shell)
        for name in schema.LAYERS:
            if name in ("city_boundary",) or name not in layers:
                continue
            g = layers[name]
            if not usable(g):
                continue
            geoms = g.geometry.values
            ok = (shapely.is_missing(geoms) | shapely.is_empty(geoms)
                  | shapely.covered_by(geoms, shell))
            ids = _ids(g)
            for i in np.flatnonzero(~ok):
                out.append(Problem(name, ids[i], "geometry",
                                   "要素(部分)位于市界之外 / "
                                   "feature lies (partly) outside the city boundary",
                                   "outside_boundary"))
    stops, roads = layers.get("bus_stops"), layers.get("roads")
    if usable(stops) and usable(roads):
        tree = shapely.STRtree(roads.geometry.values)
        geoms = stops.geometry.values
        present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        idx = np.flatnonzero(present)
        if len(idx):
            _, dist = tree.query_nearest(geoms[idx], return_distance=True, all_matches=False)
            ids = _ids(stops)
            for k, d in zip(idx, dist, strict=True):
                if d > STOP_ROAD_TOLERANCE_M:
                    out.append(Problem("bus_stops", ids[k], "geometry",
                                       f"公交站点距最近道路 {d:.0f} 米"
                                       f"(超过 {STOP_ROAD_TOLERANCE_M:.0f} 米)/ "
                                       f"bus stop is {d:.0f} m from the nearest road "
                                       f"(more than {STOP_ROAD_TOLERANCE_M:.0f} m)",
                                       "stop_far_from_road"))
    bridges, river = layers.get("bridges"), layers.get("river")
    if usable(bridges) and usable(river):
        water = shapely.union_all(river.geometry.values)
        ids = _ids(bridges)
        crosses = shapely.intersects(bridges.geometry.values, water)
        for i in np.flatnonzero(~crosses):
            out.append(Problem("bridges", ids[i], "geometry", "桥梁未跨越河流 / "
                                                              "bridge does not cross the river",
                               "bridge_not_crossing"))
    offices, urban = layers.get("street_offices"), layers.get("urban_area")
    if usable(offices) and usable(urban):
        u = shapely.union_all(_valid(urban.geometry.values))
        parts = _valid(offices.geometry.values)
        total = shapely.union_all(parts)
        area = max(u.area, 1.0)
        gap = shapely.difference(u, total).area / area
        spill = shapely.difference(total, u).area / area
        overlap = (sum(p.area for p in parts) - total.area) / area
        for zh, what, share in (("未覆盖部分城区", "leave part of the urban area uncovered", gap),
                                ("超出城区范围", "reach outside the urban area", spill),
                                ("相互重叠", "overlap each other", overlap)):
            if share > PARTITION_TOLERANCE_SHARE:
                out.append(Problem("street_offices", None, "geometry",
                                   f"街道办事处{zh}(占城区 {share:.2%})/ "
                                   f"street offices {what} ({share:.2%} of the urban area)",
                                   "partition"))
    return out


def _valid(geoms: np.ndarray) -> np.ndarray:
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    out: np.ndarray = shapely.make_valid(geoms)
    return out


def _show(v: object) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, dt.date):
        return v.isoformat()
    return _short(v)


def _short(v: object, n: int = 40) -> str:
    s = repr(v)  # repr escapes control characters: a hostile value cannot drive the terminal
    return s if len(s) <= n else s[: n - 3] + "..."
