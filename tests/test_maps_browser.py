"""The meeting maps in a real browser (Debian's chromium driven by Playwright), used as people do.

Under ``CI=true`` these tests fail when Chromium or Playwright is missing; elsewhere they skip.
Playwright's own browser download is not used: the system chromium is launched by path
(``ZLT_CHROMIUM`` or ``chromium`` on PATH), with the flags of the environment notes.

Clicks land where a person clicks: the map is centred on a feature, the feature's screen
position is taken from Leaflet (``latLngToContainerPoint``) and the mouse moves and clicks there
(a point inside a polygon, a point along a line, the point itself). Which feature must answer
is worked out independently, in Python, from the page's data: every interactive feature under
that pixel (Leaflet's hit rules: inside a polygon, within half the stroke plus the renderer's
tolerance of a line or point), the one drawn last (declared order) wins. Screenshots are kept in
``ZLT_SCREENSHOTS`` when that variable names a folder (they are looked at, not only asserted).
"""
from __future__ import annotations

import contextlib
import io
import math
import os
import shutil
from pathlib import Path

import pytest
from conftest import require_component
from test_maps import (
    COUNTS,
    EVIL_NAME,
    QUOTE_NAME,
    column,
    decode_layer,
    make_inventory,
    page_config_of,
    page_to_lonlat,
)

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
LOCAL_SCHEMES = ("file:", "data:", "about:")
CLICK_ZOOM = 17
#: Leaflet canvas renderer tolerance set by meeting_map.js (pixels).
TOLERANCE_PX = 4
SIZES = {"projector": (1024, 768), "screen": (1920, 1080)}
CUT = 160  # characters of a value the popup shows before "show all"


def _chromium() -> str | None:
    env = os.environ.get("ZLT_CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require_component("Chromium", exe is not None and sync_playwright is not None,
                      "apt-get install chromium; pip install playwright (no `playwright install`)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def crafted_maps(tmp_path_factory) -> Path:
    """Every story of the crafted inventory (counts and positions known by construction)."""
    from zlt_assets.maps import make_story_maps

    d = tmp_path_factory.mktemp("browser_maps")
    inv = make_inventory(d / "crafted.gpkg", many_stops=200)
    make_story_maps(inv, d / "maps")
    return d / "maps"


@pytest.fixture(scope="module")
def sample_maps(tmp_path_factory, sample_gpkg: Path) -> Path:
    """Every story of the shipped sample (real density: 636 roads, 190 buildings...)."""
    from zlt_assets.maps import make_story_maps

    d = tmp_path_factory.mktemp("sample_maps")
    make_story_maps(sample_gpkg, d)
    return d


class Session:
    """A page with every request, console message, page error and dialog recorded."""

    def __init__(self, browser, url: str, size: tuple[int, int] = (1280, 860)) -> None:
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console_errors.append(m.text)
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))

        def on_dialog(d) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", on_dialog)
        self.page.goto(url)
        self.page.wait_for_function("window.zltMap !== undefined && window.zltMap.layers")
        self.page.wait_for_load_state("load")
        self.cfg = self.page.evaluate("window.zltMap.config")

    def close(self) -> None:
        self.context.close()

    def frame(self) -> None:
        """Wait for two animation frames (the canvas redraws on the next one)."""
        self.page.evaluate("new Promise(r => requestAnimationFrame(() => "
                           "requestAnimationFrame(r)))")

    def screen_xy(self, lat: float, lng: float, zoom: int | None = CLICK_ZOOM
                  ) -> tuple[float, float]:
        """Centre the map on a place (at ``zoom``) and return its position on the page."""
        if zoom is not None:
            # stop a popup's auto-pan still running, then jump (no animation)
            self.page.evaluate(f"void window.zltMap.map.stop().setView([{lat}, {lng}], {zoom}, "
                               "{animate: false})")
        self.frame()
        x, y = self.page.evaluate(
            f"(() => {{ const m = window.zltMap.map; const p = m.latLngToContainerPoint("
            f"[{lat}, {lng}]); const r = m.getContainer().getBoundingClientRect(); "
            f"return [r.left + p.x, r.top + p.y]; }})()")
        return x, y

    def visible(self) -> list[str]:
        return self.page.evaluate("window.zltMap.visible()")


def open_story(browser, folder: Path, story: str, size: tuple[int, int] = (1280, 860)) -> Session:
    return Session(browser, (folder / f"{story}.html").as_uri(), size)


