"""Statistical tests and effect sizes behind Table 1 and Table 2.

The public namespace of serostudy's inference layer (after ``scipy.stats``): pure
functions on arrays or per-group summaries that return frozen result objects
(:class:`TestResult`, :class:`Estimate`, :class:`ConfidenceInterval`).  Every function
is checked against R; the R script and its output are in ``tests/reference/stats/``.

Two-sample comparisons (group 1 minus group 2):
    :func:`ttest_from_stats`, :func:`mannwhitney`, :func:`hedges_g_from_stats`,
    :func:`smd_continuous`, :func:`smd_categorical`
Contingency tables (rows = levels, columns = groups):
    :func:`chi2_test`, :func:`fisher_test`, :func:`contingency_test`,
    :func:`odds_ratio`, :func:`cramers_v`
Several groups (from summaries):
    :func:`oneway_anova_from_stats` (Welch's ANOVA or the classic F)
Correlation:
    :func:`correlation` (Pearson, Spearman, Kendall), :func:`pearson_from_sums`, :func:`correlation_ci`,
    :func:`correlation_pvalue`
Description:
    :func:`summarize_continuous`, :class:`ContinuousSummary`

Examples
--------
>>> from serostudy import stats
>>> res = stats.ttest_from_stats(42.1, 12.1, 35, 46.1, 16.2, 53)
>>> res.method
'Welch two-sample t-test'
"""

from __future__ import annotations

from serostudy._inference._anova import oneway_anova_from_stats
from serostudy._inference._contingency import (
    chi2_test,
    contingency_test,
    cramers_v,
    fisher_test,
    odds_ratio,
)
from serostudy._inference._correlation import (
    correlation,
    correlation_ci,
    correlation_pvalue,
    pearson_from_sums,
)
from serostudy._inference._describe import ContinuousSummary, summarize_continuous
from serostudy._inference._results import ConfidenceInterval, Estimate, TestResult
from serostudy._inference._twosample import (
    hedges_g_from_stats,
    mannwhitney,
    smd_categorical,
    smd_continuous,
    ttest_from_stats,
)

__all__ = [
    "ConfidenceInterval",
    "ContinuousSummary",
    "Estimate",
    "TestResult",
    "chi2_test",
    "contingency_test",
    "correlation",
    "correlation_ci",
    "correlation_pvalue",
    "cramers_v",
    "fisher_test",
    "hedges_g_from_stats",
    "mannwhitney",
    "odds_ratio",
    "oneway_anova_from_stats",
    "pearson_from_sums",
    "smd_categorical",
    "smd_continuous",
    "summarize_continuous",
    "ttest_from_stats",
]
