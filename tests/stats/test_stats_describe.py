import math

import pytest
from _stats_ref import cases, vec
from numpy.testing import assert_allclose

from serostudy.exceptions import InputError
from serostudy.stats import summarize_continuous


@pytest.mark.parametrize("ref", cases("describe"), ids=lambda c: c["case"])
def test_summary_matches_r(ref):
    s = summarize_continuous(vec(ref["x"]))
    assert (s.n, s.missing) == (ref["n"], ref["missing"])
    for key in ("mean", "sd", "q1", "median", "q3", "min", "max"):
        assert_allclose(getattr(s, key), ref[key], rtol=1e-12, err_msg=key)


def test_all_missing_gives_nan_summary_not_error():
    s = summarize_continuous([math.nan, math.nan])
    assert s.n == 0 and s.missing == 2 and math.isnan(s.mean)


def test_single_value_has_nan_sd():
    s = summarize_continuous([3.0])
    assert s.n == 1 and s.mean == 3.0 and math.isnan(s.sd)


@pytest.mark.parametrize("bad", [[1.0, math.inf], [[1.0, 2.0]], ["a", "b"]])
def test_bad_input_raises_value_error(bad):
    with pytest.raises(InputError) as err:
        summarize_continuous(bad)
    assert isinstance(err.value, ValueError)
    assert "`x`" in str(err.value)
