"""List completion of the ``comorbidity`` kind (its rules are ``comorbidity.yaml``): an unrecognised entry of a
coordinated list that holds a recognised condition ("Down syndrome, Bloom syndrome or Fanconi anemia") is a condition
too when it reads as a disease name (its last word a medical ending: ``list_name``) and names nothing another kind
holds (``list_block``, ``coord_block``); a list of causes ("caused by X, Y") completes nothing. The same reading
tells a part of a list sharing a head word that is a whole condition already (``whole_part``: "hypopituitarism, or
diabetes mellitus" is not "hypopituitarism mellitus")."""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["siblings", "whole_part"]

Span = tuple[int, int]

_REACH = 200  # characters either side of a condition read for its clause


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith(("ss", "is", "us")):
        return name[:-1]
    return name


def whole_part(rules: Rules, words: list[str]) -> bool:
    """Whether the part ``words`` before "or" / "and" / a comma names a whole condition (its last word a head or a
    disease name), so that the head word after it is not shared."""
    last = _singular(words[-1])
    return words[-1] in rules.coord_heads or last in rules.coord_heads or rules.list_name.fullmatch(last) is not None


def _entry(rules: Rules, text: str) -> tuple[int, str] | None:
    """The condition an entry of a list names and where its name starts in ``text``, or None when it names no
    disease."""
    words = text.split()
    while words and words[0] in rules.list_lead:
        if words[0] == "chronic" and _singular(" ".join(words[1:])) in rules.chronic_names:
            break  # "chronic bronchitis": part of the name
        words.pop(0)
    if not 1 <= len(words) <= rules.list_max_words or not rules.coord_block.isdisjoint(words):
        return None
    name = _singular(" ".join(words))
    if not rules.list_words.fullmatch(name) or rules.list_block.search(name):
        return None
    last = name.split()[-1]
    if not rules.list_name.fullmatch(last) or (last in rules.coord_list_heads and len(words) < 2):
        return None
    return text.rfind(" ".join(words)), name


def siblings(rules: Rules, low: str, anchors: list[Span], taken: list[Span]) -> list[tuple[int, int, str]]:
    """The unrecognised entries coordinated with a recognised condition (``anchors``): (start, end, name) each, none
    overlapping ``taken`` (every stretch already read)."""
    out: list[tuple[int, int, str]] = []
    seen: set[Span] = set()
    stops = [(m.start(), m.end(), m.group()) for m in rules.list_stop.finditer(low)]  # one scan of the item
    starts = [st for st, _, _ in stops]
    union: list[Span] = []  # ``taken`` as sorted disjoint stretches, for a bisect per part
    for ts, te in sorted(taken):
        if union and ts < union[-1][1]:
            union[-1] = (union[-1][0], max(union[-1][1], te))
        else:
            union.append((ts, te))
    union_starts = [ts for ts, _ in union]
    for s, e in anchors:
        cs, cause = max(0, s - _REACH), False
        i = bisect_left(starts, cs)
        while i < len(stops) and stops[i][1] <= s:
            cs, cause = stops[i][1], rules.list_cause.search(stops[i][2]) is not None
            i += 1
        j = bisect_left(starts, e)
        ce = stops[j][0] if j < len(stops) and stops[j][0] < e + _REACH else min(len(low), e + _REACH)
        if cause or (cs, ce) in seen:
            continue
        seen.add((cs, ce))
        parts: list[Span] = []
        at = cs
        for m in rules.list_sep.finditer(low, cs, ce):
            parts.append((at, m.start()))
            at = m.end()
        parts.append((at, ce))
        if len(parts) < 2 or rules.list_skip.search(low, cs, ce):
            continue  # no list, or a list of infection signs or lab values
        for ps, pe in parts:
            k = bisect_left(union_starts, pe) - 1
            if k >= 0 and union[k][1] > ps:
                continue  # overlaps a stretch already read
            entry = _entry(rules, low[ps:pe])
            if entry is not None and entry[0] >= 0:
                out.append((ps + entry[0], pe, entry[1]))
    return out
