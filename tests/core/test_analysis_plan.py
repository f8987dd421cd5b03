"""The declared analysis plan (issue 11 build 1, finding 3).

Before: nothing said which analysis was primary; every p-value read alike; B12 was
analysed raw ("not declared skewed") although its own Q-Q plot was curved; and the same
unadjusted group comparison appeared twice (Welch p = 0.61 in Table 1, OLS p = 0.63 in
the models).  Now study.yaml declares the plan, every inferential record carries its
role, sentences say what an exploratory result is, a distributional check that
contradicts the declared scale is flagged (never switched), and one unadjusted comparison
is shown, by the declared method.
"""

from __future__ import annotations

import html
import re

import numpy as np

from serostudy._analysis.plan_stage import scale_check

ROLES = {"primary", "secondary", "sensitivity", "exploratory"}


def _section(demo_run, sid: str) -> str:
    t = (demo_run.out_dir / "report.html").read_text(encoding="utf-8")
    i = t.index(f'<section id="{sid}">') if f'<section id="{sid}">' in t else t.index(f'<section id="sec-{sid}">')
    j = t.find("<section id=", i + 10)
    t = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", t[i:j], flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", t)))


def test_every_inferential_result_is_labelled(demo_results):
    inferential = [r for r in demo_results["records"] if r["analysis"] in ("table1", "table2", "model")
                   and (r["pvalue"] is not None or r["ci_low"] is not None) and r["group"] != "published"]
    assert inferential
    assert {r["role"] for r in inferential} <= ROLES
    assert not [r for r in inferential if r["role"] is None]


def test_the_primary_is_the_declared_model_and_only_it(demo_results):
    prim = [r for r in demo_results["records"] if r["role"] == "primary"]
    assert prim
    assert {(r["analysis"], r["variable"], r["group"]) for r in prim} == {("model", "relapses", "NB adjusted")}
    assert {r["term"] for r in prim} == {"Serum vitamin B12 (per 10 pmol/L)"}
    covs = {r["term"] for r in demo_results["records"] if r["analysis"] == "model" and r["group"] == "NB adjusted"
            and r["statistic"] == "coefficient"}
    assert {"Age", "Sex: female"} <= covs and "Disease duration" not in covs  # adjusted as declared
    sens = [r for r in demo_results["records"] if r["role"] == "sensitivity"]
    assert sens and all("disease duration" in r["group"] for r in sens)


def test_one_unadjusted_group_comparison_by_the_declared_method(demo_run, demo_results):
    unadj = [r for r in demo_results["records"] if r["analysis"] == "model" and r["variable"] == "b12_pmol_l"
             and r["group"] in ("unadjusted", "group unadjusted")]
    assert not unadj, "the models repeat Table 1's unadjusted comparison"
    t1 = [r for r in demo_results["records"] if r["analysis"] == "table1" and r["variable"] == "b12_pmol_l"
          and r["pvalue"] is not None and r["statistic"] in ("t", "ratio_of_geometric_means")]
    assert len({round(r["pvalue"], 12) for r in t1}) == 1
    text = _section(demo_run, "models_group")
    assert "unadjusted comparison is Table 1's" in text


def test_declared_log_scale_drives_table1_and_the_model(demo_results):
    sec = next(s for s in demo_results["sections"] if s["id"] == "models_group")
    assert sec["payload"]["scale"] == "log"
    gmr = [r for r in demo_results["records"] if r["analysis"] == "table1" and r["variable"] == "b12_pmol_l"
           and r["statistic"] == "ratio_of_geometric_means"]
    assert len(gmr) == 1 and gmr[0]["ci_low"] < gmr[0]["estimate"] < gmr[0]["ci_high"]


def test_exploratory_sentences_say_so(demo_run):
    text = _section(demo_run, "summary")
    assert "Primary analysis" in text
    for sent in re.findall(r"correlated with [^:]*: Pearson r[^;]*", text):
        assert "exploratory" in text[text.index(sent):text.index(sent) + 400]
    # the Table 1 comparison sentence carries its role
    b12 = text[text.index("Serum vitamin B12 was "):]
    assert "exploratory; not adjusted for multiplicity" in b12[:400]


def test_scale_check_flags_a_contradiction_and_never_switches():
    rng = np.random.default_rng(1)
    skewed = rng.lognormal(3.8, 0.7, 80)
    raw = scale_check(skewed, "raw")
    assert raw.contradicts and raw.declared == "raw" and "log" in raw.note
    assert not scale_check(skewed, "log").contradicts
    assert not scale_check(rng.normal(50, 5, 80), "raw").contradicts


def test_scale_contradiction_is_visible_in_the_report(demo_results):
    checks = [r for r in demo_results["records"] if r["analysis"] == "plan" and r["statistic"] == "scale_check"]
    assert {r["variable"] for r in checks} == {"b12_pmol_l"}
    assert all(r["n"] for r in checks)


def test_declared_raw_scale_contradicted_by_the_data_is_flagged_not_switched():
    """The demo with B12 declared raw: the check warns, in the records and in the report
    section, and the analyses stay on the raw scale."""
    from importlib.resources import files

    import yaml

    from serostudy._analysis.plan_stage import plan_stage
    from serostudy._io.config import config_from_dict
    from serostudy._pipeline import _stages, load_context

    base = files("serostudy") / "data" / "demo"
    raw = yaml.safe_load((base / "study.yaml").read_text())
    raw.pop("audit", None)
    raw.pop("models", None)
    raw["analysis_plan"]["scale"] = {"b12_pmol_l": "raw"}
    ctx = load_context(config_from_dict(raw), base, seed=7)
    for name, stage in _stages():
        if name in ("analysis plan", "audit"):
            break
        out = stage(ctx)
        if out is not None:
            ctx.sections.extend([out] if not isinstance(out, (list, tuple)) else out)
    sec = plan_stage(ctx)
    checks = [r for r in sec.records if r.statistic == "scale_check"]
    flagged = [r for r in checks if r.warnings]
    assert flagged, [(r.group, r.estimate, r.pvalue) for r in checks]
    assert all(r.estimate > 1 and r.pvalue < 0.01 for r in flagged)
    assert "Warning" in str(sec.html) and "suggests the log scale" in str(sec.html)
    assert any("suggests the log scale" in c for c in sec.choices)
    t1 = next(s for s in ctx.sections if s.id == "table1")
    t = next(r for r in t1.records if r.variable == "b12_pmol_l" and r.statistic == "t")
    assert "log" not in t.method  # never silently switched


def test_relapse_section_names_the_primary_row(demo_run):
    text = _section(demo_run, "models_relapses")
    assert "declared primary analysis (analysis plan) is the row 'NB adjusted'" in text
    assert "other rows are exploratory" in text


def test_each_section_says_what_its_results_are_in_the_plan(demo_run):
    t2 = _section(demo_run, "table2")
    assert "Analysis plan: every test and interval here is exploratory; not adjusted for multiplicity" in t2
    rel = _section(demo_run, "models_relapses")
    assert "Analysis plan: primary: Relapses since onset (NB adjusted)" in rel
