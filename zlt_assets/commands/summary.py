"""``zlt-assets summary``: what the inventory holds."""
from __future__ import annotations

import argparse

from ._common import add_data_argument, step, write_json, write_text

NAME = "summary"
ORDER = 20
HELP = "资产清单概要 / inventory summary: counts by layer, status and plan"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--out", metavar="FILE.md", help="also write the summary as Markdown")
    parser.add_argument("--json", metavar="FILE",
                        help="also write the summary as JSON ('-': standard output)")


def run(args: argparse.Namespace) -> int:
    step("读取清单 / reading the inventory", 0.0)
    from ..summary import summarise_inventory

    s = summarise_inventory(args.data)
    md = s.to_markdown()
    if args.out:
        write_text(args.out, md)
    if args.json:
        write_json(args.json, s.to_dict())
    print(md, end="")
    return 0
