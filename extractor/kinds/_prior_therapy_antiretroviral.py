"""Antiretroviral therapy excluded for its drug interactions (``prior_therapy``, issue 11, round 24): a pass after
the extractor.

"Receiving antiretroviral therapy that may interfere with the study drug", "an ART regimen must have no known
interaction with the study agents", "eligible unless antiretroviral therapy interacts with the metabolism of X":
``interacting antiretroviral therapy``, excluded. "HIV-positive patients on combination antiretroviral therapy are
ineligible because of the potential for pharmacokinetic interactions with X": ``antiretroviral therapy``, excluded
(all of it). An HIV infection controlled on therapy ("on effective ART ... are eligible") is the infection's fact
(GUIDE): no therapy read. Runs only where no criterion of the item names an antiretroviral therapy, and only on
a sentence no criterion quotes. Patterns: ``antiretroviral`` of ``prior_therapy.yaml``."""

from __future__ import annotations

from typing import Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_clauses import ClauseRules, split_sentences
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import any_in
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["AntiretroviralRules", "interacting_art"]

C = TypeVar("C", bound=CriterionBase)


class AntiretroviralRules(BaseModel):
    """``antiretroviral`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]
    interacting: Pattern
    all_excluded: Pattern


class _Parent(Protocol):
    @property
    def antiretroviral(self) -> AntiretroviralRules: ...
    @property
    def clauses(self) -> ClauseRules: ...


def interacting_art(ctx: ItemContext, rules: _Parent, out: list[C], model: type[C]) -> list[C]:
    """``out`` and the antiretroviral therapy the item excludes for its interactions."""
    r, lower = rules.antiretroviral, ctx.lower
    if not any_in(r.gate, lower) or any("retroviral" in n for c in out for n in getattr(c, "agents", ())):
        return out
    for s, e in split_sentences(ctx.clean, rules.clauses):
        if r.interacting.search(lower, s, e):
            name = "interacting antiretroviral therapy"
        elif r.all_excluded.search(lower, s, e):
            name = "antiretroviral therapy"
        else:
            continue
        c = ctx.make(model, s, e, agents=[name], requirement="excluded")
        ev = c.evidence
        if any(o.evidence.start < ev.end and ev.start < o.evidence.end for o in out):
            continue  # the extractor read the sentence
        return [*out, c]
    return out
