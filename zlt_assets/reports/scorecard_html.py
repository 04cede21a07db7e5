"""Scorecard as one self-contained HTML page.

Charts are embedded as base64 PNG ``data:`` images and the style sheet is inline: the page makes
no network request (no CDN, no web font). Every value is HTML-escaped. Chinese first, English
beside.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from . import (
    as_of_source_label,
    fmt_departments,
    fmt_evidence,
    fmt_number,
    fmt_target,
    fmt_value,
    status_label,
)

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Serif CJK SC","Microsoft YaHei","PingFang SC",
 "WenQuanYi Zen Hei",sans-serif;margin:1.5em;color:#222;font-size:14px}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;
 border-bottom:2px solid #ccc}
.notice{border:2px solid #c00;background:#fee;color:#900;padding:.6em 1em;font-weight:bold}
table{border-collapse:collapse;margin:.5em 0;width:100%}
th,td{border:1px solid #bbb;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#eef}td.num{text-align:right;white-space:nowrap}
.met{background:#e6f4e6}.not_met{background:#fde8e8}.not_measurable{background:#f0f0f0;color:#555}
.ev{font-size:.85em;color:#444;margin:0;padding-left:1.1em}
.meta td:first-child{font-weight:bold;width:14em}
img{max-width:100%}small{color:#666}.wide{overflow-x:auto}
"""


