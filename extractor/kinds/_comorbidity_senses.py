"""Condition names read in another sense by their item, so no comorbidity entry: a lab item's condition ("bilirubin
<= 3 x ULN for Gilbert's syndrome": the lab kind's), a hereditary cancer syndrome in an item about carrying a gene or
about relatives (biomarker), and an abbreviation whose item speaks of another thing ("TBI" beside irradiation or
conditioning is total body irradiation, not a traumatic brain injury). The rules are ``comorbidity.yaml``'s
``lab_conditions``, ``germline_roots`` and ``other_senses``."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules
    from extractor.rules.ruledata import Pattern

__all__ = ["other_sense"]


def other_sense(rules: Rules, low: str, name: str, written: str) -> bool:
    """Whether the condition ``name`` (as ``written`` in the lower-cased item ``low``) means something else here."""
    if name in rules.lab_conditions and _in(rules.lab_item, low):
        return True
    if any(r in name for r in rules.germline_roots) and _in(rules.germline_item, low):
        return True
    sense = rules.other_senses.get(" ".join(written.split()))
    return sense is not None and _in(sense, low)


@lru_cache(maxsize=64)
def _in(pattern: Pattern, low: str) -> bool:
    """Whether ``pattern`` occurs in the item ``low``: once per item, however many conditions it names."""
    return pattern.search(low) is not None
