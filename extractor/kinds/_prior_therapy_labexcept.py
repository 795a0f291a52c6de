"""Anticoagulation named only as a coagulation lab's exception, in the ``prior_therapy`` kind.

"PT or PTT <= 1.5 x ULN unless receiving anticoagulation", "INR < 1.5 (or <= 3.0 if on therapeutic
anticoagulation)", "For patients not receiving therapeutic anticoagulation: INR or aPTT <= 1.5 x ULN", "This applies
only to participants who are not receiving therapeutic anticoagulation" (its exclusion): the drug qualifies the lab
limit (the lab criteria, with ``condition`` when the exception has its own threshold); the tune files label no
``prior_therapy`` for it. A criterion whose agents are all anticoagulants and whose quote names them only so is
dropped; a written permission of the drug ("therapeutic anticoagulation is permitted if ...") stays, and so does a
range written for patients on it with no lab limit beside it ("if taking anticoagulants, the INR must be within the
therapeutic range"). Patterns: ``context_only.lab_exception`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.grammar import any_in
from extractor.rules.ruledata import Pattern

__all__ = ["LabExceptionRules", "lab_exception"]


class LabExceptionRules(BaseModel):
    """``context_only.lab_exception``: a gate (substrings of the lower-case quote) and the patterns it opens."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]
    agent: Pattern
    lab: Pattern
    threshold: Pattern
    exception: Pattern
    applies: Pattern
    permitted: Pattern


def lab_exception(rules: LabExceptionRules, c: Therapy, low: str) -> bool:
    """Whether ``c`` (quote ``low``, lower case) names anticoagulants only as a coagulation lab's exception."""
    if not c.agents or not any_in(rules.gate, low) or not all(rules.agent.search(a) for a in c.agents):
        return False
    if rules.permitted.search(low):
        return False
    if rules.applies.search(low):
        return c.requirement == "excluded"  # the patients it admits ("... should be on a stable dose") stay
    lab = rules.lab.search(low) is not None and rules.threshold.search(low) is not None
    return lab and rules.exception.search(low) is not None
