"""Rule family ``disease``: diagnosis, stage, measurable disease, metastatic burden, brain metastases.

Phrasings are copied from real trials (ids cite the corpus trial or the seed document).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.rules import disease
from extractor.rules._common import ItemContext
from extractor.segment import segment
from tests.rules._support import as_dicts, run_family


def _run(section: str, text: str) -> list[dict[str, Any]]:
    return as_dicts(run_family(disease.extract, text, exclusion=section == "exc")[1])


def dx(cancer: str, **kw: Any) -> dict[str, Any]:
    return {"kind": "diagnosis", "cancer": cancer, **kw}


def stage(**kw: Any) -> dict[str, Any]:
    return {"kind": "stage", **kw}


def bm(allowed: str, **kw: Any) -> dict[str, Any]:
    return {"kind": "brain_metastases", "allowed": allowed, **kw}


def meas(level: str, **kw: Any) -> dict[str, Any]:
    return {"kind": "measurable_disease", "level": level, **kw}


def burden(**kw: Any) -> dict[str, Any]:
    return {"kind": "metastatic_burden", **kw}


CASES = [
    # seeds
    pytest.param(
        "inc",
        "Clinical diagnosis: breast cancer, metastatic form;",
        [dx("breast cancer"), stage(metastatic=True)],
        id="seed-001-diagnosis",
    ),
    pytest.param(
        "inc",
        "Oligo-metastatic disease as determined by standard of care diagnostics, limited to 5 total "
        "individual distant metastases, either in one organ or in 2-3 organ systems. Clustered lymph nodes "
        "that can be irradiated with curative intent in a single field are defined as single lesion;",
        [
            burden(
                max_lesions=5,
                min_organs=1,
                max_organs=3,
                counting_notes="clustered lymph nodes in a single radiation field count as one lesion",
            )
        ],
        id="seed-001-oligo",
    ),
    pytest.param(
        "inc",
        "Patients with stable metastatic brain foci for at least 4-6 weeks (according to MRI);",
        [bm("conditional", conditions=["stable"], stable_weeks_min=4.0)],
        id="seed-001-brain",
    ),
    pytest.param(
        "inc",
        "Patients with HER2+ inoperable locally advanced or metastatic breast cancer who previously "
        "received taxanes and trastuzumab;",
        [dx("breast cancer"), stage(metastatic=True, locally_advanced=True)],
        id="seed-001-stage",
    ),
    pytest.param(
        "exc",
        "Poorly controlled brain metastases, liver metastases and multiple metastases;",
        [bm("conditional", conditions=["stable"])],
        id="seed-003",
    ),
    # brain metastases: exclusion wording -> effective rule
    pytest.param(
        "exc",
        "Untreated or symptomatic brain metastases.",
        [bm("conditional", conditions=["treated", "asymptomatic"])],
        id="NCT05254184",
    ),
    pytest.param("exc", "Known brain metastases", [bm("excluded")], id="NCT04609592"),
    pytest.param(
        "exc",
        "Active or untreated central nervous system (CNS) metastases.",
        [bm("conditional", conditions=["treated", "stable"])],
        id="NCT06840483",
    ),
    pytest.param(
        "exc",
        "Presence of known active CNS metastases and/or carcinomatous meningitis. Subjects with "
        "previously treated brain metastases may participate provided they are radiologically stable, i.e., "
        "without evidence of progression for at least 4 weeks by repeat imaging",
        [bm("conditional", conditions=["treated", "stable"], stable_weeks_min=4.0, leptomeningeal="excluded")],
        id="NCT04787042",
    ),
    pytest.param(
        "exc",
        "Brain metastases unless treated, asymptomatic, stable, and not requiring continuous "
        "corticosteroids at a dose of  > 10 mg prednisone/day or equivalent for at least 4 weeks prior to "
        "start of study.",
        [bm("conditional", conditions=["treated", "stable", "asymptomatic", "off_steroids"], stable_weeks_min=4.0)],
        id="NCT05123482",
    ),
    pytest.param(
        "exc",
        "Uncontrolled central nervous system (CNS) disease, including parenchymal brain metastases, "
        "leptomeningeal disease, or spinal cord compression. Patients with asymptomatic untreated brain "
        "metastases are eligible.",
        [bm("conditional", conditions=["stable", "asymptomatic"], leptomeningeal="excluded")],
        id="NCT03586453",
    ),
    pytest.param(
        "exc",
        "Has any history of or evidence of current leptomeningeal disease.",
        [bm("allowed", leptomeningeal="excluded")],
        id="NCT03260491-lepto",
    ),
    pytest.param(
        "inc",
        "STEP 1 REGISTRATION: DISEASE-RELATED CRITERIA: Patients with known brain metastases are not eligible.",
        [bm("excluded")],
        id="NCT03678025",
    ),
    pytest.param(
        "exc",
        "In Part D, participants with untreated, asymptomatic CNS metastases smaller than 1 cm may be enrolled "
        "without definitive treatment as long as they have no neurological symptoms, no or minimal surrounding "
        "edema, and no requirements for corticosteroids",
        [bm("conditional", conditions=["untreated", "asymptomatic", "off_steroids"])],
        id="NCT04389632-permissive",
    ),
    pytest.param(
        "exc",
        "are clinically stable for at least 4 weeks prior to study entry after brain metastasis treatment,",
        [bm("conditional", conditions=["stable"], stable_weeks_min=4.0)],
        id="NCT04389632-continuation",
    ),
    pytest.param(
        "exc",
        "Patients with spinal cord compression, impending spinal cord compression, or parenchymal brain metastases "
        "(patients with epidural disease without cord compression are eligible)",
        [bm("excluded")],
        id="NCT05079698",
    ),
    pytest.param(
        "exc",
        "Subjects are eligible if CNS metastases are adequately treated and subjects are neurologically returned to "
        "baseline (except for residual signs or symptoms related to the CNS treatment) for at least 2 weeks prior to "
        "randomization.",
        [bm("conditional", conditions=["treated"], stable_weeks_min=2.0)],
        id="NCT05715229",
    ),
    pytest.param(
        "inc",
        "Patients must have at least 1 and up to 8 total intact brain metastases detected on a contrast-enhanced MRI "
        "performed ≤ 21 days prior to registration",
        [bm("required")],
        id="NCT06500455",
    ),
    # measurable disease
    pytest.param(
        "inc",
        "Patients must have measurable disease per RECIST 1.1 criteria; all sites of disease must be "
        "evaluated within 4 weeks prior to randomization",
        [meas("measurable", standard="RECIST 1.1")],
        id="NCT02339571",
    ),
    pytest.param(
        "inc",
        "Patients must have measurable or evaluable disease, as defined by Response Evaluation "
        "Criteria in Solid Tumors (RECIST) 1.1",
        [meas("measurable_or_evaluable", standard="RECIST 1.1")],
        id="NCT03203525",
    ),
    pytest.param(
        "inc",
        "Measurable or non-measurable disease by Response Evaluation Criteria in Solid Tumor (RECIST) "
        "1.1 will be allowed",
        [meas("measurable_or_evaluable", standard="RECIST 1.1")],
        id="NCT02366819",
    ),
    pytest.param(
        "inc",
        "Has at least one measurable lesion per RECIST version 1.1",
        [meas("measurable", standard="RECIST 1.1")],
        id="NCT03260491",
    ),
    # diagnosis and stage
    pytest.param(
        "inc",
        "Newly diagnosed histologically or cytologically confirmed operable invasive breast cancer "
        "defined as cT1 or T2, N0-1, and M0.",
        [dx("breast cancer", histologically_confirmed=True)],
        id="NCT02476786",
    ),
    pytest.param("inc", "Stage IIIB-IV melanoma", [dx("melanoma"), stage(stages=["IIIB", "IV"])], id="NCT02279004"),
    pytest.param(
        "inc",
        "Histologically or cytologically confirmed diagnosis of clinical stage IIIB, IIIC, and IIID "
        "(AJCC 8th edition) locoregional melanoma that is eligible for complete surgical resection of all "
        "metastases (surgically resectable).",
        [dx("melanoma", histologically_confirmed=True), stage(stages=["IIIB", "IIIC", "IIID"])],
        id="NCT03567889",
    ),
    pytest.param(
        "inc",
        "Participants must have unresectable locally advanced or metastatic NSCLC.",
        [dx("non-small cell lung cancer"), stage(metastatic=True, locally_advanced=True)],
        id="NCT05983133",
    ),
    pytest.param(
        "inc",
        "Patients must have histologically or cytologically confirmed primary gastric or "
        "gastroesophageal adenocarcinoma and have received a minimum of three months of first line systemic "
        "treatment without visceral metastatic progression",
        [dx("gastric cancer", histology="adenocarcinoma", histologically_confirmed=True)],
        id="NCT04762953",
    ),
    pytest.param(
        "inc",
        "Patient must have no evidence of recurrent or metastatic pancreatic cancer at the time of "
        "randomization as documented by baseline scans obtained = < 4 weeks prior to Step 1 randomization",
        [dx("pancreatic cancer"), stage(metastatic=False, recurrent=False)],
        id="NCT04858334",
    ),
    pytest.param(
        "inc",
        "Women age greater than 18 years with advanced/metastatic HER2 negative, BRCA germline positive breast cancer.",
        [dx("breast cancer"), stage(metastatic=True)],
        id="NCT04090567",
    ),
    pytest.param(
        "inc",
        "Participants must have disease that is unresectable or metastatic and not eligible for definitive therapy as "
        "deemed per the treating investigator",
        [stage(metastatic=True, locally_advanced=True)],
        id="NCT05058651",
    ),
    pytest.param(
        "inc",
        "Locally advanced unresectable or metastatic triple negative breast cancer, ovarian cancer (high-grade serous "
        "histology), anal cancer (squamous), MSI-H CRC, esophagogastric cancer, mesothelioma, and HNSCC.",
        [
            dx("breast cancer"),
            dx("ovarian cancer", histology="serous carcinoma"),
            dx("anal cancer", histology="squamous cell carcinoma"),
            dx("colorectal cancer"),
            dx("gastric cancer"),
            dx("mesothelioma"),
            dx("head and neck cancer"),
            stage(metastatic=True, locally_advanced=True),
        ],
        id="NCT05544929",
    ),
    pytest.param(
        "inc",
        "Patient is allowed up to one (1) prior chemotherapy for their metastatic disease.",
        [],
        id="NCT05455619-therapy-setting",
    ),
    # metastatic burden
    pytest.param(
        "inc",
        "Oligometastatic RCC patients (≤5 metastatic lesions at the time of study entry).",
        [dx("renal cell carcinoma"), burden(max_lesions=5)],
        id="NCT06004336",
    ),
    pytest.param(
        "inc",
        "Cohort A: Oligoprogressive disease is defined as having 3 or fewer lesions of progression "
        "(sites can be local, distant, or both). Multiple mediastinal lesions will be counted as 1 lesion",
        [burden(max_lesions=3, counting_notes="multiple mediastinal lesions will be counted as 1 lesion")],
        id="NCT04892953",
    ),
    pytest.param(
        "inc",
        "Patient must have a total of between 2 and 5 metastatic lesions, as defined by Response Evaluation Criteria "
        "in Solid Tumors (RECIST) criteria",
        [burden(min_lesions=2, max_lesions=5)],
        id="NCT05863351",
    ),
    pytest.param(
        "inc",
        "Patient must have 1-5 oligometastatic tumors or lesions of the bone or soft tissue that are detectable on a "
        "PSMA PET scan.",
        [burden(min_lesions=1, max_lesions=5)],
        id="NCT05079698-oligo",
    ),
    pytest.param(
        "exc",
        "Patients with previous radiation therapy for oligometastatic disease are still eligible",
        [],
        id="NCT05079698-therapy-context",
    ),
]


@pytest.mark.parametrize(("section", "text", "expected"), CASES)
def test_disease(section: str, text: str, expected: list[dict[str, Any]]) -> None:
    assert _run(section, text) == expected


NEGATIVES = [
    # brain imaging, not brain metastases; RECIST's "Solid Tumors" is not a diagnosis
    pytest.param(
        "inc",
        "Imaging investigations including CT of the chest, abdomen and pelvis and MRI/CT of the brain "
        "(if known brain metastases) or other scans as necessary",
        id="NCT04093167",
    ),
    pytest.param(
        "inc",
        "Bone marrow or peripheral blood involvement with ≥5% lymphoblasts or measurable residual "
        "disease with  >10-4 level detected by multiparameter flow cytometry",
        id="NCT06207123",
    ),
    pytest.param("exc", "Hypersensitivity to pembrolizumab or any of its excipients", id="NCT03428802"),
    pytest.param(
        "exc",
        "Have a history of other malignancies within 5 years prior to screening, with cervical cancer "
        "in situ treated properly except for non-melanoma skin cancer or stage I uterine cancer;",
        id="seed-003-malignancy",
    ),
]


@pytest.mark.parametrize(("section", "text"), NEGATIVES)
def test_false_friends(section: str, text: str) -> None:
    assert _run(section, text) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300), st.booleans())
def test_property_never_raises_and_grounded(text: str, exclusion: bool) -> None:
    head = "Exclusion Criteria:" if exclusion else "Inclusion Criteria:"
    seg = segment(f"{head}\n* {text}")
    for item in seg.items:
        for c in disease.extract(ItemContext(item=item, source=seg.text)):
            assert c.evidence.is_grounded_in(seg.text)


def test_no_solid_tumor_from_recist_name() -> None:
    got = _run("inc", "Measurable disease per Response Evaluation Criteria in Solid Tumors, Version 1.1 (RECIST v1.1)")
    assert got == [meas("measurable", standard="RECIST 1.1")]


def test_exclusion_more_than_five_metastases() -> None:
    assert _run("exc", "More than 5 distant metastases") == [burden(max_lesions=5)]


def test_escaped_and_wrapped() -> None:
    text = "Exclusion Criteria:\n\n* Untreated brain metastases\n  or leptomeningeal disease"
    seg = segment(text)
    got = disease.extract(ItemContext(item=seg.items[0], source=seg.text))
    assert [(c.kind, getattr(c, "allowed", None), getattr(c, "conditions", None)) for c in got] == [
        ("brain_metastases", "conditional", ["treated"])
    ]


@pytest.mark.parametrize("text", ["", " ", "\\", "stage", "stage IV IV IV", "brain " * 40, "≤ ≤ 5 5 organs organs"])
def test_never_raises(text: str) -> None:
    seg = segment("Exclusion Criteria:\n* " + text)
    for item in seg.items:
        for c in disease.extract(ItemContext(item=item, source=seg.text)):
            assert c.evidence.is_grounded_in(seg.text)
