"""Kind ``lab``: a laboratory threshold (one analyte, one comparator)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import Comparator, CriterionBase

__all__ = ["KIND", "Lab"]


class Lab(CriterionBase):
    """A laboratory threshold (one analyte, one comparator)."""

    kind: Literal["lab"] = "lab"
    analyte: str = Field(
        description="Normalised analyte: anc, platelets, hemoglobin, wbc, lymphocytes, total_bilirubin, "
        "direct_bilirubin, ast, alt, alkaline_phosphatase, albumin, creatinine, creatinine_clearance, egfr, "
        "inr, aptt, pt, potassium, magnesium, calcium, glucose, hba1c, lipase, amylase, tsh, ldh, psa; or "
        "organ_function / marrow_function / liver_function / renal_function when no number is given."
    )
    op: Comparator | None = Field(default=None, description="Comparator: >=, >, <=, <, =.")
    value: float | None = Field(default=None, description="Threshold value in the stated unit (1.5 for 1.5 x 10^9/L).")
    unit: str | None = Field(default=None, description="Unit as normalised text, e.g. 'x10^9/L', 'g/dL', 'mL/min'.")
    uln_multiple: float | None = Field(default=None, description="Multiple of the upper limit of normal, e.g. 2.5.")
    condition: str | None = Field(
        default=None,
        description="Population the threshold applies to, e.g. \"gilbert's syndrome\", 'liver metastases'.",
    )


KIND = KindSpec(
    Lab,
    core=True,
    compare={
        "value": Compare("quantity"),
        "condition": Compare("tokens"),
    },
    not_compared={
        "unit": "compared together with `value` as a quantity",
    },
)
