"""Run the Examples sections of the assay modules."""

import doctest
import importlib

import pytest

MODULES = ["_curves", "_units", "_simulate", "_stage", "_plate"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    mod = importlib.import_module(f"serostudy.assay.{name}")
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0
