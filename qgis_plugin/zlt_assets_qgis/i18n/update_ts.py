#!/usr/bin/env python
"""Extract the plugin's UI strings and write the zh_CN translation (.ts), then compile it (.qm).

UI strings are written ``"English / 中文"`` (both languages, as everywhere in zlt-assets); the
zh_CN translation puts Chinese first: ``"中文 / English"``. Strings are found with :mod:`ast` in
``tr("...")`` calls and in every other literal written ``"English / 中文"``; a string that is not
bilingual has no translation and fails ``--check``.

Usage::

    python qgis_plugin/zlt_assets_qgis/i18n/update_ts.py          # write .ts, compile .qm
    python qgis_plugin/zlt_assets_qgis/i18n/update_ts.py --check  # exit 1: stale or untranslated

Needs ``lrelease`` (Debian/Ubuntu: qttools5-dev-tools; OSGeo4W: qt5-tools) to compile; without
it the committed .qm is kept and a note is printed.
"""
from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLUGIN = HERE.parent
CONTEXT = "ZltAssets"
TS = HERE / "zlt_assets_qgis_zh_CN.ts"
QM = HERE / "zlt_assets_qgis_zh_CN.qm"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def is_ui_string(text: str) -> bool:
    """``"English / 中文"``: a bilingual UI string written English first."""
    return chinese_first(text) is not None


def extract() -> list[str]:
    """All UI strings of the plugin, in first-seen order (files sorted): the literal argument of
    every ``tr()`` call, and every other literal written ``"English / 中文"`` (labels kept in
    tables and passed to ``tr`` later)."""
    seen: dict[str, None] = {}
    for path in sorted(PLUGIN.rglob("*.py")):
        parts = path.relative_to(PLUGIN).parts
        if "generated" in parts or path.parent == HERE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                fn = node.func
                name = fn.id if isinstance(fn, ast.Name) else getattr(fn, "attr", None)
                arg = node.args[0]
                if name == "tr" and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    seen.setdefault(arg.value)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in skip and is_ui_string(node.value):
                seen.setdefault(node.value)
    return list(seen)


def missing(ts: Path = TS) -> list[str]:
    """Strings of the plugin without a finished translation in the .ts."""
    done = {}
    if ts.exists():
        root = ET.parse(ts).getroot()
        for msg in root.iter("message"):
            t = msg.find("translation")
            if t is not None and t.get("type") != "unfinished" and (t.text or "").strip():
                done[msg.findtext("source")] = t.text
    return [s for s in extract() if s not in done]


def chinese_first(text: str) -> str | None:
    """``"English / 中文"`` -> ``"中文 / English"``; None when the string is not of that form."""
    parts = text.split(" / ")
    for i in range(1, len(parts)):
        left, right = " / ".join(parts[:i]), " / ".join(parts[i:])
        if CJK.search(right) and not CJK.search(left):
            return f"{right} / {left}"
    return None


def build_ts(strings: list[str]) -> bytes:
    root = ET.Element("TS", {"version": "2.1", "language": "zh_CN", "sourcelanguage": "en"})
    ctx = ET.SubElement(root, "context")
    ET.SubElement(ctx, "name").text = CONTEXT
    for s in strings:
        msg = ET.SubElement(ctx, "message")
        ET.SubElement(msg, "source").text = s
        zh = chinese_first(s)
        tr_el = ET.SubElement(msg, "translation")
        if zh is None:
            tr_el.set("type", "unfinished")
        else:
            tr_el.text = zh
    ET.indent(root, space="    ")
    return (b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
            + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n")


def lrelease() -> str | None:
    for name in ("lrelease", "lrelease-qt5", "lrelease-qt6"):
        found = shutil.which(name)
        if found:
            return found
    for cand in ("/usr/lib/qt5/bin/lrelease", "/usr/lib/qt6/bin/lrelease"):
        if Path(cand).exists():
            return cand
    return None


def compile_qm(ts: Path = TS, qm: Path = QM) -> bool:
    exe = lrelease()
    if exe is None:
        print("lrelease not found: keeping the committed .qm", file=sys.stderr)
        return False
    subprocess.run([exe, "-silent", str(ts), "-qm", str(qm)], check=True)
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when the .ts is out of date")
    args = ap.parse_args(argv)
    data = build_ts(extract())
    if args.check:
        current = TS.read_bytes() if TS.exists() else b""
        untranslated = missing()
        for text in untranslated:
            print(f"no zh_CN translation: {text!r}", file=sys.stderr)
        if current != data:
            print(f"{TS.name} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 1 if untranslated else 0
    TS.write_bytes(data)
    compile_qm()
    print(f"wrote {TS.name} ({len(extract())} strings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
