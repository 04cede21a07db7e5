"""Validation of an inventory against the schema: problems as data.

Every problem names its layer, object id, field and a plain message (the report is a face of
its own: ``zlt-assets validate`` prints it, the QGIS plugin shows it, the import refuses rows
with it). The checks, each with its ``check`` code:

* ``missing_layer``, ``empty_layer``, ``missing_field``, ``crs`` - presence and CRS (EPSG:4550)
* ``geometry_missing``, ``geometry_type``, ``geometry_invalid`` - geometry
* ``required``, ``type``, ``domain``, ``range`` - attributes against their declaration
* ``conditional`` - fields required by another field's value (e.g. remedy status of a
  waterlogging point, works status of a road being built)
* ``id_format``, ``id_division``, ``id_component``, ``id_duplicate`` - GB/T 30428 object ids
* ``date_format``, ``date_order`` - ISO dates; nothing completed after the record's update date
* ``plan_count`` - the plan's required counts (190 / 31 / 3 / 45) and named bridges
* ``outside_boundary``, ``stop_far_from_road``, ``bridge_not_crossing``, ``partition`` -
  spatial sanity
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import plan, schema, standards
from .crs import is_project_crs, to_project
from .inventory import Inventory, InventoryError, coerce_types, is_present
from .text import garbled

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
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_check(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.problems:
            out[p.check] = out.get(p.check, 0) + 1
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, object]:
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
def validate_inventory(inventory: Inventory | str | None) -> ValidationReport:
    """Check every layer of an inventory against the schema, the plan counts and spatial sanity.

    Parameters
    ----------
    inventory
        An opened :class:`~zlt_assets.inventory.Inventory`, or a path (``None``: the default).

    Returns
    -------
    ValidationReport
        Problems as data; ``report.ok`` when there is no error.
    """
    inv = inventory if isinstance(inventory, Inventory) else Inventory.open(inventory)
    report = ValidationReport(source=inv.label)
    present = set(inv.list_layers())
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name, decl in schema.LAYERS.items():
        if name not in present:
            report.problems.append(Problem(name, None, None,
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
                                           f"layer has no features ({decl.zh} / {decl.en})",
                                           "empty_layer"))
            continue
        if raw.crs is None:
            report.problems.append(Problem(name, None, None, "layer has no coordinate reference "
                                           "system; expected EPSG:4550", "crs"))
            frame = raw
        else:
            if not is_project_crs(raw.crs):
                report.problems.append(Problem(
                    name, None, None,
                    f"layer is stored in {raw.crs.to_string()}, expected EPSG:4550 "
                    "(CGCS2000 / 3-degree GK CM 123E)", "crs"))
            frame = to_project(raw)
        frame = coerce_types(frame, decl)
        report.problems.extend(validate_layer(name, frame))
        layers[name] = frame
    if not inv.has_population():
        report.problems.append(Problem(schema.POPULATION.name, None, None,
                                       f"population grid is missing ({inv.population_path.name})",
                                       "missing_layer", "warning"))
    report.problems.extend(check_plan_counts(layers))
    report.problems.extend(check_spatial(layers))
    return report


def validate_layer(layer_name: str, gdf: gpd.GeoDataFrame) -> list[Problem]:
    """Attribute and geometry checks of one layer (no cross-layer checks).

    The import uses this to refuse bad rows before writing anything. ``gdf`` should already be
    in EPSG:4550 (CRS is checked by :func:`validate_inventory`).
    """
    decl = schema.layer(layer_name)
    problems: list[Problem] = []
    ids = _ids(gdf)
    problems += _check_fields_present(decl, gdf)
    problems += _check_geometry(decl, gdf, ids)
    problems += _check_attributes(decl, gdf, ids)
    problems += _check_object_ids(decl, gdf, ids)
    problems += _check_conditionals(decl, gdf, ids)
    problems += _check_dates(decl, gdf, ids)
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
            out.append(Problem(decl.name, None, f.name, f"field is missing ({f.zh} / {f.en})",
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
            out.append(Problem(decl.name, ids[i], "geometry", "geometry is missing or empty",
                               "geometry_missing"))
            continue
        tname = names[types[i]] if 0 <= types[i] < len(names) else "unknown"
        if tname not in accept:
            out.append(Problem(decl.name, ids[i], "geometry",
                               f"geometry is {tname}, expected {decl.geometry}", "geometry_type"))
        if not valid[i]:
            reason = shapely.is_valid_reason(geoms[i])
            out.append(Problem(decl.name, ids[i], "geometry", f"invalid geometry: {reason}",
                               "geometry_invalid"))
        elif tname in ("Point",) and not np.all(np.isfinite(shapely.get_coordinates(geoms[i]))):
            out.append(Problem(decl.name, ids[i], "geometry", "coordinates are not finite",
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


def _check_attributes(decl: schema.LayerDef, gdf: gpd.GeoDataFrame, ids: list[str]) -> list[Problem]:
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
                                       f"required value is empty ({f.zh} / {f.en})", "required"))
                continue
            if not _type_ok(v, f.type):
                out.append(Problem(decl.name, ids[i], f.name,
                                   f"value {_short(v)} is not of type {f.type}", "type"))
                continue
            if f.type == "text" and (fixed := garbled(v)):  # 乱码: zlt_assets.text
                out.append(Problem(decl.name, ids[i], f.name,
                                   f"text looks garbled (乱码): {_short(v)} reads as "
                                   f"{_short(fixed)}", "garbled"))
            if f.domain is not None and str(v) not in f.domain:
                out.append(Problem(decl.name, ids[i], f.name,
                                   f"value {_short(v)} is not in {f.domain.zh} / {f.domain.en} "
                                   f"({', '.join(f.domain.codes)})", "domain"))
            if f.type in ("integer", "real"):
                x = float(v)
                if f.minimum is not None and x < f.minimum:
                    out.append(Problem(decl.name, ids[i], f.name,
                                       f"value {x:g} is below the minimum {f.minimum:g}", "range"))
                if f.maximum is not None and x > f.maximum:
                    out.append(Problem(decl.name, ids[i], f.name,
                                       f"value {x:g} is above the maximum {f.maximum:g}", "range"))
            if f.unique and f.name != "obj_id":
                key = str(v)
                if key in seen:
                    out.append(Problem(decl.name, ids[i], f.name,
                                       f"value {_short(v)} repeats row {seen[key] + 1}",
                                       "id_duplicate"))
                else:
                    seen[key] = i
    if "length_m" in gdf.columns and decl.geometry in ("LineString", "MultiLineString"):
        lengths = gdf.geometry.length.to_numpy()
        for i, v in enumerate(gdf["length_m"].tolist()):
            if is_present(v) and _type_ok(v, "real") and lengths[i] > 0:
                if abs(float(v) - lengths[i]) > max(5.0, 0.05 * lengths[i]):
                    out.append(Problem(decl.name, ids[i], "length_m",
                                       f"length_m {float(v):.1f} differs from the geometry's "
                                       f"length {lengths[i]:.1f} m", "range", "warning"))
    return out


def _check_object_ids(decl: schema.LayerDef, gdf: gpd.GeoDataFrame, ids: list[str]) -> list[Problem]:
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
                               "object id must be 16 digits: 150783 + class + subclass + serial",
                               "id_format"))
            continue
        if division != schema.DIVISION_CODE:
            out.append(Problem(decl.name, s, "obj_id",
                               f"object id starts with {division}, expected Zhalantun's "
                               f"{schema.DIVISION_CODE}", "id_division"))
        expected = decl.component_code_for(rec)
        if expected and comp != expected:
            out.append(Problem(decl.name, s, "obj_id",
                               f"component code {comp} does not match the layer "
                               f"(expected {expected})", "id_component"))
        if s in first_seen:
            out.append(Problem(decl.name, s, "obj_id",
                               f"duplicate object id (also row {first_seen[s] + 1})",
                               "id_duplicate"))
        else:
            first_seen[s] = i
    return out


def _check_conditionals(decl: schema.LayerDef, gdf: gpd.GeoDataFrame, ids: list[str]) -> list[Problem]:
    """Fields required by the value of another field."""
    rules: list[tuple[str, str, Iterable[object], str]] = []
    if decl.name == "roads":
        rules.append(("works", "status", ("new", "rebuilt"),
                      "a road being built or rebuilt needs a works status"))
    if decl.name == "drainage_points":
        rules.append(("drainage_type", "remedy_status", ("waterlogging", "mixed_connection"),
                      "waterlogging points and mixed connections need a remedy status"))
    if decl.name == "facade_lighting_buildings":
        rules.append(("renovation", "renovation_status", (True,),
                      "a building marked for facade renovation needs a renovation status"))
    out: list[Problem] = []
    if "status" in gdf.columns and "completed_date" in gdf.columns and decl.kind == "asset":
        done = gdf["status"].isin(schema.DONE_STATUSES).to_numpy()
        dates = gdf["completed_date"].tolist()
        for i in np.flatnonzero(done):
            if not is_present(dates[i]):
                out.append(Problem(decl.name, ids[i], "completed_date",
                                   "works marked completed/accepted need a completed date",
                                   "conditional"))
    for when_field, need_field, when_values, message in rules:
        if when_field not in gdf.columns or need_field not in gdf.columns:
            continue
        for i, (w, n) in enumerate(zip(gdf[when_field].tolist(), gdf[need_field].tolist())):
            if is_present(w) and w in tuple(when_values) and not is_present(n):
                out.append(Problem(decl.name, ids[i], need_field, message, "conditional"))
    return out


def _parse_date(v: object) -> dt.date | None:
    if not isinstance(v, str):
        return None
    try:
        return dt.date.fromisoformat(v[:10]) if len(v) >= 10 else None
    except ValueError:
        return None


def _check_dates(decl: schema.LayerDef, gdf: gpd.GeoDataFrame, ids: list[str]) -> list[Problem]:
    out = []
    date_fields = [f.name for f in decl.fields if f.type in ("date", "datetime") and f.name in gdf.columns]
    parsed: dict[str, list[dt.date | None]] = {}
    for name in date_fields:
        col = []
        for i, v in enumerate(gdf[name].tolist()):
            if not is_present(v):
                col.append(None)
                continue
            d = _parse_date(v)
            if d is None or (decl.field(name).type == "date" and len(str(v)) != 10):
                out.append(Problem(decl.name, ids[i], name,
                                   f"{_short(v)} is not a date in the form YYYY-MM-DD",
                                   "date_format"))
                col.append(None)
            elif d.year < 1900:
                out.append(Problem(decl.name, ids[i], name, f"date {v} is before 1900",
                                   "date_order"))
                col.append(d)
            else:
                col.append(d)
        parsed[name] = col
    if "updated" in parsed:
        for name in ("completed_date", "renovation_date", "remedy_date", "inspection_date"):
            if name not in parsed:
                continue
            for i, (d, u) in enumerate(zip(parsed[name], parsed["updated"])):
                if d and u and d > u:
                    out.append(Problem(decl.name, ids[i], name,
                                       f"{name} {d} is after the record's update date {u}",
                                       "date_order"))
    return out


# ============================================================================ cross-layer
def check_plan_counts(layers: dict[str, gpd.GeoDataFrame]) -> list[Problem]:
    """The plan's required counts: 190 buildings, 31 renovations on 中央路, 3 bridges, 45 roads."""
    out: list[Problem] = []
    rc = plan.REQUIRED_COUNTS
    b = layers.get("facade_lighting_buildings")
    if b is not None:
        n = len(b)
        if n != rc["facade_lighting"].count:
            out.append(Problem("facade_lighting_buildings", None, None,
                               f"{n} buildings, the plan names {rc['facade_lighting'].count} "
                               f"({plan.REQUIRED_COUNTS['facade_lighting'].section})",
                               "plan_count"))
        if "renovation" in b.columns:
            ren = b[b["renovation"].fillna(False).astype(bool)]
            if len(ren) != rc["facade_renovation"].count:
                out.append(Problem("facade_lighting_buildings", None, "renovation",
                                   f"{len(ren)} buildings marked for renovation, the plan names "
                                   f"{rc['facade_renovation'].count} on 中央路", "plan_count"))
            if "street_group" in ren.columns:
                for oid in ren.loc[ren["street_group"] != "zhongyang", "obj_id"] if "obj_id" in ren else []:
                    out.append(Problem("facade_lighting_buildings", str(oid), "renovation",
                                       "facade renovation is planned only on 中央路 "
                                       "(street group zhongyang)", "plan_count"))
    br = layers.get("bridges")
    if br is not None and "plan_lighting" in br.columns:
        lit = br[br["plan_lighting"].fillna(False).astype(bool)]
        if len(lit) != rc["bridge_lighting"].count:
            out.append(Problem("bridges", None, "plan_lighting",
                               f"{len(lit)} bridges in the lighting plan, the plan names "
                               f"{rc['bridge_lighting'].count}", "plan_count"))
        if "name" in lit.columns:
            missing = sorted(set(plan.PLAN_BRIDGES) - set(lit["name"].dropna()))
            if missing:
                out.append(Problem("bridges", None, "name",
                                   f"plan bridges missing from the lighting plan: {', '.join(missing)}",
                                   "plan_count"))
    r = layers.get("roads")
    if r is not None and "plan_road" in r.columns:
        numbers = {str(v) for v in r["plan_road"].tolist() if is_present(v)}
        if len(numbers) != rc["plan_roads"].count:
            out.append(Problem("roads", None, "plan_road",
                               f"{len(numbers)} plan roads, the plan names {rc['plan_roads'].count}",
                               "plan_count"))
        if "works" in r.columns:
            bad = r[r["plan_road"].map(is_present) & ~r["works"].isin(("new", "rebuilt"))]
            for oid in bad.get("obj_id", pd.Series(dtype=object)).tolist():
                out.append(Problem("roads", str(oid), "works",
                                   "a plan road segment must be new or rebuilt", "plan_count"))
    return out


