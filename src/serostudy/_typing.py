"""Option vocabularies shared across serostudy, as ``Literal`` aliases (after polars)."""

from __future__ import annotations

from typing import Literal

Alternative = Literal["two-sided", "less", "greater"]
"""Direction of the alternative hypothesis, as in ``scipy.stats``."""

VariableType = Literal["continuous", "categorical", "ordinal", "count", "binary", "id", "date", "text"]
"""How the codebook declares a variable."""

Summary = Literal["mean_sd", "median_iqr"]
"""How a continuous variable is summarised in Table 1."""

ContinuousTest = Literal["welch", "student", "mann-whitney", "auto"]
CategoricalTest = Literal["auto", "chi2", "chi2-yates", "fisher"]
CorrelationMethod = Literal["pearson", "spearman", "kendall"]


def check_choice(name: str, value: object, allowed: tuple[object, ...]) -> None:
    """Raise ``ValueError`` naming the option, the allowed values and what was given."""
    if value not in allowed:
        from serostudy.exceptions import InputError

        options = ", ".join(repr(a) for a in allowed)
        raise InputError(f"`{name}` must be one of {{{options}}}, got {value!r}")
