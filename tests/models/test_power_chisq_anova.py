"""power_chisq and power_anova against R pwr 1.3.0 (pwr.chisq.test, pwr.anova.test).

Reference: tests/reference/models/make_power_chisq_anova_reference.R.  Power at rtol
1e-9; solved effect and n at rtol 1e-6 against the root of pwr's own power function
found with uniroot(tol = 1e-13), and to pwr's printed answer at pwr's uniroot tolerance
(eps^0.25 ~ 1.2e-4 absolute on its search interval; 1e-3 relative here).
"""

from __future__ import annotations

import json

import pytest
from numpy.testing import assert_allclose

from serostudy.exceptions import InputError
from serostudy.models import power_anova, power_chisq

from .conftest import REF_DIR


@pytest.fixture(scope="module")
def pref() -> dict:
    return json.loads((REF_DIR / "power_chisq_anova.json").read_text())


def test_chisq_power_matches_pwr_chisq_test(pref):
    assert len(pref["chisq_power"]) == 8
    for c in pref["chisq_power"]:
        res = power_chisq(w=c["w"], n=c["N"], df=c["df"], alpha=c["sig_level"])
        assert res.solved_for == "power" and res.test == "chi-squared"
        assert_allclose(res.power, c["power"], rtol=1e-9, err_msg=str(c))


def test_chisq_solved_w_and_n_match_pwr(pref):
    for c in pref["chisq_solve"]:
        if c["solve"] == "w":
            res = power_chisq(n=c["N"], df=c["df"], power=c["power"], alpha=c["sig_level"])
            assert res.solved_for == "effect" and res.effect_name == "w"
            assert_allclose(res.effect, c["w_tight"], rtol=1e-6, err_msg=str(c))
            assert_allclose(res.effect, c["w_pwr"], rtol=1e-3)
        else:
            res = power_chisq(w=c["w"], df=c["df"], power=c["power"], alpha=c["sig_level"])
            assert res.solved_for == "n"
            assert_allclose(res.n[0], c["N_tight"], rtol=1e-6, err_msg=str(c))
            assert_allclose(res.n[0], c["N_pwr"], rtol=1e-3)
        assert_allclose(res.power, c["power"], rtol=1e-12)


def test_anova_power_matches_pwr_anova_test(pref):
    assert len(pref["anova_power"]) == 7
    for c in pref["anova_power"]:
        res = power_anova(k=c["k"], n=c["n"], f=c["f"], alpha=c["sig_level"])
        assert res.solved_for == "power" and res.groups == c["k"]
        assert_allclose(res.power, c["power"], rtol=1e-9, err_msg=str(c))


def test_anova_solved_n_and_f_match_pwr(pref):
    for c in pref["anova_solve"]:
        if c["solve"] == "n":
            res = power_anova(k=c["k"], f=c["f"], power=c["power"], alpha=c["sig_level"])
            assert res.solved_for == "n"
            assert_allclose(res.n[0], c["n_tight"], rtol=1e-6, err_msg=str(c))
            assert_allclose(res.n[0], c["n_pwr"], rtol=1e-3)
        else:
            res = power_anova(k=c["k"], n=c["n"], power=c["power"], alpha=c["sig_level"])
            assert res.solved_for == "effect" and res.effect_name == "f"
            assert_allclose(res.effect, c["f_tight"], rtol=1e-6, err_msg=str(c))
            assert_allclose(res.effect, c["f_pwr"], rtol=1e-3)


@pytest.mark.parametrize("call, match", [
    (lambda: power_chisq(w=0.3, n=100, df=1, power=0.8), "exactly one of `w`, `n`, `power`"),
    (lambda: power_chisq(w=0.3, df=1), "exactly one of `w`, `n`, `power`"),
    (lambda: power_chisq(w=0.3, n=100, df=0), "`df` must be a whole number >= 1"),
    (lambda: power_chisq(w=-0.1, n=100, df=1), "`w` must be >= 0"),
    (lambda: power_chisq(w=0.3, n=0.5, df=1), "`n` must be a number > 1"),
    (lambda: power_anova(k=1, n=10, f=0.25), "`k` must be a whole number >= 2"),
    (lambda: power_anova(k=3, n=2, f=0.25), "`n` must be a number > 2"),
    (lambda: power_anova(k=3, n=10, f=0.25, alpha=1.5), "`alpha` must lie in"),
    (lambda: power_anova(k=3, f=0.25, power=0.01), "`power` must lie between alpha"),
])
def test_power_chisq_anova_bad_input(call, match):
    with pytest.raises(InputError, match=match):
        call()
