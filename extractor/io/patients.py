"""Read a patient for ``extractor match``: a JSON file holding one :class:`~extractor.models.patient.Patient`, or a
FHIR R4 patient ``Bundle`` (mCODE), read by :func:`extractor.io.fhir.patient_from_bundle`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from extractor.errors import InputError
from extractor.io.fhir import patient_from_bundle
from extractor.models.patient import Patient

__all__ = ["read_patient"]


def read_patient(path: str | Path) -> Patient:
    """The patient in ``path`` (patient JSON or FHIR Bundle); :class:`InputError` naming the file and field when it
    is unreadable or invalid."""
    name = str(path)
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"cannot read patient file: {e.strerror or e}", file=name) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"patient file is not JSON: {e}", file=name) from None
    if isinstance(data, dict) and data.get("resourceType") == "Bundle":
        try:
            return patient_from_bundle(data)
        except InputError as e:
            raise InputError(e.message, file=name, field=e.field) from None
    try:
        return Patient.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or None
        raise InputError(f"invalid patient: {err['msg']}", file=name, field=where) from None
