"""Permissions of the ``prior_therapy`` kind written without a "prior / received" cue (round 12).

A sentence that admits a therapy is ``prior_therapy`` ``allowed`` (GUIDE, second round: concurrent medication; third
round: a permitted procedure inside an exclusion). The context cues of ``prior_therapy.yaml`` read "is not
exclusionary", "is not considered major surgery", "there will be no restriction for X" as permissions; this module
drops the class such a cue names as the rule it is measured against ("port placement is not considered major
surgery": major surgery is not admitted, port placement is).

Patterns: ``permission`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from extractor.rules.drugs import Agent
from extractor.rules.grammar import any_in
from extractor.rules.ruledata import Pattern


class PermissionRules(BaseModel):
    """``permission``: the cheap gate (substrings) and the phrase whose class is the rule, not an admitted agent."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]
    cue: Pattern
    stop: Pattern
    measure: Pattern


def unmeasured(rules: PermissionRules, lower: str, agents: list[Agent]) -> list[Agent]:
    """``agents`` without those inside a "not considered <class>" phrase (the class the permitted agent is measured
    against: "biopsy is not considered major surgery", "is not considered cancer therapy for this protocol")."""
    if not agents or not any_in(rules.gate, lower):
        return agents
    spans = [(m.start("cls"), m.end("cls")) for m in rules.measure.finditer(lower)]
    if not spans:
        return agents
    return [a for a in agents if not any(s <= a.start and a.end <= e for s, e in spans)]


def cut(rules: PermissionRules, clean: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans with a permission sentence the splitter joined to the one before ("... before Cycle 1 Day 1.
    Non-live vaccines are not exclusionary") cut off at its start: the permission reaches its own agents only."""
    lower = clean.lower()
    if not any_in(rules.gate, lower):
        return spans
    out: list[tuple[int, int]] = []
    for s, e in spans:
        m = rules.cue.search(lower, s, e)
        stops = [x.end() for x in rules.stop.finditer(clean, s, m.start())] if m is not None else []
        out.extend([(s, stops[-1]), (stops[-1], e)] if stops else [(s, e)])
    return out
