"""Cancers an inclusion names that are not the patient's diagnosis (rules in ``diagnosis.yaml``): a relative's
("first-degree relative (mother, sister, or daughter) with ovarian ... cancer"), and those of an item stating one
group's rule ("Patients with NSCLC, MM, TNBC, and HNSCC must have measurable disease per RECIST 1.1")."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from extractor.rules.prefilter import Prefiltered

if TYPE_CHECKING:
    from extractor.kinds.diagnosis import Rules

__all__ = ["group_rule", "relatives_mention"]

_AND_BEFORE = 25  # characters before the relative word read for "Individuals and (biologic) family members with"


@cache
def _prefiltered(rx: re.Pattern[str]) -> Prefiltered:
    return Prefiltered(rx)


def relatives_mention(rules: Rules, lower: str, start: int) -> bool:
    """A mention starting at ``start`` names a relative's cancer: it stands after the item's first "relative(s)
    with" (``relative``) that is not coordinated with the participants themselves."""
    for m in _prefiltered(rules.relative).finditer(lower, 0, start):
        if " and " not in lower[max(0, m.start() - _AND_BEFORE) : m.start()]:
            return True
    return False


def group_rule(rules: Rules, lower: str, exclusion: bool) -> bool:
    """An inclusion opening with a group of patients and stating a rule for it, no diagnosis cue after its verb
    (``group_rule``): its cancers are the group's, not a diagnosis."""
    return not exclusion and rules.group_rule.match(lower) is not None
