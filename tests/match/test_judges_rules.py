"""General rules of the judges settled in review: marker families, presence words, skin-cancer exceptions, HER2
without ISH, infection conditions on labs, ``known`` / ``any`` receptor status, agent phrases, TNM stages.
Criteria are our own paraphrases."""

from __future__ import annotations

from typing import Any

import pytest

from extractor import match
from tests.match._helpers import crit, patient


def status(c: Any, p: Any) -> str:
    return match(p, [c], trial_id="t").criteria[0].status


def reason(c: Any, p: Any) -> str:
    return match(p, [c], trial_id="t").criteria[0].reason


# --- 1. biomarker families -------------------------------------------------------------------------------------

CARRIER = crit("biomarker", "carries a BRCA alteration", marker="BRCA", alteration="mutation", requirement="required")


@pytest.mark.parametrize(
    ("markers", "expected"),
    [
        ([{"marker": "BRCA2", "alteration": "c.5946delT", "present": True}], "met"),
        ([{"marker": "brca1", "alteration": "pathogenic variant", "present": True}], "met"),
        ([{"marker": "BRCA1", "present": False}, {"marker": "BRCA2", "present": False}], "not_met"),
        ([{"marker": "BRCA1", "present": False}], "unknown"),  # BRCA2 never tested
        ([{"marker": "PALB2", "present": True}], "unknown"),  # another gene: no BRCA result
    ],
)
def test_gene_family_is_met_by_its_numbered_members(markers: list[dict[str, Any]], expected: str) -> None:
    assert status(CARRIER, patient(biomarkers=markers)) == expected


def test_family_rule_without_vocabulary_entry_and_members_do_not_meet_each_other() -> None:
    xyz = crit("biomarker", "XYZ gene altered", marker="XYZ", alteration="altered", requirement="required")
    assert status(xyz, patient(biomarkers=[{"marker": "XYZ3", "alteration": "altered", "present": True}])) == "met"
    brca1 = crit("biomarker", "BRCA1 carrier", marker="BRCA1", alteration="mutation", requirement="required")
    assert status(brca1, patient(biomarkers=[{"marker": "BRCA2", "present": True}])) == "unknown"


# --- 2. presence words -----------------------------------------------------------------------------------------

NO_CTDNA = crit(
    "biomarker", "no circulating tumour DNA found", marker="ctDNA", alteration="detectable", requirement="excluded"
)


@pytest.mark.parametrize(
    ("alteration", "present", "expected"),
    [("positive", True, "not_met"), ("detected", True, "not_met"), ("positive", False, "met"), (None, True, "not_met")],
)
def test_presence_words_match_each_other(alteration: str | None, present: bool, expected: str) -> None:
    p = patient(biomarkers=[{"marker": "circulating tumor DNA", "alteration": alteration, "present": present}])
    assert status(NO_CTDNA, p) == expected


def test_amplification_only_matches_an_amplification_and_alternatives_are_any_of() -> None:
    amp = crit("biomarker", "MET amplified tumour", marker="MET", alteration="amplification", requirement="required")
    assert status(amp, patient(biomarkers=[{"marker": "MET", "alteration": "amplified", "present": True}])) == "met"
    assert status(amp, patient(biomarkers=[{"marker": "MET", "alteration": "exon 14 skipping", "present": True}])) == (
        "not_met"
    )
    either = crit(
        "biomarker",
        "no activating ERBB2 change",
        marker="ERBB2",
        alteration="activating mutation or amplification",
        requirement="excluded",
    )
    found = [{"marker": "ERBB2", "alteration": "V777L activating mutation", "present": True}]
    assert status(either, patient(biomarkers=found)) == "not_met"
    specific = crit("biomarker", "KRAS p.G12C", marker="KRAS", alteration="G12C", requirement="required")
    assert (
        status(specific, patient(biomarkers=[{"marker": "KRAS", "alteration": "G12D", "present": True}])) == "not_met"
    )


