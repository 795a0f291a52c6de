"""A lab's evidence runs to the end of its clause when the span would stop on a word that needs what follows."""

from __future__ import annotations

import pytest

from extractor.kinds.lab import extract
from tests.rules._support import run_family

CASES = [
    # (text, analyte, the evidence's last words)
    (  # NCT06141031
        "aPTT ≤ 1.5 x IULN unless patient is receiving anticoagulant therapy as long as INR or PTT is within "
        "therapeutic range of intended use of anticoagulants",
        "aptt",
        "intended use of anticoagulants",
    ),
    (  # NCT05187182
        "AST(SGOT)/ALT(SGPT) ≤ 2.0 x IULN, unless there are liver metastases in which case AST and ALT ≤ 5.0 x IULN",
        "ast",
        "in which case AST and ALT ≤ 5.0 x IULN",
    ),
    (  # NCT05118854
        "Serum bilirubin ≤ 1.0 x ULN, except in subjects with Gilbert Syndrome, who can have total bilirubin "
        "< 2.0 mg/dL.",
        "total_bilirubin",
        "who can have total bilirubin < 2.0 mg/dL.",
    ),
    (  # NCT05168618
        "Absolute neutrophil count (ANC) >= 1500/mm^3 without granulocyte colony-stimulating factor support",
        "anc",
        "without granulocyte colony-stimulating factor support",
    ),
    (  # paraphrase: a bracketed exception
        "Total bilirubin <= 1.5 x ULN (except patients with Gilbert's syndrome, who must have a total bilirubin "
        "<= 3.0 mg/dL), ANC >= 1.5 x 10^9/L",
        "total_bilirubin",
        "total bilirubin <= 3.0 mg/dL)",
    ),
    (  # NCT04729114: the words open an alternative, left out
        "Adequate renal function defined as a serum creatinine ≤1.5 × upper limit of normal (ULN) for the reference "
        "laboratory or a calculated creatinine clearance ≥50 mL/min",
        "creatinine",
        "for the reference laboratory",
    ),
]


@pytest.mark.parametrize(("text", "analyte", "tail"), CASES)
def test_evidence_ends_with_its_clause(text: str, analyte: str, tail: str) -> None:
    _, found = run_family(extract, text)
    spans = [c.evidence.text for c in found if getattr(c, "analyte", None) == analyte]
    assert spans, found
    assert spans[0].endswith(tail), spans[0]


def test_a_table_row_stops_before_the_next_lab() -> None:
    # paraphrase: a flattened table row; the exception's clause stops where the next lab's value starts
    text = (
        "Hepatic Total bilirubin: ≤1.5 x ULN Patients with Gilbert's syndrome with a total bilirubin ≤2.0 times ULN "
        "are permitted ALT and AST: ≤3 x ULN"
    )
    _, found = run_family(extract, text)
    first = next(c for c in found if getattr(c, "analyte", None) == "total_bilirubin")
    assert "ALT and AST" not in first.evidence.text
