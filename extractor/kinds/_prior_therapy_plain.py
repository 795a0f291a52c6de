"""Exclusion items of the ``prior_therapy`` kind that state the rule as written (round 27).

GUIDE (second round): an inclusion-type statement under an exclusion heading is labelled by what it plainly means.
A modal negation before the agents ("Participants must not have received X") or an item that opens with "No"
("No prior radiation therapy for prostate cancer", "Part A: No major surgery within 28 days") under an exclusion
heading excludes the agents; it is not read as a reason for exclusion (which would make them required). A modal
demand without a window ("EGFR-mutant patients must have received prior TKI treatment") requires them.

Patterns: ``requirement.modal_negation``, ``requirement.opening_no`` and ``requirement.modal_demand`` in
``prior_therapy.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal, Protocol

from extractor.rules.drugs import Agent


class _Patterns(Protocol):
    @property
    def modal_negation(self) -> re.Pattern[str]: ...
    @property
    def opening_no(self) -> re.Pattern[str]: ...
    @property
    def modal_demand(self) -> re.Pattern[str]: ...


class _Group(Protocol):
    @property
    def agents(self) -> Sequence[Agent]: ...
    @property
    def window(self) -> object: ...
    @property
    def neg(self) -> bool: ...
    @property
    def clause(self) -> tuple[int, int]: ...


def plain_rule(req: _Patterns, lower: str, g: _Group) -> Literal["excluded", "required", ""]:
    """The requirement an exclusion item's clause states as written for its agents ("" when it states none): a plain
    negation excludes them; a modal demand before them, with no window, requires them."""
    if not g.agents:
        return ""
    start, agent = g.clause[0], g.agents[0].start
    if g.neg:
        return "excluded" if plain_negation(req.modal_negation, req.opening_no, lower, start, agent) else ""
    return "required" if g.window is None and req.modal_demand.search(lower, start, agent) is not None else ""


def plain_negation(modal: re.Pattern[str], opening: re.Pattern[str], lower: str, start: int, agent: int) -> bool:
    """Whether the negation of the agent at ``agent`` (its clause opening at ``start``) states the rule as written: a
    modal negation in the clause before it, or the item's opening "No" before it."""
    if modal.search(lower, start, agent) is not None:
        return True
    m = opening.match(lower)
    return m is not None and m.end() <= agent
