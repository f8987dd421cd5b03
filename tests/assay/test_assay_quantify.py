"""Plate quantification: censoring on both sides, dilution, replicate CV, rejection reasons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from serostudy.assay import (
    CurveParameters,
    PlateReading,
    combine_samples,
    layout_from_dict,
    predict,
    quantify_plate,
    read_layout,
    read_plate,
    simulate_plates,
)
from serostudy.assay._plate import parse_well
from serostudy.exceptions import AssayError

FIX = Path(__file__).parent / "fixtures"
TRUE = CurveParameters(bottom=0.05, top=3.0, ec50=150.0, hill=1.1)
STD = [5, 10, 20, 40, 80, 160, 320, 640.0]


def make_layout(samples):
    d = {
        "plate": 96, "unit": "pmol/L", "name": "synthetic",
        "blank": {"wells": ["A1", "B1"]},
        "standard": [{"id": f"S{i + 1}", "concentration": c, "wells": [f"{r}{i + 2}" for r in "AB"]}
                     for i, c in enumerate(STD)],
        "qc": [{"id": f"QC-{lv}-{k}", "level": lv, "nominal": n, "wells": [f"{r}{c}" for r in "CD"]}
               for (lv, n, c0) in (("low", 15.0, 2), ("mid", 60.0, 4), ("high", 250.0, 6)) for k, c in ((1, c0), (2, c0 + 1))],
        "sample": samples,
    }
    return layout_from_dict(d, source="synthetic.toml")


def make_reading(layout, conc_in_well, *, noise=None, override=None):
    vals = np.full((8, 12), np.nan)
    flags = {}
    for w, role, c in zip(layout.wells["well"], layout.wells["role"], conc_in_well):
        r, k = parse_well(w)
        vals[r, k] = 0.05 if role == "blank" else float(predict(TRUE, c))
    if noise is not None:
        vals = vals * (1 + noise)
    for w, v in (override or {}).items():
        r, k = parse_well(w)
        vals[r, k] = v if not isinstance(v, str) else np.nan
        if isinstance(v, str):
            flags[w] = v
    df = pd.DataFrame(vals, index=list("ABCDEFGH"), columns=range(1, 13))
    return PlateReading(df, flags, "synthetic.csv", "grid")


def well_conc(layout, truth):
    out = []
    for role, i, c, dil in layout.wells[["role", "id", "concentration", "dilution"]].itertuples(index=False):
        out.append(truth[i] / dil if role == "sample" else (0.0 if role == "blank" else c))
    return out


SAMPLES = [
    {"id": "low", "wells": ["E1", "F1"]},
    {"id": "mid", "wells": ["E2", "F2"]},
    {"id": "mid_diluted", "wells": ["E3", "F3"], "dilution": 4},
    {"id": "high", "wells": ["E4", "F4"]},
    {"id": "high_diluted", "wells": ["E5", "F5"], "dilution": 10},
]
TRUTH = {"low": 2.0, "mid": 55.0, "mid_diluted": 55.0 * 4 / 4, "high": 2000.0, "high_diluted": 2000.0}


@pytest.fixture(scope="module")
def clean():
    lay = make_layout(SAMPLES)
    return quantify_plate(make_reading(lay, well_conc(lay, TRUTH)), lay)


def test_round_trip_of_in_range_samples(clean):
    s = clean.samples.set_index("id")
    assert clean.passed and clean.lloq == 5.0 and clean.uloq == 640.0
    assert_allclose(s.loc["mid", "concentration"], 55.0, rtol=1e-6)
    # dilution applied to value and interval: 55 in the sample, 13.75 in the well
    assert_allclose(s.loc["mid_diluted", "concentration"], 55.0, rtol=1e-6)
    assert_allclose(s.loc["high_diluted", "concentration"], 2000.0, rtol=1e-6)
    assert s.loc["high_diluted", "censored"] == ""


def test_censoring_below_lloq_and_above_uloq(clean):
    s = clean.samples.set_index("id")
    assert s.loc["low", "censored"] == "<LLOQ" and s.loc["low", "reported"] == "<5"
    assert np.isnan(s.loc["low", "concentration"])  # never extrapolated
    assert s.loc["high", "censored"] == ">ULOQ" and s.loc["high", "reported"] == ">640"
    assert np.isnan(s.loc["high", "concentration"])
    assert s.loc["low", "passed"] and s.loc["high", "passed"]


def test_limits_follow_the_accepted_standards():
    lay = make_layout(SAMPLES)
    conc = well_conc(lay, TRUTH)
    # S1 wells read as if at 9 pmol/L: S1 fails, is excluded, LLOQ moves up to 10
    over = {w: float(predict(TRUE, 9.0)) for w in ("A2", "B2")}
    res = quantify_plate(make_reading(lay, conc, override=over), lay)
    assert res.lloq == 10.0 and res.passed
    s1 = res.standards.set_index("id").loc["S1"]
    assert not s1["passed"] and "excluded, curve refitted" in s1["reason"]
    assert any("refitted" in n for n in res.fit_notes)


def test_dilution_moves_the_censoring_limit():
    lay = make_layout([{"id": "x", "wells": ["E1", "F1"], "dilution": 10}])
    res = quantify_plate(make_reading(lay, well_conc(lay, {"x": 20.0})), lay)
    s = res.samples.iloc[0]
    assert s["censored"] == "<LLOQ" and s["limit"] == 50.0 and s["reported"] == "<50"


def test_replicate_cv_rejects_a_sample_with_reason():
    lay = make_layout([{"id": "ok", "wells": ["E1", "F1"]}, {"id": "bad", "wells": ["E2", "F2"]}])
    over = {"E2": float(predict(TRUE, 40.0)), "F2": float(predict(TRUE, 70.0))}
    res = quantify_plate(make_reading(lay, well_conc(lay, {"ok": 50.0, "bad": 50.0}), override=over), lay)
    s = res.samples.set_index("id")
    assert s.loc["ok", "status"] == "ok"
    assert s.loc["bad", "status"] == "rejected" and s.loc["bad", "reason"].startswith("replicate CV")
    assert ((res.qc_table["rule"] == "replicate CV") & ~res.qc_table["passed"]).any()


def test_failing_standards_reject_the_plate_and_its_samples():
    lay = make_layout(SAMPLES)
    conc = well_conc(lay, TRUTH)
    over = {w: float(predict(TRUE, c)) for c, ws in ((13.0, "A3 B3"), (80.0, "A5 B5"), (400.0, "A8 B8")) for w in ws.split()}
    res = quantify_plate(make_reading(lay, conc, override=over), lay)
    assert not res.passed and any("standard levels" in r for r in res.reasons)
    assert (res.samples["status"] == "plate rejected").all() and not res.samples["passed"].any()


def test_failing_qcs_reject_the_plate():
    lay = make_layout(SAMPLES)
    conc = well_conc(lay, TRUTH)
    over = {w: float(predict(TRUE, 100.0)) for w in ("C4", "D4", "C5", "D5")}  # both mid QCs at 100, not 60
    res = quantify_plate(make_reading(lay, conc, override=over), lay)
    assert not res.passed and any("level mid" in r for r in res.reasons)


def test_overflow_wells_and_all_overflow_sample():
    lay = make_layout([{"id": "one_lost", "wells": ["E1", "F1"]}, {"id": "saturated", "wells": ["E2", "F2"]}])
    over = {"E1": "overflow (OVRFLW)", "E2": "overflow (OVRFLW)", "F2": "overflow (OVRFLW)"}
    res = quantify_plate(make_reading(lay, well_conc(lay, {"one_lost": 50.0, "saturated": 50.0}), override=over), lay)
    s = res.samples.set_index("id")
    assert s.loc["one_lost", "n_used"] == 1 and "E1: no numeric reading: overflow" in s.loc["one_lost", "reason"]
    assert_allclose(s.loc["one_lost", "concentration"], 50.0, rtol=1e-6)
    assert s.loc["saturated", "censored"] == ">ULOQ" and "overflowed" in s.loc["saturated", "reason"]
    w = res.wells.set_index("well")
    assert not w.loc["E1", "used"] and "overflow" in w.loc["E1", "reason"]


@pytest.mark.parametrize("blank", ["subtract", "zero-standard", "none"])
@pytest.mark.parametrize("weights", ["none", "1/y2"])
def test_fixture_plate_quantifies(blank, weights):
    res = quantify_plate(read_plate(FIX / "gen5.txt"), read_layout(FIX / "layout.toml"), blank=blank, weights=weights)
    assert res.passed, res.reasons
    s = res.samples.set_index("id")
    assert s.loc["S00", "censored"] == "<LLOQ"  # 3 pmol/L on the plate
    assert s.loc["S32", "n_used"] == 1  # H12 MISSED


def test_blank_subtraction_with_relative_weights_needs_positive_responses():
    lay = make_layout(SAMPLES)
    reading = make_reading(lay, well_conc(lay, TRUTH), override={"A1": 0.3, "B1": 0.3})  # blank above S1
    with pytest.raises(AssayError, match=r"plate 'synthetic' .*: weights '1/y2' need positive responses"):
        quantify_plate(reading, lay, blank="subtract", weights="1/y2")


def test_noisy_simulated_plates_recover_truth():
    rng = np.random.default_rng(1)
    truth = {f"P{i}": float(v) for i, v in enumerate(rng.uniform(8, 500, 60))}
    sim = simulate_plates(truth, seed=2)
    results = [quantify_plate(_reading_from_text(t, n), sim.layouts[n]) for n, t in sim.files.items()]
    s = combine_samples(results).merge(sim.truth, on="id")
    q = s[s["censored"] == ""]
    assert all(r.passed for r in results) and len(q) > 50
    assert np.median(np.abs(q["concentration"] / q["true_concentration"] - 1)) < 0.08


def _reading_from_text(text, name):
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"{name}.csv"
        p.write_text(text)
        return read_plate(p)


def test_simulation_is_deterministic():
    a = simulate_plates({"a": 10.0, "b": 50.0}, seed=3)
    b = simulate_plates({"a": 10.0, "b": 50.0}, seed=3)
    assert a.files == b.files


# ---- layout

def test_layout_round_trips_through_toml(tmp_path):
    lay = read_layout(FIX / "layout.toml")
    p = tmp_path / "l.toml"
    p.write_text(lay.to_toml())
    again = read_layout(p)
    pd.testing.assert_frame_equal(lay.wells, again.wells)


@pytest.mark.parametrize(("text", "msg"), [
    ('plate = 96\nunit = "pmol/L"\n[[standard]]\nid="S1"\nconcentration=1\nwells=["A1"]\n[[sample]]\nid="x"\nwells=["A1"]\n',
     "well A1 is assigned twice"),
    ('plate = 96\n[[standard]]\nid="S1"\nconcentration=1\nwells=["A1"]\n', "no unit"),
    ('plate = 96\nunit = "mg/dL"\n[[standard]]\nid="S1"\nconcentration=1\nwells=["A1"]\n', "unknown unit"),
    ('plate = 96\nunit = "pmol/L"\n[[standard]]\nid="S1"\nconcentration=1\nwells=["I1"]\n', "outside a 96-well plate"),
    ('plate = 48\nunit = "pmol/L"\n', "96 or 384"),
    ('plate = 96\nunit = "pmol/L"\nsamples = []\n', "unknown key"),
    ('plate = 96\nunit = "pmol/L"\n[[standard]]\nid="S1"\nconcentration="x"\nwells=["A1"]\n', "must be a number"),
    ('plate = 96\nunit = "pmol/L"\n[[standard]]\nid="S1"\nconcentration=1\nwells=["A1"]\n[[sample]]\nid="x"\nwells=["B1"]\ndilution=0\n', "> 0"),
    ('plate = 96\nunit = "pmol/L"\n[[sample]]\nid="x"\nwells=["B1"]\n', "no standards"),
    ("plate = [", "not valid TOML"),
])
def test_layout_errors(tmp_path, text, msg):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(AssayError, match=msg) as ei:
        read_layout(p)
    assert "bad.toml" in str(ei.value)


def test_well_ranges_in_layout():
    lay = layout_from_dict({"unit": "pmol/L", "standard": [{"id": "S", "concentration": 1, "wells": "A1:B2"}]})
    assert list(lay.wells["well"]) == ["A1", "A2", "B1", "B2"]


def test_plate_size_mismatch():
    lay = read_layout(FIX / "layout.toml")
    with pytest.raises(AssayError, match="plate size mismatch"):
        quantify_plate(read_plate(FIX / "grid_384.csv"), lay)


def test_fit_quality_every_standard_re_and_aic(clean):
    w = clean.wells[clean.wells["role"] == "standard"]
    assert w["re_percent"].notna().all() and w["re_percent"].abs().max() < 1e-4  # noise-free plate
    assert set(clean.aic) == {"4pl", "5pl"}
    assert clean.curve.residual_sd >= 0


def test_plate_with_too_few_standard_readings_is_rejected_with_reason():
    lay = make_layout(SAMPLES)
    lost = {f"{r}{c}": "missed (MISSED)" for r in "AB" for c in range(2, 8)}  # S1-S6 all missed
    res = quantify_plate(make_reading(lay, well_conc(lay, TRUTH), override=lost), lay)
    assert not res.passed and res.curve is None
    assert any("usable standard well" in r for r in res.reasons)
    assert (res.samples["status"] == "plate rejected").all()


def test_falling_competitive_plate_censors_on_both_sides():
    falling = CurveParameters(bottom=0.1, top=2.2, ec50=60.0, hill=-1.0)
    lay = make_layout(SAMPLES)
    vals = np.full((8, 12), np.nan)
    for w, role, c in zip(lay.wells["well"], lay.wells["role"], well_conc(lay, TRUTH)):
        r, k = parse_well(w)
        vals[r, k] = 2.3 if role == "blank" else float(predict(falling, c))
    reading = PlateReading(pd.DataFrame(vals, index=list("ABCDEFGH"), columns=range(1, 13)), {}, "f.csv", "grid")
    res = quantify_plate(reading, lay, blank="none")
    s = res.samples.set_index("id")
    assert res.passed and not res.curve.rising
    assert s.loc["low", "censored"] == "<LLOQ" and s.loc["high", "censored"] == ">ULOQ"
    assert_allclose(s.loc["mid", "concentration"], 55.0, rtol=1e-6)
