"""Meeting maps without a browser: stories, legend, escaping, offline page, basemaps, CLI, print.

The inventory is crafted in ``tmp_path`` (see :func:`make_inventory`) so every count is known by
construction; ``tests/test_maps_browser.py`` reuses it.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, box

from zlt_assets import schema
from zlt_assets.inventory import write_layers

EVIL_NAME = "<img src=x onerror=alert(1)>"
QUOTE_NAME = "O'Brien \"桥\" `tick` ${x} </script><script>alert(2)</script>"
BASE_LON, BASE_LAT = 122.74, 48.0
#: features per layer in the crafted inventory
COUNTS = {
    "facade_lighting_buildings": 4, "bridges": 2, "roads": 3, "public_toilets": 3,
    "bus_stops": 5, "drainage_points": 3, "street_offices": 2, "urban_area": 1,
    "city_boundary": 1, "river": 1, "railway": 1, "railway_stations": 1, "parks": 2,
}


def _pt(dx: float, dy: float) -> Point:
    return Point(BASE_LON + dx, BASE_LAT + dy)


def _common(layer: str, i: int, status: str, name: str | None) -> dict:
    code = schema.layer(layer).component_codes()
    return {
        "obj_id": schema.make_object_id(code[0] if code else "2101", i + 1),
        "name": name, "street_office": "150783001" if i % 2 == 0 else "150783002",
        "department": "zjj", "status": status, "planned_date": "2020-12-31",
        "completed_date": ("2020-10-01" if status in ("completed", "accepted", "in_service")
                           else None),
        "data_source": "illustrative", "updated": f"2021-0{1 + i % 3}-15",
    }


def _gdf(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326").to_crs(schema.PROJECT_CRS)


def make_inventory(path: Path, *, many_stops: int = 0) -> Path:
    """A small inventory with every layer; one toilet named EVIL_NAME, one bridge QUOTE_NAME.

    ``many_stops`` adds that many bus stops on a grid (to exercise clustering).
    """
    layers: dict[str, gpd.GeoDataFrame] = {}
    works = ["planned", "under_construction", "completed", "accepted"]
    groups = list(schema.STREET_GROUPS.codes)
    rows, geoms = [], []
    for i in range(COUNTS["facade_lighting_buildings"]):
        r = _common("facade_lighting_buildings", i, works[i % 4], f"楼{i + 1}号")
        r.update(street_group=groups[i % len(groups)], street_name="中央路", floors=5,
                 renovation=i == 0, renovation_status=None, renovation_date=None)
        rows.append(r)
        geoms.append(box(BASE_LON + i * 0.002, BASE_LAT, BASE_LON + i * 0.002 + 0.0008,
                         BASE_LAT + 0.0006))
    layers["facade_lighting_buildings"] = _gdf(rows, geoms)
    rows, geoms = [], []
    for i, nm in enumerate([QUOTE_NAME, "布特哈大桥"]):
        r = _common("bridges", i, works[i], nm)
        r.update(plan_lighting=True, length_m=120.0, hazard_status="none", inspection_date=None)
        rows.append(r)
        geoms.append(LineString([(BASE_LON + 0.01 * i, BASE_LAT + 0.01),
                                 (BASE_LON + 0.01 * i + 0.0015, BASE_LAT + 0.0105)]))
    layers["bridges"] = _gdf(rows, geoms)
    rows, geoms = [], []
    for i, rc in enumerate(["main", "secondary", "branch"]):
        r = _common("roads", i, "completed" if i == 0 else None, f"路{i + 1}")
        r.update(road_class=rc, length_m=700.0, red_line_width_m=30.0, carriageway_width_m=15.0,
                 works="rebuilt" if i == 0 else "none", plan_road="P01" if i == 0 else None,
                 bike_lane=False, sidewalk=True, barrier_free=False, lamps_required=10,
                 lamps_installed=10, lamps_lit=9, mech_sweeping=True, bridge_id=None)
        rows.append(r)
        geoms.append(LineString([(BASE_LON - 0.005, BASE_LAT - 0.003 * i),
                                 (BASE_LON + 0.012, BASE_LAT - 0.003 * i)]))
    layers["roads"] = _gdf(rows, geoms)
    rows, geoms = [], []
    for i, nm in enumerate([EVIL_NAME, "公厕2", "公厕3"]):
        r = _common("public_toilets", i, ["in_service", "planned", "closed"][i], nm)
        r.update(toilet_type=["fixed", "mobile", "opened"][i], seats_male=2, seats_female=3,
                 seats_accessible=1, hours="24h")
        rows.append(r)
        geoms.append(_pt(0.003 * i, 0.004))
    layers["public_toilets"] = _gdf(rows, geoms)
    rows, geoms = [], []
    n_stops = COUNTS["bus_stops"] + many_stops
    for i in range(n_stops):
        r = _common("bus_stops", i, "in_service", f"站{i + 1}")
        r.update(routes="1,2", shelter=i % 2 == 0)
        rows.append(r)
        geoms.append(_pt(0.0004 * (i % 40) - 0.004, -0.0004 * (i // 40) - 0.006))
    layers["bus_stops"] = _gdf(rows, geoms)
    rows, geoms = [], []
    for i, t in enumerate(["waterlogging", "outfall", "pump_station"]):
        r = _common("drainage_points", i, "in_service", None if i == 1 else f"排水{i}")
        r["obj_id"] = schema.make_object_id(schema.DRAINAGE_POINTS.code_by_value[t], i + 1)
        r.update(drainage_type=t, depth_cm=20.0 if i == 0 else None, extent_m2=None,
                 remedy_status="not_started" if i == 0 else None, remedy_date=None)
        rows.append(r)
        geoms.append(_pt(-0.003, 0.001 * i))
    layers["drainage_points"] = _gdf(rows, geoms)
    rows = [{"code": "150783001", "name": "兴华街道", "name_en": "Xinghua", "land_use": "R",
             "crowded": False, "data_source": "illustrative", "source_note": "test"},
            {"code": "150783002", "name": "正阳街道", "name_en": "Zhengyang", "land_use": "ABS",
             "crowded": True, "data_source": "illustrative", "source_note": "test"}]
    west = box(BASE_LON - 0.01, BASE_LAT - 0.01, BASE_LON + 0.004, BASE_LAT + 0.015)
    east = box(BASE_LON + 0.004, BASE_LAT - 0.01, BASE_LON + 0.02, BASE_LAT + 0.015)
    layers["street_offices"] = _gdf(rows, [MultiPolygon([west]), MultiPolygon([east])])
    frame = {"data_source": "illustrative", "source_note": "test"}
    layers["urban_area"] = _gdf([dict(frame, name="城区")],
                                [MultiPolygon([west.union(east)])])
    layers["city_boundary"] = _gdf([dict(frame, name="扎兰屯市", code="150783")],
                                   [MultiPolygon([box(BASE_LON - 0.05, BASE_LAT - 0.05,
                                                      BASE_LON + 0.05, BASE_LAT + 0.05)])])
    layers["river"] = _gdf([dict(frame, name="雅鲁河")], [MultiLineString(
        [[(BASE_LON - 0.01, BASE_LAT + 0.0102), (BASE_LON + 0.02, BASE_LAT + 0.0102)]])])
    layers["railway"] = _gdf([dict(frame, name="滨洲铁路")], [MultiLineString(
        [[(BASE_LON + 0.015, BASE_LAT - 0.01), (BASE_LON + 0.015, BASE_LAT + 0.015)]])])
    layers["railway_stations"] = _gdf([dict(frame, name="扎兰屯站")], [_pt(0.015, 0.0)])
    layers["parks"] = _gdf(
        [dict(frame, name="吊桥公园", green_type="park", street_office="150783001"),
         dict(frame, name="防护林", green_type="protective", street_office="150783002")],
        [MultiPolygon([box(BASE_LON - 0.008, BASE_LAT + 0.011, BASE_LON - 0.004,
                           BASE_LAT + 0.014)]),
         MultiPolygon([box(BASE_LON + 0.006, BASE_LAT + 0.011, BASE_LON + 0.009,
                           BASE_LAT + 0.013)])])
    write_layers(path, layers, replace_file=True)
    return path


@pytest.fixture(scope="module")
def crafted(tmp_path_factory) -> Path:
    """The crafted inventory (read-only: tests that change data build their own)."""
    return make_inventory(tmp_path_factory.mktemp("crafted") / "crafted.gpkg")


# ------------------------------------------------------------------------------ helpers
def page_config_of(html: str) -> dict:
    """The JSON the page's script reads (``<script type="application/json" id="zlt-config">``)."""
    m = re.search(r'<script type="application/json" id="zlt-config">(.*?)</script>', html, re.S)
    assert m, "the page holds no zlt-config data"
    assert "zltMeetingMap(" in html
    return json.loads(m.group(1))


