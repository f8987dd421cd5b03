"""Hypothesis settings for the property tests (issue 9, defence 2).

``make test`` runs the fixed profile ``serostudy`` (registered and loaded here):
derandomized, so every run draws the same examples and a failure reproduces; no
deadline (the first call of a test imports scipy).  Each test states its own
``max_examples`` (``EXAMPLES`` below); ``HYPOTHESIS_PROFILE=long`` multiplies them by 10
for a deeper search by hand.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

_here = str(Path(__file__).resolve().parent)
if _here not in sys.path:
    sys.path.insert(0, _here)

settings.register_profile(
    "serostudy",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("long", parent=settings.get_profile("serostudy"), derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "serostudy"))
