"""Registry reconciliation: registry fields become criteria when the text is silent; disagreements are recorded."""

from __future__ import annotations

import pytest

from extractor import match
from extractor.match import parse_age, parse_sex
from tests.match._helpers import crit, patient


@pytest.mark.parametrize(
    ("raw", "years"),
    [("18 Years", 18.0), ("6 Months", 0.5), ("1 Year", 1.0), ("N/A", None), (None, None), ("", None), ("old", None)],
)
def test_parse_age(raw: str | None, years: float | None) -> None:
    assert parse_age(raw) == years


def test_parse_sex() -> None:
    assert [parse_sex(x) for x in ("ALL", "FEMALE", "MALE", "Both", None)] == ["all", "female", "male", "all", None]


def test_registry_adds_criteria_when_the_text_is_silent() -> None:
    text = [crit("her2", "HER2-positive", status="positive")]
    reg = {"sex": "FEMALE", "minimum_age": "18 Years", "maximum_age": "N/A", "healthy_volunteers": False}
    p = patient(sex="female", birth_date="1970-01-01", her2=[{"ihc_score": "3+"}], diagnoses=[{"cancer": "breast"}])
    result = match(p, text, registry=reg, trial_id="t")
    added = [c for c in result.criteria if c.source == "registry"]
    assert [(c.criterion.kind, c.criterion.evidence.text, c.status) for c in added] == [
        ("age", "minimum_age: 18 Years", "met"),
        ("sex", "sex: FEMALE", "met"),
    ]  # N/A adds nothing; healthy_volunteers adds nothing for a patient with a diagnosis
    ev = added[0].criterion.evidence
    assert (ev.start, ev.end) == (0, len("minimum_age: 18 Years"))
    assert result.verdict == "eligible" and result.conflicts == []
    male = match(patient(sex="male", age_years=40), text, registry=reg, trial_id="t")
    assert male.verdict == "ineligible" and male.criteria[male.blocking[0]].source == "registry"


def test_registry_conflict_is_recorded_and_the_text_is_judged() -> None:
    text = [crit("age", "aged 18 to 90", min_years=18, max_years=90), crit("sex", "women", sex="female")]
    reg = {"minimum_age": "2 Years", "maximum_age": "90 Years", "sex": "ALL"}
    result = match(patient(age_years=10, sex="female"), text, registry=reg, trial_id="t")
    assert sorted(c.field for c in result.conflicts) == ["minimum_age", "sex"]
    conflict = next(c for c in result.conflicts if c.field == "minimum_age")
    assert conflict.registry == "2 Years" and "18" in conflict.text
    assert all(c.source == "text" for c in result.criteria)
    assert result.criteria[0].status == "not_met"  # judged by the text's 18, not the registry's 2


def test_healthy_volunteers_for_a_patient_without_a_diagnosis_goes_to_a_person() -> None:
    result = match(patient(), [], registry={"healthy_volunteers": False}, trial_id="t")
    assert [(c.source, c.status) for c in result.criteria] == [("registry", "not_evaluable")]
