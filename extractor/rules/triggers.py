"""The trigger pass: one compiled pattern of every kind's trigger words decides which kind extractors run on an item.

Each kind lists its triggers (lower-case word starts) in its rule file. They are compiled into one trie-shaped
alternation, so scanning an item costs about one character test per position whatever the number of triggers, and
the pass returns the kinds the item mentions; the rules backend's cost follows what the text mentions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from extractor.rules.grammar import phrase_alt

__all__ = ["TriggerIndex", "registry_index"]


_SEP = re.compile(r"[\s-]+")


def _key(text: str) -> str:
    """A trigger's lookup key: runs of spaces and hyphens as one space ("24-hour" and "24 hour" alike)."""
    return _SEP.sub(" ", text)


class TriggerIndex:
    """Trigger words of many kinds, compiled once; :meth:`kinds` gives the kinds an item's text mentions.

    A trigger is a word start ("metasta" fires on "metastases"); one ending in ``$`` is a whole word ("ca$" fires
    on "Ca" but not on "cancer"), for abbreviations that start many other words."""

    def __init__(self, triggers: dict[str, Iterable[str]]) -> None:
        self._kinds: dict[str, frozenset[str]] = {}
        by_word: dict[str, set[str]] = {}  # word starts
        whole: dict[str, set[str]] = {}  # whole words
        for kind, words in triggers.items():
            for word in words:
                w = word.lower()
                if len(w) > 1 and w.endswith("$"):
                    whole.setdefault(_key(w[:-1]), set()).add(kind)
                else:
                    by_word.setdefault(_key(w), set()).add(kind)
        # a match of a longer trigger also stands for the shorter word starts it begins with ("brain met" ->
        # "brain"); a whole word stands only for itself
        for w in by_word.keys() | whole.keys():
            kinds: set[str] = set(whole.get(w, ()))
            for n in range(1, len(w) + 1):
                kinds |= by_word.get(w[:n], set())
            self._kinds[w] = frozenset(kinds)
        # A word start is the text's start or the character after one that is no letter or digit. The scan opens
        # with that character (consumed), so the regex engine skips ahead to the next one instead of trying every
        # offset; the trigger itself sits in a lookahead, so triggers starting inside a longer one's match are seen.
        # The text is scanned with a space in front, so its start is one of those characters: one pattern (one
        # compile of the trie) and one call per item.
        phrases = [*by_word, *(f"{w}$" for w in whole if w not in by_word)]
        alt = phrase_alt(phrases) if phrases else None
        self._pattern = re.compile(f"[^a-z0-9](?=({alt}))") if alt else None

    def kinds(self, lower: str) -> frozenset[str]:
        """The kinds whose triggers stand at a word start in ``lower`` (lower-cased text)."""
        if self._pattern is None:
            return frozenset()
        hits = set(self._pattern.findall(" " + lower))
        table = self._kinds
        found: set[str] = set()
        for hit in hits:
            found |= table.get(hit) or table[_key(hit)]
        return frozenset(found)


@cache
def registry_index() -> TriggerIndex:
    """The trigger index of every registered kind that has an extractor."""
    from extractor.kinds import REGISTRY

    return TriggerIndex({name: rules.triggers for name, spec in REGISTRY.items() if (rules := spec.rules())})


@cache
def _lead_triggers() -> tuple[tuple[str, re.Pattern[str]], ...]:
    from extractor.kinds import REGISTRY

    return tuple(
        (name, rules.lead_triggers)
        for name, spec in REGISTRY.items()
        if (rules := spec.rules()) and rules.lead_triggers is not None
    )


def lead_kinds(lead_in: str) -> frozenset[str]:
    """The kinds whose ``lead_triggers`` match ``lead_in`` (a child item's lower-cased lead-in)."""
    if not lead_in:
        return frozenset()
    return frozenset(name for name, rx in _lead_triggers() if rx.search(lead_in))
