"""Bad input to the two-sample functions: one clear ValueError naming the argument."""

import math

import pytest

from serostudy.exceptions import InputError
from serostudy.stats import hedges_g_from_stats, mannwhitney, smd_categorical, smd_continuous, ttest_from_stats


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((1.0, 1.0, 1, 2.0, 1.0, 5), {}, "`n1` must be at least 2"),
        ((1.0, -1.0, 5, 2.0, 1.0, 5), {}, "`sd1` must be >= 0"),
        ((1.0, 1.0, 5.5, 2.0, 1.0, 5), {}, "`n1` must be a whole number"),
        ((math.nan, 1.0, 5, 2.0, 1.0, 5), {}, "`mean1` must be a finite number"),
        ((1.0, 0.0, 5, 2.0, 0.0, 5), {}, "zero variance"),
        ((1.0, 1.0, 5, 2.0, 1.0, 5), {"alternative": "two.sided"}, "`alternative` must be one of"),
        ((1.0, 1.0, 5, 2.0, 1.0, 5), {"confidence_level": 95}, "strictly between 0 and 1"),
    ],
)
def test_ttest_bad_input(args, kwargs, match):
    with pytest.raises(InputError, match=match) as err:
        ttest_from_stats(*args, **kwargs)
    assert isinstance(err.value, ValueError)


def test_student_allows_a_group_of_one_like_r():
    res = ttest_from_stats(5.0, math.nan, 1, 2.0, 1.0, 5, equal_var=True)
    assert res.df == 4


def test_hedges_bad_input():
    with pytest.raises(InputError, match="pooled standard deviation is 0"):
        hedges_g_from_stats(1.0, 0.0, 5, 2.0, 0.0, 5)
    with pytest.raises(InputError, match="n1 \\+ n2 >= 4"):
        hedges_g_from_stats(1.0, 1.0, 1, 2.0, 1.0, 2)


def test_mannwhitney_bad_input():
    with pytest.raises(InputError, match="at least 1 non-missing value per group"):
        mannwhitney([math.nan], [1.0, 2.0])
    with pytest.raises(InputError, match="all observations are tied"):
        mannwhitney([1.0, 1.0], [1.0, 1.0])
    with pytest.raises(InputError, match="`method` must be one of"):
        mannwhitney([1.0, 2.0], [3.0], method="normal")
    with pytest.raises(InputError, match="use method='asymptotic'"):
        mannwhitney(range(200), [x + 0.5 for x in range(200)], method="exact")


def test_smd_bad_input():
    with pytest.raises(InputError, match="same number of levels"):
        smd_categorical([1, 2], [1, 2, 3])
    with pytest.raises(InputError, match="non-negative"):
        smd_categorical([1, -2], [1, 2])
    with pytest.raises(InputError, match="`sd2` must be >= 0"):
        smd_continuous(1, 1, 2, -1)
    assert math.isnan(smd_continuous(1, 0, 2, 0))
