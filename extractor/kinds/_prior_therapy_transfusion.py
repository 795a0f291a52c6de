"""Transfusion beside a blood count (``prior_therapy``): a step of the concomitant pass.

A count that must hold without transfusion ("Platelets >= 100,000/uL without transfusion", "with no blood
transfusion in the past 14 days", "in the absence of transfusions for at least 2 weeks", "must be >= 7 days after
most recent transfusion"): the transfusion is ``excluded``, with the clause's window. A count that may be reached
with one ("may be transfused to meet this criterion", "can be transfused", "with or without transfusion"): ``allowed``.
Only in an item (or under a lead-in) that names a blood count, and only where no criterion of the item names a
transfusion already (the sentence rules read those with a window). Names as the lexicon gives them ("platelet
transfusion", "packed red blood cell transfusion"), with a support agent coordinated after it ("or growth factor
support").
Patterns: ``conmed.transfusion`` of ``prior_therapy.yaml``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_agents import AgentRules
from extractor.kinds._prior_therapy_qualifiers import qualify
from extractor.rules.drugs import find_agents
from extractor.rules.ruledata import Pattern

__all__ = ["TransfusionRules", "absence_weeks", "transfusion_names"]


class TransfusionRules(BaseModel):
    """``conmed.transfusion`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    counts: Pattern
    excluded: Pattern
    allowed: Pattern
    joined: Pattern
    clause_end: Pattern
    clause_start: Pattern
    absence_for: Pattern


def transfusion_names(
    r: TransfusionRules, agents: AgentRules, lower: str, span: tuple[int, int], lead_in: str = ""
) -> tuple[list[str], str, tuple[int, int]]:
    """The agents, requirement and clause span (for the window) of the sentence ``span``; no agents when it
    states no transfusion rule."""
    s, e = span
    if r.counts.search(lower) is None and r.counts.search(lead_in.lower()) is None:  # the item or its lead-in
        return [], "", (s, e)
    m = r.allowed.search(lower, s, e)
    requirement = "allowed"
    if m is None:
        m = r.excluded.search(lower, s, e)
        requirement = "excluded"
    if m is None:
        return [], "", (s, e)
    end_m = r.clause_end.search(lower, m.end(), e)
    ce = end_m.start() if end_m is not None else e
    cs = max((x.end() for x in r.clause_start.finditer(lower, s, m.start())), default=s)
    found = [
        a
        for a in find_agents(lower)
        if m.start() <= a.start < ce and (a.start < m.end() or r.joined.fullmatch(lower, m.end(), a.start) is not None)
    ]
    names: list[str] = []
    for a in qualify(agents.qualifiers, lower, found):
        for n in a.qualified or (a.name,):
            if n not in names:
                names.append(n)
    if not any("transfusion" in n for n in names):
        names.insert(0, "transfusion")  # "(may be transfused)": the verb names it
    return names, requirement, (cs, ce)


def absence_weeks(r: TransfusionRules, lower: str, s: int, e: int) -> float | None:
    """ "(in the absence of transfusions) for at least 2 weeks": the time without one, in weeks, else None."""
    m = r.absence_for.search(lower, s, e)
    if m is None:
        return None
    n, u = float(m.group("n")), m.group("u")
    return round(n / 7 if u.startswith("day") else n * 4.345 if u.startswith("month") else n, 2)
