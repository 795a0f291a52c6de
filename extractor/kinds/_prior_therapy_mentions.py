"""Therapies the item names without stating a rule on them, in the ``prior_therapy`` kind (issue 11, round 22).

A precision read of a fixed-seed sample of 120 of the kind's corpus criteria found agents typed where the item names
them for something else:

- an arm, cohort or group named by its drugs ("Additional Criteria for the Ribociclib Combination (Phase 1b and Arm
  C):", "Exclusion from the Nephrectomy Only arm", "the Cohort Expansion Concomitant Enzalutamide Group"):
  the label of a cohort, not a prior therapy (GUIDE: headings and cohorts are `other`);
- the trial's own drug in a contraception or pregnancy item ("use a condom ... for 120 days after the last dose of
  niraparib", "because this study involves an investigational agent whose ... teratogenic effects ... are unknown");
- a toxicity of an earlier therapy ("Grade >= 3 immune-related AE while receiving prior immunotherapy", "unresolved
  ICANS from prior CAR T cell administration", "discontinued BRAF inhibitor because of grade 3 toxicity"): GUIDE,
  comorbidity round: the toxicity is the fact ("toxicity of prior therapy" / "hypersensitivity to <drug>").

The arm mentions are cut from the item's agents; the other criteria are dropped when excluded (or, for the trial's
drug, whatever the requirement) and they carry no window, line limit or duration. Patterns: ``mentions`` in
``prior_therapy.yaml``.
"""

from __future__ import annotations

import re
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.drugs import Agent
from extractor.rules.grammar import any_in
from extractor.rules.ruledata import Pattern

__all__ = ["MentionRules", "arm_agents", "heading_only", "mentioned_only"]


class MentionRules(BaseModel):
    """``mentions``: cheap gates (substrings of the lower-case text) and the patterns they open."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    arm_gate: tuple[str, ...]
    arm_after: Pattern
    trial_gate: tuple[str, ...]
    trial_drug: Pattern
    toxicity_gate: tuple[str, ...]
    toxicity: Pattern
    toxicity_keep: Pattern


C = TypeVar("C", bound=Therapy)


def arm_agents(rules: MentionRules, lower: str, agents: list[Agent]) -> list[Agent]:
    """``agents`` without the mentions that name an arm, cohort or group ("the Nephrectomy Only arm")."""
    if not agents or not any_in(rules.arm_gate, lower):
        return agents
    return [a for a in agents if rules.arm_after.match(lower, a.end) is None]


def mentioned_only(rules: MentionRules, found: list[C]) -> list[C]:
    """``found`` without the criteria that name the trial's own drug or a toxicity of an earlier therapy."""
    out: list[C] = []
    for c in found:
        low = c.evidence.text.lower()
        if any_in(rules.trial_gate, low) and rules.trial_drug.search(low):
            continue
        if (
            c.requirement == "excluded"
            and c.within_weeks is None
            and c.min_lines is None
            and c.max_lines is None
            and c.min_duration_months is None
            and any_in(rules.toxicity_gate, low)
            and rules.toxicity.search(low)
            and not rules.toxicity_keep.search(low)
        ):
            continue
        out.append(c)
    return out


def heading_only(heading_lead: re.Pattern[str], lower: str, agents: list[Agent]) -> bool:
    """Whether the item is only a heading over the agents it names ("Prior antitumor therapies:")."""
    ends = [0, *(a.end for a in agents)]
    starts = [*(a.start for a in agents), len(lower)]
    rest = "".join(lower[a:b] for a, b in zip(ends, starts, strict=True))
    return heading_lead.fullmatch(rest) is not None
