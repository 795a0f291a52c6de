"""Two washouts in one sentence, named agents and the rest ("the washout is 5 weeks for enzalutamide or
phenobarbital and 3 weeks for other agents"; "within 1 week for X and 4 weeks for all other types"): the named
agents get their own window on a criterion of their own, the agents the item names before without a window get the
other one (GUIDE: one criterion per window). About 4 non-gold corpus trials."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeVar

from extractor.kinds._prior_therapy_numbers import weeks_of
from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.drugs import find_agents

if TYPE_CHECKING:
    from collections.abc import Callable

    from extractor.rules.item import ItemContext

__all__ = ["other_window"]

C = TypeVar("C", bound=Therapy)

_UNIT = r"(days?|weeks?|months?)"
_SPLIT = re.compile(
    rf"\b(\d+)\s*{_UNIT}\s+for\s+(?P<named>[^.;()]{{3,80}}?),?\s+and\s+(\d+)\s*{_UNIT}\s+for\s+(?:all\s+)?"
    r"(?:the\s+)?other\s+(?:agents|drugs|medications|inducers|inhibitors|types|therap)"
)


def other_window(ctx: ItemContext, make: Callable[..., C], out: list[C]) -> list[C]:
    """``out`` with the named agents' window and the other agents' window of a two-washout sentence."""
    lower = ctx.lower
    if "other" not in lower or (m := _SPLIT.search(lower)) is None:
        return out
    named = [a.name for a in find_agents(lower) if m.start("named") <= a.start and a.end <= m.end("named")]
    if not named:
        return out
    own, rest = weeks_of(float(m.group(1)), m.group(2)), weeks_of(float(m.group(4)), m.group(5))
    cut = ctx.evidence(m.start(), m.end()).start
    kept: list[C] = []
    for c in out:
        if c.evidence.start >= cut or set(c.agents) <= set(named):  # the sentence's own mention of the named agents
            continue
        if c.within_weeks is None and c.requirement != "allowed" and c.evidence.end <= cut:
            c.agents = [n for n in c.agents if n not in named] or c.agents
            c.within_weeks = rest
        kept.append(c)
    requirement = next((c.requirement for c in kept if c.within_weeks == rest), "excluded")
    kept.append(make(m.start(), m.end(), agents=named, requirement=requirement, within_weeks=own))
    return kept
