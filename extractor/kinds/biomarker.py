"""Kind ``biomarker``: any other gene, protein or molecular marker (mutations, fusions, expression, MSI, TMB, PD-L1,
ctDNA).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase, Requirement

__all__ = ["KIND", "Biomarker"]


class Biomarker(CriterionBase):
    """Any other gene, protein or molecular marker (mutations, fusions, expression, MSI, TMB, PD-L1, ctDNA)."""

    kind: Literal["biomarker"] = "biomarker"
    marker: str = Field(description="Gene or marker symbol in upper case, e.g. EGFR, KRAS, BRCA1, PD-L1, MSI.")
    alteration: str | None = Field(
        default=None, description="Alteration as written, e.g. 'G12C', 'exon 19 deletion', 'fusion', 'high'."
    )
    requirement: Requirement = Field(description="required, excluded or allowed.")
    threshold: str | None = Field(default=None, description="Numeric cut-off as written, e.g. 'TPS >= 50%'.")


KIND = KindSpec(
    Biomarker,
    core=False,
    compare={
        "alteration": Compare("tokens"),
        "threshold": Compare("tokens"),
    },
)
