"""The shared word-set gate: an item's lower-case words and where given words start in it."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from extractor.rules._common import ItemContext

__all__ = ["WORD", "item_words", "word_starts"]

WORD = re.compile(r"[A-Za-z0-9]+")


def word_starts(low: str, words: AbstractSet[str]) -> list[tuple[int, str]]:
    """Offsets of the whole-word occurrences of ``words`` in ``low``."""
    out = []
    n = len(low)
    for w in words:
        i = low.find(w)
        while i >= 0:
            j = i + len(w)
            if (i == 0 or not low[i - 1].isalnum()) and (j == n or not low[j].isalnum()):
                out.append((i, w))
            i = low.find(w, j)
    out.sort()
    return out


_last_words: tuple[str, frozenset[str]] = ("", frozenset())


def item_words(ctx: ItemContext) -> frozenset[str]:
    """The lower-case words of the item (cached for the last item, shared by the ``labs`` and ``general`` gates)."""
    global _last_words  # noqa: PLW0603 - a one-slot cache, swapped atomically
    low = ctx.lower
    last = _last_words
    if last[0] is low:
        return last[1]
    words = frozenset(WORD.findall(low))
    _last_words = (low, words)
    return words
