"""The web style and the legend of a meeting map, rendered from :mod:`zlt_assets.symbology`.

QGIS (:mod:`zlt_assets.styles`) and the meeting map read the same declaration, so a layer has the
same colours in both. :func:`web_style` turns a :class:`~zlt_assets.symbology.LayerStyle` into the
page script's drawing options (millimetres to CSS pixels at 96 dpi); :func:`legend_block` lists
the classes a layer *shows*: only those present in its data, with their counts, in the order the
declaration gives, drawn as the layer is drawn (an unfilled polygon gets an outline swatch). The
page builds the legend from these blocks with ``textContent`` only (folium has no categorical
legend, folium issue #528) and shows the blocks of the visible layers; print uses the same blocks.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import schema, symbology
from ..symbology import LayerStyle, px


def bi(zh: str, en: str, lang: str = "zh") -> str:
    """A bilingual label: Chinese first (``lang='zh'``) or English first (``lang='en'``)."""
    if not en or zh == en:
        return zh
    return f"{zh} / {en}" if lang == "zh" else f"{en} / {zh}"


def layer_style(layer_name: str, theme: str = "default") -> LayerStyle:
    """The declared style of a schema layer (:func:`zlt_assets.symbology.layer_style`)."""
    return symbology.layer_style(layer_name, theme)


def geometry_kind(layer_name: str) -> str:
    """``point``, ``line`` or ``polygon`` for a schema layer."""
    g = schema.layer(layer_name).geometry
    return "point" if "Point" in g else ("line" if "Line" in g else "polygon")


def web_style(style: LayerStyle) -> dict[str, object]:
    """Drawing options for the page script (sizes in CSS pixels)."""
    classes = {c.code: {"color": c.color, "width": px(c.width) if c.width else None}
               for c in style.classes}
    return {
        "kind": style.kind, "field": style.field, "classes": classes, "other": style.other,
        "stroke": style.stroke, "width": px(style.width), "radius": round(px(style.size) / 2, 1),
        "shape": style.shape, "fillOpacity": style.fill_opacity,
        "fill": style.kind in ("fill", "point"),
        "dash": [px(d) for d in style.dash] if style.dash else None,
        "filterField": style.filter_field, "filterValues": list(style.filter_values),
    }


def feature_style(style: LayerStyle, record: Mapping[str, object]) -> dict[str, object]:
    """How one feature is drawn (colour, outline, width in mm): what the page script computes."""
    value = record.get(style.field) if style.field else None
    color = style.color_of(value) if style.field else style.other
    return {"color": color, "stroke": style.stroke or color, "width": style.width_of(value),
            "fill": style.kind in ("fill", "point"), "fill_opacity": style.fill_opacity,
            "dash": style.dash, "shape": style.shape, "size": style.size}


def present_classes(style: LayerStyle, records: Iterable[Mapping[str, object]]) -> dict[str, int]:
    """Features per class code among the records the style draws (``""``: outside every class)."""
    counts: Counter[str] = Counter()
    codes = set(style.codes)
    for r in records:
        if not style.shows(dict(r)):
            continue
        v = r.get(style.field) if style.field else None
        counts[str(v) if style.field and v in codes else ""] += 1
    return dict(counts)


@dataclass(frozen=True)
class LegendEntry:
    """One row of the legend: a swatch drawn as the features are, and its label."""

    code: str
    label: str
    color: str
    count: int = 0
    width: float | None = None  # mm, when the class overrides the layer's width


def legend_entries(style: LayerStyle, present: Mapping[str, int], lang: str = "zh",
                   *, single_label: str = "") -> list[LegendEntry]:
    """The rows of a layer's legend block.

    The classes present, in declaration order, then the features outside every class; one row
    for a single-symbol layer.
    """
    if style.field is None:
        return [LegendEntry("", single_label, style.other, sum(present.values()))]
    rows = [LegendEntry(c.code, bi(c.zh, c.en, lang), c.color, present[c.code], c.width)
            for c in style.classes if present.get(c.code)]
    if present.get(""):
        rows.append(LegendEntry("", bi(style.other_zh, style.other_en, lang), style.other,
                                present[""]))
    return rows


def legend_block(key: str, title: str, style: LayerStyle, present: Mapping[str, int],
                 lang: str = "zh", *, heading: str | None = None) -> dict[str, Any]:
    """A layer's legend block as plain data (the page and print draw it)."""
    entries = legend_entries(style, present, lang, single_label=title)
    if heading is None and style.field is not None:
        heading = bi(style.zh, style.en, lang) if style.zh else None
    return {
        "layer": key, "title": title, "heading": heading, "single": style.field is None,
        "kind": style.kind, "shape": style.shape, "stroke": style.stroke,
        "width": px(style.width), "fillOpacity": style.fill_opacity,
        "dash": [px(d) for d in style.dash] if style.dash else None,
        "entries": [{"code": e.code, "label": e.label, "color": e.color, "count": e.count,
                     "width": px(e.width) if e.width else None} for e in entries],
    }
