"""Evidence verification and offset repair.

Every criterion leaves this stage either grounded (``source[start:end] == text``) or reported as
:class:`~extractor.models.Rejected`. A quote the model paraphrased is never passed off as grounded: repair only
re-finds the *same* words and then replaces the quote with the verbatim source slice (the source's spelling and
offsets, never the quote's). "The same words" tolerates what a model typing ASCII changes (:func:`fold`): case,
whitespace runs (and spaces next to ``<``, ``>``, ``=``), markdown escapes, ``>=``/``=>`` for ``≥``, ``<=``/``=<``
for ``≤``, ``x``/``X``/``*`` for ``×``, ``u`` for ``µ``/``μ``, straight for curly quotes and ``-`` for dashes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from extractor.models.criteria import Evidence

if TYPE_CHECKING:  # the kinds' rules import this module while the models package is still loading
    from extractor.models import Criterion, Rejected

__all__ = ["find_span", "fold", "ground_criteria", "make_evidence", "trimmed_span"]

_FOLD = {
    "≥": ">=",
    "⩾": ">=",
    "≤": "<=",
    "⩽": "<=",
    "×": "x",
    "*": "x",
    "µ": "u",
    "μ": "u",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
}
"""One character and what it is folded to (before lower-casing)."""
_PAIRS = {"=>": ">=", "=<": "<="}
_TIGHT = frozenset("<>=")
"""Characters a space next to is dropped (``≥18`` and ``>= 18`` are the same words)."""


def trimmed_span(source: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` without the whitespace around ``source[start:end]`` (kept when it is all whitespace)."""
    chunk = source[start:end]
    quote = chunk.strip()
    if not quote:
        return start, end
    s = start + len(chunk) - len(chunk.lstrip())
    return s, s + len(quote)


def make_evidence(source: str, start: int, end: int) -> Evidence:
    """Evidence for ``source[start:end]``, trimmed of surrounding whitespace."""
    s, e = trimmed_span(source, start, end)
    return Evidence(text=source[s:e], start=s, end=e)


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` folded for tolerant matching (see the module docstring) and, per folded character, the index of the
    ``text`` character it came from."""
    chars: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 1
            continue
        if ch.isspace():
            if chars and chars[-1][0] != " ":
                chars.append((" ", i))
            i += 1
            continue
        pair = _PAIRS.get(text[i : i + 2]) if i == 0 or text[i - 1] not in "<>=!" else None  # "<=>" stays
        if pair is not None:
            chars += [(pair[0], i), (pair[1], i + 1)]
            i += 2
            continue
        chars += [(c, i) for c in _FOLD.get(ch, ch).lower()]
        i += 1
    kept = [
        (c, at)
        for k, (c, at) in enumerate(chars)
        if c != " "
        or not (
            (k > 0 and chars[k - 1][0] in _TIGHT)
            or (k + 1 < len(chars) and chars[k + 1][0] in _TIGHT)
            or k + 1 == len(chars)
        )
    ]
    return "".join(c for c, _ in kept), [at for _, at in kept]


def find_span(
    source: str, quote: str, lo: int = 0, hi: int | None = None, near: int | None = None
) -> tuple[int, int] | None:
    """Find ``quote`` in ``source[lo:hi]``: verbatim first, then folded (:func:`fold`: case, whitespace, escapes,
    ASCII spellings of ``≥ ≤ × µ``, quotes and dashes).

    Returns the ``(start, end)`` of the source's own text (its spelling, never the quote's) or None. With several
    matches the one closest to ``near`` wins.
    """
    hi = len(source) if hi is None else hi
    quote = quote.strip()
    if not quote:
        return None
    hits = [m.start() for m in re.finditer(re.escape(quote), source[lo:hi])]
    if hits:
        best = min(hits, key=lambda h: abs(lo + h - near)) if near is not None else hits[0]
        return lo + best, lo + best + len(quote)
    norm_src, index = fold(source[lo:hi])
    norm_q, _ = fold(quote)
    norm_q = norm_q.strip()
    if not norm_q:
        return None
    n = len(norm_q)
    starts = []
    h = norm_src.find(norm_q)
    while h >= 0:  # overlapping matches; none may start or end inside one folded character ("≥" -> ">=")
        if not (h > 0 and index[h - 1] == index[h]) and not (h + n < len(index) and index[h + n] == index[h + n - 1]):
            starts.append(h)
        h = norm_src.find(norm_q, h + 1)
    if not starts:
        return None
    s = min(starts, key=lambda h: abs(lo + index[h] - near)) if near is not None else starts[0]
    start = lo + index[s]
    end = lo + index[s + len(norm_q) - 1] + 1
    return start, end


def ground_criteria(
    source: str, criteria: Iterable[Criterion], item_spans: dict[int, tuple[int, int]] | None = None
) -> tuple[list[Criterion], list[Rejected]]:
    """Check every criterion's evidence against ``source``; repair offsets or reject.

    ``item_spans`` maps item index to its (start, end): a quote is first looked for inside its own item.
    """
    from extractor.models.records import Rejected

    kept: list[Criterion] = []
    rejected: list[Rejected] = []
    for c in criteria:
        ev = c.evidence
        if ev.is_grounded_in(source):
            kept.append(c)
            continue
        span: tuple[int, int] | None = None
        if item_spans and c.item is not None and c.item in item_spans:
            lo, hi = item_spans[c.item]
            span = find_span(source, ev.text, lo, hi, near=ev.start)
        if span is None:
            span = find_span(source, ev.text, near=ev.start)
        if span is None:
            rejected.append(Rejected(kind=c.kind, quote=ev.text, item=c.item, reason="quote is not in the source text"))
            continue
        kept.append(c.model_copy(update={"evidence": make_evidence(source, *span)}))
    return kept, rejected
