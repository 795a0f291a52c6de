"""Children of a medication-list lead-in that only name their drugs (``prior_therapy``, issue 11, round 18).

A lead-in such as "If taking any of the following medications:", "Use of any of the following drugs within the last
4 weeks:" or "Taking any medication with a known drug interaction with metformin, including:" (the kind's
``lead_triggers``, which run it on such children) lists drugs as child items ("Dulaglutide", "Midazolam",
"Cytokines."). A child of an exclusion lead-in the sentence rules read nothing in (a drug the lexicon lacks) and
that is only a short list of names is a criterion naming them, lower-cased (GUIDE: agents are lower-case generic
names), ``excluded`` (``allowed`` under an exception lead-in); ``washout_children`` then gives it the lead-in's
window. Patterns: ``listed_children`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["ListedRules", "listed_children"]

C = TypeVar("C", bound=Therapy)


class ListedRules(BaseModel):
    """``listed_children`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    split: Pattern
    name: Pattern
    stop: Pattern
    allowed: Pattern
    plural: Pattern


class _Parent(Protocol):
    @property
    def listed_children(self) -> ListedRules: ...

    @property
    def lead_triggers(self) -> re.Pattern[str] | None: ...


def listed_children(ctx: ItemContext, rules: _Parent, out: list[C], cls: type[Any]) -> list[C]:
    """``out``, or, when it is empty, the names a medication-list lead-in's child lists."""
    lead = rules.lead_triggers
    if out or ctx.item.polarity != "exclusion" or lead is None or lead.search(ctx.lead_in) is None:
        return out
    r = rules.listed_children
    lower = ctx.lower
    start = len(lower) - len(lower.lstrip())
    end = len(lower.rstrip(" .;,"))
    body = lower[start:end]
    if not body or len(body) > 80 or lower.rstrip().endswith(":") or r.stop.search(body):  # not a sub-heading
        return out
    names = [r.plural.sub("", p.strip()) for p in r.split.split(body)]
    names = [p for p in names if p]
    if not names or len(names) > 8 or any(r.name.fullmatch(p) is None for p in names):
        return out
    requirement = "allowed" if r.allowed.search(ctx.lead_in) else "excluded"
    return [ctx.make(cls, start, end, agents=list(dict.fromkeys(names)), requirement=requirement)]
