"""Evidence that stops inside a value's qualifier: a span built up to the next analyte's name can end on a word
that needs what follows ("ANC >= 1500/uL without | G-CSF support", "estimate based on | creatinine level"); the
guide quotes the clause to the end of its qualifiers, so such a span runs on to the end of its clause."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

from extractor.models.criteria import CriterionBase
from extractor.rules import grammar
from extractor.rules.item import ItemContext

__all__ = ["clause_end", "finish_clauses"]

C = TypeVar("C", bound=CriterionBase)

_BREAK = re.compile(r"[,;]|\s(?:[A-Z][a-z]+\s)?--|\s(?:NOTE|Note)\b")
_WORD = re.compile(r"[A-Za-z]")


def _opens(clean: str, start: int, end: int) -> bool:
    """Whether ``clean[start:end]`` leaves a bracket open."""
    return clean.count("(", start, end) > clean.count(")", start, end)


def clause_end(clean: str, start: int, end: int, hi: int) -> int:
    """Where the clause of ``clean[start:end]`` ends, not past ``hi``: the bracket the span leaves open closed, else
    the next comma, semicolon, "--" row marker, "Note" or sentence end (trailing connectors trimmed)."""
    if _opens(clean, start, end):
        return grammar.close_bracket(clean, start, end, hi)
    stop = min(hi, grammar.sentence_bounds(clean, end, end)[1])
    m = _BREAK.search(clean, end, stop)
    return max(end, grammar.trim_tail(clean, end, m.start() if m else stop))


def _others(found: Sequence[C], c: C, base: int) -> list[tuple[int, int]]:
    """The spans of the other criteria of ``found`` (not the ones quoting ``c``'s own start)."""
    return [(o.evidence.start - base, o.evidence.end - base) for o in found if o.evidence.start != c.evidence.start]


def finish_clauses(ctx: ItemContext, found: Sequence[C], dangling: re.Pattern[str]) -> list[C]:
    """``found`` with each evidence that ends on a ``dangling`` word (matched at the end of the lower-cased span) run
    on to the end of its clause (:func:`clause_end`), unless those words open an alternative ("... or if",
    "... or a")."""
    base = ctx.item.start
    if len(ctx.clean) != len(ctx.item.text):  # a cut whitespace run: offsets differ, keep the spans
        return list(found)
    out: list[C] = []
    for crit in found:
        c = crit
        s, e = c.evidence.start - base, c.evidence.end - base
        if 0 <= s < e <= len(ctx.clean) and (m := dangling.search(ctx.lower, s, e)) is not None:
            bare = m.start()
            while (m := dangling.search(ctx.lower, s, bare)) is not None:
                bare = m.start()
            kept = grammar.trim_tail(ctx.clean, s, bare)
            # "creatinine <= 1.5 x ULN or a | calculated clearance ...": the words start an alternative, kept as is
            # (not inside a bracket the span opens: "INR <= 1.5 (unless receiving anticoagulants and the | INR ...)")
            alternative = s < kept and _WORD.search(ctx.clean, kept, bare) and not _opens(ctx.clean, s, e)
            # never into another criterion's span nor over its value (an exception's own threshold stays its
            # criterion's evidence: "... in which case | AST <= 5 x ULN"; a table row's next lab its own)
            others = _others(found, c, base)
            hi = min((a for a, _ in others if a >= e), default=len(ctx.clean))
            new_end = e if alternative else clause_end(ctx.clean, s, e, hi)
            if any(e < b <= new_end for _, b in others):
                new_end = e
            if new_end > e:
                c = c.model_copy(update={"evidence": ctx.evidence(s, new_end)})
        out.append(c)
    return out
