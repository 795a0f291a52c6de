"""Kind ``cardiac``: cardiac function: LVEF, QTc, NYHA class, cardiac history."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "Cardiac"]


class Cardiac(CriterionBase):
    """Cardiac function: LVEF, QTc, NYHA class, cardiac history."""

    kind: Literal["cardiac"] = "cardiac"
    lvef_min_percent: float | None = Field(default=None, description="Minimum LVEF in percent, e.g. 50.")
    lvef_lln: bool | None = Field(default=None, description="True when LVEF must be >= the institutional LLN.")
    qtc_max_ms: float | None = Field(default=None, description="Maximum QTc in ms, e.g. 470.")
    nyha_max: int | None = Field(default=None, description="Highest NYHA class allowed (excluding III/IV -> 2).")
    conditions: list[str] = Field(
        default_factory=list, description="Cardiac conditions named, lower case, e.g. 'myocardial infarction'."
    )


KIND = KindSpec(
    Cardiac,
    core=True,
    compare={
        "conditions": Compare("phrases"),
    },
)
