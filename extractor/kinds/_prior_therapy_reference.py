"""A surgery that is only the reference point of another therapy (``prior_therapy``, issue 11, round 25).

"Osimertinib being used for adjuvant therapy after surgery", "completed at least 3 cycles of neoadjuvant
chemo-immunotherapy before surgery", "endocrine therapy of <= 6 weeks is acceptable after core biopsy and before
surgery": the surgery times the therapy named before it (GUIDE: the agents are the therapies the item requires,
excludes or allows; a therapy given before surgery is neoadjuvant and the surgery only a reference point), so it is
no agent. Read only when another agent stands before it in the same sentence; "major surgery within 4 weeks before
first dose" and "at least 4 weeks after surgery" keep theirs. Pattern: ``surgery_reference`` of
``prior_therapy.yaml``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from extractor.rules.drugs import Agent
from extractor.rules.ruledata import Pattern

__all__ = ["ReferenceRules", "surgery_reference"]


class ReferenceRules(BaseModel):
    """``surgery_reference`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    names: tuple[str, ...]  # the surgery names that can be a reference point
    before: Pattern  # the words right before such a surgery that make it one ("after", "before the")


def surgery_reference(rules: ReferenceRules, lower: str, agents: list[Agent]) -> list[Agent]:
    """``agents`` without the surgeries that only time a therapy named before them (see the module doc)."""
    if len(agents) < 2 or not any(a.name in rules.names for a in agents):
        return agents
    out: list[Agent] = []
    for a in agents:
        if a.name in rules.names and rules.before.search(lower, max(0, a.start - 40), a.start):
            earlier = [o for o in agents if o.end <= a.start and o.name not in rules.names]
            if earlier and "." not in lower[earlier[-1].end : a.start].replace("e.g.", ""):
                continue
        out.append(a)
    return out
