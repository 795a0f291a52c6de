"""Edge cases of the judges, one criterion at a time, with criteria written from our own paraphrases."""

from __future__ import annotations

from typing import Any

import pytest

from extractor import match
from extractor.match import MatchSettings
from tests.match._helpers import ON, crit, patient


def status(c: Any, p: Any, **kw: Any) -> str:
    result = match(p, [c], trial_id="t", **kw)
    return result.criteria[0].status


def reason(c: Any, p: Any) -> str:
    return match(p, [c], trial_id="t").criteria[0].reason


# --- labs: units, bounds, ULN ------------------------------------------------------------------------------------

ANC_GE_15 = crit("lab", "neutrophils of at least 1.5 x 10^9/L", analyte="anc", op=">=", value=1.5, unit="x10^9/L")


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1500, "/mm3", "met"),  # 1,500/mm3 == 1.5 x 10^9/L
        (1499, "/mm3", "not_met"),
        (1.5, "x10^9/L", "met"),
        (1.2, "10^9/L", "not_met"),
        (1.6, "G/L", "met"),
        (1600, "cells/uL", "met"),
        (1.6, "furlongs", "unknown"),  # cannot be converted
    ],
)
def test_anc_compared_after_unit_conversion(value: float, unit: str, expected: str) -> None:
    p = patient(labs=[{"analyte": "ANC", "value": value, "unit": unit, "measured_on": "2026-05-25"}])
    assert status(ANC_GE_15, p) == expected


def test_lab_reason_names_patient_value_and_rule() -> None:
    p = patient(labs=[{"analyte": "absolute neutrophil count", "value": 1.2, "unit": "x10^9/L"}])
    why = reason(ANC_GE_15, p)
    assert "1.2" in why and "below" in why and ">= 1.5" in why


@pytest.mark.parametrize(
    ("lab", "limit", "limit_unit", "expected"),
    [
        (("bilirubin", 25, "umol/L"), 1.5, "mg/dL", "met"),  # 25 umol/L = 1.46 mg/dL
        (("bilirubin", 30, "umol/L"), 1.5, "mg/dL", "not_met"),  # 30 umol/L = 1.75 mg/dL
        (("total bilirubin", 1.4, "mg/dL"), 26, "umol/L", "met"),  # 1.4 mg/dL = 23.9 umol/L
        (("creatinine", 1.6, "mg/dL"), 133, "umol/L", "not_met"),  # 1.6 mg/dL = 141 umol/L
        (("serum creatinine", 100, "umol/L"), 1.5, "mg/dL", "met"),  # 100 umol/L = 1.13 mg/dL
    ],
)
def test_mass_and_molar_units_convert(
    lab: tuple[str, float, str], limit: float, limit_unit: str, expected: str
) -> None:
    analyte, value, unit = lab
    canonical = "total_bilirubin" if "bilirubin" in analyte else "creatinine"
    c = crit("lab", "bilirubin/creatinine limit", analyte=canonical, op="<=", value=limit, unit=limit_unit)
    p = patient(labs=[{"analyte": analyte, "value": value, "unit": unit}])
    assert status(c, p) == expected


@pytest.mark.parametrize(("op", "expected"), [(">=", "met"), (">", "not_met")])
def test_strict_and_inclusive_bounds(op: str, expected: str) -> None:
    c = crit("lab", "platelets 100", analyte="platelets", op=op, value=100, unit="x10^9/L")
    p = patient(labs=[{"analyte": "platelets", "value": 100000, "unit": "/mm3"}])
    assert status(c, p) == expected


def test_uln_multiple_with_and_without_the_patients_uln() -> None:
    c = crit("lab", "AST up to 2.5 times ULN", analyte="ast", op="<=", uln_multiple=2.5)
    ok = patient(labs=[{"analyte": "AST", "value": 95, "unit": "U/L", "uln": 40}])
    high = patient(labs=[{"analyte": "AST", "value": 101, "unit": "U/L", "uln": 40}])
    no_uln = patient(labs=[{"analyte": "AST", "value": 30, "unit": "U/L"}])
    assert [status(c, x) for x in (ok, high, no_uln)] == ["met", "not_met", "unknown"]


