"""The models stage on the shipped demo study (synthetic data), and its generated text."""

from __future__ import annotations

import json
import math

import pytest

from serostudy._inference._results import ConfidenceInterval
from serostudy.models import ModelResult, ModelsConfig, ModelTerm
from serostudy.models._stage import conclusion_sentence, models_stage

MODELS = {
    "exposure": "b12_pmol_l",
    "per": 10,
    "relapses": {"count": "relapses", "follow_up": "follow_up_years", "adjust": ["age", "sex", "disease_duration"],
                 "published": {"r": -0.284, "p": 0.04, "rate": "arr"}},
    "group_comparison": {"adjust": ["age", "sex"], "scale": "log"},
    "ordinal": {"outcome": "edss"},
    "multiplicity": {"method": "BH"},
    "power": {"n_sim": 100, "rate_ratios": [0.8]},
}


def _context(models=MODELS, label=None):
    """The shipped demo study run through every stage before ``models`` (assay, clinical, ...)."""
    from importlib.resources import files

    import yaml

    from serostudy._io.config import config_from_dict
    from serostudy._pipeline import _stages, load_context

    base = files("serostudy") / "data" / "demo"
    raw = yaml.safe_load((base / "study.yaml").read_text())
    raw.pop("audit", None)
    if models is not None:
        raw["models"] = models
    else:
        raw.pop("models", None)
    if label is not None:
        raw["codebook"]["b12_pmol_l"]["label"] = label
    cfg = config_from_dict(raw)
    ctx = load_context(cfg, base, seed=7)
    for name, stage in _stages():
        if name == "models":
            break
        out = stage(ctx)
        if out is None:
            continue
        ctx.sections.extend([out] if not isinstance(out, (list, tuple)) else out)
    return ctx


@pytest.fixture(scope="module")
def sections():
    return models_stage(_context())


def test_sections_in_report_order(sections):
    assert [s.id for s in sections] == ["models_relapses", "models_group", "models_ordinal",
                                        "models_multiplicity", "models_power", "models_forest"]
    assert [s.order for s in sections] == [80, 81, 82, 83, 85, 84]
    figs = {f.name for s in sections for f in s.figures}
    assert figs == {"models_group_residuals", "models_forest"}


def test_relapse_section_has_nb_poisson_and_the_published_r(sections):
    rel = sections[0]
    groups = {r.group for r in rel.records}
    assert {"NB unadjusted", "NB adjusted", "Poisson unadjusted", "Poisson adjusted", "published",
            "recomputed"} <= groups
    rr = [r for r in rel.records if r.statistic == "rate_ratio" and r.group == "NB adjusted"
          and r.term == "Serum vitamin B12 (per 10 pmol/L)"]
    assert len(rr) == 1 and rr[0].ci_low < rr[0].estimate < rr[0].ci_high
    assert any(r.statistic == "theta" for r in rel.records)
    assert any(r.statistic == "dispersion_ratio" for r in rel.records)
    sentence = rel.payload["conclusion"]
    assert sentence.count(". ") == 0 and sentence.endswith(".")  # one sentence
    assert "r = \u22120.284" in sentence and "rate ratio" in sentence
    assert sentence in rel.html.replace("&#39;", "'")


def test_group_section_reports_ratio_of_geometric_means(sections):
    g = sections[1]
    recs = [r for r in g.records if r.statistic == "ratio_of_geometric_means"]
    # Table 1 already compares B12 unadjusted (by the declared method): one unadjusted p-value only
    assert {r.group for r in recs} == {"adjusted"}
    assert "unadjusted comparison is Table 1" in str(g.html)
    assert all(r.term == "nmosd vs control" and r.ci_low < r.estimate < r.ci_high for r in recs)


def test_multiplicity_family_is_stated_and_q_at_least_p(sections):
    m = sections[3]
    assert "The family:" in m.choices[0]
    qs = [r for r in m.records if r.statistic == "q_value"]
    assert len(qs) == 12  # 6 Table 2 variables x (pearson, spearman)
    assert all(r.estimate >= r.pvalue - 1e-15 for r in qs)


def test_multiplicity_uses_the_table2_section_when_it_ran():
    ctx = _context()
    secs = models_stage(ctx)
    m = [s for s in secs if s.id == "models_multiplicity"][0]
    assert "Table 2 section" in m.choices[0]
    from serostudy.models import p_adjust

    t2 = [r for r in [x for x in ctx.sections if x.id == "table2"][0].records if r.statistic == "pearson_r"]
    q = p_adjust([r.pvalue for r in t2])
    ours = [r.estimate for r in m.records if r.term.endswith("(pearson)")]
    assert ours == pytest.approx(list(q), rel=1e-12)


