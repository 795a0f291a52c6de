"""Kind ``prior_therapy``: prior treatment required, excluded or allowed; lines, settings, durations, washouts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase, Requirement

__all__ = ["KIND", "PriorTherapy"]


class PriorTherapy(CriterionBase):
    """Prior treatment required, excluded or allowed, with lines, settings, durations and washouts."""

    kind: Literal["prior_therapy"] = "prior_therapy"
    agents: list[str] = Field(
        default_factory=list,
        description="Lower-case generic drug names or classes, e.g. trastuzumab, trastuzumab deruxtecan, taxane, "
        "anti-her2 therapy, chemotherapy, endocrine therapy, radiotherapy, surgery, systemic therapy.",
    )
    requirement: Requirement = Field(description="required, excluded or allowed.")
    setting: Literal["metastatic", "adjuvant", "neoadjuvant", "early", "any"] | None = Field(
        default=None, description="Disease setting of the prior therapy, if stated."
    )
    min_lines: int | None = Field(default=None, description="Minimum number of prior lines.")
    max_lines: int | None = Field(default=None, description="Maximum number of prior lines.")
    min_duration_months: float | None = Field(default=None, description="Minimum treatment duration, months.")
    within_weeks: float | None = Field(
        default=None, description="Time window in weeks, e.g. washout 'within 3 weeks before first dose' -> 3."
    )
    response_required: bool | None = Field(
        default=None, description="True when a response / disease control on that therapy is required."
    )


KIND = KindSpec(
    PriorTherapy,
    core=True,
    compare={
        "agents": Compare("agents"),
        "within_weeks": Compare("num", abs_tol=0.15),  # days / 7, months x 4.345
    },
)
