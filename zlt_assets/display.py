"""How a measured value is written for people: never rounded onto the target it misses.

97.6 % against a 98 % target printed with no decimals reads "98%" (or, as a share of the target,
"100%") on a bar that says the target is not met. :func:`measured` rounds as usual but, when the
rounded text would reach a target the value does not meet, keeps adding decimals (up to 4) and
finally rounds toward the value's side of the target. Shared by the meeting maps, the charts and
the reports (faces); stdlib and the core only.
"""
from __future__ import annotations

import math

__all__ = ["measured", "meets", "percent"]


def meets(value: float, target: float, comparator: str) -> bool:
    """Whether ``value`` meets ``target``: :func:`zlt_assets.indicators.meets`, the one test."""
    from .indicators import meets as _meets

    return _meets(value, target, comparator)


def measured(value: float, target: float | None = None, comparator: str = ">=",
             decimals: int = 1) -> str:
    """``value`` with ``decimals`` decimals, unless that would show a missed target as met.

    Parameters
    ----------
    value
        The measured value.
    target
        The target it is compared with (``None``: plain rounding).
    comparator
        ``">="``, ``"<="`` or ``"=="`` (as :class:`zlt_assets.plan.Target`).
    decimals
        Decimals normally shown.

    Examples
    --------
    >>> measured(97.59, 98)
    '97.6'
    >>> measured(99.96, 100)
    '99.96'
    >>> measured(99.99999, 100)
    '99.9999'
    >>> measured(100.0, 100)
    '100.0'
    """
    if target is None or not math.isfinite(value) or meets(value, target, comparator):
        return f"{value:.{decimals}f}"
    for d in range(decimals, 5):
        text = f"{value:.{d}f}"
        shown = float(text)
        if not meets(shown, target, comparator):
            return text
    step = 10 ** -4
    toward = math.floor if comparator == ">=" else math.ceil
    return f"{toward(value / step) * step:.4f}"


def percent(share: float, target_share: float | None = None, comparator: str = ">=",
            decimals: int = 1) -> str:
    """A share (0-1) as a percentage text, e.g. ``'95.9%'`` (see :func:`measured`).

    Examples
    --------
    >>> percent(0.95948, 1.0)
    '95.9%'
    >>> percent(0.99996, 1.0)
    '99.996%'
    """
    target = None if target_share is None else 100 * target_share
    return measured(100 * share, target, comparator, decimals) + "%"
