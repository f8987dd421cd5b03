"""The Examples sections of the public stats functions run and print what they say."""

import doctest

import pytest

import serostudy.stats
from serostudy._inference import _contingency, _correlation, _describe, _twosample


@pytest.mark.parametrize("module", [serostudy.stats, _contingency, _correlation, _describe, _twosample], ids=lambda m: m.__name__)
def test_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert module is serostudy.stats or result.attempted > 0