def test_conditional_lab_applies_only_with_the_condition() -> None:
    c = crit(
        "lab",
        "up to 5x ULN if the liver is involved",
        analyte="alt",
        op="<=",
        uln_multiple=5,
        condition="liver metastases",
    )
    lab = [{"analyte": "ALT", "value": 150, "unit": "U/L", "uln": 40}]  # 3.75 x ULN
    assert status(c, patient(labs=lab, metastatic_sites=["bone"])) == "met"  # does not apply
    assert status(c, patient(labs=lab, metastatic_sites=["liver"])) == "met"
    assert status(c, patient(labs=[{**lab[0], "value": 210}], metastatic_sites=["hepatic"])) == "not_met"
    assert status(c, patient(labs=lab)) == "unknown"  # sites not recorded


def test_old_lab_is_unknown_and_the_window_is_a_setting() -> None:
    p = patient(labs=[{"analyte": "ANC", "value": 3.0, "unit": "x10^9/L", "measured_on": "2026-04-01"}])
    assert status(ANC_GE_15, p) == "unknown"
    assert status(ANC_GE_15, p, settings=MatchSettings(lab_max_age_days=90)) == "met"


# --- prior therapy: classes, washouts, lines ---------------------------------------------------------------------


def test_tdxd_is_an_anti_her2_adc_and_a_topoisomerase_inhibitor() -> None:
    p = patient(therapies=[{"agent": "T-DXd", "setting": "metastatic", "start": "2025-01-01", "end": "2025-09-01"}])
    for agents in (["antibody-drug conjugate"], ["anti-her2 therapy"], ["topoisomerase i inhibitor"]):
        assert status(crit("prior_therapy", "prior class", agents=agents, requirement="required"), p) == "met"
        assert status(crit("prior_therapy", "no prior class", agents=agents, requirement="excluded"), p) == "not_met"
    assert status(crit("prior_therapy", "taxane", agents=["taxane"], requirement="required"), p) == "not_met"


def test_trastuzumab_brand_counts_as_anti_her2() -> None:
    p = patient(therapies=[{"agent": "Herceptin"}])
    c = crit("prior_therapy", "prior anti-HER2", agents=["anti-her2 therapy"], requirement="required")
    assert status(c, p) == "met"
    assert status(c, patient()) == "unknown"  # history not recorded
    assert status(c, patient(therapies=[])) == "not_met"  # treatment-naive


@pytest.mark.parametrize(
    ("end", "expected"),
    [("2026-05-20", "not_met"), ("2026-05-10", "met"), (None, "not_met")],  # None with a start: ongoing
)
def test_washout_by_end_date(end: str | None, expected: str) -> None:
    c = crit(
        "prior_therapy",
        "no chemo in the 3 weeks before",
        agents=["chemotherapy"],
        requirement="excluded",
        within_weeks=3,
    )
    p = patient(therapies=[{"agent": "paclitaxel", "start": "2026-01-05", "end": end}])
    assert status(c, p) == expected


def test_washout_without_dates_is_unknown() -> None:
    c = crit("prior_therapy", "washout", agents=["chemotherapy"], requirement="excluded", within_weeks=3)
    assert status(c, patient(therapies=[{"agent": "paclitaxel"}])) == "unknown"


@pytest.mark.parametrize("agent", ["oral contraceptive pill", "warfarin", "transfusion"])
def test_concomitant_medication_is_no_anticancer_therapy(agent: str) -> None:
    # a medication recorded for a washout ("no hormonal contraception within 4 weeks", "no warfarin") is not a
    # cancer therapy: it neither meets nor breaks "prior anticancer / systemic therapy"
    p = patient(therapies=[{"agent": agent, "start": "2020-01-01", "end": "2026-05-01"}])
    for cls in ("anticancer therapy", "systemic therapy"):
        excluded = crit("prior_therapy", "no prior cancer therapy", agents=[cls], requirement="excluded")
        required = crit("prior_therapy", "prior cancer therapy", agents=[cls], requirement="required")
        assert status(excluded, p) == "met"
        assert status(required, p) == "not_met"
    chemo = patient(therapies=[{"agent": "doxorubicin"}])
    assert status(crit("prior_therapy", "x", agents=["anticancer therapy"], requirement="excluded"), chemo) == "not_met"


