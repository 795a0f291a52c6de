"""``extractor match`` through the real CLI (typer's CliRunner): the bundled example end to end, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.models.match import MatchResult

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_TRIALS = ROOT / "examples" / "her2_trials.jsonl"
EXAMPLE_PATIENT = ROOT / "examples" / "patient.json"


@pytest.fixture(scope="module")
def criteria(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("match") / "x.jsonl"
    res = CliRunner().invoke(app, ["extract", str(EXAMPLE_TRIALS), "-o", str(out), "--no-cache", "-q"])
    assert res.exit_code == 0, res.output
    return out


def test_extract_then_match_the_bundled_example(criteria: Path, tmp_path: Path) -> None:
    out = tmp_path / "matches.jsonl"
    res = CliRunner().invoke(app, ["match", str(EXAMPLE_PATIENT), str(criteria), "-o", str(out)])
    assert res.exit_code == 0, res.output
    results = [MatchResult.model_validate_json(line) for line in out.read_text().splitlines()]
    trials = {json.loads(line)["nct_id"] for line in EXAMPLE_TRIALS.read_text().splitlines()}
    assert {r.trial_id for r in results} == trials
    order = {"eligible": 0, "needs_review": 1, "ineligible": 2}
    assert [order[r.verdict] for r in results] == sorted(order[r.verdict] for r in results)
    her2_negative_trial = next(r for r in results if r.trial_id == "NCT04573231")
    assert her2_negative_trial.verdict == "ineligible"  # the example patient is HER2-positive
    assert any(
        c.criterion.kind == "her2" for c in (her2_negative_trial.criteria[i] for i in her2_negative_trial.blocking)
    )
    for r in results:
        assert r.trial_id in res.stdout and r.patient_id == "example-her2-mbc"


def test_patients_directory_and_top(criteria: Path, tmp_path: Path) -> None:
    people = tmp_path / "patients"
    people.mkdir()
    (people / "a.json").write_text(EXAMPLE_PATIENT.read_text())
    (people / "b.json").write_text(json.dumps({"sex": "male"}))
    out = tmp_path / "m.jsonl"
    res = CliRunner().invoke(app, ["match", "--patients", str(people), str(criteria), "--top", "2", "-o", str(out)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["patient_id"] for r in rows] == ["example-her2-mbc"] * 2 + ["b"] * 2


def test_unreadable_patient_is_exit_2_naming_file_and_field(criteria: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"sex": "robot"}))
    res = CliRunner().invoke(app, ["match", str(bad), str(criteria)])
    assert res.exit_code == 2
    assert "bad.json" in res.output and "sex" in res.output
    missing = CliRunner().invoke(app, ["match", str(EXAMPLE_PATIENT), str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2 and "none.jsonl" in missing.output


def test_error_records_are_counted_and_fail_only_over_the_rate(criteria: Path, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.jsonl"
    error = {"trial_id": "NCT0BROKEN", "error": {"type": "InputError", "message": "empty text"}}
    mixed.write_text(criteria.read_text() + json.dumps(error) + "\n")
    res = CliRunner().invoke(app, ["match", str(EXAMPLE_PATIENT), str(mixed)])
    assert res.exit_code == 1 and "1 error record" in res.output
    ok = CliRunner().invoke(app, ["match", str(EXAMPLE_PATIENT), str(mixed), "--max-error-rate", "0.5"])
    assert ok.exit_code == 0, ok.output


def test_an_empty_criteria_file_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    res = CliRunner().invoke(app, ["match", str(EXAMPLE_PATIENT), str(empty)])
    assert res.exit_code == 2
    assert f"{empty}" in res.stderr and "holds no record" in res.stderr
