"""ARR and its exact Poisson CI against R (tests/reference/clinical/arr_reference.R)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from serostudy.clinical import annualized_relapse_rate, merge_attacks, poisson_rate_ci
from serostudy.exceptions import DataError, InputError

REF = Path(__file__).parent.parent / "reference" / "clinical"

_ALT = {"two.sided": "two-sided", "less": "less", "greater": "greater"}


def _grid():
    df = pd.read_csv(REF / "arr_poisson_ci.csv")
    assert df["r_version"].str.startswith("R version").all()
    return df.to_dict("records")


@pytest.mark.parametrize("row", _grid(), ids=lambda r: f"x{r['x']}-T{r['T']}-{r['conf']}-{r['alternative']}")
def test_poisson_ci_matches_r_poisson_test(row):
    ci = poisson_rate_ci(int(row["x"]), float(row["T"]), confidence_level=row["conf"],
                         alternative=_ALT[row["alternative"]])
    # R writes 15 significant digits to the CSV.
    assert_allclose([ci.low, ci.high], [row["low"], row["high"]], rtol=1e-12, atol=1e-14)
    # and the chi-square formula (the same interval written out in R)
    assert_allclose([ci.low, ci.high], [row["chisq_low"], row["chisq_high"]], rtol=1e-12, atol=1e-14)


def _cohort_cases():
    ref = json.loads((REF / "arr_cohort.json").read_text())
    assert ref["r_version"].startswith("R version")
    return ref["cases"]


@pytest.mark.parametrize("case", _cohort_cases(),
                         ids=lambda c: f"win{c['merge_window_days']}-onset{c['count_onset_attack']}")
def test_cohort_arr_matches_r(case):
    pat = pd.read_csv(REF / "arr_patients.csv")
    ev = pd.read_csv(REF / "arr_events.csv")
    r = annualized_relapse_rate(
        ev, pat, id_column="id", event_date_column="attack_date", onset_column="onset_date",
        end_column="sampling_date", birth_column="birth_date",
        merge_window_days=int(case["merge_window_days"]), count_onset_attack=case["count_onset_attack"],
        min_follow_up_years=1.0,
    )
    assert r.total_attacks == case["total_attacks"]
    assert_allclose(r.person_years, case["person_years"], rtol=1e-13)
    assert_allclose(r.arr.estimate, case["arr"], rtol=1e-13)
    # R's poisson.test interval is the exact one; r.arr.ci is the automatic choice
    # (quasi-Poisson when the counts are overdispersed: tests/models/test_rate.py)
    ex = r.arr_exact_poisson.ci
    assert_allclose([ex.low, ex.high], [case["ci_low"], case["ci_high"]], rtol=1e-12)
    assert r.arr.ci == r.intervals.ci
    assert r.per_patient_n == case["per_patient_n"]
    for k in ("mean", "sd", "median", "q1", "q3"):
        assert_allclose(getattr(r, f"per_patient_{k}"), case[f"per_patient_{k}"], rtol=1e-12, err_msg=k)
    got = {p.participant: p.attacks_counted for p in r.patients}
    assert got == {k: int(v) for k, v in case["per_patient_attacks"].items()}
    arr = {p.participant: p.arr for p in r.patients}
    for k, v in case["per_patient_arr"].items():
        assert_allclose(arr[k], float(v), rtol=1e-13, err_msg=k)


def test_every_patient_kept_and_reported():
    pat = pd.read_csv(REF / "arr_patients.csv")
    ev = pd.read_csv(REF / "arr_events.csv")
    r = annualized_relapse_rate(ev, pat, event_date_column="attack_date")
    assert [p.participant for p in r.patients] == list(pat["id"])
    p04 = next(p for p in r.patients if p.participant == "P04")
    assert p04.events_after_window == 1 and "after the end date" in p04.note
    p05 = next(p for p in r.patients if p.participant == "P05")
    assert not p05.in_per_patient_summary and "per-patient summary" in p05.note
    assert "onset attack was not counted" in r.describe()
    assert len(r.to_frame()) == len(pat)


def test_merge_window_boundary():
    d0 = dt.date(2020, 1, 1)
    assert len(merge_attacks([d0, d0 + dt.timedelta(days=30)])) == 1
    assert len(merge_attacks([d0, d0 + dt.timedelta(days=31)])) == 2
    chain = [d0 + dt.timedelta(days=20 * k) for k in range(4)]  # 0, 20, 40, 60
    assert [len(a) for a in merge_attacks(chain)] == [2, 2]
    assert [len(a) for a in merge_attacks(chain, reference="previous")] == [4]


def test_onset_attack_counted_when_missing_from_events():
    pat = pd.DataFrame({"id": ["A"], "onset_date": ["2010-01-01"], "sampling_date": ["2020-01-01"]})
    ev = pd.DataFrame({"id": ["A"], "onset_date": ["2015-01-01"]})
    r = annualized_relapse_rate(ev, pat, count_onset_attack=True)
    assert r.patients[0].attacks_counted == 2
    assert "onset attack not in the events table" in r.patients[0].note
    r = annualized_relapse_rate(ev, pat, count_onset_attack=False)
    assert r.patients[0].attacks_counted == 1


def test_partial_onset_date_same_year_is_onset_attack():
    pat = pd.DataFrame({"id": ["A"], "onset_date": ["2010"], "sampling_date": ["2020-03-01"]})
    ev = pd.DataFrame({"id": ["A", "A"], "onset_date": ["2010-03-01", "2012-01-01"]})
    r = annualized_relapse_rate(ev, pat)
    p = r.patients[0]
    assert p.onset_attack_in_events and p.attacks_counted == 1
    assert p.window_start == dt.date(2010, 3, 1)  # exact attack date beats an imputed onset


# ---------------------------------------------------------------- bad input: one clear error


def test_events_table_naming_unknown_participant():
    pat = pd.DataFrame({"id": ["A"], "onset_date": ["2010-01-01"], "sampling_date": ["2020-01-01"]})
    ev = pd.DataFrame({"id": ["A", "ZZ9"], "onset_date": ["2011-01-01", "2012-01-01"]})
    with pytest.raises(DataError) as e:
        annualized_relapse_rate(ev, pat, events_file="attacks.csv")
    msg = str(e.value)
    assert isinstance(e.value, ValueError)
    assert "'ZZ9'" in msg and "attacks.csv" in msg and "row 3" in msg and "not in the participant table" in msg


def test_event_of_a_control_is_named_as_such():
    pat = pd.DataFrame({"id": ["A"], "onset_date": ["2010-01-01"], "sampling_date": ["2020-01-01"]})
    ev = pd.DataFrame({"id": ["C1"], "onset_date": ["2011-01-01"]})
    with pytest.raises(DataError, match="not among the patients"):
        annualized_relapse_rate(ev, pat, all_ids=["A", "C1"])


def test_attack_before_birth():
    pat = pd.DataFrame({"id": ["A"], "dob": ["1990-05-01"], "onset_date": [None], "sampling_date": ["2020-01-01"]})
    ev = pd.DataFrame({"id": ["A"], "onset_date": ["1989-12-31"]})
    with pytest.raises(DataError) as e:
        annualized_relapse_rate(ev, pat, birth_column="dob", onset_column=None)
    assert "participant 'A'" in str(e.value) and "before birth" in str(e.value) and "row 2" in str(e.value)


def test_attack_before_onset():
    pat = pd.DataFrame({"id": ["A"], "onset_date": ["2010-01-01"], "sampling_date": ["2020-01-01"]})
    ev = pd.DataFrame({"id": ["A"], "onset_date": ["2009-06-01"]})
    with pytest.raises(DataError, match="before disease onset"):
        annualized_relapse_rate(ev, pat)


def test_bad_date_and_options():
    pat = pd.DataFrame({"id": ["A"], "onset_date": ["2010-01-01"], "sampling_date": ["2020-01-01"]})
    ev = pd.DataFrame({"id": ["A"], "onset_date": ["31/02/2011"]})
    with pytest.raises(DataError, match="not a date"):
        annualized_relapse_rate(ev, pat)
    with pytest.raises(InputError, match="merge_reference"):
        annualized_relapse_rate(ev.iloc[:0], pat, merge_reference="last")
    with pytest.raises(InputError, match="count"):
        poisson_rate_ci(-1, 3.0)
    with pytest.raises(InputError, match="exposure"):
        poisson_rate_ci(1, 0.0)


def test_window_zero_still_recognises_the_onset_attack():
    """Regression: with merge_window_days=0 an attack on the onset date was not taken as
    the onset attack, so count_onset_attack=True counted it twice."""
    pat = pd.DataFrame({"id": ["A"], "onset_date": ["2010-01-01"], "sampling_date": ["2020-01-01"]})
    ev = pd.DataFrame({"id": ["A"], "onset_date": ["2010-01-01"]})
    r = annualized_relapse_rate(ev, pat, merge_window_days=0, count_onset_attack=True)
    assert r.patients[0].onset_attack_in_events and r.patients[0].attacks_counted == 1


def test_cohort_arr_interval_allows_for_overdispersion():
    # Issue 11 finding 4: the cohort ARR printed an exact Poisson interval whatever the
    # spread of attacks between patients. The reference cohort is overdispersed.
    pat = pd.read_csv(REF / "arr_patients.csv")
    ev = pd.read_csv(REF / "arr_events.csv")
    r = annualized_relapse_rate(ev, pat, event_date_column="attack_date")
    assert r.intervals.dispersion > 1.5
    assert r.arr.ci == r.intervals.quasi_poisson
    assert "quasi-Poisson" in r.arr.method and "quasi-Poisson" in r.describe()
    assert r.arr_exact_poisson.ci.high - r.arr_exact_poisson.ci.low < r.arr.ci.high - r.arr.ci.low