def test_line_counts_in_the_metastatic_setting() -> None:
    c = crit("prior_therapy", "at most 2 lines", agents=[], requirement="allowed", max_lines=2)
    two = [{"agent": "capecitabine", "setting": "metastatic", "line": n} for n in (1, 2)]
    three = [*two, {"agent": "eribulin", "setting": "metastatic", "line": 3}]
    adjuvant = [*two, {"agent": "docetaxel", "setting": "adjuvant"}]
    assert [status(c, patient(therapies=t)) for t in (two, three, adjuvant)] == ["met", "not_met", "met"]


# --- brain metastases: stable for N weeks by date ----------------------------------------------------------------

BRAIN = crit(
    "brain_metastases",
    "treated, stable for 4 weeks",
    allowed="conditional",
    conditions=["treated", "stable"],
    stable_weeks_min=4,
)


@pytest.mark.parametrize(("since", "expected"), [("2026-05-01", "met"), ("2026-05-20", "not_met"), (None, "unknown")])
def test_stable_for_n_weeks_by_date(since: str | None, expected: str) -> None:
    p = patient(brain_metastases={"present": True, "treated": True, "stable_since": since})
    assert status(BRAIN, p) == expected


def test_brain_metastases_absent_meets_the_conditional_and_excluded_rules() -> None:
    p = patient(brain_metastases={"present": False})
    excluded = crit("brain_metastases", "no brain mets", allowed="excluded", leptomeningeal="excluded")
    assert status(BRAIN, p) == status(excluded, p) == "met"
    lepto = patient(brain_metastases={"present": False, "leptomeningeal": True})
    assert status(excluded, lepto) == "not_met"


# --- HER2 and hormone receptors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test", "positive", "low"),
    [
        ({"ihc_score": "3+"}, "met", "not_met"),
        ({"ihc_score": "2+", "ish_ratio": 2.4}, "met", "not_met"),
        ({"ihc_score": "2+", "ish_status": "negative"}, "not_met", "met"),
        ({"ihc_score": "1+"}, "not_met", "met"),
        ({"ihc_score": "2+"}, "unknown", "unknown"),  # equivocal without ISH
        ({"ihc_score": "0"}, "not_met", "not_met"),
    ],
)
def test_her2_low_vs_positive(test: dict[str, Any], positive: str, low: str) -> None:
    p = patient(her2=[test])
    assert status(crit("her2", "HER2-positive", status="positive"), p) == positive
    assert status(crit("her2", "HER2-low", status="low"), p) == low


def test_her2_latest_test_counts_and_ultralow_needs_the_call() -> None:
    p = patient(her2=[{"ihc_score": "3+", "tested_on": "2020-01-01"}, {"ihc_score": "0", "tested_on": "2025-01-01"}])
    assert status(crit("her2", "HER2-positive", status="positive"), p) == "not_met"
    assert status(crit("her2", "HER2-ultralow", status="ultralow"), p) == "unknown"


def test_her2_criterion_with_its_own_ish_threshold() -> None:
    c = crit("her2", "IHC 3+ or ISH ratio >= 2.2", status="positive", ihc_scores=["3+"], ish_ratio_min=2.2, logic="or")
    assert status(c, patient(her2=[{"ihc_score": "2+", "ish_ratio": 2.1}])) == "not_met"
    assert status(c, patient(her2=[{"ihc_score": "2+", "ish_ratio": 2.3}])) == "met"


def test_hormone_receptor_positive_low_negative() -> None:
    hr_pos = crit("hormone_receptor", "HR+", receptors=["HR"], status="positive")
    tn = crit("hormone_receptor", "ER- and PR-", receptors=["ER", "PR"], status="negative")
    er_only = patient(receptors=[{"receptor": "ER", "percent": 5}, {"receptor": "PR", "percent": 0}])
    assert status(hr_pos, er_only) == "met" and status(tn, er_only) == "not_met"
    triple = patient(receptors=[{"receptor": "ER", "percent": 0}, {"receptor": "PR", "status": "negative"}])
    assert status(hr_pos, triple) == "not_met" and status(tn, triple) == "met"
    assert status(tn, patient(receptors=[{"receptor": "ER", "percent": 0}])) == "unknown"  # PR untested


