"""Markers implied by their variant in ``biomarker``: a hallmark variant written without its gene ("NSCLC with exon
19 deletions or exon 21 L858R mutations", "Known to be T790M+") names EGFR. The pattern's group name is the marker;
a mention of no length is put before the variant, so the variant, the further ones after it and the alteration
are read as after a written name. Not when the item names the marker, nor for an example of a test ("genotyping
(e.g. T790M, etc)")."""

from __future__ import annotations

import re

__all__ = ["implied_markers"]

Mention = tuple[int, int, str]


def implied_markers(clean: str, mentions: list[Mention], implied: re.Pattern[str]) -> list[Mention]:
    """``mentions`` with the first implied marker's mention added, when the item names that marker nowhere."""
    m = implied.search(clean)
    if m is None or m.lastgroup is None or any(sym == m.lastgroup for _s, _e, sym in mentions):
        return mentions
    return sorted([*mentions, (m.start(), m.start(), m.lastgroup)])
