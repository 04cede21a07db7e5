"""The examples in the package's docstrings run (numpydoc ``Examples`` sections, as doctests).

Every module of ``zlt_assets`` whose source holds an example (a ``>>>`` line) is run, so a new
example is tested without anyone listing it here; and every public function of the analysis
(``zlt_assets.analysis.*``, the names in each module's ``__all__``) must have an ``Examples``
section with at least one example.
"""
from __future__ import annotations

import doctest
import importlib
import inspect
import re
from pathlib import Path

import pytest

import zlt_assets
import zlt_assets.analysis

PACKAGE = Path(zlt_assets.__file__).parent

# modules known to carry examples: the discovery below must find at least these
KNOWN = {
    "zlt_assets.rules", "zlt_assets.standards", "zlt_assets.plan", "zlt_assets.schema",
    "zlt_assets.indicators", "zlt_assets.styles", "zlt_assets.reports", "zlt_assets.validate",
    "zlt_assets.summary", "zlt_assets.analysis.scorecard", "zlt_assets.analysis.coverage",
    "zlt_assets.analysis.network", "zlt_assets.analysis.toilets", "zlt_assets.analysis.siting",
    "zlt_assets.analysis.population", "zlt_assets.analysis.inputs",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules_with_examples() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__main__.py":  # running it would run the CLI
            continue
        if re.search(r"^\s*>>> ", path.read_text(encoding="utf-8"), re.M):
            found.append(_module_name(path))
    return found


MODULES = _modules_with_examples()


def test_the_discovery_finds_the_known_modules() -> None:
    assert set(MODULES) >= KNOWN, sorted(KNOWN - set(MODULES))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no example"
    assert result.failed == 0, f"{result.failed} failing example(s) in {name}"


def _analysis_functions() -> list[tuple[str, str]]:
    out = []
    for path in sorted((PACKAGE / "analysis").glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = _module_name(path)
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            if inspect.isfunction(getattr(module, attr)):
                out.append((name, attr))
    return out


ANALYSIS_FUNCTIONS = _analysis_functions()


def _section(doc: str, title: str) -> str | None:
    """The body of a numpydoc section (``title`` underlined with dashes), or None."""
    header = rf"^[ \t]*{title}\n[ \t]*-{{{len(title)}}}[ \t]*\n"
    next_header = r"^[ \t]*\w[\w ]*\n[ \t]*-{3,}[ \t]*$"
    match = re.search(rf"{header}(.*?)(?={next_header}|\Z)", doc, re.M | re.S)
    return match.group(1) if match else None


def test_every_analysis_module_is_seen() -> None:
    modules = {m for m, _ in ANALYSIS_FUNCTIONS}
    assert {"zlt_assets.analysis.coverage", "zlt_assets.analysis.network",
            "zlt_assets.analysis.toilets", "zlt_assets.analysis.siting"} <= modules


@pytest.mark.parametrize(("module", "name"), ANALYSIS_FUNCTIONS,
                         ids=[f"{m.rsplit('.', 1)[1]}.{n}" for m, n in ANALYSIS_FUNCTIONS])
def test_every_public_analysis_function_has_an_example(module: str, name: str) -> None:
    doc = inspect.getdoc(getattr(importlib.import_module(module), name)) or ""
    examples = _section(doc, "Examples")
    assert examples is not None, f"{module}.{name}: no numpydoc 'Examples' section"
    assert ">>> " in examples, f"{module}.{name}: its 'Examples' section has no example"


def test_the_section_reader_is_strict() -> None:
    doc = "Summary.\n\nParameters\n----------\nx : int\n\nExamples\n--------\n>>> 1 + 1\n2\n"
    assert ">>> 1 + 1" in (_section(doc, "Examples") or "")
    assert ">>>" not in (_section(doc, "Parameters") or "")
    assert _section("Summary.\n\n>>> 1\n1\n", "Examples") is None
    assert _section("Summary.\n\nExamples\n---\n>>> 1\n1\n", "Examples") is None
