"""JSON Schemas (draft 2020-12) of the contract, each with ``$schema`` and a stable, versioned ``$id``.

``record`` (the default) describes what ``extractor extract`` writes: one :class:`OutputRecord` per trial, a
result or an error. ``criteria-set`` describes the in-memory :class:`CriteriaSet` that :func:`extractor.extract`
returns. ``patient`` is the input of ``extractor match`` and ``match`` one :class:`MatchResult` it writes. The
``$id`` is ``urn:eligibility-extractor:<name>:v<SCHEMA_VERSION>``; it changes only when the record's
``schema_version`` does.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel

from extractor.models.match import MatchResult
from extractor.models.patient import Patient
from extractor.models.records import CriteriaSet, OutputRecord

__all__ = ["SCHEMA_OF", "SCHEMA_VERSION", "SchemaOf", "json_schema"]

SchemaOf = Literal["record", "criteria-set", "patient", "match"]
SCHEMA_OF: tuple[SchemaOf, ...] = get_args(SchemaOf)
SCHEMA_VERSION: int = get_args(OutputRecord.model_fields["schema_version"].annotation)[0]
"""The output record's ``schema_version`` (part of every ``$id``)."""

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_MODELS: dict[SchemaOf, tuple[type[BaseModel], str]] = {
    "record": (OutputRecord, "output-record"),
    "criteria-set": (CriteriaSet, "criteria-set"),
    "patient": (Patient, "patient"),
    "match": (MatchResult, "match-result"),
}


def json_schema(of: SchemaOf = "record") -> dict[str, Any]:
    """The JSON Schema of ``of`` (``record``: an output record as written, ``criteria-set``: an extraction result)."""
    try:
        model, name = _MODELS[of]
    except KeyError:
        raise ValueError(f"unknown schema {of!r}; choose one of {', '.join(SCHEMA_OF)}") from None
    body = model.model_json_schema(mode="serialization")
    return {"$schema": _DIALECT, "$id": f"urn:eligibility-extractor:{name}:v{SCHEMA_VERSION}", **body}
