"""Reading a patient file: valid JSON in, typed errors naming file and field out."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.errors import InputError
from extractor.io.patients import read_patient


def test_reads_a_patient(tmp_path: Path) -> None:
    p = tmp_path / "p.json"
    p.write_text('{"patient_id": "p1", "sex": "female", "her2": [{"ihc_score": "3+"}], "therapies": []}')
    patient = read_patient(p)
    assert patient.patient_id == "p1" and patient.her2[0].ihc_score == "3+" and patient.therapies == []
    assert patient.prior_malignancies is None  # not recorded stays unknown, not "none"


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ('{"sex": "female", "labs": [{"analyte": "ANC", "value": "lots"}]}', "labs.0.value", "number"),
        ('{"gender": "female"}', "gender", "Extra inputs"),
        ("{not json", None, "not JSON"),
    ],
)
def test_bad_patient_files_name_the_field(tmp_path: Path, text: str, field: str | None, words: str) -> None:
    p = tmp_path / "bad.json"
    p.write_text(text)
    with pytest.raises(InputError) as e:
        read_patient(p)
    assert e.value.file == str(p) and e.value.field == field and words in str(e.value)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_patient(tmp_path / "nope.json")
