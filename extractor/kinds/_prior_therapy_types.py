"""The fields of a ``prior_therapy`` criterion that the kind's helper passes read and set, as one protocol (the
passes live in their own modules and cannot import the model without a cycle)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, Protocol

from extractor.models.criteria import Evidence, Requirement

__all__ = ["Therapy", "quoted"]


class Therapy(Protocol):
    """A ``prior_therapy`` criterion as the helper passes see it."""

    evidence: Evidence
    agents: list[str]
    requirement: Requirement
    setting: Literal["metastatic", "adjuvant", "neoadjuvant", "early", "any"] | None
    within_weeks: float | None
    min_duration_months: float | None
    min_lines: int | None
    max_lines: int | None
    response_required: bool | None

    def model_dump(self) -> dict[str, Any]: ...


def quoted(found: Iterable[Any], read: Evidence) -> bool:
    """Whether a criterion of ``found`` already quotes text of ``read`` (a sentence another pass has read)."""
    return any(c.evidence.start < read.end and read.start < c.evidence.end for c in found)
