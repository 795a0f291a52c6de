"""Comparator and clause helpers shared by the ``performance`` and ``her2`` families."""

from __future__ import annotations

import re
from functools import cache

from extractor.models import Comparator
from extractor.rules._common import comparator_pattern, op_of
from extractor.vocab import load

__all__ = ["cmp_regex", "normalise_op", "phrase_alt", "sentence_bounds", "start_re"]


@cache
def cmp_regex() -> str:
    """Comparator alternation including split escapes ("= <", "> =") and HTML entities."""
    return r"(?:&[lg]t;\s*=?|[<>≤≥]\s*or\s+equal(?:\s+to)?|[<>]\s+=(?!\s*[<>])|=\s+[<>]|" + comparator_pattern() + ")"


def normalise_op(phrase: str) -> Comparator | None:
    """Canonical operator of a matched comparator phrase (handles "= <", "&lt;", "> or equal to")."""
    p = phrase.lower().replace("&lt;", "<").replace("&gt;", ">").strip()
    if re.fullmatch(r"[<>≤≥]\s*or\s+equal(?:\s+to)?", p):
        return ">=" if p[0] in ">≥" else "<="
    if re.fullmatch(r"[<>=\s/]+", p):
        p = p.replace(" ", "")
    return op_of(p)


_SENT_END = re.compile(r"(?:\.(?=\s+[A-Z(\[]|\s*$)|;|\s\d{1,2}\s?\.\s(?=[A-Z]))")


def sentence_bounds(clean: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence / semicolon clause around ``clean[start:end]`` (looks back at most 800 chars)."""
    s = max(0, start - 800)
    for m in _SENT_END.finditer(clean, s, start):
        s = m.end()
    m2 = _SENT_END.search(clean, end)
    e = m2.start() + (1 if m2.group(0) == "." else 0) if m2 else len(clean)
    while s < e and clean[s] in " :*-•,":
        s += 1
    if e <= s:
        return 0, len(clean)
    return s, e


def phrase_alt(phrases: list[str]) -> str:
    alts = sorted({p.lower() for p in phrases}, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"[\s-]+") for p in alts)


@cache
def start_re() -> re.Pattern[str]:
    """Where an age value can start: a digit, a comparator sign or the first word of a comparator phrase."""
    table: dict[str, list[str]] = load("comparators")
    firsts = {p.split()[0].lower() for ps in table.values() for p in ps if p[0].isalpha()}
    firsts |= {"between", "from", "eighteen", "twenty", "sixteen", "twelve", "thirty", "sixty"}
    firsts |= {"zero", "one", "two", "three", "four", "five"}
    words = "|".join(sorted(firsts, key=len, reverse=True))
    return re.compile(rf"[<>≤≥≦≧=&⩾⩽]|\b(?:{words})\b|(?<![\d.])\d")