def check_spatial(layers: dict[str, gpd.GeoDataFrame]) -> list[Problem]:
    """Inside the city boundary; bus stops near a road; bridges cross the river;
    street offices partition the urban area.
    """
    out: list[Problem] = []

    def usable(g: gpd.GeoDataFrame | None) -> bool:
        return g is not None and len(g) > 0 and g.crs is not None

    boundary = layers.get("city_boundary")
    if usable(boundary):
        shell = shapely.buffer(shapely.union_all(_valid(boundary.geometry.values)), BOUNDARY_TOLERANCE_M)
        shapely.prepare(shell)
        for name in schema.LAYERS:
            if name in ("city_boundary",) or name not in layers:
                continue
            g = layers[name]
            if not usable(g):
                continue
            geoms = g.geometry.values
            ok = shapely.is_missing(geoms) | shapely.is_empty(geoms) | shapely.covered_by(geoms, shell)
            ids = _ids(g)
            for i in np.flatnonzero(~ok):
                out.append(Problem(name, ids[i], "geometry",
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
            for k, d in zip(idx, dist):
                if d > STOP_ROAD_TOLERANCE_M:
                    out.append(Problem("bus_stops", ids[k], "geometry",
                                       f"bus stop is {d:.0f} m from the nearest road "
                                       f"(more than {STOP_ROAD_TOLERANCE_M:.0f} m)",
                                       "stop_far_from_road"))
    bridges, river = layers.get("bridges"), layers.get("river")
    if usable(bridges) and usable(river):
        water = shapely.union_all(river.geometry.values)
        ids = _ids(bridges)
        crosses = shapely.intersects(bridges.geometry.values, water)
        for i in np.flatnonzero(~crosses):
            out.append(Problem("bridges", ids[i], "geometry", "bridge does not cross the river",
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
        for what, share in (("leave part of the urban area uncovered", gap),
                            ("reach outside the urban area", spill),
                            ("overlap each other", overlap)):
            if share > PARTITION_TOLERANCE_SHARE:
                out.append(Problem("street_offices", None, "geometry",
                                   f"street offices {what} ({share:.2%} of the urban area)",
                                   "partition"))
    return out


def _valid(geoms: np.ndarray) -> np.ndarray:
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    return shapely.make_valid(geoms)


def _short(v: object, n: int = 40) -> str:
    s = repr(v)  # repr escapes control characters: a hostile value cannot drive the terminal
    return s if len(s) <= n else s[: n - 3] + "..."
