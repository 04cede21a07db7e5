"""Reports: faces that render a computed :class:`~zlt_assets.analysis.scorecard.Scorecard`.

They compute nothing themselves. :func:`render_scorecard` picks the format from a file extension
(``.html``, ``.md``, ``.xlsx``, ``.json``) and returns the file's bytes; :func:`write_scorecard`
writes them atomically. Shared formatting helpers live here.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._io import write_bytes
from ..errors import BadInput

#: Extension -> format name.
FORMATS: dict[str, str] = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md",
                           ".xlsx": "xlsx", ".json": "json"}


def format_for(path: str | os.PathLike[str]) -> str:
    """The report format of an output path, from its extension; :class:`BadInput` if unknown."""
    ext = Path(path).suffix.lower()
    try:
        return FORMATS[ext]
    except KeyError:
        raise BadInput(f"cannot tell the report format of {path}: use one of "
                       f"{', '.join(sorted(FORMATS))}") from None


def render_scorecard(card: Any, fmt: str) -> bytes:
    """Render a scorecard in a format (``html``, ``md``, ``xlsx``, ``json``) as bytes."""
    if fmt == "html":
        from .scorecard_html import render_html

        return render_html(card).encode("utf-8")
    if fmt == "md":
        from .scorecard_md import render_markdown

        return render_markdown(card).encode("utf-8")
    if fmt == "xlsx":
        from .scorecard_xlsx import render_xlsx

        return render_xlsx(card)
    if fmt == "json":
        return (json.dumps(card.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    raise BadInput(f"unknown report format {fmt!r}")


def write_scorecard(card: Any, path: str | os.PathLike[str]) -> None:
    """Render and write a scorecard; the format comes from the extension."""
    write_bytes(path, render_scorecard(card, format_for(path)))


# ------------------------------------------------------------------ shared formatting
def fmt_number(v: Any, unit: str = "") -> str:
    """A value for display: counts as integers, shares with one decimal, others with two."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "是 yes" if v else "否 no"
    if isinstance(v, (int, float)):
        f = float(v)
        if unit.startswith("%"):
            return f"{f:.1f}%"
        if f.is_integer():
            return f"{int(f):,}"
        return f"{f:,.2f}"
    return str(v)


def fmt_target(t: Mapping[str, Any]) -> str:
    """``≥ 190 栋 buildings``."""
    comp = {">=": "≥", "<=": "≤", "==": "="}.get(t["comparator"], t["comparator"])
    unit = t["unit"]
    val = fmt_number(t["target"], unit)
    return f"{comp} {val}" if unit.startswith("%") else f"{comp} {val} {unit}"


def fmt_value(t: Mapping[str, Any]) -> str:
    """A target's value with its unit (``—`` when not measurable)."""
    if t.get("value") is None:
        return "—"
    unit = t["unit"]
    v = fmt_number(t["value"], unit)
    return v if unit.startswith("%") else f"{v} {unit}"


def fmt_departments(t: Mapping[str, Any]) -> str:
    """A target's departments: Chinese names, then English."""
    return "、".join(d["zh"] for d in t["departments"]) + " / " + "; ".join(
        d["en"] for d in t["departments"])


def fmt_evidence(ev: Mapping[str, Any]) -> list[str]:
    """Evidence as short ``label: value`` lines, labelled from :mod:`zlt_assets.indicators`.

    Keys never reach the reader: each is shown by its Chinese and English label, coded values
    (statuses, methods) by their labels, lists of records one per entry.

    Examples
    --------
    >>> for line in fmt_evidence({"completed_after_as_of": 2, "by_status": {"completed": 3}}):
    ...     print(line)
    评估日后完成 Completed after the as-of date: 2
    按状态 By status: 已完工 / Completed 3
    """
    from ..indicators import evidence_label

    lines: list[str] = []
    for k, v in ev.items():
        name = evidence_label(k)
        if isinstance(v, list) and v and isinstance(v[0], Mapping):
            for item in v:
                lines.append(f"{name}: " + ", ".join(
                    f"{evidence_label(ik)} {iv}" for ik, iv in _pairs(item)))
        elif isinstance(v, Mapping):
            lines.append(f"{name}: " + "; ".join(
                f"{_code_label(k, code)} {_short(n)}" for code, n in v.items()))
        else:
            lines.append(f"{name}: {_with_unit(k, _value(k, v))}")
    return lines


def _with_unit(key: str, text: str) -> str:
    from ..indicators import unit_of

    unit = unit_of(key)
    if not unit or text == "—":
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _pairs(item: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Fields of a listed record; ``x`` with ``x_zh`` beside it shows as ``zh / en``."""
    out = []
    for k, v in item.items():
        if k.endswith("_zh") and k[:-3] in item:
            continue
        zh = item.get(f"{k}_zh")
        if zh is not None:
            out.append((k, f"{_short(zh)} / {_short(v)}"))
        else:
            out.append((k, _value(k, v)))
    return out


def _code_label(key: str, code: Any) -> str:
    from ..indicators import value_label

    if code in (None, "None", ""):
        return "未填写 / not set"
    return value_label(key, code) or str(code)


def _value(key: str, v: Any) -> str:
    from ..indicators import value_label

    if isinstance(v, bool):
        return fmt_number(v)
    if isinstance(v, list):
        return "、".join(_short(x) for x in v) if v else "—"
    if isinstance(v, str):
        return value_label(key, v) or v
    return _short(v)


def _short(v: Any) -> str:
    if isinstance(v, float):
        return fmt_number(v)
    if isinstance(v, list):
        return ", ".join(_short(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    if v is None:
        return "—"
    return str(v)


def as_of_source_label(src: str) -> str:
    """Where the as-of date came from, in words (``data`` -> 数据最新更新日期 / ...)."""
    return {"argument": "指定 / given",
            "data": "数据最新更新日期 / latest updated date in the data",
            "today": "今天 / today"}.get(src, src)


def status_label(status: str) -> str:
    """A target status in words: ``达标 / Met`` ..."""
    from ..analysis.scorecard import STATUS_LABELS

    zh, en = STATUS_LABELS[status]
    return f"{zh} / {en}"
