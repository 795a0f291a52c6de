"""Fields a ``prior_therapy`` criterion's own words settle after it is built (issue 11, round 24).

- A therapy given under an opening condition whose consequence is the disease's timing ("If a CDK4/6 inhibitor was
  given as part of adjuvant therapy, recurrence must have occurred more than 12 months after completion", "eligible if
  chemotherapy was received in the neoadjuvant setting and relapse occurred after 12 months"): the therapy is
  admitted (GUIDE, third round: "allowed when it admits it") and the time is the progression's, not a window
  (``within_weeks`` null).
- A therapy given before the cancer surgery ("chemotherapy before surgery", "radiation prior to resection",
  "somatostatin analogs prior to surgery are permitted"): the neoadjuvant setting, when no setting is written; the
  surgery named only as that reference point is not an agent.

Patterns: ``context_only.fields`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.grammar import any_in
from extractor.rules.ruledata import Pattern

__all__ = ["FieldRules", "refine"]


class FieldRules(BaseModel):
    """``context_only.fields``: cheap gates (substrings of the lower-case quote) and the patterns they open."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    conditional_gate: tuple[str, ...]
    conditional: Pattern
    progression: Pattern
    presurgery_gate: tuple[str, ...]
    presurgery: Pattern
    surgery_word: Pattern


C = TypeVar("C", bound=Therapy)


def refine(rules: FieldRules, c: C, low: str) -> None:
    """Set ``c``'s requirement, window and setting from what its lower-case quote ``low`` writes (in place)."""
    if (
        c.requirement != "allowed"
        and any_in(rules.conditional_gate, low)
        and (m := rules.conditional.search(low)) is not None
        and rules.progression.search(low, m.end()) is not None
    ):
        c.requirement = "allowed"
        c.within_weeks = None
    if c.setting is None and any_in(rules.presurgery_gate, low) and (m := rules.presurgery.search(low)) is not None:
        c.setting = "neoadjuvant"
        if len(c.agents) > 1 and len(rules.surgery_word.findall(low)) == 1 and rules.surgery_word.search(m.group()):
            c.agents[:] = [a for a in c.agents if a != "surgery"]  # the surgery the therapy preceded is no agent
