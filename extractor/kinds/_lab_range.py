"""An inclusion range with no comparator ("HbA1c 8.0 - 10.5 %", "GFR between 50 - 60 mL/min"): its first number is a
lower bound of its own (the second one is read as the upper bound); "between <n> and <m>" gives both bounds."""

from __future__ import annotations

from dataclasses import replace

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention, Threshold, comparator_before, thresholds
from extractor.rules.grammar import parse_number

__all__ = ["range_bounds", "range_low"]


def range_low(text: str, lo: int, t: Threshold) -> Threshold | None:
    """The ">=" threshold of the number opening a range that ends at the value threshold ``t`` (its unit), when no
    comparator or grade stands before that number and it is below ``t``'s; else None."""
    if t.value is None or t.uln is not None or t.lln:
        return None
    m = RULES.range_low.search(text, max(lo, t.start - 24), t.start) or RULES.between_low.search(
        text, max(lo, t.start - 30), t.start
    )
    if m is None or comparator_before(text, lo, m.start()) is not None:
        return None
    if RULES.grade_before.search(text, max(0, m.start() - 14), m.start()) or RULES.range_low_not.search(
        text, max(lo, m.start() - 40), m.start()
    ):
        return None
    value = parse_number(m.group("num"))
    if value is None or value >= t.value:
        return None
    return replace(t, start=m.start(), op=">=", value=value)


def range_bounds(text: str, lo: int, end: int, mention: Mention, t: Threshold) -> tuple[Threshold | None, Threshold]:
    """The bounds of the mention's first threshold ``t``, written without a comparator: "between <n> and <m>" -> (>= n,
    <= m); else ``t`` in the analyte's usual direction, with the ">=" of a range it ends ("50 - 60")."""
    join = RULES.between_join.match(text, t.end, end) if t.value is not None and t.uln is None else None
    if join is not None and RULES.between_before.search(text, max(lo, t.start - 10), t.start):
        second = thresholds(text, replace(mention, end=join.end()), end, first_only=True)
        high = second[0] if second and second[0].start == join.end() and not second[0].explicit else None
        if (
            high is not None
            and high.value is not None
            and high.uln is None
            and high.value > (t.value or 0)
            and t.unit in (None, high.unit)
        ):
            return replace(t, op=">=", unit=high.unit), replace(high, start=t.start, op="<=")
    t.op = ">=" if mention.bound == "lower" else "<=" if mention.bound == "upper" else None
    if t.op is None and t.value is not None and RULES.between_low.search(text, max(lo, t.start - 30), t.start):
        t.op = "<="  # "PSA between 0.2 and 1.5 ng/mL": an analyte of no usual direction
    if t.op is not None and (low := range_low(text, lo, t)) is not None:
        t.op = "<="  # "GFR between 50 - 60 mL/min": the range's upper bound, and its lower one
        return low, t
    return None, t
