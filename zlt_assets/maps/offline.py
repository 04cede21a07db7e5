"""Make a folium page self-contained: inline Leaflet, plugins and our own script from the package.

folium writes ``<script src="https://cdn...">`` and ``<link href="https://cdn...">`` tags (its
maintainers call offline use out of scope: folium issues #1368, #1985). :func:`inline_assets`
replaces each tag it knows with the packaged copy (``zlt_assets/maps/static``, see the README
there), drops the libraries the meeting map does not use (jQuery, Bootstrap, Font Awesome,
glyphicons, awesome-markers) and refuses any other external reference, so a map can never
silently depend on the network. Images referenced by the stylesheets become ``data:`` URIs.

Our own elements name their assets ``zlt-static:<path inside static/>``.
"""
from __future__ import annotations

import base64
import json
import mimetypes
import re
from functools import cache
from importlib import resources
from pathlib import Path

STATIC_PREFIX = "zlt-static:"

#: folium's CDN addresses (folium 0.20) -> packaged file, matched on the end of the URL.
KNOWN_URLS: dict[str, str] = {
    "leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
    "leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
    "leaflet.fullscreen@3.0.0/Control.FullScreen.min.js":
        "leaflet.fullscreen/Control.FullScreen.js",
    "leaflet.fullscreen@3.0.0/Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "leaflet-measure@2.1.7/dist/leaflet-measure.min.js": "leaflet-measure/leaflet-measure.min.js",
    "leaflet-measure@2.1.7/dist/leaflet-measure.min.css": "leaflet-measure/leaflet-measure.css",
}

#: folium defaults the meeting map does not use: their tags are removed.
DROPPED_URL_PARTS: tuple[str, ...] = (
    "jquery", "bootstrap", "fontawesome", "font-awesome", "awesome-markers",
    "leaflet.awesome.rotate", "glyphicons",
)

_SCRIPT_RE = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>', re.IGNORECASE)
_LINK_RE = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>', re.IGNORECASE)
_CSS_URL_RE = re.compile(r'url\(\s*([\'"]?)([^\'")]+)\1\s*\)')


class OfflineAssetError(RuntimeError):
    """The page references an external asset with no packaged copy (a bug, not user input)."""


def static_dir() -> Path:
    """Folder holding the vendored assets."""
    return Path(str(resources.files("zlt_assets.maps") / "static"))


@cache
def read_static(rel: str) -> bytes:
    """Bytes of one packaged asset, ``rel`` relative to ``static/``."""
    path = (static_dir() / rel).resolve()
    if static_dir().resolve() not in path.parents:
        raise OfflineAssetError(f"asset path outside the package: {rel}")
    if not path.is_file():
        raise OfflineAssetError(f"packaged asset missing: {rel}")
    return path.read_bytes()


def data_uri(rel: str) -> str:
    """A ``data:`` URI for one packaged file."""
    mime = mimetypes.guess_type(rel)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(read_static(rel)).decode('ascii')}"


def resolve(url: str) -> str | None:
    """Packaged path for an asset URL; ``None`` when the tag is to be dropped.

    Raises
    ------
    OfflineAssetError
        When the URL is neither packaged nor on the drop list.
    """
    if url.startswith(STATIC_PREFIX):
        return url[len(STATIC_PREFIX):]
    for suffix, rel in KNOWN_URLS.items():
        if url.endswith(suffix):
            return rel
    low = url.lower()
    if any(part in low for part in DROPPED_URL_PARTS):
        return None
    raise OfflineAssetError(f"no packaged copy of {url}; add it to zlt_assets/maps/static")


def inline_css(rel: str) -> str:
    """Stylesheet text with its relative ``url(...)`` images turned into data URIs."""
    css = read_static(rel).decode("utf-8")
    base = Path(rel).parent

    def repl(m: re.Match[str]) -> str:
        target = m.group(2).strip()
        if target.startswith(("data:", "#")):
            return m.group(0)
        if re.match(r"^[a-z]+:", target, re.IGNORECASE) or target.startswith("//"):
            raise OfflineAssetError(f"{rel} references {target}")
        return f'url("{data_uri((base / target).as_posix())}")'

    return _CSS_URL_RE.sub(repl, css)


def _script_text(rel: str) -> str:
    js = read_static(rel).decode("utf-8")
    # a literal "</script" inside inlined code would end the element early
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)


def inline_assets(html: str) -> str:
    """Replace every external script and stylesheet tag with the packaged copy, inline.

    Parameters
    ----------
    html : str
        A page rendered by folium.

    Returns
    -------
    str
        The same page needing no network (apart from tile layers the caller added on purpose).
    """
    seen: set[str] = set()

    def script(m: re.Match[str]) -> str:
        rel = resolve(m.group(1))
        if rel is None or rel in seen:
            return ""
        seen.add(rel)
        return f"<script>/* {rel} */\n{_script_text(rel)}\n</script>"

    def link(m: re.Match[str]) -> str:
        rel = resolve(m.group(1))
        if rel is None or rel in seen:
            return ""
        seen.add(rel)
        return f"<style>/* {rel} */\n{inline_css(rel)}\n</style>"

    out = _SCRIPT_RE.sub(script, html)
    out = _LINK_RE.sub(link, out)
    leftover = re.findall(r'<(?:script|link|img|iframe)\b[^>]*(?:src|href)="(?:https?:)?//[^"]*"',
                          out, re.IGNORECASE)
    if leftover:
        raise OfflineAssetError(f"external reference left in the page: {leftover[0]}")
    return out


def safe_json(obj: object) -> str:
    r"""JSON that is also safe inside an HTML ``<script>`` element and as a JS expression.

    ``<``, ``>`` and ``&`` become ``\u003c``/``\u003e``/``\u0026`` (so no ``</script>`` and no
    markup can appear), and U+2028/U+2029 are escaped (they end a line in older JS engines).
    Backticks and quotes are left to JSON's own string quoting: the text is never placed in a
    template literal.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))




def write_text_atomic(path: str | Path, text: str) -> None:
    """Write a page atomically (UTF-8); kept for callers of 0.1 (use ``zlt_assets._io``)."""
    from .._io import write_text

    write_text(path, text)
