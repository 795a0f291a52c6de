"""Exclusion limits of ``lab`` written in the analyte's usual direction: what is allowed, not what excludes."""

from __future__ import annotations

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention
from extractor.models.criteria import Comparator

__all__ = ["states_allowed"]

_USUAL = {"lower": ">", "upper": "<"}


def states_allowed(mention: Mention, op: Comparator) -> bool:
    """Whether an exclusion's ``op`` on ``mention`` goes the way every analyte it names is usually bounded (one of
    ``plain_in_exclusion``): "unless ... CD4 count > 350", "Platelet count >= 75,000/mm3" under an exclusion
    heading state the rule a patient must meet, so the comparator is not negated."""
    if op[0] not in "<>":
        return False
    for a in mention.analytes:
        if a not in RULES.plain_in_exclusion or _USUAL.get(mention.bounds.get(a) or "") != op[0]:
            return False
    return True
