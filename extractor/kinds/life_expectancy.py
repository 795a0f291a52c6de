"""Kind ``life_expectancy``: minimum life expectancy.

Reads "life expectancy >= 12 weeks", "estimated survival beyond 1 year", "expected to live at least 3 months" and,
value first, "a minimum of 3 months life expectancy"; a bare duration is a minimum. Durations convert with
:func:`extractor.rules.grammar.to_months` (the one unit table: 12 weeks -> 2.76 months). Skipped: another
disease's life expectancy ("malignancies associated with a life expectancy < 2 years"), a survival time after an
event, and maxima.
Exclusion "life expectancy < 3 months" -> min 3; exclusion "not expected to survive until the 2-year follow-up" -> min
24; a lone "=" (a sign lost from the text) -> min; an excluded condition "that might limit the survival to less
than 1 year" -> min 12 (not when a cancer is named).
Patterns: ``life_expectancy.yaml``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import Comparator, CriterionBase
from extractor.rules.grammar import any_in, negate, op_of, parse_number, sentence_bounds, to_months
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

__all__ = ["KIND", "LifeExpectancy", "Rules", "extract"]


class LifeExpectancy(CriterionBase):
    """Minimum life expectancy."""

    kind: Literal["life_expectancy"] = "life_expectancy"
    min_months: float = Field(description="Minimum life expectancy in months (12 weeks -> 2.77; 1 year -> 12).")


class Rules(RuleFile):
    """``life_expectancy.yaml``."""

    keys: tuple[str, ...]
    anchored: Pattern
    value_first: Pattern
    value_first_key: str
    not_patient: Pattern
    event_fill: Pattern
    negated_before: Pattern
    limited_survival: Pattern
    limited_key: str
    limited_not_patient: Pattern


RULES = load_rules("life_expectancy", Rules)

_NOT_PATIENT_BACK = 40  # characters before the anchor
_NEGATED_BACK = 12  # characters before the anchor ("not expected to survive")


def extract(ctx: ItemContext) -> list[LifeExpectancy]:
    """The life expectancy criterion of one item (at most one)."""
    low = ctx.lower
    if not any_in(RULES.keys, low):
        return []
    matches = list(RULES.anchored.finditer(low))
    if not matches and RULES.value_first_key in low:
        matches = list(RULES.value_first.finditer(low))
    for m in matches:
        if RULES.not_patient.search(low[max(0, m.start() - _NOT_PATIENT_BACK) : m.start()]):
            continue
        if RULES.event_fill.search(m.group("fill")):
            continue
        v = parse_number(m.group("n"))
        if v is None:
            continue
        op: Comparator | None = op_of(m.group("cmp")) if m.group("cmp") else ">="
        if op is None:
            continue
        negated = RULES.negated_before.search(low, max(0, m.start() - _NEGATED_BACK), m.start()) is not None
        if ctx.is_exclusion != negated:
            op = negate(op)
        if op == "=":
            op = ">="  # a lone "=" is a sign lost from the text ("Expected survival = 3 months"): the minimum
        if op not in (">=", ">"):
            continue
        s, e = sentence_bounds(ctx.clean, m.start(), m.end())
        return [ctx.make(LifeExpectancy, s, e, min_months=round(to_months(v, m.group("unit")), 2))]
    if ctx.is_exclusion and RULES.limited_key in low:
        return _limited(ctx)
    return []


def _limited(ctx: ItemContext) -> list[LifeExpectancy]:
    """An excluded condition that limits the patient's survival ("any condition that might limit the survival to
    less than 1 year"): the survival it limits to is the minimum."""
    low = ctx.lower
    m = RULES.limited_survival.search(low)
    if m is None or RULES.limited_not_patient.search(low, 0, m.start()):
        return []
    v = parse_number(m.group("n"))
    op = op_of(m.group("cmp")) if m.group("cmp") else "<"
    if v is None or op not in ("<", "<="):
        return []
    s, e = sentence_bounds(ctx.clean, m.start(), m.end())
    return [ctx.make(LifeExpectancy, s, e, min_months=round(to_months(v, m.group("unit")), 2))]


KIND = KindSpec(
    LifeExpectancy,
    extract=extract,
    rule_file=Rules,
    core=True,
    compare={
        "min_months": Compare("num", abs_tol=0.3),  # weeks / 4.345 (gold: weeks x 12 / 52)
    },
)
