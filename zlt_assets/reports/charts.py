"""Scorecard charts drawn with matplotlib (Agg backend), returned as PNG bytes or base64.

A CJK font (Noto Sans/Serif CJK, WenQuanYi, ...) is used when one is installed, so Chinese labels
render; without one the charts fall back to English labels only (never tofu boxes).
"""
from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Noto Sans CJK JP", "Source Han Sans SC",
                 "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei",
                 "PingFang SC", "AR PL UMing CN")


def _mpl():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return matplotlib, plt


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or ``None``."""
    _mpl()
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for fam in _CJK_FAMILIES:
        if fam in names:
            return fam
    return None


def _label(zh: str, en: str) -> str:
    return f"{zh} / {en}" if cjk_font() else en


def _png(fig: Any) -> bytes:
    _, plt = _mpl()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _setup() -> Any:
    _, plt = _mpl()
    fam = cjk_font()
    rc: dict[str, Any] = {"axes.unicode_minus": False, "font.size": 9}
    if fam:
        rc["font.family"] = [fam, "DejaVu Sans"]
    return plt.rc_context(rc)


def progress_chart(series: Sequence[Mapping[str, Any]], as_of: str | None = None) -> bytes:
    """Cumulative works done by month against the target line, one panel per programme.

    Parameters
    ----------
    series
        :attr:`zlt_assets.analysis.scorecard.Scorecard.progress` entries (``months``,
        ``cumulative``, ``target``, ``name_zh``, ``name_en``).
    as_of
        The scorecard's date, shown in the title.
    """
    _, plt = _mpl()
    with _setup():
        n = max(1, len(series))
        cols = 2 if n > 1 else 1
        rows = (n + cols - 1) // cols
        fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.0 * rows), squeeze=False)
        for ax, s in zip(axes.flat, series, strict=False):
            months = list(s["months"])
            x = range(len(months))
            ax.step(x, s["cumulative"], where="post", color="#1f77b4",
                    label=_label("累计完成", "cumulative done"))
            ax.axhline(s["target"], color="#d62728", linestyle="--",
                       label=_label("目标", "target") + f" {s['target']:g}")
            ax.set_title(_label(s["name_zh"], s["name_en"]), fontsize=10)
            ax.set_ylim(0, max(float(s["target"]), max(s["cumulative"] or [0])) * 1.1 + 0.5)
            step = max(1, len(months) // 6)
            ax.set_xticks(list(x)[::step])
            ax.set_xticklabels(months[::step], rotation=30, ha="right", fontsize=8)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7, loc="upper left")
        for ax in list(axes.flat)[len(series):]:
            ax.axis("off")
        if as_of:
            fig.suptitle(_label("工程进度(按完成月份累计)", "Works progress (cumulative by month)")
                         + f"  {as_of}", fontsize=11)
        fig.tight_layout()
        return _png(fig)


def bar_label(t: Mapping[str, Any]) -> str:
    """The measured value beside its target, never rounded onto a target it misses.

    97.6 % against 98 % reads "97.6% / 目标 98%" (0.1 labelled the bar with the attainment
    rounded to "100%").
    """
    from ..display import measured

    unit = str(t.get("unit") or "")
    pct = unit.startswith("%")
    value = measured(float(t["value"]), float(t["target"]), t.get("comparator", ">="),
                     decimals=1 if pct or not float(t["value"]).is_integer() else 0)
    u = "%" if pct else ""
    target = f"{float(t['target']):g}{u}"
    return f"{value}{u} / " + (f"目标 {target}" if cjk_font() else f"target {target}")


def attainment_chart(targets: Sequence[Mapping[str, Any]]) -> bytes:
    """Horizontal bars: each measurable target's value as a share of its target.

    Capped at 150%, labelled with the value and the target (:func:`bar_label`).
    """
    _, plt = _mpl()
    rows = [t for t in targets if t.get("value") is not None and t.get("target")]
    with _setup():
        fig, ax = plt.subplots(figsize=(7.5, 0.38 * max(3, len(rows)) + 0.8))
        labels = [_label(t["name_zh"], t["name_en"]) for t in rows]
        vals = [min(150.0, 100.0 * float(t["value"]) / float(t["target"])) for t in rows]
        colors = ["#2ca02c" if t["status"] == "met" else "#d62728" for t in rows]
        y = list(range(len(rows)))[::-1]
        ax.barh(y, vals, color=colors)
        ax.axvline(100, color="black", linewidth=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=8)
        ax.set_xlim(0, 155)
        ax.set_xlabel(_label("完成程度(占目标%)", "attainment (% of target)"))
        for yi, v, t in zip(y, vals, rows, strict=True):
            ax.text(v + 1, yi, bar_label(t), va="center", fontsize=7)
        ax.grid(axis="x", alpha=0.3)
        fig.tight_layout()
        return _png(fig)


def to_base64(png: bytes) -> str:
    """PNG bytes as a ``data:`` URI for an ``<img src>`` (no network request)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
