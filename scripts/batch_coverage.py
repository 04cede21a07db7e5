#!/usr/bin/env python3
"""Run coverage scenarios from a TOML or YAML file (same as ``zlt-assets batch``).

Usage::

    python scripts/batch_coverage.py examples/scenarios_zhalantun.toml --out out/batch [--force]

See docs/batch.md. Exit codes: 0 all ok, 1 a scenario failed, 2 the scenarios file is invalid.
"""
from __future__ import annotations

import sys
from pathlib import Path

try:
    from zlt_assets.cli import main
except ImportError:  # run from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from zlt_assets.cli import main

if __name__ == "__main__":
    sys.exit(main(["batch", *sys.argv[1:]]))
