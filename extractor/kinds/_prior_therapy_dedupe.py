"""One fact per agent for the ``prior_therapy`` kind: the criteria of one item, with repeats merged or dropped."""

from __future__ import annotations

from typing import TypeVar

from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.drugs import agent_classes, is_class
from extractor.rules.grammar import any_in

__all__ = ["NUMERIC", "dedupe"]

NUMERIC = ("setting", "min_lines", "max_lines", "min_duration_months", "within_weeks", "response_required")
"""The fields beside ``agents`` and ``requirement`` that make a criterion another fact."""


C = TypeVar("C", bound=Therapy)


def dedupe(out: list[C], planned_gate: tuple[str, ...]) -> list[C]:
    """One fact per agent: a later criterion that repeats the agents and requirement of an earlier bare mention is
    merged into it; an agent repeated under the same requirement is dropped from a later criterion that keeps other
    agents (another requirement is another fact: "except systemic corticosteroids <= 10 mg"); a plan is its own."""
    _fold_based(out)
    kept: list[C] = []
    for c in out:
        names = set(c.agents)
        merged = False
        for k in kept:
            bare = all(getattr(k, f) is None for f in NUMERIC)
            if bare and k.requirement == c.requirement and (names == set(k.agents) or _head(k.agents, names)):
                for f in NUMERIC:  # "Concomitant metformin. ... must discontinue metformin 5 days before"
                    setattr(k, f, getattr(c, f))
                merged = True
                break
        if merged:
            continue
        if any(
            names <= set(k.agents)  # "... investigational agent or device within 4 weeks. ... as long as it has been
            and k.requirement == c.requirement  # 4 weeks after the last dose of the investigational agent"
            and all(getattr(k, f) == getattr(c, f) for f in NUMERIC)
            for k in kept
        ):
            continue  # "Live vaccine within 30 days ... Note: should not receive live vaccine ... 30 days": a repeat
        earlier = {n for k in kept if k.requirement == c.requirement for n in k.agents}
        text = c.evidence.text.lower()
        plan = any_in(planned_gate, text)  # "or anticipated need for X"
        if names and names <= earlier and all(getattr(c, f) is None for f in NUMERIC) and not plan:
            continue  # "Major surgery within 4 weeks ...; or plans to undergo major surgery": a bare repeat
        rest = [n for n in c.agents if n not in earlier]
        if rest and len(rest) < len(c.agents):
            c.agents = rest
        kept.append(c)
    return kept


_BASED = "-based chemotherapy"


def _fold_based(out: list[C]) -> None:
    """An agent class named beside its own "<class>-based chemotherapy" in the item is that chemotherapy
    ("platinum-resistant, defined as progression within 6 months of platinum-based chemotherapy"; "one
    platinum-based chemotherapy regimen for at least 4 cycles of platinum"): renamed, a repeat in one list dropped."""
    based = {n[: -len(_BASED)]: n for c in out for n in c.agents if n.endswith(_BASED)}
    if not based:
        return
    for c in out:
        agents = [based.get(n, n) for n in c.agents]
        c.agents = list(dict.fromkeys(agents))


def _head(agents: list[str], names: set[str]) -> bool:
    """Whether ``names`` is the class heading a list of drugs it gives as examples ("Herbal medications. These include
    St. John's wort, kava, ... Stop herbal medications 7 days prior": the window is the class's)."""
    return (
        len(agents) > 1
        and names == {agents[0]}
        and not any(map(is_class, agents[1:]))
        and any(agents[0] in agent_classes(n) for n in agents[1:])
        and all(agents[0] in agent_classes(n) or not agent_classes(n) for n in agents[1:])
    )
