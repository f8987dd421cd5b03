"""CLI `serostudy assay fit|quantify`, and units / reference ranges."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from serostudy.assay import classify, convert, range_set, range_set_names
from serostudy.cli import main
from serostudy.exceptions import AssayError

FIX = Path(__file__).parent / "fixtures"
REF = Path(__file__).parents[1] / "reference" / "assay"


@pytest.fixture()
def dnase_csv(tmp_path):
    d = pd.read_csv(REF / "curves_data.csv")
    p = tmp_path / "std.csv"
    d[d.curve == "DNase_run1"].rename(columns={"conc": "Conc", "response": "OD"}).to_csv(p, index=False)
    return p


def test_cli_fit_json_matches_r(dnase_csv, capsys):
    assert main(["assay", "fit", str(dnase_csv), "--conc", "Conc", "--response", "OD", "--model", "4pl",
                 "--weights", "1/y2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    ref = pd.read_csv(REF / "fits_reference.csv").query("curve == 'DNase_run1' and model == '4pl' and weights == '1/y2'").iloc[0]
    for k in ("bottom", "top", "ec50", "hill"):
        assert_allclose(out[k], ref[k], rtol=1e-5)
    assert_allclose(out["residual_sd"], ref["sigma"], rtol=1e-8)
    assert {"se_bottom", "se_ec50", "aic"} <= set(out)


def test_cli_fit_text(dnase_csv, capsys):
    assert main(["assay", "fit", str(dnase_csv), "--conc", "Conc", "--response", "OD", "--model", "5pl"]) == 0
    out = capsys.readouterr().out
    assert "asymmetry" in out and "residual SD" in out and "std. error" in out


def test_cli_fit_errors(dnase_csv, tmp_path, capsys):
    assert main(["assay", "fit", str(dnase_csv), "--conc", "dose", "--response", "OD"]) == 2
    assert "no column 'dose'" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("c,y\n1,0.1\n2,abc\n")
    assert main(["assay", "fit", str(bad), "--conc", "c", "--response", "y"]) == 2
    err = capsys.readouterr().err
    assert "row 3" in err and "'abc'" in err


def test_cli_quantify_writes_outputs(tmp_path, capsys):
    out = tmp_path / "q"
    rc = main(["assay", "quantify", str(FIX / "gen5.txt"), str(FIX / "softmax.txt"), "--layout",
               str(FIX / "layout.toml"), "--out", str(out), "--unit", "pg/mL"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "gen5.txt: accepted" in text and "softmax.txt: accepted" in text
    c = pd.read_csv(out / "concentrations.csv")
    assert set(c["unit"]) == {"pg/mL"} and len(c) == 33
    assert (c.loc[c["censored"] == "<LLOQ", "limit"].round(3) == round(5 / 0.7378, 3)).all()
    for f in ("qc.csv", "standards.csv", "wells.csv", "curve_gen5_txt.png", "curve_softmax_txt.svg"):
        assert (out / f).is_file(), f


def test_cli_quantify_layout_count_mismatch(tmp_path, capsys):
    rc = main(["assay", "quantify", str(FIX / "gen5.txt"), str(FIX / "mars.csv"), str(FIX / "softmax.txt"),
               "--layout", str(FIX / "layout.toml"), "--layout", str(FIX / "layout.toml"), "--out", str(tmp_path)])
    assert rc == 2 and "once per plate" in capsys.readouterr().err


def test_cli_quantify_broken_plate_is_a_clean_error(tmp_path, capsys):
    rc = main(["assay", "quantify", str(FIX / "broken" / "gen5_text_in_well.txt"), "--layout",
               str(FIX / "layout.toml"), "--out", str(tmp_path)])
    assert rc == 2 and "well C5: found 'abc'" in capsys.readouterr().err


# ---- units and ranges

def test_unit_conversion():
    assert_allclose(convert(100.0, "pg/mL", "pmol/L"), 73.78)
    assert_allclose(convert(73.78, "pmol/L", "ng/L"), 100.0)
    assert_allclose(convert(1.0, "nmol/L", "pmol/L"), 1000.0)


@pytest.mark.parametrize("unit", [None, "", "mg/dL"])
def test_value_without_or_with_unknown_unit_is_an_error(unit):
    with pytest.raises(AssayError, match="unit"):
        convert(10.0, unit, "pmol/L")
    with pytest.raises(AssayError):
        classify(10.0, unit, "study_2025")


def test_range_sets_have_sources():
    assert {"study_2025", "nice_2024_holotc", "total_b12_148_221"} <= set(range_set_names())
    for n in range_set_names():
        assert range_set(n).source


@pytest.mark.parametrize(("value", "unit", "rs", "cens", "expected"), [
    (20.9, "pmol/L", "study_2025", "", "low"),
    (21.0, "pmol/L", "study_2025", "", "normal"),
    (123.0, "pmol/L", "study_2025", "", "normal"),
    (123.1, "pmol/L", "study_2025", "", "high"),
    (24.9, "pmol/L", "nice_2024_holotc", "", "deficient"),
    (25.0, "pmol/L", "nice_2024_holotc", "", "indeterminate"),
    (70.0, "pmol/L", "nice_2024_holotc", "", "indeterminate"),
    (71.0, "pmol/L", "nice_2024_holotc", "", "adequate"),
    (147.0, "pmol/L", "total_b12_148_221", "", "deficient"),
    (200.0, "pg/mL", "total_b12_148_221", "", "deficient"),  # 147.6 pmol/L
    (299.0, "pg/mL", "total_b12_148_221", "", "low"),  # 220.6 pmol/L
    (300.0, "pg/mL", "total_b12_148_221", "", "adequate"),  # 221.3 pmol/L
    (5.0, "pmol/L", "study_2025", "<", "low"),
    (30.0, "pmol/L", "study_2025", "<", None),  # <30 could be low or normal
    (640.0, "pmol/L", "study_2025", ">", "high"),
])
def test_classify(value, unit, rs, cens, expected):
    assert classify(value, unit, rs, censored=cens) == expected


def test_only_values_that_passed_qc_are_classified():
    assert classify(55.0, "pmol/L", "study_2025", passed=False) is None
    assert classify(math.nan, "pmol/L", "study_2025") is None
