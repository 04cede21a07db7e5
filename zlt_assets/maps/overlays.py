"""Analysis overlays of the meeting map: drawn from the analysis modules' results, never computed here.

* ``coverage``: areas of the urban area outside 500 m of a bus stop
  (:func:`zlt_assets.analysis.coverage.compute_coverage` -> ``res.uncovered``);
* ``toilet-gaps``: toilet gaps (:func:`zlt_assets.analysis.toilets.toilet_gaps`) and proposed
  sites (:func:`zlt_assets.analysis.siting.propose_sites`);
* ``scorecard``: a street-office choropleth of one indicator of
  :func:`zlt_assets.analysis.scorecard.compute_scorecard` (``by_district``).

An overlay whose layers are missing from the inventory is left out with a message (the map is
still written).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np

from .. import schema, standards
from ..errors import BadInput
from ..inventory import Inventory
from . import legend as lg

#: Sequential classes for the choropleth (light to dark).
CHORO_COLORS: tuple[str, ...] = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_VALUE_COLOR = "#d9d9d9"
DEFAULT_INDICATOR = "facade_lighting_pct"


def _overlay_fields(gdf: gpd.GeoDataFrame, labels: Mapping[str, str], lang: str) -> list[dict[str, object]]:
    out = []
    for col in gdf.columns:
        if col == gdf.geometry.name or str(col).startswith("_"):
            continue
        dtype_ok = gdf[col].dtype != object or gdf[col].map(
            lambda v: v is None or isinstance(v, (str, int, float, bool, np.generic))).all()
        if not dtype_ok:
            continue
        label = labels.get(str(col), str(col))
        domain = None
        for d in schema.DOMAINS.values():
            if str(col) == d.name:
                domain = d.name
        out.append({"name": str(col), "label": label, "domain": domain})
    return out


def _kind(gdf: gpd.GeoDataFrame) -> str:
    types = set(gdf.geom_type.dropna())
    if types and types <= {"Point", "MultiPoint"}:
        return "point"
    if types and types <= {"LineString", "MultiLineString"}:
        return "line"
    return "polygon"


def make_overlay(key: str, title: str, gdf: gpd.GeoDataFrame, color: str, lang: str, *,
                 labels: Mapping[str, str] | None = None, legend_label: str | None = None,
                 fill_opacity: float = 0.35, dash: str | None = None,
                 name_field: str | None = None, tolerance_m: float | None = None):
    """An :class:`~zlt_assets.maps.meeting_map.Overlay` from a GeoDataFrame in any CRS."""
    from .meeting_map import DISPLAY_SIMPLIFY_M, Overlay, simplify_for_display

    if gdf.crs is None:
        raise BadInput(f"overlay {key}: the analysis result has no CRS")
    tol = DISPLAY_SIMPLIFY_M.value["overlay"] if tolerance_m is None else tolerance_m
    disp = simplify_for_display(gdf, float(tol))
    kind = _kind(disp) if not disp.empty else "polygon"
    entry = lg.LegendEntry(key, legend_label or title, color, dash, fill_opacity)
    return Overlay(key=key, title=title, kind=kind, gdf=disp, color=color,
                   fields=_overlay_fields(disp, labels or {}, lang),
                   legend=lg.ExtraLegend(title, kind, (entry,)), fill_opacity=fill_opacity,
                   dash=dash, name_field=name_field if name_field in disp.columns else None)


# ---------------------------------------------------------------------------- coverage
#: Popup labels of the analysis result columns (zh, en).
RESULT_LABELS: dict[str, tuple[str, str]] = {
    "area_m2": ("面积 (m²)", "Area (m²)"),
    "population": ("人口", "Population"),
    "district": ("街道办事处", "Street office"),
    "rank": ("选址排序", "Rank"),
    "candidate": ("候选点", "Candidate"),
    "gain": ("新增覆盖人口", "Population newly covered"),
    "cumulative": ("累计新增覆盖", "Cumulative newly covered"),
    "name": ("名称", "Name"),
    "road_class": ("道路等级", "Road class"),
    "length_m": ("长度 (m)", "Length (m)"),
    "toilets": ("沿街公厕数", "Toilets along it"),
    "max_gap_m": ("最长无公厕路段 (m)", "Longest stretch without a toilet (m)"),
    "spacing_min_m": ("间距下限 (m)", "Spacing lower bound (m)"),
    "spacing_max_m": ("间距上限 (m)", "Spacing limit (m)"),
}
#: Number of toilet sites proposed for the map (a display default: the toilet-gaps command
#: chooses its own with --propose).
DEFAULT_PROPOSALS = 5


def _labels(lang: str) -> dict[str, str]:
    return {k: lg.bi(zh, en, lang) for k, (zh, en) in RESULT_LABELS.items()}


def _with_domains(ov, mapping: Mapping[str, str]):
    ov.fields = [dict(f, domain=mapping[f["name"]]) if f["name"] in mapping else f
                 for f in ov.fields]
    return ov


def _population(inv: Inventory) -> str | None:
    return str(inv.population_path) if inv.has_population() else None


def coverage_overlays(inv: Inventory, frames: Mapping[str, gpd.GeoDataFrame],
                      lang: str) -> tuple[list, list[str]]:
    """Areas outside the bus-stop radius: ``compute_coverage(...).uncovered``."""
    from ..analysis.coverage import compute_coverage

    if "bus_stops" not in frames or ("urban_area" not in frames and "street_offices" not in frames):
        return [], [lg.bi("缺少公交站点或城区范围图层,未绘制公交覆盖",
                          "no bus_stops or urban area layer: coverage overlay left out", lang)]
    res = compute_coverage(frames["bus_stops"], frames.get("urban_area"),
                               districts=frames.get("street_offices"),
                               population=_population(inv))
    r = standards.BUS_STOP_RADIUS.value
    title = lg.bi(f"距公交站{r}米以外区域", f"Areas beyond {r} m of a bus stop", lang)
    unc = res.uncovered
    ov = make_overlay("coverage_uncovered", title, unc, "#e31a1c", lang, labels=_labels(lang),
                      fill_opacity=0.35, dash="4 3")
    return [_with_domains(ov, {"district": "street_office"})], []


# ---------------------------------------------------------------------------- toilets
def toilet_overlays(inv: Inventory, frames: Mapping[str, gpd.GeoDataFrame], lang: str,
                    propose: int = DEFAULT_PROPOSALS) -> tuple[list, list[str]]:
    """Toilet gaps (uncovered areas, streets with spacing gaps) and proposed sites."""
    from ..analysis.toilets import toilet_gaps

    if "public_toilets" not in frames or "street_offices" not in frames:
        return [], [lg.bi("缺少公厕或街道办事处图层,未绘制公厕缺口",
                          "no public_toilets or street_offices layer: toilet overlays left out",
                          lang)]
    messages: list[str] = []
    pop = _population(inv)
    n = propose if pop is not None and "roads" in frames else 0
    if propose and not n:
        messages.append(lg.bi("没有人口格网或道路,未给出公厕建议选址",
                              "no population grid or roads: no proposed toilet sites", lang))
    res = toilet_gaps(frames["public_toilets"], frames["street_offices"],
                          roads=frames.get("roads"), population=pop,
                          area=frames.get("urban_area"), propose=n)
    labels = _labels(lang)
    out = [_with_domains(make_overlay(
        "toilet_gaps", lg.bi("公厕服务范围以外区域", "Areas beyond a toilet's service radius", lang),
        res.uncovered, "#ff7f00", lang, labels=labels, fill_opacity=0.35, dash="2 3"),
        {"district": "street_office"})]
    spacing = getattr(res, "spacing", None)
    if spacing is not None and len(spacing) and "geometry" in spacing.columns:
        gaps = spacing[spacing["status"] == "gap"]
        if len(gaps):
            gaps = gpd.GeoDataFrame(gaps.drop(columns=["status"]), geometry="geometry",
                                    crs=res.uncovered.crs or schema.PROJECT_CRS)
            out.append(_with_domains(make_overlay(
                "toilet_spacing_gaps", lg.bi("公厕间距超标的街道", "Streets with toilet-spacing gaps",
                                             lang),
                gaps, "#d95f0e", lang, labels=labels, fill_opacity=0.0, name_field="name"),
                {"road_class": "road_class"}))
            out[-1].weight = 3.0
    if res.proposals is not None and len(res.proposals.sites):
        sites = res.proposals.sites.copy()
        out.append(_with_domains(make_overlay(
            "proposed_sites", lg.bi("建议新增公厕选址", "Proposed toilet sites", lang), sites,
            "#6a3d9a", lang, labels=labels, fill_opacity=0.9), {"district": "street_office"}))
        out[-1].radius = 8.0
    return out, messages


# ---------------------------------------------------------------------------- scorecard
def indicator_labels() -> dict[str, tuple[str, str, str]]:
    """Scorecard street-office indicators: key -> (zh, en, unit)."""
    from ..analysis.scorecard import DISTRICT_INDICATORS

    return {k: (zh, en, u) for k, zh, en, u in DISTRICT_INDICATORS}


def class_breaks(values: Sequence[float], n: int = len(CHORO_COLORS)) -> list[float]:
    """Equal-interval class edges (n+1 values) over the finite values; one class when all equal."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size == 0:
        return []
    lo, hi = float(v.min()), float(v.max())
    if hi == lo:
        return [lo, hi]
    return list(np.linspace(lo, hi, n + 1))


