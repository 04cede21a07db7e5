"""The ``zlt-assets`` command: argument parsing and printing only.

Each sub-command lives in its own module of :mod:`zlt_assets.commands` and exposes ``NAME``,
``HELP`` (Chinese / English), ``add_arguments(parser)`` and ``run(args) -> int``. Modules are found
by name, so adding a command means adding a module. A command module imports only the standard
library at its top: the scientific stack is imported inside ``run()``, so ``--help`` and argument
errors answer at once.

Global options (before or after the command name, on every command): ``-q/--quiet``,
``-v/--verbose``, ``--progress {auto,bar,plain,json,none}`` (default ``$ZLT_PROGRESS`` or
``auto``). ``--progress json`` is the engine protocol the QGIS plugin reads (one JSON event per
line on standard error; see docs/commands.md). Errors a user can act on
(:class:`zlt_assets.errors.ZltError`) print one line and exit with their code; nothing prints a
traceback unless ``ZLT_DEBUG=1``.
"""
from __future__ import annotations

import argparse
import contextlib
import contextvars
import importlib
import logging
import os
import pkgutil
import re
import signal
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from . import __version__, commands
from . import _console as console
from . import progress as _progress
from .errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, ZltError

#: Version of the engine protocol (contract 1) that ``info --json`` reports.
PROTOCOL = 1
EXIT_INTERRUPTED = 130

DESCRIPTION = (
    "扎兰屯市城市精细化管理资产清单与分析工具 / Zhalantun asset inventory and plan analysis.\n"
    "示例数据为示意数据 (the shipped sample inventory is illustrative, not surveyed)."
)
#: Every environment variable zlt-assets reads: name -> (who reads it, Chinese, English).
#: docs/commands.md lists them (scripts/gen_command_docs.py); a test checks that every
#: ``ZLT_*`` name in the sources is here.
ENVIRONMENT: dict[str, tuple[str, str, str]] = {
    "ZLT_DATA": ("engine", "默认清单(GeoPackage 路径或 postgresql:// 地址),代替随附示例",
                 "the default inventory (a GeoPackage path or a postgresql:// URL) instead of "
                 "the shipped sample"),
    "ZLT_PROGRESS": ("engine", "--progress 的默认值(auto、bar、plain、json、none)",
                     "the default of --progress (auto, bar, plain, json, none)"),
    "ZLT_DEBUG": ("engine", "设为 1:内部错误时打印完整回溯(供报告缺陷)",
                  "1: an internal error prints the full traceback (for bug reports) instead "
                  "of one line"),
    "ZLT_EDITOR": ("engine (db)", "PostGIS 审计记录中的编辑者名称(默认登录名)",
                   "the editor's name in the PostGIS audit trail (default: the login name)"),
    "ZLT_TIANDITU_KEY": ("engine (map)", "天地图底图的密钥(--basemap tianditu)",
                         "the Tianditu key for --basemap tianditu"),
    "ZLT_BUSY_TIMEOUT": ("engine", "等待其他写入者(如 QGIS)释放 GeoPackage 的秒数(默认 10)",
                         "seconds a write waits for another writer (QGIS) to release a "
                         "GeoPackage (default 10)"),
    "ZLT_IO_PAUSE": ("tests", "测试钩子:写入在该阶段暂停(locked、written、commit)",
                     "test hook: a write pauses at this stage (locked, written, commit)"),
    "ZLT_IO_PAUSE_FILE": ("tests", "测试钩子:暂停时创建的文件", "test hook: the file a paused "
                          "write creates"),
    "ZLT_ASSETS_ENGINE": ("QGIS plugin", "QGIS 插件使用的 zlt-assets 程序路径",
                          "path of the zlt-assets engine the QGIS plugin runs"),
    "ZLT_NOTEBOOK_OUT": ("notebooks", "示例笔记本的输出文件夹", "output folder of the notebooks"),
    "ZLT_NOTEBOOK_CELL": ("notebooks", "笔记本 02 的采样格网(米)",
                          "sampling grid of notebook 02, in metres"),
    "ZLT_CHROMIUM": ("tests", "浏览器测试使用的 Chromium", "the Chromium the browser tests run"),
    "ZLT_SKIP_APT": ("scripts/setup.sh", "设为 1:只装 Python 部分,不装系统包",
                     "1: only the Python part, no system packages"),
    "ZLT_TEST_BLOCK": ("tests", "测试内部使用 / internal to the tests", "internal to the tests"),
    "CI": ("tests", "设为 true:缺少 QGIS、PostGIS、Chromium 的测试失败而非跳过",
           "true: tests that need QGIS, PostGIS or Chromium fail, not skip, when it is missing"),
}

EPILOG = (
    "通用选项可放在命令名前后 / the global options go before or after the command name.\n"
    "环境变量 / environment: "
    + ", ".join(k for k, v in ENVIRONMENT.items() if v[0].startswith("engine"))
    + " (docs/commands.md)."
)

