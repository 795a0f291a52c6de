"""``extractor extract`` exit codes through the CLI (table: extractor/cli/exitcodes.py), paid work only when asked,
and a dead LLM endpoint that fails the run within its retry budget. (130, interrupted: test_cli.py's SIGINT tests.)"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

from typer.testing import CliRunner

from extractor.cli import app
from tests.batch.conftest import ROOT, cli, synthetic, write_jsonl
from tests.batch.fake_openai import FakeOpenAI

runner = CliRunner()
BASE = ["--workers", "0", "--no-cache", "-q"]


def _mixed(tmp_path: Path, good: int = 3) -> Path:
    """``good`` valid trials and one bad record (empty criteria text: an InputError record)."""
    recs = [*synthetic(good), {"nct_id": "BAD1", "eligibility_criteria": ""}]
    return write_jsonl(tmp_path / "in.jsonl", recs)


def test_exit_0_when_every_trial_is_done(tmp_path: Path) -> None:
    res = runner.invoke(app, ["extract", str(write_jsonl(tmp_path / "in.jsonl", synthetic(3))), *BASE])
    assert res.exit_code == 0, res.output
    assert len(res.stdout.splitlines()) == 3


def test_exit_1_on_error_records_unless_the_rate_allows_or_errors_are_allowed(tmp_path: Path) -> None:
    inp = _mixed(tmp_path)  # 1 error of 4 records: rate 0.25
    res = runner.invoke(app, ["extract", str(inp), "--workers", "0", "--no-cache"])
    assert res.exit_code == 1
    assert "exit 1: 1 of 4 records are errors" in res.stderr
    assert runner.invoke(app, ["extract", str(inp), *BASE, "--max-error-rate", "0.2"]).exit_code == 1
    assert runner.invoke(app, ["extract", str(inp), *BASE, "--max-error-rate", "0.25"]).exit_code == 0
    assert runner.invoke(app, ["extract", str(inp), *BASE, "--allow-errors"]).exit_code == 0
    assert runner.invoke(app, ["extract", str(inp), *BASE, "--max-error-rate", "1.5"]).exit_code == 2


def test_exit_2_for_a_missing_path_before_any_work(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "in.jsonl", synthetic(2))
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["extract", str(good), str(tmp_path / "nope.txt"), "-o", str(out)])
    assert res.exit_code == 2
    assert "nope.txt" in res.stderr and "no such file" in res.stderr
    assert not out.exists()  # nothing was extracted or written
    res = runner.invoke(app, ["extract", str(tmp_path / "*.csv"), "-o", str(out)])
    assert res.exit_code == 2 and "glob matches no files" in res.stderr


def test_exit_2_for_bad_options_and_an_unwritable_output(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(2))
    assert runner.invoke(app, ["extract", str(inp), "--backend", "magic"]).exit_code == 2
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = runner.invoke(app, ["extract", str(inp), *BASE, "-o", str(blocker / "out.jsonl")])
    assert res.exit_code == 2 and str(blocker) in res.stderr


def test_the_quick_start_with_a_key_set_stays_offline(tmp_path: Path, fake_server: FakeOpenAI) -> None:
    """A key and an endpoint in the environment do not switch the default backend: no request is sent."""
    env = {**os.environ, "OPENAI_API_KEY": "sk-test-SECRET123456789", "OPENAI_BASE_URL": fake_server.base_url}
    out = tmp_path / "examples-out.jsonl"
    res = cli("extract", str(ROOT / "examples"), "-o", str(out), "--no-cache", env=env)
    assert res.returncode == 0, res.stderr
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(recs) == 8 and {r["provenance"]["backend"] for r in recs} == {"rules"}
    assert fake_server.chat_calls == 0 and "backend llm" not in res.stderr


def test_dry_run_llm_needs_no_key_and_says_what_it_assumed(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(4))
    res = runner.invoke(app, ["extract", str(inp), "--backend", "llm", "--dry-run", "--no-cache"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["model"] == "gpt-4o-mini" and report["to_extract"] == 4 and report["estimated_prompt_cost_usd"] > 0
    assumed = " ".join(report["assumptions"])
    assert "no endpoint or key configured" in assumed and "gpt-4o-mini" in assumed and "per 1M tokens" in assumed
    assert "assumed: " in res.stderr
    assert runner.invoke(app, ["extract", str(inp), "--backend", "llm", "--no-cache"]).exit_code == 2  # real run


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: connections are refused


def test_a_dead_endpoint_exits_1_within_the_retry_budget(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(3))
    out = tmp_path / "out.jsonl"
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    args = ["extract", str(inp), "--backend", "llm", "--base-url", url, "--attempts", "2", "--timeout", "2"]
    t0 = time.monotonic()
    res = cli(*args, "-o", str(out), "--no-cache", timeout=60)
    assert res.returncode == 1, res.stderr
    assert time.monotonic() - t0 < 45
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["error"]["type"] for r in recs] == ["TransportError"] * 3
    assert all(r["error"]["attempts"] == 2 for r in recs)


def test_a_server_returning_500s_trips_the_breaker_and_exits_1_even_with_allow_errors(tmp_path: Path) -> None:
    srv = FakeOpenAI(responder=lambda body: None).start()  # every request: 500
    try:
        inp = write_jsonl(tmp_path / "in.jsonl", synthetic(12))
        args = ["extract", str(inp), "--backend", "llm", "--base-url", srv.base_url, "--attempts", "1"]
        res = cli(*args, "--concurrency", "1", "--no-cache", "--allow-errors", "-o", str(tmp_path / "o.jsonl"))
    finally:
        srv.stop()
    assert res.returncode == 1, res.stderr
    assert "trials in a row failed to reach the LLM server" in res.stderr
    assert len((tmp_path / "o.jsonl").read_text().splitlines()) < 12  # stopped early
