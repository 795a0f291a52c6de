"""Kind ``other``: anything no other kind fits. Its evidence holds the verbatim text."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "Other"]


class Other(CriterionBase):
    """Anything no other kind fits. Its evidence holds the verbatim text."""

    kind: Literal["other"] = "other"
    category: str | None = Field(default=None, description="Optional short topic, e.g. 'comorbidity', 'surgery'.")


KIND = KindSpec(
    Other,
    core=False,
    not_compared={
        "category": "optional free topic, not a fact",
    },
)
