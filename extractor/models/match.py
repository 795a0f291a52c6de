"""What ``extractor.match`` returns: each criterion's status for one patient, and the trial's verdict."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.kinds import Criterion

Status = Literal["met", "not_met", "unknown", "not_evaluable"]
Verdict = Literal["eligible", "ineligible", "needs_review"]

__all__ = ["CriterionMatch", "MatchResult", "RegistryConflict", "Status", "Verdict"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CriterionMatch(_Model):
    """One criterion judged for one patient: its status, a reason in plain words, and the criterion (with evidence)."""

    status: Status
    reason: str = Field(description="Why, in plain words, naming the patient value and the rule it was held to.")
    criterion: Criterion = Field(description="The criterion as extracted; ``evidence`` is its span in the text.")
    source: Literal["text", "registry"] = Field(
        default="text", description="registry: made from the registry's age/sex/healthy-volunteer fields."
    )
    alternatives: list[int] = Field(
        default_factory=list,
        description="Indices of the criteria that are its alternatives (an any-of group; [] when none): the group "
        "is met when one of them is, and this criterion then takes the group's status.",
    )


class RegistryConflict(_Model):
    """The registry and the criteria text disagree on a field (the text's criterion is the one judged)."""

    field: Literal["sex", "minimum_age", "maximum_age", "healthy_volunteers"]
    registry: str
    text: str
    message: str


class MatchResult(_Model):
    """A patient against one trial: per-criterion statuses and the overall verdict.

    ``eligible``: no criterion not met and none unknown (``not_evaluable`` ones are listed for a person to check);
    ``ineligible``: at least one criterion not met (``blocking`` lists them); ``needs_review``: none not met, but
    some unknown (``unknown`` lists them).
    """

    trial_id: str
    patient_id: str | None = None
    assessed_on: date
    verdict: Verdict
    criteria: list[CriterionMatch]
    blocking: list[int] = Field(default_factory=list, description="Indices into ``criteria`` that are not_met.")
    unknown: list[int] = Field(default_factory=list, description="Indices into ``criteria`` that are unknown.")
    not_evaluable: list[int] = Field(default_factory=list, description="Indices a person must judge.")
    conflicts: list[RegistryConflict] = Field(default_factory=list)
