"""Print versions of a story map (matplotlib): PNG or PDF, A4 or A3 landscape, 300 dpi.

The page has the story's title and key figure on top, the map on the left drawn in EPSG:4550
(true metres, so the scale bar and the stated scale are exact), the legend on the right (the
same blocks, colours and symbols as the web map's legend, from :mod:`zlt_assets.symbology`), a
scale bar, a north arrow (grid north of EPSG:4550; at 122.7°E it differs from true north by
under 0.3°), the data date, and the illustrative and not-officially-reviewed notices in a red
box. Only the layers the story switches on are drawn. A CJK font is used when one is installed
(Noto Sans CJK, WenQuanYi, Source Han, Microsoft YaHei, SimHei); without one the labels fall
back to English.
"""
from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

from .. import schema
from .._io import atomic_path
from . import legend as lg
from .types import MapContent, MapLayer

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "Source Han Sans SC",
             "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei",
             "PingFang SC", "AR PL UMing CN")
#: Paper sizes (landscape, millimetres).
PAPERS: dict[str, tuple[float, float]] = {"a4": (297.0, 210.0), "a3": (420.0, 297.0)}
FORMATS = ("png", "pdf")
MM_TO_PT = 72 / 25.4
_MARKERS = {"circle": "o", "square": "s", "triangle": "^", "diamond": "D", "star": "*"}


