"""Whether an exclusion clause of ``lab`` states the rule itself ("... are eligible if CD4 > 350"), in its own words
or by its lead-in, so its comparator is not negated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractor.kinds._lab_rules import RULES

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["lead_in_requires", "states_requirement"]


def states_requirement(text: str, start: int, end: int) -> bool:
    """An exclusion clause that states what is required ("... are eligible if CD4 > 350") is already the rule."""
    lo = max(text.rfind(c, 0, start) for c in ".;:") + 1
    stops = [i for i in (text.find(". ", end), text.find(";", end), text.find("(", end)) if i >= 0]
    hi = min(stops) if stops else len(text)
    req = RULES.requirement.search(text, lo, hi)
    if req is None:
        return False
    a, b = (req.end(), start) if req.start() < start else (end, req.start())
    return RULES.unless.search(text, a, b) is None


def lead_in_requires(ctx: ItemContext) -> bool:
    """An exclusion item under a lead-in that states who is eligible ("HIV-positive patients are eligible if the
    following criteria are met:", "must have normal organ function as defined below:") states a requirement."""
    lead = ctx.lead_in
    if not lead:
        return False
    tail = lead[max(lead.rfind(". "), lead.rfind("; ")) + 1 :]
    return RULES.requirement.search(tail) is not None and RULES.lead_in_not_required.search(tail) is None
