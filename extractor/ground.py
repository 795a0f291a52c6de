"""Evidence verification and offset repair.

Every criterion leaves this stage either grounded (``source[start:end] == text``) or reported as
:class:`~extractor.models.Rejected`. A quote the model paraphrased is never passed off as grounded: repair only
re-finds the *same* words (ignoring case, whitespace runs and markdown escapes) and then replaces the quote with
the verbatim source slice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from extractor.models.criteria import Evidence

if TYPE_CHECKING:  # the kinds' rules import this module while the models package is still loading
    from extractor.models import Criterion, Rejected

__all__ = ["find_span", "ground_criteria", "make_evidence", "trimmed_span"]

_WS = re.compile(r"\s+")


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


def _normalise(text: str) -> tuple[str, list[int]]:
    """Lower-case, collapse whitespace, drop backslash escapes; return the string and an index map."""
    out: list[str] = []
    index: list[int] = []
    prev_space = True
    for i, ch in enumerate(text):
        if ch == "\\":
            continue
        if ch.isspace():
            if prev_space:
                continue
            out.append(" ")
            index.append(i)
            prev_space = True
            continue
        out.append(ch.lower())
        index.append(i)
        prev_space = False
    return "".join(out), index


def find_span(
    source: str, quote: str, lo: int = 0, hi: int | None = None, near: int | None = None
) -> tuple[int, int] | None:
    """Find ``quote`` in ``source[lo:hi]``: verbatim first, then modulo case/whitespace/escapes.

    Returns the verbatim ``(start, end)`` in ``source`` or None. With several matches the one closest to ``near``
    wins.
    """
    hi = len(source) if hi is None else hi
    quote = quote.strip()
    if not quote:
        return None
    hits = [m.start() for m in re.finditer(re.escape(quote), source[lo:hi])]
    if hits:
        best = min(hits, key=lambda h: abs(lo + h - near)) if near is not None else hits[0]
        return lo + best, lo + best + len(quote)
    norm_src, index = _normalise(source[lo:hi])
    norm_q, _ = _normalise(quote)
    norm_q = norm_q.strip()
    if not norm_q:
        return None
    starts = [m.start() for m in re.finditer(re.escape(norm_q), norm_src)]
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
