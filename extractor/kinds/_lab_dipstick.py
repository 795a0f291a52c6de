"""Urine dipstick grades written before their name ("> 1+ proteinuria on urine dipstick", "Urinalysis < 2+ protein"):
each a urine_protein limit (``dipstick_before`` in lab.yaml), unless the grade names who must give a 24-hour
collection ("Subjects with >= 2+ proteinuria ... should undergo a 24-hour urine collection": ``dipstick_population``);
a limit read from such a population's grade is dropped."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention, Threshold, comparator_before
from extractor.rules import grammar

if TYPE_CHECKING:
    from extractor.models.criteria import Evidence
    from extractor.rules.item import ItemContext

__all__ = ["dipstick_first"]


class _Lab(Protocol):
    analyte: str
    value: float | None
    unit: str | None
    evidence: Evidence


L = TypeVar("L", bound=_Lab)


def dipstick_first(
    ctx: ItemContext, text: str, labs: list[L], make: Callable[[Mention, Threshold, tuple[int, int]], list[L]]
) -> list[L]:
    """``labs`` without limits read from a population's dipstick grade, and with the grades written before their name
    that no lab states yet; ``text``: the item's readable lower-cased text; ``make`` negates an exclusion's."""
    analyte = RULES.dipstick_analyte
    pops = [(p.start(), p.start("num"), p.end()) for p in RULES.dipstick_population.finditer(text)]
    out = [
        lab
        for lab in labs
        if not (lab.analyte == analyte and lab.unit is None and any(_reads(ctx, lab, num) for _, num, _ in pops))
    ]
    for m in RULES.dipstick_before.finditer(text):
        value = float(m.group("num"))
        if any(lo <= m.start() < hi for lo, _, hi in pops):
            continue
        if any(x.analyte == analyte and x.value == value and x.unit is None for x in out):
            continue
        op = comparator_before(text, max(0, m.start() - 30), m.start())
        if op is None:
            continue
        start = next((k for k in range(m.start() - 1, max(0, m.start() - 30) - 1, -1) if not text[k].isspace()), 0)
        while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(:;,":
            start -= 1
        mention = Mention(m.start(), m.end(), [analyte], "upper", False, False, {analyte: frozenset()}, bounds={})
        mention.bounds[analyte] = "upper"
        t = Threshold(m.start("num"), m.end("num"), op, value, None, None, False, True)
        tail = RULES.dipstick_tail.match(text, m.end())
        end = tail.end() if tail else m.end()
        stop = RULES.dipstick_clause_end.search(text, end)
        out.extend(make(mention, t, grammar.clause_span(ctx.clean, start, end, 0, stop.start() if stop else None)))
    return out


def _reads(ctx: ItemContext, lab: _Lab, num: int) -> bool:
    """Whether ``lab``'s limit is the population grade at ``num`` (an offset into ``ctx.lower``): its evidence reaches
    it with no number before (compared in source offsets: a long whitespace run is cut from ``ctx.lower``)."""
    at = ctx.evidence(num, num + 1).start
    lo, hi = lab.evidence.start, lab.evidence.end
    base = ctx.item.start
    return lo <= at < hi and not any(c.isdigit() for c in ctx.item.text[lo - base : at - base])