@contextlib.contextmanager
def opened(browser, folder: Path, story: str, size: tuple[int, int] = (1280, 860)):
    """A story's page, closed afterwards."""
    s = open_story(browser, folder, story, size)
    try:
        yield s
    finally:
        s.close()


# ------------------------------------------------------------------------- the hit oracle
class HitOracle:
    """Which feature Leaflet's canvas must report at a pixel, computed from the page data."""

    def __init__(self, cfg: dict, visible: list[str], zoom: int = CLICK_ZOOM) -> None:
        import shapely

        self.px = 2.0 ** (zoom - 20)  # page pixels (zoom 20) to screen pixels at this zoom
        self.res = 1.0  # the oracle works in screen pixels
        self.scale = 1.0 if zoom >= 16 else max(0.45, 1 - (16 - zoom) * 0.14)
        self.layers = []
        self.flat: list[tuple[int, int, str, str, object, float]] = []
        for order, lc in enumerate(cfg["layers"]):
            if lc["key"] not in visible or not lc["interactive"]:
                continue
            feats = []
            for i, g in enumerate(decode_layer(lc, self.px)):
                tol = self._tolerance(lc, i)
                feats.append((i, g, tol))
                self.flat.append((order, i, lc["key"], lc["kind"], g, tol))
            self.layers.append((order, lc, feats))
        self.tree = shapely.STRtree([f[4] for f in self.flat])
        self.max_tol = max([f[5] for f in self.flat] or [0.0])

    def _tolerance(self, lc: dict, i: int) -> float:
        s = lc["style"]
        width = s["width"]
        if s["field"]:
            cls = s["classes"].get(column(lc, s["field"])[i])
            if cls and cls.get("width"):
                width = cls["width"]
        if lc["kind"] == "point":
            scale = self.scale if lc["count"] > 300 else 1.0  # meeting_map.js DENSE_POINTS
            return (s["radius"] * scale + width / 2 + TOLERANCE_PX) * self.res
        return (width / 2 + TOLERANCE_PX) * self.res

    def top(self, x: float, y: float) -> tuple[str, int] | None:
        """(layer, feature index) drawn last among the features under the Mercator point.

        Near a hit-test edge (between 0.8 and 1.2 of a tolerance) the answer is "unclear"
        (``("?", -1)``): such pixels are not used for clicks.
        """
        from shapely.geometry import Point

        p = Point(x, y)
        hits, unclear = [], []
        for k in self.tree.query(p.buffer(self.max_tol * 1.3)):
            order, i, key, kind, g, tol = self.flat[int(k)]
            if kind == "polygon" and g.contains(p):
                hits.append((order, i, key))
                continue
            d = g.distance(p)
            if d <= tol * 0.8:
                hits.append((order, i, key))
            elif d <= tol * 1.2:
                unclear.append((order, i, key))
        best = max(hits) if hits else None
        if unclear and (best is None or max(unclear) > best):
            return ("?", -1)  # an edge drawn above the best hit: not a pixel to test with
        return None if best is None else (best[2], best[1])

    def clear(self, x: float, y: float, key: str, i: int, margin_px: float = 3) -> bool:
        """The pixel and its neighbours all answer with this feature (no edge cases)."""
        d = margin_px * self.res
        return all(self.top(x + dx, y + dy) == (key, i)
                   for dx, dy in ((0, 0), (d, 0), (-d, 0), (0, d), (0, -d)))

    def click_point(self, key: str, i: int) -> tuple[float, float] | None:
        """A (lat, lng) where a click must reach feature ``i`` of ``key``, or None."""
        from shapely.geometry import Point

        lc, g = next((lc, g) for _o, lc, feats in self.layers if lc["key"] == key
                     for j, g, _t in feats if j == i)
        if lc["kind"] == "point":
            cands = [g]
        elif lc["kind"] == "line":
            cands = [g.interpolate(f, normalized=True) for f in (0.5, 0.35, 0.65, 0.2, 0.8)]
        else:
            inner = g.buffer(-6 * self.res)
            base = inner if not inner.is_empty else g
            cands = [base.representative_point()]
            minx, miny, maxx, maxy = base.bounds
            for fx in (0.25, 0.5, 0.75):
                for fy in (0.25, 0.5, 0.75):
                    q = Point(minx + fx * (maxx - minx), miny + fy * (maxy - miny))
                    if base.contains(q):
                        cands.append(q)
        for c in cands:
            if self.clear(c.x, c.y, key, i):
                lng, lat = self.tr_inverse(c.x, c.y)
                return lat, lng
        return None

    def tr_inverse(self, x: float, y: float) -> tuple[float, float]:
        lon, lat = page_to_lonlat(x / self.px, y / self.px)
        return float(lon), float(lat)


