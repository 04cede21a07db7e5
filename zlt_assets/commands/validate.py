"""``zlt-assets validate``: check an inventory against the schema."""
from __future__ import annotations

import argparse
import sys

from ..errors import EXIT_OK, EXIT_PROBLEMS
from ._common import add_data_argument, step, write_json

NAME = "validate"
ORDER = 10
HELP = "检查资产清单 / validate the inventory against the schema"
DESCRIPTION = """检查每个图层:存在、坐标系、几何、必填字段、值域、对象编码、日期、方案数量、空间合理性。
Checks every layer: presence, CRS, geometry type and validity, required fields, domains,
unique well-formed object ids, dates in order, the plan counts, spatial sanity.

Exit codes: 0 clean, 1 problems found, 2 the input cannot be read."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--json", metavar="FILE",
                        help="also write the report as JSON ('-': standard output)")
    parser.add_argument("--max-lines", type=int, default=200, metavar="N",
                        help="print at most N problems (all are in --json); default 200")


def run(args: argparse.Namespace) -> int:
    # -q/--quiet (a global option): print only the summary line
    step("检查清单 / validating the inventory", 0.0)
    from ..validate import validate_inventory

    report = validate_inventory(args.data)
    if args.json:
        write_json(args.json, report.to_dict())
    out = sys.stdout
    if not args.quiet:
        for p in report.problems[: args.max_lines]:
            print(p.line(), file=out)
        if len(report.problems) > args.max_lines:
            print(f"... {len(report.problems) - args.max_lines} more (see --json)", file=out)
    counts = ", ".join(f"{k}={v}" for k, v in report.by_check().items())
    if report.ok:
        print(f"通过 / OK: {report.source}: no errors, {len(report.warnings)} warnings"
              + (f" ({counts})" if counts else ""), file=out)
        return EXIT_OK
    print(f"未通过 / FAILED: {report.source}: {len(report.errors)} errors, "
          f"{len(report.warnings)} warnings ({counts})", file=out)
    return EXIT_PROBLEMS
