"""Kind ``pregnancy``: pregnancy, breastfeeding and contraception."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "Pregnancy"]


class Pregnancy(CriterionBase):
    """Pregnancy, breastfeeding and contraception."""

    kind: Literal["pregnancy"] = "pregnancy"
    pregnancy_excluded: bool | None = Field(default=None, description="True when pregnant patients are excluded.")
    breastfeeding_excluded: bool | None = Field(default=None, description="True when breastfeeding is excluded.")
    contraception_required: bool | None = Field(default=None, description="True when contraception is required.")
    negative_test_required: bool | None = Field(default=None, description="True when a negative test is required.")


KIND = KindSpec(Pregnancy, core=False)
