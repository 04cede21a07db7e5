"""The meeting map: one self-contained HTML file of the inventory and its analyses.

:func:`build_content` reads the inventory and the analysis results into plain data
(:class:`MapContent`: display layers in EPSG:4326, overlays, title lines, messages); the HTML
(:func:`render_html`) and the static PNG (:mod:`zlt_assets.maps.static_png`) both draw that
content. Geometries are simplified in the metric CRS (EPSG:4550) before reprojection; the page uses
canvas rendering and clusters dense point layers. Leaflet and every plugin are inlined
(:mod:`zlt_assets.maps.offline`): with no basemap, opening the file makes no network request.
"""
from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import schema, standards
from .._io import write_text
from ..errors import BadInput
from ..inventory import Inventory
from . import legend as lg
from .basemaps import Basemap, resolve_basemap
from .offline import data_uri, inline_assets, safe_json

#: Display simplification tolerance per layer kind, metres in EPSG:4550. Display only: the
#: analyses always use the stored geometries.
DISPLAY_SIMPLIFY_M = standards.DISPLAY_SIMPLIFY_M
#: Point layers with more features than this are clustered.
CLUSTER_MIN_POINTS = standards.CLUSTER_MIN_POINTS
#: Coordinates are rounded to this many decimals of a degree (1e-6 deg is about 0.1 m).
COORD_DECIMALS = 6

ANALYSES = ("coverage", "toilet-gaps", "scorecard")
LANGS = ("zh", "en")

TITLE_ZH = "扎兰屯市城市精细化管理 · 会议用图"
TITLE_EN = "Zhalantun refined urban management · meeting map"
NOT_REVIEWED = ("非正式审图地图,无审图号,仅供内部会议讨论",
                "Not an officially reviewed map (no 审图号): for internal meetings only")


@dataclass
class DisplayLayer:
    """One layer ready to draw: geometries in EPSG:4326 and the rules to style them."""

    key: str
    title: str
    group: str
    kind: str  # point | line | polygon
    gdf: gpd.GeoDataFrame
    style: lg.LayerStyle
    fields: list[dict[str, object]]  # [{"name", "label", "domain"}]
    name_field: str | None = None
    cluster: bool = False


@dataclass
class Overlay:
    """An analysis result drawn over the inventory (computed elsewhere, only drawn here)."""

    key: str
    title: str
    kind: str  # point | line | polygon
    gdf: gpd.GeoDataFrame  # EPSG:4326; may carry a ``_fill`` colour column
    color: str
    fields: list[dict[str, object]]
    legend: lg.ExtraLegend | None = None
    weight: float = 1.5
    fill_opacity: float = 0.35
    dash: str | None = None
    radius: float = 7.0
    name_field: str | None = None
    visible: bool = True
    below: bool = False  # drawn under the inventory layers (choropleths)


@dataclass
class MapContent:
    """Everything a meeting map shows, as plain data."""

    layers: list[DisplayLayer]
    overlays: list[Overlay]
    title: str
    lines: list[tuple[str, bool]]  # (text, is_warning)
    lang: str
    basemap: Basemap
    bounds: tuple[float, float, float, float] | None  # minx, miny, maxx, maxy (lon/lat)
    data_date: str | None
    illustrative_share: float
    messages: list[str] = field(default_factory=list)
    scorecard: object | None = None


@dataclass(frozen=True)
class MapResult:
    """What :func:`make_meeting_map` wrote."""

    html_path: Path
    html_bytes: int
    png_path: Path | None
    messages: tuple[str, ...]
    layer_counts: Mapping[str, int]
    overlays: tuple[str, ...]


# ------------------------------------------------------------------------------ preparation
def _is_missing(v: object) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def json_value(v: object) -> object:
    """A JSON-friendly scalar (``None`` for missing values)."""
    if _is_missing(v):
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return None if not math.isfinite(f) else (int(f) if f.is_integer() else round(f, 3))
    if isinstance(v, (_dt.date, pd.Timestamp)):
        return v.isoformat()[:10] if isinstance(v, _dt.date) else str(v)
    return str(v)


