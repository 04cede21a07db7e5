"""Errors a user can act on, and the exit codes every command uses.

Exit codes (documented in docs/bad-inputs.md):

* 0 - success (for ``validate``: no problems)
* 1 - the command ran and found problems (validation problems, unmet checks)
* 2 - bad input: a file that cannot be read, a missing layer, a bad option value
* 3 - a required component is missing (an optional dependency, a database server)
* 4 - the operation was refused to protect data (e.g. an import with bad rows, an edit conflict)
* 70 - an internal error (a bug): the message says where to report it
"""
from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_BAD_INPUT = 2
EXIT_MISSING_COMPONENT = 3
EXIT_REFUSED = 4
EXIT_INTERNAL = 70


class ZltError(Exception):
    """Base of the errors shown to the user as one line, with an exit code."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(" ".join(str(message).split()))
        if exit_code is not None:
            self.exit_code = exit_code


class BadInput(ZltError):
    """An input file, layer or option the command cannot use."""

    exit_code = EXIT_BAD_INPUT


class MissingComponent(ZltError):
    """An optional dependency or service is not available."""

    exit_code = EXIT_MISSING_COMPONENT


class Refused(ZltError):
    """Refused to protect data (nothing was written)."""

    exit_code = EXIT_REFUSED