def test_power_section(sections):
    p = sections[4]
    stats = {r.statistic for r in p.records}
    assert {"detectable_d", "detectable_difference", "detectable_r", "apriori_power", "simulated_power",
            "detectable_rate_ratio"} <= stats
    assert "power" not in stats  # no observed (post-hoc) power
    sim = [r for r in p.records if r.statistic == "simulated_power"][0]
    assert 0 <= sim.estimate <= 1 and "100 simulated studies" in sim.method


def test_records_and_payloads_are_json_ready_and_deterministic(sections):
    again = models_stage(_context())
    a = json.dumps([[r.to_dict() for r in s.records] for s in sections], allow_nan=False)
    b = json.dumps([[r.to_dict() for r in s.records] for s in again], allow_nan=False)
    assert a == b
    json.dumps([s.payload for s in sections], allow_nan=False)


def test_user_strings_are_escaped():
    secs = models_stage(_context(label="<script>alert(1)</script>"))
    for s in secs:
        assert "<script>" not in s.html
    assert "&lt;script&gt;" in secs[0].html


def test_not_configured_means_not_run():
    assert models_stage(_context(models=None)) == []


def test_missing_column_in_models_config_is_a_clear_error():
    from serostudy.exceptions import ConfigError

    bad = dict(MODELS, relapses=dict(MODELS["relapses"], adjust=["age", "sexx"]))
    with pytest.raises(ConfigError) as exc:
        models_stage(_context(models=bad))
    assert exc.value.key == "models.relapses.adjust[1]"
    assert "names column 'sexx', which is not in the participant table" in str(exc.value)
    assert "did you mean 'sex'?" in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_models_config_rejects_unknown_keys():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        ModelsConfig.model_validate({"relapse": {}})


def _fit(rr, lo, hi, p):
    t = ModelTerm(term="x", estimate=math.log(rr), se=0.1, ci=ConfidenceInterval(math.log(lo), math.log(hi)),
                  statistic=1.0, statistic_name="z", pvalue=p, exp_estimate=rr, exp_ci=ConfidenceInterval(lo, hi),
                  exp_name="rate ratio")
    return ModelResult(family="negbin", link="log", formula="y ~ x", terms=(t,), n=35, df_model=2, df_resid=33,
                       loglik=-50.0, aic=106.0, theta=1.5)


@pytest.mark.parametrize("rr, lo, hi, p, expected", [
    (0.93, 0.80, 1.08, 0.35, "includes no effect: once relapses are counted over each patient's follow-up and "
                             "age, sex are accounted for, these data do not show that the relapse rate depends on B12."),
    (0.85, 0.75, 0.97, 0.01, "in the same direction as the published correlation"),
    (1.20, 1.05, 1.37, 0.01, "in the opposite direction"),
])
def test_conclusion_sentence_branches(rr, lo, hi, p, expected):
    s = conclusion_sentence(published_r=-0.284, published_p=0.04, fit=_fit(rr, lo, hi, p), term="x",
                            per_txt="per 10 pmol/L", exposure_label="B12", covariates=["age", "sex"])
    assert expected in s and "adjusted for age, sex" in s
    assert s.count(". ") == 0


def test_excluded_participants_are_named_by_id(sections):
    ctx = _context()
    d = ctx.analysed()
    missing = d[(d["group"] == "nmosd") & d["b12_pmol_l"].isna()]["id"].astype(str).tolist()
    rel = sections[0]
    if missing:
        note = [c for c in rel.choices if "participant(s) excluded for missing values" in c][0]
        assert all(i in note for i in missing)
        ordn = sections[2]
        assert any(all(i in w for i in missing) for r in ordn.records if r.statistic == "spearman_rho"
                   for w in r.warnings)
    else:  # pragma: no cover - depends on the demo data
        assert not any("excluded" in c for c in rel.choices)


def test_multiplicity_recomputes_when_table2_did_not_run():
    from serostudy.models._stage import multiplicity_section

    ctx = _context()
    t2 = [x for x in ctx.sections if x.id == "table2"][0]
    ctx.sections = [x for x in ctx.sections if x.id != "table2"]
    m = multiplicity_section(ctx)
    assert "recomputed here" in m.choices[0]
    ours = {r.variable: r.pvalue for r in m.records if r.term.endswith("(pearson)")}
    theirs = {r.variable: r.pvalue for r in t2.records if r.statistic == "pearson_r"}
    assert ours.keys() == theirs.keys()
    for k in ours:  # same Pearson t-test p, computed independently
        assert ours[k] == pytest.approx(theirs[k], rel=1e-9)


def test_parts_set_to_null_are_skipped():
    only_power = {"relapses": None, "group_comparison": None, "ordinal": None, "multiplicity": None,
                  "power": {"n_sim": 50, "rate_ratios": [], "detectable_rate_ratio": False}}
    secs = models_stage(_context(models=only_power))
    assert [s.id for s in secs] == ["models_power"]
    assert not any(r.statistic == "simulated_power" for r in secs[0].records)
