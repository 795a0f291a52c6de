"""Cancers an inclusion names as excluded (rules in ``diagnosis.yaml``): "Patients with uveal melanoma are not
eligible", "(uterine carcinosarcoma is excluded)", "gastric cancer and GEJ adenocarcinoma are excluded" name no
diagnosis, and their histologies are none of the diagnosis's; a histologic variant of the trial's cancer named before
it ("small cell, large cell and/or sarcomatoid NSCLC are excluded") leaves the cancer the diagnosis, without the
variants as its histology."""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractor.rules.grammar import any_in

if TYPE_CHECKING:
    from extractor.kinds.diagnosis import Rules

__all__ = ["excluded_mentions", "outside", "variant_excluded_here"]

Span = tuple[int, int]
Mention = tuple[int, int, str]

_VARIANT_BEFORE = 60  # characters before a mention read for the histologic variants it heads
_CHAIN_GAP = 40  # a mention coordinated before an excluded one ends within this many characters of its start


def variant_excluded_here(rules: Rules, lower: str, span: Span) -> bool:
    """An inclusion's "Patients with small cell, large cell and/or sarcomatoid NSCLC are excluded": the variants
    named before the mention are excluded, not its histology."""
    return (
        any_in(rules.excluded_variant_gate, lower)
        and bool(rules.excluded_after.match(lower, span[1]))
        and bool(rules.excluded_variant_before.search(lower, max(0, span[0] - _VARIANT_BEFORE), span[0]))
    )


def excluded_mentions(rules: Rules, lower: str, mentions: list[Mention]) -> set[Span]:
    """The spans of the mentions an inclusion says are excluded (``excluded_mention_after`` right after one, or after
    the mentions coordinated with it, ``excluded_chain``: "MDS or AML are excluded"), not one heading excluded
    variants of itself (then the variants' span: none of them is its histology)."""
    out: set[Span] = set()
    if not any_in(rules.excluded_mention_gate, lower):
        return out
    for s, e, _c in sorted(mentions, key=lambda m: m[0], reverse=True):
        if rules.excluded_mention_after.match(lower, e) or any(
            0 <= a - e <= _CHAIN_GAP and rules.excluded_chain.fullmatch(lower, e, a) for a, _b in out
        ):
            v = rules.excluded_variant_before.search(lower, max(0, s - _VARIANT_BEFORE), s)
            out.add((s, e) if v is None else (v.start(), s))  # "Squamous NSCLC are excluded": the variant only
    return out


def outside(found: list[Mention], spans: set[Span]) -> list[Mention]:
    """The mentions of ``found`` inside none of ``spans``."""
    return [m for m in found if not any(a <= m[0] and m[1] <= b for a, b in spans)] if spans else found