def _expected_heading(lc: dict, i: int) -> str | None:
    """The popup's heading: the feature's name, else its id (None when it has neither)."""
    name = column(lc, lc["nameField"])[i] if lc["nameField"] else None
    if name in (None, ""):
        name = column(lc, lc["idField"])[i] if lc["idField"] else None
    if name in (None, ""):
        return None
    text = str(name)
    return text if len(text) <= CUT else text[:CUT] + "…"


def click_and_read(s: Session, lat: float, lng: float) -> tuple[str | None, str | None, str]:
    """Move to the place, hover (tooltip text), click, return (layer, popup heading, tooltip)."""
    p = s.page
    p.evaluate("void window.zltMap.map.closePopup()")
    x, y = s.screen_xy(lat, lng)
    p.mouse.move(x - 30, y - 30)
    p.mouse.move(x, y)
    p.wait_for_timeout(40)  # Leaflet throttles hover tests to one per 32 ms
    p.mouse.move(x, y + 0.5)
    tip = p.evaluate("(() => { const t = document.querySelector('.zlt-tip-wrap'); "
                     "return t ? t.textContent : ''; })()")
    p.mouse.click(x, y)
    s.frame()
    got = p.evaluate(
        "(() => { const b = document.querySelector('.leaflet-popup .zlt-popup'); if (!b) "
        "return [null, null]; const n = b.querySelector('.zlt-popup-name .zlt-value'); "
        "return [b.getAttribute('data-layer'), n ? n.textContent : null]; })()")
    return got[0], got[1], tip


def assert_every_layer_answers(s: Session, per_layer: int | None) -> dict[str, int]:
    """Click features of every visible interactive layer; returns clicks per layer."""
    oracle = HitOracle(s.cfg, s.visible())
    clicked: dict[str, int] = {}
    for _order, lc, feats in oracle.layers:
        done = 0
        for i, _g, _t in feats:
            if per_layer is not None and done >= per_layer:
                break
            where = oracle.click_point(lc["key"], i)
            if where is None:
                continue
            layer, heading, tip = click_and_read(s, *where)
            expected = _expected_heading(lc, i)
            assert (layer, heading) == (lc["key"], expected), (lc["key"], i, where, s.page.evaluate(
                "[zltMap.map.getCenter(), zltMap.state.popup.getLatLng(), zltMap.map.getZoom(), "
                "window.innerWidth, window.innerHeight]"))
            assert (expected or lc["title"])[:20] in tip, (lc["key"], i, tip)
            done += 1
        clicked[lc["key"]] = done
    return clicked


# ------------------------------------------------------------------------------ the tests
STORIES = ("inventory", "coverage", "toilets", "works", "drainage", "scorecard")


@pytest.mark.parametrize("story", STORIES)
def test_every_feature_of_every_layer_answers_a_click_at_its_place(browser, crafted_maps, story):
    from zlt_assets import schema

    with opened(browser, crafted_maps, story) as s:
        clicked = assert_every_layer_answers(s, per_layer=25)
        interactive = [lc["key"] for lc in s.cfg["layers"] if lc["interactive"]
                       and lc["key"] in s.visible() and lc["count"]]
        assert interactive and set(clicked) == set(interactive)
        counts = {lc["key"]: lc["count"] for lc in s.cfg["layers"]}
        for key, n in clicked.items():
            # the crafted assets are apart: every one is reachable (bus stops: a dense grid,
            # the first 25 are clicked); an analysis layer may lie beneath another one (a
            # street office wholly inside a coverage gap answers through the gap's popup)
            if key in schema.ASSET_LAYERS:
                assert n == min(25, counts[key]), (key, n, counts[key])
            else:
                assert n >= 1, key
        assert s.page_errors == [] and s.console_errors == []


@pytest.mark.parametrize("story", STORIES)
def test_sample_features_answer_clicks_too(browser, sample_maps, story):
    with opened(browser, sample_maps, story) as s:
        clicked = assert_every_layer_answers(s, per_layer=3)
        assert all(n >= 1 for n in clicked.values()), clicked
        assert s.page_errors == []


