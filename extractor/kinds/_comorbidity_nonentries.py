"""Conditions named only as a circumstance of another rule are no entries: what a rule holds "in the absence of"
("inhaled steroids are permitted in the absence of active autoimmune disease"), what a short steroid course prevents or
treats ("corticosteroids for prophylaxis (e.g., contrast dye allergy) or for treatment of non-autoimmune
conditions (e.g., delayed-type hypersensitivity)"), what a drug prevents or premedicates for ("prophylactic
antibiotics (e.g., to prevent COPD exacerbation)"), the reason a procedure or a medication is given ("radiosurgery
for trigeminal neuralgia", "corticosteroids for COPD or asthma are allowed") and an effect something may cause ("drugs
known to cause depression"). The rule is ``comorbidity.yaml``'s ``not_entry``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["not_entries"]

_CUES = (
    "autoimmune",
    "absence",
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
    out: list[tuple[int, int]] = []
    admitted = -1  # the end of a sentence whose patients take a medication for a reason: its reasons admit them
    for m in rules.not_entry.finditer(low):
        if m.group("subj"):  # "patients who received corticosteroids for COPD or asthma, or ... are eligible"
            stop = min((i for i in (low.find(". ", m.end()), low.find(";", m.end())) if i != -1), default=len(low))
            admitted = stop
        elif not (m.group("med") and m.start() < admitted):
            out.append((m.start(), m.end()))
    return out
