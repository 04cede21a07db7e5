"""The meeting map: one self-contained HTML file per story of the inventory and its analyses.

:func:`build_content` reads the inventory and the analysis results of one story
(:mod:`~zlt_assets.maps.stories`) into plain data (:class:`~zlt_assets.maps.types.MapContent`);
the page (:func:`render_html`) and print (:mod:`zlt_assets.maps.static_png`) both draw it, with
the style declared in :mod:`zlt_assets.symbology`. Geometries are simplified in the metric CRS
(EPSG:4550) before reprojection. The page holds its data as one JSON element that its script
reads; it draws every layer on canvas in the declared order, frame layers beneath and not
answering the pointer. Leaflet and every plugin are inlined (:mod:`zlt_assets.maps.offline`):
with no basemap, opening the file makes no network request.
"""
from __future__ import annotations

import datetime as _dt
import html as _html
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import schema, standards, symbology
from .._io import write_text
from ..errors import BadInput
from ..inventory import Inventory
from . import legend as lg
from . import stories as st
from .basemaps import Basemap, resolve_basemap
from .offline import data_uri, inline_assets, safe_json
from .overlays import DEFAULT_INDICATOR, AnalysisContext, collect_overlays
from .types import (
    MapContent,
    MapLayer,
    MapResult,
    json_value,
    simplify_for_display,
    to_gcj02_display,
)

__all__ = [
    "ANALYSES", "LANGS", "MapContent", "MapResult", "build_content", "make_meeting_map",
    "make_story_maps", "page_config", "render_html",
]

#: Display simplification tolerance per layer kind, metres in EPSG:4550. Display only: the
#: analyses always use the stored geometries.
DISPLAY_SIMPLIFY_M = standards.DISPLAY_SIMPLIFY_M
ANALYSES = ("coverage", "toilet-gaps", "scorecard")
LANGS = ("zh", "en")

TITLE_ZH = "扎兰屯市城市精细化管理 · 会议用图"
TITLE_EN = "Zhalantun refined urban management · meeting map"
NOT_REVIEWED = ("非正式审图地图,无审图号,仅供内部会议讨论",
                "Not an officially reviewed map (no 审图号): for internal meetings only")
#: The latitude the zoom levels of label scales are computed at (Zhalantun).
LABEL_LATITUDE = 48.0


# ------------------------------------------------------------------------------ preparation
def _field_specs(lyr: schema.LayerDef, present: Sequence[str], lang: str
                 ) -> list[dict[str, object]]:
    cols = set(present)
    out: list[dict[str, object]] = []
    for f in lyr.fields:
        if f.name not in cols:
            continue
        label = lg.bi(f.zh, f.en, lang) + (f" ({f.unit})" if f.unit else "")
        out.append({"name": f.name, "label": label,
                    "domain": f.domain.name if f.domain is not None else None})
    return out


def display_layer(name: str, gdf: gpd.GeoDataFrame, lang: str = "zh", *, theme: str = "default",
                  visible: bool | None = None) -> MapLayer:
    """Turn one inventory layer (any CRS) into a :class:`~zlt_assets.maps.types.MapLayer`."""
    lyr = schema.layer(name)
    style = symbology.layer_style(name, theme)
    key = "city_boundary" if name == "city_boundary" else lyr.kind
    tol = float(DISPLAY_SIMPLIFY_M.value[key])
    disp = simplify_for_display(gdf, tol)
    title = lg.bi(lyr.zh, lyr.en, lang)
    if style.filter_field is not None and style.filter_field in disp.columns:
        disp = disp[disp[style.filter_field].isin(style.filter_values)]
        dom = lyr.field(style.filter_field).domain
        if dom is not None:
            shown = [dom.get(v) for v in style.filter_values]
            title += ":" + "、".join(lg.bi(c.zh, c.en, lang) for c in shown)
    records = disp.drop(columns=disp.geometry.name).to_dict("records")
    return MapLayer(
        key=name, title=title, group=lyr.group, kind=lg.geometry_kind(name), gdf=disp,
        style=style, fields=_field_specs(lyr, list(disp.columns), lang),
        name_field=lyr.name_field if lyr.name_field in disp.columns else None,
        id_field="obj_id" if "obj_id" in disp.columns else ("code" if "code" in disp.columns
                                                             else None),
        visible=style.visible if visible is None else visible,
        interactive=style.interactive, present=lg.present_classes(style, records))


