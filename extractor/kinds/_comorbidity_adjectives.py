"""Adjective lists of the ``comorbidity`` kind (its rules are ``comorbidity.yaml``): kinds of illness listed before one
generic head ("medical, psychiatric, cognitive, or other conditions", "psychiatric or co-morbid condition", "any
medical, psychiatric, addictive, or other kind of disorder") name one entry per kind the vocabulary knows
(``adjective_names``: "psychiatric condition", "cognitive condition"; "addictive" -> "substance abuse"); the words of
``adjective_fillers`` (medical, social, cardiac, other ...) may stand in the list but name nothing; a list with a word
of ``adjective_block`` (familial, sociological, geographical: the compliance boilerplate) names nothing; a word of
``adjective_lab`` for the head ("hepatic" before "dysfunction": a ``lab`` topic) stands in the list without an entry.
A list may also follow its head as examples ("medical condition (e.g. gastrointestinal, pulmonary, psychiatric,
etc.)", "concurrent condition, including psychiatric, which ..."): ``adjective_after``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["adjective_lists"]


class _Stretch(Protocol):
    """A stretch already found: its offsets and names."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def names(self) -> tuple[str, ...]: ...


_REACH = 160  # characters read back from a head for its list
_TOKEN = re.compile(r"[a-z][a-z'-]*|[,/]")
_SEPARATORS = frozenset({",", "/", "or", "and"})
_HEADS = {
    "conditions": "condition",
    "disorders": "disorder",
    "diseases": "disease",
    "illnesses": "illness",
    "problems": "problem",
    "dysfunctions": "dysfunction",
}


def adjective_lists(rules: Rules, low: str, found: Sequence[_Stretch]) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, names) of each adjective list before a generic head, none overlapping a stretch ``found``; before
    a condition found that ends on the head ("..., pulmonary, metabolic or psychiatric disorders"), the kinds listed
    before it that it does not name."""
    out: list[tuple[int, int, tuple[str, ...]]] = []
    taken = [(f.start, f.end) for f in found]
    for h in rules.adjective_head.finditer(low):
        hit = [f for f in found if f.start < h.end() and h.start() < f.end]
        if hit and not (len(hit) == 1 and hit[0].end == h.end()):
            continue
        named = [n for f in hit for n in f.names]
        head = _HEADS.get(h.group(), h.group())
        anchor, end = (hit[0].start, hit[0].start) if hit else (h.start(), h.end())
        cut = max(0, anchor - _REACH)
        tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(low, cut, anchor)]
        if hit and tokens and tokens[-1][1] not in _SEPARATORS:
            continue  # a modifier of the condition found ("metabolic liver disease"), no list
        names: list[str] = []
        start, seps, blocked = anchor, 0, False
        for at, tok in reversed(tokens):
            if tok in rules.adjective_block:
                blocked = True
            elif tok in _SEPARATORS:
                seps += 1
            elif tok in rules.adjective_lab.get(head, ()):
                continue  # an organ `lab` holds before this head ("hepatic ... dysfunction"): no entry
            elif tok in rules.adjective_names:
                name = _kind_name(rules, tok, head)
                if not any(n == name or n.endswith(" " + name) for n in named):
                    names.insert(0, name)
                start = at
            elif tok not in rules.adjective_fillers:
                break
        if blocked or not names or not seps or rules.adjective_not_before.search(low, max(0, start - 40), start):
            if not hit:
                after = _after(rules, low, h.end(), head)
                if after and not any(ts < after[1] and after[0] < te for ts, te in taken):
                    out.append(after)
            continue  # boilerplate, no list, or one after a treatment ("detained for treatment of ... illness")
        if not any(ts < end and start < te for ts, te in taken):
            out.append((start, end, tuple(dict.fromkeys(names))))
    return out


def _after(rules: Rules, low: str, at: int, head: str) -> tuple[int, int, tuple[str, ...]] | None:
    """(start, end, names) of the adjective list that follows a generic head as its examples, when every word of it
    is a kind the vocabulary knows or a filler; else None."""
    m = rules.adjective_after.match(low, at)
    if not m:
        return None
    names: list[str] = []
    for tok in _TOKEN.findall(m.group("list")):
        if tok in _SEPARATORS or tok in rules.adjective_fillers:
            continue
        if tok in rules.adjective_block or tok not in rules.adjective_names:
            return None
        names.append(_kind_name(rules, tok, head))
    return (m.start("list"), m.end("list"), tuple(dict.fromkeys(names))) if names else None


def _kind_name(rules: Rules, tok: str, head: str) -> str:
    """The entry an adjective names with its head ("psychiatric" + "disorder" -> "psychiatric disorder")."""
    name = rules.adjective_names[tok]
    return name.format(head) if "{}" in name else name
