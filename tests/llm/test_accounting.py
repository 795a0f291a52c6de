"""The CLI's LLM path against the loopback fake server: timeouts and attempts settable, the circuit breaker,
degraded results (exit 1, never cached, redone after the server recovers)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from tests.batch.conftest import cli, synthetic, write_jsonl
from tests.batch.fake_openai import EMPTY_ANSWER, FakeOpenAI


def _invoke(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """The command in-process (fast); the subprocess ``cli`` is used where real start-up matters."""
    res = CliRunner().invoke(app, list(args), env=env)
    return res.exit_code, res.stderr


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    srv = FakeOpenAI().start()
    try:
        yield srv
    finally:
        srv.stop()


def _env(srv: FakeOpenAI, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "EXTRACTOR_"))}
    return {**env, "OPENAI_BASE_URL": srv.base_url, "XDG_CACHE_HOME": str(tmp_path / "xdg"), **extra}


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _down(body: dict[str, Any]) -> str | None:
    return None  # every request: HTTP 500


@pytest.mark.parametrize("how", ["flags", "environment"])
def test_timeout_and_attempts_bound_a_hung_server(tmp_path: Path, server: FakeOpenAI, how: str) -> None:
    """Before: a hung server cost 3 x 120 s per trial and neither could be set from the CLI or the environment."""
    server.delay_s = 5.0
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(2))
    out = tmp_path / "out.jsonl"
    args = [
        "extract",
        str(inp),
        "--backend",
        "llm",
        "-o",
        str(out),
        "--no-cache",
        "--summary",
        str(tmp_path / "s.json"),
    ]
    extra: dict[str, str] = {}
    if how == "flags":
        args += ["--timeout", "0.3", "--attempts", "1"]
    else:
        extra = {"EXTRACTOR_TIMEOUT": "0.3", "EXTRACTOR_ATTEMPTS": "1"}
    t0 = time.monotonic()
    res = cli(*args, env=_env(server, tmp_path, **extra))
    elapsed = time.monotonic() - t0
    assert res.returncode == 1, res.stderr  # failed extractions: not a clean run
    recs = _lines(out)
    assert [r["error"]["type"] for r in recs] == ["TransportError", "TransportError"]
    assert all(r["error"]["attempts"] == 1 for r in recs)
    assert server.chat_calls == 2  # one try each
    assert elapsed < 30  # start-up included; a request itself gave up after 0.3 s instead of 120 s
    s = json.loads((tmp_path / "s.json").read_text())
    assert (s["failed"], s["error"], s["llm_calls"]) == (2, 2, 2)


def test_bad_environment_value_is_a_config_error(tmp_path: Path, server: FakeOpenAI) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(1))
    res = cli(
        "extract", str(inp), "--backend", "llm", "--no-cache", env=_env(server, tmp_path, EXTRACTOR_TIMEOUT="soon")
    )
    assert res.returncode == 2 and "EXTRACTOR_TIMEOUT" in res.stderr and "Traceback" not in res.stderr


def test_circuit_breaker_stops_the_run_and_keeps_what_was_written(tmp_path: Path, server: FakeOpenAI) -> None:
    """Before: an unreachable server was asked for every trial of the input, each with its full retry budget."""
    server.responder = _down
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(40))
    out = tmp_path / "out.jsonl"
    args = [
        "extract",
        str(inp),
        "--backend",
        "llm",
        "-o",
        str(out),
        "--no-cache",
        "--attempts",
        "1",
        "--concurrency",
        "1",
    ]
    code, err = _invoke(*args, "--summary", str(tmp_path / "s.json"), env=_env(server, tmp_path))
    assert code == 1, err
    assert "5 trials in a row failed to reach the LLM server" in err and "--retry-errors" in err
    assert "stopped:" in err
    recs = _lines(out)
    assert len(recs) == 5 and all(r["error"]["type"] == "TransportError" for r in recs)
    assert server.chat_calls == 5
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["aborted"] and not s["interrupted"] and s["failed"] == 5
    # the server is back: --retry-errors redoes the failed ones and finishes the rest
    server.responder = lambda body: EMPTY_ANSWER
    code, err = _invoke(*args, "--retry-errors", env=_env(server, tmp_path))
    assert code == 0, err
    recs = _lines(out)
    assert len(recs) == 40 and all(r["error"] is None for r in recs)


def test_degraded_hybrid_results_exit_1_and_are_redone_after_recovery(tmp_path: Path, server: FakeOpenAI) -> None:
    """Before: an outage's rules-only fallbacks were cached; after recovery the rerun sent 0 requests, "10 ok"."""
    records = [
        {
            "nct_id": f"H{i}",
            "eligibility_criteria": f"Inclusion Criteria:\n* ECOG 0-1\n* Willing to keep a paper diary ({i})\n",
        }
        for i in range(3)
    ]
    inp = write_jsonl(tmp_path / "in.jsonl", records)  # type: ignore[arg-type]
    cache = str(tmp_path / "c.sqlite")
    base = ["extract", str(inp), "--backend", "hybrid", "--cache", cache, "--attempts", "1"]
    server.responder = _down
    code, err = _invoke(
        *base, "-o", str(tmp_path / "a.jsonl"), "--summary", str(tmp_path / "s1.json"), env=_env(server, tmp_path)
    )
    assert code == 1, err
    s1 = json.loads((tmp_path / "s1.json").read_text())
    assert (s1["ok"], s1["degraded"], s1["error"]) == (3, 3, 0)
    assert "3 degraded" in err
    assert all(r["provenance"]["errors"] for r in _lines(tmp_path / "a.jsonl"))
    calls = server.chat_calls
    server.responder = lambda body: EMPTY_ANSWER  # recovered
    code, err = _invoke(
        *base, "-o", str(tmp_path / "b.jsonl"), "--summary", str(tmp_path / "s2.json"), env=_env(server, tmp_path)
    )
    assert code == 0, err
    s2 = json.loads((tmp_path / "s2.json").read_text())
    assert (s2["cached"], s2["degraded"]) == (0, 0) and server.chat_calls == calls + 3
    # and now that they are complete, they are cached
    code, err = _invoke(
        *base, "-o", str(tmp_path / "c.jsonl"), "--summary", str(tmp_path / "s3.json"), env=_env(server, tmp_path)
    )
    assert json.loads((tmp_path / "s3.json").read_text())["cached"] == 3 and server.chat_calls == calls + 3
