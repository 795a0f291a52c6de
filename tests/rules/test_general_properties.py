"""Properties of the kinds pregnancy, prior_malignancy, infection and consent (the old `general` family).

Their table cases are data (``tests/rules/cases/<kind>.yaml``); here hypothesis checks, on any text and on
shuffled criteria phrases, that the extractors never raise, give at most one criterion of their own kind per item,
and ground every criterion verbatim, run alone or through the engine.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.kinds import REGISTRY
from extractor.rules.engine import extract_item
from extractor.rules.item import ItemContext
from extractor.segment import segment

KINDS = ("pregnancy", "prior_malignancy", "infection", "consent")

_PIECES = st.sampled_from(
    [
        "pregnant",
        "breastfeeding",
        "not",
        "non-",
        "negative pregnancy test",
        "contraception",
        "discontinue",
        "other malignancy",
        "within",
        "5 years",
        "except",
        "non-melanoma skin cancer",
        "carcinoma in situ",
        "HIV",
        "hepatitis B or C",
        "TB",
        "\\<",
        "active infection",
        "requiring",
        "vaccine",
        "informed consent",
        "comply with the protocol",
        "limit compliance",
        ";",
        ".",
        "\n",
        "(",
        ")",
    ]
)
_TEXT = st.one_of(st.text(max_size=200), st.lists(_PIECES, max_size=30).map(" ".join))


@settings(max_examples=200, deadline=None)
@given(_TEXT, st.booleans())
def test_kinds_alone_never_raise_and_ground(text: str, exclusion: bool) -> None:
    """Each kind's extractor, run on any item: no exception, only its kind, at most one, grounded verbatim."""
    seg = segment(("Exclusion" if exclusion else "Inclusion") + " Criteria:\n* " + text)
    for item in seg.items:
        for kind in KINDS:
            extract = REGISTRY[kind].extract
            assert extract is not None
            found = extract(ItemContext(item=item, source=seg.text))
            assert len(found) <= 1
            for c in found:
                assert c.kind == kind
                assert c.polarity == item.polarity
                assert c.evidence.is_grounded_in(seg.text)


@settings(max_examples=100, deadline=None)
@given(_TEXT, st.booleans())
def test_engine_gives_at_most_one_per_kind(text: str, exclusion: bool) -> None:
    """Through the engine (trigger pass, context pass): at most one criterion of each of these kinds per item."""
    seg = segment(("Exclusion" if exclusion else "Inclusion") + " Criteria:\n* " + text)
    for item in seg.items:
        kinds = [c.kind for c in extract_item(item, seg.text) if c.kind in KINDS]
        assert len(kinds) == len(set(kinds))
