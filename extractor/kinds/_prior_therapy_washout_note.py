"""A washout written as its own sentence after the rule it times ("Concomitant use of strong CYP3A inhibitors. The
required washout period prior to starting olaparib is 2 weeks."): the window of the sentence before, whose
excluded criteria had none; their evidence runs on over the note."""

from __future__ import annotations

from itertools import pairwise
from typing import TypeVar

from extractor.kinds._prior_therapy_clauses import ClauseRules, split_sentences
from extractor.kinds._prior_therapy_numbers import weeks_of
from extractor.models.criteria import CriterionBase
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["noted_washout"]

C = TypeVar("C", bound=CriterionBase)

_FIELDS = ("agents", "requirement", "setting", "min_lines", "max_lines", "min_duration_months", "response_required")


def noted_washout(pattern: Pattern, clauses: ClauseRules, ctx: ItemContext, out: list[C], model: type[C]) -> list[C]:
    """``out`` with the window of a washout note given to the excluded, unwindowed criteria of the sentence before."""
    if "washout" not in ctx.lower or not out:
        return out
    spans = split_sentences(ctx.clean, clauses)
    res = list(out)
    for (s1, e1), (s2, e2) in pairwise(spans):
        m = pattern.match(ctx.lower, s2, e2)
        if m is None:
            continue
        weeks = weeks_of(float(m.group("n")), m.group("u"))
        lo, hi = ctx.evidence(s1, e1), ctx.evidence(s2, e2)
        for i, c in enumerate(res):
            ev = c.evidence
            if (
                getattr(c, "within_weeks", 0) is None
                and getattr(c, "requirement", "") == "excluded"
                and lo.start <= ev.start
                and ev.end <= hi.start
            ):
                fields = {f: getattr(c, f) for f in _FIELDS} | {"within_weeks": weeks}
                res[i] = ctx.make(model, s1 + (ev.start - lo.start), e2, **fields)
    return res
