"""A percentage written before the analyte it limits ("≥ 5% blasts in bone marrow", "(< 5% blasts)", "> 25% blasts by
morphology"): the analytes of ``percent_before`` (lab.yaml), read after the mention-first pass and only when the item
names their word and a "%"."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention, Threshold, comparator_before
from extractor.models.criteria import CriterionBase

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["percent_first"]

L = TypeVar("L", bound=CriterionBase)


def percent_first(
    ctx: ItemContext, labs: list[L], make: Callable[[Mention, Threshold, tuple[int, int]], list[L]]
) -> list[L]:
    """``labs`` and the limits written as "<comparator> <n>% <analyte>" that no lab of ``labs`` already states;
    ``make`` turns a mention and its threshold into labs (an exclusion's comparator negated)."""
    text, out = ctx.lower, list(labs)
    for m in RULES.percent_before.finditer(text):
        analyte = RULES.percent_before_analyte
        value = float(m.group("num"))
        if any(getattr(x, "analyte", None) == analyte and getattr(x, "value", None) == value for x in out):
            continue
        op = comparator_before(text, max(0, m.start() - 30), m.start())
        if op is None:
            continue  # a range ("10-19% blasts") or a share without a limit
        mention = Mention(m.start("name"), m.end(), [analyte], None, False, True, {analyte: frozenset()})
        t = Threshold(m.start(), m.end("num"), op, value, "%", None, False, True)
        out.extend(make(mention, t, _clause(text, m.start(), m.end())))
    return out


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause of a limit at ``text[start:end]``: back to a bracket, comma, "or", "and" (within `percent_reach`
    characters), on to the next one or a sentence end; spaces trimmed."""
    lo = max(0, start - RULES.percent_reach)
    cut = [b.end() for b in RULES.percent_clause_break.finditer(text, lo, start)]
    lo = cut[-1] if cut else lo
    nxt = RULES.percent_clause_break.search(text, end, end + RULES.percent_reach)
    hi = nxt.start() if nxt is not None else min(len(text), end + RULES.percent_reach)
    while lo < start and text[lo].isspace():
        lo += 1
    while hi > end and text[hi - 1].isspace():
        hi -= 1
    return lo, hi
