"""``index.html`` beside the story maps: one page linking every story, offline and self-contained.

Each story is listed with its title, its key figure and links to its map (and print versions);
the illustrative and not-officially-reviewed notices are repeated at the top. Every text is
escaped (:func:`html.escape`); the page loads nothing.
"""
from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._io import write_text
from .legend import bi
from .stories import STORIES

_CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
.notice { border: 2px solid #b30000; background: #fff3f0; color: #b30000; font-weight: bold;
  padding: 0.4em 0.8em; margin: 1em 0; }
.story { border: 1px solid #ccc; border-radius: 4px; padding: 0.6em 1em; margin: 0.8em 0; }
.story h2 { font-size: 1.2em; margin: 0 0 0.3em 0; }
.caption { font-weight: bold; color: #08306b; }
.links a { margin-right: 1.2em; }
"""


def _rel(path: Path | None, base: Path) -> str | None:
    if path is None:
        return None
    return Path(os.path.relpath(path, base)).as_posix()


def render_index(results: Sequence[Any], *, lang: str = "zh", base: Path,
                 notices: Sequence[str] = (), data_date: str | None = None) -> str:
    """The index page (text) for :class:`~zlt_assets.maps.types.MapResult` objects."""
    e = html.escape
    title = bi("扎兰屯市城市精细化管理 · 会议用图",
               "Zhalantun refined urban management · meeting maps", lang)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
    ]
    if data_date:
        parts.append(f"<p>{e(bi('数据日期', 'Data date', lang))}: {e(data_date)}</p>")
    if notices:
        parts.append('<div class="notice">' + "<br>".join(e(n) for n in notices) + "</div>")
    for res in results:
        s = STORIES[res.story]
        parts.append(f'<div class="story" data-story="{e(s.key, quote=True)}">')
        parts.append(f"<h2>{e(s.title(lang))}</h2>")
        for line in res.caption:
            parts.append(f'<div class="caption">{e(line)}</div>')
        links = [(bi("打开地图", "Open the map", lang), _rel(res.html_path, base))]
        links.append((bi("打印版 PDF", "Print (PDF)", lang), _rel(res.pdf_path, base)))
        links.append((bi("图片 PNG", "Picture (PNG)", lang), _rel(res.png_path, base)))
        anchors = [f'<a href="{e(href, quote=True)}">{e(text)}</a>' for text, href in links
                   if href]
        parts.append('<p class="links">' + "".join(anchors) + "</p></div>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_index(path: str | os.PathLike[str], results: Sequence[Any], *, lang: str = "zh",
                context: Any = None) -> Path:
    """Write ``index.html`` (atomically) linking the story maps in ``results``."""
    from .meeting_map import NOT_REVIEWED, data_date, format_date

    path = Path(path)
    notices = [bi(*NOT_REVIEWED, lang)]
    day = None
    if context is not None:
        from .meeting_map import illustrative_share

        if illustrative_share(context.frames) > 0:
            notices.insert(0, bi("含示意数据,不能用于决策", "Illustrative data: not for decisions",
                                 lang))
        day, _ = data_date(context.frames)
    write_text(path, render_index(results, lang=lang, base=path.parent, notices=notices,
                                  data_date=format_date(day, lang) if day else None))
    return path
