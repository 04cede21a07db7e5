"""QGIS layer styles and edit forms derived from the schema (no QGIS import).

Every layer of :mod:`zlt_assets.schema` gets a QGIS style (QML): the renderer and labels declared
in :mod:`zlt_assets.symbology` (categorised on the layer's category, or one symbol; Chinese-first
class labels; the same colours as the meeting map's legend), and an edit form: field aliases
(``FieldDef.label``), value maps from domains (Chinese labels), not-null and unique constraints,
the layer's declared rules as constraint expressions (:attr:`zlt_assets.schema.LayerDef.rules`
rendered by :func:`zlt_assets.rules.to_qgis`, hard or soft as declared, the Chinese-first message
as the description), default values, a read-only object id with a default expression that
numbers new objects, date widgets (``yyyy-MM-dd``) on the ISO text date fields, and the
GeoPackage's ``fid`` hidden from the form, read-only and the last column of the attribute table.

:func:`write_layer_styles` stores them in the GeoPackage's ``layer_styles`` table, the table QGIS
itself uses, as the default style of each layer: QGIS applies them when a layer is added, with or
without the zlt-assets plugin. The writing is deterministic (fixed ``update_time``, fixed ids) and
atomic (one SQLite transaction).

The form description is also available as plain data (:func:`form_fields`) so that a face which
cannot use ``layer_styles`` (e.g. PostGIS layers in the QGIS plugin) can apply it through its own
API.
"""
from __future__ import annotations

import os
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import rules as _rules
from . import schema, symbology
from .schema import Domain, FieldDef, LayerDef

__all__ = [
    "DATE_FORMAT",
    "FID_ALIAS",
    "FID_COLUMN",
    "STYLE_DESCRIPTION",
    "STYLE_NAME",
    "STYLE_UPDATE_TIME",
    "VALUE_MAP_NULL",
    "Category",
    "FormField",
    "categories",
    "form_fields",
    "layer_qml",
    "read_layer_styles",
    "renderer_field",
    "rule_constraints",
    "write_layer_styles",
]

#: ``styleName`` of the styles written by zlt-assets.
STYLE_NAME = "zlt-assets"
#: Fixed ``update_time`` so that the same inventory always gives the same bytes (the plan's date).
STYLE_UPDATE_TIME = "2019-05-31T00:00:00.000Z"
STYLE_DESCRIPTION = ("扎兰屯资产清单样式与表单 / Zhalantun inventory style and edit form "
                     "(zlt-assets)")
#: The key QGIS's ValueMap widget uses for NULL.
VALUE_MAP_NULL = "{2839923C-8B7D-419E-B84B-CA2FE9B80EC7}"
#: Qt date format of the ISO text date fields.
DATE_FORMAT = "yyyy-MM-dd"
DATETIME_FORMAT = "yyyy-MM-ddTHH:mm:ss"
#: QGIS version written into the QML (the minimum the plugin supports).
QML_VERSION = "3.22.0"

# constraint flags and strengths (QgsFieldConstraints)
_NOT_NULL, _UNIQUE, _EXPRESSION = 1, 2, 4
_HARD, _SOFT = 1, 2

#: The feature id column GDAL gives a GeoPackage table (and db.py a PostGIS table).
FID_COLUMN = "fid"
FID_ALIAS = "要素编号 / Feature id (fid)"

_NULL_LABEL = "(空) / (empty)"
# -------------------------------------------------------------------------------------------
# Plain-data description of the form
# -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FormField:
    """How one field appears in the QGIS attribute form.

    ``widget_type`` is a QGIS editor-widget id (``ValueMap``, ``DateTime``, ``CheckBox``,
    ``TextEdit``, ``Range``) and ``widget_config`` its configuration as plain data (the map of
    a ValueMap is a list of single-entry ``{label: code}`` dicts, the form QGIS stores).
    """

    name: str
    alias: str
    widget_type: str
    widget_config: dict[str, Any]
    not_null: bool = False
    unique: bool = False
    read_only: bool = False
    default_expression: str = ""
    default_on_update: bool = False
    constraint_expression: str = ""
    constraint_description: str = ""
    #: ``"hard"`` (the form refuses) or ``"soft"`` (the form warns); ``""`` without expression
    constraint_strength: str = ""
    #: the rules (keys) the constraint expression holds
    rule_keys: tuple[str, ...] = ()
    comment: str = ""
    #: not shown in the form (the ``fid``), still in the attribute table
    hidden: bool = False


