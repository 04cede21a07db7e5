"""Scorecard as an Excel workbook (openpyxl): one sheet per breakdown.

Sheets: ``概览 Summary`` (metadata and the illustrative notice), ``目标 Targets``,
``街道 By street office``, ``部门 By department``, ``未达标资产 Unmet assets``,
``进度 Progress``. Every text is a string cell, never a formula (:mod:`.cells`).
"""
from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from . import as_of_source_label, fmt_evidence, fmt_target
from .cells import xlsx_value

SHEETS = ("概览 Summary", "目标 Targets", "街道 By street office", "部门 By department",
          "未达标资产 Unmet assets", "进度 Progress")


def _cell_value(v: Any) -> Any:
    if v is None or isinstance(v, (int, float, bool)):
        return v
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _sheet(wb: Any, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Any:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDE3F3")
    for r, row in enumerate(rows, start=2):
        for col, v in enumerate(row, start=1):
            xlsx_value(ws.cell(row=r, column=col), _cell_value(v))
    for col, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(48, max(10, len(str(h)) + 2))
    ws.freeze_panes = "A2"
    return ws


def render_xlsx(card: Any) -> bytes:
    """The scorecard as XLSX bytes."""
    from openpyxl import Workbook

    d = card.to_dict() if hasattr(card, "to_dict") else dict(card)
    wb = Workbook()
    wb.remove(wb.active)
    ph, c = d["phase"], d["counts"]
    summary = [
        ["标题 Title", f"{d['title_zh']} / {d['title_en']}"],
        ["方案 Plan", d["plan_document"]],
        ["评估日 As of", d["as_of"]],
        ["评估日来源 As-of source", as_of_source_label(d["as_of_source"])],
        ["方案阶段 Plan phase", f"{ph['zh']} / {ph['en']}"],
        ["数据 Data", d["data"]],
        ["数据来源 Data source", ", ".join(d["data_sources"])],
        ["示意数据 Illustrative", d["illustrative"]],
        ["达标 Met", c["met"]], ["未达标 Not met", c["not_met"]],
        ["无法计算 Not measurable", c["not_measurable"]],
        ["生成时间 Generated", d["generated"]],
    ]
    if d["illustrative"]:
        summary.insert(0, ["注意 Notice", f"{d['notice_zh']} {d['notice_en']}"])
    for n in d["notes"]:
        summary.append(["说明 Note", f"{n['zh']} / {n['en']}"])
    ws = _sheet(wb, SHEETS[0], ["项目 Item", "内容 Value"], summary)
    ws.column_dimensions["B"].width = 90

    _sheet(wb, SHEETS[1],
           ["指标代码 Target code", "章节 Section", "指标 Target", "Target (English)",
            "目标 Target", "目标值 Target value", "现值 Value", "单位 Unit",
            "状态代码 Status code", "状态 Status", "责任单位 Departments", "依据 Evidence",
            "口径 Method", "所需数据 Data needed"],
           [[t["id"], t["section"], t["name_zh"], t["name_en"], fmt_target(t), t["target"],
             t["value"], t["unit"], t["status"], f"{t['status_zh']} / {t['status_en']}",
             "、".join(f"{x['zh']} {x['en']}" for x in t["departments"]),
             "\n".join(fmt_evidence(t["evidence"])), f"{t['method_zh']}\n{t['method_en']}",
             f"{t['needs_zh']}\n{t['needs_en']}" if t["needs_zh"] else None]
            for t in d["targets"]])

    inds = d["district_indicators"]
    _sheet(wb, SHEETS[2], ["区划代码 Division code", "街道 Street office",
                           "Street office (English)"]
           + [f"{i['zh']} {i['en']} ({i['unit']})" for i in inds],
           [[r["code"], r["name_zh"], r["name_en"]] + [r.get(i["key"]) for i in inds]
            for r in d["by_district"]])

    _sheet(wb, SHEETS[3],
           ["单位代码 Department code", "责任单位 Department", "Department (English)",
            "负责目标 Targets", "达标 Met", "未达标 Not met", "无法计算 Not measurable",
            "未达标目标 Targets not met", "工程项 Works items", "已完成 Done",
            "未达标资产 Unmet assets"],
           [[r["code"], r["name_zh"], r["name_en"], ", ".join(r["targets"]), r["met"],
             r["not_met"], r["not_measurable"], ", ".join(r["targets_not_met"]),
             r["works_items"], r["works_items_done"], r["unmet_assets"]]
            for r in d["by_department"]])

    _sheet(wb, SHEETS[4],
           ["指标代码 Target code", "指标 Target", "图层 Layer", "对象编码 Object id",
            "名称 Name", "区划代码 Division code", "街道 Street office", "责任单位 Department",
            "原因 Reason", "Reason (English)"],
           [[u["target_id"], f"{u['target_zh']} / {u['target_en']}", u["layer"], u["obj_id"],
             u["name"], u["street_office"], u["street_office_zh"], u["department_zh"],
             u["reason_zh"], u["reason_en"]] for u in d["unmet_assets"]])

    prog_rows = []
    for p in d["progress"]:
        for m, v in zip(p["months"], p["cumulative"], strict=False):
            prog_rows.append([p["target_id"], f"{p['name_zh']} / {p['name_en']}", m, v,
                              p["target"]])
    _sheet(wb, SHEETS[5], ["指标代码 Target code", "指标 Target", "月份 Month",
                           "累计完成 Cumulative done", "目标 Target"], prog_rows)

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
