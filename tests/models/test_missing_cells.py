"""`serostudy model` on a CSV with "NA" and empty cells (issue 9, finding 3).

Before the fix the model reader kept "NA" as text, so a numeric covariate with gaps
became categorical (terms `x[T.36.7]`, ..., `x[T.NA]`) and "NA" in a text column became
a level of its own.  Missing cells must be missing, as in Table 1 and R's
`read.csv(na.strings = c("NA", ""))` + `glm(na.action = na.omit)`, and the rows
dropped counted and named.  Reference: tests/reference/models/make_missing_reference.R
(R 4.2.2).
"""

from __future__ import annotations

import json

import pytest
from numpy.testing import assert_allclose

from serostudy.cli import main

from .conftest import REF_DIR, r_name

DATA = REF_DIR / "missing.csv"


@pytest.fixture(scope="module")
def r_ref() -> dict:
    return json.loads((REF_DIR / "missing_reference.json").read_text())


def _run_json(capsys, formula: str, family: str) -> dict:
    code = main(["model", str(DATA), "--formula", formula, "--family", family, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


@pytest.mark.parametrize("family, formula", [("gaussian", "y ~ x + arm"), ("poisson", "events ~ x + arm")])
def test_model_cli_reads_NA_and_empty_cells_as_missing_like_R_na_omit(capsys, r_ref, family, formula):
    d = _run_json(capsys, formula, family)
    r = r_ref[family]
    got = {r_name(t["term"]): t for t in d["terms"]}
    # numeric x stays one numeric term; no level "NA" of x or of arm
    assert sorted(got) == sorted(r["term"]), sorted(got)
    assert d["n"] == r["nobs"]
    assert_allclose([got[t]["estimate"] for t in r["term"]], r["estimate"], rtol=1e-9)
    # R's summary.glm takes the SEs from the weights of the *previous* IRLS step (its
    # convergence test is on the deviance, so coefficients may still move ~1e-6
    # relatively); ours are at the converged coefficients: Poisson SEs differ by ~1e-7
    assert_allclose([got[t]["se"] for t in r["term"]], r["se"], rtol=1e-9 if family == "gaussian" else 1e-6)
    assert_allclose([got[t]["p"] for t in r["term"]], r["pvalue"], rtol=1e-8 if family == "gaussian" else 1e-5)
    assert_allclose(d["loglik"], r["loglik"], rtol=1e-9)
    # the dropped rows are R's, counted and named by spreadsheet row (header = row 1)
    assert d["excluded_rows"] == r["dropped_rows"]
    note = next(w for w in d["warnings"] if "excluded for missing values" in w)
    assert note.startswith(f"{len(r['dropped_rows'])} row(s) excluded")
    assert all(str(row) in note for row in r["dropped_rows"])


def test_model_cli_text_output_names_the_excluded_rows(capsys, r_ref):
    code = main(["model", str(DATA), "--formula", "y ~ x + arm", "--family", "gaussian"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"n = {r_ref['gaussian']['nobs']}" in out
    assert "x[T." not in out and "NA]" not in out
    assert "7 row(s) excluded for missing values" in out


def test_model_cli_errors_name_the_file(capsys):
    # issue 9, finding 8 (every input error names the file), for `serostudy model` too
    code = main(["model", str(DATA), "--formula", "y ~ x + arms", "--family", "gaussian"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"serostudy: error: {DATA}, column 'arms': "), err
    assert "did you mean 'arm'?" in err
