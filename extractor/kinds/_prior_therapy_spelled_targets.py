"""A checkpoint target spelled out in full (ptagents7): "anti-cytotoxic T-lymphocyte-associated antigen 4
(CTLA-4) antibody", "PD-1/PD-L1 and cytotoxic T lymphocyte-associated protein 4 inhibitors", "Treatment with PD-1,
..., cytotoxic T-lymphocyte associated protein 4 (CTLA-4), or any other immune checkpoint inhibitor" (about 10
non-gold corpus trials, where the lexicon read no agent or "chemotherapy" from "cytotoxic"). One agent per spelled
name no other agent names there: "anti-<target>" after "anti", "<target> inhibitor" before an inhibitor head, the
lexicon's "anti-<target> therapy" before a therapy head, else "anti-<target>" where the item writes other
targets so, or "<target> inhibitor". Patterns:
``agents.spelled_targets`` of ``prior_therapy.yaml``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from extractor.rules.drugs import Agent, lookup
from extractor.rules.grammar import any_in
from extractor.rules.ruledata import Pattern

__all__ = ["SpelledTargets", "spelled_targets"]


class SpelledTargets(BaseModel):
    """Spelled-out target names (target -> regex) and the words around them."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)
    gate: tuple[str, ...]
    names: dict[str, Pattern]
    anti: Pattern  # right before the name: "anti-"
    after: Pattern  # right after the name: "(CTLA-4)" and the head (group h: inhibitor / therapy word)
    sibling_anti: Pattern  # the item names other targets "anti-<target>": a bare spelled name is one too


def _name(rules: SpelledTargets, target: str, lower: str, s: int, e: int) -> tuple[str, int]:
    """The agent name of one spelled target and the end of its phrase."""
    anti = f"anti-{target}"
    m = rules.after.match(lower, e)
    end = m.end() if m else e
    if rules.anti.search(lower, max(0, s - 6), s):
        return lookup(anti) or anti, end
    head = m.group("h") if m else None
    if head and head.startswith(("inhibit", "block", "antagon")):
        return f"{target} inhibitor", end
    if head:
        return lookup(f"{anti} therapy") or anti, end
    if rules.sibling_anti.search(lower):
        return lookup(anti) or anti, end
    return f"{target} inhibitor", end


def spelled_targets(rules: SpelledTargets, lower: str, agents: list[Agent]) -> list[Agent]:
    """``agents`` with the spelled-out targets' therapies added (the mentions inside the name dropped), sorted."""
    if not any_in(rules.gate, lower):
        return agents
    for target, rx in rules.names.items():
        for m in rx.finditer(lower):
            name, end = _name(rules, target, lower, m.start(), m.end())
            inside = [a for a in agents if m.start() <= a.start and a.end <= m.end()]
            if any(a.start < end and a.end > m.start() for a in agents if a not in inside):
                continue  # the lexicon names it there already ("(anti-CTLA-4) based therapy")
            kept = [a for a in agents if a not in inside]
            agents = sorted([*kept, Agent(m.start(), end, name)], key=lambda a: a.start)
    return agents
