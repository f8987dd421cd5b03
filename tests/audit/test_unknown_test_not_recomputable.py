"""A test the audit does not know is "not recomputable", never recomputed as something
else (issue 10, finding 7: a Kolmogorov-Smirnov p was checked as a t-test and the paper
called "gross")."""

from __future__ import annotations

import pytest

from serostudy.audit import audit

DOC = """\
groups:
  a: {n: 30}
  b: {n: 30}
  c: {n: 30}
variables:
  x:
    summaries:
      a: {mean: 10.0, sd: 2.0}
      b: {mean: 20.0, sd: 2.0}
    test: {test: "%s", p: 0.99}
  z:
    summaries:
      a: {mean: 10.0, sd: 2.0}
      b: {mean: 20.0, sd: 2.0}
      c: {mean: 30.0, sd: 2.0}
    test: {test: "%s", p: 0.99}
  s:
    type: categorical
    levels: [yes, no]
    counts:
      a: {yes: {n: 1}, no: {n: 29}}
      b: {yes: {n: 29}, no: {n: 1}}
    test: {test: "%s", p: 0.99}
"""


def _verdicts(t2: str, tk: str, tc: str) -> dict[str, tuple[str, str]]:
    rep = audit(DOC % (t2, tk, tc))
    return {f.item: (f.verdict, f.explanation) for f in rep.findings if f.item.endswith(".test.p")}


@pytest.mark.parametrize("name", ["Kolmogorov-Smirnov", "paired t-test", "permutation test", "log-rank"])
def test_unknown_two_group_test_is_not_recomputable(name):
    v = _verdicts(name, "ANOVA", "chi-square")
    verdict, why = v["variables.x.test.p"]
    assert verdict == "not_checkable" and "not recomputable" in why and name in why


@pytest.mark.parametrize("name", ["Jonckheere-Terpstra", "Welch's heteroscedastic F"])
def test_unknown_k_group_test_is_not_recomputable(name):
    verdict, why = _verdicts("t-test", name, "chi-square")["variables.z.test.p"]
    assert verdict == "not_checkable" and "not recomputable" in why


@pytest.mark.parametrize("name", ["McNemar", "Cochran-Armitage trend"])
def test_unknown_contingency_test_is_not_recomputable(name):
    verdict, why = _verdicts("t-test", "ANOVA", name)["variables.s.test.p"]
    assert verdict == "not_checkable" and "not recomputable" in why


@pytest.mark.parametrize("t2, tk, tc", [("independent t-test", "one-way ANOVA", "chi-square"),
                                        ("Welch t test", "F-test", "Fisher's exact test"),
                                        ("", "", "")])
def test_known_or_unnamed_tests_are_still_checked(t2, tk, tc):
    v = _verdicts(t2, tk, tc)
    assert v["variables.x.test.p"][0] == "gross"
    assert v["variables.z.test.p"][0] == "gross"
    assert v["variables.s.test.p"][0] in ("gross", "inconsistent")
