"""PSMA read from imaging in ``biomarker``: "PSMA avid disease on PSMA PET/CT", "positive lesions detected by
PSMA-PET/CT scan", "68Ga-PSMA-11 PET/CT scan positive", "sites ... showing uptake on an initial PSMA PET scan" state
the marker positive; "non-PSMA avid sites", "lesions ... that are negative on PSMA PET" state it absent (an exclusion
item's then requires it). A cut-off in the item ("SUVmax >= 10", "uptake above background liver") is the threshold,
as written."""

from __future__ import annotations

import re
from typing import Any

from extractor.rules.grammar import Sentences, sentence_bounds
from extractor.rules.item import ItemContext

__all__ = ["imaging_psma"]


def imaging_psma(
    ctx: ItemContext, statement: re.Pattern[str], cutoff: re.Pattern[str], sentences: Sentences, kind: str
) -> tuple[int, int, dict[str, Any]] | None:
    """The sentence span and fields of the PSMA criterion the item's first imaging statement gives (``statement``:
    group ``neg`` or ``non`` when it states PSMA absent; ``psma``, ``psma2`` or ``psma3`` the marker's word; the
    item's ``cutoff`` the threshold), or None. A negation cue of ``kind`` over the word turns the state round."""
    clean = ctx.clean
    if "PSMA" not in clean:
        return None
    m = statement.search(clean)
    if m is None:
        return None
    word = next(g for g in ("psma", "psma2", "psma3") if m.group(g) is not None)
    start, end = m.start(word), m.end(word)
    absent = (m.group("neg") is not None or m.group("non") is not None) != ctx.context.has(
        "negated", start, end, kind=kind
    )
    cut = cutoff.search(clean)
    fields = {
        "marker": "PSMA",
        "alteration": "positive",
        "requirement": "required" if (not absent) != ctx.is_exclusion else "excluded",
        "threshold": " ".join(cut.group(0).split()) if cut else None,
    }
    s, e = sentence_bounds(clean, start, end, sentences)
    return s, e, fields
