"""A prior therapy named by its molecular target with no "targeted" / "directed" word (ptrec4): "Prior IL-12
therapy", "previously received anti-CLDN18.2 therapy", "Prior PD1 or CTLA4 inhibition therapy", "Prior
PSMA-Lu177-617 therapy within 4 weeks", "received other IL-15 treatments" (about 8 non-gold corpus trials left
`other`). The phrase follows a prior-treatment word ("prior", "previously", "received", "treatment with"); one agent
per target the lexicon did not already name there: the lexicon's name where it has one ("pd1 inhibition" -> pd-1
inhibitor, "anti-her2 therapy"), else as written ("anti-cldn18.2 therapy", "il-12 therapy"; an "inhibition" /
"blockade" head -> "<target> inhibitor"). Pattern: ``agents.target_named`` of ``prior_therapy.yaml``."""

from __future__ import annotations

import re

from extractor.rules.drugs import Agent, lookup
from extractor.rules.grammar import any_in

__all__ = ["target_named"]

_TARGETED = re.compile(r"target|direct")
_SPLIT = re.compile(r"\s*(?:/|,|\bor\b|\band/or\b|\band\b)\s*")


def _name(target: str, inhibition: bool, head: str) -> str:
    """The agent name of one target's therapy (the lexicon's where it has one)."""
    if inhibition:
        return lookup(f"{target} inhibitor") or f"{target} inhibitor"
    bare = target.removeprefix("anti-").removeprefix("anti")
    forms = (f"{target} {head}", f"anti-{bare} {head}", f"anti-{bare}")  # "PD-1 therapy": the lexicon's anti-pd-1
    return next((n for f in forms if (n := lookup(f)) is not None), f"{target} {head}")


def target_named(rx: re.Pattern[str], gate: tuple[str, ...], lower: str, agents: list[Agent]) -> list[Agent]:
    """``agents`` and the therapies the item names by a target after a prior-treatment word, sorted."""
    if not any_in(gate, lower):
        return agents
    new: list[Agent] = []
    for m in rx.finditer(lower):
        if _TARGETED.search(m.group("t")) or any(a.start < m.end() and a.end > m.start("t") for a in agents):
            continue  # a "targeted" phrase (``targeted``) or a name the lexicon has there already
        head = "agent" if m.group("h").startswith("agent") else "therapy"
        pos = m.start("t")
        for part in _SPLIT.split(m.group("t")):
            t = part.strip(" -")
            if not t:
                continue
            ts = lower.find(t, pos)
            pos = ts + len(t)
            new.append(Agent(ts, pos, _name(t, m.group("i") is not None, head)))
    return sorted([*agents, *new], key=lambda a: a.start) if new else agents
