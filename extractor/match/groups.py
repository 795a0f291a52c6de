"""Any-of groups: criteria a trial states as alternatives, judged together after each criterion's own judge.

Four rules find them (inclusion criteria only: an exclusion item's alternatives are all excluded, so their effective
rules all apply):

(a) criteria of one *alternative kind* (diagnosis, stage, her2, hormone_receptor, biomarker ``required``) in the
    same item;
(b) the same in sibling items (children of one parent item); the parent's own criteria are not in the group, and a
    parent that says "all of / each of / both of the following" keeps its children all-of;
(c) ``diagnosis`` criteria naming different cancers none of which contains another (a patient has one primary
    cancer), trial-wide;
(d) top-level items around a line that is just "OR": each block is one top-level item with its children; a block's
    status is the worst of its criteria, and the blocks are alternatives.

A diagnosis that contains another (``solid tumor`` and ``breast cancer``) is never its alternative: both apply.
A group is met if a member (block) is met, else unknown if one is unknown, else not_met; ``not_evaluable`` members
never decide. A member worse than its group takes the group's status, with a reason naming the deciding alternative.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from extractor.kinds import Criterion
from extractor.match._vocab import cancer_matches
from extractor.models.match import CriterionMatch, Status
from extractor.models.segmentation import Item
from extractor.segment import segment

__all__ = ["apply_groups", "criterion_items"]

_KINDS = frozenset({"diagnosis", "stage", "her2", "hormone_receptor", "biomarker"})
_RANK: dict[str, int] = {"met": 0, "unknown": 1, "not_met": 2}
_OR_LINE = re.compile(r"^[\s*_#>\\-]*or[\s*_:.\\-]*$", re.IGNORECASE)
_ALL_OF = re.compile(r"\b(?:all|each|both)\s+(?:of\s+)?(?:the\s+)?following\b", re.IGNORECASE)


def criterion_items(criteria: Sequence[Criterion], items: Sequence[Item]) -> list[int | None]:
    """Each criterion's item: ``criterion.item`` when set, else the segmented item holding its evidence start."""
    out: list[int | None] = []
    for c in criteria:
        if c.item is not None:
            out.append(c.item)
            continue
        at = c.evidence.start
        out.append(next((it.index for it in items if it.start <= at < max(it.end, it.start + 1)), None))
    return out


class _Union:
    def __init__(self, n: int) -> None:
        self.up = list(range(n))

    def find(self, i: int) -> int:
        while self.up[i] != i:
            self.up[i] = self.up[self.up[i]]
            i = self.up[i]
        return i

    def join(self, i: int, j: int) -> None:
        self.up[self.find(i)] = self.find(j)


def _alternative_kind(c: Criterion) -> bool:
    if c.polarity != "inclusion" or c.kind not in _KINDS:
        return False
    return c.kind != "biomarker" or getattr(c, "requirement", None) == "required"


def _contains(a: Criterion, b: Criterion) -> bool:
    """True when diagnosis ``a``'s cancer contains ``b``'s, or is it: through the cancer vocabulary ('solid tumor'
    contains 'breast cancer'), else when ``a``'s words are all in ``b``'s ('breast cancer', 'invasive breast
    cancer')."""
    ca, cb = str(getattr(a, "cancer", "")).lower(), str(getattr(b, "cancer", "")).lower()
    return bool(cancer_matches(cb, ca)) or set(ca.split()) <= set(cb.split())


def _related(a: Criterion, b: Criterion) -> bool:
    """One diagnosis contains the other and they are not the same cancer: both apply, never alternatives."""
    return _contains(a, b) != _contains(b, a)


def _may_pair(a: Criterion, b: Criterion) -> bool:
    return a.kind == b.kind and (a.kind != "diagnosis" or not _related(a, b))


@dataclass
class _Group:
    """Alternatives: each member is a block of criterion indices (one criterion for rules a-c)."""

    blocks: list[list[int]] = field(default_factory=list)


