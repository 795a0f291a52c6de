"""FHIR in: the bundled mCODE example bundle reads to the expected patient; units, ULN and dates are carried;
unmapped resources are counted; a malformed entry's error names its index, resourceType and field."""

from __future__ import annotations

import copy
import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from extractor.errors import InputError
from extractor.io.fhir import patient_from_bundle
from extractor.io.patients import read_patient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "patient_bundle.json"
LOINC = "http://loinc.org"


@pytest.fixture
def bundle() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


def _obs(code: str, when: str = "2026-01-05", **value: Any) -> dict[str, Any]:
    res = {"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": LOINC, "code": code}]}}
    return {"resource": {**res, "effectiveDateTime": when, **value}}


def _with(bundle: dict[str, Any], *entries: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(bundle)
    out["entry"].extend(entries)
    return out


def test_example_bundle_reads_to_the_expected_patient() -> None:
    p = read_patient(EXAMPLE)
    assert (p.patient_id, p.sex, p.birth_date) == ("example-her2-mbc", "female", date(1968, 4, 12))
    assert [(d.cancer, d.histology, d.diagnosed_on) for d in p.diagnoses] == [
        ("Breast cancer", "Infiltrating duct carcinoma", date(2023, 11, 2))
    ]
    assert (p.stage, p.metastatic, p.metastatic_sites, p.organ_count) == ("IV", True, ["bone", "brain"], 2)
    assert p.brain_metastases is not None and p.brain_metastases.present is True
    assert p.brain_metastases.treated is None  # the bundle does not say: unknown, not "untreated"
    assert [(h.ihc_score, h.tested_on) for h in p.her2] == [("3+", date(2023, 11, 10))]
    assert [(r.receptor, r.status, r.percent) for r in p.receptors] == [
        ("ER", "positive", 90.0),
        ("PR", "negative", None),
    ]
    assert [(s.scale, s.score) for s in p.performance] == [("ECOG", 1)]
    assert p.cardiac is not None and (p.cardiac.lvef_percent, p.cardiac.lvef_lln_percent) == (58.0, 50.0)
    assert [(t.agent, t.start, t.end) for t in p.therapies or []] == [
        ("trastuzumab", date(2024, 1, 8), date(2026, 10, 27)),
        ("pertuzumab", date(2024, 1, 8), date(2026, 10, 27)),
        ("docetaxel", date(2024, 1, 8), date(2024, 5, 13)),
    ]


def test_labs_carry_value_unit_uln_and_date() -> None:
    labs = {lab.analyte: lab for lab in read_patient(EXAMPLE).labs}
    assert set(labs) == {"anc", "platelets", "total_bilirubin", "creatinine"}
    anc, bili = labs["anc"], labs["total_bilirubin"]
    assert (anc.value, anc.unit, anc.lln, anc.uln, anc.measured_on) == (3.2, "10^9/L", 1.8, 7.5, date(2026, 11, 20))
    assert (bili.value, bili.unit, bili.uln) == (0.7, "mg/dL", 1.2)


def test_a_reference_range_in_another_unit_is_not_taken_as_the_uln(bundle: dict[str, Any]) -> None:
    q = {"value": 12, "unit": "umol/L"}
    entry = _obs("1975-2", valueQuantity=q, referenceRange=[{"high": {"value": 1.2, "unit": "mg/dL"}}])
    labs = patient_from_bundle(_with({"resourceType": "Bundle", "type": "collection", "entry": []}, entry)).labs
    assert [(lab.analyte, lab.value, lab.unit, lab.uln) for lab in labs] == [("total_bilirubin", 12.0, "umol/L", None)]


def test_her2_tests_of_one_date_merge_and_ratio_and_ish_are_read() -> None:
    entries = [
        _obs("18474-7", valueString="2+"),
        _obs("85318-4", valueCodeableConcept={"coding": [{"system": "http://snomed.info/sct", "code": "10828004"}]}),
        _obs("49683-6", valueQuantity={"value": 2.4}),
        _obs("85319-2", when="2024-02-01", valueInteger=1),
    ]
    p = patient_from_bundle({"resourceType": "Bundle", "type": "collection", "entry": entries})
    got = {h.tested_on: (h.ihc_score, h.ish_status, h.ish_ratio) for h in p.her2}
    assert got == {date(2026, 1, 5): ("2+", "positive", 2.4), date(2024, 2, 1): ("1+", None, None)}


def test_karnofsky_qtc_in_seconds_and_a_diagnostic_procedure() -> None:
    entries = [
        _obs("89243-0", valueInteger=80),
        _obs("8636-3", valueQuantity={"value": 0.452, "unit": "s"}),
        {
            "resource": {
                "resourceType": "Procedure",
                "status": "completed",
                "subject": {"reference": "Patient/x"},
                "code": {"text": "Core needle biopsy of breast"},
                "category": {"coding": [{"system": "http://snomed.info/sct", "code": "103693007"}]},
            }
        },
        {
            "resource": {
                "resourceType": "Procedure",
                "status": "completed",
                "subject": {"reference": "Patient/x"},
                "code": {"text": "Whole brain radiotherapy"},
                "performedPeriod": {"start": "2026-06-10", "end": "2026-06-24"},
            }
        },
    ]
    p = patient_from_bundle({"resourceType": "Bundle", "type": "collection", "entry": entries})
    assert [(s.scale, s.score) for s in p.performance] == [("Karnofsky", 80)]
    assert p.cardiac is not None and p.cardiac.qtc_ms == pytest.approx(452.0)
    assert [(t.agent, t.start, t.end) for t in p.therapies or []] == [
        ("Whole brain radiotherapy", date(2026, 6, 10), date(2026, 6, 24))
    ]


def test_administrations_merge_per_agent_and_medication_references_resolve() -> None:
    def admin(day: str) -> dict[str, Any]:
        res = {"resourceType": "MedicationAdministration", "status": "completed", "subject": {"reference": "Patient/x"}}
        return {"resource": {**res, "medicationReference": {"reference": "Medication/tdxd"}, "effectiveDateTime": day}}

    med = {"resource": {"resourceType": "Medication", "id": "tdxd", "code": {"text": "trastuzumab deruxtecan"}}}
    entries = [admin("2025-03-01"), med, admin("2025-01-10"), admin("2025-02-01")]
    p = patient_from_bundle({"resourceType": "Bundle", "type": "collection", "entry": entries})
    assert [(t.agent, t.start, t.end) for t in p.therapies or []] == [
        ("trastuzumab deruxtecan", date(2025, 1, 10), date(2025, 3, 1))
    ]


def test_no_therapy_resources_means_therapies_not_recorded(bundle: dict[str, Any]) -> None:
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "MedicationStatement"]
    assert patient_from_bundle(bundle).therapies is None  # unknown, not "treatment-naive"


