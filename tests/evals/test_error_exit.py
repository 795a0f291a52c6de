"""``extractor eval`` exits 1 when predictions are error records (table: extractor/cli/exitcodes.py), and a dead LLM
endpoint stops the eval early through the run engine's circuit breaker.

Before: 95 of 95 predictions were ``TransportError`` records after 84 s of retries, one trial after another, and the
eval exited 0 ("Gate: no baseline").
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["eval", *args])
    return result.exit_code, result.stdout, result.stderr


def _fixture(data: Path, *args: str) -> tuple[int, str, str]:
    gold = ["--gold", str(data / "gold"), "--texts", str(data / "texts.jsonl")]
    return _run(*gold, "--pred", str(data / "preds.jsonl"), "--report-dir", str(data / "out"), *args)


def _set(data: Path, line: int, record: dict[str, object]) -> None:
    """Replace the prediction on ``line`` (0: T1, 1: T2) with ``record`` (same trial id)."""
    lines = (data / "preds.jsonl").read_text().splitlines()
    lines[line] = json.dumps({"trial_id": json.loads(lines[line])["trial_id"], **record})
    (data / "preds.jsonl").write_text("\n".join(lines) + "\n")


def test_pred_file_with_error_records_exits_1_unless_allowed(data: Path) -> None:
    """The fixture: T1 ok, T2 an error record, T9 not in the gold (not scored, not counted)."""
    code, out, err = _fixture(data)
    assert code == 1 and "exit 1: 1 of 2 records are errors" in err and "--allow-errors" in err
    assert out.startswith("## Eval")  # the reports are written and printed all the same
    assert (data / "out" / "report.json").exists()
    assert _fixture(data, "--allow-errors")[0] == 0
    assert _fixture(data, "--max-error-rate", "0.5")[0] == 0
    assert _fixture(data, "--max-error-rate", "0.4")[0] == 1
    _set(data, 1, {"criteria": []})  # a poor prediction is scored, not an error
    assert _fixture(data)[0] == 0


def test_a_failed_gate_wins_over_error_records(data: Path) -> None:
    base = data / "base.json"
    assert _fixture(data, "--baseline", str(base), "--update-baseline")[0] == 1  # written; T2 is an error
    _set(data, 0, {"error": {"type": "TransportError", "message": "server down"}})  # T1 newly fails
    code, _out, err = _fixture(data, "--baseline", str(base), "--tolerance", "1")
    assert code == 3 and "newly fail: T1" in err and "exit 1: 2 of 2" in err  # both reasons are told, 3 wins
    assert _fixture(data, "--baseline", str(base), "--tolerance", "1", "--allow-errors")[0] == 3


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: connections are refused


@pytest.fixture
def dead_endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("OPENAI_API_KEY", "EXTRACTOR_MODEL", "EXTRACTOR_INSTRUCTOR_MODE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{_closed_port()}/v1")
    monkeypatch.setenv("EXTRACTOR_ATTEMPTS", "2")
    monkeypatch.setenv("EXTRACTOR_TIMEOUT", "2")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.mark.usefixtures("dead_endpoint")
def test_dead_endpoint_eval_stops_early_and_exits_1(tmp_path: Path) -> None:
    ids = sorted(p.stem for p in (ROOT / "gold_labels").glob("NCT*.yaml"))[:9]
    args = ["--gold", str(ROOT / "gold_labels"), "--trials", ",".join(ids), "--backend", "llm"]
    code, out, err = _run(*args, "--report-dir", str(tmp_path / "r"))
    assert code == 1, err
    assert "exit 1: 9 of 9 records are errors" in err and "Gate: no baseline" in out
    recs = [json.loads(line) for line in (tmp_path / "r" / "predictions.jsonl").read_text().splitlines()]
    assert [r["trial_id"] for r in recs] == ids  # one record per gold trial, in gold order
    assert {r["error"]["type"] for r in recs} == {"TransportError"}
    # the circuit breaker stopped the run after 5 trials in a row could not reach the server (each with its 2
    # attempts); the other 4 were never sent (before: all 9 were tried, each with its full retry budget)
    assert [r["error"]["attempts"] for r in recs] == [2] * 5 + [0] * 4
    assert all("not attempted" in r["error"]["message"] for r in recs[5:])

    code, _out, err = _run(*args, "--report-dir", str(tmp_path / "r2"), "--allow-errors")
    assert code == 0, err
    base = tmp_path / "base.json"  # a healthy run's baseline: the dead endpoint's run fails the gate -> 3
    rules = ["--gold", str(ROOT / "gold_labels"), "--trials", ",".join(ids), "--report-dir", str(tmp_path / "r3")]
    assert _run(*rules, "--backend", "rules", "--baseline", str(base), "--update-baseline")[0] == 0
    code, _out, err = _run(*args, "--report-dir", str(tmp_path / "r4"), "--baseline", str(base), "--allow-errors")
    assert code == 3 and "gate failed" in err
