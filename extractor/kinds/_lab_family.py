"""Analytes of one family told apart by unit (``lab.yaml`` ``unit_families``): a threshold whose unit none of a
mention's analytes takes belongs to the family member that owns the unit ("creatinine clearance <= 1.5 mg/dL" is
serum creatinine's; in "creatinine <= 1.5 x ULN or >= 60 mL/min" the second value is creatinine clearance's)."""

from __future__ import annotations

from dataclasses import replace

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention, Threshold
from extractor.vocab import load_model
from extractor.vocab.schemas import Analytes

__all__ = ["in_family", "owner_mention", "unit_owner"]


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


def owner_mention(mention: Mention, owner: str) -> Mention:
    """``mention`` read as naming ``owner`` only, with its usual direction and units (an exclusion's "creatinine <
    40 mL/min" is negated as creatinine clearance's)."""
    table = load_model("analytes")
    assert isinstance(table, Analytes)
    spec = table.root[owner]
    units = {owner: frozenset(spec.units)}
    return replace(mention, analytes=[owner], bound=spec.bound, units=units, bounds={owner: spec.bound}, stand_ins=[])
