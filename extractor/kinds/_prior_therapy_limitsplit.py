"""A line limit coordinated with another statement of its own: where the sentence splits in two.

"Has received and progressed on X in any setting and no more than 2 prior lines of Y" (X required | Y, at most 2
lines), "at least 4 prior therapies, and is refractory to X" (4 lines | X required): one criterion per statement
(GUIDE: one criterion per typed fact). The coordinator must stand alone between the two: a limit whose agents
follow "including", "such as" or "with" (or a plain "and" before the next agent) stays one criterion.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from extractor.rules.drugs import Agent
from extractor.rules.ruledata import Pattern

__all__ = ["LimitSplitRules", "limit_split"]


class LimitSplitRules(BaseModel):
    """``limit_split`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    before: Pattern  # agents, then this right before the limit: "X in any setting and | no more than 2 lines"
    after: Pattern  # after the limit, a coordinator and a verb of its own: "at least 4 lines, and is refractory to"
    framed: Pattern  # words that tie what follows to the limit or the agents before it ("including", "such as")
    span: int  # the most characters a coordinator may stand from the agents it joins
    counted: Pattern  # "at least one" right before the first agents: with a limit of at least one, one statement


def limit_split(
    rules: LimitSplitRules, lower: str, agents: list[Agent], found: list[tuple[int | None, int | None, int, int, bool]]
) -> tuple[int, int] | None:
    """The end of the first statement and the start of the second, or None (no limit, or nothing to split off)."""
    if not found:
        return None
    start, end = found[0][2], found[0][3]
    before = [a for a in agents if a.end <= start]
    if before:  # "received X and up to 1 prior line of Y"
        gap = before[-1].end
        m = rules.before.search(lower, gap, start)
        if m is None or start - gap > rules.span or rules.framed.search(lower, gap, m.start()):
            return None
        if found[0][:2] == (1, None) and rules.counted.search(lower, max(0, before[-1].start - 40), before[-1].start):
            return None  # "at least one X and at least one Y"
        return m.start(), m.start("own")
    m = rules.after.search(lower, end)  # "at least 2 prior lines of therapy and must have received X"
    rest = [a for a in agents if m is not None and a.start >= m.end()]
    if m is None or not rest or rest[0].start - m.end() > rules.span or rules.framed.search(lower, end, m.start()):
        return None
    if any(end <= a.start < m.start() for a in agents) and m.start() - end > rules.span:
        return None
    return m.start(), m.end()
