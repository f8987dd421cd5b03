"""Every public function's Examples section runs and prints what it says."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["serostudy.models", "serostudy.models._glm", "serostudy.models._ordinal",
           "serostudy.models._multiplicity", "serostudy.models._power", "serostudy.models._stage"]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0


def test_public_functions_have_examples():
    import serostudy.models as m

    for name in ("fit_model", "fit_glm", "fit_ordinal", "p_adjust", "power_t2n", "power_r", "power_chisq",
                 "power_anova", "simulate_negbin_power", "detectable_rate_ratio", "models_stage"):
        assert "Examples" in (getattr(m, name).__doc__ or ""), name
