"""Adjective lists of the ``comorbidity`` kind (its rules are ``comorbidity.yaml``): kinds of illness listed before one
generic head ("medical, psychiatric, cognitive, or other conditions", "psychiatric or co-morbid condition", "any
medical, psychiatric, addictive, or other kind of disorder") name one entry per kind the vocabulary knows
(``adjective_names``: "psychiatric condition", "cognitive condition"; "addictive" -> "substance abuse"); the words of
``adjective_fillers`` (medical, social, cardiac, other ...) may stand in the list but name nothing; a list with a word
of ``adjective_block`` (familial, sociological, geographical: the compliance boilerplate) names nothing."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["adjective_lists"]

_REACH = 160  # characters read back from a head for its list
_TOKEN = re.compile(r"[a-z][a-z'-]*|[,/]")
_SEPARATORS = frozenset({",", "/", "or", "and"})
_HEADS = {
    "conditions": "condition",
    "disorders": "disorder",
    "diseases": "disease",
    "illnesses": "illness",
    "problems": "problem",
}


def adjective_lists(rules: Rules, low: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, names) of each adjective list before a generic head, none overlapping ``taken``."""
    out: list[tuple[int, int, tuple[str, ...]]] = []
    for h in rules.adjective_head.finditer(low):
        if any(ts < h.end() and h.start() < te for ts, te in taken):
            continue
        head = _HEADS.get(h.group(), h.group())
        cut = max(0, h.start() - _REACH)
        tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(low, cut, h.start())]
        names: list[str] = []
        start, seps, blocked = h.start(), 0, False
        for at, tok in reversed(tokens):
            if tok in rules.adjective_block:
                blocked = True
            elif tok in _SEPARATORS:
                seps += 1
            elif tok in rules.adjective_names:
                name = rules.adjective_names[tok]
                names.insert(0, name.format(head) if "{}" in name else name)
                start = at
            elif tok not in rules.adjective_fillers:
                break
        if blocked or not names or not seps or rules.adjective_not_before.search(low, max(0, start - 40), start):
            continue  # boilerplate, no list, or one after a treatment ("detained for treatment of ... illness")
        if not any(ts < h.end() and start < te for ts, te in taken):
            out.append((start, h.end(), tuple(dict.fromkeys(names))))
    return out