# --- performance, age, sex, pregnancy, diagnosis, stage ----------------------------------------------------------


def test_karnofsky_converts_only_when_no_ecog_exists() -> None:
    c = crit("performance_status", "ECOG 0-1", scale="ECOG", min=0, max=1)
    assert status(c, patient(performance=[{"scale": "Karnofsky", "score": 80}])) == "met"
    assert status(c, patient(performance=[{"scale": "Karnofsky", "score": 60}])) == "not_met"
    both = [{"scale": "Karnofsky", "score": 90}, {"scale": "ECOG", "score": 2}]
    assert status(c, patient(performance=both)) == "not_met"
    assert status(c, patient(performance=[{"scale": "WHO", "score": 1}])) == "met"


def test_age_from_birth_date_at_the_assessment_date() -> None:
    c = crit("age", "adults up to 70", min_years=18, max_years=70)
    assert status(c, patient(birth_date="2008-06-02")) == "not_met"  # 17 the day before the birthday
    assert status(c, patient(birth_date="2008-06-01")) == "met"
    assert status(c, patient(birth_date="1955-06-02")) == "met"  # 70 until the 71st birthday
    assert status(c, patient(birth_date="1955-06-01")) == "not_met"
    assert status(c, patient(age_years=45)) == "met"


def test_sex_all_is_met_by_anyone_and_men_meet_pregnancy_exclusions() -> None:
    assert status(crit("sex", "all", sex="all"), patient()) == "met"
    assert status(crit("sex", "women", sex="female"), patient(sex="male")) == "not_met"
    preg = crit("pregnancy", "not pregnant or nursing", pregnancy_excluded=True, breastfeeding_excluded=True)
    assert status(preg, patient(sex="male")) == "met"
    assert status(preg, patient(sex="female", pregnant=False)) == "unknown"  # breastfeeding not recorded
    assert status(preg, patient(sex="female", pregnant=False, breastfeeding=True)) == "not_met"
    contraception = crit("pregnancy", "use contraception", contraception_required=True)
    assert status(contraception, patient(sex="female")) == "not_evaluable"


def test_diagnosis_through_the_cancer_vocabulary() -> None:
    c = crit("diagnosis", "breast carcinoma", cancer="breast cancer")
    assert status(c, patient(diagnoses=[{"cancer": "carcinoma of the breast"}])) == "met"
    assert status(c, patient(diagnoses=[{"cancer": "NSCLC"}])) == "not_met"
    assert status(crit("diagnosis", "lung", cancer="lung cancer"), patient(diagnoses=[{"cancer": "NSCLC"}])) == "met"
    assert status(c, patient()) == "unknown"


def test_stage_alternatives() -> None:
    c = crit("stage", "stage III or metastatic", stages=["III"], metastatic=True)
    assert status(c, patient(stage="IIIB")) == "met"
    assert status(c, patient(stage="IV")) == "met"
    assert status(c, patient(stage="II")) == "not_met"
    assert status(crit("stage", "IIIB", stages=["IIIB"]), patient(stage="III")) == "unknown"
    no_distant = crit("stage", "no distant metastases", metastatic=False)
    assert status(no_distant, patient(metastatic=True)) == "not_met"


def test_infection_synonyms_and_prior_malignancy_window() -> None:
    c = crit("infection", "no active hepatitis B", infections=["hepatitis b"])
    assert status(c, patient(active_infections=["HBV"])) == "not_met"
    assert status(c, patient(active_infections=[])) == "met"
    assert status(c, patient()) == "unknown"
    pm = crit(
        "prior_malignancy",
        "no other cancer in 5 years",
        within_years=5,
        exceptions=["non-melanoma skin cancer", "carcinoma in situ of the cervix"],
    )
    recent = [{"cancer": "colon cancer", "diagnosed_on": "2024-01-01"}]
    old = [{"cancer": "colon cancer", "diagnosed_on": "2015-01-01"}]
    skin = [{"cancer": "basal cell carcinoma", "diagnosed_on": "2025-01-01"}]
    got = [status(pm, patient(prior_malignancies=x)) for x in (recent, old, skin, [{"cancer": "melanoma"}])]
    assert got == ["not_met", "met", "met", "unknown"]


