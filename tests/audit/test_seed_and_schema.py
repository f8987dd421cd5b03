"""The seed paper's audit, and the YAML format's reading and error messages."""

from __future__ import annotations

import json

import pytest

from serostudy.audit import audit, load_seed, load_summary, seed_summary_path
from serostudy.exceptions import AuditInputError


@pytest.fixture(scope="module")
def seed_report():
    return audit(seed_summary_path())


def by_item(rep, item, check=None):
    out = [f for f in rep.findings if f.item == item and (check is None or f.check == check)]
    assert out, item
    return out[0]


@pytest.mark.parametrize(
    "item, check, verdict",
    [
        ("variables.age_years.test.p", None, "consistent"),  # 42.1 +- 12.1 vs 46.1 +- 16.2, p = 0.22
        ("variables.sex.test.p", None, "consistent"),  # chi2 p = 0.742
        ("variables.b12_pmol_l.test.p", None, "inconsistent"),  # abstract's 0.99 vs about 0.59
        ("variables.b12_category.test.p", None, "inconsistent"),  # chi2 0.925, Fisher 1.00
        ("variables.b12_category.counts.nmosd", "count_total", "inconsistent"),  # 34 of 35
        ("variables.b12_category.counts.control", "count_total", "inconsistent"),  # 49 of 53
        ("variables.b12_category.counts.nmosd.normal.pct", None, "inconsistent"),  # 94.2% is not k/35 or k/34
        ("variables.b12_category.counts.control.normal.pct", None, "consistent_under_variant"),  # 45/49
        ("correlations[2]", None, "gross"),  # ARR r = -0.284, n = 35: p = 0.098, printed 0.04
        ("correlations[1]", None, "consistent_under_variant"),  # EDSS: 0.08 is one-sided
        ("correlations[0]", None, "inconsistent"),  # duration: 0.12 vs 0.19
        ("correlations[4]", None, "consistent"),  # controls' age r = 0.1 (one decimal), p = 0.51
        ("subgroups[0]", "subgroup_sd", "inconsistent"),  # SDs about 24 cannot pool to 29.7
        ("subgroups[1]", "subgroup_mean", "inconsistent"),
        ("identities[0]", None, "inconsistent"),  # 34.9 + 5.3 != 42.1
        ("variables.age_years_table2.summaries.nmosd.mean", "identity", "inconsistent"),  # 43.1 vs 42.1
        ("variables.arr.summaries.nmosd.sd", "sd_range", "consistent"),
    ],
)
def test_seed_paper_verdicts(seed_report, item, check, verdict):
    f = by_item(seed_report, item, check)
    assert f.verdict == verdict, f.explanation


def test_seed_arr_needs_larger_n(seed_report):
    f = by_item(seed_report, "correlations[2]")
    lo, hi = f.details["n_needed"]["two-sided"]
    assert 45 < lo <= hi < 60  # the printed p would need n of about 51-55, not 35


def test_report_json_is_deterministic_and_strict(seed_report):
    a = audit(seed_summary_path()).to_json()
    assert a == seed_report.to_json()
    d = json.loads(a)
    assert d["counts"]["gross"] == 1 and sum(d["counts"].values()) == len(d["findings"])


def test_numbers_are_read_as_printed_strings():
    s = load_summary("groups: {a: {n: 10}}\nvariables:\n  x: {summaries: {a: {mean: 0.20, sd: 1.50}}}\n")
    m = s.variables["x"].summaries["a"].mean
    assert m.text == "0.20" and m.decimals == 2 and str(m.low) == "0.195"


def test_seed_transcription_matches_shared_yaml():
    # the project's independent transcription of the paper, copied into the repository
    # (tests/reference/audit/), so this comparison runs on every machine, never skipped
    from pathlib import Path

    import yaml

    shared = Path(__file__).resolve().parents[1] / "reference" / "audit" / "seed_published_summary.yaml"
    src = yaml.safe_load(shared.read_text(encoding="utf-8"))
    s = load_seed()
    for g in ("nmosd", "control"):
        for stat in ("mean", "sd", "min", "max"):
            assert getattr(s.variables["age_years"].summaries[g], stat).mid == pytest.approx(src["table1"]["age_years"][g][stat])
        assert s.variables["b12_pmol_l"].summaries[g].mean.mid == pytest.approx(src["b12_by_group"][g]["mean"])
    for c in s.correlations:
        key = {"age_years": "age_years"}.get(c.x, c.x)
        row = src["table2"][key]
        if c.x == "age_years":
            row = row[c.group]
        assert c.r.mid == pytest.approx(row["r"]) and c.p.mid == pytest.approx(row["p"])


@pytest.mark.parametrize(
    "text, line, key, words",
    [
        ("groups: {a: {n: 8}}\nvariables:\n  x:\n    summaries: {a: {mean: abc}}\n", 4, "variables.x.summaries.a.mean", "printed number"),
        ("groups: {a: {n: 8}}\nvariables:\n  x:\n    summaries: {b: {mean: 1.2}}\n", None, None, "unknown group 'b'"),
        ("groups: {a: {n: 8}}\ncorrelations:\n  - {x: u, y: v, group: a, r: 1.4, p: 0.2}\n", 3, "correlations.0.r", "between -1 and 1"),
        ("groups: {a: {n: 8}}\nvariables:\n  s: {type: categorical, counts: {a: {m: {n: 3}}}}\n", 3, "variables.s", "needs `levels`"),
        ("groups: {a: {n: eight}}\n", 1, "groups.a.n", "integer"),
        ("groups: [a\n", None, None, "not valid YAML"),
    ],
)
def test_errors_name_file_line_and_key(text, line, key, words):
    with pytest.raises(AuditInputError) as ei:
        load_summary(text, name="paper.yaml")
    e = ei.value
    assert isinstance(e, ValueError)
    assert words in str(e) and "paper.yaml" in str(e)
    if line is not None:
        assert e.row == line
    if key is not None:
        assert e.column == key


def test_identity_with_unknown_reference_is_an_input_error():
    with pytest.raises(AuditInputError, match="unknown variable 'nope'"):
        load_summary("groups: {a: {n: 8}}\nvariables:\n  x: {summaries: {a: {mean: 1.0}}}\n"
                     "identities:\n  - {lhs: x.a.mean, rhs: nope.a.mean + 1}\n")