log = logging.getLogger("zlt_assets.cli")


class UsageError(Exception):
    """An argument error (argparse's), raised instead of exiting so ``main`` can report it."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message

    def option(self) -> str | None:
        """The ``dest`` of the option the message names, if any."""
        m = re.search(r"argument ([-\w]+)(?:/[-\w]+)*", self.message)
        if not m:
            return None
        action = self.parser._option_string_actions.get(m.group(1))
        if action is not None:
            return action.dest
        return m.group(1).lstrip("-").replace("-", "_") or None


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors raise :class:`UsageError`."""

    def error(self, message: str) -> Any:
        """Raise instead of printing and exiting."""
        raise UsageError(self, message)


def _command_modules() -> list[ModuleType]:
    mods = []
    for info in pkgutil.iter_modules(commands.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(mod, "NAME") and hasattr(mod, "run"):
            mods.append(mod)
    return sorted(mods, key=lambda m: (getattr(m, "ORDER", 100), m.NAME))


def add_global_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``-q``, ``-v`` and ``--progress``; on sub-commands they keep the values given before."""
    sup: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    g = parser.add_argument_group("通用选项 / global options")
    g.add_argument("-q", "--quiet", action="store_true",
                   help="少输出:无进度,仅警告与错误 / quiet: no progress, only warnings and errors",
                   **({"default": False} if top else sup))
    g.add_argument("-v", "--verbose", action="count",
                   help="更多日志(-vv 含依赖库)/ more log lines (-vv: libraries' too)",
                   **({"default": 0} if top else sup))
    g.add_argument("--progress", choices=console.MODES, metavar="{" + ",".join(console.MODES) + "}",
                   help="进度显示 / progress: auto (bar on a terminal, plain lines otherwise), "
                        "bar, plain, json (engine protocol on stderr), none; "
                        "default $ZLT_PROGRESS or auto",
                   **({"default": None} if top else sup))


def _subparser_actions(parser: argparse.ArgumentParser) -> list[Any]:
    return [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]


def _add_global_options_deep(parser: argparse.ArgumentParser) -> None:
    if "--progress" not in parser._option_string_actions:
        add_global_options(parser)
    for action in _subparser_actions(parser):
        for sub in action.choices.values():
            _add_global_options_deep(sub)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line (every command's options; imports no scientific package)."""
    parser = Parser(prog="zlt-assets", description=DESCRIPTION, epilog=EPILOG,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"zlt-assets {__version__}")
    add_global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP,
                           description=getattr(mod, "DESCRIPTION", mod.HELP),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(p)
        _add_global_options_deep(p)
        p.set_defaults(_run=mod.run)
    return parser


# ---------------------------------------------------------------------------- running


@dataclass
class Failure:
    """Why a command did not succeed: what the error event and the one-line message say."""

    exit_code: int
    message: str
    message_zh: str | None = None
    option: str | None = None
    #: a non-zero code the command returned itself (it printed its own account): the json
    #: mode still sends the error event, the other modes print nothing more
    returned: bool = False

    def line(self) -> str:
        """Chinese first, English beside."""
        return f"{self.message_zh} / {self.message}" if self.message_zh else self.message


class _Terminated(KeyboardInterrupt):
    """SIGTERM (the QGIS plugin's cancel): unwinds like Ctrl+C, so writes roll back."""


def _on_sigterm(_signum: int, _frame: Any) -> None:
    raise _Terminated()


@dataclass
class Session:
    """What one top-level run shows on standard error (progress, log, events)."""

    mode: str
    sink: console.Sink
    capture: console.StderrCapture | None = None

    @property
    def json(self) -> bool:
        """True in the engine-protocol mode."""
        return isinstance(self.sink, console.JsonSink)

    def fail(self, command: str, failure: Failure, *, nested: bool = False) -> None:
        """Report a failure as one line.

        In json mode the final ``error`` event says it, and a nested run's failure is a ``log``
        event of level error.
        """
        if self.json and not nested:
            return
        if not failure.returned:
            self.sink.log("error", f"zlt-assets {command}: {failure.line()}")

    def finish(self, code: int, failure: Failure | None) -> None:
        """The last event of a json run: ``done``, or ``error`` before a non-zero exit."""
        if not isinstance(self.sink, console.JsonSink):
            return
        if failure is None:
            self.sink.event({"event": "done", "exit_code": code})
        else:
            self.sink.event({"event": "error", "exit_code": failure.exit_code,
                             "message": failure.message, "message_zh": failure.message_zh,
                             "option": failure.option})
        with contextlib.suppress(Exception):
            self.sink.stream.close()


_SESSION: contextvars.ContextVar[Session | None] = contextvars.ContextVar("zlt_cli_session",
                                                                          default=None)


def _prescan_mode(argv: Sequence[str]) -> str:
    """The ``--progress`` mode before parsing (argument errors are reported in it)."""
    mode = console.env_mode()
    for i, a in enumerate(argv):
        if a == "--":
            break
        if a == "--progress" and i + 1 < len(argv):
            mode = argv[i + 1]
        elif a.startswith("--progress="):
            mode = a.split("=", 1)[1]
    return mode if mode in console.MODES else "auto"


_STDOUT_OPTIONS = ("json", "out", "png", "report")


def _claims_stdout(args: argparse.Namespace) -> bool:
    """True when an option writes a result to standard output (``--json -``)."""
    for dest in _STDOUT_OPTIONS:
        value = getattr(args, dest, None)
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(v, str) and v == "-" for v in values):
            return True
    return False


