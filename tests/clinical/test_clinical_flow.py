"""Eligibility rules, the participant flow (counts always add up) and the flow figure."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serostudy._stage import Exclusion
from serostudy.clinical import Condition, Flow, FlowStep, Rule, apply_eligibility, evaluate, flow_figure, flow_text
from serostudy.clinical._config import EligibilityConfig
from serostudy.exceptions import ConfigError, DataError


def _df():
    return pd.DataFrame({
        "id": ["P1", "P2", "P3", "P4", "C1", "C2", "C3"],
        "group": ["nmosd"] * 4 + ["control"] * 3,
        "consent": ["yes", "yes", "no", "yes", "yes", "yes", "yes"],
        "b12_months_ago": [None, 2, 1, 12, 2.5, None, 6],
        "other_neuro": [False, False, False, True, False, True, False],
        "ipnd_met": [True, True, True, False, None, None, None],
    })


RULES = [
    Rule(id="ipnd", kind="inclusion", label="NMOSD by IPND 2015", groups=("nmosd",),
         when=Condition.from_mapping({"column": "ipnd_met", "is": True})),
    Rule(id="consent", kind="inclusion", label="Written informed consent",
         when=Condition.from_mapping({"column": "consent", "equals": "yes"})),
    Rule(id="neuro", kind="exclusion", label="Another neurological disorder",
         when=Condition.from_mapping({"column": "other_neuro", "is": True})),
    Rule(id="b12", kind="exclusion", label="B12 supplements in the last 3 months", missing="keep",
         when=Condition.from_mapping({"column": "b12_months_ago", "lte": 3})),
]


def test_rules_in_order_first_failure_counts():
    res = apply_eligibility(_df(), RULES, id_column="id", group_column="group", groups=["nmosd", "control"])
    st_ = res.status.set_index("participant")
    assert st_.loc["P3", "excluded_by"] == "consent" and st_.loc["P3", "also_failed"] == "b12"
    assert st_.loc["P4", "excluded_by"] == "ipnd" and st_.loc["P4", "also_failed"] == "neuro"
    assert st_.loc["P2", "excluded_by"] == "b12"
    assert st_.loc["C1", "excluded_by"] == "b12" and st_.loc["C2", "excluded_by"] == "neuro"
    assert st_.loc["P1", "eligible"] and st_.loc["C3", "eligible"]  # P1: missing b12 months, missing='keep'
    f = res.flow
    assert f.assessed == {"nmosd": 4, "control": 3} and f.analysed == {"nmosd": 1, "control": 1}
    assert [s.excluded for s in f.steps] == [{"nmosd": 1, "control": 0}, {"nmosd": 1, "control": 0},
                                             {"nmosd": 0, "control": 1}, {"nmosd": 1, "control": 1}]
    assert {e.participant for e in res.exclusions} == {"P2", "P3", "P4", "C1", "C2"}
    assert all(e.stage == "eligibility" and e.reason for e in res.exclusions)


def test_missing_value_excludes_by_default_and_says_so():
    rule = Rule(id="b12", kind="exclusion", label="B12 supplements",
                when=Condition.from_mapping({"column": "b12_months_ago", "lte": 3}))
    res = apply_eligibility(_df(), [rule], id_column="id", group_column="group")
    reasons = {e.participant: e.reason for e in res.exclusions}
    assert "not recorded" in reasons["P1"] and "not recorded" in reasons["C2"]


def test_earlier_exclusions_are_a_flow_step():
    pre = [Exclusion("C3", "control", "assay", "sample not assayed")]
    res = apply_eligibility(_df(), RULES, id_column="id", group_column="group", already_excluded=pre)
    assert res.flow.steps[0].id == "stage:assay" and res.flow.steps[0].excluded["control"] == 1
    assert res.flow.analysed["control"] == 0
    assert "C3" not in {e.participant for e in res.exclusions}  # not excluded twice


def test_compound_conditions_and_describe():
    c = Condition.from_mapping({"any": [{"column": "a", "gt": 3}, {"all": [{"column": "b", "in": ["x", "y"]},
                                                                            {"column": "c", "missing": False}]}]})
    assert evaluate(c, {"a": 1, "b": "x", "c": 2}) is True
    assert evaluate(c, {"a": 1, "b": "z", "c": 2}) is False
    assert evaluate(c, {"a": None, "b": "z", "c": 2}) is None
    assert c.columns() == {"a", "b", "c"}
    assert "a > 3" in c.describe()


@pytest.mark.parametrize("bad,match", [
    ({"column": "a"}, "exactly one operator"),
    ({"column": "a", "lte": "3"}, "needs a number"),
    ({"column": "a", "in": "x"}, "needs a list"),
    ({"any": []}, "non-empty list"),
    ({"column": "a", "like": "x"}, "exactly one operator"),
])
def test_bad_rule_syntax(bad, match):
    with pytest.raises(ConfigError, match=match):
        Condition.from_mapping(bad)


def test_config_rejects_bad_rules():
    with pytest.raises(ValueError, match="unique"):
        EligibilityConfig.model_validate({"rules": [
            {"id": "a", "type": "inclusion", "label": "x", "when": {"column": "c", "is": True}},
            {"id": "a", "type": "exclusion", "label": "y", "when": {"column": "c", "is": True}}]})
    with pytest.raises(ValueError, match="operator"):
        EligibilityConfig.model_validate({"rules": [
            {"id": "a", "type": "inclusion", "label": "x", "when": {"column": "c", "eq": 1}}]})


def test_rule_naming_unknown_column_and_bad_value():
    rule = Rule(id="x", kind="inclusion", label="x", when=Condition.from_mapping({"column": "nope", "is": True}))
    with pytest.raises(DataError, match="nope"):
        apply_eligibility(_df(), [rule], id_column="id", group_column="group")
    rule = Rule(id="x", kind="inclusion", label="x", when=Condition.from_mapping({"column": "consent", "gte": 1}))
    with pytest.raises(DataError, match="'P1'.*expected a number"):
        apply_eligibility(_df(), [rule], id_column="id", group_column="group")


def test_flow_check_catches_a_mismatch():
    f = Flow(("a",), {"a": 5}, (FlowStep("r", "rule", "exclusion", {"a": 2}),), {"a": 2})
    with pytest.raises(DataError, match="does not add up"):
        f.check()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["g1", "g2", "g3"]), st.integers(0, 10), st.sampled_from(["y", "n", None])),
                min_size=1, max_size=40))
def test_counts_always_add_up(rows):
    df = pd.DataFrame({"id": [f"i{k}" for k in range(len(rows))], "group": [r[0] for r in rows],
                       "x": [r[1] for r in rows], "flag": [r[2] for r in rows]})
    rules = [Rule(id="r1", kind="inclusion", label="x >= 3", when=Condition.from_mapping({"column": "x", "gte": 3})),
             Rule(id="r2", kind="exclusion", label="flag", groups=("g1", "g2"),
                  when=Condition.from_mapping({"column": "flag", "equals": "y"}), missing="keep"),
             Rule(id="r3", kind="exclusion", label="flag missing", when=Condition.from_mapping({"column": "flag", "missing": True}))]
    res = apply_eligibility(df, rules, id_column="id", group_column="group")
    res.flow.check()
    assert res.flow.total("assessed") == len(df)
    assert res.flow.total("analysed") + len(res.exclusions) == len(df)
    assert int(res.status["eligible"].sum()) == res.flow.total("analysed")


def test_with_step_and_figure(tmp_path):
    res = apply_eligibility(_df(), RULES, id_column="id", group_column="group", groups=["nmosd", "control"],
                            labels={"nmosd": "NMOSD", "control": "Healthy <controls>"})
    f = res.flow.with_step(FlowStep("matching", "Not selected by matching", "matching", {"control": 1}))
    assert f.analysed == {"nmosd": 1, "control": 0}
    with pytest.raises(DataError):
        res.flow.with_step(FlowStep("matching", "too many", "matching", {"control": 5}))
    fig = flow_figure(f, title="Flow")
    fig.savefig(tmp_path / "flow.svg")
    fig.savefig(tmp_path / "flow.png", dpi=80)
    svg = (tmp_path / "flow.svg").read_text()
    assert "Assessed for eligibility" in svg or "Assessed" in svg
    assert (tmp_path / "flow.png").stat().st_size > 1000
    text = flow_text(f)
    assert "Healthy <controls>: assessed 3" in text and "analysed 0" in text
    frame = f.to_frame()
    assert set(frame["box"]) >= {"assessed", "analysed", "matching"}
