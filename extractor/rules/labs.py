"""Rule family `labs`: laboratory thresholds (``lab``) and cardiac function / history (``cardiac``).

Thin aggregator: lab values live in ``_labs_values``, lab criteria in ``_labs_criteria``, cardiac criteria in
``_cardiac`` and the word-set gate (``item_words`` / ``word_starts``, also used by ``general``) in ``_labs_words``.
"""

from __future__ import annotations

from extractor.models import Criterion
from extractor.rules._cardiac import cardiac
from extractor.rules._common import ItemContext
from extractor.rules._labs_criteria import lab_criteria, organ_function
from extractor.rules._labs_words import item_words, word_starts

__all__ = ["extract", "item_words", "word_starts"]


def extract(ctx: ItemContext) -> list[Criterion]:
    """Typed ``lab`` and ``cardiac`` criteria of one item."""
    words = item_words(ctx)
    labs = lab_criteria(ctx, words)
    if not labs and ("function" in words or "functions" in words or "reserve" in words):
        labs = organ_function(ctx)
    return labs + cardiac(ctx, words)