@dataclass(frozen=True)
class Category:
    """One class of a categorised renderer."""

    value: str  # "" = every other value, NULL included
    label: str
    colour: str  # "r,g,b"


def _value_map(domain: Domain, nullable: bool) -> list[dict[str, str]]:
    entries = [{f"{c.zh} / {c.en}": c.code} for c in domain.values]
    if nullable:
        entries.append({_NULL_LABEL: VALUE_MAP_NULL})
    return entries


def _widget(f: FieldDef) -> tuple[str, dict[str, Any]]:
    if f.domain is not None:
        return "ValueMap", {"map": _value_map(f.domain, nullable=not f.required)}
    if f.type == "date":
        return "DateTime", {"allow_null": True, "calendar_popup": True,
                            "display_format": DATE_FORMAT, "field_format": DATE_FORMAT,
                            "field_iso_format": False}
    if f.type == "datetime":
        return "DateTime", {"allow_null": True, "calendar_popup": True,
                            "display_format": DATETIME_FORMAT, "field_format": DATETIME_FORMAT,
                            "field_iso_format": False}
    if f.type == "boolean":
        return "CheckBox", {"CheckedState": "", "UncheckedState": "", "TextDisplayMethod": 0}
    if f.type in ("integer", "real"):
        cfg: dict[str, Any] = {
            "AllowNull": not f.required, "Style": "SpinBox",
            "Precision": 0 if f.type == "integer" else 2,
            "Step": 1 if f.type == "integer" else 0.1,
            "Min": f.minimum if f.minimum is not None else (0 if f.type == "integer" else 0.0),
            "Max": f.maximum if f.maximum is not None else (2147483647 if f.type == "integer"
                                                           else 1e9),
        }
        if f.type == "integer":
            cfg["Min"], cfg["Max"] = int(cfg["Min"]), int(cfg["Max"])
        return "Range", cfg
    return "TextEdit", {"IsMultiline": False, "UseHtml": False}


def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _default_expression(f: FieldDef) -> str:
    if f.default is None:
        return ""
    if isinstance(f.default, bool):
        return "true" if f.default else "false"
    if isinstance(f.default, (int, float)):
        return repr(f.default)
    return _quote(str(f.default))


def _object_id_default(layer: LayerDef, f: FieldDef) -> tuple[str, bool]:
    """A QGIS expression numbering a new object: division + component code + next serial.

    The serial is one more than the largest serial in the layer. For layers whose component code
    depends on a field (``code_by_value``), the id is filled when that field is set and kept
    afterwards (``coalesce``), so it is evaluated on update too.
    """
    serial = (f"lpad(to_string(coalesce(maximum(to_int(right(\"{f.name}\", 6))), 0) + 1), 6, '0')"
              )
    if layer.code_field and layer.code_by_value:
        cases = " ".join(f"WHEN {_quote(v)} THEN {_quote(schema.DIVISION_CODE + code)}"
                         for v, code in sorted(layer.code_by_value.items()))
        prefix = f"CASE \"{layer.code_field}\" {cases} END"
        return f"coalesce(\"{f.name}\", {prefix} || {serial})", True
    if layer.component_code:
        return f"{_quote(schema.DIVISION_CODE + layer.component_code)} || {serial}", False
    return "", False


@dataclass(frozen=True)
class _Constraint:
    expression: str
    description: str
    strength: str
    keys: tuple[str, ...]


def rule_constraints(layer: LayerDef | str,
                     present: Iterable[str] | None = None) -> dict[str, _Constraint]:
    """The layer's rules as QGIS field constraints: field -> (expression, description, strength).

    QGIS holds one constraint expression per field, with one strength. Each rule goes to the
    first of its fields (:attr:`zlt_assets.rules.Rule.fields`) that has no constraint of the
    other strength yet, else to the layer's name field, else to the first such field of the
    layer; rules on the same field are joined with ``AND`` and their messages with ``;``. A
    rule that reads a field not in ``present`` is left out.

    Examples
    --------
    >>> c = rule_constraints("roads")["lamps_lit"]
    >>> c.strength, c.keys
    ('hard', ('lamps_lit_range', 'lamps_lit_le_installed'))
    >>> c.description.split(" / ")[0]
    '亮灯数不得小于 0;亮灯数不得多于已装路灯数'
    """
    decl = schema.layer(layer) if isinstance(layer, str) else layer
    names = list(decl.field_names) if present is None else [
        n for n in decl.field_names if n in set(present)]
    placed: dict[str, list[_rules.Rule]] = {}
    for r in decl.rules:
        if not set(r.fields) <= set(names):
            continue
        candidates = [*r.fields, decl.name_field or "", *names]
        for c in candidates:
            if c in names and all(o.strength == r.strength for o in placed.get(c, [])):
                placed.setdefault(c, []).append(r)
                break
    out: dict[str, _Constraint] = {}
    for fname, rs in placed.items():
        out[fname] = _Constraint(
            " AND ".join(_rules.to_qgis(r.expr) for r in rs),
            ";".join(r.zh for r in rs) + " / " + "; ".join(r.en for r in rs),
            rs[0].strength, tuple(r.key for r in rs))
    return out


