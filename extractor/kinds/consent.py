"""Kind ``consent``: informed consent and willingness / ability to comply."""

from __future__ import annotations

from typing import Literal

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase

__all__ = ["KIND", "Consent"]


class Consent(CriterionBase):
    """Informed consent and willingness / ability to comply."""

    kind: Literal["consent"] = "consent"


KIND = KindSpec(Consent, core=False)
