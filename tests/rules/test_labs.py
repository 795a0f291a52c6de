"""Rule family `labs`: lab thresholds and cardiac criteria, on phrasings copied from the corpus (NCT ids cited)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.models import Criterion
from extractor.rules import labs
from extractor.rules._common import ItemContext
from extractor.segment import segment
from tests.rules._support import run_family

LAB_FIELDS = ("analyte", "op", "value", "unit", "uln_multiple", "condition")
CARDIAC_FIELDS = ("lvef_min_percent", "lvef_lln", "qtc_max_ms", "nyha_max", "conditions")


def run(text: str, exclusion: bool = False) -> list[Criterion]:
    return run_family(labs.extract, text, exclusion)[1]


def lab_rows(found: list[Criterion]) -> list[tuple[Any, ...]]:
    return [tuple(getattr(c, f) for f in LAB_FIELDS) for c in found if c.kind == "lab"]


def lab(
    analyte: str,
    op: str | None = None,
    value: float | None = None,
    unit: str | None = None,
    *,
    uln: float | None = None,
    cond: str | None = None,
) -> tuple[Any, ...]:
    return (analyte, op, value, unit, uln, cond)


LAB_CASES = [
    pytest.param(
        "Absolute neutrophil count ≥ 1.5 × 10\\^9/L without growth factor support in the 2 weeks prior to study entry.",
        False,
        [lab("anc", ">=", 1.5, "x10^9/L")],
        id="NCT06598007",
    ),
    pytest.param(
        "Leukocytes \\>= 3,000/mcL (obtained =\\< 14 days prior to randomization)",
        False,
        [lab("wbc", ">=", 3000, "/uL")],
        id="NCT04181060",
    ),
    pytest.param(
        "Absolute neutrophil count (ANC) \\>= 1,000/mm\\^3 within 28 days prior to registration",
        False,
        [lab("anc", ">=", 1000, "/mm3")],
        id="NCT04269902",
    ),
    pytest.param(
        "Absolute neutrophil count (ANC) ≥1.5 x 109/L", False, [lab("anc", ">=", 1.5, "x10^9/L")], id="NCT06747845"
    ),
    pytest.param(
        "Absolute neutrophil count \\>/= 1.5 x109/L ii. Platelets \\>/= 100 x109/L iii. Hemoglobin \\>/= 100 g/L "
        "without transfusion iv. Creatinine clearance \\>/= 60 mL/min using the Cockcroft-Gault equation",
        False,
        [
            lab("anc", ">=", 1.5, "x10^9/L"),
            lab("platelets", ">=", 100, "x10^9/L"),
            lab("hemoglobin", ">=", 100, "g/L"),
            lab("creatinine_clearance", ">=", 60, "mL/min"),
        ],
        id="NCT05961124",
    ),
    pytest.param(
        "Absolute neutrophil count (ANC) \\> 1.0 x10\\^9 cells /L)",
        False,
        [lab("anc", ">", 1.0, "x10^9/L")],
        id="NCT06100705-mult",
    ),
    pytest.param(
        "Absolute neutrophil count (ANC) &gt; 1.0 x10\\^9 cells /L)",
        False,
        [lab("anc", ">", 1.0, "x10^9/L")],
        id="NCT06100705-entity",
    ),
    pytest.param(
        "Platelets ≥ 100 x 10\\^9/L (100 x 103/µL)", False, [lab("platelets", ">=", 100, "x10^9/L")], id="NCT04918186"
    ),
    pytest.param(
        "Estimated glomerular filtration rate (GFR) ≤ 30 ml/min/1.73m\\^2",
        True,
        [lab("egfr", ">", 30, "mL/min/1.73m2")],
        id="NCT06447103",
    ),
    pytest.param(
        "Sufficient renal function, as evidenced by eGFR ≥60 mL/min/1.73m2 calculated using the Chronic Kidney "
        "Disease Epidemiology Collaboration (CKD-EPI) equation",
        False,
        [lab("egfr", ">=", 60, "mL/min/1.73m2")],
        id="NCT06590857",
    ),
    pytest.param(
        "AST and ALT ≤ 2.5× ULN with the exception of patients with documented liver metastases who may have "
        "AST and/or ALT ≤ 5.0× ULN",
        False,
        [
            lab("ast", "<=", uln=2.5),
            lab("alt", "<=", uln=2.5),
            lab("ast", "<=", uln=5.0, cond="liver metastases"),
            lab("alt", "<=", uln=5.0, cond="liver metastases"),
        ],
        id="NCT06006923",
    ),
    pytest.param(
        "Total serum bilirubin \\<1.5 × ULN except for participants with Gilbert's syndrome who may be "
        "included if the total serum bilirubin is ≤3.0 × ULN or direct bilirubin ≤ 1.5 × ULN.",
        False,
        [
            lab("total_bilirubin", "<", uln=1.5),
            lab("total_bilirubin", "<=", uln=3.0, cond="gilbert's syndrome"),
            lab("direct_bilirubin", "<=", uln=1.5),
        ],
        id="NCT05563220",
    ),
    pytest.param(
        "Serum creatinine ≤ 1.5 x upper limit of normal (ULN) OR creatinine clearance (CrCl) or glomerular "
        "filtration rate (GFR) ≥ 60 mL/min for subject with creatinine levels \\> 1.5 x ULN",
        False,
        [
            lab("creatinine", "<=", uln=1.5),
            lab("creatinine_clearance", ">=", 60, "mL/min"),
            lab("egfr", ">=", 60, "mL/min"),
        ],
        id="NCT06385262",
    ),
    pytest.param(
        "Without bone marrow involvement: absolute neutrophil count (ANC) ≥ 1,000/mm\\^3, with bone marrow "
        "involvement: ANC ≥ 500/mm\\^3",
        False,
        [lab("anc", ">=", 1000, "/mm3"), lab("anc", ">=", 500, "/mm3", cond="bone marrow involvement")],
        id="NCT06572618",
    ),
    pytest.param(
        "Patients with documented liver or bone metastases: ALP ≤ 5 × ULN",
        False,
        [lab("alkaline_phosphatase", "<=", uln=5.0, cond="liver or bone metastases")],
        id="NCT05200559",
    ),
    pytest.param(
        "Total bilirubin =\\< 1.5 x upper limit of normal (ULN) (excepting Gilbert's syndrome) (at screening)",
        False,
        [lab("total_bilirubin", "<=", uln=1.5)],
        id="NCT06757647",
    ),
    pytest.param(
        "Serum total bilirubin ≤ 1.5 × ULN OR Direct bilirubin ≤ ULN for subjects with total bilirubin levels "
        "\\> 1.5 ULN",
        False,
        [lab("total_bilirubin", "<=", uln=1.5), lab("direct_bilirubin", "<=", uln=1.0)],
        id="NCT04165772",
    ),
    pytest.param("a PSA of 2.0 ng/mL or above", False, [lab("psa", ">=", 2.0, "ng/mL")], id="NCT06457919"),
    pytest.param(
        "Ca \\> 12 mg/dl or corrected serum calcium \\> ULN",
        True,
        [lab("calcium", "<=", 12, "mg/dL"), lab("calcium", "<=", uln=1.0)],
        id="NCT03786692",
    ),
    # exclusion polarity: the effective rule is stated
    pytest.param(
        "Inadequate hematologic, renal or hepatic function defined by any of the following screening "
        "laboratory values: WBC ≤2000/µL; Neutrophils ≤1500/µL; Platelets ≤ 100,000/µL; hemoglobin ≤9.0 g/dL; "
        "Serum creatinine ≥1.5 x ULN or creatinine clearance ≤ 60 mL/min (using the Cockcroft Gault formula); "
        "AST/ALT ≥3 x ULN (≥ 5 x ULN if liver metastases)",
        True,
        [
            lab("wbc", ">", 2000, "/uL"),
            lab("anc", ">", 1500, "/uL"),
            lab("platelets", ">", 100000, "/uL"),
            lab("hemoglobin", ">", 9.0, "g/dL"),
            lab("creatinine", "<", uln=1.5),
            lab("creatinine_clearance", ">", 60, "mL/min"),
            lab("ast", "<", uln=3.0),
            lab("alt", "<", uln=3.0),
            lab("ast", "<", uln=5.0, cond="liver metastases"),
            lab("alt", "<", uln=5.0, cond="liver metastases"),
        ],
        id="NCT03138161",
    ),
    # number-less organ function
    pytest.param(
        "Adequate hematologic function at screening, as follows:", False, [lab("marrow_function")], id="NCT05665361"
    ),
    pytest.param(
        "Demonstrates adequate organ function as defined below within 14 days prior to first study treatment:",
        False,
        [lab("organ_function")],
        id="NCT07043608",
    ),
]


@pytest.mark.parametrize(("text", "exclusion", "expected"), LAB_CASES)
def test_lab(text: str, exclusion: bool, expected: list[tuple[Any, ...]]) -> None:
    assert lab_rows(run(text, exclusion)) == expected


NEGATIVE = [
    pytest.param(
        "EGFR sensitizing mutation and/or ALK translocation, and/or ROS1 and/or RET targetable gene rearrangement",
        id="NCT06216301",
    ),
    pytest.param(
        "Use of Donor Lymphocyte Infusion (DLI) or other cellular therapy product within 28 days.", id="NCT07297160"
    ),
    pytest.param(
        "NOTE: Growth factor is not permitted within 14 days of ANC assessment unless cytopenia is secondary "
        "to disease involvement",
        id="NCT06572618-note",
    ),
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_no_lab(text: str) -> None:
    assert lab_rows(run(text)) == []


def cardiac_rows(found: list[Criterion]) -> list[tuple[Any, ...]]:
    return [tuple(getattr(c, f) for f in CARDIAC_FIELDS) for c in found if c.kind == "cardiac"]


def card(
    lvef: float | None = None,
    lln: bool | None = None,
    qtc: float | None = None,
    nyha: int | None = None,
    conditions: list[str] | None = None,
) -> tuple[Any, ...]:
    return (lvef, lln, qtc, nyha, conditions or [])


CARDIAC_CASES = [
    pytest.param(
        "Has left ventricular ejection fraction (LVEF) \\< 50% by either echocardiogram (ECHO) or multigated "
        "acquisition scan (MUGA)",
        True,
        [card(lvef=50)],
        id="NCT03260491",
    ),
    pytest.param(
        "Left Ventricle Ejection Fraction (LVEF) ≥ 45% confirmed by ECHO", False, [card(lvef=45)], id="NCT06046040"
    ),
    pytest.param(
        "Cardiac ejection fraction at or above the institutional lower limit of normal, as assessed by either "
        "echocardiogram or multigated acquisition (MUGA) scan",
        False,
        [card(lln=True)],
        id="NCT03971409",
    ),
    pytest.param(
        "Prolongation of the QT interval corrected for heart rate (Fridericia's formula-corrected QT interval "
        "\\[QTcF\\]) \\> 470 msec. QTcF is calculated using Fridericia's formula",
        True,
        [card(qtc=470)],
        id="NCT06466122",
    ),
    pytest.param(
        "Prolonged QTc interval \\> 480 milliseconds or history of congenital Long QT Syndrome",
        True,
        [card(qtc=480), card(conditions=["long qt syndrome"])],
        id="NCT06248606",
    ),
    pytest.param(
        "Cardiovascular disorders: i. Congestive heart failure New York Heart Association Class II-IV, "
        "unstable angina pectoris, serious cardiac arrhythmias.",
        True,
        [
            card(
                nyha=1,
                conditions=["cardiovascular disease", "congestive heart failure", "unstable angina", "arrhythmia"],
            )
        ],
        id="NCT05709574",
    ),
    pytest.param(
        "Participants must not have any currently active, clinically significant cardiovascular disease, such "
        "as uncontrolled arrhythmia or class 3 or 4 congestive heart failure as defined by the New York Heart "
        "Association Functional Classification",
        False,
        [card(nyha=2, conditions=["cardiovascular disease", "arrhythmia", "congestive heart failure"])],
        id="NCT04269902",
    ),
    pytest.param(
        "History of myocardial infarction or decompensated congestive heart failure (CHF) within the last 6 months",
        True,
        [card(conditions=["myocardial infarction", "congestive heart failure"])],
        id="NCT06369610",
    ),
]


@pytest.mark.parametrize(("text", "exclusion", "expected"), CARDIAC_CASES)
def test_cardiac(text: str, exclusion: bool, expected: list[tuple[Any, ...]]) -> None:
    assert cardiac_rows(run(text, exclusion)) == expected


MORE_LAB_CASES = [
    pytest.param(
        "Total bilirubin within normal institutional limits",
        False,
        [lab("total_bilirubin", "<=", uln=1.0)],
        id="NCT06047379",
    ),
    pytest.param(
        "Aspartate aminotransferase and alanine aminotransferase ≤ 3.0 x ULN (Grade ≤1) unless liver "
        "metastases are present, in which case they must be ≤ 5 x ULN (Grade ≤2).",
        False,
        [
            lab("ast", "<=", uln=3.0),
            lab("alt", "<=", uln=3.0),
            lab("ast", "<=", uln=5.0, cond="liver metastases"),
            lab("alt", "<=", uln=5.0, cond="liver metastases"),
        ],
        id="NCT07237100",
    ),
    pytest.param(
        "Part 2: Hemoglobin concentration ≥5.0 mmol/L (≥8.0 g/dL); ANC ≥1000 cells/µL (≥1000 cells/mm3); "
        "platelets ≥75 x 109/L (75 x 103/mm3).",
        False,
        [lab("hemoglobin", ">=", 5.0, "mmol/L"), lab("anc", ">=", 1000, "/uL"), lab("platelets", ">=", 75, "x10^9/L")],
        id="NCT05477576",
    ),
    pytest.param("CD4+ count is ≥ 350/μL", False, [lab("cd4", ">=", 350, "/uL")], id="NCT03803553"),
]


@pytest.mark.parametrize(("text", "exclusion", "expected"), MORE_LAB_CASES)
def test_lab_more(text: str, exclusion: bool, expected: list[tuple[Any, ...]]) -> None:
    assert lab_rows(run(text, exclusion)) == expected


MORE_CARDIAC_CASES = [
    pytest.param(
        "Cardiac ejection fraction ≥ 0.45 by Multiple-Gated Acquisition (MUGA) or echocardiography.",
        False,
        [card(lvef=45)],
        id="NCT07192900",
    ),
    pytest.param(
        "Heart insufficiency (\\> Grade II, New York Heart Association (NYHA) criteria).",
        True,
        [card(nyha=2, conditions=["heart failure"])],
        id="NCT03567889",
    ),
    pytest.param(
        "Patients should be New York Heart Association Functional Classification of class 2B or better",
        False,
        [card(nyha=2)],
        id="NCT05053971",
    ),
    pytest.param("adequate cardiac function according to guidelines hospital", False, [card()], id="seed-002"),
]


@pytest.mark.parametrize(("text", "exclusion", "expected"), MORE_CARDIAC_CASES)
def test_cardiac_more(text: str, exclusion: bool, expected: list[tuple[Any, ...]]) -> None:
    assert cardiac_rows(run(text, exclusion)) == expected


EDGE_CASES = [
    # a second mention of the same analyte carries the exception
    pytest.param(
        "Total serum bilirubin level =\\< 1.5 x ULN (patients with known Gilbert's disease who have bilirubin "
        "level =\\< 3 x ULN may be enrolled) (within 14 days prior to registration)",
        False,
        [lab("total_bilirubin", "<=", uln=1.5), lab("total_bilirubin", "<=", uln=3.0, cond="gilbert's syndrome")],
        id="NCT05256225",
    ),
    # double-escaped HTML entity, exception introduced by "if"
    pytest.param(
        "Total serum bilirubin \\&amp;amp;lt;1.5 x upper limit of normal (ULN), less than 2.0 x ULN if "
        "suspected Gilbert's syndrome;",
        False,
        [lab("total_bilirubin", "<", uln=1.5), lab("total_bilirubin", "<", uln=2.0, cond="gilbert's syndrome")],
        id="NCT06631521",
    ),
    pytest.param(
        "Serum alanine aminotransferase (ALT) and aspartate aminotransferase (AST) ≤ 3 times the upper limit "
        "of normal (≤ 3 × ULN); patients with liver metastasis ≤ 5 × ULN",
        False,
        [
            lab("alt", "<=", uln=3.0),
            lab("ast", "<=", uln=3.0),
            lab("alt", "<=", uln=5.0, cond="liver metastases"),
            lab("ast", "<=", uln=5.0, cond="liver metastases"),
        ],
        id="NCT05607095",
    ),
    # a parenthetical between the analyte and its threshold
    pytest.param(
        "Estimated glomerular filtration rate (estimated by Modification of Diet in Renal Disease Study "
        "equation \\[MDRD\\] method) ≥ 90 mL/min/1.73 m²",
        False,
        [lab("egfr", ">=", 90, "mL/min/1.73m2")],
        id="NCT07221240",
    ),
    pytest.param(
        "Serum testosterone levels less than or equal to (\\<=) 0.5 nanograms per millilitre (ng/mL) (\\<=1.73 "
        "nanomoles per litre \\[nmol/L\\]) at screening if on anti-hormonal therapy.",
        False,
        [lab("testosterone", "<=", 0.5, "ng/mL")],
        id="NCT06533644",
    ),
    pytest.param(
        "PSA \\< 20 ng/ml or PSA \\>20 with a PSA density \\<0.15.",
        False,
        [lab("psa", "<", 20, "ng/mL"), lab("psa_density", "<", 0.15)],
        id="NCT04808427",
    ),
]


@pytest.mark.parametrize(("text", "exclusion", "expected"), EDGE_CASES)
def test_lab_edges(text: str, exclusion: bool, expected: list[tuple[Any, ...]]) -> None:
    assert lab_rows(run(text, exclusion)) == expected


REQUIREMENT_IN_EXCLUSION = [
    # "eligible unless X < 350": still negated into the rule CD4 >= 350
    pytest.param(
        "Patients with HIV are eligible unless their CD4+ T-cell counts are \\< 350 cells/mcL or they have a "
        "history of AIDS-defining opportunistic infection within the 12 months prior to registration.",
        [lab("cd4", ">=", 350, "/uL")],
        id="NCT05187182",
    ),
    # an exclusion item that states what is allowed keeps its comparator
    pytest.param(
        "Note: Participants with clinically diagnosed diabetes mellitus who do not have diabetic peripheral "
        "neuropathy and who have adequate glycemic control with hemoglobin A1c \\[HbA1c\\] level of less than "
        "(\\<) 7.5% at screening will be eligible for the trial",
        [lab("hba1c", "<", 7.5, "%")],
        id="NCT06747351",
    ),
]


@pytest.mark.parametrize(("text", "expected"), REQUIREMENT_IN_EXCLUSION)
def test_requirement_in_exclusion(text: str, expected: list[tuple[Any, ...]]) -> None:
    assert lab_rows(run(text, exclusion=True)) == expected


UNIT_CASES = [
    pytest.param(
        "Platelets greater than or equal to ≥ 50 x 10⁹/liter (L) or ≥30 x 10⁹/L in participants with "
        "documented bone marrow involvement considered to impair hematopoiesis,",
        False,
        [lab("platelets", ">=", 50, "x10^9/L"), lab("platelets", ">=", 30, "x10^9/L", cond="bone marrow involvement")],
        id="NCT05254743",
    ),
    pytest.param(
        "Absolute neutrophil count (ANC) ≥1,500 cells/mm³", False, [lab("anc", ">=", 1500, "/mm3")], id="NCT05826964"
    ),
    pytest.param(
        "Total bilirubin ≤ 1.5 fold of the institutional upper limit of normal Note: Higher total bilirubin "
        "levels (≤ 3 mg/dL) can be allowed if due to known benign liver condition such as Gilbert's",
        False,
        [lab("total_bilirubin", "<=", uln=1.5), lab("total_bilirubin", "<=", 3.0, "mg/dL", cond="gilbert's syndrome")],
        id="NCT06378398",
    ),
    pytest.param(
        "Hemoglobin \\>= 9 g/dL or \\>= 5.6 mmol/L without transfusion or erythropoietin (EPO) dependency",
        False,
        [lab("hemoglobin", ">=", 9.0, "g/dL")],
        id="NCT03428802",
    ),
]


@pytest.mark.parametrize(("text", "exclusion", "expected"), UNIT_CASES)
def test_units(text: str, exclusion: bool, expected: list[tuple[Any, ...]]) -> None:
    assert lab_rows(run(text, exclusion)) == expected


_PIECES = st.sampled_from(
    [
        "ANC",
        "≥",
        "1.5",
        "x 10\\^9/L",
        "ULN",
        "AST/ALT",
        "=\\<",
        "\\>=",
        "QTcF",
        "\\> 470 ms",
        "LVEF",
        "NYHA class III",
        "(",
        ")",
        "Gilbert's",
        "liver metastases",
        "&gt;",
        ";",
        "\n",
        "1,500/mm\\^3",
        "or",
        "G/L",
        "adequate organ function",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(_PIECES, max_size=30).map(" ".join)), st.booleans())
def test_never_raises_and_grounded(text: str, exclusion: bool) -> None:
    """Any text: no exception, every criterion grounded verbatim."""
    seg = segment(("Exclusion" if exclusion else "Inclusion") + " Criteria:\n* " + text)
    for item in seg.items:
        for c in labs.extract(ItemContext(item=item, source=seg.text)):
            assert c.evidence.is_grounded_in(seg.text)


MORE_EXCLUSION_CASES = [
    pytest.param(
        "Must not have uncontrolled diabetes (fasting blood sugar \\> 200 mg/dL or inability to safely hold "
        "diabetes medication or fast 6 hours prior to FDG PET scan)",
        [lab("glucose", "<=", 200, "mg/dL")],
        id="NCT05647564",
    ),
    # a condition name ("thrombocytopenia") followed by a steroid dose is not a platelet threshold
    pytest.param(
        "Active, uncontrolled autoimmune phenomenon (autoimmune hemolytic anemia or immune thrombocytopenia) "
        "requiring steroid therapy with \\>20mg daily of prednisone dose or equivalent",
        [],
        id="NCT04169737",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MORE_EXCLUSION_CASES)
def test_more_exclusions(text: str, expected: list[tuple[Any, ...]]) -> None:
    assert lab_rows(run(text, exclusion=True)) == expected
