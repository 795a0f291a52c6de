"""Children of a washout lead-in (``prior_therapy``, issue 11, round 14): a pass after the extractor.

A lead-in such as "Time between prior anticancer therapy and first dose must be:", "Washout periods:", "Prior
therapy within the following windows:" or "Has received the following within 7 days prior to the first dose:"
lists washouts as child items ("Cytotoxic chemotherapy - 3 weeks", "4 weeks: systemic corticosteroids",
"Fulvestrant"). Whatever the section, each child is a washout (GUIDE: washouts; "at least N weeks since" is
``within_weeks`` too): a criterion without a window takes the time inside its evidence ("- 3 weeks", "≥ 2 weeks for
X") or, with none, the lead-in's one window, and a ``required`` read becomes ``excluded`` (so does the lead-in's own
agent). Allowed criteria, exceptions ("No washout for X") and example times ("e.g., 6 weeks for X") are left alone.
A second time in a parenthesis after a qualifier ("Radiotherapy: 2 weeks (palliative: 1 week)") is a second
criterion for the qualified agent. Patterns: ``washout_children`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_numbers import NumberRules, quantities, tokens, weeks_of, windows_of
from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["ChildRules", "washout_children"]

#: The fields every criterion shares (set by ``ItemContext.make``), not copied into a second criterion.
_BASE = frozenset({"kind", "polarity", "cohort", "item", "backend", "evidence"})


C = TypeVar("C", bound=Therapy)


class ChildRules(BaseModel):
    """``washout_children`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    lead: Pattern
    not_lead: Pattern
    not_time: Pattern
    example: Pattern
    second: Pattern


class _Parent(Protocol):
    @property
    def washout_children(self) -> ChildRules: ...

    @property
    def numbers(self) -> NumberRules: ...


def washout_children(ctx: ItemContext, rules: _Parent, out: list[C], cls: type[Any]) -> list[C]:
    """``out`` with the windows and the requirement a washout lead-in gives its child (and itself)."""
    if not out:
        return out
    r = rules.washout_children
    if ctx.lower.rstrip().endswith(":") and r.lead.search(ctx.lower) and not r.not_lead.search(ctx.lower):
        for c in out:  # the lead-in itself ("Time between prior anticancer therapy and first dose:"): a washout
            if c.requirement == "required" and c.agents and c.min_lines is None and c.min_duration_months is None:
                c.requirement = "excluded"
    if not ctx.lead_in:
        return out
    lead = ctx.lead_in
    if r.lead.search(lead) is None or r.not_lead.search(lead) is not None:
        return out
    todo = [
        c
        for c in out
        if c.agents
        and c.requirement != "allowed"
        and c.min_duration_months is None
        and r.not_lead.search(c.evidence.text.lower()) is None  # "No washout for X", "Exceptions: ..."
    ]
    if not todo:
        return out
    num = rules.numbers
    lower = ctx.lower
    own = [
        q
        for q in quantities(num, lower, 0, len(lower), tokens(lower, 0, len(lower)))
        if not q.dur
        and r.not_time.match(lower, q.end) is None
        and r.example.search(lower, max(0, q.start - 16), q.start) is None
    ]
    weeks = sorted({weeks_of(q.n, q.unit) for q in own})
    if len(weeks) == 2 and len(todo) == 1 and len(todo[0].agents) == 1:
        c, first, second = todo[0], own[0], own[-1]
        m = r.second.search(lower, first.end, second.start)
        if m is not None and c.within_weeks in (None, weeks_of(first.n, first.unit)):
            c.within_weeks = weeks_of(first.n, first.unit)  # "2 weeks (palliative: 1 week)": two windows
            c.requirement = "excluded"
            close = lower.find(")", second.end)
            fields = {k: v for k, v in c.model_dump().items() if k not in _BASE}
            fields |= {"agents": [f"{m.group('q')} {c.agents[0]}"], "within_weeks": weeks_of(second.n, second.unit)}
            return [*out, ctx.make(cls, m.start("q"), close if close > 0 else second.end, **fields)]
    spans = [(ctx.evidence(q.start, q.end), weeks_of(q.n, q.unit)) for q in own]
    lead_w: list[float] | None = None
    for c in todo:
        ev = c.evidence
        inside = {w for q, w in spans if ev.start <= q.start and q.end <= ev.end}
        if not inside:  # no time of its own ("Fulvestrant", "Chemotherapy"): the lead-in's one window
            if lead_w is None:
                lead_q = quantities(num, lead, 0, len(lead), tokens(lead, 0, len(lead)))
                lead_w = sorted({w.weeks for w in windows_of(num, lead, 0, lead_q)})
            inside = set(lead_w)
        if len(inside) != 1:
            continue
        w = inside.pop()
        if c.within_weeks is None:
            c.within_weeks = w
        if abs(c.within_weeks - w) <= 0.15:
            c.requirement = "excluded"
    return out
