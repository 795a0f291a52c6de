"""Kind ``prior_malignancy``: other (second) malignancies and their allowed exceptions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "PriorMalignancy"]


class PriorMalignancy(CriterionBase):
    """Other (second) malignancies and their allowed exceptions."""

    kind: Literal["prior_malignancy"] = "prior_malignancy"
    within_years: float | None = Field(
        default=None, description="Look-back window in years, e.g. 5 for 'within the past 5 years'."
    )
    exceptions: list[str] = Field(
        default_factory=list,
        description="Allowed exceptions, lower case, e.g. 'non-melanoma skin cancer', "
        "'carcinoma in situ of the cervix'.",
    )


KIND = KindSpec(
    PriorMalignancy,
    core=False,
    compare={
        "exceptions": Compare("phrases"),
    },
)