def layer_cfg(cfg: dict, layer: str) -> dict:
    return next(lc for lc in cfg["layers"] if lc["key"] == layer)


PAGE_WORLD = 256 * 2 ** 20  # the page's coordinates: Web-Mercator pixels at zoom 20


def page_to_lonlat(x, y):
    """Inverse Web Mercator of the page's pixel coordinates (the published formula)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    lon = x / PAGE_WORLD * 360.0 - 180.0
    lat = np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * y / PAGE_WORLD))))
    return lon, lat


def decode_pixels(lc: dict) -> tuple[np.ndarray, list[list[np.ndarray]]]:
    """A layer's vertices (page pixels, N x 2) and, per feature, its parts as arrays."""
    xy = np.cumsum(np.asarray(lc["xy"], dtype=float).reshape(-1, 2), axis=0)
    if lc["kind"] == "point":
        return xy, [[xy[i:i + 1]] for i in range(len(xy))]
    feats, v, part = [], 0, 0
    for n_parts in lc["np"]:
        parts = []
        for _ in range(n_parts):
            nv = lc["nv"][part]
            parts.append(xy[v:v + nv])
            v += nv
            part += 1
        feats.append(parts)
    return xy, feats


def decode_layer(lc: dict, scale: float = 1.0) -> list:
    """Shapely geometries of a layer in page pixels (times ``scale``), read from the page data."""
    from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon

    _, feats = decode_pixels(lc)
    out = []
    for parts in feats:
        parts = [p * scale for p in parts]
        if lc["kind"] == "point":
            out.append(Point(parts[0][0]))
        elif lc["kind"] == "line":
            out.append(LineString(parts[0]) if len(parts) == 1 else MultiLineString(parts))
        else:
            # rings in order: a shell, then its holes (a hole runs the other way round)
            polys, shell, holes = [], None, []
            for ring in parts:
                r = Polygon(ring)
                ccw = r.exterior.is_ccw
                if shell is None or ccw == Polygon(shell).exterior.is_ccw:
                    if shell is not None:
                        polys.append(Polygon(shell, holes))
                    shell, holes = ring, []
                else:
                    holes.append(ring)
            polys.append(Polygon(shell, holes))
            out.append(polys[0] if len(polys) == 1 else MultiPolygon(polys))
    return out


def column(lc: dict, name: str) -> list:
    """A layer's attribute column from the page data (plain or dictionary-coded)."""
    col = lc["props"].get(name)
    if col is None:
        return [None] * lc["count"]
    return [col["d"][i] for i in col["i"]] if isinstance(col, dict) else col


def names_in(cfg: dict, layer: str) -> list:
    return column(layer_cfg(cfg, layer), "name")


@pytest.fixture(scope="module")
def built(crafted: Path, tmp_path_factory):
    from zlt_assets.maps import make_meeting_map

    out = tmp_path_factory.mktemp("built") / "map.html"
    res = make_meeting_map(crafted, out)
    return res, out.read_bytes().decode("utf-8")


