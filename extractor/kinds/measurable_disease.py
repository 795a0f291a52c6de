"""Kind ``measurable_disease``: measurable / evaluable disease requirement.

Reads ``measurable_disease.yaml``: "measurable or evaluable" -> measurable_or_evaluable; "non-measurable" alone ->
non_measurable (an exclusion naming it states measurable); "measurable" -> measurable (negated in an inclusion ->
non_measurable; an exclusion fires only when negated or with "only"; negation is the context pass's, with the
kind's own cues only); "evaluable disease" -> evaluable. Measurable residual disease is left out unless RECIST is
named. The response criteria named are the standard; several (one per tumour type) are joined in text order.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import any_in, sentence_spans
from extractor.rules.prefilter import Prefiltered
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["KIND", "MeasurableDisease", "Rules", "extract"]


class MeasurableDisease(CriterionBase):
    """Measurable / evaluable disease requirement."""

    kind: Literal["measurable_disease"] = "measurable_disease"
    level: Literal["measurable", "measurable_or_evaluable", "evaluable", "non_measurable"] = Field(
        description="What disease must be present: measurable, measurable or evaluable, evaluable, non-measurable."
    )
    standard: str | None = Field(default=None, description="Response criteria named, e.g. 'RECIST 1.1', 'RANO'.")


class Standard(BaseModel):
    """One response-criteria name and the pattern that finds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    pattern: Pattern


class Rules(RuleFile):
    """``measurable_disease.yaml``."""

    both: Pattern
    non_measurable: Pattern
    measurable: Pattern
    evaluable: Pattern
    exclusion_only: tuple[str, ...]
    residual: tuple[str, ...]
    residual_unless: tuple[str, ...]
    standards: tuple[Standard, ...]
    negation_words: frozenset[str]
    clause_break: Pattern
    definition_before: Pattern
    part_marker: Pattern
    dated_standards: tuple[str, ...]
    standard_year: Pattern


RULES = load_rules("measurable_disease", Rules)

# the patterns, with their required literals tested first (most items lack them)
_BOTH, _NON, _MEASURABLE, _EVALUABLE = map(
    Prefiltered, (RULES.both, RULES.non_measurable, RULES.measurable, RULES.evaluable)
)
_POSITIVE = ("measurable", "measurable_or_evaluable", "evaluable")  # the levels a split item may state
_DEFINITION_BEFORE = 30
_STANDARDS = tuple((s.name, Prefiltered(s.pattern)) for s in RULES.standards)


def _has(lower: str, words: tuple[str, ...]) -> bool:
    return any_in(words, lower)


def _first(rx: Prefiltered, lower: str, lo: int, hi: int) -> re.Match[str] | None:
    """The first match of ``rx`` in ``lower[lo:hi]`` that is no definition ("are considered measurable if")."""
    while (m := rx.search(lower, lo, hi)) is not None:
        if not RULES.definition_before.search(lower, max(lo, m.start() - _DEFINITION_BEFORE), m.start()):
            return m
        lo = m.end()
    return None


def _read(ctx: ItemContext, lo: int, hi: int) -> tuple[str, str | None] | None:
    """The level and standard ``ctx.lower[lo:hi]`` states, if any."""
    lower = ctx.lower
    both = _BOTH.search(lower, lo, hi)
    non = _first(_NON, lower, lo, hi)
    meas = _first(_MEASURABLE, lower, lo, hi)
    level: str | None = None
    if both:
        level = "measurable_or_evaluable"
    elif non and not meas:
        level = "measurable" if ctx.is_exclusion else "non_measurable"
    elif meas:
        # without a negation word the item has no negation cue: the context pass is not run
        negated = not RULES.negation_words.isdisjoint(ctx.words) and ctx.context.has(
            "negated", meas.start(), meas.end(), kind="measurable_disease"
        )
        if ctx.is_exclusion and not negated and not _has(lower[lo:hi], RULES.exclusion_only):
            return None
        level = "non_measurable" if negated and not ctx.is_exclusion else "measurable"
    elif _EVALUABLE.search(lower, lo, hi):
        level = "evaluable"
    if level is None:
        return None
    if _has(lower, RULES.residual) and not _has(lower, RULES.residual_unless):
        return None
    return level, _standard(lower, lo, hi)


def _standard(lower: str, lo: int, hi: int) -> str | None:
    """The response criteria named in ``lower[lo:hi]``: the first pattern that matches at a place wins; several
    named (one per tumour type: "RECIST v1.1 for solid tumours or 2014 Lugano for lymphoma") are joined in text order
    ("RECIST 1.1 / Lugano 2014"), a year written next to a name kept."""
    found: list[tuple[int, int, str]] = []
    for name, rx in _STANDARDS:
        for m in rx.finditer(lower, lo, hi):
            if not any(a < m.end() and m.start() < b for a, b, _ in found):
                found.append((m.start(), m.end(), name))
    if len(found) < 2:
        return found[0][2] if found else None
    # one name per family ("RECIST 1.1" over a bare "RECIST" however they stand), the first pattern listed winning
    best: dict[str, tuple[int, int, int, str]] = {}  # family -> (first start, rank, end, name)
    rank = {name: i for i, (name, _) in enumerate(_STANDARDS)}
    for a, b, name in found:
        family = name.split()[0]
        old = best.get(family)
        if old is None or rank[name] < old[1]:
            best[family] = (min(a, old[0]) if old else a, rank[name], b, name)
        elif a < old[0]:
            best[family] = (a, old[1], old[2], old[3])
    names: list[str] = []
    for a, _, b, name in sorted(best.values()):
        y = RULES.standard_year.search(lower[max(lo, a - 8) : min(hi, b + 10)])
        names.append(f"{name} {y.group(1)}" if y and name in RULES.dated_standards else name)
    return " / ".join(names)


def _parts(ctx: ItemContext) -> list[tuple[int, int]]:
    """The item's sentences, each cut again before a clause that opens with a new level ("Measurable disease
    (Part 1) and measurable disease per RECIST (Part 2)")."""
    out = []
    for start, e in sentence_spans(ctx.clean):
        s = start
        for m in RULES.clause_break.finditer(ctx.lower, start, e):
            out.append((s, m.start()))
            s = m.end()
        out.append((s, e))
    return out


def extract(ctx: ItemContext) -> list[MeasurableDisease]:
    """The item's measurable-disease criteria: one, or one per sentence / clause when each names its part of the
    trial and they state different levels or standards ("evaluable or measurable disease (Phase 1a). ... measurable
    disease (Phase 1b)")."""
    whole = _read(ctx, 0, len(ctx.lower))
    if whole is None:
        return []
    parts = _parts(ctx)
    if len(parts) > 1:
        found = [(s, e, r) for s, e in parts if (r := _read(ctx, s, e)) is not None]
        if len({r for _, _, r in found}) > 1 and all(
            r[0] in _POSITIVE and RULES.part_marker.search(ctx.lower, s, e) for s, e, r in found
        ):
            return [ctx.make(MeasurableDisease, s, e, level=lv, standard=st) for s, e, (lv, st) in found]
    level, standard = whole
    return [ctx.make(MeasurableDisease, level=level, standard=standard)]


KIND = KindSpec(MeasurableDisease, extract=extract, rule_file=Rules, core=False)
