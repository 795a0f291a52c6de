"""Analytes of one family told apart by unit (``lab.yaml`` ``unit_families``): a threshold whose unit none of a
mention's analytes takes belongs to the family member that owns the unit ("creatinine clearance <= 1.5 mg/dL" is
serum creatinine's; in "creatinine <= 1.5 x ULN or >= 60 mL/min" the second value is creatinine clearance's)."""

from __future__ import annotations

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention, Threshold

__all__ = ["in_family", "unit_owner"]


def unit_owner(mention: Mention, t: Threshold) -> list[str]:
    """The family member ``t``'s unit belongs to, when the mention names only analytes of that family and none of
    them takes the unit (otherwise [])."""
    key = "uln" if t.uln is not None else t.unit
    if key is None:
        return []
    for family in RULES.unit_families:
        owner = family.get(key)
        if owner is None or owner in mention.analytes or not set(mention.analytes) <= set(family.values()):
            continue
        if t.uln is None and any(key in mention.units.get(a, ()) for a in mention.analytes):
            return []
        return [owner]
    return []


def in_family(mention: Mention) -> bool:
    """Whether the mention names only analytes of one unit family (its threshold may have an alternative)."""
    return any(set(mention.analytes) <= set(f.values()) for f in RULES.unit_families)
