"""The documentation site builds with ``mkdocs build --strict`` and every link in it works.

MkDocs checks the links between pages and their anchors (``validation`` in mkdocs.yml);
scripts/mkdocs_hooks.py adds the Markdown files outside docs/ that pages link to and fails on
links to files that do not exist. This test builds the site into a temporary folder, as CI does,
and then checks the built HTML itself: every local ``href``/``src`` names a file of the site,
every ``#anchor`` exists on its page, every image in docs/img is used, and the site loads nothing
from the network (it is read offline, like the maps). No network is used.
"""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import require_component

REPO = Path(__file__).resolve().parents[1]


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if name in ("href", "src") and value is not None:
                self.refs.append((tag, name, value))


def _parse(path: Path) -> _Refs:
    p = _Refs()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    require_component("mkdocs", importlib.util.find_spec("mkdocs") is not None,
                      "pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                           "-f", str(REPO / "mkdocs.yml"), "-d", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_the_site_builds_strict_with_every_guide(site):
    for page in ("index.html", "install.html", "guide/planner.html", "guide/meetings.html",
                 "guide/analyst.html", "commands.html", "qgis.html", "maps.html"):
        assert (site / page).is_file(), page
    # files outside docs/ that pages link to are on the site too (hook)
    assert (site / "repo" / "layers" / "index.html").is_file()


def test_every_local_link_image_and_anchor_resolves(site):
    # 404.html is served by a web server at any path: its links are absolute by design
    pages = {p: _parse(p) for p in site.rglob("*.html") if p.name != "404.html"}
    broken = []
    for page, refs in pages.items():
        for tag, _attr, value in refs.refs:
            url = urlsplit(value)
            if url.scheme or value.startswith("//"):
                # nothing is loaded from the network: only plain links may leave the site
                if tag in ("script", "img", "link", "iframe"):
                    broken.append(f"{page.relative_to(site)}: loads {value}")
                continue
            target = page if not url.path else (page.parent / unquote(url.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {value} -> missing file")
                continue
            if url.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(url.fragment) not in ids:
                    broken.append(f"{page.relative_to(site)}: {value} -> no anchor")
    assert broken == []


def test_every_screenshot_is_used_by_a_page():
    images = {p.name for p in (REPO / "docs" / "img").glob("*.png")}
    text = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "docs").rglob("*.md"))
    used = set(re.findall(r"img/([\w.-]+\.png)", text))
    assert images, "docs/img holds the screenshots made by scripts/docs_screenshots.py"
    assert sorted(images - used) == [], "screenshots no page shows"
    assert sorted(used - images) == [], "pages show screenshots that do not exist"