def simplify_for_display(gdf: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Drop empty geometries, simplify in EPSG:4550, reproject to EPSG:4326, round coordinates."""
    from ..crs import to_project

    g = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty].copy()
    if g.empty:
        return g.to_crs(schema.DISPLAY_CRS) if g.crs is not None else g
    g = to_project(g)
    if tolerance_m > 0 and not all(g.geom_type.isin(["Point", "MultiPoint"])):
        g = g.set_geometry(g.geometry.simplify(tolerance_m, preserve_topology=True))
    g = g.to_crs(schema.DISPLAY_CRS)
    g = g.set_geometry(shapely.transform(g.geometry.values,
                                         lambda c: np.round(c, COORD_DECIMALS)))
    return g[g.geometry.notna() & ~g.geometry.is_empty]


def to_gcj02_display(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Shift EPSG:4326 geometries to GCJ-02 (for Gaode tiles; display only)."""
    from ..crs import wgs84_to_gcj02

    def shift(coords: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([lon, lat]), COORD_DECIMALS)

    if gdf.empty:
        return gdf
    return gdf.set_geometry(shapely.transform(gdf.geometry.values, shift))


def _field_specs(lyr: schema.LayerDef, present: Iterable[str], lang: str) -> list[dict[str, object]]:
    cols = set(present)
    out = []
    for f in lyr.fields:
        if f.name not in cols:
            continue
        label = lg.bi(f.zh, f.en, lang) + (f" ({f.unit})" if f.unit else "")
        out.append({"name": f.name, "label": label,
                    "domain": f.domain.name if f.domain is not None else None})
    return out


def display_layer(name: str, gdf: gpd.GeoDataFrame, lang: str = "zh") -> DisplayLayer:
    """Turn one inventory layer (any CRS) into a :class:`DisplayLayer`."""
    lyr = schema.layer(name)
    if name == "city_boundary":
        tol = DISPLAY_SIMPLIFY_M.value["city_boundary"]
    else:
        tol = DISPLAY_SIMPLIFY_M.value[lyr.kind]
    disp = simplify_for_display(gdf, float(tol))
    kind = lg.geometry_kind(name)
    fields = _field_specs(lyr, disp.columns, lang)
    name_field = lyr.name_field if lyr.name_field in disp.columns else None
    return DisplayLayer(
        key=name, title=lg.bi(lyr.zh, lyr.en, lang), group=lyr.group, kind=kind, gdf=disp,
        style=lg.layer_style(name), fields=fields, name_field=name_field,
        cluster=kind == "point" and len(disp) > int(CLUSTER_MIN_POINTS.value),
    )


def _data_date(frames: Mapping[str, gpd.GeoDataFrame]) -> str | None:
    dates: list[str] = []
    for gdf in frames.values():
        if "updated" in gdf.columns:
            dates.extend(str(v)[:10] for v in gdf["updated"] if not _is_missing(v))
    return max(dates) if dates else None


def _illustrative_share(frames: Mapping[str, gpd.GeoDataFrame]) -> float:
    total = flagged = 0
    for gdf in frames.values():
        if "data_source" in gdf.columns:
            col = gdf["data_source"].astype(object)
            total += int(col.notna().sum())
            flagged += int((col == "illustrative").sum())
    return flagged / total if total else 0.0


def title_lines(*, lang: str, data_date: str | None, illustrative_share: float,
                basemap: Basemap, shows: Sequence[str], source_label: str) -> list[tuple[str, bool]]:
    """The title block's lines (text, is_warning): what, data date, illustrative, not reviewed."""
    lines: list[tuple[str, bool]] = []
    lines.append((lg.bi("内容", "Shows", lang) + ": " + "; ".join(shows), False))
    lines.append((lg.bi("数据日期", "Data date", lang) + ": "
                  + (data_date or lg.bi("未知", "unknown", lang)) + " · "
                  + lg.bi("数据", "data", lang) + ": " + source_label, False))
    if illustrative_share > 0:
        ill = schema.DATA_SOURCE.get("illustrative")
        pct = f"{illustrative_share:.0%}"
        lines.append((lg.bi(f"含示意数据({pct}的要素为{ill.zh}),不能用于决策",
                            f"Illustrative data ({pct} of features: {ill.en}): not for decisions",
                            lang), True))
    lines.append((lg.bi(*NOT_REVIEWED, lang), True))
    if basemap.gcj02:
        lines.append((lg.bi("底图为GCJ-02,图层已偏移仅用于显示", "Basemap in GCJ-02: data shifted "
                            "for display only", lang), False))
    return lines


def build_content(
    data: str | Path | None = None,
    *,
    basemap: str = "none",
    analyses: Sequence[str] = (),
    lang: str = "zh",
    indicator: str | None = None,
    env: Mapping[str, str] | None = None,
) -> MapContent:
    """Read the inventory (and analysis results) into a :class:`MapContent`.

    Parameters
    ----------
    data : path, optional
        Inventory GeoPackage (default ``$ZLT_DATA`` or the shipped sample).
    basemap : {"none", "osm", "tianditu", "gaode"}
        Tile layer; only a basemap uses the network.
    analyses : sequence of {"coverage", "toilet-gaps", "scorecard"}
        Overlays to add; an analysis whose module is not installed is left out with a message.
    lang : {"zh", "en"}
        Which language comes first in labels (both are always shown).
    indicator : str, optional
        Scorecard indicator for the street-office choropleth (default: the first numeric one).
    env : mapping, optional
        Environment for ``ZLT_TIANDITU_KEY`` (default ``os.environ``).
    """
    if lang not in LANGS:
        raise BadInput(f"unknown language {lang!r}; choose zh or en")
    unknown = [a for a in analyses if a not in ANALYSES]
    if unknown:
        raise BadInput(f"unknown analysis {unknown[0]!r}; choose from {', '.join(ANALYSES)}")
    try:
        bm = resolve_basemap(basemap, dict(env) if env is not None else None)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    inv = Inventory.open(data)
    present = [n for n in schema.LAYERS if inv.has(n)]
    if not present:
        raise BadInput(f"{inv.path} holds none of the inventory layers ({', '.join(schema.LAYERS)})")
    frames = {n: inv.read(n) for n in present}
    layers = [display_layer(n, frames[n], lang) for n in present]
    messages = list(bm.messages)

    from .overlays import collect_overlays  # local: overlays import the analysis modules lazily

    overlays, scorecard, more = collect_overlays(inv, frames, analyses, lang, indicator)
    messages.extend(more)

    by_key = {lyr.key: lyr for lyr in layers}
    frame_keys = [k for k in ("urban_area", "street_offices") if k in by_key
                  and not by_key[k].gdf.empty]
    bounds = _bounds([by_key[frame_keys[0]].gdf] if frame_keys else
                     [lyr.gdf for lyr in layers if lyr.key != "city_boundary"]
                     or [lyr.gdf for lyr in layers])
    data_date = _data_date(frames)
    share = _illustrative_share(frames)
    shows = [lg.bi("资产清单", "asset inventory", lang) + f" ({len(layers)})"]
    shows += [o.title for o in overlays]
    src = (lg.bi("示意数据", "illustrative", lang) if share >= 0.999 else
           lg.bi("实地调查与参考数据", "survey and reference", lang) if share == 0 else
           lg.bi("混合", "mixed", lang))
    lines = title_lines(lang=lang, data_date=data_date, illustrative_share=share, basemap=bm,
                        shows=shows, source_label=src)
    lines += [(m, False) for m in more]  # overlays left out, and why
    return MapContent(layers=layers, overlays=overlays, title=lg.bi(TITLE_ZH, TITLE_EN, lang),
                      lines=lines, lang=lang, basemap=bm, bounds=bounds, data_date=data_date,
                      illustrative_share=share, messages=messages, scorecard=scorecard)


def _bounds(frames: Sequence[gpd.GeoDataFrame]) -> tuple[float, float, float, float] | None:
    boxes = [g.total_bounds for g in frames if not g.empty]
    if not boxes:
        return None
    arr = np.array(boxes)
    return (float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()),
            float(arr[:, 3].max()))


