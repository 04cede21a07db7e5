"""The command line's console (private; standard library, tqdm only for ``--progress bar``).

One *sink* per ``--progress`` mode draws the progress of :mod:`zlt_assets.progress` and the log
records of :mod:`logging` on standard error:

* ``bar``: a tqdm bar (only on a terminal: ``auto`` picks it when standard error is one), shown
  once the command has run for a second;
* ``plain``: one line per step that lasts over a second (again every ten seconds while its
  percent moves), no redraws: what a redirected log or a CI console wants;
* ``json``: the engine protocol (contract 1): one JSON object per line, nothing else on standard
  error. Anything else written there (a library's warning, GDAL's C-level messages) is captured
  and re-emitted as a ``log`` event;
* ``none``: progress is not shown; log records still are.

Standard output carries only the command's result. When an option writes a result to standard
output (``--json -``), the human summary a command prints goes to the log instead
(:func:`claim_stdout`).
"""
from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, ClassVar, TextIO

MODES = ("auto", "bar", "plain", "json", "none")
ENV_PROGRESS = "ZLT_PROGRESS"

_LEVELS = {"debug": "info", "info": "info", "warning": "warning", "error": "error",
           "critical": "error"}


def env_mode() -> str:
    """The default of ``--progress``: ``$ZLT_PROGRESS`` when it names a mode, else ``auto``."""
    value = os.environ.get(ENV_PROGRESS, "").strip().lower()
    return value if value in MODES else "auto"


def resolve_mode(mode: str, stream: TextIO, *, quiet: bool = False) -> str:
    """``auto`` becomes ``bar`` on a terminal and ``plain`` elsewhere; ``-q`` hides progress."""
    if mode == "json":
        return "json"
    if quiet:
        return "none"
    if mode == "auto":
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        return "bar" if tty else "plain"
    return mode


class Sink:
    """Draws progress and log records (the ``none`` mode: log records only)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lock = threading.RLock()
        self.last_percent: float | None = None

    def _monotone(self, percent: float | None) -> float | None:
        if percent is None:
            return self.last_percent
        if self.last_percent is not None and percent < self.last_percent:
            percent = self.last_percent
        self.last_percent = percent
        return percent

    def progress(self, percent: float | None, step: str) -> None:  # noqa: ARG002
        """Show the step (and percent of the whole command); ``none`` shows nothing."""
        self._monotone(percent)

    def log(self, level: str, message: str) -> None:  # noqa: ARG002
        """Show a log record (``level``: info, warning, error)."""
        with self.lock:
            self.stream.write(message + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Finish the display (the bar's last line)."""


class _TimedSink(Sink):
    """A sink that shows a step only once it has run for :attr:`delay` seconds.

    A step that ends sooner shows nothing: quick commands (and quick failures) print only their
    result, and a step that can take over a second always shows. A small timer thread looks at
    the current step four times a second.
    """

    #: seconds a step runs before it is shown
    delay = 1.0

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._step: str | None = None
        self._pct: float | None = None
        self._since = 0.0
        self._shown: tuple[float | None, str] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def progress(self, percent: float | None, step: str) -> None:
        """Note the step; the timer shows it once it has lasted long enough."""
        with self.lock:
            pct = self._monotone(percent)
            if step != self._step:
                self._step, self._since = step, time.monotonic()
            self._pct = pct
            if self._thread is None:
                self._thread = threading.Thread(target=self._tick, name="zlt-progress",
                                                daemon=True)
                self._thread.start()
            if self._shown is not None and self._shown[1] == step:
                self.show(pct, step, repeat=True)

    def _tick(self) -> None:
        while not self._stop.wait(0.25):
            with self.lock:
                if self._step is None:
                    continue
                if time.monotonic() - self._since >= self.delay:
                    self.show(self._pct, self._step, repeat=False)

    def show(self, percent: float | None, step: str, *, repeat: bool) -> None:
        """Draw the step (called with the lock held)."""

    def close(self) -> None:
        """Stop the timer."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
            self._thread = None


class PlainSink(_TimedSink):
    """One line per step that lasts: ``… [ 42%] 路网构建 / building the network``; no redraws."""

    #: seconds between two lines of the same step (when its percent moved)
    interval = 10.0

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._t = 0.0

    def show(self, percent: float | None, step: str, *, repeat: bool) -> None:
        """Print the step once, and again every :attr:`interval` seconds if its percent moved."""
        now = time.monotonic()
        if self._shown is not None and self._shown[1] == step:
            if self._shown[0] == percent or now - self._t < self.interval:
                return
        elif repeat:
            return
        self._shown, self._t = (percent, step), now
        head = f"[{percent:3.0f}%] " if percent is not None else ""
        self.stream.write(f"… {head}{step}\n")
        self.stream.flush()


class BarSink(_TimedSink):
    """A tqdm bar of the whole command (0-100 %), the step as its description."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._bar: Any = None

    def show(self, percent: float | None, step: str, *, repeat: bool) -> None:  # noqa: ARG002
        """Move the bar (made when the first step has lasted a second) and show the step."""
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=100, file=self.stream, leave=False, dynamic_ncols=True,
                             bar_format="{percentage:3.0f}%|{bar:20}| {desc} [{elapsed}]")
        self._shown = (percent, step)
        if percent is not None:
            self._bar.n = percent
        self._bar.set_description_str(step[:60], refresh=False)
        self._bar.refresh()

    def log(self, level: str, message: str) -> None:
        """Print above the bar (tqdm.write) so the bar is not garbled."""
        with self.lock:
            if self._bar is None:
                super().log(level, message)
                return
            self._bar.write(message, file=self.stream)

    def close(self) -> None:
        """Remove the bar."""
        super().close()
        with self.lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None


