"""Ongoing and suitable therapy of the ``prior_therapy`` kind (issue 11, round 12): a pass after the extractor.

- An ongoing therapy's exposure length ("must be on a TKI at the same dose for at least 8 weeks", "LHRH agonist ...
  must have been initiated >= 4 weeks prior to first dose"): the sentence rules read the time as a window; it is a
  duration (GUIDE, third round: exposure length is ``min_duration_months``, never ``within_weeks``), and the
  therapy is required (unless the item allows it). Inclusion items only.
- A suitability judgement written after the therapy ("patients for whom endocrine therapy is recommended", "for
  whom single agent pembrolizumab is appropriate"): the agents inside it name no therapy (GUIDE: a suitability
  judgement is ``other``); a criterion left without agents is dropped. Written before the therapy ("unfit for X",
  "candidacy for X"): ``_prior_therapy_suitability``.

Word lists and patterns: ``planned_therapy`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_exposure import received_exposure
from extractor.kinds._prior_therapy_suitability import SuitabilityRules, named_only_inside, suitability, without_agents
from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.grammar import any_in, to_months, to_weeks
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["PlannedRules", "planned_therapy"]


C = TypeVar("C", bound=Therapy)


class PlannedRules(BaseModel):
    """``planned_therapy`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    exposure_gate: tuple[str, ...]
    exposure: Pattern
    exposure_not: Pattern
    received: Pattern
    received_not: Pattern
    received_negated: Pattern
    received_permission: Pattern
    received_must: Pattern
    suitable_gate: tuple[str, ...]
    suitable: Pattern
    lead_suitable: SuitabilityRules


class _Parent(Protocol):
    @property
    def planned_therapy(self) -> PlannedRules: ...


def planned_therapy(ctx: ItemContext, rules: _Parent, out: list[C]) -> list[C]:
    """``out`` with exposure lengths read as durations and suitability judgements' agents dropped."""
    if not out:
        return out
    r = rules.planned_therapy
    lower = ctx.lower
    if not ctx.is_exclusion and any_in(r.exposure_gate, lower):
        _exposure(ctx, r, out)
    if "for " in lower:
        received_exposure(ctx, r, out)
    if any_in(r.suitable_gate, lower):
        out = _suitable(ctx, r, out)
    return suitability(ctx, r.lead_suitable, out)


def _holder(ctx: ItemContext, out: list[C], s: int, e: int, weeks: float) -> C | None:
    """The criterion whose evidence holds the item span ``s:e`` (the last one that starts before it), else the one
    criterion whose window is that time (a window the extractor read into another sentence's criterion)."""
    ev = ctx.evidence(s, e)
    best: C | None = None
    for c in out:
        if c.evidence.start <= ev.start and ev.end <= c.evidence.end:
            best = c
    if best is not None:
        return best
    same = [c for c in out if c.within_weeks is not None and abs(c.within_weeks - weeks) <= 0.15]
    return same[0] if len(same) == 1 else None


def _exposure(ctx: ItemContext, r: PlannedRules, out: list[C]) -> None:
    for m in r.exposure.finditer(ctx.lower):
        span = m.group("span") or m.group("what") or ""
        if r.exposure_not.search(span):
            continue  # "must be on a stable dose for 7 days": the dose's stability, not an exposure
        n, unit = float(m.group("n")), m.group("unit")
        c = _holder(ctx, out, m.start("n"), m.end(), to_weeks(n, unit))
        if c is None or c.min_duration_months is not None:
            continue
        weeks = c.within_weeks
        if weeks is not None and abs(weeks - to_weeks(n, unit)) > 0.15:
            continue  # the criterion's window is another time of the item
        c.min_duration_months = round(to_months(n, unit), 2)
        c.within_weeks = None
        if c.requirement == "excluded":
            c.requirement = "required"  # "starting at least 3 weeks before" read as a washout


def _suitable(ctx: ItemContext, r: PlannedRules, out: list[C]) -> list[C]:
    lower = ctx.lower
    spans = [
        (m.start(g), m.end(g)) for m in r.suitable.finditer(lower) for g in ("body", "more") if m.group(g) is not None
    ]
    if not spans:
        return out
    drop = named_only_inside(lower, spans)
    return without_agents(out, drop.__contains__, required_only=True) if drop else out
