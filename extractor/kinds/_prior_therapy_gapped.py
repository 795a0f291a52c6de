"""An excepted agent's own window in ``prior_therapy``: "(except mitomycin C, requiring a minimum of 6 weeks)" is its
own washout (excluded within it), as is a window that opens the exception ("(except 30 days for temozolomide and
6 weeks from nitrosoureas)"); a permission written with the window ("(prior X in the adjuvant setting is allowed
provided the last dose was >= 6 months before)") admits the agent once that time has passed (allowed)."""

from __future__ import annotations

import re

from extractor.kinds._prior_therapy_clauses import paren_open
from extractor.kinds._prior_therapy_numbers import Window
from extractor.rules.drugs import Agent
from extractor.rules.item import ItemContext

__all__ = ["own_washout"]


def own_washout(
    ctx: ItemContext, clause: tuple[int, int], agents: list[Agent], window: Window | None, lead: re.Pattern[str]
) -> bool:
    """Whether an excepted group's gap window, written after its first agent or opening its parenthesis after
    ``lead`` ("(except "), is its own washout: no permission cue in the agent's parenthesis (up to the ")" after
    the window), else in its clause."""
    if window is None or not agents or not window.gap:
        return False
    s, e = clause
    po = paren_open(ctx.lower, s, agents[0].start)
    if window.start < agents[0].end and not _opens_windows(ctx.lower, po, window.start, lead):
        return False
    lo, hi = (po, ctx.lower.find(")", window.end, e)) if po >= 0 else (s, e)
    hi = hi if hi >= 0 else e
    cues = ctx.context.cues("permitted", kind="prior_therapy")
    return not any(lo <= m.cue_start and m.cue_end <= hi for m in cues)


def _opens_windows(lower: str, po: int, end: int, lead: re.Pattern[str]) -> bool:
    """Whether the parenthesis at ``po`` opens with a window after ``lead`` ("(except 30 days for X and 6 weeks
    from Y"), the window ending at ``end`` being that one or a later one."""
    k = next((i for i in range(po, end + 1) if lower[i].isdigit()), -1) if 0 <= po < end else -1
    return k >= 0 and lead.fullmatch(lower, po, k) is not None
