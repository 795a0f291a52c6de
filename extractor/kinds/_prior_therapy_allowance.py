"""Entries of an inline exception list of ``prior_therapy``, which the sentence reading cuts off.

After "The following are exceptions to this criterion:", "Exceptions:" or "Except:" the list runs on over ";" and
"," to the item's end, so an entry past the first sentence ("...; systemic corticosteroids at physiologic doses not to
exceed 10 mg/day") is admitted like the first one:
``allowed`` (GUIDE, "Concurrent, ongoing or planned medication": a permission is ``allowed``), unless the entry
states its own rule (a negation or a window of its own: "Exceptions: 6 weeks for nitrosoureas").

A permission written inside a criterion's own quote ("Prior X in the metastatic setting (prior X in the adjuvant
setting is permitted ...)") admits only the therapy of its own criterion: the outer one keeps the rule of its own
words (``outer_rule``).

Patterns: ``reread.allowance`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["AllowanceRules", "allowance", "outer_rule"]


class AllowanceRules(BaseModel):
    """``allowance``: the exception-list opener, what marks an entry's own rule and what ends the list."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    opener: Pattern
    own_rule: Pattern
    list_end: Pattern
    permits: Pattern
    negated: Pattern


C = TypeVar("C", bound=Therapy)


def allowance(rules: AllowanceRules, ctx: ItemContext, found: list[C]) -> list[C]:
    """``found`` with the entries of an inline exception list ``allowed`` (in place)."""
    low = ctx.item.text.lower()
    opener = rules.opener.search(low)
    for c in found:
        quote = c.evidence.text.lower()
        if opener is None or c.requirement != "excluded" or c.within_weeks is not None or not c.agents:
            continue
        rel = c.evidence.start - ctx.item.start
        if rel < opener.start() or rules.own_rule.search(quote):  # the entry, or the opener and its entry
            continue
        if rules.list_end.search(low, opener.end(), rel) is None:
            c.requirement = "allowed"
    return found


def outer_rule(rules: AllowanceRules, ctx: ItemContext, found: list[C]) -> list[C]:
    """``found`` with an ``allowed`` criterion whose only permission is that of an ``allowed`` criterion quoted inside
    it set to its own rule (in place): ``excluded`` in an exclusion item or after a negation ("must not have had
    prior treatment for metastatic NEC except one cycle of X is allowed"); an inclusion without one is left."""
    for c in found:
        if c.requirement != "allowed" or not c.agents:
            continue
        s, e = c.evidence.start, c.evidence.end
        inner = [
            d.evidence
            for d in found
            if d is not c and d.requirement == "allowed" and s < d.evidence.start and d.evidence.end <= e
        ]
        if not inner:
            continue
        own = c.evidence.text.lower()
        for v in inner:  # blank the inner quotes, same length
            own = own[: v.start - s] + " " * (v.end - v.start) + own[v.end - s :]
        if rules.permits.search(own) is not None:
            continue
        if ctx.is_exclusion or rules.negated.search(own) is not None:
            c.requirement = "excluded"
    return found
