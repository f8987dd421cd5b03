"""Formulas are parsed against a grammar, never evaluated (issue 10, finding 1).

Before the fix, formula text went to patsy, which runs each term as Python: a formula
or a column header could run a shell command.  Each test here plants a command that
would create a marker file and checks that it never appears.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from serostudy.exceptions import ModelError
from serostudy.models import fit_model
from serostudy.models._formula import build_design, formula_columns, quote_name


def _payload(marker: Path) -> str:
    return f"__import__('os').system('touch {marker}')"


def _data(extra: dict | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    d = {"y": rng.normal(size=30), "x": rng.normal(size=30), "sex": ["f", "m", "m"] * 10}
    d.update(extra or {})
    return pd.DataFrame(d)


def test_cli_formula_with_python_code_does_not_run_it(tmp_path):
    marker = tmp_path / "PWNED"
    csv = tmp_path / "d.csv"
    _data().to_csv(csv, index=False)
    formula = f"y ~ x + I({_payload(marker)} + 0)"
    proc = subprocess.run([sys.executable, "-m", "serostudy", "model", str(csv), "--formula", formula,
                           "--family", "gaussian"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert not marker.exists()
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "formula" in proc.stderr and "__import__" in proc.stderr


@pytest.mark.parametrize("term", [
    "I(__import__('os').system('touch {m}') + 0)",
    "__import__('os').system('touch {m}')",
    "np.log(__import__('os').system('touch {m}'))",
    "C(x, __import__('os').system('touch {m}'))",
    "x.__class__",
    "exec('open(\"{m}\", \"w\")')",
    "(lambda: 1)()",
    "I(x ** 2)",
    "bs(x, 3)",
    "y[0]",
])
def test_formula_code_is_refused_and_never_run(tmp_path, term):
    marker = tmp_path / "PWNED"
    formula = "y ~ x + " + term.format(m=marker)
    with pytest.raises(ModelError, match="formula") as info:
        build_design(_data(), formula)
    assert not marker.exists()
    assert len(str(info.value)) < 1000


def test_header_with_python_code_is_only_data(tmp_path):
    marker = tmp_path / "PWNED"
    header = _payload(marker)
    d = _data({header: np.arange(30.0) % 7})
    # unquoted: refused, not run
    with pytest.raises(ModelError):
        build_design(d, f"y ~ x + {header}")
    assert not marker.exists()
    # quoted: the column's values, nothing more
    for quoted in (quote_name(header), f"`{header}`", 'Q("' + header + '")'):
        des = build_design(d, f"y ~ x + {quoted}")
        assert not marker.exists()
        np.testing.assert_array_equal(des.X[:, -1], np.arange(30.0) % 7)


def test_study_covariate_naming_a_code_header_does_not_run(tmp_path):
    """models.relapses.adjust names a column whose header is Python code."""
    from serostudy.models._stage import relapse_section
    from tests.models.test_stage import MODELS, _context

    marker = tmp_path / "PWNED"
    header = _payload(marker)
    models = dict(MODELS, relapses=dict(MODELS["relapses"], adjust=["age", header]))
    ctx = _context(models)
    plan = ctx.config.analysis_plan
    if plan is not None:  # a declared plan's covariates take precedence over models.relapses.adjust
        primary = plan.primary.model_copy(update={"adjusted_for": [*plan.primary.adjusted_for, header]})
        ctx.config = ctx.config.model_copy(update={"analysis_plan": plan.model_copy(update={"primary": primary})})
    ctx.data[header] = np.arange(len(ctx.data)) % 5
    section, fits = relapse_section(ctx)
    assert not marker.exists()
    assert any(t.term == quote_name(header) for t in fits["NB adjusted"].coefficients)


def test_plan_sensitivity_covariate_naming_a_code_header_is_fitted_as_data(tmp_path):
    """analysis_plan.sensitivity[].adjusted_for: its formula quoted no names (a header with
    code, or a space, was refused as formula text)."""
    from serostudy._io.plan import SensitivityAnalysis
    from serostudy.models._stage import relapse_section
    from tests.models.test_stage import MODELS, _context

    marker = tmp_path / "PWNED"
    header = _payload(marker)
    ctx = _context(dict(MODELS))
    plan = ctx.config.analysis_plan
    if plan is None:
        pytest.skip("the stage test context declares no analysis_plan")
    sens = SensitivityAnalysis(analysis="negbin", outcome=MODELS["relapses"]["count"], adjusted_for=["age", header],
                               label="code header")
    ctx.config = ctx.config.model_copy(update={"analysis_plan": plan.model_copy(update={"sensitivity": [sens]})})
    ctx.data[header] = np.arange(len(ctx.data)) % 5
    _section, fits = relapse_section(ctx)
    assert not marker.exists()
    assert any(t.term == quote_name(header) for t in fits["NB sensitivity: code header"].coefficients)


@pytest.mark.parametrize("formula, cols", [
    ("y ~ log(x) + sqrt(z) + log1p(z)", ["y", "x", "z"]),
    ("y ~ I(x / 10) + I(x * 2) + I(x - 1.5) + I(z + 1e-3)", ["y", "x", "z"]),
    ("y ~ C(sex, Treatment('m')) + x:z + x*z - 1", ["y", "sex", "x", "z"]),
    ("y ~ `b12 pmol/L` + Q('odd \"name\"') + 0", ["y", "b12 pmol/L", 'odd "name"']),
])
def test_grammar_columns(formula, cols):
    assert sorted(formula_columns(formula)[1]) == sorted(cols)


@pytest.mark.parametrize("formula", [
    "y ~ log(x) + C(g, Treatment('c')) + sex*z + x:g",
    "y ~ np.log(x) + sex + g:sex - 1",
    "np.log(x) ~ 0 + g + center(z) + sqrt(x) + I(x * 2.5)",
    "y ~ I(z - 1) + log1p(x) + I(x / 10)",
    "y ~ (g + sex):z + standardize(x) + C(k) + C(k2, Treatment(3))",
    "y ~ g*sex + exp(z) + log2(x) + I(x + 1e-3)",
    "y ~ log10(x) + z + Q(\"g\")",
])
def test_design_matches_patsy_column_names_and_values(formula):
    """The same names and numbers as patsy's own evaluation of these (harmless) formulas,
    so records, stored results and the R comparisons do not move."""
    import patsy

    rng = np.random.default_rng(3)
    d = pd.DataFrame({"y": rng.normal(size=60), "x": rng.uniform(1, 5, 60), "z": rng.normal(size=60),
                      "g": rng.choice(list("abcd"), 60), "sex": rng.choice(["f", "m"], 60),
                      "k": rng.integers(1, 4, 60), "k2": rng.integers(1, 5, 60).astype(float)})
    des = build_design(d, formula)
    env = patsy.EvalEnvironment([{"np": np, "log": np.log, "sqrt": np.sqrt, "log1p": np.log1p, "exp": np.exp,
                                  "log2": np.log2, "log10": np.log10}])
    yref, Xref = patsy.dmatrices(formula, d, eval_env=env, return_type="dataframe")
    assert des.names == tuple(Xref.columns)
    np.testing.assert_allclose(des.X, Xref.to_numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(des.y.to_numpy(dtype=float), yref.to_numpy()[:, 0], rtol=1e-15)


def test_log_of_non_positive_value_names_row_and_column():
    d = _data({"x": [1.0, 2.0, -1.0] * 10})
    with pytest.raises(ModelError, match=r"row 4.*'x'|'x'.*row 4"):
        build_design(d, "y ~ log(x)")


def test_unknown_reference_level_is_named():
    with pytest.raises(ModelError, match="'z'.*levels|levels.*'z'"):
        build_design(_data(), "y ~ C(sex, Treatment('z'))")


def test_fit_model_still_works_through_the_grammar():
    fit = fit_model(_data(), "y ~ x + C(sex)", family="gaussian")
    assert [t.term for t in fit.coefficients] == ["Intercept", "C(sex)[T.m]", "x"]


@pytest.mark.parametrize("header", ["b12 pmol/L", "a`b", 'q"uo\\te', "x\ny", "größe", "1st", "C", "__class__",
                                    "y ~ x", "a:b", "log(x)", "`", "\"", "\\"])
def test_quote_name_round_trips_any_header(header):
    d = pd.DataFrame({"y": np.arange(8.0), header: [1.0, 3, 2, 5, 4, 7, 6, 9]})
    assert formula_columns(f"y ~ {quote_name(header)}")[1] == ["y", header]
    des = build_design(d, f"y ~ {quote_name(header)}")
    np.testing.assert_array_equal(des.X[:, 1], d[header].to_numpy())
