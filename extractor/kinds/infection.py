"""Kind ``infection``: infections such as HIV, hepatitis B/C, tuberculosis, active infection requiring therapy."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "Infection"]


class Infection(CriterionBase):
    """Infections such as HIV, hepatitis B/C, tuberculosis, active infection requiring therapy."""

    kind: Literal["infection"] = "infection"
    infections: list[str] = Field(
        default_factory=list,
        description="Lower-case infections: hiv, hepatitis b, hepatitis c, tuberculosis, covid-19, active infection.",
    )


KIND = KindSpec(
    Infection,
    core=False,
    compare={
        "infections": Compare("phrases"),
    },
)
