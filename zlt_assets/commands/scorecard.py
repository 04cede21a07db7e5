"""``zlt-assets scorecard``: the plan's targets from the inventory, at a date (printing only)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_OK, BadInput
from ._common import add_data_argument, step

if TYPE_CHECKING:
    from ..analysis.scorecard import Scorecard

NAME = "scorecard"
ORDER = 50
HELP = "方案目标记分卡 / plan target scorecard (HTML, Markdown, XLSX, JSON)"
DESCRIPTION = """\
按清单计算方案的全部18项量化目标:现值、目标值、状态(达标/未达标/无法由清单计算并说明所需数据)、
依据、章节与责任单位;按街道办事处和责任单位分列;列出使目标未达标的资产(含对象编码);
工程进度按月累计。--as-of 给出该日的状态并说明所处方案阶段;缺省为数据中最新的更新日期。
输出格式由扩展名决定(.html 自包含、.md、.xlsx、.json),--out 可重复。示意数据的输出会注明
“示意数据,非官方考评”。
Computes all 18 quantitative targets of the plan from the inventory: value, target, status (met /
not met / not measurable, with the data it would need), evidence, plan section and responsible
departments; breakdowns by street office and department; the assets that keep a target unmet
(with object ids); monthly progress of the works. --as-of gives the state at that date and names
the plan phase; the default is the latest `updated` date in the data. The format comes from the
extension (.html self-contained, .md, .xlsx, .json); --out may be repeated. Outputs of
illustrative data say so (not an official evaluation). See docs/scorecard.md.

Exit codes: 0 the scorecard was written (whatever the targets' status), 2 bad input."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", default=None,
                        help="evaluate the state at this date (default: the latest updated date "
                             "in the data, else today)")
    parser.add_argument("--out", metavar="FILE", action="append", default=[],
                        help="write the scorecard; format from the extension: .html, .md, .xlsx "
                             "or .json (repeatable)")
    parser.add_argument("--json", metavar="FILE", default=None,
                        help="write the scorecard as JSON (one object per target)")
    parser.add_argument("--coverage-method", choices=("euclidean", "network"), default="euclidean",
                        help="distance for the bus-stop 500 m coverage (default euclidean, the "
                             "official definition)")
    parser.add_argument("--cell", metavar="M", type=float, default=None,
                        help="coverage sampling grid cell in metres (default 25)")


def run(args: argparse.Namespace) -> int:
    say = step("计算记分卡 / computing the scorecard", 0.0)
    from .._io import write_bytes
    from ..analysis.scorecard import compute_scorecard, parse_as_of
    from ..reports import format_for, render_scorecard

    outputs: list[tuple[Path, str]] = [(Path(p), format_for(p)) for p in args.out]
    if args.json:
        outputs.append((Path(args.json), "json"))
    for path, _ in outputs:
        if path.is_dir():
            raise BadInput(f"output is a folder, give a file name: {path}")
    if args.cell is not None and args.cell <= 0:
        raise BadInput(f"--cell must be a positive number of metres, got {args.cell:g}")
    as_of = parse_as_of(args.as_of)

    card = compute_scorecard(args.data, as_of, coverage_method=args.coverage_method,
                             cell=args.cell)
    # render everything first, then write: a failing format writes nothing
    say("生成报告 / rendering the reports", 0.7)
    rendered = [(path, render_scorecard(card, fmt)) for path, fmt in outputs]
    for path, data in rendered:
        write_bytes(path, data)

    _print_summary(card)
    for path, _ in rendered:
        print(f"写出 wrote {path}")
    return EXIT_OK


def _print_summary(card: Scorecard) -> None:
    from ..reports import fmt_target, fmt_value, status_label

    d = card.to_dict()
    if d["illustrative"]:
        print(f"{d['notice_zh']} {d['notice_en']}")
    ph = d["phase"]
    print(f"评估日 as of {d['as_of']} ({d['as_of_source']}); "
          f"方案阶段 phase: {ph['zh']} / {ph['en']}")
    print(f"数据 data: {d['data']}")
    for t in d["targets"]:
        print(f"  [{status_label(t['status'])}] {t['section']} {t['name_zh']} / {t['name_en']}: "
              f"{fmt_value(t)} (目标 target {fmt_target(t)})")
    c = d["counts"]
    print(f"达标 met {c['met']}, 未达标 not met {c['not_met']}, "
          f"无法计算 not measurable {c['not_measurable']}")
