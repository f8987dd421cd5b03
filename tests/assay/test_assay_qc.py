"""Each QC rule with a case that passes and one that fails."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from serostudy.assay import QCRuleSet, get_rule_set
from serostudy.assay._qc import check_cv, check_qcs, check_standard_levels, hook_effect, standards_acceptance
from serostudy.exceptions import AssayError

R = get_rule_set("ich-m10-lba")
NOM = [5, 10, 20, 40, 80, 160, 320, 640.0]


def levels(bc):
    return pd.DataFrame({"id": [f"S{i + 1}" for i in range(len(NOM))], "nominal": NOM, "back_calculated": bc})


def test_rule_set_is_named_and_versioned():
    assert R.label == "ich-m10-lba v1"
    assert R.standard_tolerance == 20 and R.standard_tolerance_at_limits == 25
    custom = get_rule_set({"max_cv": 15})
    assert custom.max_cv == 15 and custom.name == "ich-m10-lba-custom"
    with pytest.raises(AssayError):
        get_rule_set({"max_CV": 15})
    with pytest.raises(AssayError):
        get_rule_set("clsi")


def test_standard_within_20_percent_passes_and_beyond_fails():
    bc = np.array(NOM) * np.array([1, 1.19, 1, 1, 0.79, 1, 1, 1])
    j = check_standard_levels(levels(bc), R)
    assert j.loc[1, "passed"] is True or j.loc[1, "passed"] == True  # noqa: E712
    assert j.loc[4, "passed"] == False  # noqa: E712
    assert "-21.0%" in j.loc[4, "reason"] and "±20%" in j.loc[4, "reason"]


def test_lloq_and_uloq_get_25_percent():
    bc = np.array(NOM) * np.array([1.24, 1, 1, 1, 1, 1, 1, 0.76])
    j = check_standard_levels(levels(bc), R)
    assert (j["passed"] == True).all()  # noqa: E712
    bc = np.array(NOM) * np.array([1.26, 1, 1, 1, 1, 1, 1, 0.74])
    j = check_standard_levels(levels(bc), R)
    assert list(j["passed"][[0, 7]]) == [False, False]


def test_standards_acceptance_fraction_and_levels():
    # 6 of 8 pass -> 75% and 6 levels: accepted
    bc = np.array(NOM) * np.array([2, 1, 1, 1, 1, 1, 1, 2])
    ok, rows = standards_acceptance(check_standard_levels(levels(bc), R), R)
    assert ok
    # 5 of 8 -> 62.5%: rejected, with reasons
    bc = np.array(NOM) * np.array([2, 2, 1, 1, 1, 1, 1, 2])
    ok, rows = standards_acceptance(check_standard_levels(levels(bc), R), R)
    assert not ok
    assert any("only 5 of 8" in r["reason"] for r in rows)
    assert any("5 passing levels, at least 6" in r["reason"] for r in rows)


def test_minimum_six_levels_even_when_fraction_passes():
    nom = NOM[:6]
    lv = pd.DataFrame({"id": list("abcdef"), "nominal": nom, "back_calculated": np.array(nom) * [1, 1, 1, 1, 1, 2]})
    ok, rows = standards_acceptance(check_standard_levels(lv, R), R)
    assert not ok  # 5/6 = 83% >= 75%, but only 5 levels


def qcs(measured):
    return pd.DataFrame({"id": [f"Q{i}" for i in range(6)], "level": ["low", "low", "mid", "mid", "high", "high"],
                         "nominal": [15, 15, 60, 60, 250, 250.0], "measured": measured})


def test_qc_two_thirds_and_half_per_level():
    # 4/6 pass (2/3); low and mid at 50%: accepted
    _, ok, _ = check_qcs(qcs([15, 20, 60, 80, 250, 250]), R)
    assert ok
    # 3/6 pass (one per level): rejected on the 2/3 rule
    _, ok, rows = check_qcs(qcs([15, 20, 60, 80, 250, 320]), R)
    assert not ok
    assert any("3 of 6" in r["reason"] for r in rows)


def test_qc_per_level_rule_fails_alone():
    q = pd.DataFrame({"id": list("abcdefghi"), "level": ["low"] * 3 + ["mid"] * 3 + ["high"] * 3,
                      "nominal": [15] * 3 + [60] * 3 + [250.0] * 3,
                      "measured": [15, 15, 15, 60, 60, 60, 400, 400, 250]})
    out, ok, rows = check_qcs(q, R)
    assert out["passed"].mean() >= 2 / 3  # 7/9 overall passes
    assert not ok and any(r["subject"] == "level high" and not r["passed"] for r in rows)


def test_qc_not_quantifiable_fails_with_reason():
    out, _, _ = check_qcs(qcs([np.nan, 15, 60, 60, 250, 250]), R)
    assert not out.loc[0, "passed"] and "not quantifiable" in out.loc[0, "reason"]


def test_replicate_cv_rule():
    assert check_cv(19.9, R) == (True, "")
    ok, why = check_cv(27.3, R)
    assert not ok and why == "replicate CV 27.3% > 20%"
    assert check_cv(float("nan"), R)[0]  # single replicate: nothing to judge


def test_hook_effect_warning():
    lv = pd.DataFrame({"id": ["S7", "S8"], "nominal": [320, 640.0], "mean_response": [2.4, 2.1]})
    assert "hook effect" in hook_effect(lv, rising=True)
    lv["mean_response"] = [2.1, 2.4]
    assert hook_effect(lv, rising=True) == ""
    assert "hook effect" in hook_effect(lv, rising=False)


def test_describe_lists_rules():
    text = " ".join(QCRuleSet().describe())
    assert "±20%" in text and "±25%" in text and "CV at most 20%" in text


def test_plate_without_qcs_passes_the_qc_rule_with_a_note():
    empty = pd.DataFrame(columns=["id", "level", "nominal", "measured"])
    out, ok, rows = check_qcs(empty, R)
    assert ok and len(out) == 0 and "no QC samples" in rows[0]["reason"]
