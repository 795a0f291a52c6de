"""Radiotherapy named to define a lesion, and the trial's drug in a contraception item (issue 11, round 25).

A precision read of a fixed-seed sample of 100 of the kind's corpus criteria (and the tune split's spurious
criteria) found therapies typed where the item names them for something else:

- a lesion defined by its earlier irradiation ("Lesions in a previously irradiated area are measurable if progression
  has been demonstrated", "Tumors within a previously irradiated field will be designated as non-target lesions",
  "Biopsy may be taken from previously irradiated lesions only if they have progressed"): a definition of measurable
  disease or of the biopsy site, not a rule on radiotherapy (GUIDE: definitions are `other`);
- the trial's own drugs in a contraception or donation item whose durations are written per drug ("The length of
  time required to continue contraception after the last dose ... 95 days for olaparib, docetaxel ...", "refrain
  from egg cell donation while on pembrolizumab ... 90 days after the last dose"): the item's own fact is
  contraception (``_prior_therapy_mentions`` reads the quote only, which here is a fragment of the list).

Such criteria are dropped; a permission written in the quote ("Prior SRT ... is permitted if ... non irradiated
lesions remain") stays, and so does a therapy the patient "may receive". Patterns: ``incidental`` in
``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_condition_drugs import ConditionDrugRules, condition_drugs
from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.grammar import any_in
from extractor.rules.ruledata import Pattern

__all__ = ["IncidentalRules", "incidental"]


class IncidentalRules(BaseModel):
    """``incidental``: cheap gates (substrings of the lower-case text) and the patterns they open."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    lesion_gate: tuple[str, ...]
    lesion: Pattern
    lesion_use: Pattern
    lesion_agent: Pattern
    lesion_keep: Pattern
    contraception_gate: tuple[str, ...]
    contraception: Pattern
    condition_drugs: ConditionDrugRules


C = TypeVar("C", bound=Therapy)


def incidental(rules: IncidentalRules, item_lower: str, found: list[C]) -> list[C]:
    """``found`` without the radiotherapy that only defines a lesion, the drugs of a contraception item and the
    classes named only as a stated condition's treatment (``_prior_therapy_condition_drugs``)."""
    if not found:
        return found
    found = condition_drugs(rules.condition_drugs, found)
    contraception = any_in(rules.contraception_gate, item_lower) and rules.contraception.search(item_lower)
    out: list[C] = []
    for c in found:
        if contraception:
            continue
        low = c.evidence.text.lower()
        if (
            c.agents
            and any_in(rules.lesion_gate, low)
            and all(rules.lesion_agent.search(a) for a in c.agents)
            and rules.lesion.search(low)
            and rules.lesion_use.search(low)
            and not rules.lesion_keep.search(low)
        ):
            continue
        out.append(c)
    return out
