"""A washout sentence that names no agent, after a therapy the item requires or admits ("Patients must have received
prior TKIs. A minimum washout period of 3 days is required."; "Prior adjuvant treatment is allowed. A wash-out period
of 6 weeks is required."): the therapy of the sentence before, excluded within that window, on a criterion of its own
quoting the washout sentence (GUIDE: one criterion per typed fact; ``within_weeks`` is the time since the treatment).
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import TypeVar

from extractor.kinds._prior_therapy_clauses import ClauseRules, split_sentences
from extractor.kinds._prior_therapy_numbers import weeks_of
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import number_value
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["bare_washout"]

C = TypeVar("C", bound=CriterionBase)

_TAIL = re.compile(r",?\s+and\s+(?=[^.;]*\b(?:should|must|will|need)\b)")


def bare_washout(pattern: Pattern, clauses: ClauseRules, ctx: ItemContext, out: list[C], model: type[C]) -> list[C]:
    """``out`` and an excluded criterion per agent-less washout sentence, with the agents of the required or allowed
    criteria that end in the sentence before it."""
    if "wash" not in ctx.lower or not out:
        return out
    res = list(out)
    for (s1, e1), (s2, e2) in pairwise(split_sentences(ctx.clean, clauses)):
        m = pattern.match(ctx.lower, s2, e2)
        n = number_value(m.group("n") or m.group("n2")) if m is not None else None
        if m is None or n is None:
            continue
        lo, hi = ctx.evidence(s1, e1), ctx.evidence(s2, e2)
        if any(hi.start <= c.evidence.start < hi.end for c in out):
            continue  # the sentence names its own agent
        before = [
            c for c in out if lo.start < c.evidence.end <= hi.start and getattr(c, "requirement", "") != "excluded"
        ]
        agents = list(dict.fromkeys(a for c in before for a in getattr(c, "agents", ())))
        if not agents:
            continue
        weeks = weeks_of(n, m.group("u") or m.group("u2"))
        tail = _TAIL.search(ctx.lower, m.end(), e2)  # "... is required and toxicities ... should be resolved"
        end = tail.start() if tail is not None else e2
        res.append(ctx.make(model, s2, end, agents=agents, requirement="excluded", within_weeks=weeks))
    return res
