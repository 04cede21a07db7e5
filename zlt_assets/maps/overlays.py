"""Analysis results drawn on the meeting map: taken from the analysis modules, never computed here.

* coverage: areas of the urban area beyond 500 m of a bus stop and the street offices' coverage
  (:func:`zlt_assets.analysis.coverage.compute_coverage`);
* toilets: areas beyond a toilet's service radius, streets with spacing gaps, proposed sites and
  the street offices' toilet density (:func:`zlt_assets.analysis.toilets.toilet_gaps` with
  :func:`zlt_assets.analysis.siting.propose_sites`);
* scorecard: a street-office choropleth of one indicator of
  :func:`zlt_assets.analysis.scorecard.compute_scorecard`.

:class:`AnalysisContext` runs each analysis at most once, however many stories use it (``pack``
draws every story from one context). An overlay whose layers are missing from the inventory is
left out with a message; the map is still written.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np

from .. import schema, standards, symbology
from ..display import measured, percent
from ..errors import BadInput
from ..inventory import Inventory
from ..symbology import CHOROPLETH_COLORS, NO_VALUE_COLOR, StyleClass
from . import legend as lg
from .types import MapLayer, geometry_kind, simplify_for_display

#: Colours kept under their 0.1 names.
CHORO_COLORS = CHOROPLETH_COLORS
DEFAULT_INDICATOR = "facade_lighting_pct"
#: Display simplification of the street offices drawn by an overlay (metres, as frame layers).
FRAME_TOLERANCE = float(standards.DISPLAY_SIMPLIFY_M.value["frame"])
#: Number of toilet sites proposed for the map (a display default: the toilet-gaps command
#: chooses its own with --propose).
DEFAULT_PROPOSALS = 5

#: Columns shown with a domain's labels.
RESULT_DOMAINS = {"district": "street_office", "road_class": "road_class"}


def _label(key: str, lang: str) -> str | None:
    """The popup label of a result column (None: not a column to show).

    Labels come from :mod:`zlt_assets.indicators` (area_pct, density_per_km2, gain, max_gap_m
    ...) or the schema's fields (name, road_class, length_m); a column with neither is not
    shown (no raw keys in popups).
    """
    from .. import indicators

    try:
        ind = indicators.get(key)
    except KeyError:
        text = indicators.label(key)  # a schema field, else the key itself
        if text == key or " / " not in text:
            return None
        zh, en = text.split(" / ", 1)
        return lg.bi(zh, en, lang)
    unit = indicators.unit_of(key)
    return lg.bi(ind.zh, ind.en, lang) + (f" ({unit})" if unit else "")


def _fields(gdf: gpd.GeoDataFrame, lang: str, extra: Mapping[str, str] | None = None
            ) -> list[dict[str, object]]:
    """Popup rows: the labelled columns only (no raw keys), in the frame's column order."""
    out: list[dict[str, object]] = []
    for col in gdf.columns:
        col = str(col)
        if col == gdf.geometry.name:
            continue
        label = extra[col] if extra and col in extra else _label(col, lang)
        if label is None:
            continue
        out.append({"name": col, "label": label, "domain": RESULT_DOMAINS.get(col)})
    return out


def make_overlay(key: str, title: str, gdf: gpd.GeoDataFrame, lang: str, *,
                 fields: Mapping[str, str] | None = None, name_field: str | None = None,
                 style: symbology.LayerStyle | None = None,
                 tolerance_m: float | None = None) -> MapLayer:
    """A :class:`~zlt_assets.maps.types.MapLayer` from an analysis result in any CRS.

    ``fields`` labels columns beyond those :mod:`zlt_assets.indicators` declares; ``style``
    overrides the declared :func:`~zlt_assets.symbology.overlay_style` (a choropleth's classes).
    """
    if gdf.crs is None:
        raise BadInput(f"overlay {key}: the analysis result has no CRS")
    tol = standards.DISPLAY_SIMPLIFY_M.value["overlay"] if tolerance_m is None else tolerance_m
    disp = simplify_for_display(gdf, float(tol))
    st = style or symbology.overlay_style(key)
    records = disp.drop(columns=disp.geometry.name).to_dict("records")
    return MapLayer(
        key=key, title=title, group="analysis",
        kind=geometry_kind(disp.geom_type) if not disp.empty else "polygon", gdf=disp,
        style=st, fields=_fields(disp, lang, fields),
        name_field=name_field if name_field in disp.columns else None, overlay=True,
        present=lg.present_classes(st, records))


