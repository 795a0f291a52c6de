"""Any-of groups (extractor.match.groups): alternatives in one item, in sibling items, distinct diagnoses, OR blocks;
and the negative case of each. Texts and criteria are our own."""

from __future__ import annotations

from typing import Any

from extractor import match
from extractor.kinds import KIND_TYPES, Criterion
from extractor.models import Evidence
from extractor.models.match import MatchResult
from tests.match._helpers import crit, patient


def at(text: str, kind: str, quote: str, polarity: str = "inclusion", nth: int = 0, **fields: Any) -> Criterion:
    """A criterion whose evidence is the ``nth`` occurrence of ``quote`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    ev = Evidence(text=quote, start=start, end=start + len(quote))
    return KIND_TYPES[kind](polarity=polarity, evidence=ev, **fields)


def run(p: Any, criteria: list[Criterion], text: str | None) -> MatchResult:
    return match(p, criteria, trial_id="t", text=text)


def statuses(result: MatchResult) -> list[str]:
    return [m.status for m in result.criteria]


# --- (a) the same item -----------------------------------------------------------------------------------------

SAME = "Inclusion Criteria:\n\n* HER2-low or HER2-ultralow advanced breast cancer\n* ECOG 0 or 1\n"
LOW = at(SAME, "her2", "HER2-low", status="low")
ULTRALOW = at(SAME, "her2", "HER2-ultralow", status="ultralow")


def test_same_item_alternatives_are_any_of_with_the_deciding_reason() -> None:
    r = run(patient(her2=[{"ihc_score": "1+"}]), [LOW, ULTRALOW], SAME)
    assert statuses(r) == ["met", "met"]
    assert r.criteria[1].reason.startswith("met through the alternative [0] 'HER2-low'")
    assert "HER2-ultralow" in r.criteria[1].reason  # its own finding is kept
    assert [m.alternatives for m in r.criteria] == [[1], [0]]
    assert r.verdict == "eligible"
    both_fail = run(patient(her2=[{"ihc_score": "3+"}]), [LOW, ULTRALOW], SAME)
    assert statuses(both_fail) == ["not_met", "not_met"] and both_fail.verdict == "ineligible"
    unknown = run(patient(her2=[{"ihc_score": "0"}]), [LOW, ULTRALOW], SAME)
    assert statuses(unknown) == ["unknown", "unknown"]  # ultralow needs the call: the group is unknown


def test_same_item_by_criterion_item_without_text() -> None:
    low, ultra = crit("her2", "low", status="low", item=4), crit("her2", "ultralow", status="ultralow", item=4)
    other = crit("her2", "ultralow elsewhere", status="ultralow", item=5)
    r = run(patient(her2=[{"ihc_score": "1+"}]), [low, ultra, other], None)
    assert statuses(r) == ["met", "met", "not_met"]


def test_excluded_biomarkers_in_one_item_stay_all_of_and_required_ones_group() -> None:
    text = "Exclusion Criteria:\n\n* Known EGFR mutation or ALK fusion\n"
    egfr = at(
        text, "biomarker", "EGFR mutation", "exclusion", marker="EGFR", alteration="mutation", requirement="excluded"
    )
    alk = at(text, "biomarker", "ALK fusion", "exclusion", marker="ALK", alteration="fusion", requirement="excluded")
    p = patient(
        biomarkers=[{"marker": "EGFR", "alteration": "L858R", "present": True}, {"marker": "ALK", "present": False}]
    )
    r = run(p, [egfr, alk], text)
    assert statuses(r) == ["not_met", "met"] and r.criteria[0].alternatives == []
    text = "Inclusion Criteria:\n\n* Tumour with a KRAS G12C or a BRAF V600E mutation\n"
    kras = at(text, "biomarker", "KRAS G12C", marker="KRAS", alteration="G12C", requirement="required")
    braf = at(text, "biomarker", "BRAF V600E", marker="BRAF", alteration="V600E", requirement="required")
    r = run(patient(biomarkers=[{"marker": "BRAF", "alteration": "V600E", "present": True}]), [kras, braf], text)
    assert statuses(r) == ["met", "met"]


# --- (b) sibling items -----------------------------------------------------------------------------------------

SIBS = (
    "Inclusion Criteria:\n\n* Recurrent disease at one of these stages:\n  * stage IV\n  * stage IIIC, unresectable\n"
    "* ECOG 0 or 1\n"
)
PARENT = at(SIBS, "stage", "Recurrent disease", recurrent=True)
IV = at(SIBS, "stage", "stage IV", stages=["IV"])
IIIC = at(SIBS, "stage", "stage IIIC", stages=["IIIC"])


def test_sibling_items_are_alternatives_and_the_parent_is_not_one() -> None:
    r = run(patient(stage="IV", recurrent=False), [PARENT, IV, IIIC], SIBS)
    assert statuses(r) == ["not_met", "met", "met"]
    assert [m.alternatives for m in r.criteria] == [[], [2], [1]]
    assert "[1] 'stage IV'" in r.criteria[2].reason


def test_all_of_the_following_keeps_siblings_all_of() -> None:
    text = SIBS.replace("at one of these stages:", "meeting all of the following:")
    crits = [
        at(text, "stage", "Recurrent disease", recurrent=True),
        at(text, "stage", "stage IV", stages=["IV"]),
        at(text, "stage", "stage IIIC", stages=["IIIC"]),
    ]
    assert statuses(run(patient(stage="IV", recurrent=True), crits, text)) == ["met", "met", "not_met"]


# --- (c) distinct diagnoses, trial-wide ------------------------------------------------------------------------

DX = (
    "Inclusion Criteria:\n\n* Cohort 1: breast cancer after two lines\n* Cohort 2: gastric cancer, any line\n"
    "* Advanced solid tumor\n"
)
BREAST = at(DX, "diagnosis", "breast cancer", cancer="breast cancer")
GASTRIC = at(DX, "diagnosis", "gastric cancer", cancer="gastric cancer")
SOLID = at(DX, "diagnosis", "Advanced solid tumor", cancer="solid tumor")


def test_diagnoses_of_different_cancers_are_alternatives_but_a_containing_one_applies_too() -> None:
    r = run(patient(diagnoses=[{"cancer": "stomach cancer"}]), [BREAST, GASTRIC, SOLID], DX)
    assert statuses(r) == ["met", "met", "met"]
    assert [m.alternatives for m in r.criteria] == [[1], [0], []]
    lymphoma = run(patient(diagnoses=[{"cancer": "lymphoma"}]), [BREAST, GASTRIC, SOLID], DX)
    assert statuses(lymphoma) == ["not_met", "not_met", "not_met"]


def test_solid_tumor_and_breast_cancer_stay_all_of() -> None:
    r = run(patient(diagnoses=[{"cancer": "non-small cell lung cancer"}]), [BREAST, SOLID], DX)
    assert statuses(r) == ["not_met", "met"] and r.verdict == "ineligible"
    assert [m.alternatives for m in r.criteria] == [[], []]


# --- (d) blocks around an OR line ------------------------------------------------------------------------------

OR_TEXT = (
    "Inclusion Criteria:\n\n* Age 18 or over\n* HER2-positive disease\n  * with prior trastuzumab\n\nOR\n\n"
    "* HER2-low disease\n* ECOG 0 or 1\n"
)


def _or_criteria(text: str) -> list[Criterion]:
    return [
        at(text, "her2", "HER2-positive", status="positive"),
        at(text, "prior_therapy", "prior trastuzumab", agents=["trastuzumab"], requirement="required"),
        at(text, "her2", "HER2-low", status="low"),
        at(text, "performance_status", "ECOG 0 or 1", scale="ECOG", min=0, max=1),
    ]


def test_or_line_makes_the_adjacent_top_level_blocks_alternatives() -> None:
    p = patient(her2=[{"ihc_score": "1+"}], therapies=[], performance=[{"scale": "ECOG", "score": 3}])
    r = run(p, _or_criteria(OR_TEXT), OR_TEXT)
    assert statuses(r) == ["met", "met", "met", "not_met"]  # ECOG is outside the blocks
    assert [m.alternatives for m in r.criteria] == [[2], [2], [0, 1], []]
    assert "[2] 'HER2-low'" in r.criteria[1].reason
    # a block is as good as its worst criterion: HER2-positive without the trastuzumab does not make block 1 met
    q = patient(her2=[{"ihc_score": "3+"}], therapies=[], performance=[{"scale": "ECOG", "score": 0}])
    assert statuses(run(q, _or_criteria(OR_TEXT), OR_TEXT)) == ["met", "not_met", "not_met", "met"]


def test_without_an_or_line_blocks_stay_all_of() -> None:
    text = OR_TEXT.replace("\nOR\n", "\n")
    p = patient(her2=[{"ihc_score": "1+"}], therapies=[], performance=[{"scale": "ECOG", "score": 0}])
    r = run(p, _or_criteria(text), text)
    assert statuses(r) == ["not_met", "not_met", "met", "met"] and r.verdict == "ineligible"


def test_nested_or_blocks_run_to_the_parents_bounds() -> None:
    text = (
        "Inclusion Criteria:\n\n1. Disease must be either (A) or (B):\n\n   (A) Breast cancer, with:\n"
        "   * prior taxane\n\n   OR\n\n   (B) Gastric cancer, with:\n   * prior platinum\n2. ECOG 0 or 1\n"
    )
    crits = [
        at(text, "diagnosis", "Breast cancer", cancer="breast cancer"),
        at(text, "prior_therapy", "prior taxane", agents=["taxane"], requirement="required"),
        at(text, "diagnosis", "Gastric cancer", cancer="gastric cancer"),
        at(text, "prior_therapy", "prior platinum", agents=["platinum"], requirement="required"),
    ]
    p = patient(diagnoses=[{"cancer": "gastric cancer"}], therapies=[{"agent": "cisplatin", "end": "2026-01-10"}])
    r = run(p, crits, text)
    assert statuses(r) == ["met"] * 4 and r.verdict == "eligible"
    assert r.criteria[1].alternatives == [2, 3]
    none = run(patient(diagnoses=[{"cancer": "gastric cancer"}], therapies=[]), crits, text)
    assert statuses(none) == ["met", "not_met", "met", "not_met"]  # breast: met through gastric, rule (c)


# --- (e) the children of a "one of the following" item --------------------------------------------------------

ONE_OF = (
    "Inclusion Criteria:\n\n* Patients must meet one of the following:\n"
    "  * HER2-positive breast cancer\n  * Melanoma after prior anti-PD-1 therapy\n"
    "* Must have received prior radiotherapy to the brain\n"
)
ALL_OF = ONE_OF.replace("one of the following", "all of the following")


def _one_of(text: str) -> list[Criterion]:
    return [
        at(text, "diagnosis", "HER2-positive breast cancer", cancer="breast cancer"),
        at(text, "diagnosis", "Melanoma", cancer="melanoma"),
        at(text, "prior_therapy", "prior anti-PD-1 therapy", agents=["pd-1 inhibitor"], requirement="required"),
        at(text, "prior_therapy", "prior radiotherapy to the brain", agents=["radiotherapy"], requirement="required"),
    ]


def test_children_of_a_one_of_item_are_alternative_blocks_of_any_kinds() -> None:
    p = patient(diagnoses=[{"cancer": "breast cancer"}], therapies=[{"agent": "trastuzumab"}])
    r = run(p, _one_of(ONE_OF), ONE_OF)
    # the melanoma block (its diagnosis and its therapy) is an alternative; the last item applies on its own
    assert statuses(r) == ["met", "met", "met", "not_met"]
    assert r.criteria[2].reason.startswith("met through the alternative [0]")
    without = run(p, _one_of(ALL_OF), ALL_OF)
    # "all of the following" keeps the blocks all-of: the melanoma diagnosis is still an alternative by rule (c)
    # (distinct cancers), but its therapy requirement now applies
    assert statuses(without)[:3] == ["met", "met", "not_met"]
