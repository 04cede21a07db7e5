"""Progress of long work, reported by the core and drawn by a face (standard library only).

The core never draws anything: a function that takes a while calls a *reporter* with a short
message (the step, Chinese / English) and, when it knows it, the fraction of its own work done::

    from zlt_assets import progress

    def compute(..., progress_cb=None):
        say = progress.adapt(progress_cb)   # None: the reporter of the running command, if any
        say("路网构建 / building the network", 0.1)
        for part in progress.iterate(parts, "距离 / distances", reporter=say.span(0.1, 0.9)):
            ...

A face (the CLI's ``--progress bar|plain|json``, the QGIS plugin through the JSON events, a
notebook) installs a reporter around a call with :func:`using`; spans (:meth:`Progress.span`)
map the fraction of a sub-task into the share of the whole command it stands for, so ``pack``
can give each of its steps a slice of one bar.

Old-style callbacks keep working: every reporter accepts ``progress(message)`` alone, and
:func:`adapt` wraps a one-argument callable (``list.append``, a batch ``on_step``) so that core
code may always call ``say(message, fraction)``.
"""
from __future__ import annotations

import contextlib
import contextvars
import inspect
import math
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import Any, TypeVar

__all__ = ["Emit", "Progress", "adapt", "current", "iterate", "report", "using"]

T = TypeVar("T")

#: What a reporter finally calls: ``emit(percent or None, step text)``.
Emit = Callable[[float | None, str], None]


def _clamp(x: float) -> float:
    if not math.isfinite(x):
        return 0.0
    return 0.0 if x < 0 else 1.0 if x > 1 else x


class Progress:
    """A progress reporter: ``reporter(message, fraction=None)``.

    Parameters
    ----------
    emit : callable, optional
        ``emit(percent, step)`` with ``percent`` in 0-100 of the whole command, or None when
        nothing is known about it. None: a reporter that reports nowhere.
    start, end : float
        The share of the whole command this reporter stands for (0-1).

    Examples
    --------
    >>> seen = []
    >>> p = Progress(lambda pct, step: seen.append((pct, step)))
    >>> p.span(0.5, 1.0)("second half", 0.5)
    >>> seen
    [(75.0, 'second half')]
    """

    def __init__(self, emit: Emit | None = None, start: float = 0.0, end: float = 1.0) -> None:
        self._emit = emit
        self.start = _clamp(start)
        self.end = max(self.start, _clamp(end))

    @property
    def active(self) -> bool:
        """True when this reporter reports somewhere (a face listens)."""
        return self._emit is not None

    def percent(self, fraction: float | None) -> float | None:
        """The percent of the whole command for ``fraction`` of this reporter's span.

        ``None`` (unknown) gives the start of the span when the reporter is a part of a larger
        task, and None for a whole task.
        """
        if fraction is None:
            if self.start == 0.0 and self.end == 1.0:
                return None
            return round(100.0 * self.start, 1)
        return round(100.0 * (self.start + _clamp(fraction) * (self.end - self.start)), 1)

    def __call__(self, message: str, fraction: float | None = None) -> None:
        """Report ``message`` (the current step) and, optionally, the fraction done (0-1)."""
        if self._emit is not None:
            self._emit(self.percent(fraction), str(message))

    def span(self, start: float, end: float) -> Progress:
        """A reporter for the part ``start``-``end`` (fractions 0-1) of this reporter's work."""
        width = self.end - self.start
        return Progress(self._emit, self.start + _clamp(start) * width,
                        self.start + _clamp(end) * width)

    def split(self, weights: Iterable[float]) -> list[Progress]:
        """Consecutive spans in proportion to ``weights`` (e.g. the typical seconds of steps)."""
        w = [max(0.0, float(x)) for x in weights]
        total = sum(w) or 1.0
        out, acc = [], 0.0
        for x in w:
            out.append(self.span(acc / total, (acc + x) / total))
            acc += x
        return out


_NULL = Progress()
_CURRENT: contextvars.ContextVar[Progress] = contextvars.ContextVar("zlt_progress", default=_NULL)


def current() -> Progress:
    """The reporter of the running command (a silent one when no face listens)."""
    return _CURRENT.get()


def report(message: str, fraction: float | None = None) -> None:
    """Report to the running command's reporter (no-op when none is installed)."""
    _CURRENT.get()(message, fraction)


@contextlib.contextmanager
def using(reporter: Progress) -> Iterator[Progress]:
    """Make ``reporter`` the current reporter inside the block."""
    token = _CURRENT.set(reporter)
    try:
        yield reporter
    finally:
        _CURRENT.reset(token)


def _accepts_two(fn: Callable[..., Any]) -> bool:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # builtins without a signature (list.append has one)
        return False
    positional = 0
    for p in sig.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            return True
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            positional += 1
    return positional >= 2


def adapt(callback: Callable[..., Any] | Progress | None) -> Progress:
    """A :class:`Progress` from what a caller handed a core function.

    ``None`` gives the current reporter (the running command's, or a silent one); a
    :class:`Progress` is returned as it is; any other callable is wrapped, called with
    ``(message, fraction)`` when it takes two arguments and with ``(message)`` otherwise.
    """
    if callback is None:
        return current()
    if isinstance(callback, Progress):
        return callback
    if _accepts_two(callback):
        return Progress(lambda pct, step: callback(step, None if pct is None else pct / 100.0))
    return Progress(lambda _pct, step: callback(step))


def iterate(items: Iterable[T], message: str, *, total: int | None = None,
            reporter: Progress | Callable[..., Any] | None = None,
            every: int | None = None) -> Iterator[T]:
    """Yield ``items``, reporting ``message`` with the fraction done as they go.

    Reports at most about a hundred times whatever the length (``every`` sets the stride).
    """
    say = adapt(reporter)
    if total is None and isinstance(items, Sized):
        total = len(items)
    stride = every or (max(1, total // 100) if total else 1)
    say(message, 0.0 if total else None)
    i = 0
    for i, item in enumerate(items, 1):
        yield item
        if i % stride == 0:
            say(message, i / total if total else None)
    if total:
        say(message, 1.0)
