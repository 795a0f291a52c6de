"""A histology coordinated with its own negation ("squamous or non-squamous NSCLC", "non-squamous and squamous
histology"): the text admits either, so it names no histology (``diagnosis.yaml`` ``histology_either``); one after
a spaced "non" ("non squamous NSCLC") is negated, as "non-squamous" is (``name_start``)."""

from __future__ import annotations

import re

__all__ = ["either_way"]

_NON = re.compile(r"\bnon\s+$")


def either_way(rule: re.Pattern[str], lower: str, hists: list[tuple[int, int, str]]) -> None:
    """Drop from ``hists`` (in place) each histology mention that starts inside a match of ``rule`` or right after
    a spaced "non"."""
    if "non" not in lower:
        return
    spans = [m.span() for m in rule.finditer(lower)]
    hists[:] = [
        h for h in hists if not any(a <= h[0] < b for a, b in spans) and not _NON.search(lower, max(0, h[0] - 5), h[0])
    ]
