"""An inclusion range with no comparator ("HbA1c 8.0 - 10.5 %", "GFR between 50 - 60 mL/min"): its first number is a
lower bound of its own (the second one is read as the upper bound)."""

from __future__ import annotations

from dataclasses import replace

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Threshold, comparator_before
from extractor.rules.grammar import parse_number

__all__ = ["range_low"]


def range_low(text: str, lo: int, t: Threshold) -> Threshold | None:
    """The ">=" threshold of the number opening a range that ends at the value threshold ``t`` (its unit), when no
    comparator or grade stands before that number and it is below ``t``'s; else None."""
    if t.value is None or t.uln is not None or t.lln:
        return None
    m = RULES.range_low.search(text, max(lo, t.start - 24), t.start)
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
