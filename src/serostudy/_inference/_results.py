"""Frozen result objects returned by the inference layer.

Modelled on ``scipy.stats`` result objects: named attributes (``statistic``,
``pvalue``, ``df``), a ``confidence_interval()`` method, never bare tuples.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from serostudy._typing import Alternative


@dataclass(frozen=True, slots=True)
class ConfidenceInterval:
    """A two-sided (or one-sided, with an infinite bound) confidence interval."""

    low: float
    high: float
    confidence_level: float = 0.95

    def __iter__(self):  # allows ``lo, hi = ci``
        yield self.low
        yield self.high


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point estimate with its confidence interval and how it was computed.

    Attributes
    ----------
    name
        What is estimated, e.g. ``"mean difference"``, ``"Hedges' g"``, ``"odds ratio"``.
    estimate
        The point estimate.
    ci
        Its confidence interval (``None`` if not defined).
    method
        How the estimate and its interval were computed, in words a methods section can use.
    se
        Standard error, where one is defined.
    notes
        Caveats and automatic choices (e.g. a zero cell, an empty level left out).
    """

    name: str
    estimate: float
    ci: ConfidenceInterval | None = None
    method: str = ""
    se: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        check_interval_contains(self.name, self.estimate, self.ci)

    def confidence_interval(self) -> ConfidenceInterval | None:
        return self.ci


def check_interval_contains(name: str, estimate: float | None, ci: ConfidenceInterval | None) -> None:
    """Refuse an interval that excludes its own estimate (issue 9 finding 5).

    Every :class:`Estimate` runs this, so no result of the inference layer (and no
    table built from one) can print ``V = 1.00 (0.00 to 0.48)``.  A NaN estimate or
    bound (not estimable) passes; a slack of 1e-9 relative absorbs the last bits of
    two computations of the same number.

    Raises
    ------
    SerostudyError
        The interval excludes the estimate: a bug in the function that built it.
    """
    if ci is None or estimate is None:
        return
    lo, hi, est = float(ci.low), float(ci.high), float(estimate)
    if math.isnan(est) or math.isnan(lo) or math.isnan(hi):
        return
    slack = 1e-9 * max(1.0, abs(est)) if math.isfinite(est) else 0.0
    if not (lo - slack <= est <= hi + slack):
        from serostudy.exceptions import SerostudyError

        raise SerostudyError(
            f"internal error: the {name} interval [{lo!r}, {hi!r}] excludes its estimate {est!r}; "
            "please report this with the input"
        )


@dataclass(frozen=True, slots=True)
class TestResult:
    """The result of a hypothesis test.

    Attributes
    ----------
    statistic
        Test statistic (t, chi-square, U, r, ...); ``nan`` for tests without one (Fisher r x c).
    pvalue
        p-value under the stated ``alternative``.
    method
        Name of the test as printed in a footnote, e.g. ``"Welch two-sample t-test"``.
    statistic_name
        Symbol of the statistic: ``"t"``, ``"chi2"``, ``"U"``, ``"r"``, ``"W"``, ``"OR"``.
    df
        Degrees of freedom (``None`` where not applicable).
    alternative
        ``"two-sided"``, ``"less"`` or ``"greater"``.
    estimate
        The effect the test is about (mean difference, odds ratio, r), with its CI.
    n
        Number of observations used.
    notes
        Automatic choices and caveats (e.g. "expected count < 5 in 2 cells: Fisher used").
    df_denominator
        Denominator degrees of freedom of an F statistic (``df`` is the numerator's).
    """

    statistic: float
    pvalue: float
    method: str
    statistic_name: str = ""
    df: float | None = None
    alternative: Alternative = "two-sided"
    estimate: Estimate | None = None
    n: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    df_denominator: float | None = None

    def confidence_interval(self) -> ConfidenceInterval | None:
        """Confidence interval of :attr:`estimate`, if the test has one."""
        return None if self.estimate is None else self.estimate.ci

    def to_dict(self) -> dict[str, Any]:
        return _clean(asdict(self))


def _clean(obj: Any) -> Any:
    """Make a nested structure JSON-safe: non-finite floats become ``None``."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
