"""``zlt-assets pack``: the main job. Everything a meeting needs, from one inventory, in one folder.

Runs, in order, each step whose command is installed: validate, summary, coverage (straight line
and walking), toilet gaps, plan scorecard (HTML, Markdown, XLSX, JSON) and the offline meeting
map. A failing step is reported and the others still run; the exit code is the worst step's.

The outputs are written into a hidden staging folder inside the output folder and moved into
place only when every step has run; README.md is written last and lists exactly the files this
run produced, each with its step and result. Ctrl+C (or the QGIS plugin's cancel) stops the
whole run and leaves the output folder as it was; a run killed while moving leaves no README, so
no README ever claims a result it does not describe. Files in the folder that are not pack
outputs are never touched.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .. import progress
from ._common import add_data_argument, log, write_text

NAME = "pack"
ORDER = 1
HELP = "会议材料包 / the main job: validation, summary, coverage, toilet gaps, scorecard, map"
DESCRIPTION = __doc__

README = "README.md"
_STAGING = ".zlt-pack-"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--out", metavar="DIR", default="out",
                        help="output folder (default: out/)")


@dataclass(frozen=True)
class Step:
    """One step of the pack: a command, its arguments, the files it writes.

    ``args`` follow the command name and ``--data``; ``{out}`` stands for the folder the step
    writes into. ``outputs`` are the file names the step writes there (the README lists them).
    To add a step, add a ``Step`` to :data:`STEPS` (and its weight to :data:`WEIGHTS`).
    """

    command: str
    label: str
    args: tuple[str, ...]
    outputs: tuple[str, ...]

    def argv(self, data: list[str], out: Path) -> list[str]:
        """The command line of this step writing into ``out``."""
        return [self.command, *data, *(a.replace("{out}", str(out)) for a in self.args)]


STEPS: list[Step] = [
    Step("validate", "数据检查 / validation",
         ("--json", "{out}/validation.json", "--max-lines", "50"), ("validation.json",)),
    Step("summary", "清单汇总 / summary",
         ("--out", "{out}/summary.md", "--json", "{out}/summary.json"),
         ("summary.md", "summary.json")),
    Step("coverage", "公交覆盖(直线)/ bus coverage, straight line",
         ("--method", "euclidean", "--out", "{out}/coverage_euclidean.gpkg",
          "--json", "{out}/coverage_euclidean.json"),
         ("coverage_euclidean.gpkg", "coverage_euclidean.json")),
    Step("coverage", "公交覆盖(步行)/ bus coverage, walking",
         ("--method", "network", "--out", "{out}/coverage_network.gpkg",
          "--json", "{out}/coverage_network.json"),
         ("coverage_network.gpkg", "coverage_network.json")),
    Step("toilet-gaps", "公厕缺口 / toilet gaps",
         ("--propose", "5", "--out", "{out}/toilet_gaps.gpkg", "--json", "{out}/toilet_gaps.json"),
         ("toilet_gaps.gpkg", "toilet_gaps.json")),
    Step("scorecard", "规划指标 / plan scorecard",
         ("--out", "{out}/scorecard.html", "--out", "{out}/scorecard.md",
          "--out", "{out}/scorecard.xlsx", "--json", "{out}/scorecard.json"),
         ("scorecard.html", "scorecard.md", "scorecard.xlsx", "scorecard.json")),
    # every story map with its A3 print (PDF) and maps/index.html (maps: issue 12)
    Step("map", "会议地图 / meeting maps",
         ("--story", "all", "--out", "{out}/maps", "--pdf", "--paper", "a3",
          "--json", "{out}/maps.json"),
         ("maps", "maps.json")),
]

#: Share of the whole run each step takes (seconds of each step on the sample, as
#: out/README.md reports them): the progress of ``pack`` is one bar over all steps.
WEIGHTS = {"validate": 1.3, "summary": 1.1, "coverage": 1.3, "toilet-gaps": 1.1,
           "scorecard": 2.9, "map": 25.0}  # map: every story and its A3 PDF (issue 12)

_RESULT = {0: "完成 / done", 1: "发现问题 / problems found", -1: "未安装 / not available"}


@dataclass
class _Done:
    step: Step
    code: int
    seconds: float
    files: list[str]


def _clean_stale_staging(out: Path) -> None:
    """Remove staging folders of earlier runs that were killed (their process is gone)."""
    for d in out.glob(_STAGING + "*"):
        pid = d.name[len(_STAGING):].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(d, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _readme(done: list[_Done], data: str | None) -> str:
    lines = ["# 会议材料包 / Meeting pack", "",
             f"清单 / inventory: {data or '$ZLT_DATA / 示例 sample'}  ",
             f"生成时间 / made: {time.strftime('%Y-%m-%d %H:%M')}", "",
             "| 步骤 / Step | 结果 / Result | 秒 / s | 文件 / files |", "|---|---|---:|---|"]
    for d in done:
        result = _RESULT.get(d.code, f"失败 / failed (exit {d.code})")
        files = ", ".join(d.files) if d.files else "—"
        lines.append(f"| {d.step.label} (`{d.step.command}`) | {result} | {d.seconds:.1f} | "
                     f"{files} |")
    lines += ["", "本表只列出本次运行生成的文件。/ This table lists exactly the files this run "
              "produced.", "",
              "示例数据为示意数据,非实测;地图非正式审图地图。",
              "The sample inventory is illustrative, not surveyed; maps are not officially "
              "reviewed maps."]
    return "\n".join(lines) + "\n"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _publish(stage: Path, out: Path, done: list[_Done], data: str | None) -> None:
    """Move this run's files into ``out``; stale pack outputs go; the README comes last."""
    readme = out / README
    with contextlib.suppress(FileNotFoundError):
        readme.unlink()  # from here until the end no README describes the folder
    produced = {f for d in done for f in d.files}
    for f in sorted(produced):
        if (stage / f).is_dir():
            _remove(out / f)  # a folder output (maps/) is replaced whole, never merged
        os.replace(stage / f, out / f)
    for step in STEPS:
        for f in step.outputs:
            if f not in produced:
                _remove(out / f)  # an earlier run's output this run did not make
    write_text(readme, _readme(done, data))


def run(args: argparse.Namespace) -> int:
    from ..cli import build_parser, main

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        from ..errors import BadInput

        raise BadInput(f"{{option}} {out} is a file; give a folder",
                       zh=f"{{option}} {out} 是文件;请给出文件夹", option="out")
    out.mkdir(parents=True, exist_ok=True)
    _clean_stale_staging(out)
    stage = out / f"{_STAGING}{os.getpid()}-{int(time.time())}"
    stage.mkdir()
    data = ["--data", args.data] if args.data else []
    available = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr, arg-type]
    done: list[_Done] = []
    worst = 0
    try:
        spans = progress.current().split(WEIGHTS.get(s.command, 2.0) for s in STEPS)
        for step, span in zip(STEPS, spans, strict=False):
            if step.command not in available:
                done.append(_Done(step, -1, 0.0, []))
                continue
            argv = step.argv(data, stage)
            log.info(f"== {' '.join(argv)}")
            span(step.command, 0.0)
            t0 = time.perf_counter()
            with progress.using(span):
                code = main(argv)  # an interrupt propagates: the whole run stops here
            files = [f for f in step.outputs if (stage / f).exists()]
            done.append(_Done(step, code, time.perf_counter() - t0, files))
            worst = max(worst, code)
        progress.current()("写出 / writing README.md", 1.0)
        _publish(stage, out, done, args.data)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    print((out / README).read_text(encoding="utf-8"))
    print(f"输出 / outputs: {out}/")
    return worst
