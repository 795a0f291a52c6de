"""Failure wording of the ``prior_therapy`` kind that names no agent: progression on the most recent, last or prior
therapy ("documented progression on or after the most recent line of therapy", "refractory to prior therapy",
"progressed after first line of therapy", "failure of at least front-line therapy"). One criterion, required, at
least one line (GUIDE: "at least one prior line" -> min_lines 1). Patterns: ``failure`` in ``prior_therapy.yaml``."""

from __future__ import annotations

import re
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.grammar import any_in
from extractor.rules.ruledata import Pattern

__all__ = ["FailureRules", "progressed_prior", "progression_excluded", "repeated"]


class FailureRules(BaseModel):
    """``failure``: its gate words, the progression on a prior therapy, what rules a sentence out."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]
    progressed: Pattern
    skip: Pattern
    progressed_on: Pattern


def progressed_prior(rules: FailureRules, lower: str, s: int, e: int) -> re.Match[str] | None:
    """The progression on an unnamed prior therapy in ``lower[s:e]``, unless the sentence is about something else
    (a biopsy or a screening "at progression on prior treatment")."""
    seg = lower[s:e]
    if not any_in(rules.gate, seg):
        return None
    m = rules.progressed.search(lower, s, e)
    if m is None or rules.skip.search(lower, s, e) is not None:
        return None
    return m


C = TypeVar("C", bound=Therapy)


def repeated(out: list[C], rules: FailureRules) -> list[C]:
    """Drop a bare "at least one line" that repeats an earlier agentless line requirement of the item ("received 1
    to 4 prior lines. Must have progressed on the most recent line of therapy"): it adds nothing. Only a criterion that
    quotes a progression on an unnamed prior therapy goes (another cohort's "at least 1 prior line" stays)."""
    kept: list[C] = []
    for c in out:
        bare = not c.agents and c.requirement == "required" and c.min_lines == 1 and c.max_lines is None
        mine = bare and progressed_prior(rules, c.evidence.text.lower(), 0, len(c.evidence.text)) is not None
        if mine and any(not k.agents and k.requirement == "required" and k.min_lines for k in kept):
            continue
        kept.append(c)
    return kept


def progression_excluded(out: list[C], rules: FailureRules, exclusion: bool) -> list[C]:
    """Exclusion "Previous progression of melanoma while on X", "has developed progressive disease on the current
    line of X": the patient may have had X (required when it is the current therapy) and must not have progressed
    on it, so a response on X is required (the model's ``response_required``; GUIDE, third round: the requirement
    as the item states it, progression timing no window)."""
    if not exclusion:
        return out
    for c in out:
        if c.requirement != "excluded" or not c.agents or c.within_weeks is not None or c.min_lines or c.max_lines:
            continue
        m = rules.progressed_on.match(c.evidence.text.lower())
        if m is not None:
            c.requirement = "required" if m.group("current") else "allowed"
            c.response_required = True
    return out
