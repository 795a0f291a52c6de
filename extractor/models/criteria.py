"""What every criterion shares: evidence, polarity and the base model each kind extends (``extractor.kinds``).

Field descriptions are sent to the LLM as part of the JSON schema: they are written as prompt text.
Conventions shared by every kind:

* ``polarity`` is the section the item sits in (inclusion / exclusion), never re-interpreted.
* The kind's fields state the *effective eligibility rule* a patient must meet, whichever section it was written
  in: the exclusion item "Prior T-DXd" and the inclusion item "No prior T-DXd" are both ``prior_therapy`` with
  ``requirement="excluded"``; the exclusion item "ANC < 1.5 x 10^9/L" is ``lab`` with ``op=">="``, ``value=1.5``;
  "QTcF > 470 ms" under exclusions is ``qtc_max_ms=470``; "age under 21" under exclusions is ``min_years=21``.
* ``evidence`` is the verbatim span of the source text the criterion was read from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Polarity = Literal["inclusion", "exclusion"]
Comparator = Literal[">=", ">", "<=", "<", "="]
Requirement = Literal["required", "excluded", "allowed"]
Backend = Literal["rules", "llm", "gold"]


class Evidence(BaseModel):
    """A verbatim span of the source text: ``source[start:end] == text``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(description="Verbatim quote from the criteria text, copied exactly (same spelling, case).")
    start: int = Field(ge=0, description="Character offset of the quote's first character in the source text.")
    end: int = Field(ge=0, description="Character offset just past the quote's last character.")

    @model_validator(mode="after")
    def _consistent(self) -> Evidence:
        if self.end < self.start:
            raise ValueError(f"evidence end ({self.end}) is before start ({self.start})")
        if self.end - self.start != len(self.text):
            raise ValueError(f"evidence span length {self.end - self.start} differs from quote length {len(self.text)}")
        return self

    def is_grounded_in(self, source: str) -> bool:
        """True when the quote stands verbatim at its offsets in ``source``."""
        return source[self.start : self.end] == self.text and bool(self.text.strip())


class CriterionBase(BaseModel):
    """Fields every criterion has."""

    model_config = ConfigDict(extra="forbid")

    polarity: Polarity = Field(description="The section the item sits in: inclusion or exclusion.")
    evidence: Evidence = Field(description="Where in the source text this criterion is stated.")
    cohort: str | None = Field(default=None, description="Cohort, part or arm sub-heading the item belongs to, if any.")
    item: int | None = Field(default=None, ge=0, description="Index of the segmented item it came from.")
    backend: Backend | None = Field(default=None, description="Which backend produced this criterion.")

    if TYPE_CHECKING:  # each kind declares its own ``kind: Literal[...]`` tag; code typed with the base reads it
        kind: str


BASE_FIELDS: frozenset[str] = frozenset(CriterionBase.model_fields) | {"kind"}
"""Fields every kind has (``kind`` included); a kind's own fields are the rest."""
