"""The one style declaration (zlt_assets.symbology): QGIS and the web map draw the same colours.

The palettes are checked with a colour-vision simulation (tests/_colour.py: Machado et al. 2009,
CIELAB ΔE); the QML is loaded into real QGIS (Debian's python3 with PyQGIS, its own process: the
project's wheels never share QGIS's process) and what QGIS reports is compared with the legend of
the meeting map built from the same declaration.
"""
from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

import pytest
from _colour import delta_e, min_delta_e
from conftest import REPO, require_component

from zlt_assets import schema, styles, symbology

QGIS_PYTHON = "/usr/bin/python3"
#: Classes of one layer must differ by at least this CIE76 ΔE under normal vision and each of
#: protanopia, deuteranopia and tritanopia (about 2.3 is a just noticeable difference; 12 is
#: clearly distinct on a map symbol).
MIN_DE_WITHIN = 12.0
#: Colours of two layers of the same geometry kind shown together differ at least this much.
MIN_DE_ACROSS = 12.0


def _all() -> list[symbology.LayerStyle]:
    out = [symbology.layer_style(n, t) for n in schema.LAYERS for t in symbology.THEMES]
    return out + list(symbology.overlay_styles().values())


def test_every_layer_has_a_style_whose_classes_are_its_domain():
    for name, lyr in schema.LAYERS.items():
        for theme in symbology.THEMES:
            st = symbology.layer_style(name, theme)
            assert st.layer == name
            if st.field is not None:
                dom = lyr.field(st.field).domain
                assert dom is not None
                assert st.codes == dom.codes, (name, theme)
                assert [(c.zh, c.en) for c in st.classes] == [(c.zh, c.en) for c in dom.values]
                assert st.zh and st.en  # the legend heading
            if st.label_field:
                lyr.field(st.label_field)
    with pytest.raises(KeyError):
        symbology.layer_style("no_such_layer")
    with pytest.raises(KeyError):
        symbology.layer_style("roads", "pastel")


@pytest.mark.parametrize("style", _all(), ids=lambda s: f"{s.layer}-{s.theme}")
def test_classes_of_a_layer_are_told_apart_with_colour_blindness(style):
    colors = [c.color for c in style.classes]
    if len(colors) < 2:
        return
    de, a, b, vision = min_delta_e(colors)
    assert de >= MIN_DE_WITHIN, f"{style.layer}: {a} vs {b} under {vision}: ΔE {de:.1f}"


def test_no_colour_is_used_by_two_layers_of_the_inventory_map():
    """Default theme and overlays: each colour belongs to one layer (0.1 used one red for five)."""
    owner: dict[str, str] = {}
    for st in [*symbology.all_styles().values(), *symbology.overlay_styles().values()]:
        own = [c.color for c in st.classes] or [st.other]
        for color in own:
            other = owner.setdefault(color.upper(), st.layer)
            assert other == st.layer, f"{color} is used by {other} and {st.layer}"


def test_layers_of_one_kind_differ_across_layers():
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for st in symbology.all_styles().values():
        kind = "line" if st.kind == "outline" else st.kind
        for color in [c.color for c in st.classes] or [st.other]:
            by_kind.setdefault(kind, []).append((st.layer, color))
    for kind, items in by_kind.items():
        for (la, ca), (lb, cb) in itertools.combinations(items, 2):
            if la != lb:
                assert delta_e(ca, cb) >= MIN_DE_ACROSS, (kind, la, ca, lb, cb)
    # and point layers differ by shape too: colour is never the only cue
    shapes = {st.layer: st.shape for st in symbology.all_styles().values() if st.kind == "point"}
    assert len({shapes[n] for n in ("public_toilets", "bus_stops", "drainage_points")}) == 3


def test_drawing_order_puts_frames_beneath_assets_and_is_unique():
    order = symbology.draw_order()
    assert len(order) == len(set(order))
    pos = {k: i for i, k in enumerate(order)}
    assert max(pos[n] for n in schema.FRAME_LAYERS) < min(pos[n] for n in schema.ASSET_LAYERS)
    assert pos["facade_lighting_buildings"] < pos["roads"] < pos["bridges"]  # polygons first
    assert all(pos[n] > pos["roads"] for n in ("bus_stops", "public_toilets", "drainage_points"))
    assert not any(symbology.layer_style(n).interactive for n in schema.FRAME_LAYERS)


def test_scale_to_zoom():
    # at 48°N a zoom-16 pixel covers 1.60 m: 1:6,040 on a 96 dpi screen
    assert symbology.scale_to_zoom(6040) == pytest.approx(16.0, abs=0.01)
    assert symbology.scale_to_zoom(12080) == pytest.approx(15.0, abs=0.01)


