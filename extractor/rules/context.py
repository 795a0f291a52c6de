"""The one context pass (ConText, as in medspacy): negation, permission, requirement, exception and hypothetical
cues; kind extractors ask it about the spans they found.

Cues are data: ``extractor/vocab/context.yaml`` holds the shared cues, and the ``context:`` list of a kind's rule
file adds cues for that kind alone (:class:`~extractor.rules.ruledata.ContextRule`); a kind whose rule file sets
``context_shared: false`` reads its own cues only. For a kind, the pass finds every cue in the item's lower-cased
text (the shared ones in one scan per item, the kind's own in one scan on the kind's first question), then gives
each a scope: ``forward`` cues modify what follows, ``backward`` cues what precedes, ``bidirectional`` both, up
to ``max_scope`` words, never across a clause end (:func:`~extractor.rules.grammar.sentence_bounds`) or past a
``terminate`` cue ("but", "however") or an ``exception`` cue ("except", "other than"), which ends the scope of
the others. A ``pseudo`` cue (medspacy's PSEUDO: "no more than", "not limited to") modifies nothing; it only
keeps a shorter cue inside it from matching::

    ctx.context.has("negated", start, end, kind="biomarker")   # is text[start:end] in a negation's scope?
"""

from __future__ import annotations

import importlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from extractor.rules.grammar import SENTENCES, phrase_alt, sentence_bounds
from extractor.rules.ruledata import ContextRule
from extractor.vocab import vocabulary

__all__ = ["ContextResult", "Modifier", "apply_context", "context_rules", "cue_finder", "kind_context"]

_WORD = re.compile(r"\S+")
_STOPS = ("terminate", "exception")


@dataclass(frozen=True, slots=True)
class Modifier:
    """One cue found in an item and the span of text it modifies (offsets into the item's clean text)."""

    category: str
    direction: str
    cue_start: int
    cue_end: int
    scope_start: int
    scope_end: int

    def covers(self, start: int, end: int) -> bool:
        """True when the target span ``[start, end)`` overlaps the scope."""
        return self.scope_start <= start < self.scope_end or start <= self.scope_start < end


@cache
def context_rules() -> tuple[ContextRule, ...]:
    """The shared cues (``vocab/context.yaml``)."""
    from extractor.vocab.schemas import Context

    shared = vocabulary(Context)
    return shared.rules


@cache
def kind_context(kind: str) -> tuple[bool, tuple[ContextRule, ...]]:
    """Whether ``kind`` reads the shared cues, and its own cues."""
    from extractor.kinds import REGISTRY

    spec = REGISTRY.get(kind)
    rules = spec.rules() if spec is not None else None
    if rules is None:
        return True, ()
    return rules.context_shared, rules.context


@cache
def _scanner(rules: tuple[ContextRule, ...]) -> re.Pattern[str] | None:
    """One alternation of every rule, in order (the first rule matching at a position wins). Runs of rules that
    of literal-only rules (each opens with a word boundary) share one ``\\b`` in front: the engine then tries them
    only at word starts."""
    if not rules:
        return None
    parts: list[str] = []
    run: list[str] = []
    for i, rule in enumerate(rules):
        rx = rule.regex()
        if rule.literals and not rule.pattern:  # "\\b(?:literals)\\b"
            run.append(f"(?P<c{i}>{rx[2:]})")
            continue
        if run:
            parts.append("\\b(?:" + "|".join(run) + ")")
            run = []
        parts.append(f"(?P<c{i}>{rx})")
    if run:
        parts.append("\\b(?:" + "|".join(run) + ")")
    return re.compile("|".join(parts))


def cue_finder(rules: Sequence[ContextRule]) -> re.Pattern[str] | None:
    """Where any of ``rules`` can match, as one pattern (``None`` for no rules): the literals of every rule in one
    trie (one word-start test instead of one per rule), then each rule's own pattern. It matches wherever one of
    the rules does: a search says whether a cue can occur in a span, and the scanner says which rule, and how
    far."""
    literals = [lit for rule in rules for lit in rule.literals]
    parts = [rf"\b(?:{phrase_alt(literals)})\b"] if literals else []
    parts += [f"(?:{rule.pattern})" for rule in rules if rule.pattern]
    return re.compile("|".join(parts)) if parts else None


