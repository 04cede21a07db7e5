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
    """Base of the errors shown to the user as one line, with an exit code.

    Parameters
    ----------
    message : str
        The English one-line message. Where the name of the option the error is about goes,
        write ``{option}``: a face fills it in (the CLI with ``--as-of``, the QGIS plugin with
        the dialog field's label), so no message spells a command-line flag literally.
    exit_code : int, optional
        Overrides the class's exit code.
    zh : str, optional
        The same message in Chinese (shown first), with the same ``{option}`` placeholder.
    option : str, optional
        The ``dest`` of the option the error is about (``"as_of"``), or None.

    Examples
    --------
    >>> e = BadInput("{option} must be a date, got 'x'", zh="{option} 必须是日期", option="as_of")
    >>> str(e)
    "--as-of must be a date, got 'x'"
    >>> e.render("截止日期")
    "截止日期 必须是日期 / 截止日期 must be a date, got 'x'"
    """

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, exit_code: int | None = None, *, zh: str | None = None,
                 option: str | None = None) -> None:
        self.template = one_line(message)
        self.zh_template = one_line(zh) if zh else None
        self.option = option
        super().__init__(self._fill(self.template, self.cli_flag))
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def cli_flag(self) -> str:
        """The option as the command line spells it (``--as-of``), or ``""``."""
        return "--" + self.option.replace("_", "-") if self.option else ""

    @staticmethod
    def _fill(template: str, label: str) -> str:
        return template.replace("{option}", label) if "{option}" in template else template

    @property
    def message_en(self) -> str:
        """The English message with the CLI flag filled in."""
        return str(self)

    @property
    def message_zh(self) -> str | None:
        """The Chinese message with the CLI flag filled in, or None."""
        return self._fill(self.zh_template, self.cli_flag) if self.zh_template else None

    def render(self, option_label: str | None = None) -> str:
        """Chinese first, English beside; ``{option}`` filled with ``option_label``."""
        label = option_label if option_label is not None else self.cli_flag
        en = self._fill(self.template, label)
        if self.zh_template:
            return f"{self._fill(self.zh_template, label)} / {en}"
        return en


def one_line(text: object) -> str:
    """``text`` (or an exception) as one line: whitespace runs collapsed, never empty."""
    if isinstance(text, BaseException):
        return " ".join(str(text).split()) or type(text).__name__
    return " ".join(str(text).split())


class BadInput(ZltError):  # noqa: N818 - a public name (contract 2)
    """An input file, layer or option the command cannot use."""

    exit_code = EXIT_BAD_INPUT


class MissingComponent(ZltError):  # noqa: N818 - a public name (contract 2)
    """An optional dependency or service is not available."""

    exit_code = EXIT_MISSING_COMPONENT


class Refused(ZltError):  # noqa: N818 - a public name (contract 2)
    """Refused to protect data (nothing was written)."""

    exit_code = EXIT_REFUSED