def _criterion_groups(criteria: Sequence[Criterion], where: list[int | None], items: Sequence[Item]) -> list[_Group]:
    """Rules (a), (b) and (c): criteria that are alternatives of one another, by union."""
    n = len(criteria)
    u = _Union(n)
    parent = {it.index: it.parent for it in items}
    all_of = {it.index for it in items if _ALL_OF.search(it.text)}
    cand = [i for i in range(n) if _alternative_kind(criteria[i])]
    for x, i in enumerate(cand):
        for j in cand[x + 1 :]:
            a, b = criteria[i], criteria[j]
            if not _may_pair(a, b):
                continue
            wi, wj = where[i], where[j]
            same_item = wi is not None and wi == wj
            pi, pj = parent.get(wi) if wi is not None else None, parent.get(wj) if wj is not None else None
            siblings = pi is not None and pi == pj and pi not in all_of
            if same_item or siblings:
                u.join(i, j)
    diagnoses = [i for i in cand if criteria[i].kind == "diagnosis"]
    distinct = [i for i in diagnoses if not any(_related(criteria[i], criteria[j]) for j in diagnoses if j != i)]
    if len({str(getattr(criteria[i], "cancer", "")).lower() for i in distinct}) > 1:
        for i in distinct[1:]:
            u.join(i, distinct[0])
    members: dict[int, list[int]] = {}
    for i in cand:
        members.setdefault(u.find(i), []).append(i)
    return [_Group([[i] for i in m]) for m in members.values() if len(m) > 1]


def _or_groups(where: list[int | None], items: Sequence[Item]) -> list[_Group]:
    """Rule (d): the top-level items (with their children) on either side of an "OR" line are alternatives."""
    top: dict[int, int] = {}
    for it in items:
        root = it.index
        while items[root].parent is not None:
            root = items[root].parent  # type: ignore[assignment]
        top[it.index] = root
    tops = [it for it in items if it.parent is None]
    groups: list[list[int]] = []  # runs of top-level item indices joined by OR lines
    for k, it in enumerate(tops):
        if not _OR_LINE.match(it.text) or k == 0 or k + 1 >= len(tops):
            continue
        before, after = tops[k - 1], tops[k + 1]
        if _OR_LINE.match(before.text) or _OR_LINE.match(after.text) or before.section != after.section:
            continue
        if before.polarity != "inclusion" or after.polarity != "inclusion":
            continue
        if groups and groups[-1][-1] == before.index:
            groups[-1].append(after.index)
        else:
            groups.append([before.index, after.index])
    out = []
    for run in groups:
        blocks = [[i for i, w in enumerate(where) if w is not None and top.get(w) == root] for root in run]
        out.append(_Group([b for b in blocks if b]))
    return [g for g in out if len(g.blocks) > 1]


def _block_status(block: list[int], results: Sequence[CriterionMatch]) -> Status | None:
    """The worst status of a block's criteria (not_evaluable ones aside); None when none can be judged."""
    judged: list[Status] = [results[i].status for i in block if results[i].status in _RANK]
    if not judged:
        return None
    worst: Status = max(judged, key=_RANK.__getitem__)
    return worst


def _label(i: int, results: Sequence[CriterionMatch]) -> str:
    text = " ".join(results[i].criterion.evidence.text.split())
    return f"[{i}] {text[:60]!r}"


def _settle(group: _Group, results: list[CriterionMatch]) -> None:
    """Record each member's alternatives, and give the group's status to every member worse than it, naming the
    alternative that decided."""
    everyone = {i for b in group.blocks for i in b}
    for b in group.blocks:
        for i in b:
            alternatives = sorted({*results[i].alternatives, *(everyone - set(b))})
            results[i] = results[i].model_copy(update={"alternatives": alternatives})
    judged = [(b, s) for b in group.blocks if (s := _block_status(b, results)) is not None]
    if not judged:
        return
    best = min((s for _, s in judged), key=_RANK.__getitem__)
    block = next(b for b, s in judged if s == best)
    decider = next(i for i in block if results[i].status == best)
    why = results[decider].reason if len(block) == 1 else f"every criterion of its block is {best} or not evaluable"
    for b in group.blocks:
        for i in b:
            m = results[i]
            if m.status in _RANK and _RANK[m.status] > _RANK[best]:
                reason = f"{best} through the alternative {_label(decider, results)}: {why} (on its own: {m.reason})"
                results[i] = m.model_copy(update={"status": best, "reason": reason})


def apply_groups(
    criteria: Sequence[Criterion], results: list[CriterionMatch], text: str | None
) -> list[CriterionMatch]:
    """Judge the any-of groups of ``criteria`` (``results[i]`` is criterion ``i``'s own judgement); ``text`` (the
    criteria text) gives the items, their parents and the OR lines, else only ``criterion.item`` is used."""
    items = segment(text).items if text else []
    where = criterion_items(criteria, items)
    out = list(results)
    for g in _criterion_groups(criteria, where, items):
        _settle(g, out)
    for g in _or_groups(where, items):
        _settle(g, out)
    return out
