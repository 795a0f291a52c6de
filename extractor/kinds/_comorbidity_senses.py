"""Condition names read in another sense by their item, so no comorbidity entry: a lab item's condition ("bilirubin
<= 3 x ULN for Gilbert's syndrome": the lab kind's), a hereditary cancer syndrome in an item about carrying a gene or
about relatives (biomarker), and an abbreviation whose item speaks of another thing ("TBI" beside irradiation or
conditioning is total body irradiation, not a traumatic brain injury). The rules are ``comorbidity.yaml``'s
``lab_conditions``, ``germline_roots`` and ``other_senses``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["other_sense"]


def other_sense(rules: Rules, low: str, name: str, written: str) -> bool:
    """Whether the condition ``name`` (as ``written`` in the lower-cased item ``low``) means something else here."""
    if name in rules.lab_conditions and rules.lab_item.search(low):
        return True
    if any(r in name for r in rules.germline_roots) and rules.germline_item.search(low):
        return True
    sense = rules.other_senses.get(" ".join(written.split()))
    return sense is not None and sense.search(low) is not None