# ------------------------------------------------------------------------------ analyses
@dataclass
class AnalysisContext:
    """An inventory's layers and the analysis results the stories draw, each computed once."""

    inventory: Inventory
    frames: Mapping[str, gpd.GeoDataFrame]
    lang: str = "zh"
    propose: int = DEFAULT_PROPOSALS
    _cache: dict[str, Any] = field(default_factory=dict)

    def _once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def population(self) -> str | None:
        """The population grid beside the inventory, or None."""
        inv = self.inventory
        return str(inv.population_path) if inv.has_population() else None

    def has(self, *layers: str) -> bool:
        """Whether the inventory holds every one of these layers."""
        return all(n in self.frames for n in layers)

    def coverage(self) -> Any:
        """Bus-stop coverage of the urban area (``compute_coverage``), or ``None``."""
        if not self.has("bus_stops", "urban_area"):
            return None

        def run() -> Any:
            from ..analysis.coverage import compute_coverage

            return compute_coverage(self.frames["bus_stops"], self.frames["urban_area"],
                                    districts=self.frames.get("street_offices"),
                                    population=self.population)
        return self._once("coverage", run)

    def toilets(self) -> Any:
        """Toilet gaps and proposals (``toilet_gaps``), or ``None``."""
        if not self.has("public_toilets", "street_offices"):
            return None

        def run() -> Any:
            from ..analysis.toilets import toilet_gaps

            n = self.propose if self.population is not None and self.has("roads") else 0
            return toilet_gaps(self.frames["public_toilets"], self.frames["street_offices"],
                               roads=self.frames.get("roads"), population=self.population,
                               area=self.frames.get("urban_area"), propose=n)
        return self._once("toilets", run)

    def scorecard(self) -> Any:
        """The plan scorecard (``compute_scorecard``)."""
        def run() -> Any:
            from ..analysis.scorecard import compute_scorecard

            return compute_scorecard(self.inventory)
        return self._once("scorecard", run)


def _offices_with(ctx: AnalysisContext, rows: Sequence[Mapping[str, Any]]) -> gpd.GeoDataFrame:
    offices = ctx.frames["street_offices"][["code", "name", "geometry"]].copy()
    offices["code"] = offices["code"].astype(str)
    by_code = {str(r.get("code")): r for r in rows}
    for col in sorted({k for r in rows for k in r} - {"code", "name"}):
        offices[col] = [by_code.get(c, {}).get(col) for c in offices["code"]]
    return offices


def coverage_overlays(ctx: AnalysisContext) -> tuple[list[MapLayer], list[str]]:
    """Areas beyond the bus-stop radius and the street offices' coverage figures."""
    lang = ctx.lang
    res = ctx.coverage()
    if res is None:
        return [], [lg.bi("缺少公交站点或城区范围图层,未绘制公交覆盖",
                          "no bus_stops or urban area layer: coverage overlay left out", lang)]
    r = standards.BUS_STOP_RADIUS.value
    target = float(standards.BUS_COVERAGE_PLAN.value)
    unc = res.uncovered.drop(columns=[c for c in ("district_name",) if c in res.uncovered])
    out = [make_overlay("coverage_uncovered",
                        lg.bi(f"距公交站{r}米以外区域", f"Areas beyond {r} m of a bus stop", lang),
                        unc, lang)]
    rows = res.summary.get("by_district") or []
    if rows and "street_offices" in ctx.frames:
        offices = _offices_with(ctx, rows)
        offices["area_pct"] = [None if v is None else round(100 * float(v), 1)
                               for v in offices.get("area_share", [None] * len(offices))]
        offices["population_pct"] = [None if v is None else round(100 * float(v), 1)
                                     for v in offices.get("population_share",
                                                          [None] * len(offices))]
        offices["label"] = [f"{n} {percent(float(s), target)}" if s is not None else str(n)
                            for n, s in zip(offices["name"], offices["area_share"], strict=True)]
        keep = ["code", "name", "area_pct", "population_pct", "label", "geometry"]
        out.append(make_overlay(
            "coverage_districts",
            lg.bi("街道办事处公交覆盖率", "Bus coverage by street office", lang),
            gpd.GeoDataFrame(offices[keep], geometry="geometry", crs=offices.crs), lang,
            name_field="name", tolerance_m=FRAME_TOLERANCE))
    return out, []


