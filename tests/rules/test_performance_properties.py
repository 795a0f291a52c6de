"""Properties of the kinds ``performance_status``, ``age``, ``sex`` and ``life_expectancy`` (their cases are data:
``tests/rules/cases/<kind>.yaml``): on any text they do not raise and their evidence stays verbatim.

The extractors run on every item, triggered or not, so text the trigger pass would skip is read too.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.kinds import REGISTRY
from extractor.rules.item import ItemContext
from extractor.segment import segment
from tests.rules._support import ARBITRARY_TEXT

KINDS = ("performance_status", "age", "sex", "life_expectancy")


def _check(text: str, exclusion: bool) -> None:
    heading = "Exclusion Criteria:" if exclusion else "Inclusion Criteria:"
    seg = segment(f"{heading}\n* {text}")
    for item in seg.items:
        ctx = ItemContext(item=item, source=seg.text)
        for kind in KINDS:
            extract = REGISTRY[kind].extract
            assert extract is not None
            for c in extract(ctx):
                assert c.kind == kind
                assert c.evidence.is_grounded_in(seg.text)
                assert c.polarity == item.polarity


@pytest.mark.parametrize(
    "text", [".", "ECOG", "age", "≥≥≥ 18 18 years", "Life expectancy \\> weeks", "KPS 100-0", "x" * 5000]
)
@pytest.mark.parametrize("exclusion", [False, True])
def test_odd_text_never_raises(text: str, exclusion: bool) -> None:
    _check(text, exclusion)


@settings(max_examples=150, deadline=None)
@given(ARBITRARY_TEXT, st.booleans())
def test_arbitrary_text_never_raises_and_stays_grounded(text: str, exclusion: bool) -> None:
    _check(text, exclusion)