# ------------------------------------------------------------------------------ legend
def test_legend_lists_only_the_classes_present_with_their_counts(built):
    _, page = built
    cfg = page_config_of(page)
    toilets = layer_cfg(cfg, "public_toilets")["legend"]
    assert [e["code"] for e in toilets["entries"]] == ["fixed", "mobile", "opened"]
    assert [e["count"] for e in toilets["entries"]] == [1, 1, 1]
    roads = layer_cfg(cfg, "roads")["legend"]
    # the crafted roads are main, secondary and branch: no expressway row
    assert [e["code"] for e in roads["entries"]] == ["main", "secondary", "branch"]
    assert "快速路" not in json.dumps(roads, ensure_ascii=False)
    from zlt_assets import symbology

    style = symbology.layer_style("roads")
    assert [e["color"] for e in roads["entries"]] == [style.color_of(c)
                                                      for c in ("main", "secondary", "branch")]
    assert roads["entries"][0]["label"] == "主干路 / Main road"
    # frames drawn unfilled have outline swatches, single-symbol layers one row
    urban = layer_cfg(cfg, "urban_area")["legend"]
    assert urban["kind"] == "outline" and urban["single"] and len(urban["entries"]) == 1
    stops = layer_cfg(cfg, "bus_stops")["legend"]
    assert [e["code"] for e in stops["entries"]] == ["in_service"]


def test_legend_entries_follow_the_language():
    from zlt_assets import symbology
    from zlt_assets.maps import legend as lg

    style = symbology.layer_style("roads")
    rows = lg.legend_entries(style, {"main": 2, "": 1}, "en")
    assert [r.label for r in rows] == ["Main road / 主干路", "Other or not set / 其他或未填写"]
    assert rows[-1].color == style.other and rows[-1].count == 1


def test_feature_style_by_category():
    from zlt_assets import symbology
    from zlt_assets.maps import legend as lg

    st = symbology.layer_style("public_toilets")
    fixed = lg.feature_style(st, {"toilet_type": "fixed", "status": "in_service"})
    mobile = lg.feature_style(st, {"toilet_type": "mobile", "status": "planned"})
    odd = lg.feature_style(st, {"toilet_type": "<b>", "status": "planned"})
    assert fixed["color"] == st.classes[0].color != mobile["color"] == st.classes[1].color
    assert odd["color"] == st.other
    roads = symbology.layer_style("roads")
    assert lg.feature_style(roads, {"road_class": "main"})["width"] > lg.feature_style(
        roads, {"road_class": "branch"})["width"]


# ------------------------------------------------------------------------------ escaping
def test_safe_json_cannot_break_out_of_a_script():
    from zlt_assets.maps.offline import safe_json

    value = {"name": EVIL_NAME, "q": QUOTE_NAME, "ls": "a\u2028b"}
    text = safe_json(value)
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text
    assert json.loads(text) == value


def test_page_holds_names_as_data_not_markup(built):
    _, page = built
    assert EVIL_NAME not in page
    assert "</script><script>alert(2)" not in page
    assert "alert(1)" in page  # present, but only inside an escaped JSON string
    cfg = page_config_of(page)
    assert EVIL_NAME in names_in(cfg, "public_toilets")
    assert QUOTE_NAME in names_in(cfg, "bridges")
    # our script writes values with textContent only: no innerHTML anywhere
    from zlt_assets.maps.offline import read_static

    js = read_static("zlt/meeting_map.js").decode()
    assert "innerHTML" not in js.replace("never innerHTML", "")
    assert "insertAdjacentHTML" not in js and "document.write" not in js


def test_bidi_and_control_characters_are_neutralised(tmp_path: Path):
    import pyogrio

    from zlt_assets.maps import build_content, render_html

    src = make_inventory(tmp_path / "inv.gpkg")
    layers = {n: pyogrio.read_dataframe(src, layer=n) for n in schema.LAYERS}
    spoof = "exe.\u202etxt\u2066x\u2069\u200f\x07"
    layers["public_toilets"].loc[1, "name"] = spoof
    layers["public_toilets"].loc[2, "name"] = "长" * 100_000
    write_layers(src, layers)
    cfg = page_config_of(render_html(build_content(src)))
    names = names_in(cfg, "public_toilets")
    assert names[1] == "exe.\ufffdtxt\ufffdx\ufffd\ufffd\ufffd"
    assert len(names[2]) == 100_000  # kept whole; the popup cuts it and shows all on demand


# ------------------------------------------------------------------------------ offline page
def test_page_is_self_contained(built):
    res, page = built
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", page, re.IGNORECASE)
    for tag in tags:
        assert "http" not in tag and "//" not in tag.replace("/*", ""), tag
    for cdn in ("cdn.jsdelivr", "code.jquery", "bootstrapcdn", "cdnjs", "unpkg"):
        assert cdn not in page
    assert '"1.9.3"' in page  # Leaflet inlined
    assert "leaflet.Control.FullScreen = " in page and "L.Control.Measure" in page
    assert "MarkerClusterGroup" not in page  # points are canvas symbols, never clustered
    assert "url(images/" not in page and "url(\"data:image/png;base64," in page
    assert res.html_bytes == len(page.encode("utf-8"))
    assert "非正式审图地图" in page and "审图号" in page


def test_inline_assets_refuses_unknown_external_asset():
    from zlt_assets.maps.offline import OfflineAssetError, inline_assets

    with pytest.raises(OfflineAssetError):
        inline_assets('<script src="https://example.org/evil.js"></script>')
    jquery = '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
    assert inline_assets(jquery) == ""


