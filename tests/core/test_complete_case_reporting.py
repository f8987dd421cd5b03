"""n per analysis and complete-case statements: issue 11 finding 8 (part).

Before: the flow said 35/53 analysed while B12 exists for 34/49, and the models, Table 1
and Table 2 dropped the participants without B12 silently (or in a warning list only).
Now each record carries the n it used, and each analysis that left participants out says
so in the report text, with the count and the reasons.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from serostudy._analysis.completeness import complete_cases

INFERENTIAL = {"table1", "table2", "model", "power", "multiplicity", "matching", "figures"}


def _section(demo_run, sid: str) -> str:
    """Plain text of one report section (``<section id="sec-...">`` up to the next one)."""
    t = (demo_run.out_dir / "report.html").read_text(encoding="utf-8")
    i = t.index(f'<section id="sec-{sid}">')
    j = t.find("<section id=", i + 10)
    t = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", t[i:j], flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", t)))


def test_every_analysis_record_carries_the_n_it_used(demo_results):
    no_n = sorted({(r["analysis"], r["statistic"], r["group"]) for r in demo_results["records"]
                   if r["analysis"] in INFERENTIAL and r["n"] is None and r["group"] != "published"})
    assert not no_n, no_n


def test_models_state_complete_case_with_count_and_reason(demo_run, demo_results):
    recs = [r for r in demo_results["records"] if r["analysis"] == "model" and r["variable"] == "relapses"
            and r["statistic"] == "rate_ratio"]
    n_used = {r["n"] for r in recs}
    assert n_used == {34}
    rel = _section(demo_run, "models_relapses")
    assert "Complete-case analysis: 34 of 35 NMOSD" in rel
    assert "not on any plate" in rel
    grp = _section(demo_run, "models_group")
    assert re.search(r"Complete-case analysis: 83 of 88 participants", grp), grp[:600]
    edss = _section(demo_run, "models_ordinal")
    assert "Complete-case analysis: 34 of 35 NMOSD" in edss


def test_table2_and_table1_state_who_is_left_out(demo_run):
    t2 = _section(demo_run, "table2")
    assert "Complete-case analysis: 34 of 35 NMOSD" in t2 and "not on any plate" in t2
    t1 = _section(demo_run, "table1")
    assert "Serum vitamin B12 missing" in t1 and "not on any plate" in t1


def test_complete_cases_counts_each_participant_once_with_the_stage_reason():
    d = pd.DataFrame({"id": ["a", "b", "c", "d"], "x": [1.0, np.nan, np.nan, 4.0], "y": [1.0, np.nan, 3.0, np.nan],
                      "x__assay": ["ok", "not on any plate", "failed QC: CV 30%", "ok"]})
    cc = complete_cases(d, ["x", "y"], id_col="id", label=str.upper)
    assert (cc.n_available, cc.n_used, cc.n_dropped) == (4, 1, 3)
    assert dict(cc.reasons) == {"X missing (not on any plate)": ("b",), "X missing (failed QC: CV 30%)": ("c",),
                                "Y missing": ("d",)}
    s = cc.sentence("participants")
    assert s.startswith("Complete-case analysis: 1 of 4 participants; 3 left out")
    assert complete_cases(d.iloc[[0]], ["x", "y"], id_col="id").sentence("x") == ""


def test_complete_cases_takes_a_text_column_with_blank_cells():
    """Regression (hostile corpus, study-covariate-header-code): a text covariate raised
    'ValueError: output array is read-only' (pandas 3 hands out read-only views)."""
    d = pd.DataFrame({"id": ["a", "b", "c"], "g": ["case", " ", None], "x": [1.0, 2.0, 3.0]})
    cc = complete_cases(d, ["x", "g"], id_col="id")
    assert (cc.n_available, cc.n_used) == (3, 1)
    assert dict(cc.reasons) == {"g missing": ("b", "c")}
