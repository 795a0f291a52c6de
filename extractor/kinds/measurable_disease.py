"""Kind ``measurable_disease``: measurable / evaluable disease requirement."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "MeasurableDisease"]


class MeasurableDisease(CriterionBase):
    """Measurable / evaluable disease requirement."""

    kind: Literal["measurable_disease"] = "measurable_disease"
    level: Literal["measurable", "measurable_or_evaluable", "evaluable", "non_measurable"] = Field(
        description="What disease must be present: measurable, measurable or evaluable, evaluable, non-measurable."
    )
    standard: str | None = Field(default=None, description="Response criteria named, e.g. 'RECIST 1.1', 'RANO'.")


KIND = KindSpec(MeasurableDisease, core=False)
