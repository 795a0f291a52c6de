"""Kind ``sex``: sex or gender required."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "Sex"]


class Sex(CriterionBase):
    """Sex or gender required."""

    kind: Literal["sex"] = "sex"
    sex: Literal["female", "male", "all"] = Field(description="female, male or all.")


KIND = KindSpec(Sex, core=False)
