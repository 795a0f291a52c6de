"""Kind ``diagnosis``: cancer diagnosis, histology and its confirmation."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "Diagnosis"]


class Diagnosis(CriterionBase):
    """Cancer diagnosis, histology and its confirmation."""

    kind: Literal["diagnosis"] = "diagnosis"
    cancer: str = Field(description="Lower-case cancer type, e.g. 'breast cancer', 'non-small cell lung cancer'.")
    histology: str | None = Field(default=None, description="Histological subtype, e.g. 'adenocarcinoma'.")
    histologically_confirmed: bool | None = Field(
        default=None, description="True when histological or cytological confirmation is required."
    )


KIND = KindSpec(
    Diagnosis,
    core=False,
    compare={
        "cancer": Compare("tokens"),
        "histology": Compare("tokens"),
    },
)