# --- the whole result ---------------------------------------------------------------------------------------------


def test_patient_with_no_data_needs_review() -> None:
    criteria = [
        ANC_GE_15,
        BRAIN,
        crit("her2", "HER2+", status="positive"),
        crit("prior_therapy", "prior trastuzumab", agents=["trastuzumab"], requirement="required"),
        crit("age", "adult", min_years=18),
        crit("other", "investigator judgement"),
        crit("pregnancy", "contraception", contraception_required=True),
    ]
    result = match(patient(), criteria, trial_id="t")
    assert [c.status for c in result.criteria] == ["unknown"] * 5 + ["not_evaluable"] * 2
    assert result.verdict == "needs_review"
    assert result.unknown == [0, 1, 2, 3, 4] and result.not_evaluable == [5, 6] and result.blocking == []
    assert result.assessed_on == ON


def test_verdicts_and_a_kind_without_a_judge(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.match import _base

    ok = patient(labs=[{"analyte": "ANC", "value": 2.0, "unit": "x10^9/L"}])
    assert match(ok, [ANC_GE_15], trial_id="t").verdict == "eligible"
    low = patient(labs=[{"analyte": "ANC", "value": 1.0, "unit": "x10^9/L"}])
    res = match(low, [ANC_GE_15, crit("other", "x")], trial_id="t")
    assert res.verdict == "ineligible" and res.blocking == [0]
    monkeypatch.delitem(_base.JUDGES, "lab")
    assert status(ANC_GE_15, ok) == "not_evaluable"


# --- planned therapy: the record holds past and current treatment only -------------------------------------------

PLANNED_CHEMO = crit(
    "prior_therapy", "planned to receive neoadjuvant chemotherapy", agents=["chemotherapy"], requirement="required"
)
PLANNED_SURGERY = crit(
    "prior_therapy",
    "anticipated need for major surgery during the study",
    polarity="exclusion",
    agents=["major surgery"],
    requirement="excluded",
)
PAST_CHEMO = {"agent": "docetaxel", "start": "2025-01-01", "end": "2025-04-01"}
CURRENT_CHEMO = {"agent": "docetaxel", "start": "2026-05-20"}
PAST_SURGERY = {"agent": "major surgery", "start": "2025-02-01", "end": "2025-02-01"}


@pytest.mark.parametrize(
    ("criterion", "therapies", "expected"),
    [
        (PLANNED_CHEMO, [], "unknown"),  # a plan is not in the record
        (PLANNED_CHEMO, [PAST_CHEMO], "unknown"),  # a past course is not the planned one
        (PLANNED_CHEMO, [CURRENT_CHEMO], "met"),  # under way
        (PLANNED_SURGERY, [], "met"),
        (PLANNED_SURGERY, [PAST_SURGERY], "met"),
        (PLANNED_SURGERY, [{"agent": "major surgery", "start": "2026-05-30"}], "not_met"),
    ],
)
def test_a_planned_therapy_is_answered_only_by_one_under_way(
    criterion: Any, therapies: list[dict[str, str]], expected: str
) -> None:
    assert status(criterion, patient(therapies=therapies)) == expected


@pytest.mark.parametrize(
    ("agent", "recorded", "expected"),
    [
        ("systemic corticosteroids", "prednisone", "not_met"),  # a qualified class still names the class
        ("systemic corticosteroids", "inhaled budesonide", "met"),  # but not a local route it rules out
        ("palliative radiotherapy", "radiotherapy", "not_met"),
        ("neurotoxic chemotherapy", "docetaxel", "met"),  # a mechanism is no qualifier: only its own name matches
    ],
)
def test_a_qualified_class_matches_its_class(agent: str, recorded: str, expected: str) -> None:
    c = crit("prior_therapy", f"no {agent} within 2 weeks", agents=[agent], requirement="excluded", within_weeks=2)
    p = patient(therapies=[{"agent": recorded, "start": "2026-05-25"}])
    assert status(c, p) == expected
