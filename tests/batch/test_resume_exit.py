"""A resumed ``extractor extract`` exits with the code of its OUTPUT: error records kept from earlier runs count.

Before: a rerun on an output holding error records skipped them ("already done") and exited 0, so a CI retry went
green while the output still held errors; and duplicate input ids were counted as "already done" on resume.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from extractor.cli import app
from tests.batch.conftest import synthetic, write_jsonl

runner = CliRunner()


def _extract(inp: Path, out: Path, tmp_path: Path, *extra: str) -> tuple[int, str, dict[str, int]]:
    summary = tmp_path / "summary.json"
    args = ["extract", str(inp), "-o", str(out), "--workers", "0", "--no-cache", "--summary", str(summary)]
    res = runner.invoke(app, [*args, *extra])
    return res.exit_code, res.stderr, json.loads(summary.read_text())


def test_kept_error_records_fail_a_resumed_run_until_redone(tmp_path: Path) -> None:
    bad = {"nct_id": "BAD1", "eligibility_criteria": ""}  # empty text: an InputError record
    inp = write_jsonl(tmp_path / "in.jsonl", [*synthetic(3), bad])
    out = tmp_path / "out.jsonl"
    assert _extract(inp, out, tmp_path)[0] == 1

    code, err, s = _extract(inp, out, tmp_path)  # the CI retry: nothing new to do, the error is still there
    assert code == 1, err
    assert s["ok"] + s["error"] == 0 and "4 trials already done (1 of them error records" in err
    assert (s["skipped"], s["kept"], s["kept_errors"]) == (4, 4, 1)
    assert "1 kept errors (rerun with --retry-errors)" in err
    assert "exit 1: 1 of 4 records are errors or degraded, 1 of them kept from an earlier run" in err
    assert _extract(inp, out, tmp_path, "--allow-errors")[0] == 0
    assert _extract(inp, out, tmp_path, "--max-error-rate", "0.25")[0] == 0  # 1 of the 4 records in the output
    assert _extract(inp, out, tmp_path, "--max-error-rate", "0.2")[0] == 1

    fixed = write_jsonl(
        tmp_path / "in.jsonl", [*synthetic(3), {**bad, "eligibility_criteria": synthetic(1)[0]["eligibility_criteria"]}]
    )
    assert _extract(fixed, out, tmp_path)[0] == 1  # fixed input, but the old error record is kept without the flag
    code, err, s = _extract(fixed, out, tmp_path, "--retry-errors")
    assert code == 0, err
    assert (s["ok"], s["error"], s["kept"], s["kept_errors"]) == (1, 0, 3, 0)
    assert all(json.loads(line)["error"] is None for line in out.read_text().splitlines())


def test_a_new_output_counts_no_kept_records(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(2))
    code, _err, s = _extract(inp, tmp_path / "out.jsonl", tmp_path)
    assert code == 0 and (s["kept"], s["kept_errors"]) == (0, 0)


def test_duplicate_ids_are_duplicates_on_resume_not_already_done(tmp_path: Path) -> None:
    trials = synthetic(11)
    inp = write_jsonl(tmp_path / "in.jsonl", [*trials, trials[0], trials[5]])  # 13 records, 11 distinct ids
    out = tmp_path / "out.jsonl"
    code, _err, s = _extract(inp, out, tmp_path)
    assert code == 0 and (s["ok"], s["duplicates"]) == (11, 2)
    code, err, s = _extract(inp, out, tmp_path)
    assert code == 0
    assert (s["skipped"], s["duplicates"], s["kept"]) == (11, 2, 11)  # before: 13 "already done"
    assert "11 already done, 2 duplicate ids" in err
    assert len(out.read_text().splitlines()) == 11
