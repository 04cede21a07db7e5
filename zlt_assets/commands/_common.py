"""Argument helpers shared by sub-commands."""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", metavar="PATH", default=None,
        help="inventory GeoPackage (default: $ZLT_DATA or the shipped sample layers/zhalantun.gpkg)",
    )


def write_json(path: str | os.PathLike[str], obj: object) -> None:
    """Write JSON atomically (UTF-8, Chinese kept readable)."""
    write_text(path, json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write a UTF-8 text file atomically: never a half-written file."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}-", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
