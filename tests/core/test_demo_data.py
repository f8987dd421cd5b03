"""The shipped demo cohort is what the documented generator makes, and looks like the paper."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from serostudy._demo import demo_dir
from serostudy._demo.generate import generate, to_csv_text


@pytest.fixture(scope="module")
def shipped():
    return pd.read_csv(demo_dir() / "participants.csv")


def test_regenerating_gives_the_shipped_file():
    cohort = generate()
    assert to_csv_text(cohort.data) == (demo_dir() / "participants.csv").read_text(encoding="utf-8")


def _r(x, d=1):
    return float(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP))


def test_sizes_and_sex_counts_as_published(shipped):
    assert shipped.groupby("group").size().to_dict() == {"nmosd": 35, "control": 53}
    sex = shipped.groupby(["group", "sex"]).size().to_dict()
    assert sex == {("nmosd", "male"): 12, ("nmosd", "female"): 23, ("control", "male"): 20, ("control", "female"): 33}


@pytest.mark.parametrize("group,var,mean,sd", [
    ("nmosd", "age", 42.1, 12.1), ("control", "age", 46.1, 16.2),
    ("nmosd", "b12_pmol_l", 55.4, 29.7), ("control", "b12_pmol_l", 59.3, 37.2),
    ("nmosd", "disease_duration", 5.3, 4.1),
])
def test_means_and_sds_round_to_the_printed_values(shipped, group, var, mean, sd):
    x = shipped.loc[shipped.group == group, var].dropna()
    assert (_r(x.mean()), _r(x.std())) == (mean, sd)


def test_bmi_to_two_decimals(shipped):
    x = shipped.loc[shipped.group == "nmosd", "bmi"]
    assert (_r(x.mean(), 2), _r(x.std(), 2), x.min(), x.max()) == (25.34, 4.12, 18.75, 34.69)


def test_b12_categories_as_printed(shipped):
    for g, counts in {"nmosd": (1, 32, 1), "control": (2, 45, 2)}.items():
        x = shipped.loc[shipped.group == g, "b12_pmol_l"].dropna()
        assert ((x < 21).sum(), ((x >= 21) & (x <= 123)).sum(), (x > 123).sum()) == counts


def test_b12_arr_correlation_near_the_printed_r(shipped):
    p = shipped[shipped.group == "nmosd"].dropna(subset=["b12_pmol_l"])
    r = p.b12_pmol_l.corr(p.relapses / p.follow_up_years)
    assert abs(r - (-0.284)) <= 0.03