def _fid_field() -> FormField:
    return FormField(name=FID_COLUMN, alias=FID_ALIAS, widget_type="Hidden", widget_config={},
                     read_only=True, hidden=True,
                     comment="GeoPackage feature id, kept by every zlt-assets write")


def form_fields(layer: LayerDef | str, present: Iterable[str] | None = None) -> list[FormField]:
    """The edit form of a layer, one :class:`FormField` per declared field.

    Parameters
    ----------
    layer
        A layer declaration or its name.
    present
        Column names actually in the table; fields not present are left out. When it holds
        the feature id column (``fid``), that comes last: hidden, read-only.

    Returns
    -------
    list of FormField
        In schema order (``fid`` last).

    Examples
    --------
    >>> ff = form_fields("roads", ["fid", "obj_id", "lamps_installed", "lamps_lit"])
    >>> [(f.name, f.read_only, f.hidden, f.constraint_strength)
    ...  for f in ff]  # doctest: +NORMALIZE_WHITESPACE
    [('obj_id', True, False, ''), ('lamps_installed', False, False, 'hard'),
     ('lamps_lit', False, False, 'hard'), ('fid', True, True, '')]
    """
    decl = schema.layer(layer) if isinstance(layer, str) else layer
    keep = None if present is None else list(present)
    constraints = rule_constraints(decl, keep)
    out: list[FormField] = []
    for f in decl.fields:
        if keep is not None and f.name not in keep:
            continue
        wtype, wcfg = _widget(f)
        default, on_update = _default_expression(f), False
        if f.name == "obj_id" and f.read_only and decl.kind == "asset":
            default, on_update = _object_id_default(decl, f)
        c = constraints.get(f.name)
        out.append(FormField(
            name=f.name, alias=f.label, widget_type=wtype, widget_config=wcfg,
            not_null=f.required, unique=f.unique, read_only=f.read_only,
            default_expression=default, default_on_update=on_update,
            constraint_expression=c.expression if c else "",
            constraint_description=c.description if c else "",
            constraint_strength=c.strength if c else "", rule_keys=c.keys if c else (),
            comment=f.description,
        ))
    if keep is not None and FID_COLUMN in keep and FID_COLUMN not in decl.field_names:
        out.append(_fid_field())
    return out


# -------------------------------------------------------------------------------------------
# Renderer (from the one style declaration, zlt_assets.symbology)
# -------------------------------------------------------------------------------------------
def renderer_field(layer: LayerDef | str, theme: str = "default") -> str | None:
    """The field a layer is classified by (:attr:`zlt_assets.symbology.LayerStyle.field`)."""
    decl = schema.layer(layer) if isinstance(layer, str) else layer
    return symbology.layer_style(decl.name, theme).field


def _rgb(color: str) -> str:
    c = color.lstrip("#")
    return ",".join(str(int(c[i:i + 2], 16)) for i in (0, 2, 4))


def categories(layer: LayerDef | str, theme: str = "default") -> list[Category]:
    """Categories of the layer's renderer (empty for single-symbol layers).

    In domain order, followed by a catch-all class for NULL and other values; colours from
    :mod:`zlt_assets.symbology`.
    """
    decl = schema.layer(layer) if isinstance(layer, str) else layer
    style = symbology.layer_style(decl.name, theme)
    if style.field is None:
        return []
    cats = [Category(c.code, f"{c.zh} / {c.en}", _rgb(c.color)) for c in style.classes]
    cats.append(Category("", f"{style.other_zh} / {style.other_en}", _rgb(style.other)))
    return cats


