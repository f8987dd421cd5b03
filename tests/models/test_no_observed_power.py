"""No observed (post-hoc) power: issue 11 finding 10 / build 8.

The report used to print "power for the published r = -0.284 ... 0.38": power computed
from an observed effect (the paper's, reproduced by these data), which reviewers reject.
Kept: smallest detectable effects at the study's n, and the a-priori power of the
declared primary analysis from the effect the plan declares.
"""

from __future__ import annotations

import pytest

from serostudy.exceptions import ConfigError


def test_no_power_from_observed_or_published_effects_in_records(demo_results):
    power = [r for r in demo_results["records"] if r["analysis"] == "power"]
    assert power, "the power section should still run"
    assert not [r for r in power if r["statistic"] == "power"], "observed/published-effect power is reported"
    assert not [r for r in power if "published" in (r["term"] or "") or "observed" in (r["term"] or "")]
    assert {"detectable_d", "detectable_r"} <= {r["statistic"] for r in power}


def test_no_observed_power_in_the_report(demo_run):
    html = (demo_run.out_dir / "report.html").read_text(encoding="utf-8")
    assert "Power for the published" not in html
    assert "power for the published" not in html.lower()


def test_apriori_power_of_the_declared_primary(demo_results):
    cfg = demo_results["config"]["analysis_plan"]
    declared = cfg["primary"]["effect"]["rate_ratio"]
    (rec,) = [r for r in demo_results["records"] if r["analysis"] == "power" and r["statistic"] == "apriori_power"]
    assert f"declared rate ratio {declared:g}" in rec["term"]
    assert rec["variable"] == cfg["primary"]["outcome"]
    assert "declared" in rec["method"] and 0 < rec["estimate"] < 1
    assert rec["ci_low"] <= rec["estimate"] <= rec["ci_high"]


@pytest.mark.parametrize("key", ["published_r", "published_groups"])
def test_published_effect_power_keys_are_refused_with_a_reason(key):
    from serostudy.models._config import PowerSpec

    value = {"edss": -0.2} if key == "published_r" else {"n1": 3, "mean1": 1, "sd1": 1, "n2": 3, "mean2": 1, "sd2": 1}
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="observed"):
        PowerSpec.model_validate({key: value})


def test_config_error_names_the_key(core_study):
    import yaml

    from serostudy._io.config import load_config

    raw = yaml.safe_load((core_study / "study.yaml").read_text())
    raw.setdefault("models", {})["power"] = {"published_r": {"edss": -0.238}}
    p = core_study / "study_published_power.yaml"
    p.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert "models.power" in str(e.value) and "analysis_plan.primary.effect" in str(e.value)
