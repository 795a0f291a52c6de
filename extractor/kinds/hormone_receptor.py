"""Kind ``hormone_receptor``: oestrogen / progesterone receptor status."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "HormoneReceptor"]


class HormoneReceptor(CriterionBase):
    """Oestrogen / progesterone receptor status."""

    kind: Literal["hormone_receptor"] = "hormone_receptor"
    receptors: list[Literal["ER", "PR", "HR", "AR"]] = Field(
        description="Receptors named: ER, PR, HR (hormone receptor, ER and/or PR), AR."
    )
    status: Literal["positive", "negative", "low", "any", "known"] = Field(
        description="Status required: positive, negative, low, any, or known (status must be known)."
    )
    min_percent: float | None = Field(default=None, description="Minimum % of stained cells, e.g. 1 or 10.")


KIND = KindSpec(HormoneReceptor, core=False)