def _geometry_kind(geometry: str) -> str:
    g = geometry.lower()
    if "point" in g:
        return "marker"
    if "line" in g:
        return "line"
    return "fill"


# -------------------------------------------------------------------------------------------
# QML (XML) writing helpers
# -------------------------------------------------------------------------------------------
def _opt(parent: ET.Element, name: str | None, value: Any) -> ET.Element:
    """Append a QGIS ``<Option>`` (QgsXmlUtils variant) for ``value``."""
    el = ET.SubElement(parent, "Option")
    if isinstance(value, dict):
        el.set("type", "Map")
        if name is not None:
            el.set("name", name)
        for k, v in value.items():
            _opt(el, str(k), v)
        return el
    if isinstance(value, (list, tuple)):
        el.set("type", "List")
        if name is not None:
            el.set("name", name)
        for v in value:
            _opt(el, None, v)
        return el
    if isinstance(value, bool):
        typ, text = "bool", "true" if value else "false"
    elif isinstance(value, int):
        typ, text = "int", str(value)
    elif isinstance(value, float):
        typ, text = "double", repr(value)
    elif value is None:
        typ, text = "invalid", ""
    else:
        typ, text = "QString", str(value)
    el.set("type", typ)
    if name is not None:
        el.set("name", name)
    if typ != "invalid":
        el.set("value", text)
    return el


