"""A lab minimum written before the analyte or without it ("a minimum PSA of 1.0 ng/mL is required", "the minimal
start value is 2.0 ng/mL" in a PSA progression definition): the analyte's lower bound (inclusion items only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from extractor.kinds._lab_rules import RULES
from extractor.models.criteria import CriterionBase
from extractor.rules import grammar

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["minimum_first"]

L = TypeVar("L", bound=CriterionBase)


def minimum_first(ctx: ItemContext, labs: list[L], cls: type[L]) -> list[L]:
    """``labs`` and the first minimum the item states of ``minimum_analyte`` when no lab of it was read."""
    analyte = RULES.minimum_analyte
    if ctx.is_exclusion or any(getattr(lab, "analyte", None) == analyte for lab in labs):
        return labs
    m = RULES.minimum_value.search(ctx.lower)
    if m is None:
        return labs
    comma = ctx.lower.find(",", m.end())
    start, end = grammar.clause_span(ctx.clean, m.start(), m.end(), hi=comma if comma >= 0 else None)
    value = float(m.group("num"))
    return [*labs, ctx.make(cls, start, end, analyte=analyte, op=">=", value=value, unit=RULES.minimum_unit)]
