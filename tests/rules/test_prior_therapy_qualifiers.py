"""Qualified class names of ``prior_therapy`` (``extractor/kinds/_prior_therapy_qualifiers.py``; GUIDE, third round:
qualifiers are kept, normalised, in the text's order; a qualifier over a list goes to every entry it may narrow)."""

from __future__ import annotations

import pytest

from extractor.kinds._prior_therapy_agents import targeted
from extractor.kinds._prior_therapy_qualifiers import reported
from extractor.kinds.prior_therapy import _rules
from extractor.rules.drugs import find_agents


def _names(text: str) -> list[str]:
    lower = text.lower()
    return reported(targeted(_rules().agents, lower, find_agents(lower)))


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("treatment with systemic immunosuppressive medication", ["systemic immunosuppressive therapy"]),
        ("prior palliative non-cns radiotherapy", ["palliative non-cns radiotherapy"]),
        (
            "definitive radiotherapy or surgery",
            ["definitive radiotherapy", "definitive surgery"],
        ),  # a purpose: every entry
        ("risk-reducing bilateral oophorectomy", ["risk-reducing bilateral oophorectomy"]),
        ("packed red blood cell transfusion", ["packed red blood cell transfusion"]),
        ("topical or inhaled corticosteroids", ["topical corticosteroids", "inhaled corticosteroids"]),
        ("major abdominal surgery", ["major abdominal surgery"]),
        ("systemic steroids", ["systemic corticosteroids"]),  # the lexicon's own name
        ("palliative radiation", ["palliative radiotherapy"]),
        ("prior chemotherapy or radiotherapy", ["chemotherapy", "radiotherapy"]),  # nothing to keep
        ("high dose corticosteroids", ["high-dose corticosteroid"]),
        ("physiologic corticosteroid replacement therapy", ["physiologic corticosteroid replacement therapy"]),
    ],
)
def test_qualifiers_kept(text: str, expect: list[str]) -> None:
    assert _names(text) == expect


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        # a frame qualifies the supportive classes it lists, not the kinds of the framing class
        (
            "requiring systemic treatment with either corticosteroids or other immunosuppressive medications",
            ["systemic therapy", "systemic corticosteroids", "systemic immunosuppressive therapy"],
        ),
        (
            "prior systemic therapy with chemotherapy or immunotherapy",
            ["systemic therapy", "chemotherapy", "immunotherapy"],
        ),
        # a purpose goes to every entry, a route not to a local therapy
        ("curative surgery or radiation", ["curative surgery", "curative radiotherapy"]),
        ("systemic chemotherapy or radiotherapy", ["systemic chemotherapy", "radiotherapy"]),
        ("brain radiotherapy or chemotherapy", ["brain radiotherapy", "chemotherapy"]),
        # a qualifier bound to its own head ("steroid therapy") stays with it
        (
            "systemic steroid therapy or any immunosuppressive medication",
            ["systemic corticosteroids", "immunosuppressive therapy"],
        ),
        # coordinated qualifiers: one name each; an alternative of a whole chain
        ("therapeutic oral or iv antibiotics", ["therapeutic oral antibiotics", "therapeutic intravenous antibiotics"]),
        ("chest wall or ipsilateral breast radiation", ["chest wall radiotherapy", "ipsilateral breast radiotherapy"]),
    ],
)
def test_lists(text: str, expect: list[str]) -> None:
    assert _names(text) == expect