def class_color(value: float | None, edges: Sequence[float]) -> str:
    """The colour of a value for the given class edges."""
    if value is None or not np.isfinite(value) or not edges:
        return NO_VALUE_COLOR
    if len(edges) == 2:
        return CHORO_COLORS[-1]
    i = int(np.searchsorted(edges, value, side="right")) - 1
    return CHORO_COLORS[min(max(i, 0), len(CHORO_COLORS) - 1)]


def scorecard_overlay(inv: Inventory, frames: Mapping[str, gpd.GeoDataFrame], lang: str,
                      indicator: str | None) -> tuple[list, object | None, list[str]]:
    """A street-office choropleth of one scorecard indicator."""
    from ..analysis.scorecard import compute_scorecard

    if "street_offices" not in frames:
        return [], None, [lg.bi("清单中没有街道办事处图层,无法绘制记分卡分区图",
                                "no street_offices layer: no scorecard choropleth", lang)]
    labels = indicator_labels()
    key = indicator or DEFAULT_INDICATOR
    if key not in labels:
        raise BadInput(f"unknown indicator {key!r}; choose one of {', '.join(labels)}")
    card = compute_scorecard(inv)
    rows = {str(r.get("code")): r for r in card.by_district}
    zh, en, unit = labels[key]
    offices = frames["street_offices"].copy()
    vals = [rows.get(str(c), {}).get(key) for c in offices["code"]]
    offices["value"] = [None if v is None else float(v) for v in vals]
    edges = class_breaks([v for v in offices["value"] if v is not None])
    offices["_fill"] = [class_color(v, edges) for v in offices["value"]]
    keep = [c for c in ("code", "name", "value", "_fill") if c in offices.columns]
    offices = gpd.GeoDataFrame(offices[keep], geometry=frames["street_offices"].geometry,
                               crs=frames["street_offices"].crs)
    title = lg.bi(f"记分卡:{zh}", f"Scorecard: {en}", lang) + (f" ({unit})" if unit else "")
    ov = make_overlay(
        "scorecard_choropleth", title, offices, "#08519c", lang, fill_opacity=0.65,
        labels={"code": lg.bi("区划代码", "Division code", lang), "name": lg.bi("名称", "Name", lang),
                "value": lg.bi(zh, en, lang) + (f" ({unit})" if unit else "")},
        name_field="name")
    ov.below = True
    ov.fields = [dict(f, domain="street_office") if f["name"] == "code" else f for f in ov.fields]
    entries: list[lg.LegendEntry] = []
    if len(edges) == 2:
        entries.append(lg.LegendEntry("c0", f"{edges[0]:g}", CHORO_COLORS[-1], None, 0.65))
    else:
        for i in range(len(edges) - 1):
            entries.append(lg.LegendEntry(f"c{i}", f"{edges[i]:.4g} – {edges[i + 1]:.4g}",
                                          CHORO_COLORS[i], None, 0.65))
    if any(v is None for v in offices["value"]):
        entries.append(lg.LegendEntry("none", lg.bi("无数据", "no data", lang), NO_VALUE_COLOR,
                                      None, 0.65))
    ov.legend = lg.ExtraLegend(title, "polygon", tuple(entries))
    return [ov], card, []


def collect_overlays(inv: Inventory, frames: Mapping[str, gpd.GeoDataFrame],
                     analyses: Sequence[str], lang: str,
                     indicator: str | None) -> tuple[list, object | None, list[str]]:
    """All requested overlays, the scorecard (when computed) and messages for the user."""
    overlays: list = []
    messages: list[str] = []
    card = None
    if "scorecard" in analyses:
        ovs, card, msgs = scorecard_overlay(inv, frames, lang, indicator)
        overlays += ovs
        messages += msgs
    if "coverage" in analyses:
        ovs, msgs = coverage_overlays(inv, frames, lang)
        overlays += ovs
        messages += msgs
    if "toilet-gaps" in analyses:
        ovs, msgs = toilet_overlays(inv, frames, lang)
        overlays += ovs
        messages += msgs
    return overlays, card, messages
