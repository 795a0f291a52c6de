"""'At least one <class>' as a line limit: "received at least one prior platinum-based regimen", "at least 1 systemic
therapy", "at least one second-generation AR inhibitor" -> min_lines 1 (GUIDE line limits: "at least one prior line"
-> min_lines 1). The count must stand right before the agent (a few filler words between), so "at least one dose of
X", "at least one measurable lesion" or "at least 1 week before X" give none."""

from __future__ import annotations

import re

_BEFORE = re.compile(
    r"(?:\bat\s+least|\ba\s+minimum\s+of|\bminimum\s+of)\s+(?:one|1|a\s+single)(?:\s*\(1\))?\s+"
    r"(?:(?:prior|previous|approved|fda-approved|line\s+of|course\s+of|regimen\s+of|form\s+of|type\s+of)\s+){0,2}$"
)


def at_least_one(lower: str, start: int, agent_start: int) -> bool:
    """Whether 'at least one' (with filler words) ends right before the agent at `agent_start`."""
    return _BEFORE.search(lower[max(start, agent_start - 60) : agent_start]) is not None
