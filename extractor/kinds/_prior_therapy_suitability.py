"""Suitability written before the therapy in the ``prior_therapy`` kind: a pass after the extractor.

"Patients medically unfit for the planned surgical procedure", "candidacy for hematopoietic stem cell transplantation
based on the investigator's judgment", "amenable to being treated with ovarian function suppression drugs", "must be
eligible to receive neoadjuvant androgen deprivation therapy": the therapy is one the patient could be given, not one
the patient has had or must avoid (GUIDE: a suitability judgement is ``other``). The agents named only inside the
judgement's clause are dropped; a criterion left without agents is dropped. A sentence that also states a treatment
history ("failed or ineligible for X", "received X ... if eligible to receive") is left as it is.

Patterns: ``planned_therapy.lead_suitable`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.drugs import find_agents
from extractor.rules.grammar import any_in
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["SuitabilityRules", "suitability"]

C = TypeVar("C", bound=Therapy)


class SuitabilityRules(BaseModel):
    """``planned_therapy.lead_suitable`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]
    lead: Pattern  # the judgement; group ``body`` (``body2``, ``body3``): the clause it covers
    history: Pattern  # a treatment-history cue in the same sentence


def _sentence(lower: str, s: int, e: int) -> tuple[int, int]:
    start = max(lower.rfind(". ", 0, s), lower.rfind(";", 0, s)) + 1
    ends = [i for i in (lower.find(". ", e), lower.find(";", e)) if i >= 0]
    return start, min(ends) if ends else len(lower)


def _dropped(name: str, drop: set[str]) -> bool:
    """Whether a criterion's agent is a dropped mention, a written qualifier kept ("hematopoietic stem cell
    transplant" for the mention "stem cell transplant")."""
    return name in drop or any(name.endswith(f" {d}") for d in drop)


def named_only_inside(lower: str, spans: list[tuple[int, int]]) -> set[str]:
    """Agent names (and their qualified forms) found only inside ``spans``, never elsewhere in the item."""
    inside: set[str] = set()
    outside: set[str] = set()
    for a in find_agents(lower):
        names = {a.name, *(a.qualified or ())}
        (inside if any(s <= a.start and a.end <= e for s, e in spans) else outside).update(names)
    return inside - outside


def without_agents(out: list[C], dropped: Callable[[str], bool], required_only: bool = False) -> list[C]:
    """``out`` with the ``dropped`` agents removed (only from required criteria when ``required_only``); a criterion
    left with none named only the suitable therapy and goes (`other`)."""
    kept: list[C] = []
    for c in out:
        if c.agents and any(dropped(n) for n in c.agents) and (not required_only or c.requirement == "required"):
            rest = [n for n in c.agents if not dropped(n)]
            if not rest:
                continue
            c.agents = rest
        kept.append(c)
    return kept


def suitability(ctx: ItemContext, r: SuitabilityRules, out: list[C]) -> list[C]:
    """``out`` without the agents that only a suitability judgement names."""
    lower = ctx.lower
    if not out or not any_in(r.gate, lower):
        return out
    spans: list[tuple[int, int]] = []
    for m in r.lead.finditer(lower):
        g = next(g for g in ("body", "body2", "body3") if m.group(g) is not None)
        ss, se = _sentence(lower, m.start(), m.end())
        if r.history.search(lower, ss, m.start()) or r.history.search(lower, m.start(g), se):
            continue  # the judgement's own words ("amenable to being treated with") are no history
        spans.append((m.start(g), m.end(g)))
    if not spans:
        return out
    drop = named_only_inside(lower, spans)
    return without_agents(out, lambda n: _dropped(n, drop)) if drop else out
