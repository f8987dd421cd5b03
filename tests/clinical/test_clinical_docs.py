"""Every public function of serostudy.clinical has a numpydoc Examples section, and the
examples run."""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

import serostudy.clinical as clinical

MODULES = ["_dates", "_edss", "_eligibility", "_flow", "_ipnd", "_matching", "_relapses", "_simulate", "_stage"]


@pytest.mark.parametrize("name", sorted(clinical.__all__))
def test_public_functions_have_examples(name):
    obj = getattr(clinical, name)
    if inspect.isfunction(obj):
        doc = inspect.getdoc(obj) or ""
        assert "Examples\n--------" in doc, f"{name} has no Examples section"
        assert ">>>" in doc


@pytest.mark.parametrize("mod", MODULES)
def test_examples_run(mod):
    m = importlib.import_module(f"serostudy.clinical.{mod}")
    res = doctest.testmod(m, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0
