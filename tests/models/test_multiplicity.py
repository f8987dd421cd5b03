"""p_adjust against R p.adjust (R 4.2.2), with ties and NA."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from serostudy.exceptions import InputError
from serostudy.models import p_adjust


@pytest.mark.parametrize("vector", ["table2", "ties_and_small", "with_na"])
@pytest.mark.parametrize("method", ["BH", "BY", "holm", "hochberg", "bonferroni"])
def test_matches_p_adjust(ref, vector, method):
    r = ref["p_adjust"][vector]
    p = [np.nan if v is None else v for v in r["p"]]
    expected = np.array([np.nan if v is None else v for v in r[method]])
    got = p_adjust(p, method=method)
    assert_allclose(got, expected, rtol=1e-12, atol=0, equal_nan=True)


def test_nan_does_not_count_in_the_family():
    assert_allclose(p_adjust([0.01, np.nan], method="bonferroni"), [0.01, np.nan])


def test_bad_p_and_method():
    with pytest.raises(InputError, match=r"\[0, 1\].*1.2"):
        p_adjust([0.1, 1.2])
    with pytest.raises(InputError, match="`method` must be one of"):
        p_adjust([0.1], method="fdr")  # type: ignore[arg-type]
