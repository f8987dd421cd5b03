"""The Examples sections of serostudy.audit run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("mod", ["_interval", "_schema", "_checks", "_run", "_render", "_synth"])
def test_examples(mod):
    m = importlib.import_module(f"serostudy.audit.{mod}")
    res = doctest.testmod(m, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0
