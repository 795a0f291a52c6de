"""Rule family `general`: pregnancy, prior malignancy, infection, consent; real phrasings (NCT ids cited)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.models import Criterion
from extractor.rules import general
from extractor.rules._common import ItemContext
from extractor.segment import segment
from tests.rules._support import run_family

FIELDS: dict[str, tuple[str, ...]] = {
    "pregnancy": ("pregnancy_excluded", "breastfeeding_excluded", "contraception_required", "negative_test_required"),
    "prior_malignancy": ("within_years", "exceptions"),
    "infection": ("infections",),
    "consent": (),
}


def run(text: str, exclusion: bool = False) -> list[Criterion]:
    return run_family(general.extract, text, exclusion)[1]


def rows(found: list[Criterion]) -> list[tuple[Any, ...]]:
    return [(c.kind, *(getattr(c, f) for f in FIELDS[c.kind])) for c in found]


T = True
CASES = [
    # pregnancy: exclusion items state what is excluded; inclusion items need a negation
    pytest.param(
        "Females who are pregnant or breastfeeding", True, [("pregnancy", T, T, None, None)], id="NCT06440850-exc"
    ),
    pytest.param("pregnancy;", True, [("pregnancy", T, None, None, None)], id="seed-003"),
    pytest.param(
        "Women of childbearing potential must have a negative urine or serum β-HCG pregnancy test within 7 "
        "days prior to the administration of the first study treatment",
        False,
        [("pregnancy", None, None, None, T)],
        id="NCT06440850-inc",
    ),
    pytest.param(
        "Women of childbearing potential must agree to use birth control unless they are menopausal or had "
        "hysterectomy.",
        False,
        [("pregnancy", None, None, T, None)],
        id="NCT02417740",
    ),
    pytest.param(
        "Female participant is not pregnant confirmed by pregnancy test and medical evaluation by interview, "
        "and at least 1 of the following conditions apply:",
        False,
        [("pregnancy", T, None, None, T)],
        id="NCT07094204",
    ),
    pytest.param(
        "Pregnant and lactating women will not be eligible; women of childbearing potential should have a "
        "negative pregnancy test prior to entering on the study and be willing to practice methods of "
        "contraception.",
        True,
        [("pregnancy", T, T, T, T)],
        id="NCT03263572",
    ),
    # prior malignancy
    pytest.param("History of other malignancy within 2 years", True, [("prior_malignancy", 2.0, [])], id="NCT06227377"),
    pytest.param(
        "Other active malignancy =\\< 2 years prior to registration; EXCEPTIONS: Non-melanotic skin cancer, "
        "carcinoma-in-situ of the cervix, or early stage prostate cancer",
        True,
        [
            (
                "prior_malignancy",
                2.0,
                ["non-melanoma skin cancer", "carcinoma in situ of the cervix", "localized prostate cancer"],
            )
        ],
        id="NCT03516617",
    ),
    pytest.param(
        "Concurrent active malignancy other than non-melanoma skin cancer, carcinoma in situ of the cervix, or "
        "localized prostate cancer that has been definitely treated with radiation or surgery.",
        True,
        [
            (
                "prior_malignancy",
                None,
                ["non-melanoma skin cancer", "carcinoma in situ of the cervix", "localized prostate cancer"],
            )
        ],
        id="NCT04747912",
    ),
    pytest.param(
        "Have a history of other malignancies within 5 years prior to screening, with cervical cancer in situ "
        "treated properly except for non-melanoma skin cancer or stage I uterine cancer;",
        True,
        [
            (
                "prior_malignancy",
                5.0,
                ["carcinoma in situ of the cervix", "non-melanoma skin cancer", "stage i uterine cancer"],
            )
        ],
        id="seed-003-malignancy",
    ),
    # infections
    pytest.param(
        "Positive for HIV infection or with active hepatitis B virus (HBV) or active hepatitis C virus (HCV) infection",
        True,
        [("infection", ["hiv", "hepatitis b", "hepatitis c"])],
        id="NCT06946225",
    ),
    pytest.param(
        "Known history of active tuberculosis (Mycobacterium Tuberculosis).",
        True,
        [("infection", ["tuberculosis"])],
        id="NCT06358430",
    ),
    pytest.param(
        "Proven or suspected ongoing systemic infection requiring IV antibiotics.",
        True,
        [("infection", ["active infection"])],
        id="NCT06362369",
    ),
    pytest.param(
        "A positive COVID-19 test within 14 days of Cycle 1 Day 1.",
        True,
        [("infection", ["covid-19"])],
        id="NCT05405595",
    ),
    pytest.param(
        "Active untreated or uncontrolled fungal, bacterial, or viral infections (including COVID-19), sepsis, etc.",
        True,
        [("infection", ["covid-19", "active infection"])],
        id="NCT06141031",
    ),
    # consent
    pytest.param(
        "Willing and able to provide written informed consent for the trial.", False, [("consent",)], id="NCT06571708"
    ),
    pytest.param(
        "Patient is unwilling or unable to comply with the scheduled visits, drug administration plan, "
        "laboratory tests, biopsy, or other study procedures and study restrictions",
        True,
        [("consent",)],
        id="NCT05732831",
    ),
    pytest.param(
        "Patients must be at least 18 years of age and able to give written informed consent and comply with "
        "study procedures;",
        False,
        [("consent",)],
        id="seed-001",
    ),
    pytest.param("Sign the informed consent", False, [("consent",)], id="seed-003-consent"),
]


@pytest.mark.parametrize(("text", "exclusion", "expected"), CASES)
def test_general(text: str, exclusion: bool, expected: list[tuple[Any, ...]]) -> None:
    assert rows(run(text, exclusion)) == expected


NEGATIVE = [
    # false friends: consent as a time anchor, "other cancer trials", vaccines, nursing homes
    pytest.param("Adults 18 years of age or older at time of signing informed consent", id="NCT05687188"),
    pytest.param("May participate concurrently in other cancer trials.", id="NCT06268665"),
    pytest.param(
        "Male of reproductive potential must use an approved methods of contraception from informed consent "
        "until 90 days after the last dose",
        id="NCT05546268",
    ),
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text: str) -> None:
    kinds = [c.kind for c in run(text)]
    assert "consent" not in kinds
    assert "prior_malignancy" not in kinds


NOTHING = [
    pytest.param(
        "Uncontrolled intercurrent illness as determined by their treating physician which would limit "
        "compliance with study requirements.",
        id="NCT02476786",
    ),
    pytest.param(
        "Has received a live vaccine within 30 days before the first dose of study treatment. Any licensed "
        "COVID-19 vaccine (including for Emergency Use) in a particular country is allowed as long as they are "
        "messenger ribonucleic acid (mRNA) vaccines, adenoviral vaccines, or inactivated vaccines.",
        id="NCT04165070",
    ),
]


@pytest.mark.parametrize("text", NOTHING)
def test_nothing(text: str) -> None:
    """Compliance limited by illness is not consent; a COVID-19 vaccine is not an infection."""
    assert run(text, exclusion=True) == []


INFECTION_EDGES = [
    # "hepatitis B or C" names both; "active infection with X" is X
    pytest.param(
        "Obinutuzumab has been associated with hepatitis reactivation. Participants must not have uncontrolled "
        "active infection with hepatitis B or C.",
        [("infection", ["hepatitis b", "hepatitis c"])],
        id="NCT04269902",
    ),
    pytest.param("Anti-HCV antibodies.", [("infection", ["hepatitis c"])], id="NCT06290141"),
]


@pytest.mark.parametrize(("text", "expected"), INFECTION_EDGES)
def test_infection_edges(text: str, expected: list[tuple[Any, ...]]) -> None:
    assert rows(run(text)) == expected


def test_tb_as_total_bilirubin_is_not_tuberculosis() -> None:
    """NCT06566443: "TB" followed by a comparator is total bilirubin, not tuberculosis."""
    text = "Serum total bilirubin (TB) ≤1.5 x institutional upper limit of normal"
    assert [c.kind for c in run(text)] == []


_PIECES = st.sampled_from(
    [
        "pregnant",
        "breastfeeding",
        "not",
        "negative pregnancy test",
        "contraception",
        "other malignancy",
        "within",
        "5 years",
        "except",
        "non-melanoma skin cancer",
        "HIV",
        "hepatitis B or C",
        "TB",
        "\\<",
        "active infection",
        "requiring",
        "informed consent",
        "comply with the protocol",
        "limit compliance",
        ";",
        "\n",
        "(",
        ")",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(_PIECES, max_size=30).map(" ".join)), st.booleans())
def test_never_raises_and_grounded(text: str, exclusion: bool) -> None:
    """Any text: no exception, every criterion grounded verbatim."""
    seg = segment(("Exclusion" if exclusion else "Inclusion") + " Criteria:\n* " + text)
    for item in seg.items:
        for c in general.extract(ItemContext(item=item, source=seg.text)):
            assert c.evidence.is_grounded_in(seg.text)


PREGNANCY_EDGES = [
    # a pregnant partner is not a pregnant participant; abstinence / condom counts as contraception
    pytest.param(
        "\\[\\*\\]Male subjects with a pregnant partner who are unwilling to practice sexual abstinence or use "
        "a condom during heterosexual intercourse during treatment with:",
        True,
        [("pregnancy", None, None, T, None)],
        id="NCT05118854",
    ),
    # "rule out pregnancy" asks for a test
    pytest.param(
        "Pregnant or lactating. The agents used in this study are known to be teratogenic to a fetus and there "
        "is no information on the excretion of agents into breast milk. All females of childbearing potential "
        "must have a blood test or urine study within 7 days prior to registration to rule out pregnancy.",
        True,
        [("pregnancy", T, T, None, T)],
        id="NCT05388773",
    ),
    pytest.param(
        "Breastfeeding participants must be willing to discontinue breastfeeding from study enrollment through "
        "6 months after study treatment discontinuation",
        False,
        [("pregnancy", None, T, None, None)],
        id="NCT05665361",
    ),
]


@pytest.mark.parametrize(("text", "exclusion", "expected"), PREGNANCY_EDGES)
def test_pregnancy_edges(text: str, exclusion: bool, expected: list[tuple[Any, ...]]) -> None:
    assert rows(run(text, exclusion)) == expected
