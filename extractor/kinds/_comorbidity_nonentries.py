"""Conditions named only as a circumstance of another rule are no entries: what a short steroid course prevents or
treats ("corticosteroids for prophylaxis (e.g., contrast dye allergy) or for treatment of non-autoimmune
conditions (e.g., delayed-type hypersensitivity)"), what a drug prevents or premedicates for ("prophylactic
antibiotics (e.g., to prevent COPD exacerbation)"), the reason a procedure or a medication is given ("radiosurgery
for trigeminal neuralgia") and an effect something may cause ("drugs known to cause depression").
The rule is ``comorbidity.yaml``'s ``not_entry``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["not_entries"]

_CUES = (
    "autoimmune",
    "prophyla",
    "prevent",
    "premedicat",
    "pre-medicat",
    "pretreat",
    "pre-treat",
    "risk of",
    " for ",
    "to treat",
    "cause",
    "induce",
    "lead to",
    "result in",
    "precipit",
)


def not_entries(rules: Rules, low: str) -> list[tuple[int, int]]:
    """The spans of ``low`` whose conditions are no entries (empty without their cue words)."""
    if not any(c in low for c in _CUES):
        return []
    return [(m.start(), m.end()) for m in rules.not_entry.finditer(low)]
