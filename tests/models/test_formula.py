"""Formula parsing: which names are columns, and what the design looks like."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from serostudy.exceptions import ModelError
from serostudy.models._formula import build_design, formula_columns


@pytest.mark.parametrize("formula, cols", [
    ("y ~ x + z", ["y", "x", "z"]),
    ("y ~ np.log(b12) + C(sex, Treatment('male'))", ["y", "b12", "sex"]),
    ("y ~ I(b12 / 10) * age", ["y", "b12", "age"]),
    ('y ~ Q("b12 pmol/L") + center(age)', ["y", "age", "b12 pmol/L"]),
    ("np.log(y) ~ x", ["y", "x"]),
])
def test_formula_columns(formula, cols):
    _, got = formula_columns(formula)
    assert sorted(got) == sorted(cols)


def test_quoted_column_with_spaces_builds():
    d = pd.DataFrame({"y": [1.0, 2, 3, 4, 5], "b12 pmol/L": [5.0, 3, 4, 1, 2]})
    des = build_design(d, 'y ~ Q("b12 pmol/L")')
    assert des.names == ("Intercept", 'Q("b12 pmol/L")')


def test_pandas_categorical_order_sets_the_reference_level():
    d = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "sex": pd.Categorical(list("mfmfmf"), categories=["m", "f"])})
    assert build_design(d, "y ~ sex").names == ("Intercept", "sex[T.f]")


def test_intercept_dropped_after_coding_keeps_treatment_contrasts():
    d = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "g": list("abcabc"), "x": np.arange(6.0)})
    assert build_design(d, "y ~ g + x", intercept=False).names == ("g[T.b]", "g[T.c]", "x")


def test_too_few_rows():
    d = pd.DataFrame({"y": [1.0, 2], "x": [1.0, 2], "z": [3.0, 1]})
    with pytest.raises(ModelError, match="2 complete rows for 3 coefficients"):
        build_design(d, "y ~ x + z")


def test_cli_module_is_light_to_import():
    """`serostudy --help` stays fast: the model command imports nothing heavy."""
    code = ("import sys, serostudy.cli._model, serostudy.models; "
            "print(sorted(m for m in ('pandas', 'statsmodels', 'scipy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