def data_date(frames: Mapping[str, gpd.GeoDataFrame], today: _dt.date | None = None
              ) -> tuple[_dt.date | None, int]:
    """The latest ``updated`` date of the layers, parsed as a date.

    Also returns how many values were not dates or lay after ``today`` (left out).
    """
    today = today or _dt.date.today()
    best: _dt.date | None = None
    bad = 0
    for gdf in frames.values():
        if "updated" not in gdf.columns:
            continue
        col = gdf["updated"].dropna()
        col = col[col.astype(str).str.strip() != ""]
        parsed = pd.to_datetime(col.astype(str).str[:10], format="%Y-%m-%d", errors="coerce")
        ok = parsed.notna() & (parsed.dt.date <= today) if len(parsed) else parsed.notna()
        bad += int((~ok).sum())
        if ok.any():
            d = parsed[ok].max().date()
            best = d if best is None or d > best else best
    return best, bad


def format_date(day: _dt.date | None, lang: str) -> str:
    """A date for people: ``2021年3月15日 / 2021-03-15``."""
    if day is None:
        return lg.bi("未知", "unknown", lang)
    return lg.bi(f"{day.year}年{day.month}月{day.day}日", day.isoformat(), lang)


def illustrative_share(frames: Mapping[str, gpd.GeoDataFrame]) -> float:
    total = flagged = 0
    for gdf in frames.values():
        if "data_source" in gdf.columns:
            col = gdf["data_source"].astype(object)
            total += int(col.notna().sum())
            flagged += int((col == "illustrative").sum())
    return flagged / total if total else 0.0


