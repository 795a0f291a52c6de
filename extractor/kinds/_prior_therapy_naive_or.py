"""An item that admits both histories ("may be treatment-naive or have received prior therapy", "Treatment naive or
have received prior standard therapy"): the naive alternative states no exclusion, and the therapy named after it
is allowed, not required."""

from __future__ import annotations

from typing import TypeVar

from extractor.models.criteria import CriterionBase
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["naive_alternative"]

C = TypeVar("C", bound=CriterionBase)


def naive_alternative(pattern: Pattern, ctx: ItemContext, out: list[C]) -> list[C]:
    """``out`` without the bare exclusion of a naive alternative, the required criteria of its sentence allowed."""
    if not out or "na" not in ctx.lower:
        return out
    m = pattern.search(ctx.lower)
    if m is None:
        return out
    naive = ctx.evidence(m.start(), m.start("or"))
    stop = ctx.lower.find(". ", m.end())  # the alternative governs its own sentence
    after = ctx.evidence(m.start("or"), stop if stop >= 0 else len(ctx.lower))
    res: list[C] = []
    for c in out:
        ev = c.evidence
        requirement = getattr(c, "requirement", "")
        if requirement == "excluded" and not getattr(c, "agents", True) and ev.start <= naive.start < ev.end:
            continue  # "may be treatment-naive": no rule of its own
        admitted = requirement == "required" and after.start <= ev.start < after.end
        res.append(c.model_copy(update={"requirement": "allowed"}) if admitted else c)
    return res
