"""A receptor status that names a subgroup another rule speaks of, not a status the trial requires (kinds ``her2``
and ``hormone_receptor``; the patterns are shared pieces of ``vocab/biomarkers.yaml``)."""

from __future__ import annotations

from typing import Protocol

from extractor.rules.grammar import sentence_bounds
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["SubgroupRules", "subgroup_allowance", "subgroup_status"]


class SubgroupRules(Protocol):
    """The patterns a kind's rule file carries for these checks."""

    @property
    def subgroup_allowance(self) -> Pattern: ...
    @property
    def subgroup_if(self) -> Pattern: ...
    @property
    def subgroup_verb(self) -> Pattern: ...
    @property
    def subgroup_subject(self) -> Pattern: ...
    @property
    def subgroup_modal(self) -> Pattern: ...
    @property
    def clause_start(self) -> Pattern: ...


def subgroup_status(rules: SubgroupRules, ctx: ItemContext, start: int) -> bool:
    """The status named at ``start`` stands in an "if" clause ("... if HER2 positive"), or in the subject of a
    prior-therapy rule ("HER2-overexpressing participants must have received prior anti-HER2 therapy")."""
    clean = ctx.clean
    if "if" in ctx.words and rules.subgroup_if.search(clean, max(0, start - 100), start):
        return True
    s, e = sentence_bounds(clean, start, start)
    verb = rules.subgroup_verb.search(clean, start, min(e, start + 150))
    if verb is None:
        return False
    cut = max((m.end() for m in rules.clause_start.finditer(clean, s, start)), default=s)
    between = clean[cut : verb.start()]
    return bool(rules.subgroup_subject.search(between)) and not rules.subgroup_modal.search(between)


def subgroup_allowance(rules: SubgroupRules, ctx: ItemContext, start: int) -> bool:
    """The sentence at ``start`` says what a subgroup may have had ("Patients with TNBC may receive up to 250 mg/m2 of
    prior doxorubicin"), not which status is required."""
    return ("may" in ctx.words or "can" in ctx.words) and bool(rules.subgroup_allowance.match(ctx.clean, start))