def title_lines(*, lang: str, day: _dt.date | None, illustrative_share: float,
                basemap: Basemap, source_label: str) -> list[tuple[str, bool]]:
    """The title block's lines (text, is_warning): data date, illustrative, not reviewed."""
    lines: list[tuple[str, bool]] = []
    lines.append((lg.bi("数据日期", "Data date", lang) + ": " + format_date(day, lang) + " · "
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


def _story_key(story: str | None, analyses: Sequence[str]) -> str:
    if story is not None:
        return story
    return st.STORY_OF_ANALYSIS[analyses[0]] if analyses else "inventory"


def open_context(data: str | Path | None = None, lang: str = "zh") -> AnalysisContext:
    """The inventory's layers, ready for any number of stories (analyses run once each)."""
    inv = Inventory.open(data)
    present = [n for n in schema.LAYERS if inv.has(n)]
    if not present:
        raise BadInput(f"{inv.path} holds none of the inventory layers "
                       f"({', '.join(schema.LAYERS)})",
                       zh=f"{inv.path} 中没有任何清单图层")
    return AnalysisContext(inv, {n: inv.read(n) for n in present}, lang)


def build_content(
    data: str | Path | None = None,
    *,
    story: str | None = None,
    basemap: str = "none",
    analyses: Sequence[str] = (),
    lang: str = "zh",
    indicator: str | None = None,
    env: Mapping[str, str] | None = None,
    context: AnalysisContext | None = None,
) -> MapContent:
    """Read the inventory (and the analysis results of a story) into a :class:`MapContent`.

    Parameters
    ----------
    data : path, optional
        Inventory GeoPackage (default ``$ZLT_DATA`` or the shipped sample).
    story : str, optional
        One of :data:`zlt_assets.maps.stories.STORY_KEYS` (default ``inventory``, or the story of
        the first of ``analyses``).
    basemap : {"none", "osm", "tianditu", "gaode"}
        Tile layer; only a basemap uses the network.
    analyses : sequence of {"coverage", "toilet-gaps", "scorecard"}
        0.1's overlays: the first chooses the story when ``story`` is not given; the others are
        added to the layer list, switched off.
    lang : {"zh", "en"}
        Which language comes first in labels (both are always shown).
    indicator : str, optional
        Scorecard indicator of the street-office choropleth (default ``facade_lighting_pct``).
    env : mapping, optional
        Environment for ``ZLT_TIANDITU_KEY`` (default ``os.environ``).
    context : AnalysisContext, optional
        An opened inventory with analysis results to reuse (see :func:`open_context`).
    """
    if lang not in LANGS:
        raise BadInput(f"unknown language {lang!r}; choose zh or en", option="lang")
    unknown = [a for a in analyses if a not in ANALYSES]
    if unknown:
        raise BadInput(f"unknown analysis {unknown[0]!r}; choose from {', '.join(ANALYSES)}",
                       zh=f"未知分析 {unknown[0]!r};可选:{', '.join(ANALYSES)}",
                       option="analysis")
    s = st.story(_story_key(story, analyses))
    try:
        bm = resolve_basemap(basemap, dict(env) if env is not None else None)
    except ValueError as exc:
        raise BadInput(str(exc), option="basemap") from None
    ctx = context or open_context(data, lang)
    ctx.lang = lang
    frames = ctx.frames
    themes = st.themes(s)
    layers = []
    for n in frames:
        kind = schema.layer(n).kind
        on = (n in s.assets) if kind == "asset" else (n not in s.frames_off
                                                      and symbology.layer_style(n).visible)
        layers.append(display_layer(n, frames[n], lang, theme=themes[n], visible=on))
    messages = list(bm.messages)
    overlays, scorecard, more = collect_overlays(ctx, s.analyses, indicator)
    extra = [a for a in analyses if a not in s.analyses and a not in
             {k for k, v in st.STORY_OF_ANALYSIS.items() if v == s.key}]
    if extra:
        ovs, card2, more2 = collect_overlays(ctx, extra, indicator)
        for ov in ovs:
            ov.visible = False
        overlays += ovs
        scorecard = scorecard or card2
        more += more2
    messages.extend(more)
    cap = st.story_caption(s, ctx, lang, indicator)

    by_key = {lyr.key: lyr for lyr in layers}
    frame_keys = [k for k in ("urban_area", "street_offices") if k in by_key
                  and not by_key[k].gdf.empty]
    bounds = _bounds([by_key[frame_keys[0]].gdf] if frame_keys else
                     [lyr.gdf for lyr in layers if lyr.key != "city_boundary"]
                     or [lyr.gdf for lyr in layers])
    day, bad_dates = data_date(frames)
    if bad_dates:
        messages.append(lg.bi(f"{bad_dates} 个更新日期不是有效日期或晚于今天,未计入数据日期",
                              f"{bad_dates} 'updated' values are not dates or lie in the future: "
                              "left out of the data date", lang))
    share = illustrative_share(frames)
    src = (lg.bi("示意数据", "illustrative", lang) if share >= 0.999 else
           lg.bi("实地调查与参考数据", "survey and reference", lang) if share == 0 else
           lg.bi("混合", "mixed", lang))
    lines = title_lines(lang=lang, day=day, illustrative_share=share, basemap=bm,
                        source_label=src)
    lines += [(m, False) for m in more]  # overlays left out, and why
    return MapContent(layers=layers, overlays=overlays, title=st.story_title(s, lang, indicator),
                      subtitle=lg.bi(TITLE_ZH, TITLE_EN, lang), caption=cap.lines,
                      figures=list(cap.figures),
                      indicator=(indicator or DEFAULT_INDICATOR) if s.key == "scorecard"
                      else None,
                      lines=lines, lang=lang, basemap=bm, bounds=bounds,
                      data_date=day.isoformat() if day else None, illustrative_share=share,
                      messages=messages, scorecard=scorecard, story=s.key,
                      sources=[lg.bi("目标依据", "Targets from", lang) + ": "
                               + "; ".join(s.sources)])


def _bounds(frames: Sequence[gpd.GeoDataFrame]) -> tuple[float, float, float, float] | None:
    boxes = [g.total_bounds for g in frames if not g.empty]
    if not boxes:
        return None
    arr = np.array(boxes)
    return (float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()),
            float(arr[:, 3].max()))


# ------------------------------------------------------------------------------ the page
#: Page coordinates: Web-Mercator pixels at this zoom, as integers (0.15 m at 48°N), the way
#: Leaflet's EPSG:3857 projects (256 · 2^zoom pixels around the world).
PAGE_ZOOM = 20


def mercator_pixels(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Web-Mercator pixel coordinates at :data:`PAGE_ZOOM` (numpy arrays of floats)."""
    world = 256 * 2 ** PAGE_ZOOM
    lat = np.clip(np.asarray(lat, dtype=float), -85.0511287798, 85.0511287798)
    x = (np.asarray(lon, dtype=float) + 180.0) / 360.0 * world
    y = (1 - np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / np.pi) / 2 * world
    return x, y


def _delta(coords: Any) -> list[int]:
    """Integer page pixels of (lon, lat) rows, each pair coded as the step from the previous."""
    if len(coords) == 0:
        return []
    x, y = mercator_pixels(coords[:, 0], coords[:, 1])
    pts = np.column_stack([np.round(x), np.round(y)]).astype(np.int64)
    steps = np.diff(pts, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    out: list[int] = steps.ravel().tolist()
    return out


def encode_geometry(gdf: gpd.GeoDataFrame, kind: str) -> dict[str, list[int]]:
    """The page's geometry of a layer.

    ``xy`` (delta-coded page pixels of every vertex), and for lines and polygons ``np`` (parts
    per feature), ``nv`` (vertices per part: a polygon's rings,
    shell first) and ``lp`` (one label and popup point per feature: a point inside a polygon,
    the middle of a line).
    """
    import shapely

    geoms = gdf.geometry.values
    if kind == "point":
        pts = shapely.get_point(shapely.force_2d(geoms), 0)
        pts = np.where(shapely.get_type_id(geoms) == 0, geoms, pts)
        return {"xy": _delta(shapely.get_coordinates(pts))}
    parts, owner = shapely.get_parts(geoms, return_index=True)
    if kind == "polygon":
        rings, ring_owner = shapely.get_rings(parts, return_index=True)
        feat = owner[ring_owner]
        lp = shapely.point_on_surface(geoms)
    else:
        rings, feat = parts, owner
        lp = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
    n_parts = np.bincount(feat, minlength=len(geoms)).tolist()
    return {"xy": _delta(shapely.get_coordinates(rings)), "np": n_parts,
            "nv": shapely.get_num_coordinates(rings).tolist(),
            "lp": _delta(shapely.get_coordinates(lp))}


def _columns(gdf: gpd.GeoDataFrame, names: Sequence[str]) -> dict[str, object]:
    """The attribute columns of a layer, by name.

    Each is a list of values, or, for a column with few distinct values (codes, dates,
    booleans), ``{"d": distinct values, "i": index per feature}``
    (a third of the size and much faster to read for the page).
    """
    out: dict[str, object] = {}
    for c in dict.fromkeys(names):
        if not c or c not in gdf.columns:
            continue
        values = [json_value(v) for v in gdf[c].astype(object)]
        distinct: dict[tuple[str, object], int] = {}
        for v in values:
            key = (type(v).__name__, v)
            if key not in distinct:
                distinct[key] = len(distinct)
                if len(distinct) > max(16, len(values) // 4):
                    break
        if len(values) >= 32 and len(distinct) <= max(16, len(values) // 4):
            out[c] = {"d": [k[1] for k in distinct], "i": [distinct[(type(v).__name__, v)]
                                                          for v in values]}
        else:
            out[c] = values
    return out


def _drawing_order(gdf: gpd.GeoDataFrame, style: symbology.LayerStyle) -> gpd.GeoDataFrame:
    """The features in the order the page draws them.

    Grouped by class (declaration order, then the rest; stable), so that one canvas path draws a
    whole class; polygons oriented
    (shells counter-clockwise, holes clockwise) for the page's non-zero fill.

    The page draws each run of equal style as one canvas path.
    """
    if style.field is not None and style.field in gdf.columns and len(gdf) > 1:
        rank = {c: i for i, c in enumerate(style.codes)}
        key = gdf[style.field].map(lambda v: rank.get(v, len(rank)))
        gdf = gdf.iloc[np.argsort(key.to_numpy(), kind="stable")]
    if len(gdf) and gdf.geom_type.isin(["Polygon", "MultiPolygon"]).any():
        gdf = gdf.set_geometry(_oriented(gdf.geometry.values))
    return gdf


def _oriented(geoms: Any) -> Any:
    """Polygons with counter-clockwise shells and clockwise holes.

    Shapely 2.0 (the floor) has no ``orient_polygons``: there, part by part.
    """
    import shapely

    if hasattr(shapely, "orient_polygons"):
        return shapely.orient_polygons(geoms)
    from shapely.geometry import MultiPolygon, Polygon
    from shapely.geometry.polygon import orient

    def one(g: Any) -> Any:
        if isinstance(g, Polygon):
            return orient(g)
        if isinstance(g, MultiPolygon):
            return MultiPolygon([orient(p) for p in g.geoms])
        return g

    return np.array([one(g) for g in geoms], dtype=object)


def _layer_config(lyr: MapLayer, lang: str,
                  shift: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]) -> dict[str, object]:
    s = lyr.style
    gdf = _drawing_order(shift(lyr.gdf), s)
    cols = [str(f["name"]) for f in lyr.fields]
    cols += [c for c in (lyr.name_field, lyr.id_field, s.field, s.label_field) if c]
    zoom = (round(symbology.scale_to_zoom(s.label_min_scale, LABEL_LATITUDE), 2)
            if s.label_min_scale else 0)
    return {
        "key": lyr.key, "title": lyr.title, "group": lyr.group, "kind": lyr.kind,
        "overlay": lyr.overlay, "order": s.draw_order, "visible": lyr.visible,
        "interactive": lyr.interactive, "style": lg.web_style(s), "fields": lyr.fields,
        "nameField": lyr.name_field, "idField": lyr.id_field,
        "labelField": s.label_field if s.label_field in gdf.columns else None,
        "labelMinZoom": zoom, "count": len(gdf),
        **encode_geometry(gdf, lyr.kind),
        "props": _columns(gdf, cols),
        "legend": lg.legend_block(lyr.key, lyr.legend_title or lyr.title, s, lyr.present, lang),
    }


def page_config(content: MapContent) -> dict[str, object]:
    """The data handed to the page's script (all text as data, drawn with textContent)."""
    lang = content.lang
    shift: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] = (
        to_gcj02_display if content.basemap.gcj02 else (lambda g: g))
    drawn = content.drawn()
    groups = [{"key": g.code, "title": lg.bi(g.zh, g.en, lang),
               "layers": [lyr.key for lyr in drawn if not lyr.overlay and lyr.group == g.code]}
              for g in schema.GROUPS.values]
    if content.overlays:
        groups.insert(0, {"key": "analysis", "title": lg.bi("分析结果", "Analysis", lang),
                          "layers": [o.key for o in drawn if o.overlay]})
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
    return {
        "story": content.story,
        "layers": [_layer_config(lyr, lang, shift) for lyr in drawn],
        "groups": groups,
        "domains": domains,
        "title": {"main": content.title, "subtitle": content.subtitle,
                  "caption": [list(pair) for pair in content.caption],
                  "lines": [{"text": t, "warn": w} for t, w in content.lines],
                  "sources": list(content.sources)},
        "text": {"yes": lg.bi("是", "Yes", lang), "no": lg.bi("否", "No", lang),
                 "layers": lg.bi("图层", "Layers", lang), "legend": lg.bi("图例", "Legend", lang),
                 "search": lg.bi("按名称或编码搜索", "Search by name or id", lang),
                 "noMatch": lg.bi("无匹配", "No match", lang),
                 "more": lg.bi("展开全文", "Show all", lang),
                 "less": lg.bi("收起", "Show less", lang),
                 "chars": lg.bi("字符", "characters", lang),
                 "noLayer": lg.bi("未显示任何图层", "No layer shown", lang)},
        "bounds": bounds,
        "maxZoom": 19,
        "icons": {"icon": data_uri("leaflet/images/marker-icon.png"),
                  "iconRetina": data_uri("leaflet/images/marker-icon-2x.png"),
                  "shadow": data_uri("leaflet/images/marker-shadow.png")},
    }


def _folium_map(content: MapContent) -> Any:
    import folium
    from branca.element import Element, MacroElement
    from folium.elements import JSCSSMixin
    from folium.plugins import Fullscreen, MeasureControl
    from folium.template import Template

    class MeetingLayers(JSCSSMixin, MacroElement):
        """Our layers, switcher, legend, title and search (zlt_assets/maps/static/zlt)."""

        _template = Template(
            "{% macro script(this, kwargs) %}\n"
            "var {{ this.get_name() }} = zltMeetingMap({{ this._parent.get_name() }}, "
            "JSON.parse(document.getElementById('zlt-config').textContent));\n"
            "{% endmacro %}")
        default_js = [("zlt_meeting_map", "zlt-static:zlt/meeting_map.js")]  # noqa: RUF012
        default_css = [("zlt_meeting_map_css", "zlt-static:zlt/meeting_map.css")]  # noqa: RUF012

        def __init__(self) -> None:
            super().__init__()
            self._name = "ZltMeetingLayers"

    lang = content.lang
    if content.bounds is not None:
        minx, miny, maxx, maxy = content.bounds
        center = [(miny + maxy) / 2, (minx + maxx) / 2]
    else:
        center = [48.0, 122.74]  # Zhalantun
    m = folium.Map(location=center, zoom_start=13, tiles=None, prefer_canvas=True,
                   control_scale=False, max_zoom=19, zoom_control=True,
                   fade_animation=False,  # a closing popup must not swallow the next click
                   zoom_snap=0.25)  # fit the story's extent closely
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
    m.get_root().html.add_child(Element(  # type: ignore[attr-defined]
        '<script type="application/json" id="zlt-config">' + safe_json(page_config(content))
        + "</script>"))
    MeetingLayers().add_to(m)
    return m


def render_html(content: MapContent) -> str:
    """The self-contained page (UTF-8 text)."""
    m = _folium_map(content)
    page = m.get_root().render()
    page = inline_assets(page)
    lang_attr = "zh-CN" if content.lang == "zh" else "en"
    page = page.replace("<html>", f'<html lang="{lang_attr}">', 1)
    return page.replace("<head>", f"<head>\n    <title>{_html.escape(content.title)}</title>", 1)


def make_meeting_map(
    data: str | Path | None = None,
    out: str | Path = "meeting_map.html",
    *,
    story: str | None = None,
    basemap: str = "none",
    analyses: Sequence[str] = (),
    lang: str = "zh",
    indicator: str | None = None,
    png: str | Path | None = None,
    pdf: str | Path | None = None,
    paper: str = "a4",
    dpi: int = 300,
    env: Mapping[str, str] | None = None,
    context: AnalysisContext | None = None,
    progress: Callable[..., None] | None = None,
) -> MapResult:
    """Build one story's meeting map and write it (atomically, UTF-8); optionally print it.

    See :func:`build_content` for the parameters; ``out`` is the HTML file, ``png`` and ``pdf``
    the print versions (:func:`zlt_assets.maps.static_png.render_print`) on ``paper`` (``a4``
    or ``a3``, landscape) at ``dpi``; ``progress`` is called with ``(step, fraction)``.
    """
    from .. import progress as _progress

    say = _progress.adapt(progress)
    say(lg.bi("读取清单与分析结果", "reading the inventory and the analyses"), 0.0)
    content = build_content(data, story=story, basemap=basemap, analyses=analyses, lang=lang,
                            indicator=indicator, env=env, context=context)
    say(lg.bi("写出网页地图", "writing the web map"), 0.5)
    page = render_html(content)
    out = Path(out)
    write_text(out, page)
    png_path = pdf_path = None
    if png is not None or pdf is not None:
        from .static_png import render_print

        say(lg.bi("绘制打印版", "drawing the print layout"), 0.7)
        if png is not None:
            png_path = render_print(content, png, paper=paper, dpi=dpi)
        if pdf is not None:
            pdf_path = render_print(content, pdf, paper=paper, dpi=dpi)
    say(lg.bi("会议用图已写出", "meeting map written"), 1.0)
    return MapResult(
        html_path=out, html_bytes=out.stat().st_size, png_path=png_path, pdf_path=pdf_path,
        messages=tuple(content.messages),
        layer_counts={lyr.key: len(lyr.gdf) for lyr in content.layers},
        overlays=tuple(o.key for o in content.overlays), story=content.story,
        caption=tuple(content.caption_text()), title=content.title,
        figures=tuple(content.figures),
        overlay_counts={o.key: len(o.gdf) for o in content.overlays},
        visible=tuple(lyr.key for lyr in content.drawn() if lyr.visible),
        data_date=content.data_date, indicator=content.indicator,
        paper=paper if png_path or pdf_path else None,
        dpi=dpi if png_path or pdf_path else None,
    )


def make_story_maps(
    data: str | Path | None = None,
    out_dir: str | Path = "maps",
    *,
    stories: Sequence[str] = st.STORY_KEYS,
    basemap: str = "none",
    lang: str = "zh",
    indicator: str | None = None,
    pdf: bool = False,
    png: bool = False,
    paper: str = "a3",
    dpi: int = 300,
    env: Mapping[str, str] | None = None,
    progress: Callable[..., None] | None = None,
) -> list[MapResult]:
    """Every story's map (``<story>.html``, optionally ``.pdf``/``.png``) and ``index.html``.

    The inventory is read and each analysis run once for all stories. Returns the results in
    story order; the index links them (offline, self-contained like the maps).
    """
    for key in stories:
        st.story(key)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from .. import progress as _progress

    say = _progress.adapt(progress)
    say(lg.bi("读取清单", "reading the inventory"), 0.0)
    ctx = open_context(data, lang)
    results = []
    spans = say.span(0.05, 1.0).split([1.0] * len(stories)) if stories else []
    for key, span in zip(stories, spans, strict=True):
        span(lg.bi(f"专题图:{st.STORIES[key].zh}", f"story map: {st.STORIES[key].en}"), 0.0)
        results.append(make_meeting_map(
            out=out / f"{key}.html", story=key, basemap=basemap, lang=lang, indicator=indicator,
            pdf=out / f"{key}.pdf" if pdf else None, png=out / f"{key}.png" if png else None,
            paper=paper, dpi=dpi, env=env, context=ctx, progress=span))
    from .index import write_index

    write_index(out / "index.html", results, lang=lang, context=ctx)
    return results