def _qml_categories(layer: str, theme: str = "default") -> list[tuple[str, str]]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(styles.layer_qml(layer, theme=theme).split("\n", 1)[1])
    rnd = root.find("renderer-v2")
    out = []
    syms = {s.get("name"): s for s in rnd.find("symbols").findall("symbol")}
    for cat in rnd.iter("category"):
        sym = syms[cat.get("symbol")]
        opts = {o.get("name"): o.get("value") for o in sym.find("layer").iter("Option")}
        rgb = (opts.get("color") or opts.get("line_color")).split(",")[:3]
        out.append((cat.get("value"), "#" + "".join(f"{int(v):02X}" for v in rgb)))
    return out


def test_qml_colours_are_the_web_legend_colours(tmp_path):
    """The same colour per class in the QML and in the meeting map's legend blocks."""
    from zlt_assets.maps import legend as lg

    for name in schema.LAYERS:
        for theme in symbology.THEMES:
            st = symbology.layer_style(name, theme)
            block = lg.legend_block(name, name, st, dict.fromkeys(st.codes, 1) | {"": 1})
            web = {e["code"]: e["color"].upper() for e in block["entries"]}
            if st.field is None:
                assert _qml_categories(name, theme) == []
                continue
            assert dict(_qml_categories(name, theme)) == web, (name, theme)


def _qgis_available() -> bool:
    if not Path(QGIS_PYTHON).exists():
        return False
    probe = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.qgis
def test_real_qgis_reads_the_declared_symbols_and_labels(tmp_path):
    require_component("QGIS (PyQGIS in /usr/bin/python3)", _qgis_available(),
                      "apt-get install -t bookworm-backports qgis python3-qgis")
    spec = {}
    for name, lyr in schema.LAYERS.items():
        spec[name] = {"geometry": lyr.geometry, "qml": styles.layer_qml(name),
                      "fields": list(lyr.field_names)}
    spec["roads_status"] = {"geometry": "LineString", "fields": list(schema.ROADS.field_names),
                            "qml": styles.layer_qml("roads", theme="status")}
    proc = subprocess.run([QGIS_PYTHON, str(REPO / "tests" / "_qgis_read_style.py")],
                          input=json.dumps(spec), capture_output=True, text=True, timeout=300,
                          env={"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
                               "PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout)
    shapes = {"circle": "Circle", "square": "Square", "triangle": "Triangle",
              "diamond": "Diamond", "star": "Star"}
    for key, read in got.items():
        name, theme = ("roads", "status") if key == "roads_status" else (key, "default")
        st = symbology.layer_style(name, theme)
        assert read["ok"], (key, read["message"])
        if st.field is None:
            assert read["renderer"] == "singleSymbol", key
            sym = read["symbol"]["layers"][0]
            assert sym["color"] == st.other.lower(), key
            continue
        assert read["renderer"] == "categorizedSymbol" and read["attr"] == st.field, key
        cats = {c["value"]: c for c in read["categories"]}
        for cls in st.classes:
            layer0 = cats[cls.code]["symbol"]["layers"][0]
            assert layer0["color"] == cls.color.lower(), (key, cls.code)
            assert cats[cls.code]["label"] == f"{cls.zh} / {cls.en}"
            if "width" in layer0:
                assert layer0["width"] == pytest.approx(st.width_of(cls.code)), (key, cls.code)
            if "shape" in layer0:
                assert layer0["shape"] == shapes[st.shape], key
        assert cats[""]["symbol"]["layers"][0]["color"] == st.other.lower()
        if st.label_field:
            assert read["labels_enabled"] and read["label_field"] == st.label_field, key
            assert read["label_minimum_scale"] == pytest.approx(st.label_min_scale or 0)
        else:
            assert not read["labels_enabled"], key
    # the unfilled frames are outlines (a line symbol layer inside a fill symbol), dashed
    ua = got["urban_area"]["symbol"]["layers"][0]
    assert ua["class"] == "SimpleLine" and ua["custom_dash"] == list(
        symbology.layer_style("urban_area").dash)


def test_the_sample_carries_the_declared_styles(sample_copy: Path, sample_gpkg: Path):
    """layers/zhalantun.gpkg's layer_styles are what the declaration gives today."""
    stored = styles.read_layer_styles(sample_gpkg)
    styles.write_layer_styles(sample_copy)
    assert styles.read_layer_styles(sample_copy) == stored
    for name in schema.LAYERS:
        assert f'attr="{symbology.layer_style(name).field}"' in stored[name] or \
            symbology.layer_style(name).field is None
