"""Argument helpers shared by sub-commands (standard library only: ``--help`` stays fast).

A command module keeps ``NAME``, ``HELP``, ``DESCRIPTION`` and ``add_arguments`` light and imports
the scientific stack inside ``run()``. Progress goes through :func:`step` (the running command's
reporter, see :mod:`zlt_assets.progress`), messages through :data:`log` (standard error, or
``log`` events with ``--progress json``); standard output is for the command's result.
"""
from __future__ import annotations

import argparse
import logging
from typing import Any

from .. import progress
from .._io import write_json, write_text

__all__ = ["add_data_argument", "deprecated_alias", "log", "step", "write_json", "write_text"]

#: The logger of the commands (``-q`` hides its info lines, ``-v`` adds debug lines).
log = logging.getLogger("zlt_assets.cli")


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", metavar="PATH", default=None,
        help="inventory GeoPackage (default: $ZLT_DATA or the shipped sample "
             "layers/zhalantun.gpkg)",
    )


def step(message: str, fraction: float | None = None) -> progress.Progress:
    """Report a step of the running command; returns its reporter (for spans of core calls)."""
    say = progress.current()
    say(message, fraction)
    return say


class _DeprecatedAlias(argparse.Action):
    """Stores like the new option, and says that the old name is deprecated."""

    def __init__(self, option_strings: list[str], dest: str, new: str = "",
                 **kwargs: object) -> None:
        self.new = new
        super().__init__(option_strings, dest, **kwargs)  # type: ignore[arg-type]

    def __call__(self, parser: argparse.ArgumentParser,  # noqa: ARG002
                 namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        msg = (f"{option_string} 已弃用,请用 {self.new} / {option_string} is deprecated, "
               f"use {self.new}")
        # said once the run's log is set up (zlt_assets.cli warns before running the command)
        notes = list(getattr(namespace, "_zlt_deprecations", []))
        namespace._zlt_deprecations = [*notes, msg]
        setattr(namespace, self.dest, self.const if self.nargs == 0 else values)


def deprecated_alias(parser: argparse.ArgumentParser, old: str, new: str, dest: str,
                     metavar: str | None = None, *, const: object = None) -> None:
    """Accept ``old`` as a hidden, deprecated spelling of the option ``new``.

    With ``const``, ``old`` takes no value and stores ``const`` (a flag such as
    ``--no-progress`` standing for ``--progress none``).
    """
    # argparse's keyword arguments have one type each: a mapping of them is honestly Any
    extra: dict[str, Any] = {"nargs": 0, "const": const} if const is not None \
        else {"metavar": metavar}
    parser.add_argument(old, dest=dest, action=_DeprecatedAlias, new=new,
                        default=argparse.SUPPRESS, help=argparse.SUPPRESS, **extra)
