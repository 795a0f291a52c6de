"""A histology coordinated with its own negation ("squamous or non-squamous NSCLC", "non-squamous and squamous
histology"): the text admits either, so it names no histology (``diagnosis.yaml`` ``histology_either``)."""

from __future__ import annotations

import re

__all__ = ["either_way"]


def either_way(rule: re.Pattern[str], lower: str, hists: list[tuple[int, int, str]]) -> None:
    """Drop from ``hists`` (in place) each histology mention that starts inside a match of ``rule``."""
    if "non" not in lower:
        return
    spans = [m.span() for m in rule.finditer(lower)]
    if spans:
        hists[:] = [h for h in hists if not any(a <= h[0] < b for a, b in spans)]