def test_every_layer_and_feature_is_in_the_page(built):
    res, page = built
    cfg = page_config_of(page)
    counts = {lc["key"]: lc["count"] for lc in cfg["layers"] if not lc["overlay"]}
    assert counts == COUNTS
    for lc in cfg["layers"]:
        _, feats = decode_pixels(lc)
        assert len(feats) == lc["count"]
        assert all(len(column(lc, c)) == lc["count"] for c in lc["props"])
    assert dict(res.layer_counts) == COUNTS
    groups = {g["key"]: g["layers"] for g in cfg["groups"]}
    for name, lyr in schema.LAYERS.items():
        assert name in groups[lyr.group]


def test_layers_are_handed_over_in_the_declared_drawing_order(built):
    from zlt_assets import symbology

    _, page = built
    cfg = page_config_of(page)
    keys = [lc["key"] for lc in cfg["layers"]]
    assert keys == [k for k in symbology.draw_order() if k in keys]
    frames = [lc for lc in cfg["layers"] if lc["key"] in schema.FRAME_LAYERS]
    assets = [lc for lc in cfg["layers"] if lc["key"] in schema.ASSET_LAYERS]
    assert max(f["order"] for f in frames) < min(a["order"] for a in assets)
    assert not any(f["interactive"] for f in frames)  # frames never catch the pointer
    assert all(a["interactive"] for a in assets)


def test_title_block_states_date_illustrative_and_not_reviewed(built):
    _, page = built
    cfg = page_config_of(page)
    lines = [ln["text"] for ln in cfg["title"]["lines"]]
    # the latest `updated` of the crafted data, parsed and written as a date
    assert any("2021年3月15日" in t and "2021-03-15" in t for t in lines)
    warn = [ln["text"] for ln in cfg["title"]["lines"] if ln["warn"]]
    assert any("示意数据" in t and "Illustrative" in t for t in warn)
    assert any("非正式审图地图" in t and "not an officially reviewed map" in t.lower()
               for t in warn)
    assert cfg["title"]["main"] == "资产清单总览 / Asset inventory"
    n_assets = sum(COUNTS[n] for n in schema.ASSET_LAYERS)
    assert cfg["title"]["caption"][0][0] == (
        f"清单 {n_assets} 项资产(6 类);楼体亮化建筑 {COUNTS['facade_lighting_buildings']} 栋,"
        "方案要求 190 栋")


def test_data_date_ignores_text_and_future_dates():
    import datetime as dt

    from zlt_assets.maps.meeting_map import data_date

    g = gpd.GeoDataFrame({"updated": ["2020-05-01", "soon", "2031-05-05", None, "2020-13-01",
                                      "2020-06-30T10:00:00"]}, geometry=[Point(0, 0)] * 6)
    day, bad = data_date({"x": g}, today=dt.date(2026, 1, 1))
    assert day == dt.date(2020, 6, 30) and bad == 3


def test_survey_data_has_no_illustrative_warning(tmp_path: Path):
    import pyogrio

    from zlt_assets.maps import build_content

    src = make_inventory(tmp_path / "inv.gpkg")
    layers = {}
    for name in schema.LAYERS:
        g = pyogrio.read_dataframe(src, layer=name)
        g["data_source"] = "survey"
        layers[name] = g
    write_layers(src, layers)
    content = build_content(src)
    assert content.illustrative_share == 0
    assert not any("示意数据" in t for t, _ in content.lines)
    assert any("非正式审图地图" in t for t, _ in content.lines)


# ------------------------------------------------------------------------------ stories
def test_each_story_opens_with_only_its_layers(crafted: Path):
    from zlt_assets.maps import STORIES, build_content
    from zlt_assets.maps.meeting_map import open_context

    ctx = open_context(crafted)
    for key, story in STORIES.items():
        content = build_content(story=key, context=ctx)
        on_assets = {lyr.key for lyr in content.layers if lyr.visible
                     and lyr.key in schema.ASSET_LAYERS}
        assert on_assets == set(story.assets), key
        assert {o.key for o in content.overlays if o.visible} == {o.key for o in content.overlays}
        assert content.caption, key
        assert content.story == key
        assert not next(lyr for lyr in content.layers if lyr.key == "city_boundary").visible
    works = build_content(story="works", context=ctx)
    roads = next(lyr for lyr in works.layers if lyr.key == "roads")
    assert roads.style.field == "status" and roads.style.theme == "status"
    drainage = build_content(story="drainage", context=ctx)
    d = next(lyr for lyr in drainage.layers if lyr.key == "drainage_points")
    assert list(d.gdf["drainage_type"]) == ["waterlogging"] and d.style.field == "remedy_status"
    assert d.present == {"not_started": 1}


def test_story_captions_state_figure_and_target(sample_gpkg: Path):
    from zlt_assets.analysis.scorecard import compute_scorecard
    from zlt_assets.maps import build_content
    from zlt_assets.maps.meeting_map import open_context

    ctx = open_context(sample_gpkg)
    cov = build_content(story="coverage", context=ctx)
    share = ctx.coverage().summary["area_share"]
    first = cov.caption[0][0]
    assert first.startswith(f"城区 {100 * share:.1f}% 在公交站 500 米内,目标 100%")
    assert "of the urban area within 500 m of a bus stop; target 100%" in cov.caption[0][1]
    card = compute_scorecard(sample_gpkg)
    t = {x.id: x for x in card.targets}
    works = build_content(story="works", context=ctx).caption[0][0]
    fl = t["facade_lighting"]
    assert f"楼体亮化已完成 {fl.value:g}/{fl.target:g} 栋" in works
    drain = build_content(story="drainage", context=ctx).caption[0][0]
    ev = t["waterlogging_fixed"].evidence
    assert f"积水点已整治 {ev['fixed']}/{ev['waterlogging_points']} 处" in drain
    assert drain.endswith("目标 100%")
    score = build_content(story="scorecard", context=ctx, indicator="road_lighting_pct")
    assert score.title == "街道记分卡:主次干道亮灯率 / Street-office scorecard: " \
                          "Main/secondary road lit rate"
    assert "目标 ≥98%" in score.caption[0][0]
    en = build_content(story="coverage", context=ctx, lang="en")
    assert en.caption[0][0].startswith(f"{100 * share:.1f}% of the urban area")


