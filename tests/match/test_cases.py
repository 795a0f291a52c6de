"""The synthetic test set: tests/match/cases/<trial_id>.yaml, written by labellers who read the criteria text.

Each file names a gold file (whose criteria are judged, with the gold's source text giving the items that any-of
groups follow), the trial's registry fields and patients with every expected status; this harness runs
:func:`extractor.match` and compares all of them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from extractor import match
from extractor.evals.gold import GoldCase, load_gold
from extractor.match._base import JUDGES
from extractor.models.patient import Patient
from extractor.vocab import read_yaml

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parent / "cases"


def _case_files() -> list[Path]:
    return sorted(CASES.glob("*.yaml")) if CASES.is_dir() else []


@cache
def _gold() -> dict[str, GoldCase]:
    return {c.trial_id: c for c in load_gold(ROOT / "gold_labels")}


def _patients() -> list[Any]:
    out = []
    for path in _case_files():
        data = read_yaml(path.read_text(encoding="utf-8"))
        for n, entry in enumerate(data.get("patients") or []):
            out.append(pytest.param(path, n, id=f"{path.stem}-{entry.get('id', n)}"))
    return out


def test_the_case_set_exists() -> None:
    assert _case_files(), "tests/match/cases/*.yaml: the synthetic test set is missing"
    for path in _case_files():
        data = read_yaml(path.read_text(encoding="utf-8"))
        ids = [p["id"] for p in data["patients"]]
        assert data["trial_id"] == path.stem, path
        assert "eligible" in ids and "missing-data" in ids and any(i.startswith("ineligible") for i in ids), path


def _quote_ok(evidence: str, quote: str) -> bool:
    q = " ".join(quote.strip().rstrip(".…").split())
    return " ".join(evidence.split()).startswith(q)


@pytest.mark.parametrize(("path", "n"), _patients())
def test_case(path: Path, n: int) -> None:
    data = read_yaml(path.read_text(encoding="utf-8"))
    entry = data["patients"][n]
    gold = _gold()[Path(data["gold"]).stem]
    assert gold.trial_id == data["trial_id"], f"{path.name}: gold {data['gold']} is another trial"
    criteria = gold.gold.criteria
    patient = Patient.model_validate(entry["patient"])
    registry = data.get("registry") or {}
    result = match(patient, criteria, registry=registry, trial_id=data["trial_id"], text=gold.text)
    pid = f"{path.name} patient {entry['id']!r}"
    problems: list[str] = []
    listed = entry.get("statuses") or []
    # every criterion of a kind with a judge has an expected status; the others (``other``, and a kind added
    # without a judge) must come out not_evaluable, never met
    judged = {k for k in JUDGES if k != "other"}
    expected_n = sum(c.kind in judged for c in criteria)
    if len(listed) != expected_n:
        problems.append(f"{pid}: {len(listed)} statuses listed, the gold has {expected_n} criteria with a judge")
    for s in listed:
        i, quote = s["index"], s.get("quote", "")
        if not 0 <= i < len(criteria):
            problems.append(f"{pid}: index {i} is outside the gold's {len(criteria)} criteria")
            continue
        c, got = criteria[i], result.criteria[i]
        if c.kind != s.get("kind", c.kind) or not _quote_ok(c.evidence.text, quote):
            problems.append(f"{pid}: index {i} is {c.kind} {c.evidence.text[:40]!r}, the case says {quote!r}")
            continue
        # a known gap: ``status`` is the truth, ``matcher`` what the matcher gives today and ``gap`` why (counted in
        # test_known_gaps_are_few); a fix that reaches the truth shows up here and the gap entry goes
        want = s.get("matcher", s["status"])
        if s.get("matcher") is not None and (not s.get("gap") or s["matcher"] == s["status"]):
            problems.append(f"{pid}: [{i}] a gap needs a `gap` reason and a matcher status other than the truth")
        if got.status != want:
            problems.append(f"{pid}: [{i}] {quote!r}: expected {want}, got {got.status} ({got.reason})")
    for i, c in enumerate(criteria):
        if c.kind not in judged and result.criteria[i].status != "not_evaluable":
            problems.append(f"{pid}: [{i}] {c.kind} {c.evidence.text[:40]!r} is {result.criteria[i].status}")
    reg = {m.criterion.evidence.text.split(":")[0]: m.status for m in result.criteria if m.source == "registry"}
    if reg != (entry.get("registry") or {}):
        problems.append(f"{pid}: registry statuses {reg}, expected {entry.get('registry') or {}}")
    conflicts = sorted(c.field for c in result.conflicts)
    if conflicts != sorted(entry.get("conflicts") or []):
        problems.append(f"{pid}: conflicts {conflicts}, expected {sorted(entry.get('conflicts') or [])}")
    verdict = entry.get("matcher_verdict", entry["verdict"])
    if result.verdict != verdict:
        problems.append(f"{pid}: verdict {result.verdict}, expected {verdict}")
    if "matcher_verdict" in entry and not any("gap" in s for s in listed):
        problems.append(f"{pid}: matcher_verdict without a status gap")
    assert not problems, "\n".join(problems)


def test_known_gaps_are_few() -> None:
    """Statuses the matcher gets wrong today are listed as gaps (with the truth beside them), and stay rare."""
    gaps = total = 0
    for path in _case_files():
        for entry in read_yaml(path.read_text(encoding="utf-8"))["patients"]:
            statuses = entry.get("statuses") or []
            total += len(statuses)
            gaps += sum("gap" in s for s in statuses)
    assert total > 800
    assert gaps / total < 0.02, f"{gaps} of {total} statuses are known matcher gaps"