def _sym_layer(sym: ET.Element, cls: str, props: dict[str, Any]) -> None:
    lyr = ET.SubElement(sym, "layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    _opt(lyr, None, props)
    ddp = ET.SubElement(lyr, "data_defined_properties")
    _opt(ddp, None, {"name": "", "properties": None, "type": "collection"})


def _line_props(color: str, width: float, dash: tuple[float, ...] | None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "capstyle": "round" if dash is None else "flat", "joinstyle": "round",
        "line_color": f"{_rgb(color)},255", "line_style": "solid", "line_width": f"{width:g}",
        "line_width_unit": "MM", "offset": "0", "offset_unit": "MM",
        "use_custom_dash": "0" if dash is None else "1",
    }
    if dash is not None:
        props.update(customdash=";".join(f"{d:g}" for d in dash), customdash_unit="MM")
    return props


def _symbol(parent: ET.Element, name: str, geom: str, style: symbology.LayerStyle, color: str,
            width: float) -> ET.Element:
    """One QGIS symbol drawing ``style`` in ``color`` (``geom``: marker, line or fill)."""
    kind = {"marker": "marker", "line": "line", "fill": "fill"}[geom]
    sym = ET.SubElement(parent, "symbol", {
        "type": kind, "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"})
    ddp = ET.SubElement(sym, "data_defined_properties")
    _opt(ddp, None, {"name": "", "properties": None, "type": "collection"})
    alpha = round(255 * style.fill_opacity)
    stroke = style.stroke or color
    if kind == "marker":
        _sym_layer(sym, "SimpleMarker", {
            "angle": "0", "color": f"{_rgb(color)},{alpha}", "joinstyle": "bevel",
            "name": style.shape, "offset": "0,0", "offset_unit": "MM",
            "outline_color": f"{_rgb(stroke)},255", "outline_style": "solid",
            "outline_width": f"{width:g}", "outline_width_unit": "MM",
            "scale_method": "diameter", "size": f"{style.size:g}", "size_unit": "MM",
            "vertical_anchor_point": "1", "horizontal_anchor_point": "1"})
    elif kind == "line" or style.kind == "outline":
        # an unfilled polygon is drawn as its boundary: a (dashed) line symbol layer
        _sym_layer(sym, "SimpleLine", _line_props(color, width, style.dash))
    else:
        _sym_layer(sym, "SimpleFill", {
            "color": f"{_rgb(color)},{alpha}", "joinstyle": "bevel", "offset": "0,0",
            "offset_unit": "MM", "outline_color": f"{_rgb(stroke)},255",
            "outline_style": "solid" if style.dash is None else "dash",
            "outline_width": f"{width:g}", "outline_width_unit": "MM", "style": "solid"})
    return sym


def _renderer(root: ET.Element, decl: LayerDef, geometry: str, theme: str = "default") -> None:
    geom = _geometry_kind(geometry)
    style = symbology.layer_style(decl.name, theme)
    common = {"symbollevels": "0", "enableorderby": "0", "forceraster": "0",
              "referencescale": "-1"}
    if style.field is not None:
        rnd = ET.SubElement(root, "renderer-v2", {
            "type": "categorizedSymbol", "attr": style.field, **common})
        cel = ET.SubElement(rnd, "categories")
        cats = categories(decl, theme)
        for i, c in enumerate(cats):
            ET.SubElement(cel, "category", {"value": c.value, "label": c.label, "symbol": str(i),
                                            "render": "true"})
        syms = ET.SubElement(rnd, "symbols")
        for i, k in enumerate(style.classes):
            _symbol(syms, str(i), geom, style, k.color, style.width_of(k.code))
        _symbol(syms, str(len(style.classes)), geom, style, style.other, style.width)
        src = ET.SubElement(rnd, "source-symbol")
        _symbol(src, "0", geom, style, style.other, style.width)
    else:
        rnd = ET.SubElement(root, "renderer-v2", {"type": "singleSymbol", **common})
        syms = ET.SubElement(rnd, "symbols")
        _symbol(syms, "0", geom, style, style.other, style.width)
    ET.SubElement(rnd, "rotation")
    ET.SubElement(rnd, "sizescale")


#: Label placement per geometry (Qgis.LabelPlacement): around a point, along a line, over the
#: polygon's centroid.
_LABEL_PLACEMENT = {"marker": "0", "line": "2", "fill": "1"}


def _labeling(root: ET.Element, decl: LayerDef, geometry: str, present: Iterable[str] | None,
              theme: str = "default") -> bool:
    """Simple labeling on the declared label field, shown from the declared scale on."""
    style = symbology.layer_style(decl.name, theme)
    fname = style.label_field
    if fname is None or (present is not None and fname not in set(present)):
        return False
    lab = ET.SubElement(root, "labeling", {"type": "simple"})
    settings = ET.SubElement(lab, "settings", {"calloutType": "simple"})
    ts = ET.SubElement(settings, "text-style", {
        "fieldName": fname, "isExpression": "0", "fontSize": "8", "fontSizeUnit": "Point",
        "textColor": "34,34,34,255", "textOpacity": "1", "fontWeight": "50",
        "multilineHeight": "1", "allowHtml": "0"})
    ET.SubElement(ts, "text-buffer", {
        "bufferDraw": "1", "bufferSize": "0.7", "bufferSizeUnits": "MM",
        "bufferColor": "255,255,255,255", "bufferOpacity": "0.9", "bufferNoFill": "1",
        "bufferJoinStyle": "128"})
    ET.SubElement(settings, "text-format", {"wrapChar": "", "multilineAlign": "3"})
    ET.SubElement(settings, "placement", {
        "placement": _LABEL_PLACEMENT[_geometry_kind(geometry)], "dist": "1",
        "distUnits": "MM", "overlapHandling": "PreventOverlap", "priority": "5"})
    scale = style.label_min_scale
    # QGIS writes the zoomed-out limit (QgsPalLayerSettings.minimumScale) as "scaleMax"
    ET.SubElement(settings, "rendering", {
        "scaleVisibility": "1" if scale else "0", "scaleMax": f"{scale or 0:g}", "scaleMin": "0",
        "drawLabels": "1", "obstacle": "1", "upsidedownLabels": "0", "labelPerPart": "0",
        "mergeLines": "1" if _geometry_kind(geometry) == "line" else "0"})
    return True


def layer_qml(layer: LayerDef | str, *, geometry: str | None = None,
              present: Iterable[str] | None = None, theme: str = "default") -> str:
    """The QGIS style (QML document) of a layer.

    Renderer and labels (:mod:`zlt_assets.symbology`), aliases, widgets, constraints (the
    layer's rules), defaults, read-only fields and the attribute-table column order (the feature
    id last).

    Parameters
    ----------
    layer
        A layer declaration or its name.
    geometry
        Geometry type of the stored layer (default: the declared one).
    present
        Column names in the stored table; fields not present are left out of the form.
    theme
        Symbology theme (:data:`zlt_assets.symbology.THEMES`): ``"default"`` colours by
        category, ``"status"`` by works, facility or remedy status.
    """
    decl = schema.layer(layer) if isinstance(layer, str) else layer
    geometry = geometry or decl.geometry
    keep = None if present is None else list(present)
    ff = form_fields(decl, keep)
    root = ET.Element("qgis", {"version": QML_VERSION, "styleCategories": "AllStyleCategories",
                               "hasScaleBasedVisibilityFlag": "0", "maxScale": "0",
                               "minScale": "100000000", "readOnly": "0", "labelsEnabled": "0"})
    flags = ET.SubElement(root, "flags")
    for k, v in (("Identifiable", "1"), ("Removable", "1"), ("Searchable", "1"),
                 ("Private", "0")):
        ET.SubElement(flags, k).text = v
    _renderer(root, decl, geometry, theme)
    if _labeling(root, decl, geometry, keep, theme):
        root.set("labelsEnabled", "1")
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"

    fc = ET.SubElement(root, "fieldConfiguration")
    for f in ff:
        fel = ET.SubElement(fc, "field", {"name": f.name, "configurationFlags": "None"})
        ew = ET.SubElement(fel, "editWidget", {"type": f.widget_type})
        cfg = ET.SubElement(ew, "config")
        _opt(cfg, None, f.widget_config)
    aliases = ET.SubElement(root, "aliases")
    for f in ff:
        idx = keep.index(f.name) if keep is not None else decl.field_names.index(f.name)
        ET.SubElement(aliases, "alias", {"field": f.name, "index": str(idx), "name": f.alias})
    if keep is not None:
        _attribute_table(root, keep)
    defaults = ET.SubElement(root, "defaults")
    for f in ff:
        ET.SubElement(defaults, "default", {
            "field": f.name, "expression": f.default_expression,
            "applyOnUpdate": "1" if f.default_on_update else "0"})
    cons = ET.SubElement(root, "constraints")
    for f in ff:
        flags_ = ((_NOT_NULL if f.not_null else 0) | (_UNIQUE if f.unique else 0)
                  | (_EXPRESSION if f.constraint_expression else 0))
        exp_strength = {"hard": _HARD, "soft": _SOFT}.get(f.constraint_strength, 0)
        ET.SubElement(cons, "constraint", {
            "field": f.name, "constraints": str(flags_),
            "notnull_strength": str(_HARD if f.not_null else 0),
            "unique_strength": str(_HARD if f.unique else 0),
            "exp_strength": str(exp_strength if f.constraint_expression else 0)})
    cexp = ET.SubElement(root, "constraintExpressions")
    for f in ff:
        ET.SubElement(cexp, "constraint", {"field": f.name, "exp": f.constraint_expression,
                                           "desc": f.constraint_description})
    ET.SubElement(root, "editform", {"tolerant": "1"})
    ET.SubElement(root, "editorlayout").text = "generatedlayout"
    editable = ET.SubElement(root, "editable")
    for f in ff:
        ET.SubElement(editable, "field", {"name": f.name, "editable": "0" if f.read_only else "1"})
    name_field = decl.name_field if decl.name_field in (keep or decl.field_names) else None
    if name_field:
        ET.SubElement(root, "previewExpression").text = f"\"{name_field}\""
    ET.SubElement(root, "layerGeometryType").text = {"marker": "0", "line": "1", "fill": "2"}[
        _geometry_kind(geometry)]
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def _attribute_table(root: ET.Element, columns: list[str]) -> None:
    """Attribute-table columns in table order, the feature id last."""
    atc = ET.SubElement(root, "attributetableconfig", {
        "actionWidgetStyle": "dropDown", "sortExpression": "", "sortOrder": "0"})
    cols = ET.SubElement(atc, "columns")
    ordered = [c for c in columns if c != FID_COLUMN] + [c for c in columns if c == FID_COLUMN]
    for c in ordered:
        ET.SubElement(cols, "column", {"name": c, "hidden": "0", "type": "field", "width": "-1"})
    ET.SubElement(cols, "column", {"hidden": "1", "type": "actions", "width": "-1"})


# -------------------------------------------------------------------------------------------
# layer_styles table
# -------------------------------------------------------------------------------------------
_CREATE_TABLE = (
    'CREATE TABLE IF NOT EXISTS "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,'
    ' "f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256),'
    ' "f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT,'
    ' "useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30),'
    " \"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
_TRIGGERS = (
    'CREATE TRIGGER IF NOT EXISTS "trigger_insert_feature_count_layer_styles" AFTER INSERT ON '
    '"layer_styles" BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count + 1 '
    "WHERE lower(table_name) = lower('layer_styles'); END",
    'CREATE TRIGGER IF NOT EXISTS "trigger_delete_feature_count_layer_styles" AFTER DELETE ON '
    '"layer_styles" BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count - 1 '
    "WHERE lower(table_name) = lower('layer_styles'); END",
)


def _has_table(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                       (name,)).fetchone() is not None


def _styled_layers(con: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(table, geometry column, geometry type) of the schema layers in the file, schema order."""
    rows = con.execute(
        "SELECT c.table_name, g.column_name, g.geometry_type_name FROM gpkg_contents c "
        "JOIN gpkg_geometry_columns g ON g.table_name = c.table_name").fetchall()
    found = {r[0]: (r[0], r[1], r[2]) for r in rows}
    return [found[n] for n in schema.LAYERS if n in found]


def write_layer_styles(gpkg_path: str | os.PathLike[str]) -> None:
    """Write the style and edit form of every schema layer into ``layer_styles``.

    Each becomes the layer's default style in the GeoPackage's ``layer_styles`` table.

    Layers not declared in the schema are left alone; earlier zlt-assets styles of the declared
    layers are replaced and other styles of those layers stop being the default. The table is
    created (and registered in ``gpkg_contents``) the way QGIS and GDAL create it. The result
    depends only on the layers in the file: ``update_time`` is fixed and ids are assigned in
    schema order. Everything happens in one transaction.

    Parameters
    ----------
    gpkg_path
        An existing GeoPackage.

    Raises
    ------
    zlt_assets.errors.BadInput
        When the file is missing or is not a GeoPackage.
    """
    from .errors import BadInput

    path = Path(gpkg_path)
    if not path.is_file():
        raise BadInput(f"GeoPackage not found: {path}")
    with open(path, "rb") as fh:
        if not fh.read(16).startswith(b"SQLite format 3"):
            raise BadInput(f"not a GeoPackage (SQLite) file: {path}")
    con = sqlite3.connect(str(path), isolation_level=None)
    try:
        if not (_has_table(con, "gpkg_contents") and _has_table(con, "gpkg_geometry_columns")):
            raise BadInput(f"not a GeoPackage (no gpkg_contents table): {path}")
        con.execute("BEGIN IMMEDIATE")
        try:
            _write_styles(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()


def _write_styles(con: sqlite3.Connection) -> None:
    layers = _styled_layers(con)
    con.execute(_CREATE_TABLE)
    ogr_contents = _has_table(con, "gpkg_ogr_contents")
    if ogr_contents:
        for trig in _TRIGGERS:
            con.execute(trig)
    con.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
        "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', '', ?)",
        (STYLE_UPDATE_TIME,))
    names = [t for t, _, _ in layers]
    if names:
        marks = ",".join("?" * len(names))
        con.execute(f"DELETE FROM layer_styles WHERE styleName = ? AND f_table_name IN ({marks})",
                    (STYLE_NAME, *names))
        con.execute(f"UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name IN ({marks})",
                    names)
    (max_id,) = con.execute("SELECT coalesce(max(id), 0) FROM layer_styles").fetchone()
    for i, (table, geom_col, geom_type) in enumerate(layers, start=1):
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
        decl = schema.layer(table)
        qml = layer_qml(decl, geometry=geom_type, present=[c for c in cols if c != geom_col])
        con.execute(
            "INSERT INTO layer_styles (id, f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, "
            "ui, update_time) VALUES (?, '', '', ?, ?, ?, ?, '', 1, ?, '', '', ?)",
            (max_id + i, table, geom_col, STYLE_NAME, qml, STYLE_DESCRIPTION, STYLE_UPDATE_TIME))
    if ogr_contents:
        con.execute("INSERT OR IGNORE INTO gpkg_ogr_contents (table_name, feature_count) "
                    "VALUES ('layer_styles', 0)")
        con.execute("UPDATE gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM "
                    "layer_styles) WHERE lower(table_name) = 'layer_styles'")


def read_layer_styles(gpkg_path: str | os.PathLike[str]) -> dict[str, str]:
    """The default style (QML) of each layer in a GeoPackage's ``layer_styles`` table."""
    con = sqlite3.connect(f"file:{Path(gpkg_path)}?mode=ro", uri=True)
    try:
        if not _has_table(con, "layer_styles"):
            return {}
        rows = con.execute("SELECT f_table_name, styleQML FROM layer_styles "
                           "ORDER BY useAsDefault DESC, id DESC").fetchall()
    finally:
        con.close()
    out: dict[str, str] = {}
    for table, qml in rows:
        out.setdefault(table, qml)
    return out
