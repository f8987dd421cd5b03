"""The reference file records where it came from, and the CSVs hold the same data."""

import numpy as np
import pandas as pd
from _stats_ref import REF_DIR, pair, reference, vec


def test_reference_records_r_and_package_versions():
    ref = reference()
    assert ref["r_version"].startswith("R version")
    assert {"effectsize", "stats"} <= set(ref["packages"])
    # effectsize's own defaults, checked in the installed version (0.8.3: adjust=TRUE,
    # alternative="greater"); serostudy.stats.cramers_v defaults differ on purpose
    assert ref["effectsize_defaults"] == {"cramers_v_adjust": True, "cramers_v_alternative": "greater"}


def test_simulated_csvs_match_reference_vectors():
    x, y = pair("sim_ab")
    np.testing.assert_array_equal(pd.read_csv(REF_DIR / "data" / "sim_a.csv")["value"].to_numpy(), x)
    np.testing.assert_array_equal(pd.read_csv(REF_DIR / "data" / "sim_b.csv")["value"].to_numpy(), y)
    cx = vec(reference()["cor_vectors"]["b12_arr_sim"]["x"])
    np.testing.assert_array_equal(pd.read_csv(REF_DIR / "data" / "cor_x.csv")["value"].to_numpy(), cx)
