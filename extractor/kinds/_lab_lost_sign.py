"""A lone "=" before a ``lab`` limit where the source lost a "≥" or "≤" ("Hemoglobin = 11 g/dL", exclusion "Severe
renal dysfunction (eGFR=30 ml/min/1.73m2)"): read as the sign meant, the analyte's usual direction in an inclusion and
the other one in an exclusion (which the exclusion's negation then turns into the rule a patient must meet)."""

from __future__ import annotations

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention, Threshold
from extractor.models.criteria import Comparator

__all__ = ["meant_sign"]

_WRITTEN: dict[tuple[str, bool], Comparator] = {
    ("lower", False): ">=",
    ("upper", False): "<=",
    ("lower", True): "<=",
    ("upper", True): ">=",
}


def meant_sign(text: str, mention: Mention, t: Threshold, exclusion: bool) -> Comparator | None:
    """The comparator a lone "=" before ``t`` in the lower-cased ``text`` stands for, when every analyte of
    ``mention`` is a `lost_sign_analytes` one bounded the same way; else None."""
    if t.op != "=" or not RULES.lost_sign.search(text, max(0, t.start - 8), t.start):
        return None
    bounds = {mention.bounds.get(a) for a in mention.analytes}
    if len(bounds) != 1 or not set(mention.analytes) <= RULES.lost_sign_analytes:
        return None
    bound = bounds.pop()
    return _WRITTEN.get((bound, exclusion)) if bound else None
