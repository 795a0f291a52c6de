"""The study treatment that only dates a vaccine rule: "anticipation of need for such a vaccine during
atezolizumab treatment or within 5 months after the final dose of atezolizumab", "should not receive live vaccine
while receiving the investigational product", "may not receive any non-oncology vaccine therapy during the period of
Nivolumab" (about 6 non-gold corpus trials reported the study drug as the therapy ruled on). A drug named right
after a period cue that follows the word vaccine in the same sentence is dropped; "such a vaccine" names the vaccine
named before it (GUIDE: planned or concurrent therapy is the therapy planned). Patterns: ``vaccines.period`` /
``vaccines.such`` of ``prior_therapy.yaml``."""

from __future__ import annotations

import re

from extractor.rules.drugs import Agent
from extractor.rules.ruledata import Pattern

__all__ = ["vaccine_period"]

_GAP = re.compile(r"[^.;]{0,20}")  # between the cue and a dated drug ("during SG or atezolizumab")


def _vaccine(a: Agent) -> bool:
    return "vaccin" in a.name or a.name == "bcg"


def vaccine_period(period: Pattern, such: Pattern, lower: str, agents: list[Agent]) -> list[Agent]:
    """``agents`` without the drugs that only date a vaccine rule, with "such a vaccine" named (see the module doc)."""
    if not any(_vaccine(a) for a in agents):
        return agents
    dating: list[Agent] = []
    for m in period.finditer(lower):
        begin = max(lower.rfind(". ", 0, m.start()), lower.rfind(";", 0, m.start()), 0)
        if "vaccin" not in lower[begin : m.start()]:
            continue
        dating.extend(a for a in agents if not _vaccine(a) and _GAP.fullmatch(lower, m.end(), a.start))
    kept = [a for a in agents if a not in dating]
    new: list[Agent] = []
    for m in such.finditer(lower):
        before = [a for a in kept if _vaccine(a) and a.end <= m.start()]
        if before and not any(a.start < m.end() and m.start() < a.end for a in kept):
            new.append(Agent(m.start(), m.end(), before[-1].name))
    return sorted([*kept, *new], key=lambda a: a.start) if new or dating else agents