@pytest.mark.parametrize("story", STORIES)
def test_every_asset_layer_switched_on_answers_in_every_story(browser, crafted_maps, story):
    """A person switches every asset layer on in the layer list (over the story's analysis
    layers): a click on each asset reaches that asset, unless an analysis layer drawn above it
    covers that very place (then that layer answers, as the oracle expects)."""
    from zlt_assets import schema

    with opened(browser, crafted_maps, story) as s:
        p = s.page
        if p.locator(".zlt-layers .zlt-panel-body").is_hidden():
            p.click(".zlt-layers .zlt-panel-toggle")
        for key in schema.ASSET_LAYERS:
            box = p.locator(f'.zlt-layers input[data-layer="{key}"]')
            if not box.is_checked():
                box.check()
        assert set(schema.ASSET_LAYERS) <= set(s.visible())
        order = s.page.evaluate("window.zltMap.drawOrder()")
        assert order == [lc["key"] for lc in s.cfg["layers"] if lc["key"] in order]
        clicked = assert_every_layer_answers(s, per_layer=3)  # every feature: the test above
        oracle = HitOracle(s.cfg, s.visible())
        counts = {lc["key"]: lc["count"] for lc in s.cfg["layers"]}
        for key in schema.ASSET_LAYERS:
            reachable = sum(oracle.click_point(key, i) is not None for i in range(counts[key]))
            assert clicked[key] == min(3, reachable), (key, clicked[key], reachable)
            above = [lc["key"] for lc in s.cfg["layers"][[lc["key"] for lc in s.cfg["layers"]]
                     .index(key) + 1:] if lc["key"] in s.visible() and lc["interactive"]
                     and lc["key"] not in schema.ASSET_LAYERS]
            if not above:  # nothing of the story above it: every feature answers
                assert reachable == counts[key], (key, reachable, counts[key])
        assert s.page_errors == [] and s.console_errors == []


def test_frame_layers_do_not_take_the_click(browser, crafted_maps):
    """Inside the urban area, the river and a park, away from assets: no frame popup opens."""
    with opened(browser, crafted_maps, "inventory") as s:
        from test_maps import BASE_LAT, BASE_LON

        for lat, lng in ((BASE_LAT + 0.012, BASE_LON - 0.006),   # park, inside the urban area
                         (BASE_LAT + 0.0102, BASE_LON + 0.018),  # on the river
                         (BASE_LAT + 0.007, BASE_LON + 0.012)):   # urban area, street office
            layer, _, _ = click_and_read(s, lat, lng)
            assert layer is None


def test_offline_map_makes_no_request_and_no_error(browser, crafted_maps):
    for story in STORIES:
        s = open_story(browser, crafted_maps, story)
        try:
            s.page.wait_for_timeout(200)  # let tiles, fonts or images (if any) be requested
            external = [u for u in s.requests if not u.startswith(LOCAL_SCHEMES)]
            assert external == [], story
            assert s.requests[0].startswith("file:")
            assert s.console_errors == [] and s.page_errors == [], story
        finally:
            s.close()


def test_group_switch_switches_all_its_layers_and_the_order_holds(browser, crafted_maps):
    with opened(browser, crafted_maps, "inventory") as s:
        p = s.page
        declared = [lc["key"] for lc in s.cfg["layers"]]
        start = s.visible()
        assert p.evaluate("window.zltMap.drawOrder()") == start
        assert start == [k for k in declared if k in start]
        if p.locator(".zlt-layers .zlt-panel-body").is_hidden():
            p.click(".zlt-layers .zlt-panel-toggle")
        group = p.locator('.zlt-group[data-group="facilities"] .zlt-group-title input')
        facilities = ["drainage_points", "bus_stops", "public_toilets"]
        group.uncheck()
        assert not set(facilities) & set(s.visible())
        for k in facilities:
            assert not p.locator(f'input[data-layer="{k}"]').is_checked()
        group.check()  # 0.1 switched only one layer back on here
        assert set(facilities) <= set(s.visible())
        assert all(p.locator(f'input[data-layer="{k}"]').is_checked() for k in facilities)
        # a layer switched back on goes back to its place, not on top
        p.locator('input[data-layer="facade_lighting_buildings"]').uncheck()
        p.locator('input[data-layer="facade_lighting_buildings"]').check()
        p.locator('.zlt-group[data-group="frame"] .zlt-group-title input').uncheck()
        p.locator('.zlt-group[data-group="frame"] .zlt-group-title input').check()
        order = p.evaluate("window.zltMap.drawOrder()")
        assert order == [k for k in declared if k in order]
        assert "city_boundary" in order  # the group box switched the hidden frame on too
        # the legend follows the switches: a block per visible layer, none for the others
        blocks = p.evaluate("[...document.querySelectorAll('.zlt-legend-block')]"
                            ".map(b => b.getAttribute('data-layer'))")
        assert sorted(blocks) == sorted(s.visible())
        p.locator('input[data-layer="roads"]').uncheck()
        blocks = p.evaluate("[...document.querySelectorAll('.zlt-legend-block')]"
                            ".map(b => b.getAttribute('data-layer'))")
        assert "roads" not in blocks and "bridges" in blocks
        # switching a hidden layer on (the search does) keeps the order too
        order = p.evaluate("window.zltMap.setVisible('roads', true), window.zltMap.drawOrder()")
        assert order == [k for k in declared if k in order]


