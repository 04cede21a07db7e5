"""Static export of the meeting map (matplotlib): the same layers, colours, legend and title.

For slides and print. Drawn in WGS84 lon/lat with the aspect corrected for the latitude (no
basemap, so no GCJ-02 shift). A CJK font is used when one is installed (Noto Sans CJK, WenQuanYi,
Source Han, Microsoft YaHei, SimHei); without one the Chinese labels fall back to English.
"""
from __future__ import annotations

import math
from pathlib import Path

from .._io import atomic_path
from . import legend as lg

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "Source Han Sans SC",
             "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei",
             "PingFang SC", "AR PL UMing CN")


def cjk_font() -> str | None:
    """Name of an installed CJK font family, or ``None``."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in names:
            return name
    return None


def _plot_layer(ax, gdf, style: lg.LayerStyle, kind: str) -> None:
    if gdf.empty:
        return
    records = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    for geom, rec in zip(gdf.geometry, records):
        s = lg.feature_style(style, rec)
        dash = s.get("dashArray")
        ls = (0, tuple(float(x) for x in str(dash).split())) if dash else "solid"
        color = str(rec.get("_fill") or s["fillColor"])
        if kind == "point":
            ax.scatter([geom.x] if geom.geom_type == "Point" else [p.x for p in geom.geoms],
                       [geom.y] if geom.geom_type == "Point" else [p.y for p in geom.geoms],
                       s=style.radius ** 2 * 1.6, c=color, edgecolors=s["color"],
                       alpha=max(float(s["fillOpacity"]), 0.35), linewidths=0.8, zorder=5)
        elif kind == "line":
            parts = geom.geoms if hasattr(geom, "geoms") else [geom]
            for part in parts:
                x, y = part.xy
                ax.plot(x, y, color=s["color"], linewidth=float(s["weight"]) * 0.35,
                        linestyle=ls, alpha=float(s["opacity"]), zorder=4)
        else:
            polys = geom.geoms if hasattr(geom, "geoms") else [geom]
            for poly in polys:
                x, y = poly.exterior.xy
                if s["fill"]:
                    ax.fill(x, y, color=color, alpha=float(s["fillOpacity"]), linewidth=0,
                            zorder=2)
                ax.plot(x, y, color=s["color"], linewidth=float(s["weight"]) * 0.5,
                        linestyle=ls, alpha=float(s["opacity"]), zorder=3)


def _handles(content, use_zh: bool):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lang = content.lang if use_zh else "en"
    handles = []
    for lyr in content.layers:
        if not lyr.style.visible:
            continue
        for e in lg.category_entries(lyr.key, lang):
            label = e.label if not use_zh else e.label
            if not use_zh:
                label = label.split(" / ")[0]
            if lyr.kind == "point":
                handles.append(Line2D([], [], marker="o", linestyle="", color=e.color, label=label))
            elif lyr.kind == "line":
                handles.append(Line2D([], [], color=e.color, linewidth=2, label=label))
            else:
                handles.append(Patch(facecolor=e.color, edgecolor=e.color, alpha=0.6, label=label))
    for ov in content.overlays:
        if ov.legend is None:
            continue
        entries = ov.legend.entries
        title = ov.legend.title if use_zh else ov.legend.title.split(" / ")[-1]
        if len(entries) > 1:
            handles.append(Patch(facecolor="none", edgecolor="none", label=title))
        for e in entries:
            label = title if len(entries) == 1 else "    " + (
                e.label if use_zh else e.label.split(" / ")[-1])
            if ov.kind == "line":
                handles.append(Line2D([], [], color=e.color, linewidth=2, label=label))
            elif ov.kind == "point":
                handles.append(Line2D([], [], marker="o", linestyle="", color=e.color,
                                      label=label))
            else:
                handles.append(Patch(facecolor=e.color, edgecolor=e.color, alpha=0.6,
                                     label=label))
    return handles


def render_png(content, path: str | Path, *, dpi: int = 150) -> Path:
    """Draw a :class:`~zlt_assets.maps.meeting_map.MapContent` to a PNG (written atomically).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    font = cjk_font()
    use_zh = font is not None
    rc = {"font.family": [font, "DejaVu Sans"]} if font else {}
    path = Path(path)
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=(11.69, 8.27))  # A4 landscape
        try:
            for ov in content.overlays:
                if ov.below:
                    _plot_overlay(ax, ov)
            for lyr in content.layers:
                if lyr.style.visible:
                    _plot_layer(ax, lyr.gdf, lyr.style, lyr.kind)
            for ov in content.overlays:
                if not ov.below:
                    _plot_overlay(ax, ov)
            if content.bounds is not None:
                minx, miny, maxx, maxy = content.bounds
                padx, pady = (maxx - minx) * 0.03 or 0.005, (maxy - miny) * 0.03 or 0.005
                ax.set_xlim(minx - padx, maxx + padx)
                ax.set_ylim(miny - pady, maxy + pady)
                ax.set_aspect(1 / math.cos(math.radians((miny + maxy) / 2)))
                _scale_bar(ax, minx, miny, maxx, maxy)
            ax.set_xticks([])
            ax.set_yticks([])
            title = content.title if use_zh else content.title.split(" / ")[-1]
            import textwrap

            lines = [t if use_zh else t.split(" / ")[-1] for t, _ in content.lines]
            wrapped = [w for t in lines for w in textwrap.wrap(t, 110 if use_zh else 160)]
            ax.set_title(title + "\n" + "\n".join(wrapped), fontsize=8, loc="left")
            handles = _handles(content, use_zh)
            if handles:
                ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                          fontsize=6.5, frameon=False, ncol=1 if len(handles) < 40 else 2)
            fig.tight_layout()
            with atomic_path(path, suffix=".png") as tmp:
                fig.savefig(tmp, dpi=dpi, format="png", bbox_inches="tight")
        finally:
            plt.close(fig)
    return path


def _plot_overlay(ax, ov) -> None:
    style = lg.LayerStyle(layer=ov.key, category_field=None, status_field=None, color=ov.color,
                          weight=ov.weight, radius=ov.radius, fill=True,
                          fill_opacity=ov.fill_opacity, dash=ov.dash)
    _plot_layer(ax, ov.gdf, style, ov.kind)


def _scale_bar(ax, minx: float, miny: float, maxx: float, maxy: float) -> None:
    lat = (miny + maxy) / 2
    m_per_deg = 111_320 * math.cos(math.radians(lat))
    width_m = (maxx - minx) * m_per_deg
    nice = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000]
    length = max([n for n in nice if n <= width_m / 5] or [nice[0]])
    x0 = minx + (maxx - minx) * 0.03
    y0 = miny + (maxy - miny) * 0.03
    ax.plot([x0, x0 + length / m_per_deg], [y0, y0], color="black", linewidth=2, zorder=10)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length} m"
    ax.text(x0, y0 + (maxy - miny) * 0.01, label, fontsize=7, zorder=10)
