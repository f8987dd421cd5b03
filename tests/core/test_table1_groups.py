"""Table 1 on a chosen subset of groups, and the categorical test policy on the
`table1` command line (issue 9, defence 5).

Reference: tests/reference/table1/make_subset_reference.R (R 4.2.2): three arms, the
table of arms c and a in that order; `t.test`, `chisq.test(correct = FALSE)` and
`fisher.test` on that subset.  Tolerance rtol 1e-9 (closed forms; Fisher 1e-9).
"""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest
from numpy.testing import assert_allclose

import serostudy
from serostudy.cli import main
from serostudy.exceptions import InputError

REF = Path(__file__).resolve().parents[1] / "reference" / "table1"
DATA = REF / "subset.csv"


@pytest.fixture(scope="module")
def r() -> dict:
    return json.loads((REF / "subset_reference.json").read_text())


@pytest.fixture(scope="module")
def df():
    return serostudy.read_data_frame(str(DATA))


def rec(t, variable, statistic):
    return next(x for x in t.records if x.variable == variable and x.statistic == statistic)


def test_groups_subset_in_given_order_matches_R_on_the_subset(df, r):
    t = serostudy.table1(df, by="arm", groups=["c", "a"], include=["age", "sex", "stage"])
    head = list(t.to_frame().columns)
    assert head[1].startswith("c (n = 27)") and head[2].startswith("a (n = 24)")
    assert head[3].startswith("Overall (n = 51)")
    n = {x.group: x.estimate for x in t.records if x.variable == "(participants)"}
    assert n == {"c": r["n"]["c"], "a": r["n"]["a"], "overall": r["n"]["c"] + r["n"]["a"]}
    tt = rec(t, "age", "t")
    assert_allclose([tt.estimate, tt.df, tt.pvalue], [r["welch"]["statistic"], r["welch"]["df"], r["welch"]["p"]],
                    rtol=1e-9)
    md = rec(t, "age", "mean_difference")  # c - a: the first chosen group is group 1
    assert_allclose([md.estimate, md.ci_low, md.ci_high], [r["welch"]["estimate"], *r["welch"]["ci"]], rtol=1e-9)
    for var, key in (("sex", "sex_chisq"), ("stage", "stage_chisq")):
        c = next(x for x in t.records if x.variable == var and x.pvalue is not None)
        assert "chi" in (c.method or "").lower()
        assert_allclose([c.estimate, c.df, c.pvalue], [r[key]["statistic"], r[key]["df"], r[key]["p"]], rtol=1e-9)


def test_rows_outside_the_chosen_groups_are_reported_never_silent(df, r):
    t = serostudy.table1(df, by="arm", groups=["c", "a"], include=["age"])
    said = [c for c in t.choices if "not among the chosen groups" in c]
    assert said == [f"{r['n_excluded']} row(s) of group(s) 'b' ({r['n_excluded']}) left out: "
                    "not among the chosen groups ['c', 'a']"]
    assert any("Groups shown: c, a" in f and "18 participant(s)" in f for f in t.footnotes)


def test_groups_with_student_and_fisher_policies(df, r):
    t = serostudy.table1(df, by="arm", groups=["c", "a"], include=["age", "stage"], test="student",
                         categorical_test="fisher")
    tt = rec(t, "age", "t")
    assert_allclose([tt.estimate, tt.df, tt.pvalue],
                    [r["student"]["statistic"], r["student"]["df"], r["student"]["p"]], rtol=1e-9)
    f = next(x for x in t.records if x.variable == "stage" and x.pvalue is not None)
    assert "Fisher" in f.method
    assert_allclose(f.pvalue, r["stage_fisher"]["p"], rtol=1e-9)


def test_cli_groups_and_categorical_test(capsys, r):
    rc = main(["table1", str(DATA), "--by", "arm", "--groups", "c,a", "--include", "age,stage",
               "--categorical-test", "fisher", "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    doc = json.loads(out.out)
    p = next(x["pvalue"] for x in doc["records"] if x["variable"] == "stage" and x["pvalue"] is not None)
    assert_allclose(p, r["stage_fisher"]["p"], rtol=1e-9)
    t = next(x for x in doc["records"] if x["variable"] == "age" and x["statistic"] == "t")
    assert_allclose(t["pvalue"], r["welch"]["p"], rtol=1e-9)
    assert any("not among the chosen groups" in c for c in doc["choices"])


def test_cli_categorical_test_vocabulary_is_the_configs():
    from serostudy._io.config import TestPolicy
    from serostudy._typing import CategoricalTest
    from serostudy.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command" or a.__class__.__name__ == "_SubParsersAction")
    t1 = sub.choices["table1"]
    action = next(a for a in t1._actions if a.dest == "categorical_test")
    allowed = typing.get_args(TestPolicy.model_fields["categorical"].annotation)
    assert tuple(action.choices) == allowed == typing.get_args(CategoricalTest)


@pytest.mark.parametrize("groups, match", [
    (["c", "z"], r"`groups` names 'z', which is not a group of column 'arm'; groups are \['a', 'b', 'c'\]"),
    (["c"], r"`groups` must name at least 2 groups"),
    (["c", "c"], r"`groups` names 'c' twice"),
])
def test_bad_groups_are_errors_naming_the_file(df, groups, match):
    with pytest.raises(InputError, match=match) as exc:
        serostudy.table1(df, by="arm", groups=groups, include=["age"])
    assert exc.value.file == str(DATA) and exc.value.column == "arm"


def test_cli_bad_groups_exit_2_naming_the_file(capsys):
    rc = main(["table1", str(DATA), "--by", "arm", "--groups", "c,x"])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith(f"serostudy: error: {DATA}, column 'arm': ") and "'x'" in err
