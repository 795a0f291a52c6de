"""The ``lab`` kind's rules-only analytes (``lab.yaml``: ``analytes``, ``silent_analytes``): merged into the rules'
analyte index, never into the LLM answer schema's analyte list; the matcher reads a limit on one as unknown when the
patient has no value for it. Texts are our own paraphrases."""

from __future__ import annotations

from typing import Any

import pytest

from extractor import extract, match
from extractor.kinds import lab
from extractor.rules.triggers import TriggerIndex
from extractor.vocab import load_model
from extractor.vocab.schemas import Analytes
from tests.match._helpers import crit, patient


def _labs(text: str) -> list[tuple[str, str | None, float | None, str | None, float | None]]:
    out = extract(text, trial_id="t")
    return [(c.analyte, c.op, c.value, c.unit, c.uln_multiple) for c in out.criteria if isinstance(c, lab.Lab)]


def test_rules_only_analytes_are_new_keys_outside_the_llm_description() -> None:
    shared = load_model("analytes")
    assert isinstance(shared, Analytes)
    description = lab.Lab.model_fields["analyte"].description or ""
    for key in lab.RULES.analytes:
        assert key not in shared.root
        assert key not in description
        assert key == key.lower() and " " not in key and "-" not in key  # GUIDE.md: lower-case snake_case


def test_merged_index_reads_shared_and_rules_only_names() -> None:
    words = lab._analyte_words()
    assert {"anc", "platelet"} <= words  # vocab/analytes.yaml
    assert {"ca", "ca125", "blasts", "flc", "nt", "viral"} <= words  # lab.yaml
    assert lab.RULES.silent_analytes <= set(lab.RULES.analytes)


def test_every_rules_only_name_that_speaks_triggers_lab() -> None:
    index = TriggerIndex({"lab": lab.RULES.triggers})
    missing = [
        name
        for key, spec in lab.RULES.analytes.items()
        if key not in lab.RULES.silent_analytes
        for name in (*spec.names, *spec.abbrev)
        if "lab" not in index.kinds(name.lower())
    ]
    assert not missing, missing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Inclusion Criteria:\n* Serum CA-125 at least 2 x ULN", [("ca_125", ">=", None, None, 2.0)]),
        ("Exclusion Criteria:\n* CA125 outside the institutional normal limits", [("ca_125", "<=", None, None, 1.0)]),
        (
            "Inclusion Criteria:\n* Involved FLC level >= 10 mg/dL with an abnormal FLC ratio",
            [("free_light_chain", ">=", 10.0, "mg/dL", None)],
        ),
        ("Inclusion Criteria:\n* Bone marrow blasts < 5%", [("marrow_blasts", "<", 5.0, "%", None)]),
        # a percentage before the name; a count after it is another thing's
        (
            "Inclusion Criteria:\n* A marrow with > 30% blasts, or 2,000/uL leukemic cells in blood",
            [("marrow_blasts", ">", 30.0, "%", None)],
        ),
        ("Inclusion Criteria:\n* Accelerated phase (10-19% blasts) allowed", []),  # a range, no limit
        ("Inclusion Criteria:\n* blast crisis in remission", []),
    ],
)
def test_rules_only_analytes_are_read(text: str, expected: list[Any]) -> None:
    assert _labs(text) == expected


def test_silent_analyte_ends_the_reach_of_the_one_before_and_gives_no_lab() -> None:
    text = "Exclusion Criteria:\n* Inactive carriers with a normal ALT and HBV DNA < 2,000 IU/mL may enter"
    assert _labs(text) == []


def test_matcher_reads_a_rules_only_analyte_without_a_value_as_unknown() -> None:
    c = crit("lab", "CA-125 at most 2 x ULN", analyte="ca_125", op="<=", uln_multiple=2)
    res = match(patient(), [c], trial_id="t").criteria[0]
    assert res.status == "unknown"
    assert "no ca 125 result" in res.reason
    with_value = patient(labs=[{"analyte": "ca_125", "value": 100, "unit": "U/mL", "uln": 35}])
    assert match(with_value, [c], trial_id="t").criteria[0].status == "not_met"


@pytest.mark.parametrize("written", ["CA-125", "CA 125", "ca_125"])
def test_matcher_finds_a_patient_lab_written_with_a_hyphen_or_space(written: str) -> None:
    c = crit("lab", "CA-125 at most 2 x ULN", analyte="ca_125", op="<=", uln_multiple=2)
    with_value = patient(labs=[{"analyte": written, "value": 50, "unit": "U/mL", "uln": 35}])
    assert match(with_value, [c], trial_id="t").criteria[0].status == "met"
