"""Run a test's subprocess as an ordinary user when the tests run as root.

Root passes every permission check, so a test of "permission denied" or "read-only folder" must
run the command as someone else (``nobody``, uid 65534). That user must be able to run this
Python: a venv made from a pyenv interpreter under ``/root`` (mode 0700) is not runnable by
anybody else, and then the test skips, naming the reason (CI's extra Python versions come from
pyenv; its main run uses Debian's Python, where these tests run).
"""
from __future__ import annotations

import functools
import os
import subprocess
import sys

import pytest

NOBODY = 65534


@functools.lru_cache(maxsize=1)
def _runnable_by(uid: int) -> str | None:
    """None when ``uid`` can run this Python and import the package; else why not."""
    try:
        r = subprocess.run([sys.executable, "-c", "import zlt_assets"], user=uid, cwd="/",
                           capture_output=True, text=True, timeout=120)
    except PermissionError as exc:
        return str(exc)
    return None if r.returncode == 0 else (r.stderr.strip().splitlines() or ["exit " + str(
        r.returncode)])[-1]


def unprivileged_uid() -> int | None:
    """The uid to run as (None when the tests do not run as root); skips when impossible."""
    if os.geteuid() != 0:
        return None
    why = _runnable_by(NOBODY)
    if why is not None:
        pytest.skip(f"running as root and uid {NOBODY} cannot run {sys.executable} ({why}): "
                    "permission checks cannot be tested with this interpreter")
    return NOBODY
