"""match_many judges a recurring criterion once: its results equal match() trial by trial."""

from __future__ import annotations

from pathlib import Path

import extractor
from extractor.io.patients import read_patient
from extractor.match import match_many
from tests.match._helpers import crit, patient

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


def test_a_plan_and_a_history_with_the_same_fields_are_judged_apart() -> None:
    """match_many caches verdicts on a criterion's fields; prior_therapy also reads its evidence (plan words)."""
    history = crit(
        "prior_therapy", "must have received neoadjuvant chemotherapy", agents=["chemotherapy"], requirement="required"
    )
    plan = crit(
        "prior_therapy", "planned to receive neoadjuvant chemotherapy", agents=["chemotherapy"], requirement="required"
    )
    p = patient(therapies=[{"agent": "docetaxel", "start": "2025-01-01", "end": "2025-04-01"}])
    records = [extractor.OutputRecord(trial_id=t, criteria=[c]) for t, c in (("a", history), ("b", plan))]
    got = {r.trial_id: r.criteria[0].status for r in match_many(p, records)}
    assert got == {"a": "met", "b": "unknown"}
