"""Kind ``brain_metastases``: which patients with brain (CNS) metastases may enrol, and leptomeningeal disease."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "BrainMetastases"]


class BrainMetastases(CriterionBase):
    """Which patients with brain (CNS) metastases may enrol, and leptomeningeal disease."""

    kind: Literal["brain_metastases"] = "brain_metastases"
    allowed: Literal["excluded", "allowed", "conditional", "required"] = Field(
        description="excluded: no brain metastases; allowed: any; conditional: allowed only if the conditions "
        "hold; required: the trial needs brain metastases."
    )
    conditions: list[Literal["treated", "stable", "asymptomatic", "off_steroids", "untreated"]] = Field(
        default_factory=list, description="Conditions under which brain metastases are allowed."
    )
    stable_weeks_min: float | None = Field(
        default=None, description="Weeks of stability (or since treatment) required, e.g. 4."
    )
    leptomeningeal: Literal["excluded", "allowed"] | None = Field(
        default=None, description="Whether leptomeningeal disease / carcinomatous meningitis is allowed."
    )


KIND = KindSpec(BrainMetastases, core=True)
