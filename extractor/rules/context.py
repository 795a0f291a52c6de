"""The one context pass (ConText, as in medspacy): negation, permission, requirement, exception and hypothetical
cues, applied once per item; kind extractors ask it about the spans they found.

Cues are data: ``extractor/vocab/context.yaml`` for all kinds, plus the ``context:`` list of a kind's rule file
for that kind alone (:class:`~extractor.rules.ruledata.ContextRule`). The pass finds every cue in the item's
lower-cased text in one scan, then gives each a scope: ``forward`` cues modify what follows, ``backward`` cues
what precedes, ``bidirectional`` both, up to ``max_scope`` words, never across a clause end
(:func:`~extractor.rules.grammar.sentence_bounds`) or past a ``terminate`` cue ("but", "however") or an
``exception`` cue ("except", "other than"), which ends the scope of the others::

    ctx.context.has("negated", start, end, kind="biomarker")   # is text[start:end] in a negation's scope?
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache

from extractor.rules.grammar import sentence_bounds
from extractor.rules.ruledata import ContextRule
from extractor.vocab import load_model

__all__ = ["Category", "ContextResult", "Modifier", "apply_context", "context_rules"]

Category = str

_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Modifier:
    """One cue found in an item and the span of text it modifies (offsets into the item's clean text)."""

    category: Category
    cue_start: int
    cue_end: int
    scope_start: int
    scope_end: int
    kinds: tuple[str, ...]

    def covers(self, start: int, end: int, kind: str | None) -> bool:
        """True when the target span starts inside the scope and the cue applies to ``kind``."""
        if self.kinds and kind not in self.kinds:
            return False
        return self.scope_start <= start < self.scope_end or (start <= self.scope_start < end)


@dataclass(frozen=True, slots=True)
class ContextResult:
    """The cues of one item with their scopes."""

    modifiers: tuple[Modifier, ...]

    def has(self, category: Category, start: int, end: int, kind: str | None = None) -> bool:
        """True when ``[start, end)`` lies in the scope of a ``category`` cue that applies to ``kind``."""
        return any(m.category == category and m.covers(start, end, kind) for m in self.modifiers)

    def categories(self, start: int, end: int, kind: str | None = None) -> frozenset[Category]:
        """Every category whose scope covers ``[start, end)``."""
        return frozenset(m.category for m in self.modifiers if m.covers(start, end, kind))

    def cues(self, category: Category, kind: str | None = None) -> tuple[Modifier, ...]:
        """The cues of one category that apply to ``kind``, in text order."""
        return tuple(m for m in self.modifiers if m.category == category and (not m.kinds or kind in m.kinds))


@cache
def context_rules() -> tuple[ContextRule, ...]:
    """Every context rule: ``vocab/context.yaml`` then each kind's own (restricted to that kind)."""
    from extractor.kinds import REGISTRY
    from extractor.vocab.schemas import Context

    shared = load_model("context")
    assert isinstance(shared, Context)
    rules = list(shared.rules)
    for name, spec in REGISTRY.items():
        own = spec.rules()
        for rule in own.context if own else ():
            rules.append(rule if rule.kinds else rule.model_copy(update={"kinds": (name,)}))
    return tuple(rules)


@cache
def _scanner() -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<c{i}>{rule.regex()})" for i, rule in enumerate(context_rules())))


def _clause_ends(text: str) -> list[int]:
    ends = []
    pos = 0
    while pos < len(text):
        _, e = sentence_bounds(text, pos, pos)
        e = max(e, pos + 1)
        ends.append(e)
        pos = e
    return ends


def apply_context(lower: str) -> ContextResult:
    """Find every cue in ``lower`` (an item's lower-cased clean text) and the scope each modifies."""
    rules = context_rules()
    found: list[tuple[ContextRule, int, int]] = []
    for m in _scanner().finditer(lower):
        if m.end() > m.start() and m.lastgroup:
            found.append((rules[int(m.lastgroup[1:])], m.start(), m.end()))
    if not found:
        return ContextResult(())
    ends = _clause_ends(lower)
    words = [w.start() for w in _WORD.finditer(lower)]
    stops = sorted(s for r, s, _ in found if r.category in ("terminate", "exception"))
    stop_ends = sorted(e for r, _, e in found if r.category in ("terminate", "exception"))
    out: list[Modifier] = []
    for rule, s, e in found:
        if rule.category == "terminate":
            continue
        k = bisect_right(ends, s)
        clause_start = ends[k - 1] if k else 0
        clause_end = ends[k] if k < len(ends) else len(lower)
        fs, fe = e, e
        bs, be = s, s
        if rule.direction in ("forward", "bidirectional"):
            w = bisect_left(words, e)
            limit = words[w + rule.max_scope] if w + rule.max_scope < len(words) else len(lower)
            nxt = bisect_right(stops, e - 1)
            stop = stops[nxt] if nxt < len(stops) and rule.category != "exception" else len(lower)
            fe = min(clause_end, limit, stop)
        if rule.direction in ("backward", "bidirectional"):
            w = bisect_left(words, s)
            limit = words[w - rule.max_scope] if w - rule.max_scope >= 0 else 0
            prv = bisect_right(stop_ends, s) - 1
            stop = stop_ends[prv] if prv >= 0 and rule.category != "exception" else 0
            bs = max(clause_start, limit, stop)
        start = bs if rule.direction in ("backward", "bidirectional") else fs
        end = fe if rule.direction in ("forward", "bidirectional") else be
        out.append(Modifier(rule.category, s, e, start, end, rule.kinds))
    return ContextResult(tuple(out))