# --- 3. prior-malignancy exceptions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cancer", "expected"),
    [
        ("basal cell carcinoma of the skin", "met"),
        ("Squamous cell carcinoma of the skin", "met"),
        ("cutaneous basal cell carcinoma", "met"),
        ("melanoma", "not_met"),
    ],
)
def test_skin_cancer_exception_covers_its_kinds(cancer: str, expected: str) -> None:
    c = crit(
        "prior_malignancy",
        "no other cancer in 3 years apart from skin cancers other than melanoma",
        polarity="exclusion",
        within_years=3,
        exceptions=["non-melanoma skin cancer"],
    )
    p = patient(prior_malignancies=[{"cancer": cancer, "diagnosed_on": "2025-09-01"}])
    assert status(c, p) == expected


# --- 4. HER2 positive without ISH ------------------------------------------------------------------------------

OWN = crit(
    "her2", "HER2 3+ or 2+ with amplification", status="positive", ihc_scores=["3+", "2+"], ish_status="positive"
)
PLAIN = crit("her2", "HER2-positive disease", status="positive")


@pytest.mark.parametrize(
    ("test", "own", "plain"),
    [
        ({"ihc_score": "0"}, "not_met", "not_met"),
        ({"ihc_score": "1+"}, "not_met", "not_met"),
        ({"ihc_score": "2+"}, "met", "unknown"),  # the criterion's own list names 2+ (its logic is "or")
        ({"ihc_score": "1+", "ish_status": "positive"}, "met", "met"),
        ({"ihc_score": "0", "ish_ratio": 2.3}, "met", "met"),
        ({"ihc_score": "3+"}, "met", "met"),
    ],
)
def test_her2_positive_with_ihc_and_no_ish(test: dict[str, Any], own: str, plain: str) -> None:
    p = patient(her2=[test])
    assert status(OWN, p) == own
    assert status(PLAIN, p) == plain
    ish_only = crit("her2", "HER2 amplified by ISH", status="positive", ish_status="positive")
    no_ish_needed = test in ({"ihc_score": "2+"}, {"ihc_score": "3+"})  # ISH not done where it could tell
    assert status(ish_only, p) == ("unknown" if no_ish_needed else own)
    if test == {"ihc_score": "1+"}:
        assert "not indicated" in reason(OWN, p)


# --- 5. lab conditions naming an infection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("infections", "cd4", "expected"),
    [
        ([], None, "met"),
        (["influenza"], None, "met"),
        (None, None, "unknown"),
        (["HIV-1"], 500, "met"),
        (["HIV"], 200, "not_met"),
        (["HIV"], None, "unknown"),
    ],
)
def test_lab_limit_for_an_infection_uses_active_infections(
    infections: list[str] | None, cd4: float | None, expected: str
) -> None:
    c = crit(
        "lab",
        "people living with HIV need CD4 above 350/mm3",
        analyte="cd4",
        op=">",
        value=350,
        unit="/mm3",
        condition="hiv",
    )
    labs = [] if cd4 is None else [{"analyte": "cd4", "value": cd4, "unit": "/mm3"}]
    assert status(c, patient(active_infections=infections, labs=labs)) == expected


# --- 6. known / any receptor status ----------------------------------------------------------------------------


def test_known_and_any_receptor_status_are_met_once_tested_and_unknown_without_a_test() -> None:
    known = crit("hormone_receptor", "ER and PR results available", receptors=["ER", "PR"], status="known")
    assert status(known, patient()) == "unknown"
    assert status(known, patient(receptors=[{"receptor": "ER", "status": "negative"}])) == "unknown"
    both = [{"receptor": "ER", "status": "negative"}, {"receptor": "PR", "percent": 20}]
    assert status(known, patient(receptors=both)) == "met"
    for c in (
        crit("hormone_receptor", "whatever the ER/PR result", receptors=["ER", "PR"], status="any"),
        crit("her2", "whatever the HER2 result", status="any"),
    ):
        assert status(c, patient()) == "unknown"  # "any" also writes "known status": a person checks the record
        assert status(c, patient(her2=[{"ihc_score": "1+"}], receptors=both)) == "met"
    listed = crit("her2", "HER2 1+ or 2+ accepted", status="any", ihc_scores=["1+", "2+"])
    assert status(listed, patient()) == "unknown"  # it lists scores: it does impose something
    assert status(listed, patient(her2=[{"ihc_score": "3+"}])) == "not_met"


# --- 7. agent phrases ------------------------------------------------------------------------------------------

