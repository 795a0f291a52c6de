"""Entries of an inline exception list of ``prior_therapy``, which the sentence reading cuts off.

After "The following are exceptions to this criterion:", "Exceptions:" or "Except:" the list runs on over ";" and
"," to the item's end, so an entry past the first sentence ("...; systemic corticosteroids at physiologic doses not to
exceed 10 mg/day") is admitted like the first one:
``allowed`` (GUIDE, "Concurrent, ongoing or planned medication": a permission is ``allowed``), unless the entry
states its own rule (a negation or a window of its own: "Exceptions: 6 weeks for nitrosoureas").

Patterns: ``reread.allowance`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["AllowanceRules", "allowance"]


class AllowanceRules(BaseModel):
    """``allowance``: the exception-list opener, what marks an entry's own rule and what ends the list."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    opener: Pattern
    own_rule: Pattern
    list_end: Pattern


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