def cjk_font() -> str | None:
    """Name of an installed CJK font family, or ``None``."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in names:
            return name
    return None


def _text(s: str, use_zh: bool) -> str:
    """Both languages with a CJK font; English only without one."""
    if use_zh:
        return s
    parts = [p for p in s.split(" / ") if not any("\u3000" <= ch <= "\u9fff" for ch in p)]
    return " / ".join(parts) if parts else s


def _rgba(color: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    c = color.lstrip("#")
    return (int(c[0:2], 16) / 255, int(c[2:4], 16) / 255, int(c[4:6], 16) / 255, alpha)


def _dash(style: Any) -> Any:
    if not style.dash:
        return "solid"
    return (0, tuple(d * MM_TO_PT for d in style.dash))


def _groups(lyr: MapLayer) -> list[tuple[Any, str, float]]:
    """(features, colour, width mm) per class present, features outside every class last."""
    s, gdf = lyr.style, lyr.gdf
    if s.field is None or s.field not in gdf.columns:
        return [(gdf, s.other, s.width)]
    out = []
    values = gdf[s.field].astype(object)
    for c in s.classes:
        part = gdf[values == c.code]
        if len(part):
            out.append((part, c.color, s.width_of(c.code)))
    rest = gdf[~values.isin(list(s.codes))]
    if len(rest):
        out.append((rest, s.other, s.width))
    return out


def _draw_layer(ax: Any, lyr: MapLayer, z: int, scale: float) -> None:
    s = lyr.style
    for part, color, width in _groups(lyr):
        if lyr.kind == "point":
            xy = part.geometry.representative_point()
            d = s.size * MM_TO_PT * scale
            ax.scatter(xy.x, xy.y, s=d * d, marker=_MARKERS[s.shape],
                       c=[_rgba(color, s.fill_opacity)], edgecolors=[_rgba(s.stroke or color)],
                       linewidths=s.width * MM_TO_PT * scale, zorder=z)
        elif lyr.kind == "line":
            part.plot(ax=ax, color=_rgba(color, 0.95), linewidth=width * MM_TO_PT * scale,
                      linestyle=_dash(s), zorder=z)
        elif s.kind == "outline":
            part.boundary.plot(ax=ax, color=_rgba(color), linewidth=width * MM_TO_PT * scale,
                               linestyle=_dash(s), zorder=z)
        else:
            part.plot(ax=ax, facecolor=_rgba(color, s.fill_opacity),
                      edgecolor=_rgba(s.stroke or color), linewidth=width * MM_TO_PT * scale,
                      linestyle=_dash(s), zorder=z)


def _labels(ax: Any, lyr: MapLayer, z: int, fontsize: float, use_zh: bool,
            denominator: float) -> None:
    """Labels of a layer whose declared label scale the printed scale reaches."""
    f = lyr.style.label_field
    scale_ok = lyr.style.label_min_scale is None or lyr.style.label_min_scale >= denominator
    if f is None or f not in lyr.gdf.columns or not scale_ok or len(lyr.gdf) > 60:
        return
    import matplotlib.patheffects as pe

    pts = lyr.gdf.geometry.representative_point()
    for p, text in zip(pts, lyr.gdf[f], strict=True):
        if text is None or str(text) == "" or p is None or p.is_empty:
            continue
        ax.annotate(_text(str(text), use_zh)[:40], (p.x, p.y), fontsize=fontsize, zorder=z,
                    ha="center" if lyr.kind == "polygon" else "left",
                    xytext=(0, 0) if lyr.kind == "polygon" else (4, 0),
                    textcoords="offset points", va="center",
                    path_effects=[pe.withStroke(linewidth=2.2, foreground="white")])


def _nice(length: float) -> float:
    exp = 10.0 ** math.floor(math.log10(length))
    for m in (5, 2, 1):
        if m * exp <= length:
            return float(m * exp)
    return exp


def _scale_bar(ax: Any, x0: float, x1: float, y0: float, y1: float, fontsize: float) -> None:
    from matplotlib.patches import Rectangle

    width = x1 - x0
    length = _nice(width / 5)
    bx, by = x0 + width * 0.03, y0 + (y1 - y0) * 0.035
    h = (y1 - y0) * 0.008
    n = 4
    for i in range(n):
        ax.add_patch(Rectangle((bx + i * length / n, by), length / n, h, zorder=50,
                               facecolor="black" if i % 2 == 0 else "white", edgecolor="black",
                               linewidth=0.6))
    unit_km = length >= 1000
    for v in (0, length / 2, length):
        label = f"{v / 1000:g}" if unit_km else f"{v:g}"
        ax.text(bx + v, by + h * 1.8, label, ha="center", va="bottom", fontsize=fontsize,
                zorder=50)
    ax.text(bx + length + width * 0.01, by, "km" if unit_km else "m", fontsize=fontsize,
            va="bottom", zorder=50)


def _north_arrow(ax: Any, fontsize: float, use_zh: bool) -> None:
    ax.annotate("", xy=(0.955, 0.95), xytext=(0.955, 0.86), xycoords="axes fraction",
                arrowprops={"facecolor": "black", "edgecolor": "black", "width": 3,
                            "headwidth": 10, "headlength": 10}, zorder=50)
    ax.text(0.955, 0.955, "北 N" if use_zh else "N", transform=ax.transAxes, ha="center",
            va="bottom", fontsize=fontsize * 1.3, fontweight="bold", zorder=50)


def _swatch(ax: Any, block: dict[str, Any], entry: dict[str, Any], x: float, y: float,
            w: float, h: float, scale: float) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    color = entry["color"]
    stroke = block.get("stroke") or color
    width_pt = (entry.get("width") or block["width"]) * 0.75 * scale  # px (96 dpi) -> pt
    dash: Any = (0, tuple(d * 0.75 for d in block["dash"])) if block.get("dash") else "solid"
    if block["kind"] == "point":
        ax.add_line(Line2D([x + w / 2], [y + h / 2], marker=_MARKERS[block["shape"]],
                           markersize=7 * scale, markerfacecolor=_rgba(color, block["fillOpacity"]),
                           markeredgecolor=_rgba(stroke), linestyle="", transform=ax.transAxes))
    elif block["kind"] == "line":
        ax.add_line(Line2D([x, x + w], [y + h / 2] * 2, color=color,
                           linewidth=max(1.2, min(width_pt, 5)), linestyle=dash,
                           transform=ax.transAxes))
    elif block["kind"] == "outline":
        ax.add_patch(Rectangle((x, y), w, h, facecolor="none", edgecolor=color,
                               linewidth=max(1.0, width_pt), linestyle=dash,
                               transform=ax.transAxes))
    else:
        ax.add_patch(Rectangle((x, y), w, h, facecolor=_rgba(color, block["fillOpacity"]),
                               edgecolor=_rgba(stroke), linewidth=max(0.6, width_pt),
                               transform=ax.transAxes))


def _wrap(text: str, width: int) -> str:
    """Wrap a legend label; a CJK character counts as two Latin ones."""
    lines, cur, n = [], "", 0
    for word in text.replace(" / ", " /\u0000").split(" "):
        word = word.replace("\u0000", " ")
        w = sum(2 if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1
                for ch in word)
        if cur and n + w + 1 > width * 2:
            lines.append(cur)
            cur, n = word, w
        else:
            cur, n = (cur + " " + word if cur else word), n + w + (1 if cur else 0)
    if cur:
        lines.append(cur)
    return "\n".join(lines)


def _legend(ax: Any, content: MapContent, fontsize: float, use_zh: bool, scale: float) -> None:
    ax.set_axis_off()
    blocks = [lg.legend_block(lyr.key, lyr.legend_title or lyr.title, lyr.style, lyr.present,
                              content.lang)
              for lyr in reversed(content.drawn()) if lyr.visible]
    rows = sum(1 + (0 if b["single"] else len(b["entries"])) for b in blocks) + 1
    step = min(0.045, 0.97 / max(rows, 1))
    fs = fontsize * min(1.0, step / 0.045)
    y = 0.98
    ax.text(0, y, _text(lg.bi("图例", "Legend", content.lang), use_zh), fontsize=fs * 1.25,
            fontweight="bold", va="top", transform=ax.transAxes)
    y -= step * 1.2
    sw, sh = 0.09, step * 0.55
    wrap = int(23 * (fontsize / fs))  # CJK characters per line at this size
    for b in blocks:
        if b["single"]:
            e = b["entries"][0]
            _swatch(ax, b, e, 0.0, y - sh, sw, sh, scale)
            text = _wrap(_text(b["title"], use_zh) + f"  ({e['count']})", wrap)
            ax.text(sw + 0.03, y - sh / 2, text, fontsize=fs, transform=ax.transAxes,
                    va="top" if "\n" in text else "center", fontweight="bold")
            y -= step * (1 + 0.75 * text.count("\n"))
            continue
        head = b["title"] + (f" · {b['heading']}" if b.get("heading") else "")
        ax.text(0, y - sh / 2, textwrap.shorten(_text(head, use_zh), 70), fontsize=fs,
                fontweight="bold", va="center", transform=ax.transAxes)
        y -= step
        for e in b["entries"]:
            _swatch(ax, b, e, 0.03, y - sh, sw, sh, scale)
            text = _wrap(_text(e["label"], use_zh) + f"  ({e['count']})", wrap)
            ax.text(sw + 0.06, y - sh / 2, text, fontsize=fs, va="top" if "\n" in text else
                    "center", transform=ax.transAxes)
            y -= step * (1 + 0.75 * text.count("\n"))


def render_print(content: MapContent, path: str | Path, *, paper: str = "a4", dpi: int = 300,
                 fmt: str | None = None) -> Path:
    """Draw a story map on paper and write it atomically (PNG or PDF, from the extension).

    Parameters
    ----------
    content
        What :func:`~zlt_assets.maps.meeting_map.build_content` returned.
    path
        ``.png`` or ``.pdf`` file.
    paper : {"a4", "a3"}
        Landscape.
    dpi : int
        Resolution of the PNG (and of any raster part of the PDF).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from pyproj import Transformer

    from ..errors import BadInput

    path = Path(path)
    fmt = fmt or path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise BadInput(f"print format must be png or pdf, got {path.name}", option="png")
    if paper not in PAPERS:
        raise BadInput(f"paper must be one of {', '.join(PAPERS)}, got {paper!r}", option="paper")
    w_mm, h_mm = PAPERS[paper]
    scale = w_mm / PAPERS["a4"][0]  # A3 text and symbols grow with the sheet
    fs = 7.5 * scale
    font = cjk_font()
    use_zh = font is not None
    rc: dict[str, Any] = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
          "axes.unicode_minus": False, "pdf.fonttype": 42 if not font else 3}
    with plt.rc_context(rc):  # type: ignore[arg-type]
        # whole pixels: A4 at 300 dpi is 3508 x 2480, not 3507 (matplotlib truncates)
        fig = plt.figure(figsize=(round(w_mm / 25.4 * dpi) / dpi, round(h_mm / 25.4 * dpi) / dpi),
                         dpi=dpi)
        try:
            m = 10 / w_mm  # 10 mm margins
            top_h, bottom_h = 28 * scale / h_mm, 16 * scale / h_mm
            legend_w = 0.25
            map_ax = fig.add_axes((m, bottom_h + 0.01, 1 - 2 * m - legend_w - 0.01,
                                   1 - top_h - bottom_h - 0.02))
            leg_ax = fig.add_axes((1 - m - legend_w, bottom_h + 0.01, legend_w,
                                   1 - top_h - bottom_h - 0.02))
            # title band
            fig.text(m, 1 - 7 * scale / h_mm, _text(content.subtitle, use_zh), fontsize=fs,
                     color="#555555", va="top")
            fig.text(m, 1 - 10.5 * scale / h_mm, _text(content.title, use_zh), fontsize=fs * 2.0,
                     fontweight="bold", va="top")
            first = ";".join(a for a, _ in content.caption[:2])
            second = "; ".join(b for _, b in content.caption[:2])
            if not use_zh:
                first, second = (second, "") if content.lang == "zh" else (first, "")
            fig.text(m, 1 - 18.5 * scale / h_mm, textwrap.shorten(first, 160),
                     fontsize=fs * 1.3, fontweight="bold", color="#08306b", va="top")
            if second:
                fig.text(m, 1 - 23.5 * scale / h_mm, textwrap.shorten(second, 220), fontsize=fs,
                         color="#08306b", va="top")
            # the map, in metres
            drawn = [MapLayer(**{**lyr.__dict__, "gdf": lyr.gdf.to_crs(schema.PROJECT_CRS)})
                     for lyr in content.drawn() if lyr.visible and not lyr.gdf.empty]
            for z, lyr in enumerate(drawn, start=2):
                _draw_layer(map_ax, lyr, z, scale)
            if content.bounds is not None:
                tr = Transformer.from_crs(schema.DISPLAY_CRS, schema.PROJECT_CRS, always_xy=True)
                minx, miny, maxx, maxy = content.bounds
                xs, ys = tr.transform([minx, maxx, minx, maxx], [miny, miny, maxy, maxy])
                _fit(map_ax, (min(xs), min(ys), max(xs), max(ys)), w_mm, h_mm)
            map_ax.set_aspect("equal", adjustable="box")
            map_ax.set_xticks([])
            map_ax.set_yticks([])
            map_ax.set_xlabel("")
            map_ax.set_ylabel("")
            fig.canvas.draw()  # settle the data limits the equal aspect chose
            x0, x1 = map_ax.get_xlim()
            y0, y1 = map_ax.get_ylim()
            _scale_bar(map_ax, x0, x1, y0, y1, fs)
            _north_arrow(map_ax, fs, use_zh)
            box_mm = map_ax.get_position().width * w_mm
            denominator = (x1 - x0) * 1000 / box_mm
            for lyr in drawn:
                _labels(map_ax, lyr, 40, fs * 0.95, use_zh, denominator)
            _legend(leg_ax, content, fs, use_zh, scale)
            # bottom band: scale, data date, notices
            plain = [t for t, warn in content.lines if not warn]
            warns = [t for t, warn in content.lines if warn]
            scale_txt = lg.bi("比例尺", "Scale", content.lang) + f" 1:{_round_scale(denominator):,}"
            left = " · ".join([scale_txt, *plain[:1], *content.sources]) + f" · {paper.upper()}"
            fig.text(m, bottom_h - 2 * scale / h_mm, textwrap.shorten(_text(left, use_zh), 230),
                     fontsize=fs * 0.95,
                     va="top")
            if warns:
                fig.text(m, 4 * scale / h_mm, "\n".join(_text(t, use_zh) for t in warns),
                         fontsize=fs * 1.05, color="#b30000", fontweight="bold", va="bottom",
                         bbox={"boxstyle": "round,pad=0.4", "facecolor": "#fff3f0",
                               "edgecolor": "#b30000", "linewidth": 1.5})
            with atomic_path(path, suffix=f".{fmt}") as tmp:
                fig.savefig(tmp, dpi=dpi, format=fmt, metadata={"Software": None}
                            if fmt == "png" else {"Creator": "zlt-assets"})
        finally:
            plt.close(fig)
    return path


