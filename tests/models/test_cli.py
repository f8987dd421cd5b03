"""`serostudy model DATA --formula ... --family ... [--exposure COL] [--json]`."""

from __future__ import annotations

import json

import pytest
from numpy.testing import assert_allclose

from serostudy.cli import main

from .conftest import REF_DIR, r_name


def run(capsys, *args):
    code = main(["model", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_negbin_with_offset_matches_glm_nb(capsys, ref):
    code, out, _ = run(capsys, REF_DIR / "seatbelts.csv", "--formula", "DriversKilled ~ law + PetrolPrice",
                       "--family", "negbin", "--exposure", "kms", "--json")
    assert code == 0
    d = json.loads(out)
    r = ref["negbin"]["seatbelts"]["tight"]
    got = {r_name(t["term"]): t for t in d["terms"]}
    assert_allclose([got[n]["estimate"] for n in r["coef"]["term"]], r["coef"]["estimate"], rtol=1e-6)
    assert_allclose([got[n]["se"] for n in r["coef"]["term"]], r["coef"]["se"], rtol=1e-5)
    assert_allclose([got[n]["p"] for n in r["coef"]["term"]], r["coef"]["pvalue"], rtol=1e-4)
    assert_allclose(d["theta"], r["theta"], rtol=1e-6)
    assert {"estimate", "se", "ci_low", "ci_high", "p"} <= set(d["terms"][1])
    assert d["exposure"] == "kms" and d["family"] == "negbin"
    assert d["terms"][1]["exp_name"] == "rate ratio"


@pytest.mark.parametrize("family", ["gaussian", "poisson", "negbin", "logit", "ordinal"])
def test_every_family_runs_as_text_and_json(capsys, family):
    formula = {"gaussian": "bwt ~ age + smoke", "poisson": "ftv ~ age", "negbin": "ftv ~ age",
               "logit": "low ~ age + smoke", "ordinal": "ftv3 ~ age + smoke"}[family]
    code, out, _ = run(capsys, REF_DIR / "birthwt.csv", "--formula", formula, "--family", family)
    assert code == 0 and "age" in out
    code, out, _ = run(capsys, REF_DIR / "birthwt.csv", "--formula", formula, "--family", family, "--json")
    d = json.loads(out)
    assert ("theta" in d) == (family == "negbin")


def test_missing_column_is_a_clean_error(capsys):
    code, out, err = run(capsys, REF_DIR / "quine.csv", "--formula", "Days ~ Eth + Sx", "--family", "negbin")
    assert code == 2 and out == ""
    assert err.startswith(f"serostudy: error: {REF_DIR / 'quine.csv'}, column 'Sx': the formula")
    assert "did you mean 'Sex'?" in err and "Traceback" not in err


def test_separation_error_and_warn_mode(capsys, tmp_path):
    p = tmp_path / "sep.csv"
    p.write_text("event,b12\n0,90\n0,80\n0,75\n1,40\n1,35\n1,30\n")
    code, _, err = run(capsys, p, "--formula", "event ~ b12", "--family", "logit")
    assert code == 2 and "complete separation" in err
    code, out, err = run(capsys, p, "--formula", "event ~ b12", "--family", "logit", "--on-separation", "warn")
    assert code == 0 and "serostudy: warning: complete separation" in err


def test_zero_exposure_is_a_clean_error(capsys, tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("n,x,t\n1,1,2\n0,2,0\n3,3,1\n2,4,2\n")
    code, _, err = run(capsys, p, "--formula", "n ~ x", "--family", "poisson", "--exposure", "t")
    assert code == 2
    assert "row 3, column 't': exposure must be a positive number" in err


def test_xlsx_input(capsys, tmp_path, ref):
    import pandas as pd

    p = tmp_path / "q.xlsx"
    pd.read_csv(REF_DIR / "quine.csv").to_excel(p, index=False)
    code, out, _ = run(capsys, p, "--formula", "Days ~ Eth + Sex + Age + Lrn", "--family", "negbin", "--json")
    assert code == 0
    assert_allclose(json.loads(out)["theta"], ref["negbin"]["quine"]["tight"]["theta"], rtol=1e-6)
