"""The seed trials the project started from come out right (issue: rules backend acceptance).

Texts are the criteria passages of shared/seeds/, bundled verbatim in examples/ (see evals/data/gold_texts.jsonl).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import extractor
from extractor.models import CriteriaSet

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def seed001() -> CriteriaSet:
    return extractor.extract((EXAMPLES / "seed-001.txt").read_text(encoding="utf-8"), trial_id="seed-001")


@pytest.fixture(scope="module")
def seed003() -> CriteriaSet:
    return extractor.extract((EXAMPLES / "seed-003.txt").read_text(encoding="utf-8"), trial_id="seed-003")


def _fields(c: Any) -> dict[str, Any]:
    skip = {"evidence", "cohort", "item", "backend", "kind", "polarity"}
    return {k: v for k, v in c.model_dump().items() if k not in skip and v not in (None, [])}


def _one(result: CriteriaSet, kind: str, polarity: str = "inclusion", **must: Any) -> Any:
    hits = [
        c
        for c in result.criteria
        if c.kind == kind and c.polarity == polarity and all(_fields(c).get(k) == v for k, v in must.items())
    ]
    assert hits, f"no {polarity} {kind} with {must}: {[_fields(c) for c in result.by_kind(kind)]}"
    return hits[0]


def test_seed001_her2_ihc3_or_ish2(seed001: CriteriaSet) -> None:
    _one(seed001, "her2", status="positive", ihc_scores=["3+"], ish_ratio_min=2.0, logic="or")


def test_seed001_ecog_age_life_expectancy(seed001: CriteriaSet) -> None:
    _one(seed001, "performance_status", scale="ECOG", min=0, max=1)
    _one(seed001, "age", min_years=18.0)
    _one(seed001, "life_expectancy", min_months=6.0)


def test_seed001_oligometastatic_burden(seed001: CriteriaSet) -> None:
    burden = _one(seed001, "metastatic_burden", max_lesions=5, max_organs=3)
    assert burden.min_organs == 1
    assert burden.counting_notes and "one" in burden.counting_notes and "node" in burden.counting_notes


def test_seed001_stable_brain_metastases_after_4_weeks(seed001: CriteriaSet) -> None:
    brain = _one(seed001, "brain_metastases", allowed="conditional", stable_weeks_min=4.0)
    assert "stable" in brain.conditions


def test_seed001_prior_taxane_and_trastuzumab_required(seed001: CriteriaSet) -> None:
    therapy = _one(seed001, "prior_therapy", requirement="required")
    assert set(therapy.agents) >= {"taxane", "trastuzumab"}


def test_seed001_every_item_accounted_for_and_grounded(seed001: CriteriaSet) -> None:
    assert {c.item for c in seed001.criteria} == set(range(seed001.items))
    assert seed001.ungrounded() == []


def test_seed003_inclusions(seed003: CriteriaSet) -> None:
    _one(seed003, "age", min_years=18.0, max_years=70.0)
    _one(seed003, "sex", sex="female")
    _one(seed003, "performance_status", scale="ECOG", max=1)
    _one(seed003, "life_expectancy", min_months=12.0)
    _one(seed003, "consent")


def test_seed003_exclusions(seed003: CriteriaSet) -> None:
    _one(seed003, "brain_metastases", "exclusion", allowed="conditional")
    radiotherapy = _one(seed003, "prior_therapy", "exclusion", requirement="excluded")
    assert any("breast radiotherapy" in c.agents for c in seed003.by_kind("prior_therapy")), radiotherapy
    malignancy = _one(seed003, "prior_malignancy", "exclusion", within_years=5.0)
    assert "non-melanoma skin cancer" in malignancy.exceptions
    assert any("cervi" in e for e in malignancy.exceptions)
    surgery = [c for c in seed003.by_kind("prior_therapy") if "major surgery" in c.agents]
    assert surgery and surgery[0].within_weeks == 4.0 and surgery[0].requirement == "excluded"
    _one(seed003, "pregnancy", "exclusion", pregnancy_excluded=True)


def test_seed003_nothing_dropped(seed003: CriteriaSet) -> None:
    assert {c.item for c in seed003.criteria} == set(range(seed003.items))
    texts = " ".join(c.evidence.text for c in seed003.criteria)
    for phrase in ("Double breast cancer", "Progression of metastases", "withdraw informed consent"):
        assert phrase in texts
