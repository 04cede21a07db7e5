"""Argument helpers shared by sub-commands."""
from __future__ import annotations

import argparse

from .._io import write_json, write_text

__all__ = ["add_data_argument", "write_json", "write_text"]


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", metavar="PATH", default=None,
        help="inventory GeoPackage (default: $ZLT_DATA or the shipped sample layers/zhalantun.gpkg)",
    )

