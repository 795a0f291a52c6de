"""Kind ``pregnancy``: pregnancy, breastfeeding and contraception.

Reads one criterion per item from ``pregnancy.yaml``: pregnant / breastfeeding patients excluded (a status
mention in an exclusion item, or in an inclusion item one the context pass reads as negated: "not pregnant",
"non-lactating", "pregnant women are not eligible"; "pregnancy test", "avoid becoming pregnant", "pregnant
partner" are no status), contraception required (only in an item asking something of the patient: a list or
explanation of methods states no requirement), and a negative pregnancy test required (a test with its result
anywhere; a bare "pregnancy test" in an inclusion item or with "rule out"; an excluded positive test excludes the
pregnant patient too). The evidence is the sentence or clause holding every mention.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.kinds._pregnancy_entries import entries
from extractor.kinds._pregnancy_medication import as_medication
from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import any_in, sentence_bounds
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["KIND", "Pregnancy", "Rules", "extract"]


class Pregnancy(CriterionBase):
    """Pregnancy, breastfeeding and contraception."""

    kind: Literal["pregnancy"] = "pregnancy"
    pregnancy_excluded: bool | None = Field(default=None, description="True when pregnant patients are excluded.")
    breastfeeding_excluded: bool | None = Field(default=None, description="True when breastfeeding is excluded.")
    contraception_required: bool | None = Field(default=None, description="True when contraception is required.")
    negative_test_required: bool | None = Field(default=None, description="True when a negative test is required.")


class Gates(BaseModel):
    """Substring gates: a pattern is searched only in an item holding one of its words."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pregnant: tuple[str, ...]
    breastfeeding: tuple[str, ...]
    contraception: tuple[str, ...]
    negative_test: tuple[str, ...]
    test_named: tuple[str, ...]


class Rules(RuleFile):
    """``pregnancy.yaml``."""

    pregnant: Pattern
    breastfeeding: Pattern
    not_status_after: Pattern
    not_status_before: Pattern
    in_definition: Pattern
    misplaced_pair: Pattern
    contraception: Pattern
    contraception_cue: Pattern
    contraception_definition: Pattern
    contraception_medication: Pattern
    contraception_excluded_use: Pattern
    duty_strong: Pattern
    fathering: Pattern
    negative_test: Pattern
    test_named: Pattern
    test_cue: str
    positive_result: Pattern
    entry_break: Pattern
    gates: Gates


RULES = load_rules("pregnancy", Rules)

#: how far before a status word its cues are looked for (characters)
_BEFORE = 40
#: how far before a status word an open "(defined as" bracket is looked for (characters)
_DEFINITION = 200


def _has(low: str, words: tuple[str, ...]) -> bool:
    """True when ``low`` holds one of ``words`` (a pattern's gate)."""
    return any_in(words, low)


def _status(
    ctx: ItemContext, status: Pattern, gate: tuple[str, ...], excluded: bool, *, lo: int, hi: int
) -> tuple[int, int] | None:
    """Span of a mention in ``ctx.lower[lo:hi]`` saying pregnant / breastfeeding patients are excluded
    (``excluded``: the item is read as an exclusion)."""
    low = ctx.lower
    if not _has(low[lo:hi], gate):
        return None
    for m in status.finditer(low, lo, hi):
        if RULES.not_status_after.match(low, m.end()):
            continue
        if RULES.not_status_before.search(low[max(0, m.start() - _BEFORE) : m.start()]):
            continue
        if RULES.in_definition.search(low, max(0, m.start() - _DEFINITION), m.start()):
            continue
        if excluded or ctx.context.has("negated", m.start(), m.end(), kind="pregnancy"):
            return m.start(), m.end()
    return None


