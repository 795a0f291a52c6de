"""One ``cardiac`` criterion per sentence's facts (GUIDE.md: "one cardiac criterion holds every cardiac fact of a
sentence"): readings of an item merge when their facts lie in the same sentences, unless their fields disagree (two
QTc limits, one per sex, stay two). A one-sentence item shares its one sentence; in a longer item a reading merges
with the criterion of the conditions only when all of them are written in the reading's sentence, so facts of other
sentences ("NOTE: ... does not apply to ...") stay apart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from extractor.ground import make_evidence
from extractor.rules.grammar import sentence_spans

if TYPE_CHECKING:
    from collections.abc import Sequence

    from extractor.kinds.cardiac import Cardiac
    from extractor.rules.item import ItemContext

__all__ = ["FIELDS", "merge"]

FIELDS = ("lvef_min_percent", "lvef_lln", "qtc_max_ms", "nyha_max", "conditions")


def _sentences_of(bounds: list[tuple[int, int]], positions: Sequence[int]) -> frozenset[int]:
    """The indexes of the sentences (source offsets) holding ``positions``."""
    return frozenset(i for p in positions for i, (s, e) in enumerate(bounds) if s <= p < e)


def merge(ctx: ItemContext, out: list[tuple[Cardiac, Sequence[int]]]) -> list[Cardiac]:
    """The criteria of ``out`` (each with the source offsets of its facts), merged when their facts lie in the same
    sentences; the evidence spans both."""
    spans = sentence_spans(ctx.clean)
    if len(spans) > 1:
        bounds = [(ev.start, ev.end) for ev in (ctx.evidence(s, e) for s, e in spans)]
        keyed = [(c, _sentences_of(bounds, pos)) for c, pos in out]
    else:
        keyed = [(c, frozenset({0})) for c, _ in out]
    merged: list[tuple[Cardiac, frozenset[int]]] = []
    for c, sents in keyed:
        into = next((i for i, (m, ms) in enumerate(merged) if sents == ms and _agree(m, c)), None)
        if into is None:
            merged.append((c, sents))
            continue
        acc = _join(ctx, merged[into], (c, sents))
        # a later criterion of the same sentences joins too (an LVEF and a QTc limit beside the conditions)
        rest: list[tuple[Cardiac, frozenset[int]]] = []
        for m, ms in merged[into + 1 :]:
            if ms == acc[1] and _agree(acc[0], m):
                acc = _join(ctx, acc, (m, ms))
            else:
                rest.append((m, ms))
        merged[into:] = [acc, *rest]
    return [c for c, _ in merged]


def _agree(a: Cardiac, b: Cardiac) -> bool:
    """No field set in both with different values."""
    return all(
        x in (None, []) or y in (None, []) or x == y for x, y in ((getattr(a, f), getattr(b, f)) for f in FIELDS)
    )


def _join(
    ctx: ItemContext, a: tuple[Cardiac, frozenset[int]], b: tuple[Cardiac, frozenset[int]]
) -> tuple[Cardiac, frozenset[int]]:
    """``a`` with the fields it lacks taken from ``b``; the evidence spans both."""
    m, c = a[0], b[0]
    update: dict[str, Any] = {}
    for f in FIELDS:
        x = getattr(m, f)
        update[f] = getattr(c, f) if x in (None, []) else x
    update["evidence"] = make_evidence(
        ctx.source, min(m.evidence.start, c.evidence.start), max(m.evidence.end, c.evidence.end)
    )
    return m.model_copy(update=update), a[1] | b[1]
