"""Kind ``life_expectancy``: minimum life expectancy."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "LifeExpectancy"]


class LifeExpectancy(CriterionBase):
    """Minimum life expectancy."""

    kind: Literal["life_expectancy"] = "life_expectancy"
    min_months: float = Field(description="Minimum life expectancy in months (12 weeks -> 2.77; 1 year -> 12).")


KIND = KindSpec(
    LifeExpectancy,
    core=True,
    compare={
        "min_months": Compare("num", abs_tol=0.3),  # weeks x 12 / 52
    },
)
