"""serostudy: a clinical biomarker study from raw data to a paper-ready result."""

from serostudy._version import __version__

__all__ = ["__version__"]
