#!/usr/bin/env python
"""Write docs/commands.md from the CLI's own help, so every command is documented.

    .venv/bin/python scripts/gen_command_docs.py          # rewrite docs/commands.md
    .venv/bin/python scripts/gen_command_docs.py --check  # exit 1 when it is out of date
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "docs" / "commands.md"


def render() -> str:
    os.environ["COLUMNS"] = "100"
    sys.path.insert(0, str(REPO))
    from zlt_assets.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    lines = [
        "# 命令 / Commands",
        "",
        "Generated from the CLI's own help by `scripts/gen_command_docs.py` "
        "(a test checks it is current). 本文件由命令行帮助自动生成。",
        "",
        "Every command: `--data PATH` is a GeoPackage (or, where supported, a `postgresql://` URL); "
        "without it, `$ZLT_DATA` or the shipped sample `layers/zhalantun.gpkg`. Exit codes: 0 success, "
        "1 problems found, 2 bad input, 3 missing component, 4 refused to protect data, 70 internal error "
        "(see [bad-inputs.md](bad-inputs.md)).",
        "",
        "| command · 命令 | |",
        "|---|---|",
    ]
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name in sub.choices:
        lines.append(f"| [`{name}`](#zlt-assets-{name}) | {helps.get(name, '')} |")
    for name, p in sub.choices.items():
        lines += ["", f"## zlt-assets {name}", "", "```text", p.format_help().rstrip(), "```"]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print("docs/commands.md is out of date: run scripts/gen_command_docs.py", file=sys.stderr)
            return 1
        return 0
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
