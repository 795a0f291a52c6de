"""Rule family ``performance``: performance status, age, sex, life expectancy.

Phrasings are copied verbatim from corpus trials (ids cite the NCT record) or seed documents (``seed-NNN``);
backslash escapes of the v2 markdown are kept as published.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.rules import performance
from tests.rules._support import ARBITRARY_TEXT, as_dicts, assert_grounded_on, run_family


def _run(section: str, text: str) -> list[dict[str, Any]]:
    return as_dicts(run_family(performance.extract, text, exclusion=section == "exc")[1])


def ps(scale: str, lo: int | None = None, hi: int | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"kind": "performance_status", "scale": scale}
    if lo is not None:
        d["min"] = lo
    if hi is not None:
        d["max"] = hi
    return d


def age(lo: float | None = None, hi: float | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"kind": "age"}
    if lo is not None:
        d["min_years"] = lo
    if hi is not None:
        d["max_years"] = hi
    return d


def sex(value: str) -> dict[str, Any]:
    return {"kind": "sex", "sex": value}


def life(months: float) -> dict[str, Any]:
    return {"kind": "life_expectancy", "min_months": months}


CASES = [
    # performance status
    pytest.param("inc", "ECOG performance status of 0 or 1.", [ps("ECOG", 0, 1)], id="NCT04165772"),
    pytest.param("inc", "ECOG 0-1 status;", [ps("ECOG", 0, 1)], id="seed-001-ecog"),
    pytest.param(
        "inc",
        "Eastern Cooperative Oncology Group (ECOG) performance status score ≤1;",
        [ps("ECOG", 0, 1)],
        id="seed-003-ecog",
    ),
    pytest.param(
        "inc",
        "STEP 1: Patient must have an Eastern Cooperative Oncology Group (ECOG) performance status of 0 - ≤ 2 "
        "(or Karnofsky ≥ 60%)",
        [ps("ECOG", 0, 2), ps("Karnofsky", 60)],
        id="NCT06732401",
    ),
    pytest.param(
        "inc",
        "Karnofsky \\>= 50% for patients \\> 16 years of age and Lansky \\>= 50% for patients =\\< 16 years of age",
        [ps("Karnofsky", 50), ps("Lansky", 50)],
        id="NCT05828069",
    ),
    pytest.param(
        "inc", "Lansky or Karnofsky score of \\>=60%", [ps("Lansky", 60), ps("Karnofsky", 60)], id="NCT07148050"
    ),
    pytest.param(
        "inc",
        "Eastern Cooperative Oncology Group (ECOG) performance status of less than (\\<) 3.",
        [ps("ECOG", 0, 2)],
        id="NCT06533644",
    ),
    pytest.param(
        "inc",
        "Patients must have a Karnofsky adult, or Lansky pediatric performance scale status \\> 70%.",
        [ps("Karnofsky", 80), ps("Lansky", 80)],
        id="NCT02143830",
    ),
    pytest.param("inc", "WHO performance status of 0 - 2", [ps("WHO", 0, 2)], id="NCT04235114"),
    pytest.param(
        "inc",
        "Performance status of 0 or 1 based on the Eastern Cooperative Oncology Group (ECOG) performance scale.",
        [ps("ECOG", 0, 1)],
        id="NCT06035744",
    ),
    pytest.param(
        "inc",
        "Performance status 0-2 (Per Eastern Cooperative Oncology Group (ECOG) criteria)",
        [ps("ECOG", 0, 2)],
        id="NCT02693535",
    ),
    pytest.param(
        "inc",
        "Eastern Cooperative Oncology Group (ECOG-Appendix 1) performance status ≤2 (patients with a performance "
        "status of 3 based solely on bone pain secondary to MM may be eligible following consultation and approval "
        "by the Medical Monitor).",
        [ps("ECOG", 0, 2)],
        id="NCT06087653",
    ),
    # exclusion items give the effective rule
    pytest.param("exc", "KPS of \\< 70; see Appendix A", [ps("Karnofsky", 70)], id="NCT03743298"),
    pytest.param("exc", "ECOG performance status \\< 2", [ps("ECOG", 2)], id="NCT04545762"),
    pytest.param(
        "exc",
        "Zubrod performance status \\> 2, or self-reports either not being up and about more than 50% of waking "
        "hours or unable to provide self-care (Arms 2 and 3)",
        [ps("ECOG", 0, 2)],
        id="NCT01365169",
    ),
    pytest.param(
        "exc",
        "Eastern Cooperative Oncology Group (ECOG) of 4 and life expectancy =\\< 2 weeks",
        [ps("ECOG", 0, 3), life(0.46)],
        id="NCT03465774",
    ),
    # life expectancy
    pytest.param("inc", "Life expectancy of more than 6 months.", [life(6.0)], id="seed-001-life"),
    pytest.param("inc", "Estimated patient survival beyond 1 year;", [life(12.0)], id="seed-003-life"),
    # age and sex
    pytest.param(
        "inc",
        "Patients must be at least 18 years of age and able to give written informed consent and comply with "
        "study procedures;",
        [age(18)],
        id="seed-001-age",
    ),
    pytest.param("inc", "ages 18-70, female;", [age(18, 70), sex("female")], id="seed-003-age-sex"),
    pytest.param("exc", "Under the age of 18 years old.", [age(18)], id="NCT01102569"),
    pytest.param(
        "inc", "Female patient between the ages of 18 and 45 years", [age(18, 45), sex("female")], id="NCT01870752"
    ),
    pytest.param("inc", "All participants will be eighteen years old or older", [age(18)], id="NCT03943316"),
    pytest.param(
        "inc",
        "Males and females age 21-85 without a history of spine surgery.",
        [age(21, 85), sex("all")],
        id="NCT03076658",
    ),
    pytest.param(
        "inc",
        "Be at least 18 years old (at least 19 years old in Alabama and Nebraska, at least 21 years old in Puerto "
        "Rico)",
        [age(18)],
        id="NCT04196595",
    ),
    pytest.param(
        "inc",
        "Greater than or equal to 18 years of age and less than or equal to age 75",
        [age(18, 75)],
        id="NCT03935893",
    ),
    pytest.param("inc", "At least a 6-month or greater life expectancy", [life(6.0)], id="NCT06615752"),
    pytest.param(
        "inc",
        "Male/female patients who are at least 18 years of age on the day of signing informed consent with "
        "histologically or cytologically confirmed TNBC (Cohort 1), NSCLC (Cohort 2)",
        [age(18), sex("all")],
        id="NCT05064280",
    ),
    pytest.param(
        "exc",
        "inability to obtain reliable pulmonary function testing. As clarification, healthy volunteers, relatives "
        "of patients (except as noted for an ADP-ribosylation defect), and asthmatic patients from Suburban "
        "Hospital will be excluded if less than 18 or greater than 90 years of age.",
        [age(18, 90)],
        id="NCT00001532",
    ),
]


@pytest.mark.parametrize(("section", "text", "expected"), CASES)
def test_real_phrasings(section: str, text: str, expected: list[dict[str, Any]]) -> None:
    assert _run(section, text) == expected


NEGATIVES = [
    # durations, conditional ages, other people's ages, menopause definitions
    pytest.param(
        "exc",
        "Individuals with history of an invasive malignancy are ineligible except for the following circumstances: "
        "a) individuals with a history of invasive malignancy are eligible if they have been disease -free for at "
        "least 3 years and are deemed by the investigator to be at low risk for recurrence of that malignancy",
        id="NCT03219450",
    ),
    pytest.param(
        "exc",
        "Has any factors that increase the risk of corrected QT (QTc) interval prolongation or risk of arrhythmic "
        "events, such as congenital long QT syndrome, family history of long QT syndrome, or unexplained sudden "
        "death under 40 years of age in first-degree relatives.",
        id="NCT03260491",
    ),
    pytest.param(
        "inc",
        "a) Post-menopausal defined as aged more than 50 years and amenorrheic for at least 12 months following "
        "cessation of all exogenous hormonal treatments",
        id="NCT03586453",
    ),
    pytest.param(
        "inc",
        "Less than 1 year from diagnosis including original localized disease to randomization(if applicable)",
        id="NCT05928806",
    ),
    # pregnancy / contraception items are not sex criteria
    pytest.param(
        "inc",
        "Women of childbearing potential must agree to use birth control unless they are menopausal or had "
        "hysterectomy.",
        id="NCT02417740",
    ),
    pytest.param(
        "inc",
        "Male participants must not freeze or donate sperm starting at screening and throughout the study period, "
        "and at least 4 months after the final study drug administration.",
        id="NCT04553770",
    ),
    # a URL naming ECOG-ACRIN is not a performance status
    pytest.param(
        "inc",
        "PIK3CA mutations considered oncogenic or likely oncogenic. i. Oncogenic/likely oncogenic PIK3CA mutations "
        "identified on tests performed by the labs listed on https://ecog-acrin.org/nci-match-eay131-designated-labs "
        "will be considered confirmed for the purposes of this study.",
        id="NCT05154487",
    ),
    # the life expectancy of another malignancy, not of the patient
    pytest.param(
        "exc",
        "Subject with other malignancies that are associated with a life expectancy of \\< 2 years or that would "
        "confound assessment of toxicity in this study",
        id="NCT05336812",
    ),
]


@pytest.mark.parametrize(("section", "text"), NEGATIVES)
def test_false_friends(section: str, text: str) -> None:
    assert _run(section, text) == []


def test_conditional_age_in_performance_item() -> None:
    # NCT05082519: the ages only say which scale applies
    text = (
        "Patients at diagnosis must meet Karnofsky \\> 50% for patients \\> 16 years of age and Lansky \\> 50% for "
        "patients ≤ 16 years of age (or be expected to recover prior to Day 8) ."
    )
    assert _run("inc", text) == [ps("Karnofsky", 60), ps("Lansky", 60)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # variants of NCT04165772 / seed-001 wording: number words, escapes, unicode and reversed comparators
        pytest.param("ECOG performance status of zero or one.", [ps("ECOG", 0, 1)], id="words"),
        pytest.param("ECOG performance status =\\< 1", [ps("ECOG", 0, 1)], id="escaped-reversed"),
        pytest.param("Karnofsky performance status ≧ 70%", [ps("Karnofsky", 70)], id="unicode"),
        pytest.param("Life expectancy of at least 12 weeks", [life(2.77)], id="weeks"),
        pytest.param("Age \\>= 18 years", [age(18)], id="escaped-age"),
    ],
)
def test_robust_forms(text: str, expected: list[dict[str, Any]]) -> None:
    assert _run("inc", text) == expected


def test_never_raises_on_odd_text() -> None:
    for text in ["", "ECOG", "age", "≥≥≥ 18 18 years", "Life expectancy \\> weeks", "KPS 100-0", "x" * 5000]:
        _run("inc", text or ".")
        _run("exc", text or ".")


@settings(max_examples=150, deadline=None)
@given(ARBITRARY_TEXT, st.booleans())
def test_arbitrary_text_never_raises_and_stays_grounded(text: str, exclusion: bool) -> None:
    assert_grounded_on(performance.extract, text, exclusion)
