"""How each inventory layer is drawn, and the categorical legend built from the schema's domains.

Colour shows a layer's *category* (a domain field such as road class or toilet type); line dash
and fill strength show its *status* (planned, under construction, done or in service, closed).
The categories and their labels come from :mod:`zlt_assets.schema`; nothing here lists codes of
its own. folium has no categorical legend (folium issue #528), so :func:`legend_html` writes a
small one; the HTML map and the static PNG share :func:`layer_style` and :func:`feature_style`.
"""
from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field

from .. import schema

#: Qualitative palette (ColorBrewer Set1/Dark2-like), assigned in domain order.
PALETTE: tuple[str, ...] = (
    "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#1b9e77",
    "#d95f02", "#7570b3",
)
GREENS: tuple[str, ...] = ("#1a9850", "#66bd63", "#a6d96a", "#006837", "#d9ef8b")


@dataclass(frozen=True)
class StatusStyle:
    """How one status code changes a feature's look."""

    dash: str | None
    fill_opacity: float
    opacity: float = 1.0


#: Status codes of WORKS_STATUS and SERVICE_STATUS (both domains share "planned" and
#: "under_construction"): unfinished = dashed and pale, done or in service = solid and strong.
STATUS_STYLES: dict[str, StatusStyle] = {
    "planned": StatusStyle("4 4", 0.15, 0.9),
    "under_construction": StatusStyle("8 4", 0.4, 1.0),
    "completed": StatusStyle(None, 0.7, 1.0),
    "accepted": StatusStyle(None, 0.85, 1.0),
    "in_service": StatusStyle(None, 0.8, 1.0),
    "closed": StatusStyle("2 4", 0.1, 0.5),
}


@dataclass(frozen=True)
class LayerStyle:
    """Drawing rules of one layer."""

    layer: str
    category_field: str | None
    status_field: str | None
    color: str  # used when the layer has no category field or the value is missing
    colors: Mapping[str, str] = field(default_factory=dict)
    weight: float = 2.0
    radius: float = 5.0
    fill: bool = True
    fill_opacity: float = 0.35
    dash: str | None = None
    visible: bool = True


#: Per layer: (category field, colour when uncategorised, weight, extra options).
_RULES: dict[str, dict[str, object]] = {
    "facade_lighting_buildings": {"category_field": "street_group", "color": "#ff7f00",
                                  "weight": 1.0},
    "bridges": {"category_field": None, "color": "#984ea3", "weight": 6.0},
    "roads": {"category_field": "road_class", "color": "#555555", "weight": 3.0},
    "public_toilets": {"category_field": "toilet_type", "color": "#377eb8", "radius": 6.0},
    "bus_stops": {"category_field": None, "color": "#1f78b4", "radius": 4.0},
    "drainage_points": {"category_field": "drainage_type", "color": "#1b9e77", "radius": 4.0},
    "street_offices": {"category_field": "code", "color": "#666666", "weight": 2.0,
                       "fill_opacity": 0.04, "dash": "6 4"},
    "urban_area": {"category_field": None, "color": "#444444", "weight": 2.0, "fill": False,
                   "dash": "10 6"},
    "city_boundary": {"category_field": None, "color": "#000000", "weight": 2.5, "fill": False,
                      "visible": False},
    "river": {"category_field": None, "color": "#2b8cbe", "weight": 3.0, "fill": False},
    "railway": {"category_field": None, "color": "#333333", "weight": 3.0, "fill": False,
                "dash": "12 6"},
    "railway_stations": {"category_field": None, "color": "#333333", "radius": 6.0},
    "parks": {"category_field": "green_type", "color": "#4daf4a", "weight": 1.0,
              "fill_opacity": 0.45},
}


def _status_field(lyr: schema.LayerDef) -> str | None:
    try:
        f = lyr.field("status")
    except KeyError:
        return None
    return f.name if f.domain is not None else None


def layer_style(layer_name: str) -> LayerStyle:
    """The drawing rules of a schema layer (colours keyed by the category domain's codes)."""
    lyr = schema.layer(layer_name)
    rule = dict(_RULES.get(layer_name, {"category_field": None, "color": "#555555"}))
    cat = rule.pop("category_field")
    colors: dict[str, str] = {}
    if cat is not None:
        dom = lyr.field(str(cat)).domain
        if dom is None:
            raise ValueError(f"{layer_name}.{cat} has no domain to colour by")
        palette = GREENS if layer_name == "parks" else PALETTE
        colors = {code: palette[i % len(palette)] for i, code in enumerate(dom.codes)}
    return LayerStyle(layer=layer_name, category_field=cat, status_field=_status_field(lyr),
                      colors=colors, **rule)  # type: ignore[arg-type]


def feature_style(style: LayerStyle, record: Mapping[str, object]) -> dict[str, object]:
    """Leaflet path options for one feature (the same rules the page's script applies)."""
    color = style.colors.get(str(record.get(style.category_field)), style.color) \
        if style.category_field else style.color
    out: dict[str, object] = {"color": color, "fillColor": color, "weight": style.weight,
                              "fill": style.fill, "fillOpacity": style.fill_opacity,
                              "opacity": 1.0, "dashArray": style.dash}
    if style.status_field:
        st = STATUS_STYLES.get(str(record.get(style.status_field)))
        if st is not None:
            out.update(fillOpacity=st.fill_opacity if style.fill else 0.0, opacity=st.opacity)
            if st.dash is not None:
                out["dashArray"] = st.dash
    return out


