"""Exclusion items of the ``prior_therapy`` kind that state the rule as written (round 27).

GUIDE (second round): an inclusion-type statement under an exclusion heading is labelled by what it plainly means.
A modal negation before the agents ("Participants must not have received X") or an item that opens with "No"
("No prior radiation therapy for prostate cancer", "Part A: No major surgery within 28 days") under an exclusion
heading excludes the agents; it is not read as a reason for exclusion (which would make them required).

Patterns: ``requirement.modal_negation`` and ``requirement.opening_no`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

import re


def plain_negation(modal: re.Pattern[str], opening: re.Pattern[str], lower: str, start: int, agent: int) -> bool:
    """Whether the negation of the agent at ``agent`` (its clause opening at ``start``) states the rule as written: a
    modal negation in the clause before it, or the item's opening "No" before it."""
    if modal.search(lower, start, agent) is not None:
        return True
    m = opening.match(lower)
    return m is not None and m.end() <= agent
