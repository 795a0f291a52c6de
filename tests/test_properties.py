"""Property tests over the whole offline pipeline: it never raises and never invents evidence."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import extractor
from extractor.segment import segment

FRAGMENTS = st.sampled_from(
    [
        "Inclusion Criteria:",
        "Exclusion Criteria:",
        "* ",
        "  * ",
        "1. ",
        "  -  ",
        "\n",
        "\n\n",
        ":",
        "\\>=",
        "=\\<",
        "ECOG 0-1",
        "HER2-positive (IHC 3+ or ISH ratio ≥ 2.0)",
        "ANC ≥ 1.5 x 10^9/L",
        "AST/ALT ≤ 2.5 x ULN",
        "no more than 2 prior lines",
        "stable brain metastases for 4 weeks",
        "age ≥ 18",
        "pregnant",
        "T-DXd",
        "within 5 years",
        "QTcF > 470 ms",
        "LVEF < 50%",
        "life expectancy > 12 weeks",
        "Cohort A:",
        "≧",
        "×",
        "µ",
    ]
)
TEXTS = st.lists(st.one_of(FRAGMENTS, st.text(max_size=30)), max_size=40).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_extract_never_raises_and_is_grounded(text: str) -> None:
    result = extractor.extract(text, trial_id="prop")
    assert result.ungrounded() == []
    assert {c.item for c in result.criteria} == set(range(result.items))  # every item accounted for
    for c in result.criteria:
        assert c.polarity in ("inclusion", "exclusion")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_segment_items_are_verbatim(text: str) -> None:
    seg = segment(text)
    for it in seg.items:
        assert text[it.start : it.end] == it.text and it.text.strip()
    starts = [it.start for it in seg.items]
    assert starts == sorted(starts)