def test_legend_shows_classes_present_and_collapses(browser, crafted_maps):
    with opened(browser, crafted_maps, "inventory") as s:
        p = s.page
        legend = p.locator(".zlt-legend").inner_text()
        assert "主干路 / Main road" in legend and "固定式公厕 / Fixed public toilet" in legend
        assert "快速路" not in legend  # the crafted data has no expressway
        p.click(".zlt-legend .zlt-panel-toggle")
        assert p.locator(".zlt-legend .zlt-panel-body").is_hidden()
        p.click(".zlt-legend .zlt-panel-toggle")
        assert p.locator(".zlt-legend .zlt-panel-body").is_visible()
        # swatch colours are the declared ones
        from zlt_assets import symbology

        fill = p.evaluate("document.querySelector('.zlt-legend-block[data-layer=\"roads\"] "
                          ".zlt-legend-row[data-code=\"main\"] line').getAttribute('stroke')")
        assert fill == symbology.layer_style("roads").color_of("main")


def _boxes(p) -> dict[str, dict]:
    return p.evaluate("""(() => {
        const out = {};
        const sel = {title: '.zlt-title', layers: '.zlt-layers', legend: '.zlt-legend',
                     zoom: '.leaflet-control-zoom', scale: '.leaflet-control-scale',
                     caption: '.zlt-caption', notices: '.zlt-notices', map: '.folium-map'};
        for (const [k, s] of Object.entries(sel)) {
            const e = document.querySelector(s);
            if (e) { const r = e.getBoundingClientRect();
                     out[k] = {x: r.left, y: r.top, w: r.width, h: r.height}; }
        }
        return out; })()""")


def _overlap(a: dict, b: dict) -> float:
    w = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return max(0.0, w) * max(0.0, h)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("story", STORIES)