def toilet_overlays(ctx: AnalysisContext) -> tuple[list[MapLayer], list[str]]:
    """Toilet gaps (areas, streets with spacing gaps), proposed sites and density by office."""
    lang = ctx.lang
    res = ctx.toilets()
    if res is None:
        return [], [lg.bi("缺少公厕或街道办事处图层,未绘制公厕缺口",
                          "no public_toilets or street_offices layer: toilet overlays left out",
                          lang)]
    messages: list[str] = []
    if ctx.propose and res.proposals is None:
        messages.append(lg.bi("没有人口格网或道路,未给出公厕建议选址",
                              "no population grid or roads: no proposed toilet sites", lang))
    unc = res.uncovered.drop(columns=[c for c in ("district_name",) if c in res.uncovered])
    out = [make_overlay("toilet_gaps", lg.bi("公厕服务范围以外区域",
                                             "Areas beyond a toilet's service radius", lang),
                        unc, lang)]
    spacing = getattr(res, "spacing", None)
    if spacing is not None and len(spacing) and "geometry" in spacing.columns:
        gaps = spacing[spacing["status"] == "gap"]
        if len(gaps):
            gaps = gpd.GeoDataFrame(gaps.drop(columns=["status"]), geometry="geometry",
                                    crs=res.uncovered.crs or schema.PROJECT_CRS)
            out.append(make_overlay(
                "toilet_spacing_gaps",
                lg.bi("公厕间距超标的街道", "Streets with toilet-spacing gaps", lang), gaps, lang,
                name_field="name"))
    if res.proposals is not None and len(res.proposals.sites):
        out.append(make_overlay("proposed_sites", lg.bi("建议新增公厕选址", "Proposed toilet sites",
                                                        lang), res.proposals.sites.copy(), lang))
    rows = res.summary.get("by_district") or []
    if rows:
        offices = _offices_with(ctx, rows)
        offices["density_range"] = [
            f"{lo:g}–{hi:g}" if lo is not None and hi is not None else None
            for lo, hi in zip(offices["density_min"], offices["density_max"], strict=True)]
        offices["density_per_km2"] = [None if v is None else round(float(v), 2)
                                      for v in offices.get("density_per_km2")]
        offices["label"] = [f"{n} {d:g}/km²" if d is not None else str(n)
                            for n, d in zip(offices["name"], offices["density_per_km2"],
                                            strict=True)]
        keep = ["code", "name", "toilets", "density_per_km2", "density_range",
                "toilets_needed_for_min", "label", "geometry"]
        keep = [c for c in keep if c in offices.columns]
        out.append(make_overlay(
            "toilet_districts",
            lg.bi("街道办事处公厕密度", "Toilet density by street office", lang),
            gpd.GeoDataFrame(offices[keep], geometry="geometry", crs=offices.crs), lang,
            name_field="name", fields={"toilets": lg.bi("公厕数", "Toilets", lang)},
            tolerance_m=FRAME_TOLERANCE))
    return out, messages


# ---------------------------------------------------------------------------- scorecard
def indicator_labels() -> dict[str, tuple[str, str, str]]:
    """Scorecard street-office indicators: key -> (zh, en, unit)."""
    from ..analysis.scorecard import DISTRICT_INDICATORS

    return {k: (zh, en, u) for k, zh, en, u in DISTRICT_INDICATORS}


