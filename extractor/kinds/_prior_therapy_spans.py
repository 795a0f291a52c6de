"""Evidence cut short before a window's anchor or inside a bracket: a span can end on a word that needs what
follows ("within 4 weeks (6 weeks for nitrosoureas) prior | to registration", "within 24 hours before | the first
dose", "within 3 weeks of | study drug start") or leave a bracket open ("(6 weeks | if treated with mitomycin C)").
The guide quotes the clause to the end of its time window, so such a span runs on to the end of its clause (or to
the bracket's close), never into or over another criterion's span. Patterns: ``spans`` of ``prior_therapy.yaml``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.models.criteria import CriterionBase
from extractor.rules import grammar
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["SpanRules", "finish_spans"]

C = TypeVar("C", bound=CriterionBase)


class SpanRules(BaseModel):
    """``spans`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    dangling: Pattern  # a word a window cannot end on (searched at the end of the lower-cased span)
    stop: Pattern  # where the run-on clause stops (searched on the lower-cased text after the span)
    resume: Pattern  # the connector after a stop that a criterion split off there starts past
    resume_after: tuple[str, ...]  # the stops a split-off criterion may resume after


def _run_on(ctx: ItemContext, rules: SpanRules, s: int, e: int, hi: int) -> tuple[int, int]:
    """Where the span ``[s, e)`` should end: the bracket it leaves open closed, or after a dangling word the end of
    its clause (the next ``stop`` or sentence end, trailing connectors trimmed); ``e`` when neither applies. Second:
    where the text after it resumes (past a connector, at a bracket, at the next sentence), or -1 when nothing does."""
    clean = ctx.clean
    end = min(hi, grammar.sentence_bounds(clean, e, e)[1])
    if clean.count("(", s, e) > clean.count(")", s, e):
        return grammar.close_bracket(clean, s, e, end), -1
    if rules.dangling.search(ctx.lower, s, e) is None:
        return e, -1
    m = rules.stop.search(ctx.lower, e, end)
    while (
        m is not None
        and m.group().strip() == "("
        and (close := grammar.close_bracket(clean, m.end() - 1, m.end(), end)) > m.end()
    ):
        if any(ch.isspace() for ch in clean[m.end() : close]):
            break
        m = rules.stop.search(ctx.lower, close, end)  # "prior to Cycle 1 Day 1 (C1D1) or ...": the anchor's short form
    if m is None:  # the sentence's end: the next one resumes
        return max(e, grammar.trim_tail(clean, e, end)), end + len(clean[end:]) - len(clean[end:].lstrip())
    new_end = max(e, grammar.trim_tail(clean, e, m.start()))
    stop = ctx.lower[m.start() : m.end()].strip()
    if stop == "(":  # "prior | to Day 1 (6 weeks for X)": the bracket is the split-off criterion's own
        return new_end, m.end() - 1
    if stop not in rules.resume_after:
        return new_end, -1  # a closing bracket, a note or an exception word: nothing resumes there
    after = rules.resume.match(ctx.lower, m.end())
    return new_end, after.end() if after else m.end()


def finish_spans(ctx: ItemContext, rules: SpanRules, found: Sequence[C]) -> list[C]:
    """``found`` with each evidence cut short (module doc) run on, not into a criterion after it nor to the end of
    one begun before it. A criterion split off at the dangling word ("within 30 days prior | registration or minor
    surgery ...") gives the anchor back: it starts after the stop instead (past "or", "and")."""
    base = ctx.item.start
    if len(ctx.clean) != len(ctx.item.text) or not found:  # a cut whitespace run: offsets differ, keep the spans
        return list(found)
    first = [(c.evidence.start - base, c.evidence.end - base) for c in found]
    spans = list(first)
    for i, (s, e) in enumerate(spans):
        if not 0 <= s < e <= len(ctx.clean) or not ctx.clean[e - 1 : e].isalnum():
            continue
        others = [(j, a, b) for j, (a, b) in enumerate(spans) if a != s]
        split = [j for j, a, b in others if e <= a and not ctx.clean[e:a].strip() and a < b]
        hi = min((a for j, a, _ in others if a >= e and j not in split), default=len(ctx.clean))
        new_end, resume = _run_on(ctx, rules, s, e, hi)
        if split and not all(0 < resume < spans[j][1] for j in split):
            continue  # the split-off criterion keeps its words unless a stop leaves it some after the anchor
        # a criterion quoted inside this one (its exception) may end in the clause, one begun before it may not
        if new_end > e and not any(a < s and e < b <= new_end for j, a, b in others if j not in split):
            spans[i] = (s, new_end)
            for j in split:
                spans[j] = (resume, spans[j][1])
    return [
        c.model_copy(update={"evidence": ctx.evidence(s, e)}) if (s, e) != old else c
        for c, (s, e), old in zip(found, spans, first, strict=True)
    ]
