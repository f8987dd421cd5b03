"""The assay stage inside a study run: plates -> concentrations -> tables and report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from serostudy.assay._simulate import demo_plates

DEMO = Path(__file__).parents[2] / "src" / "serostudy" / "data" / "demo"


@pytest.fixture(scope="module")
def study(tmp_path_factory, core_study):
    """A study whose B12 comes only from plates simulated from known concentrations
    (the demo's analysed participants are the truth; their B12 column is removed)."""
    d = tmp_path_factory.mktemp("study")
    parts = pd.read_csv(core_study / "participants.csv")
    parts.drop(columns=["b12_pmol_l"]).to_csv(d / "participants.csv", index=False)
    cfg = yaml.safe_load((core_study / "study.yaml").read_text())
    cfg["codebook"]["b12_pmol_l"]["derived_by"] = "assay"
    cfg["assay"] = demo_plates(parts, d / "plates", seed=7)
    (d / "study.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return d, parts


def test_study_run_with_plates(study, tmp_path):
    from serostudy._pipeline import run_study

    d, parts = study
    run = run_study(d / "study.yaml", out_dir=tmp_path / "out")
    sec = {s.id: s for s in run.sections}["assay"]
    assert "QC" in sec.html and "Censored values" in sec.html
    assert len(sec.figures) == 3 and all(f.name.startswith("assay_curve_plate_") for f in sec.figures)
    res = json.loads((tmp_path / "out" / "results.json").read_text())
    import jsonschema  # a dev dependency: a missing one is an error, not a skip
    schema = json.loads((Path(__file__).parents[2] / "docs" / "results.schema.json").read_text())
    jsonschema.validate(res, schema)
    assert any(p["path"].endswith(".layout.toml") for p in res["inputs"])
    assert {r["statistic"] for r in res["records"] if r["analysis"] == "assay"} >= {"ec50", "lloq", "concentration"}
    s = sec.tables["assay_samples"].set_index("id")
    truth = parts.set_index("id")["b12_pmol_l"].dropna()
    q = s[s["censored"] == ""]
    rel = np.abs(q["concentration"] / truth.loc[q.index] - 1)
    assert np.median(rel) < 0.1
    assert (s["passed"]).mean() > 0.9


def test_stage_writes_values_censoring_and_status(study):
    from serostudy._io.config import load_config
    from serostudy._pipeline import load_context
    from serostudy.assay import assay_stage

    d, parts = study
    cfg = load_config(d / "study.yaml")
    ctx = load_context(cfg, d)
    [sec] = assay_stage(ctx)
    data = ctx.data.set_index("id")
    st = data["b12_pmol_l__assay"]
    assert set(st[parts.set_index("id")["b12_pmol_l"].isna()]) == {"not on any plate"}
    ok = st == "ok"
    assert data.loc[ok, "b12_pmol_l"].notna().all() and (data.loc[ok, "b12_pmol_l__censor"] == "").all()
    cen = st.isin(["<LLOQ", ">ULOQ"])
    assert (data.loc[cen, "b12_pmol_l__censor"] != "").all()
    assert str(data["b12_category"].dtype) == "category"
    assert sec.payload["censored_as"] == "limit"


def test_stage_is_a_no_op_without_assay_config():
    from serostudy.assay import assay_stage

    class Cfg:
        assay = None

    class Ctx:
        config = Cfg()
        extra: dict = {}

    assert assay_stage(Ctx()) == []


def test_config_errors_name_the_key(study):
    from serostudy.assay import AssayConfig

    with pytest.raises(ValueError, match="no layout"):
        AssayConfig.model_validate({"plates": ["a.csv"], "target": "b12"})
    with pytest.raises(ValueError, match="unknown unit"):
        AssayConfig.model_validate({"plates": ["a.csv"], "layout": "l.toml", "target": "b12", "unit": "mg"})
    with pytest.raises(ValueError, match="unknown reference range"):
        AssayConfig.model_validate({"plates": ["a.csv"], "layout": "l.toml", "target": "b12", "reference_range": "x"})


def test_report_fragment_escapes_user_strings():
    from serostudy.assay import CurveParameters, PlateReading, layout_from_dict, predict, quantify_plate
    from serostudy.assay._report import assay_html

    evil = "<script>alert(1)</script>"
    std = [5, 10, 20, 40, 80, 160, 320, 640.0]
    lay = layout_from_dict({
        "unit": "pmol/L", "name": evil,
        "standard": [{"id": f"S{i}", "concentration": c, "wells": [f"A{i + 1}", f"B{i + 1}"]} for i, c in enumerate(std)],
        "sample": [{"id": evil, "wells": ["C1", "D1"]}],
    })
    p = CurveParameters(0.05, 3.0, 150.0, 1.1)
    vals = np.full((8, 12), np.nan)
    for i, c in enumerate(std):
        vals[0, i] = vals[1, i] = float(predict(p, c)) * (1 + 0.01 * (-1) ** i)
    vals[2, 0], vals[3, 0] = float(predict(p, 2.0)), np.nan
    reading = PlateReading(pd.DataFrame(vals, index=list("ABCDEFGH"), columns=range(1, 13)), {}, "x.csv", "grid")
    res = quantify_plate(reading, lay, weights="none")
    html = assay_html([res], res.samples, model="4pl", weights="none", blank="zero-standard", censor_policy="",
                      not_reported=[{"id": evil, "plate": evil, "status": "x", "reason": evil}], notes=[evil], unit="pmol/L")
    assert "<script>" not in html and "&lt;script&gt;" in html
