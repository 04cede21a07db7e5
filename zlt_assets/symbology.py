"""How every layer is drawn, declared once: QGIS styles, the web meeting map and print read it.

A :class:`LayerStyle` gives a layer's classifying field and its classes (codes and labels from
the schema's domains, a colour each), the colour of any other value, the symbol (``kind``:
``fill``, ``outline`` = an unfilled polygon, ``line`` or ``point`` with a ``shape``), stroke,
widths and sizes in millimetres (QGIS's unit; the web converts at 96 dpi), the label field and
the scale from which labels show, and the drawing order. :mod:`zlt_assets.styles` renders it as
QGIS QML (the ``layer_styles`` table), :mod:`zlt_assets.maps.legend` as the web map's style and
legend, :mod:`zlt_assets.maps.static_png` as print: the same colours everywhere.

Themes: ``"default"`` classifies a layer by its category (road class, toilet type ...);
``"status"`` by its works, facility or remedy status (the works and drainage stories of the
meeting map). Analysis results drawn over the inventory have styles here too
(:func:`overlay_style`).

Palettes: every layer's classes are told apart under normal vision and under protanopia,
deuteranopia and tritanopia (ΔE ≥ 12 with Machado et al. 2009 simulation; tests/_colour.py), and
no colour is used by two layers of one theme. Sources: Paul Tol's qualitative schemes (bright,
vibrant, muted, light, high- and medium-contrast; SRON/EPS/TN-09-002) and Okabe & Ito (2008),
both designed for colour-blind readers; the choropleth is ColorBrewer's single-hue Blues.
Point layers also differ by shape, so colour is never the only cue.

Stdlib only (the core imports no face).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from . import schema

__all__ = [
    "CHOROPLETH_COLORS",
    "KINDS",
    "NO_VALUE_COLOR",
    "SHAPES",
    "THEMES",
    "LayerStyle",
    "StyleClass",
    "all_styles",
    "draw_order",
    "layer_style",
    "overlay_style",
    "px",
    "scale_to_zoom",
]

#: Symbol kinds: a filled polygon, an unfilled polygon (outline only), a line, a point.
KINDS = ("fill", "outline", "line", "point")
#: Point shapes (QGIS SimpleMarker names; the web map draws the same on its canvas).
SHAPES = ("circle", "square", "triangle", "diamond", "star")
THEMES = ("default", "status")
#: Sequential classes of a choropleth (ColorBrewer Blues, light to dark; single hue, so
#: colour-blind safe) and the colour of a street office without a value.
CHOROPLETH_COLORS: tuple[str, ...] = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_VALUE_COLOR = "#d9d9d9"
#: Millimetres to CSS pixels (96 dpi), the conversion the web map uses.
MM_TO_PX = 96 / 25.4


@dataclass(frozen=True)
class StyleClass:
    """One class of a classified layer: a domain code, its labels and how it is drawn."""

    code: str
    zh: str
    en: str
    color: str  # "#rrggbb"
    width: float | None = None  # mm; overrides the layer's width (e.g. road classes)


@dataclass(frozen=True)
class LayerStyle:
    """How one layer is drawn (every size in millimetres).

    Attributes
    ----------
    layer : str
        Schema layer name, or an analysis overlay key.
    kind : {"fill", "outline", "line", "point"}
    field : str or None
        The classifying field (``None``: one symbol for every feature).
    classes : tuple of StyleClass
        In domain order.
    other : str
        Colour of features whose value is missing or outside the classes (and of every feature
        of a single-symbol layer).
    other_zh, other_en : str
        Legend label of ``other`` in a classified layer.
    stroke : str or None
        Outline colour of fills and points (``None``: the feature's colour).
    width : float
        Line width, or the outline width of fills and points.
    size : float
        Point diameter.
    shape : str
        Point shape (:data:`SHAPES`).
    fill_opacity : float
    dash : tuple of float or None
        Dash pattern (mark, gap, ...) in millimetres.
    label_field : str or None
    label_min_scale : float or None
        Labels show at scales of 1 : ``label_min_scale`` and larger (``None``: at every scale).
    draw_order : int
        Lower is drawn first (beneath).
    interactive : bool
        Whether a feature answers the pointer (tooltip, popup). Frame layers do not, unless a
        map makes them its subject.
    visible : bool
        On when a map opens.
    filter_field, filter_values
        Draw only the features whose ``filter_field`` is one of ``filter_values``.
    theme : str
    zh, en : str
        What the classes show (legend heading), e.g. 道路等级 / Road class.
    """

    layer: str
    kind: str
    field: str | None
    classes: tuple[StyleClass, ...]
    other: str
    draw_order: int
    other_zh: str = "其他或未填写"
    other_en: str = "Other or not set"
    stroke: str | None = None
    width: float = 0.26
    size: float = 2.4
    shape: str = "circle"
    fill_opacity: float = 0.6
    dash: tuple[float, ...] | None = None
    label_field: str | None = None
    label_min_scale: float | None = None
    interactive: bool = True
    visible: bool = True
    filter_field: str | None = None
    filter_values: tuple[str, ...] = ()
    theme: str = "default"
    zh: str = ""
    en: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.layer}: unknown symbol kind {self.kind!r}")
        if self.shape not in SHAPES:
            raise ValueError(f"{self.layer}: unknown point shape {self.shape!r}")

    @property
    def codes(self) -> tuple[str, ...]:
        """The class codes, in order."""
        return tuple(c.code for c in self.classes)

    def color_of(self, value: object) -> str:
        """The colour a feature with this value of :attr:`field` is drawn in."""
        for c in self.classes:
            if value == c.code:
                return c.color
        return self.other

    def width_of(self, value: object) -> float:
        """The line width (mm) of a feature with this value of :attr:`field`."""
        for c in self.classes:
            if value == c.code and c.width is not None:
                return c.width
        return self.width

    def colors(self) -> tuple[str, ...]:
        """Every colour the layer uses (classes, then ``other``)."""
        return (*(c.color for c in self.classes), self.other)

    def shows(self, record: dict[str, object]) -> bool:
        """Whether a feature is drawn at all (the style's filter)."""
        return self.filter_field is None or record.get(self.filter_field) in self.filter_values


def px(mm: float) -> float:
    """Millimetres as CSS pixels (96 dpi), rounded to 0.1 px."""
    return round(mm * MM_TO_PX, 1)


def scale_to_zoom(scale: float, latitude: float = 48.0) -> float:
    """The Web-Mercator zoom level at which the map scale is 1 : ``scale`` (96 dpi screen).

    At zoom z a pixel covers 156543.03 · cos(lat) / 2^z metres; one pixel is 0.2646 mm.
    """
    import math

    metres_per_px = scale * 0.0254 / 96
    return math.log2(156543.03392 * math.cos(math.radians(latitude)) / metres_per_px)


# --------------------------------------------------------------------------- declarations
def _classes(domain: schema.Domain, colors: dict[str, str],
             widths: dict[str, float] | None = None) -> tuple[StyleClass, ...]:
    missing = set(domain.codes) ^ set(colors)
    if missing:
        raise ValueError(f"{domain.name}: colours do not match the domain codes ({missing})")
    return tuple(StyleClass(c.code, c.zh, c.en, colors[c.code], (widths or {}).get(c.code))
                 for c in domain.values)


#: Works status (buildings, bridges, roads in the works story): shared by the three layers so
#: that one status reads the same everywhere. Tol bright grey, vibrant orange, light cyan, blue.
WORKS_COLORS = {"planned": "#BBBBBB", "under_construction": "#EE7733", "completed": "#66CCEE",
                "accepted": "#0077BB"}
#: Facility status (bus stops; toilets in the status theme): Tol muted sand and green, vibrant
#: orange, grey.
SERVICE_COLORS = {"planned": "#DDCC77", "under_construction": "#EE7733", "in_service": "#117733",
                  "closed": "#BBBBBB"}
#: Remedy status of waterlogging points: Tol vibrant red, orange, teal.
REMEDY_COLORS = {"not_started": "#CC3311", "in_progress": "#EE7733", "fixed": "#009988"}

_DEFAULT: dict[str, LayerStyle] = {}
_STATUS: dict[str, LayerStyle] = {}
_OVERLAYS: dict[str, LayerStyle] = {}


def _declare(style: LayerStyle, status: LayerStyle | None = None) -> None:
    if style.field is not None and not style.zh:
        f = schema.layer(style.layer).field(style.field)
        style = replace(style, zh=f.zh, en=f.en)
    _DEFAULT[style.layer] = style
    if status is not None:
        f = schema.layer(status.layer).field(status.field or "status")
        _STATUS[status.layer] = replace(status, theme="status", zh=status.zh or f.zh,
                                        en=status.en or f.en)


def _status(base: LayerStyle, domain: schema.Domain, colors: dict[str, str], **kw: object
            ) -> LayerStyle:
    fld = str(kw.pop("field", "status"))
    return replace(base, field=fld, classes=_classes(domain, colors), other="#DDDDDD",
                   **kw)  # type: ignore[arg-type]


# frame layers (context): drawn first, not interactive -------------------------------------
_declare(LayerStyle(
    "parks", "fill", None, (), other="#CCDDAA", stroke="#225522", width=0.2, fill_opacity=0.7,
    draw_order=10, interactive=False, label_field="name", label_min_scale=10_000))
_declare(LayerStyle(
    "city_boundary", "outline", None, (), other="#000000", width=0.6, dash=(4.0, 1.5, 0.8, 1.5),
    draw_order=20, interactive=False, visible=False))
_declare(LayerStyle(
    "urban_area", "outline", None, (), other="#222255", width=0.5, dash=(2.5, 1.2),
    draw_order=30, interactive=False))
_declare(LayerStyle(
    "street_offices", "outline", None, (), other="#777777", width=0.35, dash=(1.5, 1.0),
    draw_order=40, interactive=False, label_field="name", label_min_scale=60_000))
_declare(LayerStyle(
    "river", "line", None, (), other="#4477AA", width=1.2, draw_order=50, interactive=False,
    label_field="name", label_min_scale=25_000))
_declare(LayerStyle(
    "railway", "line", None, (), other="#444444", width=0.6, dash=(3.0, 1.5), draw_order=60,
    interactive=False))
_declare(LayerStyle(
    "railway_stations", "point", None, (), other="#222222", stroke="#FFFFFF", size=2.4,
    shape="square", fill_opacity=1.0, draw_order=70, interactive=False, label_field="name",
    label_min_scale=50_000))

# asset layers: above every frame, interactive ---------------------------------------------
_buildings = LayerStyle(
    "facade_lighting_buildings", "fill", "street_group",
    _classes(schema.STREET_GROUPS, {"zhongyang": "#EE8866", "zhanqian": "#77AADD",
                                    "yalu": "#EEDD88", "lvlin_zhenxing": "#44BB99",
                                    "limingshan": "#FFAABB"}),
    other="#DDDDDD", stroke="#444444", width=0.2, fill_opacity=0.85, draw_order=200,
    label_field="name", label_min_scale=4_000)
_declare(_buildings, _status(_buildings, schema.WORKS_STATUS, WORKS_COLORS))

_roads = LayerStyle(
    "roads", "line", "road_class",
    _classes(schema.ROAD_CLASSES, {"expressway": "#BB5566", "main": "#004488",
                                   "secondary": "#6699CC", "branch": "#997700"},
             {"expressway": 1.4, "main": 1.0, "secondary": 0.75, "branch": 0.5}),
    other="#999999", width=0.5, draw_order=210, label_field="name", label_min_scale=10_000)
_declare(_roads, _status(_roads, schema.WORKS_STATUS, WORKS_COLORS, width=0.8,
                         other_zh="无工程", other_en="No works"))

_bridges = LayerStyle(
    "bridges", "line", None, (), other="#882255", width=1.6, draw_order=220,
    label_field="name", label_min_scale=10_000)
_declare(_bridges, _status(_bridges, schema.WORKS_STATUS, WORKS_COLORS))

_drainage = LayerStyle(
    "drainage_points", "point", "drainage_type",
    _classes(schema.DRAINAGE_TYPES, {"waterlogging": "#332288", "rain_inlet": "#88CCEE",
                                     "inspection_well": "#999933", "outfall": "#CC6677",
                                     "pump_station": "#44AA99", "mixed_connection": "#AA4499"}),
    other="#DDDDDD", stroke="#222222", width=0.15, size=2.6, shape="triangle", fill_opacity=0.9,
    draw_order=230)
_declare(_drainage, _status(
    _drainage, schema.REMEDY_STATUS, REMEDY_COLORS, field="remedy_status", size=3.4,
    filter_field="drainage_type", filter_values=("waterlogging",),
    other_zh="未填写整治状态", other_en="Remedy status not set"))

# bus stops: by status in both themes (only stops in service count for coverage)
_stops = LayerStyle(
    "bus_stops", "point", "status", _classes(schema.SERVICE_STATUS, SERVICE_COLORS),
    other="#DDDDDD", stroke="#FFFFFF", width=0.2, size=2.2, shape="circle", fill_opacity=0.95,
    draw_order=240, label_field="name", label_min_scale=5_000)
_declare(_stops, _stops)

_toilets = LayerStyle(
    "public_toilets", "point", "toilet_type",
    _classes(schema.TOILET_TYPES, {"fixed": "#0072B2", "mobile": "#E69F00", "opened": "#CC79A7"}),
    other="#DDDDDD", stroke="#222222", width=0.2, size=2.8, shape="square", fill_opacity=0.95,
    draw_order=250, label_field="name", label_min_scale=5_000)
_declare(_toilets, _status(_toilets, schema.SERVICE_STATUS, SERVICE_COLORS))

# analysis results ----------------------------------------------------------------------------
for _ov in (
    LayerStyle("scorecard_choropleth", "fill", None, (), other=NO_VALUE_COLOR, stroke="#555555",
               width=0.3, fill_opacity=0.75, draw_order=100, label_field="label",
               zh="记分卡分区图", en="Scorecard choropleth"),
    LayerStyle("coverage_districts", "outline", None, (), other="#225555", width=0.5,
               draw_order=105, label_field="label", zh="街道覆盖率",
               en="Coverage by street office"),
    LayerStyle("toilet_districts", "outline", None, (), other="#555522", width=0.5,
               draw_order=106, label_field="label", zh="街道公厕密度",
               en="Toilet density by street office"),
    LayerStyle("coverage_uncovered", "fill", None, (), other="#EE99AA", stroke="#994455",
               width=0.3, fill_opacity=0.5, dash=(1.2, 0.8), draw_order=110,
               zh="公交站500米以外", en="Beyond 500 m of a bus stop"),
    LayerStyle("toilet_gaps", "fill", None, (), other="#EECC66", stroke="#997700", width=0.3,
               fill_opacity=0.5, dash=(0.8, 0.8), draw_order=120,
               zh="公厕服务范围以外", en="Beyond a toilet's service radius"),
    LayerStyle("toilet_spacing_gaps", "line", None, (), other="#994455", width=0.7,
               fill_opacity=0.0, draw_order=215, zh="公厕间距超标的街道",
               en="Streets with toilet-spacing gaps"),
    LayerStyle("proposed_sites", "point", None, (), other="#EE3377", stroke="#000000", width=0.3,
               size=4.2, shape="star", fill_opacity=1.0, draw_order=260,
               zh="建议新增公厕", en="Proposed toilet sites"),
):
    _OVERLAYS[_ov.layer] = _ov


# --------------------------------------------------------------------------------- access
def layer_style(name: str, theme: str = "default") -> LayerStyle:
    """The style of a schema layer in a theme.

    ``"status"`` falls back to the default style for layers without a status.

    Raises
    ------
    KeyError
        For an unknown layer or theme.
    """
    if theme not in THEMES:
        raise KeyError(f"unknown theme {theme!r}; themes: {', '.join(THEMES)}")
    schema.layer(name)  # KeyError naming the layers
    if theme == "status" and name in _STATUS:
        return _STATUS[name]
    return _DEFAULT[name]


def overlay_style(key: str) -> LayerStyle:
    """The style of an analysis result drawn on a map (``coverage_uncovered``, ...)."""
    try:
        return _OVERLAYS[key]
    except KeyError:
        raise KeyError(f"unknown overlay {key!r}; overlays: {', '.join(_OVERLAYS)}") from None


def all_styles(theme: str = "default") -> dict[str, LayerStyle]:
    """Every schema layer's style in a theme, in schema order."""
    return {n: layer_style(n, theme) for n in schema.LAYERS}


def overlay_styles() -> dict[str, LayerStyle]:
    """Every analysis overlay's style."""
    return dict(_OVERLAYS)


def draw_order() -> list[str]:
    """Every layer and overlay key, bottom first (the order every face draws them in)."""
    styles = [*_DEFAULT.values(), *_OVERLAYS.values()]
    return [s.layer for s in sorted(styles, key=lambda s: s.draw_order)]


def _check() -> None:
    """Declaration checks run at import (a typo here is a bug, caught by every test run)."""
    missing = set(schema.LAYERS) - set(_DEFAULT)
    if missing:
        raise ValueError(f"layers without a style: {', '.join(sorted(missing))}")
    seen: dict[int, str] = {}
    for s in [*_DEFAULT.values(), *_OVERLAYS.values()]:
        other = seen.setdefault(s.draw_order, s.layer)
        if other != s.layer:
            raise ValueError(f"{s.layer} and {other} share draw order {s.draw_order}")
    for s in [*_DEFAULT.values(), *_STATUS.values()]:
        lyr = schema.layer(s.layer)
        for f in (s.field, s.label_field, s.filter_field):
            if f is not None:
                lyr.field(f)


_check()
