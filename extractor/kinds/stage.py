"""Kind ``stage``: disease stage / extent."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "Stage"]


class Stage(CriterionBase):
    """Disease stage / extent."""

    kind: Literal["stage"] = "stage"
    stages: list[str] = Field(default_factory=list, description="Stages named, e.g. ['IIIB', 'IV'].")
    metastatic: bool | None = Field(default=None, description="True when metastatic disease is named.")
    locally_advanced: bool | None = Field(
        default=None, description="True when locally advanced / unresectable / inoperable disease is named."
    )
    recurrent: bool | None = Field(default=None, description="True when recurrent disease is named.")


KIND = KindSpec(Stage, core=False)
