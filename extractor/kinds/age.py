"""Kind ``age``: age limits in years."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "Age"]


class Age(CriterionBase):
    """Age limits in years."""

    kind: Literal["age"] = "age"
    min_years: float | None = Field(default=None, description="Minimum age in years (>= 18 -> 18).")
    max_years: float | None = Field(default=None, description="Maximum age in years.")


KIND = KindSpec(Age, core=True)