def _word_start_finder(finder: re.Pattern[str]) -> re.Pattern[str] | None:
    """``finder`` as a scan of the text with a space in front for a non-word character and a word start after it,
    when each of its matches opens with ``\\b`` and a word character and it has no look-behind or start anchor;
    else None. The regex engine skips to the non-word characters (a character-set prefix) instead of trying the
    whole alternation at every offset: the match offsets in the spaced text are the cue offsets in the text."""
    sre = importlib.import_module("re._parser")
    word = re.compile(r"\w")

    def opens_word(seq: list[tuple[object, object]]) -> bool:
        """Whether every match of ``seq`` opens with a word character."""
        if not seq:
            return False
        op, av = seq[0]
        if op is sre.SUBPATTERN and isinstance(av, tuple):
            return opens_word(list(av[3]))
        if op is sre.BRANCH and isinstance(av, tuple):
            return all(opens_word(list(b)) for b in av[1])
        if op is sre.LITERAL and isinstance(av, int):
            return bool(word.match(chr(av)))
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and isinstance(av, tuple):
            return opens_word(list(av[2])) and (av[0] >= 1 or opens_word(seq[1:]))
        return False

    def at_word_start(seq: list[tuple[object, object]]) -> bool:
        """Whether every match of ``seq`` opens with ``\\b`` and a word character."""
        if not seq:
            return False
        op, av = seq[0]
        if op is sre.SUBPATTERN and isinstance(av, tuple):
            return at_word_start(list(av[3])) if len(seq) == 1 else False
        if op is sre.BRANCH and isinstance(av, tuple):
            return len(seq) == 1 and all(at_word_start(list(b)) for b in av[1])
        return op is sre.AT and av is sre.AT_BOUNDARY and opens_word(seq[1:])

    def looks_back(seq: object) -> bool:
        """Whether a look-behind or a start anchor is anywhere in the parse tree."""
        if isinstance(seq, tuple | list | sre.SubPattern):
            for x in seq:
                if isinstance(x, tuple) and len(x) == 2 and x[0] in (sre.ASSERT, sre.ASSERT_NOT) and x[1][0] == -1:
                    return True
                if (
                    isinstance(x, tuple)
                    and len(x) == 2
                    and x[0] is sre.AT
                    and x[1]
                    in (
                        sre.AT_BEGINNING,
                        sre.AT_BEGINNING_STRING,
                        sre.AT_BEGINNING_LINE,
                    )
                ):
                    return True
                if looks_back(x):
                    return True
        return False

    tree = sre.parse(finder.pattern, finder.flags)
    if not at_word_start(list(tree)) or looks_back(tree):
        return None
    return re.compile(f"\\W(?={finder.pattern})", finder.flags)


@cache
def _kind_scanner(
    kind: str | None,
) -> tuple[tuple[ContextRule, ...], re.Pattern[str] | None, re.Pattern[str] | None]:
    """The rules, scanner and finder of ``kind``'s own cues (``None``: the shared cues), built once per kind."""
    rules = context_rules() if kind is None else kind_context(kind)[1]
    return rules, _scanner(rules), cue_finder(rules)


@cache
def _spaced_finder(kind: str | None) -> re.Pattern[str] | None:
    """The :func:`_word_start_finder` of ``kind``'s finder, built once per kind (None when it has none)."""
    finder = _kind_scanner(kind)[2]
    return _word_start_finder(finder) if finder is not None else None


def _find(lower: str, kind: str | None) -> list[tuple[ContextRule, int, int]]:
    """The cues of ``kind`` (``None``: the shared ones) in ``lower``: what ``scanner.finditer`` finds, without the
    empty matches. The finder skips to the next place a cue can start and the scanner reads the cue there: about
    half the cost of running the scanner at every offset for the shared cues (its literals are all one trie)."""
    rules, scanner, finder = _kind_scanner(kind)
    spaced = _spaced_finder(kind)
    if spaced is not None:
        finder = spaced
    if scanner is None or finder is None:
        return []
    found: list[tuple[ContextRule, int, int]] = []
    pos = 0
    text = " " + lower if spaced is not None else lower  # a spaced finder's match offsets are offsets into ``lower``
    while (c := finder.search(text, pos)) is not None:
        m = scanner.match(lower, c.start())
        if m is None:
            pos = c.start() + 1
            continue
        if m.end() == m.start():  # an empty match: from here on, the scanner's own iteration
            found += [
                (rules[int(x.lastgroup[1:])], x.start(), x.end())
                for x in scanner.finditer(lower, m.start())
                if x.end() > x.start() and x.lastgroup
            ]
            break
        if m.lastgroup:
            found.append((rules[int(m.lastgroup[1:])], m.start(), m.end()))
        pos = m.end()
    return found


def _clause_ends(text: str) -> list[int]:
    """Where each clause of ``text`` ends: the ends :func:`sentence_bounds` reads from each clause's start on."""
    rx, lead = SENTENCES.end_pattern(), SENTENCES.lead
    ends = []
    pos = 0
    while pos < len(text):
        m = rx.search(text, pos)
        e = m.start() + (1 if m.group(0) == "." else 0) if m else len(text)
        if e <= pos or text[pos] in lead:
            # only here can the clause start (after lead characters) reach its end: the full reading, which looks
            # back for the start; else its end is the next end after ``pos`` (one forward search per clause)
            _, e = sentence_bounds(text, pos, pos)
        e = max(e, pos + 1)
        ends.append(e)
        pos = e
    return ends


