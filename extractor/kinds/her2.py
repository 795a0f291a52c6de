"""Kind ``her2``: hER2 (ERBB2) status the trial requires or excludes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["HER2", "KIND"]


class HER2(CriterionBase):
    """HER2 (ERBB2) status the trial requires or excludes."""

    kind: Literal["her2"] = "her2"
    status: Literal["positive", "negative", "low", "ultralow", "any"] = Field(
        description="HER2 category the text names: positive (IHC 3+ or ISH amplified), negative, low "
        "(IHC 1+ or 2+/ISH-), ultralow, or any."
    )
    ihc_scores: list[Literal["0", "1+", "2+", "3+"]] = Field(
        default_factory=list, description='IHC scores the text lists, e.g. ["3+"] or ["1+", "2+"].'
    )
    ish_ratio_min: float | None = Field(
        default=None, description="Minimum HER2/CEP17 ISH ratio, e.g. 2.0 for 'ISH ratio >= 2.0'."
    )
    ish_copy_number_min: float | None = Field(
        default=None, description="Minimum average HER2 gene copy number per cell, e.g. 6.0."
    )
    ish_status: Literal["positive", "negative"] | None = Field(
        default=None, description="ISH result named without numbers: 'ISH+'/'amplified' or 'ISH-'."
    )
    logic: Literal["or", "and"] | None = Field(
        default=None, description="How the IHC and ISH conditions combine ('and/or' counts as or)."
    )
    guideline: str | None = Field(default=None, description="Guideline named, e.g. 'ASCO/CAP 2018'.")


KIND = KindSpec(
    HER2,
    core=True,
    compare={
        "guideline": Compare("tokens"),
    },
)
