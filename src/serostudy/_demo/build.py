"""Build the embedded demo study from its seeded generators.

Writes, into a folder (by default the package's ``data/demo``):

* ``participants.csv``: the cohort of :mod:`serostudy._demo.generate` (35 NMOSD, 53
  controls, shaped after the published study) plus, from
  :func:`serostudy.clinical.simulate_clinical`, dates, functional-system scores,
  diagnosis data, eligibility answers and a few extra participants built to fail an
  eligibility rule; *without* the B12 column, which the study reads off the plates;
* ``attacks.csv``: one row per recorded relapse (the events table behind the ARR);
* ``plates/``: raw plate-reader files and plate layouts made from each participant's
  true B12 through a 4PL curve with noise (:func:`serostudy.assay.demo_plates`);
* ``study.yaml``: ``_demo/study_template.yaml`` plus the ``clinical``, ``eligibility``,
  ``matching``, ``assay`` and ``models`` parts.

Every file is a deterministic function of the seed; ``tests/core/test_demo_data.py``
rebuilds them and compares bytes.  Run ``python -m serostudy._demo.build`` after changing
a generator.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from serostudy._demo.generate import DEFAULT_SEED, generate, to_csv_text

TEMPLATE = Path(__file__).with_name("study_template.yaml")
DEMO_STANDARDS = (10.0, 20.0, 40.0, 80.0, 160.0, 320.0, 640.0)


def demo_models_config() -> dict:
    """The ``models:`` part of the demo: the paper's printed correlation, kept for comparison.

    No published or observed effect enters the power section (observed power is not
    reported); the a-priori power uses the effect declared in ``analysis_plan``.
    """
    return {
        "exposure": "b12_pmol_l",
        "per": 10.0,
        "relapses": {"published": {"r": -0.284, "p": 0.04, "rate": "arr"}},
        "power": {"rate_ratios": [0.7, 0.8, 0.9]},
    }


def demo_analysis_plan() -> dict:
    """The demo's declared analysis plan (``analysis_plan:``), fixed before analysis.

    Primary: relapse count on B12 by negative binomial regression (follow-up offset),
    adjusted for the matching factors (age, sex), designed to detect a rate ratio of 0.8
    per 10 pmol/L.  B12 on the log scale: it is right-skewed (a concentration).
    """
    return {
        "primary": {
            "outcome": "relapses", "exposure": "b12_pmol_l", "analysis": "negbin", "adjusted_for": ["age", "sex"],
            "effect": {"rate_ratio": 0.8, "source": "smallest clinically relevant effect, declared before analysis"},
        },
        "secondary": [
            {"outcome": "edss", "exposure": "b12_pmol_l", "analysis": "ordinal", "adjusted_for": ["age", "sex"]},
            {"outcome": "b12_pmol_l", "analysis": "group_comparison", "adjusted_for": ["age", "sex"]},
        ],
        "multiplicity": {"method": "holm", "family": "within_patient"},
        "scale": {"b12_pmol_l": "log"},
        "sensitivity": [
            {"outcome": "relapses", "exposure": "b12_pmol_l", "analysis": "negbin",
             "adjusted_for": ["age", "sex", "disease_duration"], "label": "also adjusted for disease duration"},
        ],
    }


def build_demo(folder: str | Path, *, seed: int = DEFAULT_SEED, cohort=None) -> Path:
    """Write the demo study into ``folder``; returns the path of its ``study.yaml``.

    ``cohort`` may pass an already generated :func:`~serostudy._demo.generate.generate`
    result for the same seed (saves generating it twice).
    """
    from serostudy.assay import demo_plates
    from serostudy.clinical import demo_config, simulate_clinical

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    if cohort is None:
        cohort = generate(seed)
    if cohort.seed != seed:
        raise ValueError(f"cohort was generated with seed {cohort.seed}, not {seed}")
    cohort = cohort.data
    sim = simulate_clinical(cohort, seed=seed)
    participants = sim.participants
    # plates are made from the true concentrations, then the column leaves the file:
    # the study reads B12 off the standard curves, as a lab would.
    # calibrators from 10 pmol/L, as on active-B12 kits: the lowest samples come back
    # "<LLOQ", so the demo shows censored values and how the analysis treats them
    assay = demo_plates(participants, out / "plates", seed=seed, standards=DEMO_STANDARDS)
    (out / "participants.csv").write_text(to_csv_text(participants.drop(columns=["b12_pmol_l"])), encoding="utf-8")
    (out / "attacks.csv").write_text(_csv(sim.events), encoding="utf-8")
    parts = {**demo_config(), "assay": assay, "models": demo_models_config(),
             "analysis_plan": demo_analysis_plan()}
    text = TEMPLATE.read_text(encoding="utf-8").rstrip("\n") + "\n"
    text += "# Written by serostudy._demo.build: clinical measures, eligibility and matching\n"
    text += "# (docs/clinical.md), plates (docs/assay.md), models (docs/models.md).\n"
    text += yaml.safe_dump(parts, sort_keys=False, allow_unicode=True, width=100)
    path = out / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _csv(df) -> str:
    return df.to_csv(index=False, lineterminator="\n")


if __name__ == "__main__":  # pragma: no cover
    import sys

    from serostudy._demo import demo_dir

    p = build_demo(demo_dir())
    print(f"wrote {p.parent}", file=sys.stderr)
