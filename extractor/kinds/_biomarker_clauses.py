"""The requirement a clause states about a marker in ``biomarker``, apart from its negation: a test asked for, a
subgroup a further rule speaks of, an exception or an exclusion written in the clause ("... are excluded from this
cohort")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractor.kinds._biomarker_testing import asks_test
from extractor.models.criteria import Requirement
from extractor.rules.grammar import any_in
from extractor.rules.item import ItemContext

if TYPE_CHECKING:
    from extractor.kinds.biomarker import Rules

__all__ = ["clause_requirement"]


def clause_requirement(
    ctx: ItemContext, s: int, e: int, m_start: int, vend: int, *, rules: Rules, absent: bool
) -> Requirement | None:
    """The requirement the sentence states when it asks for the marker's test or names a subgroup a further rule
    speaks of or the item permits (allowed), an exclusion ("... are excluded from this cohort") or an exception
    ("except ... TP53 mutation"); else None."""
    low, clean = ctx.lower[s:e], ctx.clean
    if asks_test(clean, s, e, m_start, vend, asked=rules.test_asked):
        return "allowed"  # "BRCA mutation testing will be required", "prior testing for BRAF V600 mutations"
    if "except" in low and not absent:
        ex = rules.exception_before.search(clean, max(s, m_start - 220), m_start)
        if ex is not None:
            population = rules.exception_population.search(ex.group("what")) is not None
            return "allowed" if ctx.is_exclusion or population else "excluded"
    if low[:12].lstrip(" -*•:").startswith("for "):
        sub = rules.for_population.match(clean, s, e)
        if sub is not None and m_start < sub.end():
            return "allowed"  # "For patients with a BRAF V600 mutation, prior BRAF inhibitor is required"
    if not any_in(rules.population_gate, low):
        return None
    if rules.ineligible_after.match(clean, vend, e) and "must" not in low[: m_start - s]:
        return "required" if absent else "excluded"
    subgroup = rules.subgroup_after.match(clean, vend, e) or (not absent and rules.eligible_after.match(clean, vend, e))
    if subgroup and rules.population_before.search(clean, max(s, m_start - 120), m_start):
        return "allowed"
    return None
