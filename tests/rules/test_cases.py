"""Rule cases as data: ``tests/rules/cases/<kind>.yaml``, one file per kind, run by this one runner.

A case is one criteria item (``text``, as published: backslash escapes of the v2 markdown kept), the section it
sits in, where the phrasing comes from (an NCT id, ``seed-NNN``, or ``paraphrase``), and the criteria of the file's
kind the rules must give for it: each as its set fields (``None`` and empty lists left out, base fields and
``kind`` left out), compared exactly and in order. ``expect: []`` says the kind must not fire. The whole engine
runs (trigger pass, context pass, every kind), so a missing trigger fails here too; every criterion of every kind
must be grounded and carry the item's polarity. ``lead_in`` puts the item as a nested bullet under that lead-in
item ("The following are allowed:"); only the nested item's criteria are then compared.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field

from extractor.kinds import REGISTRY
from extractor.models import BASE_FIELDS
from extractor.rules.engine import extract_segmentation
from extractor.segment import segment

CASES_DIR = Path(__file__).parent / "cases"
MIN_CASES = 5
_SOURCE = re.compile(r"NCT\d{8}|seed-\d{3}|paraphrase")


class Case(BaseModel):
    """One rule case (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    lead_in: str | None = Field(default=None, min_length=1)
    section: Literal["inclusion", "exclusion"] = "inclusion"
    source: str = Field(pattern=_SOURCE.pattern)
    expect: list[dict[str, Any]]
    note: str | None = None


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cases: list[Case] = Field(min_length=1)


@cache
def load_cases(kind: str) -> list[Case]:
    """The validated cases of one kind."""
    data = yaml.safe_load((CASES_DIR / f"{kind}.yaml").read_text(encoding="utf-8"))
    return CaseFile.model_validate(data).cases


def _files() -> list[str]:
    return sorted(p.stem for p in CASES_DIR.glob("*.yaml"))


def _params() -> list[Any]:
    out = []
    for kind in _files():
        for n, case in enumerate(load_cases(kind)):
            out.append(pytest.param(kind, case, id=f"{kind}-{n}-{case.source}"))
    return out


def run_case(kind: str, case: Case) -> list[dict[str, Any]]:
    """Run the engine on the case's item; the set fields of the criteria of ``kind`` it gives."""
    heading = "Exclusion Criteria:" if case.section == "exclusion" else "Inclusion Criteria:"
    if case.lead_in is None:
        seg = segment(f"{heading}\n* {case.text}")
        found = extract_segmentation(seg)
    else:
        seg = segment(f"{heading}\n* {case.lead_in}\n    * {case.text}")
        assert len(seg.items) == 2 and seg.items[1].parent == 0, "the lead-in and the item must be one bullet each"
        found = [c for c in extract_segmentation(seg) if c.item == 1]
    assert len(seg.items) >= 1
    for c in found:
        assert c.evidence.is_grounded_in(seg.text), c
        assert c.polarity == case.section
        assert c.backend == "rules"
    return [
        {k: v for k, v in c.model_dump().items() if k not in BASE_FIELDS and v not in (None, [])}
        for c in found
        if c.kind == kind
    ]


@pytest.mark.parametrize(("kind", "case"), _params())
def test_case(kind: str, case: Case) -> None:
    assert run_case(kind, case) == case.expect


def test_every_case_file_is_a_kind() -> None:
    assert set(_files()) <= set(REGISTRY), set(_files()) - set(REGISTRY)


@pytest.mark.parametrize("kind", [k for k, s in REGISTRY.items() if s.extract is not None])
def test_every_kind_with_rules_has_cases(kind: str) -> None:
    assert kind in _files(), f"tests/rules/cases/{kind}.yaml is missing"
    cases = load_cases(kind)
    assert len(cases) >= MIN_CASES
    assert any(c.expect for c in cases) and any(not c.expect for c in cases), "positive and negative cases"
