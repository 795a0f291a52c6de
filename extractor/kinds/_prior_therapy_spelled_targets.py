"""A checkpoint target spelled out in full: "anti-cytotoxic T-lymphocyte-associated antigen 4
(CTLA-4) antibody", "an anti-programmed cell death 1 protein (PD-1)/programmed cell death ligand 1 (PD-L1)
treatment", "PD-1/PD-L1 and cytotoxic T lymphocyte-associated protein 4 inhibitors" (about 15 non-gold corpus
trials, where the lexicon read no agent or "chemotherapy" from "cytotoxic"). The target is the abbreviation written
after the name, else the name's; coordinated names share "anti" and the head. One agent per name no other agent
names there: "<target> inhibitor" before an inhibitor head, the lexicon's "anti-<target>" after "anti" or before
a therapy head; a bare name only for the `bare` targets (PD-L1 alone is an expression marker): "anti-<target>"
where the item writes other targets so, else "<target> inhibitor". Patterns: ``agents.spelled_targets`` of
``prior_therapy.yaml``."""

from __future__ import annotations

from typing import NamedTuple

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
    bare: frozenset[str]  # targets a bare spelled name names a therapy of
    anti: Pattern  # right before the name: "anti-"
    after: Pattern  # right after the name: the abbreviation (group a) and the head (group h)
    joiner: Pattern  # between two coordinated names
    abbreviated: Pattern  # after a group: a target by its abbreviation ("(PD-1)/PD-L1 therapy"), read by the lexicon
    sibling_anti: Pattern  # the item names other targets "anti-<target>"


class _Name(NamedTuple):
    start: int
    end: int  # of the name
    stop: int  # of the phrase (abbreviation and head)
    target: str
    anti: bool
    head: str


def _names(rules: SpelledTargets, lower: str) -> list[_Name]:
    """The spelled names of the item, in text order, each with its own "anti", abbreviation and head."""
    keys = {k.replace("-", ""): k for k in rules.names}
    out: list[_Name] = []
    for target, rx in rules.names.items():
        for m in rx.finditer(lower):
            a = rules.after.match(lower, m.end())
            abbr = (a.group("a") or "").replace("-", "") if a else ""
            anti = rules.anti.search(lower, max(0, m.start() - 6), m.start()) is not None
            head = (a.group("h") or "") if a else ""
            out.append(_Name(m.start(), m.end(), a.end() if a else m.end(), keys.get(abbr, target), anti, head))
    return sorted(out)


def _groups(rules: SpelledTargets, lower: str, names: list[_Name]) -> list[list[_Name]]:
    """The names joined by "/", "or", "and" or a comma."""
    groups: list[list[_Name]] = []
    for n in names:
        if groups and rules.joiner.fullmatch(lower, groups[-1][-1].stop, n.start):
            groups[-1].append(n)
        else:
            groups.append([n])
    return groups


def _agent_name(rules: SpelledTargets, lower: str, target: str, anti: bool, head: str) -> str | None:
    """The agent name of one target's therapy (None: a bare name that names no therapy)."""
    name = f"anti-{target}"
    if head.startswith(("inhibit", "block", "antagon")):
        return f"{target} inhibitor"
    if anti or head:
        return lookup(f"{name} therapy") or lookup(name) or name
    if target not in rules.bare:
        return None
    return (lookup(name) or name) if rules.sibling_anti.search(lower) else f"{target} inhibitor"


def spelled_targets(rules: SpelledTargets, lower: str, agents: list[Agent]) -> list[Agent]:
    """``agents`` with the spelled-out targets' therapies added (the mentions inside the name dropped), sorted."""
    if not any_in(rules.gate, lower):
        return agents
    for group in _groups(rules, lower, _names(rules, lower)):
        if rules.abbreviated.match(lower, group[-1].stop):
            continue
        anti, head = any(n.anti for n in group), group[-1].head
        for n in group:
            name = _agent_name(rules, lower, n.target, anti or n.anti, n.head or head)
            inside = [a for a in agents if n.start <= a.start and a.end <= n.end]
            if name is None or any(a.start < n.stop and a.end > n.start for a in agents if a not in inside):
                continue  # the lexicon names it there already ("(anti-PD-1)", "(PD-L1) inhibitor")
            kept = [a for a in agents if a not in inside]
            agents = sorted([*kept, Agent(n.start, n.stop, name)], key=lambda a: a.start)
    return agents
