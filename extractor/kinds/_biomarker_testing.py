"""Tests of a marker asked for in ``biomarker``: "BRCA mutation testing will be required", "TP53 gene mutation analysis
... must be obtained", "prior testing for BRAF V600 mutations", "genomic testing ... to assess for ESR1 mutations" ask
for the test, not its result (requirement allowed, as "known BRAF V600 mutation status" is)."""

from __future__ import annotations

import re

__all__ = ["asks_test"]

# what is read on each side of the marker: a few words before it, the alteration and test word after it
_BEFORE, _AFTER = 40, 40


def asks_test(clean: str, s: int, e: int, m_start: int, vend: int, *, asked: re.Pattern[str]) -> bool:
    """Whether the words around the marker at ``m_start`` (its name and variant ending at ``vend``, in the sentence
    ``s``-``e``) ask for its test; ``asked`` reads the text before the marker, a NUL, and the text after it."""
    window = clean[max(s, m_start - _BEFORE) : m_start] + "\x00" + clean[vend : min(e, vend + _AFTER)]
    return asked.search(window) is not None