def test_layout_at_projector_and_screen_sizes(browser, sample_maps, story, size):
    w, h = SIZES[size]
    with opened(browser, sample_maps, story, (w, h)) as s:
        p = s.page
        s.frame()
        shots = os.environ.get("ZLT_SCREENSHOTS")
        png = p.screenshot(path=str(Path(shots) / f"{story}_{w}x{h}.png") if shots else None)
        b = _boxes(p)
        for k in ("title", "caption", "notices", "legend", "layers", "zoom", "scale"):
            box = b[k]
            assert box["w"] > 0 and box["h"] > 0, k
            assert box["x"] >= 0 and box["y"] >= 0, k
            assert box["x"] + box["w"] <= w + 0.5 and box["y"] + box["h"] <= h + 0.5, k
        # the caption is really seen: the element at its centre is the caption itself
        seen = p.evaluate("(() => { const c = document.querySelector('.zlt-caption'); "
                          "const r = c.getBoundingClientRect(); const e = document."
                          "elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); "
                          "return c.contains(e); })()")
        assert seen
        assert p.locator(".zlt-title-main").inner_text() == s.cfg["title"]["main"]
        # panels do not cover each other, and leave most of the map free
        panels = ["title", "layers", "legend", "zoom"]
        for i, a in enumerate(panels):
            for c in panels[i + 1:]:
                assert _overlap(b[a], b[c]) < 1, (a, c)
        covered = sum(b[k]["w"] * b[k]["h"] for k in panels)
        assert covered / (w * h) < 0.33, covered / (w * h)
        # the data extent is fitted beside the panels, not beneath them
        (south, west), (north, east) = s.cfg["bounds"]
        x0, y0 = s.screen_xy(north, west, zoom=None)
        x1, y1 = s.screen_xy(south, east, zoom=None)
        data = {"x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0}
        under = sum(_overlap(data, b[k]) for k in panels) / (data["w"] * data["h"])
        assert under < 0.08, under
        assert data["w"] * data["h"] > 0.12 * w * h  # and it is not a postage stamp
        import matplotlib.image as mpimg

        img = mpimg.imread(io.BytesIO(png), format="png")[..., :3]
        mid = img[int(data["y"]):int(data["y"] + data["h"]), int(data["x"]):int(data["x"] +
                                                                                 data["w"])]
        assert float(mid.std()) > 0.05  # features drawn there


def test_long_popups_scroll_and_long_values_are_cut(browser, tmp_path):
    import pyogrio

    from zlt_assets import schema
    from zlt_assets.inventory import write_layers
    from zlt_assets.maps import make_meeting_map

    src = make_inventory(tmp_path / "inv.gpkg")
    layers = {n: pyogrio.read_dataframe(src, layer=n) for n in schema.LAYERS}
    long_name = "长名" * 50_000  # 100,000 characters
    layers["roads"].loc[0, "name"] = long_name
    layers["roads"].loc[1, "name"] = "abc\u202egnp.exe"
    write_layers(src, layers)
    out = make_meeting_map(src, tmp_path / "m.html").html_path
    s = Session(browser, out.as_uri(), (1600, 900))
    p = s.page
    try:
        oracle = HitOracle(s.cfg, s.visible())
        where = oracle.click_point("roads", 0)
        layer, heading, _ = click_and_read(s, *where)
        assert layer == "roads" and heading == long_name[:CUT] + "…"
        p.wait_for_timeout(400)  # the popup pans itself into view
        box = p.evaluate("(() => { const c = document.querySelector('.leaflet-popup-content'); "
                         "const r = c.getBoundingClientRect(); return {y: r.top, h: r.height, "
                         "sh: c.scrollHeight, ch: c.clientHeight}; })()")
        assert box["h"] < 900 * 0.6 and box["y"] >= 0  # a road popup (19 rows) fits and scrolls
        assert box["sh"] > box["ch"]
        more = p.locator(".leaflet-popup .zlt-popup-name .zlt-more")
        assert "100000" in more.inner_text()
        more.click()
        full = p.evaluate("document.querySelector('.leaflet-popup .zlt-popup-name .zlt-value')"
                          ".textContent.length")
        assert full == len(long_name)
        height = p.evaluate("document.querySelector('.leaflet-popup-content')"
                            ".getBoundingClientRect().height")
        assert height < 900 * 0.6  # the whole text scrolls inside the popup
        layer, heading, tip = click_and_read(s, *oracle.click_point("roads", 1))
        assert heading == "abc\ufffdgnp.exe" and "\u202e" not in tip
    finally:
        s.close()


def test_markup_in_names_shows_as_text_and_runs_nothing(browser, crafted_maps):
    with opened(browser, crafted_maps, "inventory") as s:
        p = s.page
        if p.locator(".zlt-layers .zlt-panel-body").is_hidden():
            p.click(".zlt-layers .zlt-panel-toggle")
        box = p.locator(".zlt-search-input")
        box.fill("onerror")
        hit = p.locator(".zlt-search-hit .zlt-search-name")
        assert hit.count() == 1 and hit.first.text_content() == EVIL_NAME
        hit.first.click()
        popup = p.locator(".leaflet-popup .zlt-popup-name .zlt-value")
        popup.wait_for()
        assert popup.text_content() == EVIL_NAME
        assert p.locator(".leaflet-popup img").count() == 0
        box.fill("tick")
        p.locator(".zlt-search-hit").first.click()
        p.wait_for_function("document.querySelector('.leaflet-popup .zlt-popup-name') && "
                            "document.querySelector('.leaflet-popup .zlt-popup-name')"
                            ".textContent.indexOf('tick') >= 0")
        assert p.locator(".leaflet-popup .zlt-popup-name .zlt-value").text_content() == QUOTE_NAME
        assert p.locator(".leaflet-popup script").count() == 0
        p.wait_for_timeout(300)  # a failed <img> would fire onerror by now
        assert s.dialogs == [] and s.page_errors == []
        assert p.locator("img[src='x']").count() == 0


def test_search_finds_a_hidden_layer_and_switches_it_on(browser, crafted_maps):
    with opened(browser, crafted_maps, "drainage") as s:
        p = s.page
        assert "bus_stops" not in s.visible()
        hits = p.evaluate("window.zltMap.search('站125').map(h => h.name)")
        assert hits == ["站125"]
        p.evaluate("void window.zltMap.goTo(window.zltMap.search('站125')[0])")
        name = p.locator(".leaflet-popup .zlt-popup-name .zlt-value")
        name.wait_for()
        assert name.text_content() == "站125"
        table = p.locator(".leaflet-popup .zlt-popup-table").inner_text()
        assert "在用 / In service" in table and "150783" in table
        assert "bus_stops" in s.visible()
        order = p.evaluate("window.zltMap.drawOrder()")
        assert order == [lc["key"] for lc in s.cfg["layers"] if lc["key"] in order]


def test_labels_show_at_large_scales_only(browser, crafted_maps):
    from test_maps import BASE_LAT, BASE_LON

    with opened(browser, crafted_maps, "inventory") as s:
        p = s.page
        s.screen_xy(BASE_LAT - 0.003, BASE_LON + 0.003, zoom=13)
        labels = p.evaluate("[...document.querySelectorAll('.zlt-label')].map(e => e.textContent)")
        assert "路2" not in labels  # roads are labelled from 1:10,000 on
        assert "兴华街道" in labels  # street offices from 1:60,000
        s.screen_xy(BASE_LAT - 0.003, BASE_LON + 0.003, zoom=17)
        labels = p.evaluate("[...document.querySelectorAll('.zlt-label')].map(e => e.textContent)")
        assert "路2" in labels
        # labels never take the click
        assert p.evaluate("getComputedStyle(document.querySelector('.zlt-label'))"
                          ".pointerEvents") == "none"


def test_every_point_is_drawn_no_clusters(browser, crafted_maps):
    with opened(browser, crafted_maps, "inventory") as s:
        s.frame()
        counts = s.page.evaluate(
            "Object.fromEntries(window.zltMap.visible().map(k => "
            "[k, window.zltMap.layers[k].drawn]))")
        expected = {k: v for k, v in COUNTS.items() if k != "city_boundary"}
        expected["bus_stops"] += 200
        assert counts == expected
        assert s.page.locator(".marker-cluster").count() == 0
        assert s.page.locator("canvas").count() == 1  # one canvas: one drawing order
        # zoomed far in, only what is in view is drawn
        s.screen_xy(48.0, 122.74, zoom=19)
        assert s.page.evaluate("window.zltMap.layers.roads.drawn") < COUNTS["roads"]


def test_measuring_an_area_works_on_the_canvas_map(browser, crafted_maps):
    with opened(browser, crafted_maps, "inventory") as s:
        p = s.page
        p.hover(".leaflet-control-measure")
        p.click(".leaflet-control-measure .js-start")
        box = p.locator(".folium-map").bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        for dx, dy in ((0, 0), (120, 0), (120, 120)):
            p.mouse.click(cx + dx, cy + dy)
        p.click(".leaflet-control-measure .js-finish")
        popup = p.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "平方米" in popup.inner_text()  # area result, localised
        assert s.page_errors == []
        external = [u for u in s.requests if not u.startswith(LOCAL_SCHEMES)]
        missing = [u for u in s.requests if u.startswith("file:") and not u.endswith(".html")]
        assert external == [] and missing == []  # no marker image looked up beside the page


def test_index_links_every_story(browser, crafted_maps):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    try:
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((crafted_maps / "index.html").as_uri())
        links = page.evaluate("[...document.querySelectorAll('a')].map(a => a.href)")
        assert len(links) == len(STORIES)
        assert all(link.startswith("file:") for link in links)
        page.click(".story[data-story='coverage'] a")
        page.wait_for_function("window.zltMap !== undefined")
        assert page.evaluate("window.zltMap.config.story") == "coverage"
        assert all(u.startswith(LOCAL_SCHEMES) for u in requests)
    finally:
        context.close()


def test_page_config_is_what_the_file_holds(crafted_maps):
    cfg = page_config_of((crafted_maps / "works.html").read_text(encoding="utf-8"))
    assert cfg["story"] == "works"
    assert math.isfinite(cfg["bounds"][0][0])
