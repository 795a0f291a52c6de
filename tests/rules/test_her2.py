"""Rule family ``her2``: HER2 status, hormone receptors, other biomarkers.

Phrasings are copied verbatim from corpus trials (ids cite the NCT record) or seed documents (``seed-NNN``);
backslash escapes of the v2 markdown are kept as published.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.rules import her2
from extractor.rules._common import ItemContext
from extractor.segment import segment
from tests.rules._support import ARBITRARY_TEXT, BASE_FIELDS, as_dicts, assert_grounded_on, run_family


def _run(section: str, text: str) -> list[dict[str, Any]]:
    return as_dicts(run_family(her2.extract, text, exclusion=section == "exc")[1])


def h2(status: str, **kw: Any) -> dict[str, Any]:
    return {"kind": "her2", "status": status, **kw}


def hr(receptors: list[str], status: str, **kw: Any) -> dict[str, Any]:
    return {"kind": "hormone_receptor", "receptors": receptors, "status": status, **kw}


def bm(marker: str, requirement: str, **kw: Any) -> dict[str, Any]:
    return {"kind": "biomarker", "marker": marker, "requirement": requirement, **kw}


HER2_CASES = [
    pytest.param(
        "inc",
        "HER2 expression level of 3+ points according to immunohistochemical analysis (IHC) and/or degree of "
        "amplification ≥2.0 according to the results of in situ hybridization (ISH);",
        [h2("positive", ihc_scores=["3+"], ish_ratio_min=2.0, logic="or")],
        id="seed-001-her2",
    ),
    pytest.param(
        "inc",
        "Patients with HER2+ inoperable locally advanced or metastatic breast cancer who previously received "
        "taxanes and trastuzumab;",
        [h2("positive")],
        id="seed-001-her2plus",
    ),
    pytest.param(
        "inc",
        "Known hormone receptors and HER-2 status (ER, PR and HER2);",
        [hr(["HR"], "known"), h2("any")],
        id="seed-003",
    ),
    pytest.param(
        "inc",
        "HER2 overexpression/amplification as shown by NGS sequencing, IHC/FISH or Tumor with 3+ by IHC or 2+ by "
        "IHC and HER2/cep17 ratio \\>2 by FISH.",
        [h2("positive", ihc_scores=["2+", "3+"], ish_ratio_min=2.0, logic="or")],
        id="NCT03803553",
    ),
    pytest.param(
        "inc",
        "The invasive cancer must be HER2-negative (IHC 0-1+, or with a FISH ratio of \\<1.8 if IHC is 2+ or if "
        "IHC has not been done).",
        [h2("negative", ihc_scores=["0", "1+", "2+"], ish_status="negative", logic="or")],
        id="NCT04568616",
    ),
    pytest.param(
        "inc",
        "HER2 amplification by next generation sequencing panel (NGS) or in situ hybridization (ISH) OR",
        [h2("positive", ish_status="positive")],
        id="NCT04585958",
    ),
    pytest.param(
        "inc",
        "HER2-positive (by the most recent ASCO-CAP criteria)",
        [h2("positive", guideline="ASCO/CAP")],
        id="NCT04886531",
    ),
    pytest.param(
        "inc",
        "All patients must have tumors that are HER2 positive as defined by American Society of Clinical Oncology "
        "(ASCO)/College of American Pathologists (CAP) 2018 Breast Cancer guidelines.",
        [h2("positive", guideline="ASCO/CAP 2018")],
        id="NCT05256225",
    ),
    pytest.param(
        "inc",
        "HER2 negative must be assessed by FISH or IHC staining 0 or 1+ according to ASCO/CAP guidelines.",
        [h2("negative", ihc_scores=["0", "1+"], guideline="ASCO/CAP")],
        id="NCT05837455",
    ),
    pytest.param(
        "inc",
        "Has confirmed HER2 IHC 1+ or IHC 2+/ISH- (HER2-low) status or HER2 IHC 0 status as determined according "
        "to ASCO CAP 2018 guidelines1 based on sample collected during Tissue Screening as described above.",
        [h2("low", ihc_scores=["0", "1+", "2+"], ish_status="negative", logic="or", guideline="ASCO/CAP 2018")],
        id="NCT05950945",
    ),
    pytest.param(
        "inc",
        "Estrogen receptor positive or negative, progesterone receptor positive or negative DCIS; HER2 positive, "
        "negative or unknown DCIS is allowed.",
        [hr(["ER", "PR"], "any"), h2("any")],
        id="NCT03909282",
    ),
    pytest.param(
        "inc",
        "Histologically confirmed HR+/ HER2- breast cancer determined from the most recent tumour sample (primary "
        "or metastatic) per the American Society of Clinical Oncology and College of American Pathologists "
        "guideline.",
        [hr(["HR"], "positive"), h2("negative", guideline="ASCO/CAP")],
        id="NCT04862663",
    ),
    # exclusion items: the effective rule is the other status, details of the excluded category are dropped
    pytest.param(
        "exc",
        "HER2+ or equivocal tumor status either on the primary or on the recurrent tumor defined as IHC 3+, "
        "FISH/chromogenic in situ hybridization (CISH) amplified or FISH/CISH equivocal according to the American "
        "Society of Clinical Oncologists (ASCO) 2015 criteria",
        [h2("negative", guideline="ASCO 2015")],
        id="NCT05826964",
    ),
]

HER2_CASES += [
    pytest.param(
        "inc",
        "4\\. Histologically confirmed metastatic or advanced and unresectable breast cancer that is HER2 LOW/ULTRA "
        "LOW by local testing on either the primary or any metastatic site. HER2 LOW is defined as: (IHC 2+/ISH- or "
        "IHC 1+ (ISH- or untested)) and HER2 ULTRA LOW is defined as: IHC0+ (faint membrane staining up to 10%)",
        [
            h2("low", ihc_scores=["1+", "2+"], ish_status="negative", logic="or"),
            h2("ultralow", ihc_scores=["0"]),
        ],
        id="NCT06263543",
    ),
    pytest.param(
        "exc", "Has triple negative (ER-/PR-/Her2-) or HER2+ breast cancer.", [h2("negative")], id="NCT05736367"
    ),
]

HR_CASES = [
    pytest.param("inc", "ER and/or PR positive", [hr(["ER", "PR"], "positive")], id="NCT04985032"),
    pytest.param(
        "inc",
        "The invasive cancer must be estrogen receptor alpha (ER)-positive, with ER staining present in greater "
        "than 50% of invasive cancer cells by IHC.",
        [hr(["ER"], "positive", min_percent=50.0)],
        id="NCT04568616-er",
    ),
    pytest.param("inc", "Biopsy-proven AR+ and ER+ breast cancer", [hr(["AR", "ER"], "positive")], id="NCT05573126"),
    pytest.param(
        "inc",
        "Participants must have ER-positive disease, defined as ≥ 1 percent of tumor cell nuclei being "
        "immunoreactive by immunohistochemistry (IHC).",
        [hr(["ER"], "positive", min_percent=1.0)],
        id="NCT03675893",
    ),
    pytest.param(
        "inc",
        "Patients must have histologically confirmed triple-negative breast cancer (TNBC)",
        [hr(["ER", "PR"], "negative"), h2("negative")],
        id="NCT05673200",
    ),
    pytest.param(
        "inc",
        "Estrogen Receptor (ER) or Progesterone Receptor (PR) are considered positive when expressed ≥1% on "
        "immunohistochemistry (IHC).",
        [hr(["ER", "PR"], "positive", min_percent=1.0)],
        id="NCT06691035",
    ),
    pytest.param("exc", "Progesterone receptor negativity", [hr(["PR"], "positive")], id="NCT05150652"),
    pytest.param(
        "exc",
        "Has any cancer that is known to be estrogen receptor-positive (ERalpha+).",
        [hr(["ER"], "negative")],
        id="NCT04130516",
    ),
]

BIOMARKER_CASES = [
    pytest.param(
        "exc",
        "Has NSCLC with an oncogenic driver mutation (mutation\\[s\\] in EGFR, ERBB2, or BRAF V600E; "
        "fusion/rearrangement\\[s\\] in ALK, ROS1, NTRK, or RET; or MET amplification). KRAS or PIK3CA mutation "
        "are allowed.",
        [
            bm("EGFR", "excluded", alteration="mutation"),
            bm("ERBB2", "excluded", alteration="mutation"),
            bm("BRAF", "excluded", alteration="V600E"),
            bm("ALK", "excluded", alteration="rearrangement"),
            bm("ROS1", "excluded", alteration="rearrangement"),
            bm("NTRK", "excluded", alteration="rearrangement"),
            bm("RET", "excluded", alteration="rearrangement"),
            bm("MET", "excluded", alteration="amplification"),
            bm("KRAS", "allowed", alteration="mutation"),
            bm("PIK3CA", "allowed", alteration="mutation"),
        ],
        id="NCT05064280",
    ),
    pytest.param(
        "inc",
        "Patients must have a PD-L1 test result from a certified laboratory indicating PD-L1 expression Tumour "
        "Proportion Score (TPS) ≥ 50%.",
        [bm("PD-L1", "required", alteration="expression", threshold="Tumour Proportion Score (TPS) ≥ 50%")],
        id="NCT04093167",
    ),
    pytest.param(
        "inc",
        "(ARM VII): BRAF wild-type tumour status",
        [bm("BRAF", "excluded", alteration="mutation")],
        id="NCT04421820-inc",
    ),
    pytest.param(
        "exc",
        "(ARM VII): Subjects with microsatellite-high (MSI-H) Tumours",
        [bm("MSI", "excluded", alteration="high")],
        id="NCT04421820-exc",
    ),
    pytest.param(
        "inc",
        "Demonstrates absence of EGFR T790M mutation if treated with erlotinib, gefitinib, or afatinib. No EGFR "
        "mutation testing is required if treated with osimertinib.",
        [bm("EGFR", "excluded", alteration="T790M")],
        id="NCT03260491",
    ),
    pytest.param(
        "inc",
        "Diagnosis of histologically or cytologically confirmed metastatic nonsquamous non-small cell lung cancer "
        "(NSCLC) with no known epidermal growth factor receptor (EGFR), anaplastic lymphoma kinase (ALK) mutation, "
        "or other genomic aberration for which a locally approved targeted therapy is available.",
        [bm("EGFR", "excluded", alteration="mutation"), bm("ALK", "excluded", alteration="mutation")],
        id="NCT06236438",
    ),
    pytest.param(
        "inc",
        "Patients with CRC with mismatch repair deficient (dMMR) or microsatellite instability-high (MSI-H) status",
        [bm("MMR", "required", alteration="deficient"), bm("MSI", "required", alteration="high")],
        id="NCT04314401",
    ),
    pytest.param(
        "exc",
        "Patient must not have microsatellite instability-high (MSI-H) colorectal cancer.",
        [bm("MSI", "excluded", alteration="high")],
        id="NCT05863195",
    ),
    pytest.param(
        "inc",
        "Non-microsatellite instability high (non-MSI high).",
        [bm("MSI", "excluded", alteration="high")],
        id="NCT04291105",
    ),
    pytest.param(
        "inc",
        "Advanced melanoma or PD-L1-positive advanced, relapsed, or refractory solid tumor or lymphoma",
        [bm("PD-L1", "required", alteration="positive")],
        id="NCT02332668",
    ),
    pytest.param(
        "inc",
        "Patients must have non-neurofibromatosis type 1 (non-NF1) low-grade glioma (LGG) without a BRAFV600E "
        "mutation as confirmed by Rapid Central Pathology and Molecular Screening Reviews",
        [bm("BRAF", "excluded", alteration="V600E")],
        id="NCT04166409",
    ),
    pytest.param(
        "inc",
        "An aberrant PI3K pathway such as PIK3CA mutations or PTEN loss, is detected in a CLIA (Clinical "
        "Laboratory Improvement Amendments)-certified laboratory",
        [bm("PIK3CA", "required", alteration="mutation"), bm("PTEN", "required", alteration="loss")],
        id="NCT03203525",
    ),
]


@pytest.mark.parametrize(("section", "text", "expected"), HER2_CASES + HR_CASES + BIOMARKER_CASES)
def test_real_phrasings(section: str, text: str, expected: list[dict[str, Any]]) -> None:
    assert _run(section, text) == expected


NEGATIVES = [
    # therapy names are not a HER2 status / biomarker requirement
    pytest.param("exc", "Previous treatment with anti-HER2 therapy", id="NCT05253651"),
    pytest.param(
        "exc",
        "Previously treated with any form HER2- or HER3-primed DC1 therapy.",
        id="NCT05504707",
    ),
    pytest.param(
        "inc",
        "NOTE: Prior treatment with an EGFR TKI is not allowed, however if a candidate for this study has already "
        "started osimertinib within 21 days prior to randomization",
        id="NCT04181060",
    ),
    pytest.param(
        "exc",
        "In the LNS8801/pembrolizumab combination cohorts, has received prior therapy with an anti-PD-1, "
        "anti-PD-L1, or anti PD L2 agent",
        id="NCT04130516-pdl1",
    ),
    pytest.param(
        "exc",
        "Prior progression of disease on abemaciclib, fulvestrant, or other selective estrogen receptor degrader "
        "(SERD) therapy.",
        id="NCT05696626",
    ),
    # eGFR is a lab, PR is a response, a HER2 test is not a status
    pytest.param(
        "exc", "Severely impaired renal function with an EGFR \\< 30 mL/min/body surface area", id="NCT05899361"
    ),
    pytest.param(
        "inc",
        "For the following tumor types, subject must have received at least 1 prior line containing PD-1/PD-L1 "
        "targeted therapy with response by RECIST v1.1 of CR/PR (any duration) or stable disease",
        id="NCT04777994",
    ),
    pytest.param(
        "inc",
        "All participants must have adequate tumor sample for submission to allow central HER2 testing.",
        id="NCT06695845",
    ),
    # a biomarker naming a cohort, not a requirement of this item
    pytest.param(
        "inc",
        "In order to be eligible for the ctDNA positive cohort, women of childbearing potential must have a "
        "negative serum or urine pregnancy test (minimum sensitivity 25 IU/L or equivalent units of HCG).",
        id="NCT03803553-ctdna",
    ),
]


@pytest.mark.parametrize(("section", "text"), NEGATIVES)
def test_false_friends(section: str, text: str) -> None:
    assert _run(section, text) == []


def test_exclusion_triple_negative_is_not_flipped() -> None:
    # NCT06055881: "not triple-negative" has no single receptor status; nothing is typed rather than a wrong flip
    assert _run("exc", "Patients with triple negative disease (negative for ER, PR, and HER2).") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # short forms listed in DOMAIN.md and the issue
        pytest.param("HER2+ (IHC 3+ or FISH+)", [h2("positive", ihc_scores=["3+"], ish_status="positive", logic="or")]),
        pytest.param(
            "HER2-negative (IHC 0, 1+, or 2+/ISH-)",
            [h2("negative", ihc_scores=["0", "1+", "2+"], ish_status="negative", logic="or")],
        ),
        pytest.param(
            "HER2/CEP17 ratio ≥ 2.0 or average HER2 copy number ≥ 6.0 signals/cell",
            [h2("positive", ish_ratio_min=2.0, ish_copy_number_min=6.0)],
        ),
        pytest.param("ERBB2 overexpression", [h2("positive")]),
        pytest.param("HER-2/neu positive", [h2("positive")]),
        pytest.param("c-erbB-2 negative", [h2("negative")]),
        pytest.param("HER2-ultralow", [h2("ultralow")]),
        pytest.param("Known ER, PR and HER2 status", [hr(["ER", "PR"], "known"), h2("any")]),
        pytest.param("KRAS G12C mutation", [bm("KRAS", "required", alteration="G12C")]),
        pytest.param("EGFR wild-type", [bm("EGFR", "excluded", alteration="mutation")]),
    ],
)
def test_issue_forms(text: str, expected: list[dict[str, Any]]) -> None:
    assert _run("inc", text) == expected


def test_never_raises_on_odd_text() -> None:
    for text in ["HER2", "ER", "3+ 2+ 1+ 0", "HER2 \\>= ratio", "EGFR EGFR EGFR", "x" * 5000, "ER-PR-HER2-"]:
        _run("inc", text)
        _run("exc", text)


@settings(max_examples=150, deadline=None)
@given(ARBITRARY_TEXT, st.booleans())
def test_arbitrary_text_never_raises_and_stays_grounded(text: str, exclusion: bool) -> None:
    assert_grounded_on(her2.extract, text, exclusion)


def test_nested_items_under_a_her2_lead_in() -> None:
    # NCT05274048: the children of "... must have HER2-overexpressing:" state IHC/ISH without naming HER2
    text = (
        "Inclusion Criteria:\n\n"
        "3. 4.1.3 Patients' tumors must have HER2-overexpressing:\n\n"
        "   1. (IHC 3+ or IHC2+/ISH+) advanced gastroesophageal cancer (including gastroesophageal junction "
        "adenocarcinoma).\n"
        "   2. IHC 3+ for other GI cancers\n"
    )
    seg = segment(text)
    got = []
    for item in seg.items:
        for c in her2.extract(ItemContext(item=item, source=seg.text)):
            assert c.evidence.is_grounded_in(seg.text)
            got.append({k: v for k, v in c.model_dump(exclude=set(BASE_FIELDS)).items() if v not in (None, [])})
    assert got == [
        h2("positive"),
        h2("positive", ihc_scores=["2+", "3+"], ish_status="positive", logic="or"),
        h2("positive", ihc_scores=["3+"]),
    ]
