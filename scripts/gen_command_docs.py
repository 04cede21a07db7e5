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
    from zlt_assets.cli import ENVIRONMENT, build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    lines = [
        "# 命令 / Commands",
        "",
        "Generated from the CLI's own help by `scripts/gen_command_docs.py` "
        "(a test checks it is current). 本文件由命令行帮助自动生成。",
        "",
        "Every command: `--data PATH` is a GeoPackage (or, where supported, a `postgresql://` "
        "URL); without it, `$ZLT_DATA` or the shipped sample `layers/zhalantun.gpkg`. Exit codes: "
        "0 success, 1 problems found, 2 bad input, 3 missing component, 4 refused to protect data, "
        "70 internal error (see [bad-inputs.md](bad-inputs.md)).",
        "",
        "| command · 命令 | |",
        "|---|---|",
    ]
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name in sub.choices:
        lines.append(f"| [`{name}`](#zlt-assets-{name}) | {helps.get(name, '')} |")
    lines += GLOBAL_OPTIONS + environment_table(ENVIRONMENT) + PROTOCOL_DOC
    lines += ["", "## zlt-assets", "", "```text", parser.format_help().rstrip(), "```"]
    for name, p in sub.choices.items():
        lines += ["", f"## zlt-assets {name}", "", "```text", p.format_help().rstrip(), "```"]
    return "\n".join(lines) + "\n"


def environment_table(env: dict[str, tuple[str, str, str]]) -> list[str]:
    rows = ["", "## 环境变量 / Environment variables", "",
            "Every variable zlt-assets, its plugin, notebooks, tests and set-up read "
            "(`zlt_assets.cli.ENVIRONMENT`; a test checks the sources name no other `ZLT_*`).", "",
            "| variable · 变量 | read by · 使用者 | 说明 | meaning |", "|---|---|---|---|"]
    for name, (who, zh, en) in env.items():
        rows.append(f"| `{name}` | {who} | {zh} | {en} |")
    return rows


GLOBAL_OPTIONS = [
    "",
    "## 通用选项 / Global options",
    "",
    "Every command accepts these, before or after the command name "
    "(`zlt-assets -q coverage` = `zlt-assets coverage -q`). 所有命令均可使用,位置不限。",
    "",
    "| option · 选项 | |",
    "|---|---|",
    "| `-q`, `--quiet` | 少输出:无进度,只有警告与错误 / no progress, only warnings and errors "
    "(`validate`: only the summary line) |",
    "| `-v`, `--verbose` | 更多日志 / debug lines of zlt-assets; `-vv` also the libraries' |",
    "| `--progress MODE` | `auto` (default: a bar on a terminal, plain lines otherwise), `bar`, "
    "`plain`, `json`, `none`; default `$ZLT_PROGRESS`. Plain lines appear only for steps that "
    "last over a second, one line each, no redraws: a redirected log stays readable. |",
    "| `--json FILE` | every command with a result: the result as JSON; `-` writes it to standard "
    "output (the human summary then goes to standard error). Special files (devices, FIFOs) "
    "are never replaced. |",
    "| `--version` | `zlt-assets X.Y.Z` |",
    "",
    "Standard output carries the command's result; progress, log lines and errors go to standard "
    "error. Errors are one line, Chinese first: `zlt-assets CMD: <中文> / <English>`. "
    "`ZLT_DEBUG=1` prints the traceback of an internal error (exit 70) for a bug report.",
    "",
    "### 命令补全 / Shell completion",
    "",
    "```bash",
    "zlt-assets completion bash > ~/.local/share/bash-completion/completions/zlt-assets",
    "zlt-assets completion zsh > ~/.zfunc/_zlt-assets   # with fpath+=(~/.zfunc) in ~/.zshrc",
    "```",
]

PROTOCOL_DOC = [
    "",
    "## 引擎协议 / Engine protocol (`--progress json`)",
    "",
    "What the QGIS plugin (and any program that runs zlt-assets as a child process) relies on. "
    "QGIS 插件以子进程方式运行本引擎,依赖以下约定。`zlt-assets info --json -` reports "
    "`protocol: 1`.",
    "",
    "With `--progress json` (or `ZLT_PROGRESS=json`) standard error carries one JSON object per "
    "line (UTF-8) and nothing else; whatever a library writes there becomes a `log` event:",
    "",
    "```text",
    '{"event": "progress", "percent": 42.5, "step": "路网构建 / building the network"}',
    '{"event": "log", "level": "info", "message": "..."}          # level: info, warning, error',
    '{"event": "error", "exit_code": 2, "message": "...", "message_zh": "...", "option": "as_of"}',
    '{"event": "done", "exit_code": 0}',
    "```",
    "",
    "- `percent` (0–100 of the whole command, never decreasing) may be `null` when unknown;",
    "- `error` comes just before a non-zero exit (also for exit 1, problems found); `message` is "
    "English, `message_zh` Chinese or null, `option` the option's `dest` (`as_of`) or null; an "
    "argument error is an `error` event with exit code 2;",
    "- `done` is the last line of a successful run;",
    "- results: `--json FILE` (`-` = standard output), output layers with `--out FILE.gpkg`;",
    "- cancel: SIGTERM (Windows: `terminate()`) ends the run with exit 130; every write is all "
    "or nothing, so nothing half-written remains;",
    "- exit codes: 0 ok, 1 problems found, 2 bad input, 3 missing component, 4 refused to "
    "protect data, 70 internal error, 130 interrupted.",
    "",
    "`zlt-assets info --json -` prints `{\"version\", \"protocol\": 1, \"python\", "
    "\"executable\", \"components\": {\"postgis\": bool, \"png\": bool, \"pdf\": bool}, ...}`.",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print("docs/commands.md is out of date: run scripts/gen_command_docs.py",
                  file=sys.stderr)
            return 1
        return 0
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