class JsonSink(Sink):
    """The engine protocol: one JSON object per line (UTF-8)."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._last: tuple[float | None, str] | None = None
        self._t = 0.0

    def event(self, obj: dict[str, Any]) -> None:
        """Write one event."""
        line = json.dumps(obj, ensure_ascii=False, default=str)
        with self.lock:
            self.stream.write(line + "\n")
            self.stream.flush()

    def progress(self, percent: float | None, step: str) -> None:
        """A ``progress`` event (repeats of the same step are thinned to ten a second)."""
        pct = self._monotone(percent)
        now = time.monotonic()
        key = (pct, step)
        if key == self._last or (self._last is not None and self._last[1] == step
                                 and now - self._t < 0.1):
            return
        self._last, self._t = key, now
        self.event({"event": "progress", "percent": pct, "step": step})

    def log(self, level: str, message: str) -> None:
        """A ``log`` event."""
        self.event({"event": "log", "level": _LEVELS.get(level, "info"), "message": message})


def make_sink(mode: str, stream: TextIO) -> Sink:
    """The sink of a resolved mode (``bar``, ``plain``, ``json`` or ``none``)."""
    return {"bar": BarSink, "plain": PlainSink, "json": JsonSink}.get(mode, Sink)(stream)


class SinkHandler(logging.Handler):
    """Sends log records to a sink."""

    def __init__(self, sink: Sink) -> None:
        super().__init__()
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        """Format the record and hand it to the sink."""
        try:
            msg = self.format(record)
            self.sink.log(record.levelname.lower(), msg)
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


class _Format(logging.Formatter):
    """Info lines as they are; warnings and errors say so (Chinese first)."""

    _TAG: ClassVar[dict[int, str]] = {logging.WARNING: "警告 warning: ",
                                      logging.ERROR: "错误 error: ",
                                      logging.CRITICAL: "错误 error: "}

    def format(self, record: logging.LogRecord) -> str:
        msg = " ".join(record.getMessage().split()) if record.levelno >= logging.WARNING \
            else record.getMessage()
        tag = "" if getattr(record, "zlt_plain", False) else self._TAG.get(record.levelno, "")
        if record.exc_info and logging.getLogger("zlt_assets").isEnabledFor(logging.DEBUG):
            msg += "\n" + self.formatException(record.exc_info)
        return tag + msg


def configure_logging(sink: Sink, verbosity: int) -> logging.Handler:
    """Route :mod:`logging` (and :mod:`warnings`) to ``sink``.

    ``verbosity``: -1 quiet (warnings and errors), 0 default (zlt-assets' info lines), 1 debug
    lines of zlt-assets, 2 debug lines of every library.
    """
    handler = SinkHandler(sink)
    handler.setFormatter(_Format())
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, SinkHandler):
            root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)
    ours = logging.getLogger("zlt_assets")
    ours.setLevel({-1: logging.WARNING, 0: logging.INFO}.get(min(verbosity, 1), logging.DEBUG)
                  if verbosity < 2 else logging.DEBUG)
    logging.captureWarnings(True)
    return handler


def unconfigure_logging(handler: logging.Handler) -> None:
    """Undo :func:`configure_logging` (tests and nested runs call ``main`` more than once)."""
    logging.getLogger().removeHandler(handler)
    logging.captureWarnings(False)


class _ToLog(io.TextIOBase):
    """A text stream whose lines go to a logger (a claimed standard output's text)."""

    def __init__(self, real: TextIO, logger: logging.Logger) -> None:
        self._real = real
        self._logger = logger
        self._buf = ""

    @property
    def buffer(self) -> Any:  # the binary standard output, for results written with "-"
        return self._real.buffer

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, s: str) -> int:
        self._buf += s
        while "\n" in self._buf:
            line, self._buf = self._buf.split("\n", 1)
            self._logger.info(line, extra={"zlt_plain": True})
        return len(s)

    def flush(self) -> None:
        self._real.flush()

    def close_lines(self) -> None:
        if self._buf:
            self._logger.info(self._buf, extra={"zlt_plain": True})
            self._buf = ""


@contextlib.contextmanager
def claim_stdout(claimed: bool) -> Iterator[None]:
    """While a result goes to standard output, send the printed text to the log instead."""
    if not claimed:
        yield
        return
    real = sys.stdout
    proxy = _ToLog(real, logging.getLogger("zlt_assets.cli"))
    sys.stdout = proxy
    try:
        yield
    finally:
        proxy.close_lines()
        sys.stdout = real
        with contextlib.suppress(Exception):
            real.flush()


def _guess_level(line: str) -> str:
    low = line.lower()
    if "error" in low or "错误" in line:
        return "error"
    if "warn" in low or "警告" in line:
        return "warning"
    return "info"


class StderrCapture:
    """In ``json`` mode: everything written to file descriptor 2 becomes a ``log`` event.

    The JSON events themselves go to a duplicate of the original descriptor 2, so a library that
    writes to standard error (Python warnings, GDAL's C-level messages, a stray ``print``) cannot
    break the one-object-per-line stream.
    """

    def __init__(self) -> None:
        self.json_stream: TextIO | None = None
        self._saved_fd: int | None = None
        self._read_fd: int | None = None
        self._thread: threading.Thread | None = None
        self._sink: JsonSink | None = None

    def start(self) -> TextIO:
        """Redirect descriptor 2; returns the stream the JSON events are to be written to."""
        sys.stderr.flush()
        self._saved_fd = os.dup(2)
        self.json_stream = open(os.dup(self._saved_fd), "w", encoding="utf-8",  # noqa: SIM115
                                buffering=1, errors="replace", closefd=True)
        r, w = os.pipe()
        os.dup2(w, 2)
        os.close(w)
        self._read_fd = r
        self._thread = threading.Thread(target=self._pump, name="zlt-stderr", daemon=True)
        self._thread.start()
        return self.json_stream

    def attach(self, sink: JsonSink) -> None:
        """The sink that captured lines are written through."""
        self._sink = sink

    def _pump(self) -> None:
        assert self._read_fd is not None
        with open(self._read_fd, "rb", closefd=True) as fh:
            for raw in fh:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if not line.strip():
                    continue
                if self._sink is not None:
                    self._sink.log(_guess_level(line), line)
                elif self.json_stream is not None:
                    self.json_stream.write(json.dumps({"event": "log", "level": "info",
                                                       "message": line},
                                                      ensure_ascii=False) + "\n")

    def stop(self) -> None:
        """Restore descriptor 2 and emit what is still in the pipe."""
        if self._saved_fd is None:
            return
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os.dup2(self._saved_fd, 2)  # closes the pipe's last write end: the pump sees EOF
        os.close(self._saved_fd)
        self._saved_fd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self.json_stream is not None:
            with contextlib.suppress(Exception):
                self.json_stream.flush()
