"""What a nested item's lead-in says of its children (``prior_therapy``, issue 11, rounds 14 and 24).

A child item is often only a list entry whose meaning is the lead-in's: "Use of the following substances prior to
the first dose of study drug:" above "≤ 14 days before the first dose of study drug: systemic chemotherapy or radiation
therapy", "Must have been previously treated with" above "anti PD-1/PD-L1 antibody; AND anti CTLA-4 antibody",
"The following chemotherapy regimens are allowed:" above "gemcitabine/cisplatin". ``lead_requirement`` reads the
requirement a lead-in gives (an exception / permission list: ``allowed``; a list of what makes a patient
ineligible: ``excluded``); ``lead_cued`` says whether it cues every sentence of its children (a lead-in stating the
prior-therapy rule, ``lead_in.cue``, or a medication-list lead-in, the kind's ``lead_triggers``), so an entry that
names its agents late or in a second sentence still states the lead-in's rule.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["LeadRules", "lead_cued", "lead_requirement"]


class LeadRules(BaseModel):
    """What a nested item's lead-in says of its children."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    allowed: Pattern
    excluded: Pattern
    cue: Pattern = Field(description="A lead-in stating the prior-therapy rule: the cue of its children.")


def lead_requirement(rules: LeadRules, lead_in: str) -> str:
    """allowed (the lead-in lists exceptions / permissions) / excluded (it lists what makes a patient
    ineligible) / "" (nothing said, or top level)."""
    if not lead_in:
        return ""
    if lead_in.rstrip().endswith(":") and rules.allowed.search(lead_in):  # the pattern ends at the colon
        return "allowed"
    return "excluded" if ("if" in lead_in or "when" in lead_in) and rules.excluded.search(lead_in) else ""


#: Longest child that is a list entry ("anti PD-1/PD-L1 antibody; AND anti CTLA-4 antibody"): a longer one is a note
#: or a paragraph of its own, whose later sentences state their own rules.
ENTRY_MAX = 150


def lead_cued(ctx: ItemContext, rules: LeadRules, triggers: re.Pattern[str] | None, *, entry: bool = False) -> bool:
    """Whether the item's lead-in cues it (a prior-therapy rule or a medication list); ``entry``: each of its
    sentences, which a prior-therapy rule does only for a short list entry."""
    lead = ctx.lead_in
    if not lead:
        return False
    if triggers is not None and triggers.search(lead) is not None:
        return True
    return (not entry or len(ctx.lower) <= ENTRY_MAX) and rules.cue.search(lead) is not None
