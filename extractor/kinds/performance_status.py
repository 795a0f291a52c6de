"""Kind ``performance_status``: performance status range."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "PerformanceStatus"]


class PerformanceStatus(CriterionBase):
    """Performance status range."""

    kind: Literal["performance_status"] = "performance_status"
    scale: Literal["ECOG", "Karnofsky", "WHO", "Lansky"] = Field(description="Scale named in the text.")
    min: int | None = Field(default=None, description="Lowest allowed score (ECOG 0-1 -> 0).")
    max: int | None = Field(default=None, description="Highest allowed score (ECOG 0-1 -> 1; KPS >= 70 -> None).")


KIND = KindSpec(PerformanceStatus, core=True)
