"""Literal prefilters: the literal strings every match of a pattern must hold, so a search can be skipped when none
occurs in the text (a substring test is far cheaper than a regex scan). Used by kinds whose patterns run on many
items (diagnosis, stage, brain_metastases, measurable_disease, metastatic_burden, cardiac, lab)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable

__all__ = ["Prefiltered", "required_literals"]


def required_literals(rx: re.Pattern[str], limit: int = 16, most: int = 3) -> tuple[tuple[str, ...], ...]:
    """Sets of literal strings such that every match of ``rx`` holds one literal of each set, read off its parse
    tree: its literal runs (zero-width assertions do not break one), and per alternation the union of its
    alternatives' sets. The ``most`` most selective sets of at most ``limit`` literals; none for a
    case-insensitive pattern.

    Testing them with ``in`` / ``str.find`` is far cheaper than searching with a pattern that has no literal
    prefix (one opening with ``\b``, a lookbehind or an alternation); :class:`Prefiltered` does that first.
    """

    if rx.flags & re.IGNORECASE:
        return ()
    sre = importlib.import_module("re._parser")
    lit, branch, group, atomic = sre.LITERAL, sre.BRANCH, sre.SUBPATTERN, sre.ATOMIC_GROUP
    zero_width = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
    repeats = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}

    def score(c: frozenset[str]) -> tuple[int, int]:
        return min(map(len, c)), -len(c)

    def flat(seq: Iterable[tuple[object, object]]) -> Iterable[tuple[object, object]]:
        """The sequence with its groups' (not case-insensitive) and atomic groups' items inline."""
        for op, av in seq:
            if op is group and isinstance(av, tuple) and not av[1] & re.IGNORECASE:
                yield from flat(av[3])
            elif op is atomic and isinstance(av, sre.SubPattern):
                yield from flat(av)
            else:
                yield op, av

    def clauses(seq: Iterable[tuple[object, object]]) -> list[frozenset[str]]:
        out: list[frozenset[str]] = []
        run: list[str] = []
        for op, av in flat(seq):
            if op is lit and isinstance(av, int):
                run.append(chr(av))
                continue
            if op in zero_width:
                continue
            if run:
                out.append(frozenset(["".join(run)]))
                run = []
            if op is branch and isinstance(av, tuple):
                best = [max(cs, key=score) if cs else None for cs in map(clauses, av[1])]
                if all(best):
                    union = frozenset(s for c in best if c for s in c)
                    out.append(frozenset(s for s in union if not any(t != s and t in s for t in union)))
            elif op in repeats and isinstance(av, tuple) and av[0] >= 1:
                out.extend(clauses(av[2]))
        if run:
            out.append(frozenset(["".join(run)]))
        return out

    found = sorted({c for c in clauses(sre.parse(rx.pattern, rx.flags)) if len(c) <= limit}, key=score, reverse=True)
    return tuple(tuple(sorted(c)) for c in found[:most])


class Prefiltered:
    """A compiled pattern and its :func:`required_literals`: ``search`` / ``match`` / ``finditer`` answer "none"
    without running the regex when the text they read (``text[pos:endpos]``) misses every literal of a set. A
    pattern that opens with a literal is left as it is: the regex engine already skips ahead to that literal."""

    __slots__ = ("literals", "rx")

    def __init__(self, rx: re.Pattern[str]) -> None:

        self.rx = rx
        sre = importlib.import_module("re._parser")
        first = next(iter(sre.parse(rx.pattern, rx.flags)), (None, None))[0]
        self.literals = () if first is sre.LITERAL else required_literals(rx)

    def possible(self, text: str, pos: int = 0, endpos: int | None = None) -> bool:
        """False when no match can lie in ``text[pos:endpos]``."""
        # loops: faster than any() / all() over generators
        if pos or endpos is not None:
            end = len(text) if endpos is None else endpos
            for c in self.literals:
                for s in c:
                    if text.find(s, pos, end) >= 0:
                        break
                else:
                    return False
            return True
        for c in self.literals:
            for s in c:
                if s in text:
                    break
            else:
                return False
        return True

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        if not self.possible(text, pos, endpos):
            return None
        return self.rx.search(text, pos, len(text) if endpos is None else endpos)

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        if not self.possible(text, pos, endpos):
            return None
        return self.rx.match(text, pos, len(text) if endpos is None else endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterable[re.Match[str]]:
        if not self.possible(text, pos, endpos):
            return ()
        return self.rx.finditer(text, pos, len(text) if endpos is None else endpos)