def _fit(ax: Any, box: tuple[float, float, float, float], w_mm: float, h_mm: float) -> None:
    """Limits showing ``box`` (metres) with 4% margin at the axes' own width/height ratio."""
    pos = ax.get_position(original=True)  # the box laid out, not one an aspect shrank
    ratio = (pos.height * h_mm) / (pos.width * w_mm)
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = (x1 - x0) * 1.08 or 1000.0, (y1 - y0) * 1.08 or 1000.0
    if dy / dx > ratio:
        dx = dy / ratio
    else:
        dy = dx * ratio
    ax.set_xlim(cx - dx / 2, cx + dx / 2)
    ax.set_ylim(cy - dy / 2, cy + dy / 2)


def _round_scale(denominator: float) -> int:
    """A map scale to three significant figures (1:24,937 -> 1:24,900)."""
    if denominator <= 0 or not math.isfinite(denominator):
        return 0
    exp = 10 ** max(0, math.floor(math.log10(denominator)) - 2)
    return int(round(denominator / exp) * exp)


def render_png(content: MapContent, path: str | Path, *, dpi: int = 300,
               paper: str = "a4") -> Path:
    """Draw a story map to a PNG (A4 landscape at 300 dpi by default); see :func:`render_print`."""
    return render_print(content, path, paper=paper, dpi=dpi, fmt="png")