def test_a_missed_target_is_never_printed_as_met():
    from zlt_assets.display import measured, percent

    assert percent(0.99996, 1.0) == "99.996%"
    assert measured(97.96, 98) == "97.96"
    assert measured(97.59, 98) == "97.6"
    assert measured(98.0, 98) == "98.0"
    assert measured(50.04, 50, "<=") == "50.04"


def test_unknown_story_is_bad_input(crafted: Path):
    from zlt_assets.errors import BadInput
    from zlt_assets.maps import build_content

    with pytest.raises(BadInput, match="unknown story 'nope'"):
        build_content(crafted, story="nope")


def test_make_story_maps_writes_every_story_and_an_offline_index(crafted: Path, tmp_path: Path):
    from zlt_assets.maps import STORY_KEYS, make_story_maps

    out = tmp_path / "maps"
    results = make_story_maps(crafted, out)
    assert [r.story for r in results] == list(STORY_KEYS)
    index = (out / "index.html").read_text(encoding="utf-8")
    for key in STORY_KEYS:
        cfg = page_config_of((out / f"{key}.html").read_text(encoding="utf-8"))
        assert cfg["story"] == key
        assert f'href="{key}.html"' in index
    assert "非正式审图地图" in index and "示意数据" in index
    assert not re.search(r'(?:src|href)="(?:https?:)?//', index)
    assert "<script" not in index


# ------------------------------------------------------------------------------ display
def test_simplify_in_metres_then_round_coordinates():
    from zlt_assets.maps.types import simplify_for_display

    circle = Point(BASE_LON, BASE_LAT)
    g = gpd.GeoDataFrame({"name": ["c"]}, geometry=[circle], crs="EPSG:4326").to_crs(
        schema.PROJECT_CRS)
    g = g.set_geometry(g.buffer(200, resolution=256))  # 1025 vertices, 0.2 m apart at most
    out = simplify_for_display(g, 1.0)
    n_in = len(g.geometry.iloc[0].exterior.coords)
    n_out = len(out.geometry.iloc[0].exterior.coords)
    assert n_out < n_in / 4
    assert str(out.crs).upper().endswith("4326")
    coords = np.asarray(out.geometry.iloc[0].exterior.coords)
    assert np.allclose(coords, np.round(coords, 6), atol=0, rtol=0)
    # the area stays within 1% (simplification is for display, not a new shape)
    assert abs(out.to_crs(schema.PROJECT_CRS).area.iloc[0] / g.area.iloc[0] - 1) < 0.01


def test_dense_points_are_all_drawn_as_symbols(tmp_path: Path):
    from zlt_assets.maps import build_content

    inv = make_inventory(tmp_path / "dense.gpkg", many_stops=500)
    content = build_content(inv)
    by = {lyr.key: lyr for lyr in content.layers}
    assert len(by["bus_stops"].gdf) == COUNTS["bus_stops"] + 500
    assert not by["bus_stops"].cluster


# ------------------------------------------------------------------------------ basemaps
def test_gaode_shifts_the_data_to_gcj02(crafted: Path, tmp_path: Path):
    from zlt_assets.crs import wgs84_to_gcj02
    from zlt_assets.maps import make_meeting_map

    plain = page_config_of(make_meeting_map(crafted, tmp_path / "a.html").html_path.read_text())
    res = make_meeting_map(crafted, tmp_path / "g.html", basemap="gaode")
    page = res.html_path.read_text(encoding="utf-8")
    shifted = page_config_of(page)
    assert "autonavi.com" in page

    def station(cfg):
        xy, _ = decode_pixels(layer_cfg(cfg, "railway_stations"))
        lon, lat = page_to_lonlat(xy[0, 0], xy[0, 1])
        return float(lon), float(lat)

    lon, lat = station(plain)
    assert (lon, lat) == pytest.approx((BASE_LON + 0.015, BASE_LAT), abs=2e-6)
    glon, glat = station(shifted)
    elon, elat = wgs84_to_gcj02(lon, lat)
    assert (glon, glat) == pytest.approx((elon, elat), abs=2e-6)
    # GCJ-02 moves Zhalantun by hundreds of metres
    dx = (glon - lon) * 111_320 * np.cos(np.radians(lat))
    dy = (glat - lat) * 110_540
    assert 100 < float(np.hypot(dx, dy)) < 1000
    assert any("GCJ-02" in m for m in res.messages)


