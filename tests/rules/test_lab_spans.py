"""A lab's evidence runs to the end of its qualifier when the span would stop on a word that needs what follows."""

from __future__ import annotations

import pytest

from extractor.kinds.lab import extract
from tests.rules._support import run_family

CASES = [
    # (text, analyte, the evidence's last words)
    (  # NCT05168618
        "Absolute neutrophil count (ANC) >= 1500/mm^3 without granulocyte colony-stimulating factor support",
        "anc",
        "without granulocyte colony-stimulating factor support",
    ),
    (  # NCT05118854: a bracketed qualifier is closed
        "Absolute neutrophil count (ANC) ≥ 1500 cells/µl (without granulocyte colony-stimulating factor support within "
        "10 days of laboratory test used to determine eligibility).",
        "anc",
        "used to determine eligibility)",
    ),
    (  # NCT05711615
        "Glomerular filtration rate (GFR) >= 51 mL/min/1.73 m^2 (per institutional estimate based on creatinine level)",
        "egfr",
        "based on creatinine level)",
    ),
    (  # NCT05500092
        "Serum creatinine clearance>50 mL/min by the Cockcroft-Gault formula or by 24-hour urine collection for "
        "determination of creatinine clearance (CL):",
        "creatinine_clearance",
        "for determination of creatinine clearance (CL)",
    ),
    (  # paraphrase: the next comma ends the qualifier
        "ANC >= 1.5 x 10^9/L without growth factor support, platelets >= 100 x 10^9/L",
        "anc",
        "without growth factor support",
    ),
]


@pytest.mark.parametrize(("text", "analyte", "tail"), CASES)
def test_evidence_ends_with_its_clause(text: str, analyte: str, tail: str) -> None:
    _, found = run_family(extract, text)
    spans = [c.evidence.text for c in found if getattr(c, "analyte", None) == analyte]
    assert spans, found
    assert spans[0].endswith(tail), spans[0]


def test_a_table_row_stops_before_the_next_lab() -> None:
    # paraphrase: a flattened table row; the clause stops where another criterion's span starts
    text = (
        "Hepatic Total bilirubin: ≤1.5 x ULN Patients with Gilbert's syndrome with a total bilirubin ≤2.0 times ULN "
        "are permitted ALT and AST: ≤3 x ULN"
    )
    _, found = run_family(extract, text)
    first = next(c for c in found if getattr(c, "analyte", None) == "total_bilirubin")
    assert "ALT and AST" not in first.evidence.text


def test_a_conditional_clause_stays_out() -> None:
    # NCT06141031: what follows "as long as" is another criterion's condition; the span is left as it was built
    text = (
        "aPTT ≤ 1.5 x IULN unless patient is receiving anticoagulant therapy as long as INR or PTT is within "
        "therapeutic range of intended use of anticoagulants"
    )
    _, found = run_family(extract, text)
    first = next(c for c in found if getattr(c, "analyte", None) == "aptt")
    assert not first.evidence.text.endswith("anticoagulants")
