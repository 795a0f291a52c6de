"""Builders shared by the matcher tests: criteria written from our own paraphrases, and a patient factory."""

from __future__ import annotations

from datetime import date
from typing import Any

from extractor.kinds import KIND_TYPES, Criterion
from extractor.models import Evidence
from extractor.models.patient import Patient

ON = date(2026, 6, 1)


def crit(kind: str, quote: str = "criterion text", polarity: str = "inclusion", **fields: Any) -> Criterion:
    """A criterion of ``kind`` with evidence ``quote``."""
    ev = Evidence(text=quote, start=0, end=len(quote))
    return KIND_TYPES[kind](polarity=polarity, evidence=ev, **fields)  # type: ignore[return-value]


def patient(**fields: Any) -> Patient:
    """A patient assessed on :data:`ON`."""
    return Patient.model_validate({"assessed_on": ON.isoformat(), **fields})
