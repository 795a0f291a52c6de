"""Scope clauses of the ``comorbidity`` kind (its rules are ``comorbidity.yaml``): a sentence naming conditions on both
sides of a coordinator that a scope word follows ("active autoimmune disease or history of interstitial lung disease",
"type 1 diabetes or uncontrolled type 2 diabetes") is read as two clauses, each saying the scope of its own conditions
(GUIDE.md: different scopes in one item get one criterion each)."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["clause_at", "clause_bounds"]

Span = tuple[int, int]
Stretch = tuple[int, int, frozenset[str]]  # start, end, the words of its names


def _restated(before: list[Stretch], after: list[Stretch], same: str) -> bool:
    """Whether a condition of ``after`` restates one of ``before`` ("active autoimmune disease or history of autoimmune
    disease": one condition said both ways, history (GUIDE.md); "history of ILD or uncontrolled lung diseases"); a
    narrower condition after it is another one ("active bleeding or history of bleeding diathesis": two scopes), not
    a narrower ``same`` ("hypersensitivity to X or history of allergic reactions to Y": one topic)."""
    return any(a[2] <= b[2] or (same in b[2] and b[2] <= a[2]) for a in after for b in before)


def clause_bounds(rules: Rules, low: str, sentence: Span, stretches: list[Stretch]) -> list[int]:
    """The clause bounds of ``sentence`` (its start, each cut, its end) whose scope words speak of their own conditions
    (``stretches``: every condition named in the sentence); no cut when none has conditions before it and, after it,
    other conditions or none (then its scope word speaks of a topic that is no entry). Built once per sentence."""
    s, e = sentence
    if not stretches:
        return [s, e]
    cuts: list[int] = []
    bare = rules.hypersensitivity_name
    prev = s
    for m in rules.scope_split.finditer(low, s, e):
        c = m.start()
        word = low[max(s, c - 12) : c].split()[-1:]
        if any(a < c < b for a, b, _ in stretches) or (word and word[0] in rules.scope_pair):
            continue  # inside a name, or a scope word paired ("active or history of X": both X's)
        if rules.scope_split_window.search(low, m.end(), e):
            continue  # a time window after the cut may speak of both sides ("X or active Y within 28 days")
        if (p := rules.procedure_history.search(low, m.end(), min(e, m.end() + 80))) and p.start() - m.end() < 8:
            continue  # the history of a procedure ("..., history of major surgical resection"): no scope of theirs
        before = [t for t in stretches if prev <= t[0] < c]
        after = [t for t in stretches if t[0] >= m.end()]
        inner = any(_restated([a], after[i + 1 :], bare) for i, a in enumerate(after))  # "X ... or has current X"
        # no condition after the cut: its scope word is another topic's ("bleeding diathesis or active hemorrhage")
        if before and (not after or (not inner and not _restated(before, after, bare))):
            cuts.append(c)
            prev = c
    return [s, *cuts, e]


def clause_at(bounds: list[int], at: int) -> Span:
    """The clause of ``bounds`` (from :func:`clause_bounds`) holding the stretch that starts at ``at``."""
    for a, b in pairwise(bounds):
        if a <= at < b:
            return a, b
    return bounds[0], bounds[-1]