def class_breaks(values: Sequence[float], n: int = len(CHOROPLETH_COLORS)) -> list[float]:
    """Equal-interval class edges (n+1 values) over the finite values; one class when all equal."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size == 0:
        return []
    lo, hi = float(v.min()), float(v.max())
    if hi == lo:
        return [lo, hi]
    return list(np.linspace(lo, hi, n + 1))


def class_index(value: float | None, edges: Sequence[float]) -> int | None:
    """The class of a value for the given edges (``None``: no value)."""
    if value is None or not np.isfinite(value) or not edges:
        return None
    if len(edges) == 2:
        return len(CHOROPLETH_COLORS) - 1
    i = int(np.searchsorted(edges, value, side="right")) - 1
    return min(max(i, 0), len(CHOROPLETH_COLORS) - 1)


def class_color(value: float | None, edges: Sequence[float]) -> str:
    """The colour of a value for the given class edges."""
    i = class_index(value, edges)
    return NO_VALUE_COLOR if i is None else CHOROPLETH_COLORS[i]


def _choropleth_style(edges: Sequence[float], unit: str) -> symbology.LayerStyle:
    base = symbology.overlay_style("scorecard_choropleth")
    u = f" {unit}" if unit else ""
    classes: tuple[StyleClass, ...]
    if len(edges) == 2:
        classes = (StyleClass(f"c{len(CHOROPLETH_COLORS) - 1}", f"{edges[0]:g}{u}",
                              f"{edges[0]:g}{u}", CHOROPLETH_COLORS[-1]),)
    else:
        classes = tuple(StyleClass(f"c{i}", f"{edges[i]:.4g} – {edges[i + 1]:.4g}{u}",
                                   f"{edges[i]:.4g} – {edges[i + 1]:.4g}{u}", CHOROPLETH_COLORS[i])
                        for i in range(len(edges) - 1))
    return replace(base, field="_class", classes=classes, other=NO_VALUE_COLOR,
                   other_zh="无数据", other_en="No data", interactive=True, zh="", en="")


def scorecard_overlay(ctx: AnalysisContext, indicator: str | None
                      ) -> tuple[list[MapLayer], Any, list[str]]:
    """A street-office choropleth of one scorecard indicator."""
    lang = ctx.lang
    if "street_offices" not in ctx.frames:
        return [], None, [lg.bi("清单中没有街道办事处图层,无法绘制记分卡分区图",
                                "no street_offices layer: no scorecard choropleth", lang)]
    labels = indicator_labels()
    key = indicator or DEFAULT_INDICATOR
    if key not in labels:
        raise BadInput(f"unknown indicator {key!r}; choose one of {', '.join(labels)}",
                       zh=f"未知指标 {key!r};可选:{', '.join(labels)}", option="indicator")
    card = ctx.scorecard()
    zh, en, unit = labels[key]
    offices = _offices_with(ctx, [{"code": r.get("code"), "value": r.get(key)}
                                  for r in card.by_district])
    offices["value"] = [None if v is None else float(v) for v in offices["value"]]
    edges = class_breaks([v for v in offices["value"] if v is not None])
    offices["_class"] = [None if (i := class_index(v, edges)) is None else f"c{i}"
                         for v in offices["value"]]
    offices["label"] = [f"{n} {measured(v, None, decimals=1) if v is not None else '—'}"
                        for n, v in zip(offices["name"], offices["value"], strict=True)]
    title = lg.bi(f"记分卡:{zh}", f"Scorecard: {en}", lang) + (f" ({unit})" if unit else "")
    value_label = lg.bi(zh, en, lang) + (f" ({unit})" if unit else "")
    style = _choropleth_style(edges, unit)
    ov = make_overlay("scorecard_choropleth", title, offices, lang, name_field="name",
                      fields={"value": value_label}, style=style,
                      tolerance_m=FRAME_TOLERANCE)
    ov.legend_title = title
    return [ov], card, []


# ------------------------------------------------------------------------------ assembly
def collect_overlays(ctx: AnalysisContext, analyses: Sequence[str], indicator: str | None
                     ) -> tuple[list[MapLayer], Any, list[str]]:
    """The overlays of the given analyses, the scorecard (when computed) and messages."""
    overlays: list[MapLayer] = []
    messages: list[str] = []
    card = None
    for name in analyses:
        if name == "scorecard":
            ovs, card, msgs = scorecard_overlay(ctx, indicator)
        elif name == "coverage":
            ovs, msgs = coverage_overlays(ctx)
        elif name == "toilet-gaps":
            ovs, msgs = toilet_overlays(ctx)
        else:
            raise BadInput(f"unknown analysis {name!r}")
        overlays += ovs
        messages += msgs
    return overlays, card, messages
