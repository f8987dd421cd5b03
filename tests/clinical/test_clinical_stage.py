"""The clinical stages on the shipped demo (which carries the simulated clinical data:
97 assessed = 35 + 53 analysed + 9 built to fail a rule), and the simulator itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from serostudy._demo import demo_config_path, demo_dir
from serostudy._io.config import load_config
from serostudy._pipeline import load_context
from serostudy.clinical import (
    annualized_relapse_rate,
    demo_config,
    edss_frame,
    ipnd_frame,
    run_clinical,
    run_eligibility,
    simulate_clinical,
)
from serostudy.exceptions import ConfigError, DataError, InputError


def _demo_cfg() -> dict:
    return yaml.safe_load(demo_config_path().read_text(encoding="utf-8"))


def _write_study(d: Path, *, extra: dict | None = None, events=None) -> Path:
    """A copy of the shipped demo's clinical inputs in ``d``, with config parts replaced
    by ``extra`` and the events table by ``events``.  (The stages under test read the
    participant and events tables only; the plates stay behind.)"""
    shutil.copyfile(demo_dir() / "participants.csv", d / "participants.csv")
    if events is None:
        shutil.copyfile(demo_dir() / "attacks.csv", d / "attacks.csv")
    else:
        events.to_csv(d / "attacks.csv", index=False)
    cfg = _demo_cfg()
    for k, v in (extra or {}).items():
        cfg[k] = v
    (d / "study.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return d / "study.yaml"


def _run(path: Path):
    config = load_config(path)
    ctx = load_context(config, path.parent)
    recorded_edss = ctx.data["edss"].copy()
    run_clinical(ctx)
    sections = run_eligibility(ctx)
    return ctx, {s.id: s for s in sections}, recorded_edss


@pytest.fixture(scope="module")
def study():
    return demo_config_path()  # read in place: the stages write nothing next to it


@pytest.fixture(scope="module")
def ran(study):
    return _run(study)


@pytest.fixture(scope="module")
def cohort(core_study):
    """The demo cohort without clinical data (88 rows; tests/conftest.py)."""
    return pd.read_csv(core_study / "participants.csv")


def test_shipped_demo_config_is_demo_config():
    """The shipped study.yaml's clinical parts are demo_config(): rebuild the demo
    (python -m serostudy._demo.build) after changing it."""
    cfg = _demo_cfg()
    for k, v in demo_config().items():
        assert cfg[k] == v, k


def test_simulator_is_seeded(cohort):
    a, b = simulate_clinical(cohort, seed=5), simulate_clinical(cohort, seed=5)
    pd.testing.assert_frame_equal(a.participants, b.participants)
    pd.testing.assert_frame_equal(a.events, b.events)
    c = simulate_clinical(cohort, seed=6)
    assert not a.events.equals(c.events)


def test_simulated_data_are_consistent(cohort):
    sim = simulate_clinical(cohort, seed=11, extras=False, n_edss_discrepant=0)
    pat = sim.participants[sim.participants.group == "nmosd"]
    assert len(pat) == 35
    r = annualized_relapse_rate(sim.events, pat, onset_column="onset_date", end_column="sampling_date",
                                birth_column="birth_date")
    got = {p.participant: p.attacks_counted for p in r.patients}
    assert got == dict(zip(pat["id"], pat["relapses"].astype(int)))
    chk = edss_frame(pat, recorded="edss", id_column="id")
    bad = pat.loc[chk["edss_flag"], "edss"]
    assert (bad == 0.5).all()  # only the demo's 0.5 values, which are not EDSS steps
    assert ipnd_frame(pat, id_column="id")["ipnd_met"].all()


def test_simulator_refuses_an_already_simulated_table(cohort):
    shipped = pd.read_csv(demo_dir() / "participants.csv")
    with pytest.raises(InputError, match=r"already has column 'birth_date'.*already simulated"):
        simulate_clinical(shipped, seed=1)
    with pytest.raises(InputError, match=r"no column 'relapses'"):
        simulate_clinical(cohort.drop(columns=["relapses"]), seed=1)


def test_flow_adds_up_and_extras_are_excluded(ran):
    ctx, sec, _ = ran
    flow = sec["flow"].payload
    assert flow["assessed"] == {"nmosd": 40, "control": 57}
    assert flow["analysed"] == {"nmosd": 35, "control": 53}
    for g in ("nmosd", "control"):
        assert flow["assessed"][g] == flow["analysed"][g] + sum(s["excluded"][g] for s in flow["steps"])
    reasons = {e.participant: e.reason for e in ctx.excluded}
    assert reasons["P038"] == "not met: NMOSD by the 2015 IPND criteria"
    assert reasons["C057"] == "not met: Written informed consent"
    assert "B12" in reasons["C054"]
    assert len(ctx.data) == 97  # nobody dropped
    fig = sec["flow"].figures[0]
    assert fig.name == "flow" and "analysed 35" in fig.alt


def test_arr_from_events_equals_relapses_over_follow_up(ran):
    ctx, sec, _ = ran
    d = ctx.data[ctx.data.group == "nmosd"]
    expected = d["relapses"].astype(float) / d["follow_up_years"].astype(float)
    np.testing.assert_allclose(d["arr_derived"].astype(float), expected, rtol=2e-3)  # follow-up printed to 0.1 y
    rec = {r.statistic: r for r in sec["clinical"].records if r.variable == "arr"}
    assert rec["arr_cohort"].n == 35 and rec["arr_cohort"].ci_low < rec["arr_cohort"].estimate < rec["arr_cohort"].ci_high
    assert any("arr: the recorded column is kept" in c for c in sec["clinical"].choices)


def test_edss_flagged_not_overwritten(ran):
    ctx, sec, recorded = ran
    pd.testing.assert_series_equal(ctx.data["edss"], recorded)
    flagged = ctx.data[ctx.data["edss_flag"] == True]  # noqa: E712
    assert len(flagged) >= 2
    assert (flagged["edss"] != flagged["edss_computed"]).all()


def test_diagnosis_and_mogad_flag(ran):
    ctx, sec, _ = ran
    d = ctx.data.set_index("id")
    assert d.loc["P039", "possible_mogad"] is True or d.loc["P039", "possible_mogad"] == True  # noqa: E712
    assert d.loc["P038", "ipnd_met"] == False  # noqa: E712
    html = sec["clinical"].html
    assert "Diagnosis by the 2015 IPND criteria" in html


def test_matching_section_improves_balance(ran):
    _, sec, _ = ran
    smd = {(r.variable, r.level): r.estimate for r in sec["matching"].records}
    assert smd[("age", "after")] < smd[("age", "before")]
    assert sec["matching"].payload["action"] == "report"


def test_stages_are_deterministic(study, ran):
    _, sec1, _ = ran
    _, sec2, _ = _run(study)
    for k in sec1:
        assert [r.to_dict() for r in sec1[k].records] == [r.to_dict() for r in sec2[k].records]
        assert json.dumps(sec1[k].payload, sort_keys=True) == json.dumps(sec2[k].payload, sort_keys=True)


def test_matching_exclude_adds_a_flow_step(tmp_path):
    m = {**_demo_cfg()["matching"], "action": "exclude"}
    ctx, sec, _ = _run(_write_study(tmp_path, extra={"matching": m}))
    flow = sec["flow"].payload
    assert flow["steps"][-1]["id"] == "matching"
    n_sel = len(sec["matching"].payload["selected_controls"])
    assert flow["analysed"]["control"] == n_sel
    assert sum(e.stage == "matching" for e in ctx.excluded) == 53 - n_sel


def test_study_without_clinical_config_still_adds_up(core_study):
    """A plain study (no clinical, eligibility or matching part): no clinical sections,
    and a flow in which everyone assessed is analysed."""
    path = core_study / "study.yaml"
    config = load_config(path)
    ctx = load_context(config, core_study)
    assert run_clinical(ctx) == []
    sec = {s.id: s for s in run_eligibility(ctx)}
    assert sec["flow"].payload["assessed"] == sec["flow"].payload["analysed"] == {"nmosd": 35, "control": 53}
    assert ctx.excluded == []


def test_events_naming_unknown_participant_via_stage(tmp_path):
    ev = pd.DataFrame({"id": ["P001", "X999"], "onset_date": ["2015-01-01", "2016-01-01"]})
    path = _write_study(tmp_path, events=ev)
    config = load_config(path)
    ctx = load_context(config, path.parent)
    with pytest.raises(DataError, match=r"attacks\.csv.*row 3.*'X999'.*not in the participant table"):
        run_clinical(ctx)


def test_config_errors_name_the_key(tmp_path):
    c = _demo_cfg()["clinical"]
    c["relapses"]["merge_window_days"] = -3
    with pytest.raises(ConfigError, match="merge_window_days"):
        load_config(_write_study(tmp_path, extra={"clinical": c}))


def test_user_strings_are_escaped(tmp_path):
    el = _demo_cfg()["eligibility"]
    el["rules"][1]["label"] = "<script>alert(1)</script> residence"
    ctx, sec, _ = _run(_write_study(tmp_path, extra={"eligibility": el}))
    html = sec["flow"].html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_flow_adds_up_in_the_shipped_demo_run(demo_results):
    """The session's demo run (tests/conftest.py) has a flow section whose counts add up."""
    flow = next(s for s in demo_results["sections"] if s["id"] == "flow")["payload"]
    for g, n in flow["assessed"].items():
        assert n == flow["analysed"][g] + sum(s["excluded"][g] for s in flow["steps"])
    assert flow["analysed"] == demo_results["participants"]["analysed"]
