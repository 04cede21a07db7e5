"""``zlt-assets pack``: the main job. Everything a meeting needs, from one inventory, in one folder.

Runs, in order, each step whose command is installed: validate, summary, coverage (straight line
and walking), toilet gaps, plan scorecard (HTML, Markdown, XLSX, JSON) and the offline meeting
map. A failing step is reported and the others still run; the exit code is the worst step's.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from .. import progress
from ._common import add_data_argument, log, write_text

NAME = "pack"
ORDER = 1
HELP = "会议材料包 / the main job: validation, summary, coverage, toilet gaps, scorecard, map"
DESCRIPTION = __doc__


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--out", metavar="DIR", default="out",
                        help="output folder (default: out/)")


#: Share of the whole run each step takes (seconds of each step on the sample, as
#: out/README.md reports them): the progress of ``pack`` is one bar over all steps.
WEIGHTS = {"validate": 1.3, "summary": 1.1, "coverage": 1.3, "toilet-gaps": 1.1,
           "scorecard": 2.9, "map": 2.7}


def _steps(data: list[str], out: Path) -> list[tuple[str, list[str]]]:
    return [
        ("validate", ["validate", *data, "--json", str(out / "validation.json"), "--max-lines", "50"]),
        ("summary", ["summary", *data, "--out", str(out / "summary.md"),
                     "--json", str(out / "summary.json")]),
        ("coverage", ["coverage", *data, "--method", "euclidean",
                      "--out", str(out / "coverage_euclidean.gpkg"),
                      "--json", str(out / "coverage_euclidean.json")]),
        ("coverage", ["coverage", *data, "--method", "network",
                      "--out", str(out / "coverage_network.gpkg"),
                      "--json", str(out / "coverage_network.json")]),
        ("toilet-gaps", ["toilet-gaps", *data, "--propose", "5",
                         "--out", str(out / "toilet_gaps.gpkg"),
                         "--json", str(out / "toilet_gaps.json")]),
        ("scorecard", ["scorecard", *data, "--out", str(out / "scorecard.html"),
                       "--out", str(out / "scorecard.md"), "--out", str(out / "scorecard.xlsx"),
                       "--json", str(out / "scorecard.json")]),
        ("map", ["map", *data, "--out", str(out / "meeting_map.html"),
                 "--analysis", "coverage,toilet-gaps,scorecard"]),
    ]


def run(args: argparse.Namespace) -> int:
    from ..cli import build_parser, main

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = ["--data", args.data] if args.data else []
    available = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    results: list[tuple[str, str, int, float]] = []
    worst = 0
    steps = _steps(data, out)
    spans = progress.current().split(WEIGHTS.get(name, 2.0) for name, _ in steps)
    for (name, argv), span in zip(steps, spans):
        if name not in available:
            results.append((name, " ".join(argv[:1]), -1, 0.0))
            continue
        log.info(f"== {' '.join(argv)}")
        span(f"{name}", 0.0)
        t0 = time.perf_counter()
        with progress.using(span):
            code = main(argv)
        results.append((name, " ".join(argv[:3]), code, time.perf_counter() - t0))
        worst = max(worst, code)
    lines = ["# 会议材料包 / Meeting pack", "",
             "| 步骤 / Step | 结果 / Result | 秒 / s |", "|---|---|---:|"]
    for name, what, code, secs in results:
        result = {0: "完成 / done", 1: "发现问题 / problems found", -1: "未安装 / not available"}.get(
            code, f"失败 / failed (exit {code})")
        lines.append(f"| {what} | {result} | {secs:.1f} |")
    lines += ["", "示例数据为示意数据,非实测;地图非正式审图地图。",
              "The sample inventory is illustrative, not surveyed; maps are not officially reviewed maps."]
    progress.current()("写出 / writing README.md", 1.0)
    write_text(out / "README.md", "\n".join(lines) + "\n")
    print("\n" + "\n".join(lines))
    print(f"\n输出 / outputs: {out}/")
    return worst
