"""``zlt-assets validate``: check an inventory against the schema."""
from __future__ import annotations

import argparse
import sys

from ..errors import EXIT_OK, EXIT_PROBLEMS
from ._common import add_data_argument, step, write_json

NAME = "validate"
ORDER = 10
HELP = "检查资产清单 / validate the inventory against the schema"
DESCRIPTION = """检查每个图层:存在、坐标系、几何、必填字段、值域、对象编码、
图层规则(条件必填、数量上限、日期先后、不晚于检查日期、长度)、方案数量、空间合理性。
Checks every layer: presence, CRS, geometry type and validity, required fields, domains,
unique well-formed object ids, the layers' declared rules (ranges, conditional requirements,
bounds such as lamps lit <= lamps installed, dates in order and not after the check date,
recorded lengths), the plan counts, spatial sanity.

Exit codes: 0 clean, 1 problems found, 2 the input cannot be read."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--json", metavar="FILE",
                        help="also write the report as JSON ('-': standard output)")
    parser.add_argument("--max-lines", type=int, default=200, metavar="N",
                        help="print at most N problems (all are in --json); default 200")
    parser.add_argument("--check-date", metavar="YYYY-MM-DD",
                        help="检查日期:晚于此日期的日期视为错误 / dates after this date are "
                             "errors (default: today)")


def run(args: argparse.Namespace) -> int:
    # -q/--quiet (a global option): print only the summary line
    step("检查清单 / validating the inventory", 0.0)
    from ..validate import parse_check_date, validate_inventory

    report = validate_inventory(args.data, today=parse_check_date(args.check_date))
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