def _contraception(ctx: ItemContext, lo: int, hi: int) -> re.Match[str] | None:
    """The first contraception mention in ``lo:hi`` outside a sentence that only defines or explains methods
    ("Highly effective contraception is defined as ...", "The reliability of sexual abstinence should be evaluated
    ..."), unless that sentence also asks something of the patient ("must", "agree", "willing"), nor one that names a
    contraceptive as a medication (:func:`as_medication`)."""
    low = ctx.lower
    passed = 0  # the end of the last sentence passed over: each sentence is judged once, however many mentions
    for m in RULES.contraception.finditer(low, lo, hi):
        if m.start() < passed:
            continue
        s, e = sentence_bounds(ctx.clean, m.start(), m.end())
        if as_medication(
            low,
            s,
            e,
            medication=RULES.contraception_medication,
            excluded_use=RULES.contraception_excluded_use,
            duty=RULES.duty_strong,
            exclusion=ctx.is_exclusion,
        ):
            passed = e
            continue
        if RULES.contraception_definition.search(low, s, e) is None or RULES.duty_strong.search(low, s, e):
            return m
        passed = e
    return None


def _read(ctx: ItemContext, lo: int, hi: int, excluded: bool) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    """The fields ``ctx.lower[lo:hi]`` states and the spans of their mentions."""
    low = ctx.lower
    part = low[lo:hi]
    gates = RULES.gates
    fields: dict[str, Any] = {}
    spans: list[tuple[int, int]] = []
    preg = _status(ctx, RULES.pregnant, gates.pregnant, excluded, lo=lo, hi=hi)
    if preg is not None:
        fields["pregnancy_excluded"] = True
        spans.append(preg)
    bf = _status(ctx, RULES.breastfeeding, gates.breastfeeding, excluded, lo=lo, hi=hi)
    if bf is not None:
        fields["breastfeeding_excluded"] = True
        spans.append(bf)
    m = _contraception(ctx, lo, hi) if _has(part, gates.contraception) else None
    if m is not None and RULES.contraception_cue.search(part):
        fields["contraception_required"] = True
        spans.append(m.span())
    elif not fields and "father" in part:
        m = RULES.fathering.search(low, lo, hi)
        if m is not None:
            fields["contraception_required"] = True
            spans.append(m.span())
    m = RULES.negative_test.search(low, lo, hi) if _has(part, gates.negative_test) else None
    if m is not None and ctx.is_exclusion and RULES.positive_result.search(m.group(0)):
        # exclusion "positive pregnancy test": a pregnant patient is excluded, and a negative test is the rule
        fields.setdefault("pregnancy_excluded", True)
        spans.append(m.span())
    if m is None and (not ctx.is_exclusion or RULES.test_cue in part) and _has(part, gates.test_named):
        m = RULES.test_named.search(low, lo, hi)
    if m is not None:
        fields["negative_test_required"] = True
        spans.append(m.span())
    return fields, spans


def extract(ctx: ItemContext) -> list[Pregnancy]:
    """The item's pregnancy criteria: one, or one per inline entry when the item glues numbered entries that state
    different facts ("Women must not be pregnant. 11. Women of child-bearing potential must agree to use ...")."""
    low = ctx.lower
    # an inclusion item that only names the excluded pair ("Pregnant or lactating women") is read as an exclusion
    excluded = ctx.is_exclusion or ("pregnant" in low and RULES.misplaced_pair.match(low) is not None)
    parts = entries(low, RULES.entry_break)
    found = [(lo, hi, *r) for lo, hi in parts if (r := _read(ctx, lo, hi, excluded))[0]]
    if len(found) > 1 and _disjoint([f for _, _, f, _ in found]):
        return [_make(ctx, f, sp, lo, hi) for lo, hi, f, sp in found]
    fields, spans = _read(ctx, 0, len(low), excluded)
    return [_make(ctx, fields, spans, 0, len(low))] if fields else []


def _disjoint(sets: list[dict[str, Any]]) -> bool:
    """True when no field is stated by two entries (a note repeating the status keeps the item one criterion)."""
    seen: set[str] = set()
    for f in sets:
        if seen & f.keys():
            return False
        seen |= f.keys()
    return True


def _make(ctx: ItemContext, fields: dict[str, Any], spans: list[tuple[int, int]], lo: int, hi: int) -> Pregnancy:
    """One criterion quoting the sentence or clause holding every mention, inside the entry ``lo:hi``."""
    start, end = sentence_bounds(ctx.clean, min(s for s, _ in spans), max(e for _, e in spans))
    return ctx.make(Pregnancy, max(start, lo), min(end, hi), **fields)


KIND = KindSpec(Pregnancy, extract=extract, rule_file=Rules, core=False)
