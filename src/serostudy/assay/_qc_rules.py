"""QC rule sets (acceptance limits) as plain data.

Kept apart from :mod:`serostudy.assay._qc` so that validating a ``study.yaml``
(``assay.qc_rules``) imports no numpy or pandas.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class QCRuleSet:
    """A named, versioned set of acceptance limits (percentages are in %)."""

    name: str = "ich-m10-lba"
    version: str = "1"
    standard_tolerance: float = 20.0
    standard_tolerance_at_limits: float = 25.0
    min_standard_fraction: float = 0.75
    min_standard_levels: int = 6
    qc_tolerance: float = 20.0
    min_qc_fraction: float = 2.0 / 3.0
    min_qc_fraction_per_level: float = 0.5
    max_cv: float = 20.0
    hook_warning: bool = True
    refit_after_exclusion: bool = True

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    def describe(self) -> list[str]:
        """The rules in words (for the report and methods text)."""
        return [
            f"Calibration standards: back-calculated concentration within ±{self.standard_tolerance:g}% of nominal "
            f"(±{self.standard_tolerance_at_limits:g}% at the lowest and highest levels); at least "
            f"{self.min_standard_fraction:.0%} of levels and at least {self.min_standard_levels} levels passing.",
            f"QC samples: at least {self.min_qc_fraction:.0%} within ±{self.qc_tolerance:g}% of nominal and at least "
            f"{self.min_qc_fraction_per_level:.0%} at each level.",
            f"Replicates: CV at most {self.max_cv:g}%.",
            "Hook effect: warning when the top standard's response turns back." if self.hook_warning else "",
        ]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


RULE_SETS: dict[str, QCRuleSet] = {"ich-m10-lba": QCRuleSet()}
