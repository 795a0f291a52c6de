"""Kind ``metastatic_burden``: number of metastatic lesions and involved organs (oligometastatic definitions)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "MetastaticBurden"]


class MetastaticBurden(CriterionBase):
    """Number of metastatic lesions and involved organs (oligometastatic definitions)."""

    kind: Literal["metastatic_burden"] = "metastatic_burden"
    max_lesions: int | None = Field(default=None, description="Maximum number of metastatic lesions allowed.")
    min_lesions: int | None = Field(default=None, description="Minimum number of lesions required.")
    min_organs: int | None = Field(default=None, description="Minimum number of organs/organ systems.")
    max_organs: int | None = Field(default=None, description="Maximum number of organs/organ systems involved.")
    counting_notes: str | None = Field(
        default=None, description="How lesions are counted, e.g. 'clustered nodes in one field count as one'."
    )


KIND = KindSpec(
    MetastaticBurden,
    core=True,
    not_compared={
        "counting_notes": "a paraphrase",
    },
)