def _e(v: Any) -> str:
    return escape("" if v is None else str(v), quote=True)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]],
           classes: Sequence[str] = ()) -> str:
    """Rows are already-escaped HTML cells."""
    out = ['<div class="wide"><table><thead><tr>', *(f"<th>{_e(h)}</th>" for h in headers),
           "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        cls = f' class="{_e(classes[i])}"' if i < len(classes) and classes[i] else ""
        out.append(f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _img(png: bytes | None, alt: str) -> str:
    if not png:
        return ""
    from .charts import to_base64

    return f'<p><img alt="{_e(alt)}" src="{to_base64(png)}"></p>'


def _charts(d: Mapping[str, Any]) -> tuple[bytes | None, bytes | None]:
    """(attainment chart, progress chart); None when matplotlib cannot draw (degrade)."""
    try:
        from .charts import attainment_chart, progress_chart

        return attainment_chart(d["targets"]), (
            progress_chart(d["progress"], d["as_of"]) if d["progress"] else None)
    except Exception:  # a missing or broken matplotlib must not lose the scorecard
        return None, None


def render_html(card: Any, *, charts: bool = True) -> str:
    """The scorecard as a self-contained HTML document (str)."""
    d = card.to_dict() if hasattr(card, "to_dict") else dict(card)
    parts: list[str] = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{_e(d['title_zh'])} / {_e(d['title_en'])}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_e(d['title_zh'])}</h1><p>{_e(d['title_en'])}<br><small>{_e(d['plan_document'])}"
        "</small></p>",
    ]
    if d["illustrative"]:
        parts.append(f'<p class="notice">{_e(d["notice_zh"])}<br>{_e(d["notice_en"])}</p>')
    ph = d["phase"]
    c = d["counts"]
    meta = [
        ("评估日 / As of", f"{d['as_of']} ({as_of_source_label(d['as_of_source'])})"),
        ("方案阶段 / Plan phase", f"{ph['zh']} / {ph['en']}"),
        ("数据 / Data", d["data"]),
        ("数据来源 / Data source", ", ".join(d["data_sources"]) or "—"),
        ("结果 / Results", f"达标 met {c['met']} · 未达标 not met {c['not_met']} · "
                         f"无法计算 not measurable {c['not_measurable']} "
                         f"(共 {len(d['targets'])} 项 targets)"),
        ("生成时间 / Generated", d["generated"]),
    ]
    parts.append('<table class="meta">' + "".join(
        f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in meta) + "</table>")

    attain, progress = _charts(d) if charts else (None, None)

    parts.append("<h2>目标 / Targets</h2>")
    parts.append(_img(attain, "完成程度 / attainment"))
    rows, classes = [], []
    for t in d["targets"]:
        ev = "".join(f"<li>{_e(x)}</li>" for x in fmt_evidence(t["evidence"]))
        note = _e(t["needs_zh"]) + "<br>" + _e(t["needs_en"]) if t["needs_zh"] else (
            _e(t["method_zh"]) + "<br><small>" + _e(t["method_en"]) + "</small>")
        rows.append([
            _e(t["section"]),
            f"{_e(t['name_zh'])}<br><small>{_e(t['name_en'])}</small>",
            _e(fmt_target(t)), _e(fmt_value(t)), _e(status_label(t["status"])),
            _e(fmt_departments(t)), f'<ul class="ev">{ev}</ul>' if ev else "", note,
        ])
        classes.append(t["status"])
    parts.append(_table(["章节 Section", "指标 Target", "目标值 Target", "现值 Value",
                         "状态 Status", "责任单位 Departments", "依据 Evidence",
                         "口径/所需数据 Method / data needed"], rows, classes))

    if d["progress"]:
        parts.append("<h2>工程进度 / Works progress</h2>")
        parts.append(_img(progress, "工程进度 / works progress"))
        parts.append(_table(
            ["指标 Target", "目标 Target", "评估日累计 Done at as-of"],
            [[f"{_e(p['name_zh'])} / {_e(p['name_en'])}", _e(fmt_number(p["target"])),
              _e(fmt_number(p["cumulative"][-1] if p["cumulative"] else 0))]
             for p in d["progress"]]))

    parts.append("<h2>按街道办事处 / By street office</h2>")
    inds = d["district_indicators"]
    parts.append(_table(
        ["街道 Street office"] + [f"{i['zh']} {i['en']} ({i['unit']})" for i in inds],
        [[f"{_e(r['name_zh'])}<br><small>{_e(r['name_en'])} {_e(r['code'])}</small>"]
         + [_e(fmt_number(r.get(i["key"]), i["unit"])) for i in inds] for r in d["by_district"]]))

    parts.append("<h2>按责任单位 / By responsible department</h2>")
    parts.append(_table(
        ["责任单位 Department", "负责目标 Targets", "达标 Met", "未达标 Not met",
         "无法计算 Not measurable", "工程项 Works items", "已完成 Done",
         "未达标资产 Unmet assets"],
        [[f"{_e(r['name_zh'])}<br><small>{_e(r['name_en'])}</small>",
          _e(", ".join(r["targets"])), _e(r["met"]), _e(r["not_met"]), _e(r["not_measurable"]),
          _e(r["works_items"]), _e(r["works_items_done"]), _e(r["unmet_assets"])]
         for r in d["by_department"]]))

    parts.append("<h2>未达标资产 / Assets keeping targets unmet</h2>")
    if d["unmet_assets"]:
        parts.append(_table(
            ["指标 Target", "对象编码 Object id", "名称 Name", "街道 Street office",
             "责任单位 Department", "原因 Reason"],
            [[f"{_e(u['target_zh'])}<br><small>{_e(u['target_en'])}</small>", _e(u["obj_id"]),
              _e(u["name"]), _e(u["street_office_zh"]), _e(u["department_zh"]),
              f"{_e(u['reason_zh'])}<br><small>{_e(u['reason_en'])}</small>"]
             for u in d["unmet_assets"]]))
    else:
        parts.append("<p>无 / none</p>")

    parts.append("<h2>说明 / Notes</h2><ul>")
    for n in d["notes"]:
        parts.append(f"<li>{_e(n['zh'])}<br><small>{_e(n['en'])}</small></li>")
    parts.append("<li>无法由清单计算的目标不给数值,只说明所需数据。<br><small>Targets not "
                 "measurable from the inventory carry no number, only the data they would "
                 "need.</small></li></ul>")
    if d["illustrative"]:
        parts.append(f'<p class="notice">{_e(d["notice_zh"])}<br>{_e(d["notice_en"])}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"