# ------------------------------------------------------------------------------ the page
def _features(gdf: gpd.GeoDataFrame, columns: Sequence[str]) -> dict[str, object]:
    geoms = shapely.to_geojson(gdf.geometry.values)
    import json

    feats = []
    cols = [c for c in columns if c in gdf.columns]
    values = gdf[cols].astype(object).to_numpy() if cols else np.empty((len(gdf), 0))
    for geom, row in zip(geoms, values):
        props = {c: json_value(v) for c, v in zip(cols, row)}
        props = {k: v for k, v in props.items() if v is not None}
        feats.append({"type": "Feature", "geometry": json.loads(geom), "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def page_config(content: MapContent) -> dict[str, object]:
    """The data handed to the page's script (all text as data, drawn with textContent)."""
    lang = content.lang
    shift: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] = (
        to_gcj02_display if content.basemap.gcj02 else (lambda g: g))
    layer_cfgs: list[dict[str, object]] = []
    below: list[dict[str, object]] = []
    for lyr in content.layers:
        s = lyr.style
        cols = [f["name"] for f in lyr.fields]  # type: ignore[misc]
        layer_cfgs.append({
            "key": lyr.key, "title": lyr.title, "group": lyr.group, "kind": lyr.kind,
            "data": _features(shift(lyr.gdf), cols), "fields": lyr.fields,
            "nameField": lyr.name_field, "catField": s.category_field,
            "statusField": s.status_field, "colors": dict(s.colors), "color": s.color,
            "weight": s.weight, "radius": s.radius, "fill": s.fill,
            "fillOpacity": s.fill_opacity, "dash": s.dash, "visible": s.visible,
            "cluster": lyr.cluster,
        })
    for ov in content.overlays:
        cols = [f["name"] for f in ov.fields] + (["_fill"] if "_fill" in ov.gdf.columns else [])  # type: ignore[misc]
        (below if ov.below else layer_cfgs).append({
            "key": ov.key, "title": ov.title, "group": "analysis", "kind": ov.kind,
            "data": _features(shift(ov.gdf), cols), "fields": ov.fields,
            "nameField": ov.name_field, "catField": None, "statusField": None, "colors": {},
            "color": ov.color, "weight": ov.weight, "radius": ov.radius, "fill": True,
            "fillOpacity": ov.fill_opacity, "dash": ov.dash, "visible": ov.visible,
            "cluster": False,
        })
    layer_cfgs = below + layer_cfgs
    groups = [{"key": g.code, "title": lg.bi(g.zh, g.en, lang),
               "layers": [lyr.key for lyr in content.layers if lyr.group == g.code]}
              for g in schema.GROUPS.values]
    if content.overlays:
        groups.insert(0, {"key": "analysis", "title": lg.bi("分析结果", "Analysis", lang),
                          "layers": [o.key for o in content.overlays]})
    domains = {name: {c.code: lg.bi(c.zh, c.en, lang) for c in dom.values}
               for name, dom in schema.DOMAINS.items()}
    bounds = None
    if content.bounds is not None:
        minx, miny, maxx, maxy = content.bounds
        if content.basemap.gcj02:
            from ..crs import wgs84_to_gcj02

            minx, miny = (float(v) for v in wgs84_to_gcj02(minx, miny))
            maxx, maxy = (float(v) for v in wgs84_to_gcj02(maxx, maxy))
        bounds = [[miny, minx], [maxy, maxx]]
    extra = [o.legend for o in content.overlays if o.legend is not None]
    return {
        "layers": layer_cfgs,
        "groups": groups,
        "domains": domains,
        "statusStyles": {k: {"dash": v.dash, "fillOpacity": v.fill_opacity, "opacity": v.opacity}
                         for k, v in lg.STATUS_STYLES.items()},
        "legendHtml": lg.legend_html([lyr.key for lyr in content.layers], lang, extra),
        "title": {"main": content.title,
                  "lines": [{"text": t, "warn": w} for t, w in content.lines]},
        "text": {"yes": lg.bi("是", "Yes", lang), "no": lg.bi("否", "No", lang),
                 "layers": lg.bi("图层", "Layers", lang),
                 "search": lg.bi("按名称搜索", "Search by name", lang),
                 "noMatch": lg.bi("无匹配", "No match", lang)},
        "bounds": bounds,
        "icons": {"icon": data_uri("leaflet/images/marker-icon.png"),
                  "iconRetina": data_uri("leaflet/images/marker-icon-2x.png"),
                  "shadow": data_uri("leaflet/images/marker-shadow.png")},
    }


def _folium_map(content: MapContent):
    import folium
    from branca.element import MacroElement
    from folium.elements import JSCSSMixin
    from folium.plugins import Fullscreen, MeasureControl
    from folium.template import Template

    class MeetingLayers(JSCSSMixin, MacroElement):
        """Our layers, switcher, legend, title and search (zlt_assets/maps/static/zlt)."""

        _template = Template(
            "{% macro script(this, kwargs) %}\n"
            "var {{ this.get_name() }} = zltMeetingMap({{ this._parent.get_name() }}, "
            "{{ this.config_json }});\n"
            "{% endmacro %}")
        default_js = [
            ("zlt_markercluster", "zlt-static:leaflet.markercluster/leaflet.markercluster.js"),
            ("zlt_meeting_map", "zlt-static:zlt/meeting_map.js"),
        ]
        default_css = [
            ("zlt_markercluster_css", "zlt-static:leaflet.markercluster/MarkerCluster.css"),
            ("zlt_markercluster_default_css",
             "zlt-static:leaflet.markercluster/MarkerCluster.Default.css"),
            ("zlt_meeting_map_css", "zlt-static:zlt/meeting_map.css"),
        ]

        def __init__(self, config_json: str) -> None:
            super().__init__()
            self._name = "ZltMeetingLayers"
            self.config_json = config_json

    lang = content.lang
    if content.bounds is not None:
        minx, miny, maxx, maxy = content.bounds
        center = [(miny + maxy) / 2, (minx + maxx) / 2]
    else:
        center = [48.0, 122.74]  # Zhalantun
    m = folium.Map(location=center, zoom_start=13, tiles=None, prefer_canvas=True,
                   control_scale=True, max_zoom=19)
    for i, t in enumerate(content.basemap.tiles):
        folium.TileLayer(tiles=t.url, attr=t.attribution, subdomains=t.subdomains,
                         max_zoom=t.max_zoom, name=f"basemap{i}", overlay=False,
                         control=False).add_to(m)
    Fullscreen(position="topleft", title=lg.bi("全屏", "Full screen", lang),
               title_cancel=lg.bi("退出全屏", "Exit full screen", lang)).add_to(m)
    MeasureControl(position="topleft", primary_length_unit="meters",
                   secondary_length_unit="kilometers", primary_area_unit="sqmeters",
                   secondary_area_unit="hectares",
                   localization="cn" if lang == "zh" else "en").add_to(m)
    MeetingLayers(safe_json(page_config(content))).add_to(m)
    return m


def render_html(content: MapContent) -> str:
    """The self-contained page (UTF-8 text)."""
    m = _folium_map(content)
    page = m.get_root().render()
    page = inline_assets(page)
    lang_attr = "zh-CN" if content.lang == "zh" else "en"
    page = page.replace("<html>", f'<html lang="{lang_attr}">', 1)
    import html as _html

    page = page.replace("<head>", f"<head>\n    <title>{_html.escape(content.title)}</title>", 1)
    return page


def make_meeting_map(
    data: str | Path | None = None,
    out: str | Path = "meeting_map.html",
    *,
    basemap: str = "none",
    analyses: Sequence[str] = (),
    lang: str = "zh",
    indicator: str | None = None,
    png: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> MapResult:
    """Build the meeting map and write it (atomically, UTF-8); optionally a static PNG too.

    See :func:`build_content` for the parameters; ``out`` is the HTML file, ``png`` the optional
    matplotlib rendering of the same content.
    """
    content = build_content(data, basemap=basemap, analyses=analyses, lang=lang,
                            indicator=indicator, env=env)
    page = render_html(content)
    out = Path(out)
    write_text(out, page)
    png_path = None
    if png is not None:
        from .static_png import render_png

        png_path = render_png(content, png)
    return MapResult(
        html_path=out, html_bytes=out.stat().st_size, png_path=png_path,
        messages=tuple(content.messages),
        layer_counts={lyr.key: len(lyr.gdf) for lyr in content.layers},
        overlays=tuple(o.key for o in content.overlays),
    )
