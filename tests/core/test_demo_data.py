"""The shipped demo study is what the documented generators make, and its cohort looks
like the paper."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from serostudy._demo import demo_dir
from serostudy._demo.build import build_demo
from serostudy._demo.generate import generate


@pytest.fixture(scope="module")
def cohort():
    return generate()


def test_rebuilding_gives_the_shipped_files_byte_for_byte(cohort, tmp_path):
    build_demo(tmp_path, cohort=cohort)
    shipped = sorted(p.relative_to(demo_dir()) for p in demo_dir().rglob("*") if p.is_file())
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert shipped == built
    for rel in shipped:
        assert (tmp_path / rel).read_bytes() == (demo_dir() / rel).read_bytes(), rel


def _r(x, d=1):
    return float(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP))


def test_sizes_and_sex_counts_as_published(cohort):
    d = cohort.data
    assert d.groupby("group").size().to_dict() == {"nmosd": 35, "control": 53}
    sex = d.groupby(["group", "sex"]).size().to_dict()
    assert sex == {("nmosd", "male"): 12, ("nmosd", "female"): 23, ("control", "male"): 20, ("control", "female"): 33}


@pytest.mark.parametrize("group,var,mean,sd", [
    ("nmosd", "age", 42.1, 12.1), ("control", "age", 46.1, 16.2),
    ("nmosd", "b12_pmol_l", 55.4, 29.7), ("control", "b12_pmol_l", 59.3, 37.2),
    ("nmosd", "disease_duration", 5.3, 4.1),
])
def test_means_and_sds_round_to_the_printed_values(cohort, group, var, mean, sd):
    d = cohort.data
    x = d.loc[d.group == group, var].dropna()
    assert (_r(x.mean()), _r(x.std())) == (mean, sd)


def test_bmi_to_two_decimals(cohort):
    d = cohort.data
    x = d.loc[d.group == "nmosd", "bmi"]
    assert (_r(x.mean(), 2), _r(x.std(), 2), x.min(), x.max()) == (25.34, 4.12, 18.75, 34.69)


def test_b12_categories_as_printed(cohort):
    d = cohort.data
    for g, counts in {"nmosd": (1, 32, 1), "control": (2, 45, 2)}.items():
        x = d.loc[d.group == g, "b12_pmol_l"].dropna()
        assert ((x < 21).sum(), ((x >= 21) & (x <= 123)).sum(), (x > 123).sum()) == counts


def test_b12_arr_correlation_near_the_printed_r(cohort):
    d = cohort.data
    p = d[d.group == "nmosd"].dropna(subset=["b12_pmol_l"])
    r = p.b12_pmol_l.corr(p.relapses / p.follow_up_years)
    assert abs(r - (-0.284)) <= 0.03


def test_edss_uses_only_steps_of_the_scale(cohort):
    e = cohort.data.edss.dropna()
    assert not (e == 0.5).any() and ((e * 2) % 1 == 0).all()
