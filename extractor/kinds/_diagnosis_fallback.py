"""Fallbacks of the ``diagnosis`` kind: the histology of an item's one diagnosis when none is named next to it (the
first histology mention, not one inside the name of a cancer that is no diagnosis of the item: "HRAS overexpression
(only for HNSCC tumors)" beside "advanced solid tumors"), and a confirmed cancer of no named type."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from extractor.kinds._diagnosis_lists import generic_cancer

if TYPE_CHECKING:
    from extractor.kinds.diagnosis import DiagnosisReading, Rules

__all__ = ["generic_reading", "sole_histology"]


# a full stop ending a sentence: not after a list marker or an abbreviation of one to three letters ("i.", "iii.",
# "e.g.")
_SENTENCE_BREAK = re.compile(r"(?:(?<=[a-z]{4})|(?<=\)))\.(?:\s+(?=[a-z])|\s*$)")
_QUALIFIER_GAP = 3  # at most this many characters between a histology and the foreign mention it qualifies


def sole_histology(
    hists: list[tuple[int, int, str]],
    mentions: list[tuple[int, int, str]],
    names: list[str],
    lower: str,
    span: tuple[int, int],
) -> str | None:
    """The histology of an item's one diagnosis (``names``, its mention at ``span``) when none is named next to it:
    the first of ``hists`` not inside a mention of a cancer that is no diagnosis nor right before one, qualifying it
    ("Breast cancer: ...; high grade endometrioid EOC ...": the ovarian cancer's), nor in another sentence than the
    mention ("... prostate cancer. Variant histologies including sarcomatoid are allowed": a note on admitted
    variants, not the required histology)."""
    if len(names) != 1:
        return None
    foreign = [(a, b) for a, b, c in mentions if c not in names]
    own = [
        h
        for h in hists
        if not _SENTENCE_BREAK.search(lower, min(h[1], span[1]), max(h[0], span[0]))
        and not any(
            (a <= h[0] and h[1] <= b) or (h[1] <= a and a - h[1] <= _QUALIFIER_GAP and not lower[h[1] : a].strip(" -"))
            for a, b in foreign
        )
    ]
    return own[0][2] if own else None


def generic_reading(rules: Rules, out: DiagnosisReading) -> DiagnosisReading:
    """``out`` with a confirmed cancer of no named type, if the item (an inclusion naming none) states one."""
    out.generic = generic_cancer(rules, out.lower)
    if out.generic is not None and any(w in out.lower for w in rules.confirmed_gate):
        out.confirmed = bool(rules.confirmed.search(out.lower)) or None
    return out
