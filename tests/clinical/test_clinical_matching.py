"""Matching: reproducible with a seed, no control used twice, exact on sex, within the
caliper, and better balance (SMD) on the demo cohort.

The cohort is the demo's 88 analysed participants (35 NMOSD, 53 controls: the
``core_study`` fixture of tests/conftest.py), i.e. what the matching stage sees after
eligibility; the shipped participants.csv also holds 9 ineligible extras."""

from __future__ import annotations

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from serostudy._inference._twosample import smd_continuous
from serostudy.clinical import balance_table, match_controls
from serostudy.exceptions import DataError, InputError


@pytest.fixture(scope="module")
def demo(core_study):
    d = pd.read_csv(core_study / "participants.csv")
    assert d["group"].value_counts().to_dict() == {"control": 53, "nmosd": 35}
    return d


KW = dict(id_column="id", group_column="group", case="nmosd", control="control", age="age", sex="sex")


@pytest.mark.parametrize("method,ratio", [("nearest", 1), ("nearest", 2), ("frequency", 1)])
def test_reproducible_with_seed(demo, method, ratio):
    a = match_controls(demo, method=method, ratio=ratio, seed=7, **KW)
    b = match_controls(demo, method=method, ratio=ratio, seed=7, **KW)
    assert a.pairs == b.pairs and a.selected_controls == b.selected_controls
    pd.testing.assert_frame_equal(a.balance, b.balance)
    others = [match_controls(demo, method=method, ratio=ratio, seed=s, **KW).selected_controls for s in range(1, 6)]
    assert any(o != a.selected_controls for o in others)  # the seed matters


@pytest.mark.parametrize("method", ["nearest", "frequency"])
def test_improves_age_balance_on_demo(demo, method):
    m = match_controls(demo, method=method, seed=20201, **KW)
    bal = m.balance.set_index("variable")
    assert bal.loc["age", "smd_after"] < bal.loc["age", "smd_before"]
    assert bal.loc["age", "smd_after"] < 0.1
    assert bal.loc["sex", "smd_after"] < 0.11


def test_nearest_rules_hold(demo):
    m = match_controls(demo, method="nearest", ratio=1, caliper=3.0, seed=3, **KW)
    used = [c for cs in m.pairs.values() for c in cs]
    assert len(used) == len(set(used))  # without replacement
    info = demo.set_index("id")
    for case, ctrls in m.pairs.items():
        for c in ctrls:
            assert info.loc[c, "sex"] == info.loc[case, "sex"]
            assert abs(info.loc[c, "age"] - info.loc[case, "age"]) <= 3.0
    assert set(m.selected_controls) | set(m.unselected_controls) == set(demo.loc[demo.group == "control", "id"])
    assert len(m.unmatched_cases) == sum(1 for v in m.pairs.values() if not v)
    assert "caliper of 3 years" in m.describe()


def test_balance_uses_tableone_smd(demo):
    bal = balance_table(demo, group_column="group", case="nmosd", control="control", age="age", sex="sex")
    a = demo.loc[demo.group == "nmosd", "age"]
    b = demo.loc[demo.group == "control", "age"]
    assert_allclose(bal.loc[0, "smd_before"], abs(smd_continuous(a.mean(), a.std(), b.mean(), b.std())), rtol=1e-12)


def test_bad_input(demo):
    with pytest.raises(InputError, match="method"):
        match_controls(demo, method="optimal", seed=1, **KW)
    with pytest.raises(InputError, match="ratio"):
        match_controls(demo, ratio=0, seed=1, **KW)
    bad = demo.copy()
    bad.loc[bad.id == "C003", "age"] = None
    with pytest.raises(DataError, match="'C003'"):
        match_controls(bad, seed=1, **KW)
