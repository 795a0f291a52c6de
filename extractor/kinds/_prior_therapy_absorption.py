"""Gastrointestinal surgery named in an absorption item (issue 11, round 9): a pass after the kind's extractor.

"Refractory nausea and vomiting, inability to swallow the formulated product or previous significant bowel
resection that would preclude adequate absorption", "GI disease that may alter the absorption of X (e.g., ...,
malabsorption syndrome, small bowel resection)": the surgery is a ``prior_therapy`` topic (GUIDE: surgery inside a
GI item), excluded, though the sentence has no prior-treatment cue or is skipped for its "swallow". One criterion
holds the item's GI surgeries not already read, quoting the sentence of the first; a surgery after an exception
word ("except for prior gastrectomy") is left to the extractor. Word lists: ``absorption`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_agents import AgentRules
from extractor.kinds._prior_therapy_clauses import ClauseRules, split_sentences
from extractor.kinds._prior_therapy_procedures import ProcedureRules, procedures
from extractor.models.criteria import CriterionBase
from extractor.rules.drugs import find_agents
from extractor.rules.grammar import any_in
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["AbsorptionRules", "absorption"]

C = TypeVar("C", bound=CriterionBase)


class AbsorptionRules(BaseModel):
    """``absorption`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]  # an absorption item: one of these substrings
    surgeries: frozenset[str]  # agent names of GI surgeries
    skip_before: Pattern  # right before a surgery (same clause): an exception or a permission, not an exclusion


class _Parent(Protocol):
    """The parts of the kind's rules this pass reads."""

    @property
    def absorption(self) -> AbsorptionRules: ...
    @property
    def procedures(self) -> ProcedureRules: ...
    @property
    def agents(self) -> AgentRules: ...
    @property
    def clauses(self) -> ClauseRules: ...


def absorption(ctx: ItemContext, rules: _Parent, out: list[C], model: type[C]) -> list[C]:
    """``out`` and the criterion of the GI surgeries of an absorption item it left out."""
    lower = ctx.lower
    r = rules.absorption
    if not any_in(r.gate, lower):
        return out
    have = {n for c in out for n in getattr(c, "agents", ())}
    agents = procedures(rules.procedures, rules.agents, ctx.clean, lower, find_agents(lower))
    names: list[str] = []
    first = -1
    for a in agents:
        written = a.qualified or (a.name,)
        if a.neg or not r.surgeries.intersection(written) or r.skip_before.search(lower, max(0, a.start - 60), a.start):
            continue
        new = [n for n in written if n not in have and n not in names]
        names.extend(new)
        first = a.start if first < 0 and new else first
    if not names:
        return out
    s, e = next(((s, e) for s, e in split_sentences(ctx.clean, rules.clauses) if s <= first < e), (0, len(ctx.clean)))
    return [*out, ctx.make(model, s, e, agents=names, requirement="excluded")]