def test_unknown_resources_and_unmapped_observations_are_ignored_and_counted(
    bundle: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    encounter = {"resource": {"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"}}}
    data = _with(bundle, encounter, encounter, _obs("8302-2", valueQuantity={"value": 165, "unit": "cm"}))
    with caplog.at_level(logging.INFO, logger="extractor.io.fhir"):
        p = patient_from_bundle(data)
    assert p.patient_id == "example-her2-mbc"
    assert "2 Encounter" in caplog.text and "1 Observation (code not mapped)" in caplog.text


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda b: b["entry"][4]["resource"].update(valueQuantity={"value": "high"}), "entry[4]", "Observation"),
        (lambda b: b["entry"][0]["resource"].update(birthDate="12/04/1968"), "entry[0].resource.birthDate", "Patient"),
        (lambda b: b["entry"][2]["resource"].pop("subject"), "entry[2].resource.subject", "Condition"),
        (lambda b: b["entry"][3].pop("resource"), "entry[3].resource", "entry 3"),
        (lambda b: b["entry"][1]["resource"].pop("resourceType"), "entry[1].resource.resourceType", "entry 1"),
    ],
)
def test_a_malformed_entry_is_named(
    bundle: dict[str, Any], tmp_path: Path, mutate: Any, field: str, words: str
) -> None:
    mutate(bundle)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_patient(path)
    assert e.value.file == str(path) and e.value.field is not None and e.value.field.startswith(field)
    assert words in str(e.value)


def test_a_malformed_observation_names_index_type_and_field(bundle: dict[str, Any]) -> None:
    idx = next(i for i, e in enumerate(bundle["entry"]) if e["resource"].get("id") == "anc")
    bundle["entry"][idx]["resource"]["valueQuantity"]["value"] = "lots"
    with pytest.raises(InputError) as e:
        patient_from_bundle(bundle)
    assert e.value.field == f"entry[{idx}].resource.valueQuantity.value"
    assert str(e.value).startswith(f"entry {idx} (Observation): ")


def test_two_patients_in_one_bundle_are_refused(bundle: dict[str, Any]) -> None:
    other = {"resource": {"resourceType": "Patient", "id": "someone-else", "gender": "male"}}
    with pytest.raises(InputError, match="more than one patient"):
        patient_from_bundle(_with(bundle, other))


@pytest.mark.parametrize("data", [[], {"resourceType": "Patient"}, {"resourceType": "Bundle", "entry": {}}])
def test_not_a_bundle_is_an_input_error(data: Any) -> None:
    with pytest.raises(InputError):
        patient_from_bundle(data)


def test_a_misspelt_resource_type_and_an_invalid_gender_are_input_errors(bundle: dict[str, Any]) -> None:
    typo = {"resource": {"resourceType": "Observaton", "status": "final"}}
    with pytest.raises(InputError, match="'Observaton' is not a FHIR R4 resource type") as e:
        patient_from_bundle(_with(bundle, typo))
    assert e.value.field is not None and e.value.field.endswith(".resource.resourceType")
    broken = copy.deepcopy(bundle)
    for entry in broken["entry"]:
        if entry["resource"]["resourceType"] == "Patient":
            entry["resource"]["gender"] = "femal"
    with pytest.raises(InputError, match="gender 'femal'") as e:
        patient_from_bundle(broken)
    assert e.value.field is not None and e.value.field.endswith(".resource.gender")