NEUROTOXIC = crit(
    "prior_therapy",
    "no earlier nerve-damaging chemo, taxanes, vinca alkaloids or platinum",
    polarity="exclusion",
    agents=["neurotoxic chemotherapy", "taxane", "vinca alkaloid", "platinum"],
    requirement="excluded",
)


@pytest.mark.parametrize(
    ("agents", "expected"),
    [
        (["doxorubicin", "cyclophosphamide"], "met"),
        (["paclitaxel"], "not_met"),
        (["vincristine"], "not_met"),
        (["carboplatin"], "not_met"),
        (["neurotoxic chemotherapy"], "not_met"),
    ],
)
def test_agent_phrase_matches_by_name_only_and_classes_still_match(agents: list[str], expected: str) -> None:
    p = patient(therapies=[{"agent": a, "start": "2025-01-01", "end": "2025-04-01"} for a in agents])
    assert status(NEUROTOXIC, p) == expected


def test_class_known_to_the_vocabulary_keeps_matching() -> None:
    c = crit(
        "prior_therapy",
        "no prior HER2 TKI",
        polarity="exclusion",
        agents=["her2-targeted tyrosine kinase inhibitor"],
        requirement="excluded",
    )
    assert status(c, patient(therapies=[{"agent": "tucatinib", "end": "2025-02-01"}])) == "not_met"
    assert status(c, patient(therapies=[{"agent": "trastuzumab", "end": "2025-02-01"}])) == "met"
    chemo = crit("prior_therapy", "had chemotherapy before", agents=["chemotherapy"], requirement="required")
    assert status(chemo, patient(therapies=[{"agent": "doxorubicin", "end": "2025-02-01"}])) == "met"


# --- 8. stage: metastatic false and TNM ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stages", "stage", "expected"),
    [
        (["M0"], "T2N1M0", "met"),
        (["M0"], "cT2 N1 M1", "not_met"),
        (["T2", "N0", "N1", "N2"], "cT2 N1 M0", "met"),
        (["T2", "N0", "N1", "N2"], "T2N3M0", "not_met"),  # T fits, N does not: both must
        (["T1c", "N1", "N2"], "T2N1M0", "not_met"),
        (["T2", "N0"], "pT2aN0M0", "met"),
        (["T4a", "N0"], "T4N0M0", "unknown"),  # which T4 is not said
        (["T2", "N0"], "IIA", "unknown"),
    ],
)
def test_tnm_tokens(stages: list[str], stage: str, expected: str) -> None:
    assert status(crit("stage", "stage as TNM", stages=stages), patient(stage=stage)) == expected


def test_not_metastatic_is_an_alternative_met_by_a_non_metastatic_patient() -> None:
    c = crit("stage", "early, non-metastatic (M0) disease", stages=["M0"], metastatic=False)
    assert status(c, patient(stage="IIB", metastatic=False)) == "met"
    assert status(c, patient(metastatic=True)) == "not_met"
    assert status(c, patient()) == "unknown"
    assert status(crit("stage", "no distant spread", metastatic=False), patient(stage="T3N0M0")) == "met"


def test_a_phrase_made_of_classes_needs_every_class() -> None:
    adc = crit(
        "prior_therapy",
        "No prior HER2-targeted antibody drug conjugate",
        agents=["her2-targeted antibody drug conjugate"],
        requirement="excluded",
    )
    short = crit("prior_therapy", "No prior anti-HER2 ADC", agents=["anti-her2 adc"], requirement="excluded")
    for c in (adc, short):
        assert status(c, patient(therapies=[{"agent": "T-DXd"}])) == "not_met"  # anti-HER2 and an ADC
        assert status(c, patient(therapies=[{"agent": "trastuzumab"}])) == "met"  # anti-HER2, no ADC
        assert status(c, patient(therapies=[{"agent": "sacituzumab govitecan"}])) == "met"  # an ADC, not anti-HER2


def test_a_metastatic_patient_without_a_stage_string_is_stage_iv() -> None:
    early = crit("stage", "Stage I-II breast cancer", stages=["I", "II"])
    assert status(early, patient(metastatic=True)) == "not_met"
    assert status(crit("stage", "Stage IV disease", stages=["IV"]), patient(metastatic=True)) == "met"
    assert status(early, patient(metastatic=False)) == "unknown"  # not metastatic: stage 0-III, which one is unknown
