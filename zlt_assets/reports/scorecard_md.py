"""Scorecard as Markdown (tables; Chinese first, English beside; no charts)."""
from __future__ import annotations

from collections.abc import Sequence
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
from .cells import md_text as _t


def _c(v: Any) -> str:
    """A table cell: shown as text (HTML and Markdown escaped), line breaks as <br>."""
    s = "—" if v is None else str(v)
    return "<br>".join(_t(line) for line in s.replace("\r\n", "\n").replace("\r", "\n")
                       .split("\n"))


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(_c(h) for h in headers) + " |",
           "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_c(v) for v in row) + " |" for row in rows]
    return [*out, ""]


def render_markdown(card: Any) -> str:
    """The scorecard as a Markdown document (str)."""
    d = card.to_dict() if hasattr(card, "to_dict") else dict(card)
    ph, c = d["phase"], d["counts"]
    lines = [f"# {d['title_zh']}", "", f"{d['title_en']} — {d['plan_document']}", ""]
    if d["illustrative"]:
        lines += [f"> **{d['notice_zh']}**", f"> **{d['notice_en']}**", ""]
    lines += [
        f"- 评估日 / As of: **{_t(d['as_of'])}** ({_t(as_of_source_label(d['as_of_source']))})",
        f"- 方案阶段 / Plan phase: {ph['zh']} / {ph['en']}",
        f"- 数据 / Data: {_t(d['data'])} ({_t(', '.join(d['data_sources'])) or '—'})",
        f"- 结果 / Results: 达标 met {c['met']}, 未达标 not met {c['not_met']}, "
        f"无法计算 not measurable {c['not_measurable']} (共 {len(d['targets'])} 项 targets)",
        f"- 生成时间 / Generated: {d['generated']}", "",
        "## 目标 / Targets", "",
    ]
    lines += _table(
        ["章节 Section", "指标 Target", "目标值 Target", "现值 Value", "状态 Status",
         "责任单位 Departments", "依据 Evidence", "口径/所需数据 Method / data needed"],
        [[t["section"], f"{t['name_zh']} / {t['name_en']}", fmt_target(t), fmt_value(t),
          status_label(t["status"]), fmt_departments(t), "\n".join(fmt_evidence(t["evidence"])),
          (f"{t['needs_zh']}\n{t['needs_en']}" if t["needs_zh"]
           else f"{t['method_zh']}\n{t['method_en']}")] for t in d["targets"]])
    if d["progress"]:
        lines += ["## 工程进度 / Works progress", ""]
        lines += _table(["指标 Target", "目标 Target", "评估日累计 Done at as-of",
                         "按月累计 By month"],
                        [[f"{p['name_zh']} / {p['name_en']}", fmt_number(p["target"]),
                          p["cumulative"][-1] if p["cumulative"] else 0,
                          ", ".join(f"{m}: {v}" for m, v
                                    in zip(p["months"], p["cumulative"], strict=False))]
                         for p in d["progress"]])
    inds = d["district_indicators"]
    lines += ["## 按街道办事处 / By street office", ""]
    lines += _table(["街道 Street office"] + [f"{i['zh']} {i['en']} ({i['unit']})" for i in inds],
                    [[f"{r['name_zh']} / {r['name_en']} ({r['code']})"]
                     + [fmt_number(r.get(i["key"]), i["unit"]) for i in inds]
                     for r in d["by_district"]])
    lines += ["## 按责任单位 / By responsible department", ""]
    lines += _table(["责任单位 Department", "负责目标 Targets", "达标 Met", "未达标 Not met",
                     "无法计算 Not measurable", "工程项 Works items", "已完成 Done",
                     "未达标资产 Unmet assets"],
                    [[f"{r['name_zh']} / {r['name_en']}", ", ".join(r["targets"]), r["met"],
                      r["not_met"], r["not_measurable"], r["works_items"],
                      r["works_items_done"], r["unmet_assets"]] for r in d["by_department"]])
    lines += ["## 未达标资产 / Assets keeping targets unmet", ""]
    if d["unmet_assets"]:
        lines += _table(["指标 Target", "对象编码 Object id", "名称 Name", "街道 Street office",
                         "责任单位 Department", "原因 Reason"],
                        [[f"{u['target_zh']} / {u['target_en']}", u["obj_id"], u["name"],
                          u["street_office_zh"], u["department_zh"],
                          f"{u['reason_zh']} / {u['reason_en']}"] for u in d["unmet_assets"]])
    else:
        lines += ["无 / none", ""]
    lines += ["## 说明 / Notes", ""]
    lines += [f"- {_t(n['zh'])} / {_t(n['en'])}" for n in d["notes"]]
    lines += ["- 无法由清单计算的目标不给数值,只说明所需数据。 / Targets not measurable from the "
              "inventory carry no number, only the data they would need.", ""]
    if d["illustrative"]:
        lines += [f"> **{d['notice_zh']}** {d['notice_en']}", ""]
    return "\n".join(lines)