_Layout = tuple[list[int], list[tuple[int, int]], list[int]]
"""An item's clause ends, word spans and word starts."""


def _scopes(lower: str, layout: _Layout, found: Sequence[tuple[ContextRule, int, int]]) -> tuple[Modifier, ...]:
    if not found:
        return ()
    ends, spans, words = layout
    stops = sorted(s for r, s, _ in found if r.category in _STOPS)
    stop_ends = sorted(e for r, _, e in found if r.category in _STOPS)
    out: list[Modifier] = []
    for rule, s, e in sorted(found, key=lambda f: f[1]):
        if rule.category in ("terminate", "pseudo"):
            continue
        k = bisect_right(ends, s)
        clause_start = ends[k - 1] if k else 0
        clause_end = ends[k] if k < len(ends) else len(lower)
        start, end = e, s
        if rule.direction in ("forward", "bidirectional"):
            w = bisect_left(words, e)
            if w and spans[w - 1][1] > e:  # the cue ends inside a word ("non-" of "non-MSI"): its rest is word 1
                w -= 1
            limit = words[w + rule.max_scope] if w + rule.max_scope < len(words) else len(lower)
            nxt = bisect_right(stops, e - 1)
            stop = stops[nxt] if nxt < len(stops) and rule.category != "exception" else len(lower)
            end = min(clause_end, limit, stop)
            start = e
        if rule.direction in ("backward", "bidirectional"):
            w = bisect_left(words, s)
            limit = words[w - rule.max_scope] if w - rule.max_scope >= 0 else 0
            prv = bisect_right(stop_ends, s) - 1
            stop = stop_ends[prv] if prv >= 0 and rule.category != "exception" else 0
            start = max(clause_start, limit, stop)
            if rule.direction == "backward":
                end = s
        out.append(Modifier(rule.category, rule.direction, s, e, start, end))
    return tuple(out)


class ContextResult:
    """The cues of one item and their scopes, per kind (computed on the kind's first question)."""

    __slots__ = ("_by_kind", "_clean", "_layout", "_lower", "_shared")

    def __init__(self, lower: str, clean: str | None = None) -> None:
        self._lower = lower
        self._clean = lower if clean is None else clean
        self._shared: list[tuple[ContextRule, int, int]] | None = None
        self._by_kind: dict[str | None, tuple[Modifier, ...]] = {}
        self._layout: _Layout | None = None

    def _item_layout(self) -> _Layout:
        """Clause ends, word spans and word starts of the item, shared by every kind that asks."""
        if self._layout is None:
            ends = _clause_ends(self._clean)  # the splitter needs the case: a full stop before a capital
            spans = [w.span() for w in _WORD.finditer(self._lower)]
            self._layout = (ends, spans, [s for s, _ in spans])
        return self._layout

    def modifiers(self, kind: str | None = None) -> tuple[Modifier, ...]:
        """Every cue that applies to ``kind`` (``None``: the shared cues only), with its scope, in text order."""
        if kind not in self._by_kind:
            uses_shared, own = kind_context(kind) if kind is not None else (True, ())
            found: list[tuple[ContextRule, int, int]] = []
            if uses_shared:
                if self._shared is None:
                    self._shared = _find(self._lower, None)
                found.extend(self._shared)
            if own:
                found.extend(_find(self._lower, kind))
            self._by_kind[kind] = _scopes(self._lower, self._item_layout(), found) if found else ()
        return self._by_kind[kind]

    def has(self, category: str, start: int, end: int, kind: str | None = None) -> bool:
        """True when ``[start, end)`` lies in the scope of a ``category`` cue that applies to ``kind``."""
        return any(m.category == category and m.covers(start, end) for m in self.modifiers(kind))

    def categories(self, start: int, end: int, kind: str | None = None) -> frozenset[str]:
        """Every category whose scope covers ``[start, end)`` for ``kind``."""
        return frozenset(m.category for m in self.modifiers(kind) if m.covers(start, end))

    def cues(self, category: str, kind: str | None = None) -> tuple[Modifier, ...]:
        """The cues of one category that apply to ``kind``, in text order."""
        return tuple(m for m in self.modifiers(kind) if m.category == category)


def apply_context(lower: str, clean: str | None = None) -> ContextResult:
    """The context pass over an item (``lower``: its lower-cased clean text, where cues are found; ``clean``: the
    same text with its case, where clauses end); cues are found when first asked."""
    return ContextResult(lower, clean)