def _fill_globals(args: argparse.Namespace) -> None:
    args.quiet = bool(getattr(args, "quiet", False))
    args.verbose = int(getattr(args, "verbose", 0) or 0)
    if getattr(args, "progress", None) is None:
        args.progress = console.env_mode()


@contextlib.contextmanager
def _session(args: argparse.Namespace) -> Iterator[Session]:
    mode = console.resolve_mode(args.progress, sys.stderr, quiet=args.quiet)
    capture = None
    stream: Any = sys.stderr
    if mode == "json":
        capture = console.StderrCapture()
        stream = capture.start()
    sink = console.make_sink(mode, stream)
    if capture is not None and isinstance(sink, console.JsonSink):
        capture.attach(sink)
    handler = console.configure_logging(sink, -1 if args.quiet else args.verbose)
    session = Session(mode, sink, capture)
    token = _SESSION.set(session)
    old_term = None
    with contextlib.suppress(ValueError, AttributeError):  # not the main thread / no SIGTERM
        old_term = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        with _progress.using(_progress.Progress(sink.progress)):
            yield session
    finally:
        if old_term is not None:
            with contextlib.suppress(ValueError):
                signal.signal(signal.SIGTERM, old_term)
        _SESSION.reset(token)
        sink.close()
        console.unconfigure_logging(handler)
        if capture is not None:
            capture.stop()


def _call(args: argparse.Namespace, *, nested: bool = False) -> tuple[int, Failure | None]:
    """Run the command; map what it raises to an exit code and a failure.

    A nested run (a step of ``pack``) lets an interrupt through: the whole run stops.
    """
    for note in getattr(args, "_zlt_deprecations", ()):
        log.warning(note)
    try:
        with console.claim_stdout(_claims_stdout(args)):
            code = int(args._run(args) or 0)
    except ZltError as exc:
        return exc.exit_code, Failure(exc.exit_code, exc.message_en, exc.message_zh, exc.option)
    except KeyboardInterrupt as exc:
        if nested:
            raise
        how = "terminated" if isinstance(exc, _Terminated) else "interrupted"
        return EXIT_INTERRUPTED, Failure(EXIT_INTERRUPTED, f"{how}; nothing half-written remains",
                                         "已中断,未留下写了一半的文件")
    except BrokenPipeError:
        # output piped into a command that stopped reading (e.g. `| head`): not an error
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK, None
    except Exception as exc:  # last resort, still one line
        if os.environ.get("ZLT_DEBUG"):
            raise
        text = " ".join(str(exc).split())
        return EXIT_INTERNAL, Failure(
            EXIT_INTERNAL,
            f"internal error: {type(exc).__name__}: {text} (run with ZLT_DEBUG=1 for details)",
            f"内部错误(程序缺陷,请报告)/ internal error: {type(exc).__name__}")
    if code != EXIT_OK:
        return code, Failure(code, f"finished with exit code {code}" + (
            " (problems found)" if code == 1 else ""),
            "发现问题" if code == 1 else f"结束,退出码 {code}", returned=True)
    return code, None


def _usage_failure(exc: UsageError, mode: str) -> int:
    if mode == "json":
        sink = console.JsonSink(sys.stderr)
        sink.event({"event": "error", "exit_code": EXIT_BAD_INPUT, "message": exc.message,
                    "message_zh": f"参数有误:{exc.message}", "option": exc.option()})
        return EXIT_BAD_INPUT
    exc.parser.print_usage(sys.stderr)
    print(f"{exc.parser.prog}: 参数有误 error: {exc.message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``zlt-assets`` with ``argv`` (default: the process's arguments); the exit code.

    Called again inside a running command (``pack`` runs its steps so), it reports into the
    running command's progress and log, and leaves the final event to the outer run.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    outer = _SESSION.get()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        if outer is not None:
            outer.fail(exc.parser.prog, Failure(EXIT_BAD_INPUT, exc.message), nested=True)
            return EXIT_BAD_INPUT
        return _usage_failure(exc, _prescan_mode(argv))
    _fill_globals(args)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    if outer is not None:
        code, failure = _call(args, nested=True)
        if failure is not None:
            outer.fail(args.command, failure, nested=True)
        return code
    with _session(args) as session:
        code, failure = _call(args)
        if failure is not None:
            session.fail(args.command, failure)
    session.finish(code, failure)
    return code
