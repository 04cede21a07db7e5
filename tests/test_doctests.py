"""The examples in the docstrings of the spine's modules run (numpydoc ``Examples`` sections)."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "zlt_assets.rules", "zlt_assets.standards", "zlt_assets.plan", "zlt_assets.schema",
    "zlt_assets.indicators", "zlt_assets.styles", "zlt_assets.reports", "zlt_assets.validate",
    "zlt_assets.summary", "zlt_assets.analysis.scorecard",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no example"
    assert result.failed == 0, f"{result.failed} failing example(s) in {name}"
