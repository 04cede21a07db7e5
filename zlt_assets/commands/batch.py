"""``zlt-assets batch``: run the coverage scenarios of a TOML/YAML file (printing only)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_OK, EXIT_PROBLEMS
from ._common import add_data_argument, deprecated_alias, log, step

if TYPE_CHECKING:
    from ..batch import Scenario, ScenarioResult

NAME = "batch"
ORDER = 45
HELP = "批量覆盖率情景 / run coverage scenarios from a TOML or YAML file"
DESCRIPTION = """按情景文件(TOML 或 YAML)批量计算覆盖率:每个情景一个 GeoPackage 和一行汇总;
汇总表写成 CSV(UTF-8 带 BOM,Excel 可直接显示中文)和 XLSX。失败的情景会记录原因,其余照常运行;
重新运行时跳过已完成且输入未变的情景(--force 强制重算)。
Runs every scenario of a TOML or YAML file: one GeoPackage and one summary row per scenario;
summary.csv (UTF-8 with BOM) and summary.xlsx. A failing scenario is reported and the others still
run; a rerun skips scenarios whose outputs are up to date (same definition and inputs) unless
--force. See docs/batch.md for the file format.

Exit codes: 0 all scenarios ok, 1 a scenario failed, 2 the scenarios file is invalid."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenarios", metavar="SCENARIOS",
                        help="scenarios file (.toml, .yaml, .yml)")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="output folder (default: ./batch-<scenarios file stem>)")
    parser.add_argument("--force", action="store_true",
                        help="rerun every scenario, even those whose outputs are up to date")
    add_data_argument(parser)
    parser.add_argument("--only", metavar="NAME", action="append", default=None,
                        help="run only this scenario (repeatable)")
    deprecated_alias(parser, "--no-progress", "--progress none", dest="progress", const="none")


def run(args: argparse.Namespace) -> int:
    say = step("读取情景 / reading the scenarios", 0.0)
    from ..batch import load_scenarios, run_batch

    plan = load_scenarios(args.scenarios, data=args.data)
    out = Path(args.out) if args.out else Path.cwd() / f"batch-{Path(args.scenarios).stem}"
    total = max(1, len(plan.scenarios) if not args.only else len(set(args.only)))
    state = {"done": 0}

    def where() -> float:
        return 0.02 + 0.98 * state["done"] / total

    def on_start(scn: Scenario) -> None:
        say(f"情景 scenario {state['done'] + 1}/{total}: {scn.name}", where())

    def on_step(scn: Scenario, msg: str) -> None:
        say(f"情景 scenario {state['done'] + 1}/{total}: {scn.name}: {msg}", where())

    def on_done(res: ScenarioResult) -> None:
        state["done"] += 1
        say(f"情景 scenarios {state['done']}/{total}", where())
        if not res.ok:
            log.error(f"失败 FAILED {res.scenario.name}: {res.reason}")

    result = run_batch(plan, out, force=args.force, only=args.only, on_start=on_start,
                       on_done=on_done, on_step=on_step)
    for r in result.results:
        if r.ok:
            share = r.row.get("area_share")
            pshare = r.row.get("population_share")
            print(f"{r.scenario.name}: {r.action} "
                  f"area_share={_pct(share)} population_share={_pct(pshare)}")
        else:
            print(f"{r.scenario.name}: {r.action}: {r.reason}")
    c = result.counts()
    print(f"汇总 summary: {result.csv} ; {result.xlsx}")
    print(f"运行 ran {c['ran']}, 跳过 reused {c['reused']}, 失败 failed {c['failed']}"
          + (f", 未运行 not run {c['not_run']}" if c.get("not_run") else ""))
    return EXIT_OK if result.ok else EXIT_PROBLEMS


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * float(v):.1f}%"
