"""Any-of groups: criteria a trial states as alternatives, judged together after each criterion's own judge.

Four rules find them (inclusion criteria only: an exclusion item's alternatives are all excluded, so their effective
rules all apply):

(a) criteria of one *alternative kind* (diagnosis, stage, her2, hormone_receptor, biomarker ``required``) in the
    same item;
(b) the same in sibling items (children of one parent item); the parent's own criteria are not in the group, and a
    parent that says "all of / each of / both of the following" keeps its children all-of;
(c) ``diagnosis`` criteria naming different cancers none of which contains another (a patient has one primary
    cancer), trial-wide;
(d) sibling items around lines that are just "OR": between two OR lines a block is every item there; before the
    first and after the last it is the run of siblings to the parent's first / last child when the items are
    nested ("must be one of: (I) ... OR (II) ..."), else, at the top level, the one adjacent item (with its
    children); a block's status is the worst of its criteria, and the blocks are alternatives;
(e) the children of an item that says "one of / any of / either of / at least one of the following": each child
    (with its own children) is a block, whatever the kinds in it ("meet one of the following: - HER2+ breast
    cancer - melanoma after immunotherapy").

A diagnosis that contains another (``solid tumor`` and ``breast cancer``) is never its alternative: both apply.
A group is met if a member (block) is met, else unknown if one is unknown, else not_met; ``not_evaluable`` members
never decide. A member worse than its group takes the group's status, with a reason naming the deciding alternative.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from extractor.kinds import Criterion
from extractor.match._vocab import cancer_matches
from extractor.models.match import CriterionMatch, Status
from extractor.models.segmentation import Item
from extractor.segment import segment

__all__ = ["apply_groups", "criterion_items"]

_KINDS = frozenset({"diagnosis", "stage", "her2", "hormone_receptor", "biomarker"})
_RANK: dict[str, int] = {"met": 0, "unknown": 1, "not_met": 2}
_OR_LINE = re.compile(r"^[\s*_#>\\-]*or[\s*_:.\\-]*$", re.IGNORECASE)
_ONE_OF = re.compile(r"\b(?:(?:at\s+least\s+)?one|any|either)\s+(?:\w+\s+)?of\s+the\s+following\b", re.IGNORECASE)
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


def _cancer(c: Criterion) -> str:
    return str(getattr(c, "cancer", "")).lower()


@lru_cache(maxsize=1 << 14)
def _contains(ca: str, cb: str) -> bool:
    """True when cancer ``ca`` contains ``cb``, or is it: through the cancer vocabulary ('solid tumor' contains
    'breast cancer'), else when ``ca``'s words are all in ``cb``'s ('breast cancer', 'invasive breast cancer')."""
    return bool(cancer_matches(cb, ca)) or set(ca.split()) <= set(cb.split())


def _general(names: set[str]) -> set[str]:
    """The cancers that contain another of ``names`` without being it: they apply, never as alternatives."""
    return {a for a in names if any(a != b and _contains(a, b) and not _contains(b, a) for b in names)}


@dataclass
class _Group:
    """Alternatives: each member is a block of criterion indices (one criterion for rules a-c)."""

    blocks: list[list[int]] = field(default_factory=list)


def _criterion_groups(criteria: Sequence[Criterion], where: list[int | None], items: Sequence[Item]) -> list[_Group]:
    """Rules (a), (b) and (c): criteria that are alternatives of one another, by union."""
    u = _Union(len(criteria))
    parent = {it.index: it.parent for it in items}
    all_of = {it.index for it in items if _ALL_OF.search(it.text)}
    cand = [i for i, c in enumerate(criteria) if _alternative_kind(c)]
    general = _general({_cancer(criteria[i]) for i in cand if criteria[i].kind == "diagnosis"})
    buckets: dict[tuple[str, str, int], list[int]] = {}
    for i in cand:
        c, w = criteria[i], where[i]
        if w is None or (c.kind == "diagnosis" and _cancer(c) in general):
            continue  # a diagnosis containing another applies with it: no alternative
        buckets.setdefault((c.kind, "item", w), []).append(i)
        p = parent.get(w)
        if p is not None and p not in all_of:
            buckets.setdefault((c.kind, "parent", p), []).append(i)
    for members in buckets.values():
        for j in members[1:]:
            u.join(j, members[0])
    # (c): the most specific diagnoses, trial-wide
    distinct = [i for i in cand if criteria[i].kind == "diagnosis" and _cancer(criteria[i]) not in general]
    if len({_cancer(criteria[i]) for i in distinct}) > 1:
        for i in distinct[1:]:
            u.join(i, distinct[0])
    groups: dict[int, list[int]] = {}
    for i in cand:
        groups.setdefault(u.find(i), []).append(i)
    return [_Group([[i] for i in m]) for m in groups.values() if len(m) > 1]


def _blocks(sib: list[Item], nested: bool) -> list[list[Item]]:
    """The alternatives among sibling items with OR lines between them: between two OR lines, every item; before
    the first and after the last, the run of siblings up to the parent's bounds when nested, else (top level, where
    a run would take in unrelated items) the one adjacent item."""
    cuts = [k for k, it in enumerate(sib) if _OR_LINE.match(it.text)]
    if not cuts:
        return []
    first = sib[: cuts[0]] if nested else sib[max(cuts[0] - 1, 0) : cuts[0]]
    last = sib[cuts[-1] + 1 :] if nested else sib[cuts[-1] + 1 : cuts[-1] + 2]
    inner = [sib[x + 1 : y] for x, y in itertools.pairwise(cuts)]
    return [b for b in (first, *inner, last) if b]


def _or_groups(where: list[int | None], items: Sequence[Item]) -> list[_Group]:
    """Rule (d): sibling items (top-level items of one section, or the children of one item) separated by lines that
    are just "OR" form blocks (:func:`_blocks`), each with its items' children; the blocks are alternatives."""
    families: dict[tuple[int | None, str | None], list[Item]] = {}
    for it in items:
        families.setdefault((it.parent, it.section if it.parent is None else None), []).append(it)
    out: list[_Group] = []
    for (parent, _), sib in families.items():
        if any(it.polarity != "inclusion" for it in sib):
            continue
        blocks = _blocks(sib, nested=parent is not None)
        if len(blocks) < 2:
            continue
        member = {it.index: n for n, block in enumerate(blocks) for it in block}  # item -> its block
        for it in items:  # children follow their parents in document order
            if it.index not in member and it.parent is not None and it.parent in member:
                member[it.index] = member[it.parent]
        crit = [[i for i, w in enumerate(where) if w is not None and member.get(w) == n] for n in range(len(blocks))]
        group = _Group([c for c in crit if c])
        if len(group.blocks) > 1:
            out.append(group)
    return out


def _one_of_groups(where: list[int | None], items: Sequence[Item]) -> list[_Group]:
    """Rule (e): the children of an inclusion item that says "one of the following" are alternative blocks."""
    top: dict[int, int] = {}  # item -> the child of a one-of item it descends from
    heads = {it.index for it in items if it.polarity == "inclusion" and _ONE_OF.search(it.text)}
    for it in items:  # parents come before their children
        if it.parent in heads:
            top[it.index] = it.index
        elif it.parent is not None and it.parent in top:
            top[it.index] = top[it.parent]
    out: list[_Group] = []
    for head in sorted(heads):
        kids = [it.index for it in items if it.parent == head]
        crit = [[i for i, w in enumerate(where) if w is not None and top.get(w) == k] for k in kids]
        group = _Group([c for c in crit if c])
        if len(group.blocks) > 1:
            out.append(group)
    return out


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
    for g in [*_or_groups(where, items), *_one_of_groups(where, items)]:
        _settle(g, out)
    return out
