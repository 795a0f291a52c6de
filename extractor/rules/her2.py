"""Rule family ``her2``: HER2 status, hormone receptors and other biomarkers.

Vocabularies (names, synonyms, guideline names, alteration words) live in ``vocab/biomarkers.yaml``.

The work is split by kind: ``_her2_status`` (``her2``), ``_receptors`` (``hormone_receptor``, triple-negative)
and ``_biomarkers`` (``biomarker``); ``_her2_common`` holds their shared vocabulary and patterns. Each module
documents its rules.
"""

from __future__ import annotations

import re

from extractor.models import HER2, Criterion
from extractor.rules._biomarkers import extract_biomarkers
from extractor.rules._common import ItemContext
from extractor.rules._her2_common import tn_re
from extractor.rules._her2_status import extract_her2
from extractor.rules._performance_common import sentence_bounds
from extractor.rules._receptors import extract_hormone_receptors

__all__ = ["extract"]

_HER2_KEYS = ("her2", "her-2", "her 2", "erbb", "neu", "epidermal grow")


_HR_SYMBOL = re.compile(r"(?:ER|PR|HR|AR|PgR)(?![A-Za-z0-9])")


def _hr_symbol(clean: str) -> bool:
    """A stand-alone ER / PR / HR / AR / PgR in the item (fast: the pattern starts with literals)."""
    return any(m.start() == 0 or not clean[m.start() - 1].isalpha() for m in _HR_SYMBOL.finditer(clean))


def extract(ctx: ItemContext) -> list[Criterion]:
    """HER2, hormone-receptor and biomarker criteria of one item."""
    low = ctx.lower
    out: list[Criterion] = []
    tn = False
    if "receptor" in low or "triple" in low or "tnbc" in low or _hr_symbol(ctx.clean):
        hr, tn = extract_hormone_receptors(ctx)
        out.extend(hr)
    her: list[Criterion] = []
    if any(k in low for k in _HER2_KEYS) or (
        ctx.item.depth > 0 and ("ihc" in low or "immunohisto" in low or "ish" in low or "in situ" in low)
    ):
        her = extract_her2(ctx)
    if tn and not any(isinstance(c, HER2) for c in her):
        m = tn_re().search(ctx.clean)
        if m:
            s, e = sentence_bounds(ctx.clean, m.start(), m.end())
            her.append(ctx.make(HER2, s, e, status="negative"))
    out.extend(her)
    out.extend(extract_biomarkers(ctx))
    return out
