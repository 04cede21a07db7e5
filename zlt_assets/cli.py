"""The ``zlt-assets`` command: argument parsing and printing only.

Each sub-command lives in its own module of :mod:`zlt_assets.commands` and exposes ``NAME``,
``HELP`` (Chinese / English), ``add_arguments(parser)`` and ``run(args) -> int``. Modules are found
by name, so adding a command means adding a module. Errors a user can act on
(:class:`zlt_assets.errors.ZltError`) print one line and exit with their code; nothing prints a
traceback unless ``ZLT_DEBUG=1``.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from . import __version__, commands
from .errors import EXIT_BAD_INPUT, EXIT_INTERNAL, ZltError

DESCRIPTION = (
    "扎兰屯市城市精细化管理资产清单与分析工具 / Zhalantun asset inventory and plan analysis.\n"
    "示例数据为示意数据 (the shipped sample inventory is illustrative, not surveyed)."
)


def _command_modules() -> list:
    mods = []
    for info in pkgutil.iter_modules(commands.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(mod, "NAME") and hasattr(mod, "run"):
            mods.append(mod)
    return sorted(mods, key=lambda m: getattr(m, "ORDER", 100))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zlt-assets", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"zlt-assets {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args._run(args) or 0)
    except ZltError as exc:
        print(f"zlt-assets {args.command}: {exc.render()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"zlt-assets {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # output piped into a command that stopped reading (e.g. `| head`): not an error
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except Exception as exc:  # pragma: no cover - last resort, still one line
        if os.environ.get("ZLT_DEBUG"):
            raise
        print(f"zlt-assets {args.command}: internal error: {type(exc).__name__}: "
              f"{' '.join(str(exc).split())} (run with ZLT_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL
