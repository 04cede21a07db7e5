"""The plain data a meeting map is drawn from, shared by the page, print and the overlays.

:class:`MapLayer` is one layer ready to draw (an inventory layer or an analysis result, in
EPSG:4326, with its :class:`~zlt_assets.symbology.LayerStyle`); :class:`MapContent` is a whole
map (one story). The display helpers here (simplification in metres, GCJ-02 shift, text
neutralisation) are used by :mod:`~zlt_assets.maps.meeting_map` and
:mod:`~zlt_assets.maps.overlays` alike, so neither imports the other's internals.
"""
from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import schema
from ..symbology import LayerStyle
from .basemaps import Basemap

#: Coordinates are rounded to this many decimals of a degree (1e-6 deg is about 0.1 m).
COORD_DECIMALS = 6

#: What a neutralised control character shows as. The characters are those
#: :data:`zlt_assets.text.CONTROL` refuses at import (C0/C1 controls, zero-width and bidirectional
#: embeddings, overrides and isolates, which can make text display as something else: "Trojan
#: Source", CVE-2021-42574); a map shows data that did not come through the import too.
REPLACEMENT = "\ufffd"


@dataclass
class MapLayer:
    """One layer ready to draw: geometries in EPSG:4326, its style and what its popups show.

    ``key`` is the schema layer name or the overlay key; ``fields`` are the popup rows
    (``{"name", "label", "domain"}``); ``present`` counts the features per class code (``""``
    for features outside every class) for the legend.
    """

    key: str
    title: str
    group: str
    kind: str  # point | line | polygon
    gdf: gpd.GeoDataFrame
    style: LayerStyle
    fields: list[dict[str, object]]
    name_field: str | None = None
    id_field: str | None = None
    visible: bool = True
    interactive: bool = True
    overlay: bool = False
    legend_title: str | None = None
    present: dict[str, int] = field(default_factory=dict)

    @property
    def cluster(self) -> bool:
        """Kept for callers of 0.1: points are canvas symbols now, never clustered."""
        return False


#: Name kept for callers of 0.1 (an analysis overlay is a :class:`MapLayer` too).
Overlay = MapLayer
DisplayLayer = MapLayer


@dataclass(frozen=True)
class Figure:
    """One key figure of a story's caption, as a number (what ``map --json`` reports).

    ``value`` is the figure in ``unit`` (``%`` for shares, as the caption shows them, unrounded);
    ``of`` the whole it counts out of ("176 of 190 done": value 176, of 190), ``target`` and
    ``comparator`` the plan's or standard's target it is read against, ``meets`` whether it is
    met (None without a target), ``place`` the street office a figure is about (the lowest one).
    """

    key: str
    zh: str
    en: str
    value: float | None
    unit: str = ""
    of: float | None = None
    target: float | None = None
    comparator: str | None = None
    meets: bool | None = None
    place: str | None = None

    def as_dict(self) -> dict[str, object]:
        """Plain data: ``label`` ("zh / en") and the numbers."""
        return {"label": f"{self.zh} / {self.en}", "value": self.value, "unit": self.unit,
                "of": self.of, "target": self.target, "comparator": self.comparator,
                "meets": self.meets, "place": self.place}


@dataclass
class MapContent:
    """Everything one meeting map (one story) shows, as plain data."""

    layers: list[MapLayer]
    overlays: list[MapLayer]
    title: str
    lines: list[tuple[str, bool]]  # (text, is_warning): data date, notices
    lang: str
    basemap: Basemap
    bounds: tuple[float, float, float, float] | None  # minx, miny, maxx, maxy (lon/lat)
    data_date: str | None
    illustrative_share: float
    messages: list[str] = field(default_factory=list)
    scorecard: object | None = None
    story: str = "inventory"
    caption: list[tuple[str, str]] = field(default_factory=list)  # (first, second language)
    subtitle: str = ""
    sources: list[str] = field(default_factory=list)  # where the caption's targets come from
    figures: list[Figure] = field(default_factory=list)  # the caption's figures as numbers
    indicator: str | None = None  # the scorecard story's indicator

    def caption_text(self) -> list[str]:
        """The caption lines with both languages (``first / second``)."""
        return [f"{a} / {b}" if b and b != a else a for a, b in self.caption]

    def drawn(self) -> list[MapLayer]:
        """Every layer and overlay, in drawing order (bottom first)."""
        return sorted([*self.layers, *self.overlays], key=lambda lyr: lyr.style.draw_order)


