"""The meeting map in a real browser (Debian's chromium driven by Playwright).

Under ``CI=true`` these tests fail when Chromium or Playwright is missing; elsewhere they skip.
Playwright's own browser download is not used: the system chromium is launched by path
(``ZLT_CHROMIUM`` or ``chromium`` on PATH), with the flags of the environment notes.
"""
from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from conftest import require_component
from test_maps import COUNTS, EVIL_NAME, QUOTE_NAME, make_inventory

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
LOCAL_SCHEMES = ("file:", "data:", "about:")


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
def map_file(tmp_path_factory) -> Path:
    from zlt_assets.maps import make_meeting_map

    d = tmp_path_factory.mktemp("browser_map")
    inv = make_inventory(d / "crafted.gpkg", many_stops=200)
    return make_meeting_map(inv, d / "map.html", analyses=["scorecard"]).html_path


class Session:
    """A page with every request, console message, page error and dialog recorded."""

    def __init__(self, browser, url: str) -> None:
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 860})
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

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser, map_file: Path):
    s = Session(browser, map_file.as_uri())
    yield s
    s.close()


def test_offline_map_makes_no_request_and_no_error(session: Session):
    session.page.wait_for_timeout(300)  # let tiles, fonts or images (if any) be requested
    external = [u for u in session.requests if not u.startswith(LOCAL_SCHEMES)]
    assert external == []
    assert session.requests[0].startswith("file:")
    assert session.console_errors == []
    assert session.page_errors == []


def test_every_feature_of_every_layer_is_on_the_page(session: Session):
    counts = session.page.evaluate(
        "Object.fromEntries(Object.entries(window.zltMap.layers).map("
        "([k, v]) => [k, v.container.getLayers().length]))")
    expected = dict(COUNTS, bus_stops=COUNTS["bus_stops"] + 200, scorecard_choropleth=2)
    assert counts == expected
    on_map = session.page.evaluate(
        "Object.fromEntries(Object.entries(window.zltMap.layers).map("
        "([k, v]) => [k, v.container._map !== null && v.container._map !== undefined]))")
    assert on_map["city_boundary"] is False  # hidden by default, switchable
    assert all(v for k, v in on_map.items() if k != "city_boundary")
    assert session.page.evaluate("window.zltMap.layers.bus_stops.clustered") is True
    assert session.page.locator(".marker-cluster").count() > 0
    assert session.page.locator("canvas.leaflet-zoom-animated").count() >= 1


def test_controls_legend_and_title_are_there(session: Session):
    p = session.page
    assert p.locator(".leaflet-control-scale").count() == 1
    assert p.locator(".leaflet-control-zoom-fullscreen").count() == 1
    assert p.locator(".leaflet-control-measure").count() == 1
    assert p.locator(".zlt-search-input").count() == 1
    legend = p.locator(".zlt-legend").inner_text()
    assert "主干路 / Main road" in legend and "固定式公厕 / Fixed public toilet" in legend
    title = p.locator(".zlt-title").inner_text()
    assert "非正式审图地图" in title and "示意数据" in title


def test_layer_group_switch_hides_its_layers(session: Session):
    p = session.page
    p.locator('.zlt-group[data-group="facilities"] .zlt-group-title input').uncheck()
    hidden = p.evaluate("['public_toilets','bus_stops','drainage_points'].map("
                        "k => window.zltMap.layers[k].container._map === null || "
                        "window.zltMap.layers[k].container._map === undefined)")
    assert hidden == [True, True, True]
    assert p.evaluate("!!window.zltMap.layers.roads.container._map")
    p.locator('input[data-layer="bus_stops"]').check()
    assert p.evaluate("!!window.zltMap.layers.bus_stops.container._map")


def test_screenshot_is_not_blank(session: Session):
    import matplotlib.image as mpimg

    png = session.page.screenshot()
    img = mpimg.imread(io.BytesIO(png), format="png")[..., :3]
    h, w = img.shape[:2]
    centre = img[h // 4: 3 * h // 4, w // 4: 3 * w // 4]
    assert float(img.std()) > 0.05
    assert float(centre.std()) > 0.02  # features drawn in the middle, not only controls


def test_markup_in_names_shows_as_text_and_runs_nothing(session: Session):
    p = session.page
    box = p.locator(".zlt-search-input")
    box.fill("onerror")
    hit = p.locator(".zlt-search-hit .zlt-search-name")
    assert hit.count() == 1
    assert hit.first.text_content() == EVIL_NAME
    hit.first.click()
    popup = p.locator(".leaflet-popup .zlt-popup-name")
    popup.wait_for()
    assert popup.text_content() == EVIL_NAME
    assert p.locator(".leaflet-popup img").count() == 0
    # quotes, backticks and a closing script tag
    box.fill("tick")
    p.locator(".zlt-search-hit").first.click()
    p.wait_for_function("document.querySelector('.leaflet-popup .zlt-popup-name') && "
                        "document.querySelector('.leaflet-popup .zlt-popup-name').textContent"
                        ".indexOf('tick') >= 0")
    assert p.locator(".leaflet-popup .zlt-popup-name").text_content() == QUOTE_NAME
    assert p.locator(".leaflet-popup script").count() == 0
    # tooltips are text too
    p.evaluate("window.zltMap.search('onerror')[0].layer.openTooltip()")
    assert p.locator(".leaflet-tooltip .zlt-tip").first.text_content() == EVIL_NAME
    p.wait_for_timeout(300)  # a failed <img> would fire onerror by now
    assert session.dialogs == []
    assert session.page_errors == []
    assert p.locator("img[src='x']").count() == 0


def test_search_finds_a_clustered_stop_and_opens_its_popup(session: Session):
    p = session.page
    p.locator(".zlt-search-input").fill("站125")
    hits = p.locator(".zlt-search-hit .zlt-search-name")
    assert hits.count() == 1 and hits.first.text_content() == "站125"
    hits.first.click()
    name = p.locator(".leaflet-popup .zlt-popup-name")
    name.wait_for()
    assert name.text_content() == "站125"
    table = p.locator(".leaflet-popup .zlt-popup-table").inner_text()
    assert "在用 / In service" in table  # domain codes shown as their labels
    assert "150783" in table  # the object id
    assert session.page_errors == []


def test_measuring_an_area_works_on_the_canvas_map(session: Session):
    p = session.page
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
    assert session.page_errors == []
    external = [u for u in session.requests if not u.startswith(LOCAL_SCHEMES)]
    missing = [u for u in session.requests if u.startswith("file:") and not u.endswith(".html")]
    assert external == [] and missing == []  # no marker image looked up beside the page
