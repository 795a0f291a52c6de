"""Which agent mentions of a ``prior_therapy`` sentence are new: one mention per treatment and window.

A mention repeats an earlier one when the lexicon names both alike; for an operation (surgery, mastectomy:
``agents.qualifiers.distinct``) only when its reported words are among the earlier one's ("surgery" after "breast
surgery"), so an operation qualified otherwise names another one and is kept ("total mastectomy,
skin-sparing mastectomy", "breast surgery, spine surgery or eye surgery").
"""

from __future__ import annotations

from extractor.rules.drugs import Agent

__all__ = ["Seen"]


class Seen:
    """The mentions kept so far, by lexicon name, reported words and window / mode."""

    def __init__(self, distinct: frozenset[str]) -> None:
        self._distinct = distinct
        self._kept: list[tuple[str, frozenset[str], object]] = []

    def _repeats(self, name: str, words: frozenset[str], tag: object) -> bool:
        return any(n == name and t == tag and words <= w for n, w, t in self._kept)

    def first(self, a: Agent, window: int, mode: str) -> bool:
        """Whether ``a`` is new in its window (or, as an exception, in its mode); if so it is recorded."""
        names = a.qualified if a.name in self._distinct else ()
        words = frozenset(w for n in names or (a.name,) for w in n.split())
        again = self._repeats(a.name, words, window)
        if again and not (mode == "exception" and not self._repeats(a.name, words, mode)):
            return False
        self._kept += [(a.name, words, window), (a.name, words, mode)]
        return True