def test_tianditu_without_key_falls_back_with_a_message(crafted: Path, tmp_path: Path, cli):
    import os

    env = {k: v for k, v in os.environ.items() if k != "ZLT_TIANDITU_KEY"}
    out = tmp_path / "t.html"
    proc = cli("map", "--data", str(crafted), "--out", str(out), "--basemap", "tianditu", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "ZLT_TIANDITU_KEY" in proc.stderr
    page = out.read_text(encoding="utf-8")
    assert "tianditu.gov.cn" not in page and "L.tileLayer" not in page


def test_tianditu_key_only_in_the_tile_urls(crafted: Path, tmp_path: Path, cli):
    import os

    key = "0123456789abcdefzltsecret"
    env = dict(os.environ, ZLT_TIANDITU_KEY=key)
    out = tmp_path / "t.html"
    proc = cli("map", "--data", str(crafted), "--out", str(out), "--basemap", "tianditu", env=env)
    assert proc.returncode == 0, proc.stderr
    assert key not in proc.stdout and key not in proc.stderr
    page = out.read_text(encoding="utf-8")
    urls = re.findall(r'"(https://t\{s\}\.tianditu\.gov\.cn/[^"]+)"', page)
    assert len(urls) == 2 and "vec_w" in urls[0] and "cva_w" in urls[1]
    assert all(u.endswith("tk=" + key) for u in urls)
    assert page.count(key) == 2
    assert '"01234567"' in page  # subdomains t0-t7
    from zlt_assets.maps import basemaps

    assert key not in Path(basemaps.__file__).read_text(encoding="utf-8")


# ------------------------------------------------------------------------------ CLI
def test_cli_writes_a_story_and_its_print_versions(crafted: Path, tmp_path: Path, cli):
    out, png, pdf = tmp_path / "m.html", tmp_path / "m.png", tmp_path / "m.pdf"
    proc = cli("map", "--data", str(crafted), "--story", "coverage", "--out", str(out),
               "--png", str(png), "--pdf", str(pdf), "--paper", "a3", "--dpi", "100",
               "--lang", "en", "--json", str(tmp_path / "m.json"))
    assert proc.returncode == 0, proc.stderr
    # --json: what was written, the layers and their features as the page holds them, and
    # the caption's figures as numbers (the coverage command's own result, 100 x its share)
    res = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert (res["story"], res["html"], res["png"], res["pdf"]) == (
        "coverage", str(out), str(png), str(pdf))
    assert (res["paper"], res["dpi"], res["html_bytes"]) == ("a3", 100, out.stat().st_size)
    page = {lc["key"]: lc["count"] for lc in page_config_of(out.read_text(encoding="utf-8"))
            ["layers"]}
    assert {**res["layers"], **res["overlays"]} == page and res["features"] == sum(page.values())
    assert res["layers"] == COUNTS and set(res["overlays"]) == {"coverage_uncovered",
                                                                "coverage_districts"}
    assert res["visible"][-1] == "bus_stops" and "facade_lighting_buildings" not in res["visible"]
    cov = tmp_path / "c.json"
    assert cli("coverage", "--data", str(crafted), "--json", str(cov)).returncode == 0
    share = json.loads(cov.read_text(encoding="utf-8"))["area_share"]
    fig = res["figures"]["area_pct"]
    assert fig["value"] == pytest.approx(100 * share) and fig["unit"] == "%"
    assert (fig["target"], fig["comparator"], fig["meets"]) == (100.0, ">=", share >= 1.0)
    assert res["caption"][0].startswith(f"{100 * share:.1f}% of the urban area")
    assert res["data_date"] == "2021-03-15"
    assert out.exists() and png.exists() and pdf.exists()
    assert str(out) in proc.stdout and "(coverage)" in proc.stdout
    assert "of the urban area within 500 m of a bus stop" in proc.stdout  # the key figure
    cfg = page_config_of(out.read_text(encoding="utf-8"))
    assert cfg["title"]["main"].startswith("Bus-stop 500 m coverage")
    import matplotlib.image as mpimg

    img = mpimg.imread(png)
    assert img.shape[:2] == (round(297 / 25.4 * 100), round(420 / 25.4 * 100))  # A3 landscape
    assert float(img[..., :3].std()) > 0.05  # not blank
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_cli_story_all_writes_a_folder(crafted: Path, tmp_path: Path, cli):
    out = tmp_path / "maps"
    proc = cli("map", "--data", str(crafted), "--story", "all", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    from zlt_assets.maps import STORY_KEYS

    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{k}.html" for k in STORY_KEYS] + ["index.html"])
    # --json -: only the JSON on standard output, one entry per story, in story order
    proc = cli("map", "--data", str(crafted), "--story", "all", "--out", str(tmp_path / "m2"),
               "--json", "-")
    assert proc.returncode == 0, proc.stderr
    res = json.loads(proc.stdout)
    assert res["index"] == str(tmp_path / "m2" / "index.html")
    assert [r["story"] for r in res["stories"]] == list(STORY_KEYS)
    by = {r["story"]: r for r in res["stories"]}
    assert by["inventory"]["figures"]["assets"]["value"] == sum(
        COUNTS[n] for n in schema.ASSET_LAYERS)
    assert by["drainage"]["figures"]["fixed"]["of"] == 1  # one waterlogging point, not fixed
    assert by["drainage"]["figures"]["waterlogging_fixed"]["meets"] is False
    assert by["scorecard"]["indicator"] == "facade_lighting_pct"
    low = by["scorecard"]["figures"]["lowest"]
    assert low["place"] in ("兴华街道 / Xinghua", "正阳街道 / Zhengyang") and low["unit"] == "%"
    works = by["works"]["figures"]["facade_lighting"]
    assert (works["of"], works["target"]) == (190, 190)  # the plan's count of buildings
    for r in res["stories"]:
        assert Path(r["html"]).exists() and r["pdf"] is None and r["caption"], r["story"]


def test_pack_writes_every_story_its_a3_print_and_the_index(crafted: Path, tmp_path: Path, cli):
    """``zlt-assets pack``: out/maps/ holds every story, each story's A3 PDF and index.html."""
    out = tmp_path / "out"
    proc = cli("pack", "--data", str(crafted), "--out", str(out))
    # the crafted data has no population grid: toilet-gaps cannot propose sites and fails
    assert proc.returncode in (0, 1, 2), proc.stderr
    readme = (out / "README.md").read_text(encoding="utf-8")
    row = r"\| [^|]*\(`map`\) \| 完成 / done \|[^|]*\| maps, maps\.json \|"
    assert re.search(row, readme), readme
    from zlt_assets.maps import STORY_KEYS

    maps = out / "maps"
    assert sorted(p.name for p in maps.iterdir()) == sorted(
        [f"{k}.{ext}" for k in STORY_KEYS for ext in ("html", "pdf")] + ["index.html"])
    index = (maps / "index.html").read_text(encoding="utf-8")
    for key in STORY_KEYS:
        assert f'href="{key}.html"' in index and f'href="{key}.pdf"' in index, key
        assert page_config_of((maps / f"{key}.html").read_text(encoding="utf-8"))["story"] == key
        pdf = (maps / f"{key}.pdf").read_bytes()
        # one A3 landscape page (420 x 297 mm = 1190.55 x 841.89 pt)
        box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        assert box and (round(float(box[1])), round(float(box[2]))) == (1191, 842), key
        assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") <= 1
    written = json.loads((out / "maps.json").read_text(encoding="utf-8"))
    assert [r["story"] for r in written["stories"]] == list(STORY_KEYS)
    assert all(r["paper"] == "a3" and r["dpi"] == 300 for r in written["stories"])


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    """The CLI in-process (argparse errors exit with 2 like the real command)."""
    from zlt_assets.cli import main

    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("args, needle", [
    (["--basemap", "bing"], "invalid choice"),
    (["--analysis", "heatmap"], "unknown analysis"),
    (["--story", "heatmap"], "unknown story 'heatmap'"),
    (["--lang", "fr"], "invalid choice"),
    (["--paper", "a5"], "invalid choice"),
    (["--dpi", "5"], "--dpi must be between 50 and 1200"),
    (["--out", "map.txt"], "--out must name an .html file"),
    (["--png", "map.jpg"], "--png must name a .png file"),
    (["--pdf", "map.png"], "--pdf must name a .pdf file"),
    (["--indicator", "no_such_indicator", "--story", "scorecard"], "unknown indicator"),
])
def test_cli_bad_options_write_nothing(crafted: Path, tmp_path: Path, capsys, monkeypatch,
                                       args, needle):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "x.html"
    full = ["map", "--data", str(crafted), "--out", str(out), *args]
    if "--out" in args:
        full = ["map", "--data", str(crafted), *args]
    code, _, err = run_main(capsys, *full)
    assert code == 2, err
    assert needle in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no map, no half-written temporary file


def test_cli_missing_inventory(tmp_path: Path, cli):
    out = tmp_path / "x.html"
    proc = cli("map", "--data", str(tmp_path / "none.gpkg"), "--out", str(out))
    assert proc.returncode == 2 and "inventory not found" in proc.stderr
    assert not out.exists()


# ------------------------------------------------------------------------------ overlays
def test_scorecard_choropleth_of_street_offices(crafted: Path):
    from zlt_assets.maps import build_content
    from zlt_assets.symbology import CHOROPLETH_COLORS

    content = build_content(crafted, story="scorecard")
    ov = next(o for o in content.overlays if o.key == "scorecard_choropleth")
    assert sorted(ov.gdf["code"]) == ["150783001", "150783002"]
    card = content.scorecard
    rows = {r["code"]: r for r in card.by_district}
    for code, value in zip(ov.gdf["code"], ov.gdf["value"], strict=True):
        assert value == pytest.approx(rows[code]["facade_lighting_pct"])
    assert {ov.style.color_of(c) for c in ov.gdf["_class"]} <= set(CHOROPLETH_COLORS)
    assert ov.interactive and ov.style.draw_order < min(
        lyr.style.draw_order for lyr in content.layers if lyr.key in schema.ASSET_LAYERS)
    # the division code shows as the code, not as the office's name; no raw column keys
    fields = {f["name"]: f for f in ov.fields}
    assert fields["code"]["domain"] is None and fields["code"]["label"].startswith("区划代码")
    assert set(fields) == {"code", "name", "value"}


def test_overlay_popups_show_labelled_columns_only(sample_gpkg: Path):
    from zlt_assets.maps import build_content

    for story in ("toilets", "coverage", "scorecard"):
        content = build_content(sample_gpkg, story=story)
        for ov in content.overlays:
            assert ov.fields, ov.key
            for f in ov.fields:
                assert f["label"] != f["name"] and " / " in f["label"], (ov.key, f)
                assert not f["name"].startswith("_") and f["name"] != "district_name"
    # the labels are the declared ones (zlt_assets.indicators), not typed again by the map
    from zlt_assets import indicators

    by_key = {ov.key: {f["name"]: f["label"] for f in ov.fields}
              for ov in build_content(sample_gpkg, story="toilets").overlays}
    for key in ("density_per_km2", "density_range", "toilets_needed_for_min"):
        ind = indicators.get(key)
        assert by_key["toilet_districts"][key] == f"{ind.zh} / {ind.en} ({ind.unit})"


def test_class_breaks_and_colours():
    from zlt_assets.maps.overlays import CHORO_COLORS, NO_VALUE_COLOR, class_breaks, class_color

    edges = class_breaks([0, 25, 50, 100])
    assert edges[0] == 0 and edges[-1] == 100 and len(edges) == len(CHORO_COLORS) + 1
    assert class_color(0, edges) == CHORO_COLORS[0]
    assert class_color(100, edges) == CHORO_COLORS[-1]
    assert class_color(50, edges) == CHORO_COLORS[2]
    assert class_color(None, edges) == NO_VALUE_COLOR
    assert class_breaks([]) == [] and class_breaks([3, 3]) == [3, 3]


def test_missing_layers_leave_overlays_out_with_message(crafted: Path, tmp_path: Path):
    import shutil
    import sqlite3

    from zlt_assets.maps import build_content

    inv = tmp_path / "no_facilities.gpkg"
    shutil.copyfile(crafted, inv)
    with sqlite3.connect(inv) as con:  # drop the layers the GeoPackage way
        for table in ("bus_stops", "public_toilets"):
            con.execute(f"DROP TABLE {table}")
            for meta in ("gpkg_contents", "gpkg_geometry_columns"):
                con.execute(f"DELETE FROM {meta} WHERE table_name = ?", (table,))
    content = build_content(inv, analyses=["coverage", "toilet-gaps"])
    assert content.overlays == []
    text = " ".join(content.messages)
    assert "coverage overlay left out" in text and "toilet overlays left out" in text
    assert content.caption[0][0].startswith("无法计算")


def test_sample_map_stays_small(tmp_path: Path, sample_gpkg: Path):
    from zlt_assets.maps import make_meeting_map

    res = make_meeting_map(sample_gpkg, tmp_path / "sample.html",
                           analyses=["coverage", "toilet-gaps", "scorecard"])
    assert res.html_bytes < 5_000_000  # "a few MB" at most (about 1 MB in Nov 2026)
    assert set(res.layer_counts) == set(schema.LAYERS)
    assert res.layer_counts["facade_lighting_buildings"] == 190
    assert set(res.overlays) >= {"coverage_uncovered", "toilet_gaps", "proposed_sites",
                                 "scorecard_choropleth"}
    assert res.story == "coverage"  # the first analysis picks the story


def test_coverage_overlay_draws_the_analysis_result(crafted: Path):
    from zlt_assets.analysis.coverage import compute_coverage
    from zlt_assets.inventory import Inventory
    from zlt_assets.maps import build_content

    inv = Inventory.open(crafted)
    res = compute_coverage(inv.read("bus_stops"), inv.read("urban_area"),
                           districts=inv.read("street_offices"))
    content = build_content(crafted, story="coverage")
    ov = next(o for o in content.overlays if o.key == "coverage_uncovered")
    assert len(ov.gdf) == len(res.uncovered) > 0
    drawn = ov.gdf.to_crs(schema.PROJECT_CRS).area.sum()
    assert drawn == pytest.approx(res.uncovered.area.sum(), rel=0.01)
    # the stops sit in the south-west: the far north-east corner of the urban area is uncovered
    ne = gpd.GeoSeries([Point(BASE_LON + 0.019, BASE_LAT + 0.014)], crs="EPSG:4326")
    assert ov.gdf.intersects(ne.iloc[0]).any()
    assert "500" in ov.title
    districts = next(o for o in content.overlays if o.key == "coverage_districts")
    by = {r["code"]: r for r in res.summary["by_district"]}
    for code, pct in zip(districts.gdf["code"], districts.gdf["area_pct"], strict=True):
        assert pct == pytest.approx(100 * by[code]["area_share"], abs=0.05)


def test_toilet_overlays_draw_gaps_and_say_why_no_proposals(crafted: Path):
    from zlt_assets.maps import build_content

    content = build_content(crafted, story="toilets")
    keys = [o.key for o in content.overlays]
    assert "toilet_gaps" in keys and "proposed_sites" not in keys
    # the crafted inventory has no population grid: the map says why there are no proposals
    assert any("population" in m for m in content.messages)


def test_failed_build_leaves_an_existing_map_untouched(crafted: Path, tmp_path: Path, capsys):
    out = tmp_path / "meeting.html"
    out.write_text("previous map", encoding="utf-8")
    code, _, err = run_main(capsys, "map", "--data", str(crafted), "--out", str(out),
                            "--story", "scorecard", "--indicator", "nope")
    assert code == 2 and "unknown indicator" in err
    assert out.read_text(encoding="utf-8") == "previous map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["meeting.html"]


def test_empty_and_missing_layers(tmp_path: Path):
    import pyogrio

    from zlt_assets.maps import build_content, render_html

    src = make_inventory(tmp_path / "inv.gpkg")
    keep = [n for n in schema.LAYERS if n not in ("parks", "railway")]  # two layers absent
    layers = {n: pyogrio.read_dataframe(src, layer=n) for n in keep}
    layers["bridges"] = layers["bridges"].iloc[0:0]  # one layer empty
    write_layers(tmp_path / "partial.gpkg", layers, replace_file=True)
    content = build_content(tmp_path / "partial.gpkg")
    counts = {lyr.key: len(lyr.gdf) for lyr in content.layers}
    assert "parks" not in counts and "railway" not in counts
    assert counts["bridges"] == 0 and counts["roads"] == COUNTS["roads"]
    cfg = page_config_of(render_html(content))
    keys = [lc["key"] for lc in cfg["layers"]]
    assert "parks" not in keys and "bridges" in keys
    assert layer_cfg(cfg, "bridges")["legend"]["entries"][0]["count"] == 0


# ------------------------------------------------------------------------------ print
@pytest.mark.parametrize("paper, size_mm", [("a4", (297, 210)), ("a3", (420, 297))])
def test_print_pdf_is_the_paper_size_with_title_legend_and_notices(crafted: Path, tmp_path: Path,
                                                                   paper, size_mm):
    import shutil
    import subprocess

    from zlt_assets.maps import build_content
    from zlt_assets.maps.static_png import render_print

    content = build_content(crafted, story="toilets")
    pdf = render_print(content, tmp_path / "p.pdf", paper=paper)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
    w, h = float(m.group(1)) / 72 * 25.4, float(m.group(2)) / 72 * 25.4
    assert (round(w), round(h)) == size_mm
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True).stdout
    for needle in ("公厕缺口与建议选址", "图例", "Legend", "非正式审图地图", "示意数据",
                   "数据日期", "2021年3月15日", "比例尺", "北"):
        assert needle in text, needle
    assert re.search(r"1:[\d,]+", text)


def test_print_png_is_300_dpi_a4_landscape(crafted: Path, tmp_path: Path):
    import matplotlib.image as mpimg
    from PIL import Image

    from zlt_assets.maps import build_content
    from zlt_assets.maps.static_png import render_png

    png = render_png(build_content(crafted, story="works"), tmp_path / "w.png")
    with Image.open(png) as im:
        assert im.size == (3508, 2480)
        assert round(im.info["dpi"][0]) == 300
    img = mpimg.imread(png)[..., :3]
    # the notice box is red-bordered near the bottom left
    bottom = img[-300:, :1500]
    red = (bottom[..., 0] > 0.6) & (bottom[..., 1] < 0.2) & (bottom[..., 2] < 0.2)
    assert red.sum() > 2000
