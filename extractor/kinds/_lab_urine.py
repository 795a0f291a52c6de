"""A 24-hour urine collection's protein limit written with the protein after the amount ("a 24 hour urine collection
for protein must demonstrate < 1000 mg of protein in 24 hours"): ``urine_collection`` (lab.yaml), read after the
mention-first pass, which finds no analyte name before that number."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention, Threshold, comparator_before
from extractor.models.criteria import CriterionBase

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["urine_collection"]

L = TypeVar("L", bound=CriterionBase)

_UNITS = {"mg": "mg/24h", "g": "g/24h"}


def urine_collection(
    ctx: ItemContext, labs: list[L], make: Callable[[Mention, Threshold, tuple[int, int]], list[L]]
) -> list[L]:
    """``labs`` and the 24-hour protein limits of the item that no lab of ``labs`` already states; ``make`` turns a
    mention and its threshold into labs. Inclusion items only: under an exclusion heading the sentence still states
    what makes a patient eligible ("... must demonstrate < 2 g of protein in 24 hours to be eligible")."""
    text, out = ctx.lower, list(labs)
    if ctx.is_exclusion:
        return out
    analyte = RULES.urine_collection_analyte
    for m in RULES.urine_collection.finditer(text):
        value, unit = float(m.group("num")), _UNITS[m.group("unit")]
        if any(
            (getattr(x, "analyte", None), getattr(x, "value", None), getattr(x, "unit", None)) == (analyte, value, unit)
            for x in out
        ):
            continue
        op = comparator_before(text, max(m.start(), m.start("num") - 25), m.start("num"))
        if op is None:
            continue
        mention = Mention(m.start(), m.start("num"), [analyte], None, False, False, {analyte: frozenset()})
        t = Threshold(m.start("num"), m.end(), op, value, unit, None, False, True)
        out.extend(make(mention, t, (m.start(), m.end())))
    return out
