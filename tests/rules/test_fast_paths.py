"""The engine's fast paths give what the plain scans they replace give (issue 10: cheaper, output identical)."""

from __future__ import annotations

import re

import pytest

from extractor.kinds.prior_therapy import Rules as PriorTherapyRules
from extractor.rules import context
from extractor.rules.item import MAX_SPACE_RUN, ItemContext
from extractor.rules.ruledata import load_rules
from extractor.rules.triggers import TriggerIndex, registry_index
from extractor.segment import segment

TEXTS = [
    "No prior chemotherapy is allowed, except adjuvant endocrine therapy.",
    "Patients must not have received trastuzumab; prior radiotherapy is permitted if completed > 4 weeks ago.",
    "Known brain metastases, unless treated and stable; regardless of HER2 status, with or without prior surgery",
    "not   allowed: live vaccines within 30 days, other than inactivated influenza vaccine",
    "ECOG 0-1. Life expectancy >= 12 weeks; no more than 2 prior lines of therapy (not including hormonal therapy)",
    "",
    "   ",
    "negative for EGFR mutation; must not harbour ALK fusion. Any PD-L1 status is acceptable.",
    "Non-pregnant, non-lactating women; breastfeeding must be discontinued, or the patient is ineligible",
]


@pytest.mark.parametrize("kind", [None, "prior_therapy", "biomarker", "her2", "brain_metastases", "pregnancy"])
def test_cue_scan_finds_what_the_scanner_finds(kind: str | None) -> None:
    """The finder skips to where a cue can start; the cues found are those of the scanner run at every offset."""
    rules, scanner, _ = context._kind_scanner(kind)
    assert scanner is not None
    hits = 0
    for text in TEXTS:
        lower = text.lower()
        plain = [
            (rules[int(m.lastgroup[1:])], m.start(), m.end())
            for m in scanner.finditer(lower)
            if m.end() > m.start() and m.lastgroup
        ]
        assert context._find(lower, kind) == plain, text
        hits += len(plain)
    assert hits  # the texts hold cues of every kind tested


def test_cue_finder_matches_where_a_rule_does() -> None:
    """The prior_therapy cue prefilters answer as the rules' own patterns, one by one, do."""
    rules = load_rules("prior_therapy", PriorTherapyRules)
    uses = {
        "negation": [r for r in rules.context if r.category == "negated" and r.direction == "forward"],
        "modes": [
            r
            for r in rules.context
            if r.category in ("permitted", "exception") or (r.category == "negated" and r.direction != "forward")
        ],
    }
    for use, cues in uses.items():
        finder = rules.cue_test[use]
        assert finder is not None and cues
        for text in TEXTS:
            lower = text.lower()
            for s, e in [(0, len(lower)), (3, max(3, len(lower) - 5)), (len(lower) // 2, len(lower))]:
                expected = any(re.compile(r.regex()).search(lower, s, e) for r in cues)
                assert (finder.search(lower, s, e) is not None) == expected, (use, text, s, e)
    assert context.cue_finder(()) is None


def test_trigger_at_the_text_start_and_inside() -> None:
    """A trigger counts at the text's start as after any other non-alphanumeric character, never inside a word."""
    index = TriggerIndex({"a": ["metasta"], "b": ["ca$"], "c": ["brain met"]})
    assert index.kinds("metastatic disease") == {"a"}
    assert index.kinds("(metastatic) ca") == {"a", "b"}
    assert index.kinds("brain-metastases") == {"a", "c"}  # "metasta" starts a word after the hyphen
    assert index.kinds("cancer; nonmetastatic") == frozenset()
    assert "prior_therapy" in registry_index().kinds("trastuzumab")


@pytest.mark.parametrize("space", ["\u00a0", "\u2003", "\t", "\u3000"])
def test_long_runs_of_other_whitespace_are_cut(space: str) -> None:
    """A long run of any whitespace, not only spaces, is cut (the fast test for "no long run" reads only spaces)."""
    gap = space * (MAX_SPACE_RUN + 10)
    text = f"Inclusion Criteria:\n* Age{gap}>= 18 years"
    seg = segment(text)
    ctx = ItemContext(item=seg.items[0], source=seg.text)
    assert len(ctx.clean) == len(seg.items[0].text) - 10
    start = ctx.lower.index(">= 18")
    assert ctx.evidence(start, start + 5).text == ">= 18"
