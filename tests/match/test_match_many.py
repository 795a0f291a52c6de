"""match_many judges a recurring criterion once: its results equal match() trial by trial."""

from __future__ import annotations

from pathlib import Path

import extractor
from extractor.io.patients import read_patient
from extractor.match import match_many

ROOT = Path(__file__).resolve().parents[2]


def test_match_many_equals_match_per_trial(tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    extractor.extract_many(str(ROOT / "examples" / "her2_trials.jsonl"), str(out), backend="rules", cache=False)
    records = [r for r in extractor.read_records(str(out)) if r.error is None]
    patient = read_patient(ROOT / "examples" / "patient.json")
    one_by_one = [extractor.match(patient, r).model_dump() for r in records]
    many = [r.model_dump() for r in match_many(patient, records)]
    assert len(records) >= 5 and many == one_by_one
    assert {r["verdict"] for r in many} != {"needs_review"}  # the patient is judged, not left to review everywhere
