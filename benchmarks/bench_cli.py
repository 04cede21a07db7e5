#!/usr/bin/env python
"""Start-up time of the command line (issue 13.5): ``--help`` must not load the scientific stack.

    .venv/bin/python benchmarks/bench_cli.py            # median of 7 runs each
    .venv/bin/python benchmarks/bench_cli.py --runs 15

Times whole processes, as a user waits for them: ``zlt-assets coverage --help`` and
``zlt-assets --help`` against ``python -c "import geopandas"``. Target: ``coverage --help`` at
most half the time of importing geopandas. Exits 1 when the target is missed.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET = 0.5  # coverage --help / import geopandas


def exe() -> list[str]:
    script = Path(sys.executable).with_name("zlt-assets")
    return [str(script)] if script.exists() else [sys.executable, "-m", "zlt_assets"]


def timed(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    timed([sys.executable, "-c", "import geopandas"], 1)  # warm the file cache
    rows = [
        ("python -c 'import geopandas'", timed([sys.executable, "-c", "import geopandas"],
                                               args.runs)),
        ("zlt-assets --help", timed([*exe(), "--help"], args.runs)),
        ("zlt-assets coverage --help", timed([*exe(), "coverage", "--help"], args.runs)),
        ("zlt-assets --version", timed([*exe(), "--version"], args.runs)),
        ("python -c pass", timed([sys.executable, "-c", "pass"], args.runs)),
    ]
    base = rows[0][1]
    print(f"| process (median of {args.runs}) | s | × import geopandas |")
    print("|---|---:|---:|")
    for name, t in rows:
        print(f"| `{name}` | {t:.3f} | {t / base:.2f} |")
    ratio = rows[2][1] / base
    ok = ratio <= TARGET
    print(f"\ncoverage --help / import geopandas = {ratio:.2f} (target ≤ {TARGET}): "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