@dataclass(frozen=True)
class MapResult:
    """What :func:`~zlt_assets.maps.make_meeting_map` wrote."""

    html_path: Path
    html_bytes: int
    png_path: Path | None
    messages: tuple[str, ...]
    layer_counts: Mapping[str, int]
    overlays: tuple[str, ...]
    story: str = "inventory"
    pdf_path: Path | None = None
    caption: tuple[str, ...] = ()
    title: str = ""
    figures: tuple[Figure, ...] = ()
    overlay_counts: Mapping[str, int] = field(default_factory=dict)
    visible: tuple[str, ...] = ()  # the layers switched on when the map opens, drawing order
    data_date: str | None = None
    indicator: str | None = None
    paper: str | None = None  # of the print versions, when written
    dpi: int | None = None

    def summary(self) -> dict[str, object]:
        """What was written, as plain data (``zlt-assets map --json``).

        Keys: ``story``, ``title``, ``indicator`` (scorecard story), ``html`` / ``png`` /
        ``pdf`` (paths, None when not written), ``html_bytes``, ``paper``, ``dpi``,
        ``data_date``, ``features`` (in the page), ``layers`` and ``overlays`` (features per
        layer), ``visible`` (switched on when it opens), ``caption`` (the lines, both
        languages), ``figures`` (the caption's figures by key: ``label``, ``value``, ``unit``,
        ``of``, ``target``, ``comparator``, ``meets``, ``place``) and ``messages``.
        """
        return {
            "story": self.story, "title": self.title, "indicator": self.indicator,
            "html": str(self.html_path), "html_bytes": self.html_bytes,
            "png": None if self.png_path is None else str(self.png_path),
            "pdf": None if self.pdf_path is None else str(self.pdf_path),
            "paper": self.paper, "dpi": self.dpi, "data_date": self.data_date,
            "features": sum(self.layer_counts.values()) + sum(self.overlay_counts.values()),
            "layers": dict(self.layer_counts), "overlays": dict(self.overlay_counts),
            "visible": list(self.visible), "caption": list(self.caption),
            "figures": {f.key: f.as_dict() for f in self.figures},
            "messages": list(self.messages),
        }


# ------------------------------------------------------------------------------ values
def is_missing(v: object) -> bool:
    """``None``, NaN, NaT and pandas' NA are missing."""
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def clean_text(text: str) -> str:
    """Text safe to show: bidirectional and other control characters become U+FFFD."""
    from ..text import CONTROL

    return CONTROL.sub(REPLACEMENT, text)


def json_value(v: object) -> object:
    """A JSON-friendly scalar (``None`` for missing values; text neutralised)."""
    if is_missing(v):
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return None if not math.isfinite(f) else (int(f) if f.is_integer() else round(f, 3))
    if isinstance(v, (_dt.date, pd.Timestamp)):
        return v.isoformat()[:10]
    return clean_text(str(v))


# ------------------------------------------------------------------------------ geometry
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


def geometry_kind(geom_types: pd.Series | str) -> str:
    """``point``, ``line`` or ``polygon`` for a schema geometry name or a GeoSeries' types."""
    types = {geom_types} if isinstance(geom_types, str) else set(geom_types.dropna())
    if types and all("Point" in t for t in types):
        return "point"
    if types and all("Line" in t for t in types):
        return "line"
    return "polygon"
