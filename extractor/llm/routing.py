"""Hybrid routing: which items the rules leave to the model, and how the two results are merged.

:func:`route_items` picks, from the rules' result, the items worth a model's reading (the reasons, in order):

* ``other``: the rules typed nothing in the item (always sent);
* ``numbers``: a number or a comparator stands outside the evidence of every criterion the rules found in it;
* ``compound``: the item has more clauses than ``clauses_per_criterion`` times the criteria the rules found;
* ``long``: the item is longer than ``long_item_chars`` (long items hold several facts);
* ``family``: the parent or a nested item of a sent item (a nested item is read under its parent).

Each rule is a general feature of the item text and the rules' result, set in :class:`RoutingConfig` (``None`` /
``False`` turns it off); none looks at a trial id or a phrase. The defaults are measured with the oracle
(evals/RESULTS.md, "Hybrid routing").

:func:`merge_hybrid` joins the results: an item the model was not asked about (or whose request failed, or whose
every criterion from the model was rejected) keeps the rules' criteria; an item the model answered takes the
model's criteria (``other`` when it typed nothing), except that a criterion equal to one of the rules' (same kind,
fields and evidence) stays the rules' own, and where a criterion of the model was rejected (grounding, number
check) the rules' criteria of its kind that no kept criterion of the model overlaps stay. Each criterion says which
backend produced it (``Criterion.backend``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from extractor.ground import make_evidence
from extractor.llm.config import RoutingConfig
from extractor.models import Criterion, Item, Other
from extractor.rules.grammar import NUM, comparator_pattern

__all__ = ["ROUTE_REASONS", "llm_other", "merge_hybrid", "route_items"]

ROUTE_REASONS = ("other", "numbers", "compound", "long", "family")
"""Why an item is sent, in the order the rules are tried (an item gets the first that applies)."""

_CLAUSE_BREAK = re.compile(r";|,|\band\b|\bor\b", re.IGNORECASE)
_NUMBER = re.compile(NUM)


@cache
def _comparator() -> re.Pattern[str]:
    return re.compile(comparator_pattern(split_forms=True), re.IGNORECASE)


def _covered(item: Item, criteria: Sequence[Criterion]) -> list[bool]:
    """Per character of the item: inside the evidence of one of ``criteria``."""
    cov = [False] * len(item.text)
    for c in criteria:
        for k in range(max(0, c.evidence.start - item.start), min(len(item.text), c.evidence.end - item.start)):
            cov[k] = True
    return cov


def _unexplained(item: Item, typed: Sequence[Criterion]) -> bool:
    """A number or a comparator of the item lies wholly outside every typed criterion's evidence."""
    cov = _covered(item, typed)
    for pattern in (_NUMBER, _comparator()):
        for m in pattern.finditer(item.text):
            if m.end() > m.start() and not any(cov[m.start() : m.end()]):
                return True
    return False


def _reason(item: Item, criteria: Sequence[Criterion], config: RoutingConfig) -> str | None:
    typed = [c for c in criteria if c.kind != "other"]
    if not typed:
        return "other"
    if config.unexplained_numbers and _unexplained(item, typed):
        return "numbers"
    if config.clauses_per_criterion is not None:
        clauses = len(_CLAUSE_BREAK.findall(item.text)) + 1
        if clauses > config.clauses_per_criterion * len(typed):
            return "compound"
    if config.long_item_chars is not None and len(item.text) > config.long_item_chars:
        return "long"
    return None


def route_items(
    items: Sequence[Item], rules_criteria: Iterable[Criterion], config: RoutingConfig | None = None
) -> dict[int, str]:
    """Item index -> why it is sent to the model (:data:`ROUTE_REASONS`), for the items ``hybrid`` sends, given
    the rules' criteria of those items. Items not in the result keep the rules' criteria."""
    config = config or RoutingConfig()
    by_item: dict[int, list[Criterion]] = {}
    for c in rules_criteria:
        if c.item is not None:
            by_item.setdefault(c.item, []).append(c)
    routed: dict[int, str] = {}
    for it in items:
        if (why := _reason(it, by_item.get(it.index, []), config)) is not None:
            routed[it.index] = why
    if config.families:
        known = {it.index for it in items}
        family: set[int] = set()
        for it in items:
            if it.parent is None or it.parent not in known:
                continue
            if it.index in routed:
                family.add(it.parent)
            if it.parent in routed:
                family.add(it.index)
        for index in family:
            routed.setdefault(index, "family")
    return dict(sorted(routed.items()))


def _same(a: Criterion, b: Criterion) -> bool:
    skip = {"backend"}
    return a.model_dump(exclude=skip) == b.model_dump(exclude=skip)


def _overlap(a: Criterion, b: Criterion) -> bool:
    """Same kind, overlapping evidence: ``b`` says what ``a`` says, or replaces it."""
    return a.kind == b.kind and a.evidence.start < b.evidence.end and b.evidence.start < a.evidence.end


def merge_hybrid(
    rules_criteria: Sequence[Criterion],
    llm_criteria: Sequence[Criterion],
    answered: Iterable[int],
    items: Sequence[Item],
    source: str,
    *,
    rejected: Iterable[tuple[int | None, str]] = (),
) -> list[Criterion]:
    """The hybrid result, in source order: the model's criteria for the ``answered`` items (``other`` where it
    typed nothing; a criterion equal to one of the rules' stays the rules'), plus, where the model's criterion of a
    kind on an item was rejected (``rejected``: (item, kind) pairs), the rules' criteria of that kind whose evidence
    no kept criterion of the model overlaps; the rules' criteria for every other item. ``answered``: items sent in
    a request that got an answer."""
    answered = set(answered)
    lost = set(rejected)
    # an item whose every claim from the model was rejected keeps the rules' result whole
    answered -= {item for item, _ in lost} - {c.item for c in llm_criteria}
    rules_by: dict[int | None, list[Criterion]] = {}
    for c in rules_criteria:
        rules_by.setdefault(c.item, []).append(c)
    llm_by: dict[int | None, list[Criterion]] = {}
    for c in llm_criteria:
        llm_by.setdefault(c.item, []).append(c)
    out: list[Criterion] = [c for index, cs in rules_by.items() if index not in answered for c in cs]
    for it in items:
        if it.index not in answered:
            continue
        rules = rules_by.get(it.index, [])
        mine = llm_by.get(it.index) or [llm_other(it, source)]
        out += [next((r for r in rules if _same(r, c)), c) for c in mine]
        out += [r for r in rules if (it.index, r.kind) in lost and not any(_overlap(r, c) for c in mine)]
    out.sort(key=lambda c: (c.evidence.start, c.item if c.item is not None else -1))
    return out


def llm_other(it: Item, source: str) -> Other:
    """The ``other`` criterion for an item the model answered but typed nothing in (the whole item as evidence)."""
    return Other(
        polarity=it.polarity,
        cohort=it.cohort,
        item=it.index,
        backend="llm",
        evidence=make_evidence(source, it.start, it.end),
    )