def bi(zh: str, en: str, lang: str = "zh") -> str:
    """A bilingual label: Chinese first (``lang='zh'``) or English first (``lang='en'``)."""
    if not en or zh == en:
        return zh
    return f"{zh} / {en}" if lang == "zh" else f"{en} / {zh}"


@dataclass(frozen=True)
class LegendEntry:
    """One row of the legend."""

    code: str
    label: str
    color: str
    dash: str | None = None
    fill_opacity: float | None = None


def category_entries(layer_name: str, lang: str = "zh") -> list[LegendEntry]:
    """Legend rows for a layer's categories, in domain order (one row when uncategorised)."""
    style = layer_style(layer_name)
    lyr = schema.layer(layer_name)
    if not style.category_field:
        return [LegendEntry("", bi(lyr.zh, lyr.en, lang), style.color, style.dash)]
    dom = lyr.field(style.category_field).domain
    assert dom is not None
    return [LegendEntry(c.code, bi(c.zh, c.en, lang), style.colors[c.code], style.dash)
            for c in dom.values]


def status_entries(layer_name: str, lang: str = "zh") -> list[LegendEntry]:
    """Legend rows for a layer's status domain (empty when the layer has no status)."""
    style = layer_style(layer_name)
    if not style.status_field:
        return []
    dom = schema.layer(layer_name).field(style.status_field).domain
    assert dom is not None
    return [LegendEntry(c.code, bi(c.zh, c.en, lang), "#555555",
                        STATUS_STYLES.get(c.code, StatusStyle(None, 0.5)).dash,
                        STATUS_STYLES.get(c.code, StatusStyle(None, 0.5)).fill_opacity)
            for c in dom.values]


def _swatch(entry: LegendEntry, kind: str) -> str:
    color = html.escape(entry.color, quote=True)
    dash = f"stroke-dasharray:{html.escape(entry.dash)};" if entry.dash else ""
    fo = entry.fill_opacity if entry.fill_opacity is not None else 0.5
    if kind == "point":
        shape = (f'<circle cx="9" cy="7" r="5" style="fill:{color};fill-opacity:{fo};'
                 f'stroke:{color};stroke-width:1.5;{dash}"/>')
    elif kind == "line":
        shape = f'<line x1="1" y1="7" x2="17" y2="7" style="stroke:{color};stroke-width:3;{dash}"/>'
    else:
        shape = (f'<rect x="1.5" y="1.5" width="15" height="11" style="fill:{color};'
                 f'fill-opacity:{fo};stroke:{color};stroke-width:1.5;{dash}"/>')
    return f'<svg class="zlt-swatch" width="18" height="14" aria-hidden="true">{shape}</svg>'


def geometry_kind(layer_name: str) -> str:
    """``point``, ``line`` or ``polygon`` for a schema layer."""
    g = schema.layer(layer_name).geometry
    return "point" if "Point" in g else ("line" if "Line" in g else "polygon")


@dataclass(frozen=True)
class ExtraLegend:
    """Legend block for an analysis overlay (already-built rows)."""

    title: str
    kind: str
    entries: tuple[LegendEntry, ...]


def legend_html(layer_names: list[str], lang: str = "zh",
                extra: list[ExtraLegend] | tuple[ExtraLegend, ...] = ()) -> str:
    """The legend's inner HTML: one block per layer present, then the analysis overlays.

    Every text is escaped; the labels come from the schema's domains.
    """
    parts = [f'<div class="zlt-legend-title">{html.escape(bi("图例", "Legend", lang))}</div>']
    status_domains: dict[str, list[LegendEntry]] = {}
    for name in layer_names:
        lyr = schema.layer(name)
        kind = geometry_kind(name)
        rows = "".join(
            f'<div class="zlt-legend-row" data-code="{html.escape(e.code, quote=True)}">'
            f'{_swatch(e, kind)}<span>{html.escape(e.label)}</span></div>'
            for e in category_entries(name, lang))
        parts.append(f'<div class="zlt-legend-block" data-layer="{html.escape(name, quote=True)}">'
                     f'<div class="zlt-legend-layer">{html.escape(bi(lyr.zh, lyr.en, lang))}</div>'
                     f'{rows}</div>')
        style = layer_style(name)
        if style.status_field:
            dom = lyr.field(style.status_field).domain
            assert dom is not None
            status_domains.setdefault(dom.name, status_entries(name, lang))
    for dom_name, entries in status_domains.items():
        dom = schema.DOMAINS[dom_name]
        rows = "".join(
            f'<div class="zlt-legend-row" data-code="{html.escape(e.code, quote=True)}">'
            f'{_swatch(e, "polygon")}<span>{html.escape(e.label)}</span></div>' for e in entries)
        parts.append(f'<div class="zlt-legend-block" data-status="{html.escape(dom_name, quote=True)}">'
                     f'<div class="zlt-legend-layer">{html.escape(bi(dom.zh, dom.en, lang))}'
                     f'</div>{rows}</div>')
    for block in extra:
        rows = "".join(
            f'<div class="zlt-legend-row">{_swatch(e, block.kind)}'
            f'<span>{html.escape(e.label)}</span></div>' for e in block.entries)
        parts.append(f'<div class="zlt-legend-block" data-overlay="1">'
                     f'<div class="zlt-legend-layer">{html.escape(block.title)}</div>{rows}</div>')
    return "".join(parts)
