"""A ULN multiple written before the analyte it limits ("< 5 x upper limit of normal (ULN) alanine transaminase
(ALT) and < 2.0 mg/dl total serum bilirubin", exclusion "greater than or equal to 1.5 x ULN total bilirubin (TBL)"):
the multiple and the comparator before it go to that analyte, in place of what was read after its name (the next
analyte's limit, or a later bare "above ULN"). Not when the name has a limit of its own right after it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention, Threshold, comparator_before

if TYPE_CHECKING:
    from extractor.models.criteria import Evidence
    from extractor.rules.item import ItemContext

__all__ = ["uln_before"]


class _Lab(Protocol):
    analyte: str
    evidence: Evidence


L = TypeVar("L", bound=_Lab)


def uln_before(
    ctx: ItemContext,
    text: str,
    labs: list[L],
    mentions: list[Mention],
    make: Callable[[Mention, Threshold, tuple[int, int]], list[L]],
) -> list[L]:
    """``labs`` with each mention that a comparator and ULN multiple directly precede (``uln_before``) and no limit of
    its own follows (``own_limit_after``) read as that multiple; ``text``: the item's readable lower-cased text."""
    base = ctx.item.start
    out = labs
    for i, m in enumerate(mentions):
        hit = RULES.uln_before.search(text, max(0, m.start - RULES.uln_before_reach), m.start)
        if hit is None or RULES.own_limit_after.match(text, m.end):
            continue
        num = hit.start("num")
        op = comparator_before(text, max(0, num - 40), num)
        if op is None:
            continue
        start = next(
            (k for k in range(num - 1, max(0, num - 40) - 1, -1) if comparator_before(text, k, num) == op), num
        )
        tail = RULES.uln_before_tail.match(text, m.end)
        end = tail.end() if tail else m.end
        t = Threshold(num, hit.end("num"), op, None, None, float(hit.group("num")), False, True)
        nxt = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        # the limits read from this name on (the next analyte's, or a later bare ULN) are not its own
        out = [lab for lab in out if lab.analyte not in m.analytes or not m.start <= lab.evidence.start - base < nxt]
        out += make(m, t, (start, end))
    return out
