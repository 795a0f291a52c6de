"""Number-less labs for "adequate organ / marrow / liver / renal / coagulation function": one per function each
organ-function phrase of the item names (or the words just after it: "..., and coagulation parameters"), quoting its
clause; an item of several phrases ("Adequate vital organ function 10. Adequate bone marrow function 11. Adequate
coagulation profile") gives each its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from extractor.kinds._lab_rules import RULES
from extractor.rules import grammar

if TYPE_CHECKING:
    from extractor.models.criteria import CriterionBase
    from extractor.rules.item import ItemContext

__all__ = ["organ_function"]

L = TypeVar("L", bound="CriterionBase")


def organ_function(ctx: ItemContext, make: Callable[[int, int, str], L]) -> list[L]:
    """The organ-function labs of the item, built by ``make(start, end, analyte)``; an analyte named twice is kept
    once (its first phrase)."""
    labs: list[L] = []
    seen: set[str] = set()
    for m in RULES.organ.finditer(ctx.lower):
        s, e = grammar.clause_span(ctx.clean, m.start(), m.end())
        named = ctx.lower[m.start() : max(m.end(), min(e, m.end() + RULES.organ_reach))]
        kinds = [name for name, rx in RULES.organ_kinds.items() if rx.search(named)] or ["organ_function"]
        for analyte in kinds:
            if analyte not in seen:
                seen.add(analyte)
                labs.append(make(s, e, analyte))
    return labs
