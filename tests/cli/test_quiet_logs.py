"""Library log lines on stderr: none by default, shown with -v, debug with -vv; one attempts count; no key.

Before: a failing LLM run printed instructor's "API call failed on attempt 1 ... Total attempts: 1" twice per HTTP
request while the record said ``attempts: 4``. Runs go through the real entry point in a subprocess (real stderr,
no logging set up by the test runner) against the loopback fake server answering every request with HTTP 500.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.batch.conftest import ROOT, cli, synthetic, write_jsonl
from tests.batch.fake_openai import FakeOpenAI

KEY = "sk-test-QUIETLOGSKEY0123456789abcdef"
ATTEMPTS = 2
THIRD_PARTY = re.compile(r"^(httpx2?|httpcore2?|openai|instructor|tenacity|urllib3)[.:]", re.MULTILINE)


@pytest.fixture
def down() -> Iterator[FakeOpenAI]:
    srv = FakeOpenAI(responder=lambda body: None).start()  # every chat request: HTTP 500
    try:
        yield srv
    finally:
        srv.stop()


def _env(srv: FakeOpenAI, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "EXTRACTOR_"))}
    return {
        **env,
        "OPENAI_BASE_URL": srv.base_url,
        "OPENAI_API_KEY": KEY,
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "PYTHONPATH": str(ROOT),
    }


def _failing_run(srv: FakeOpenAI, tmp_path: Path, *flags: str, before: tuple[str, ...] = ()) -> tuple[str, dict]:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(1))
    out = tmp_path / "out.jsonl"
    args = [*before, "extract", str(inp), "-o", str(out), "--backend", "llm", "--no-cache", "--overwrite"]
    res = cli(*args, "--attempts", str(ATTEMPTS), *flags, env=_env(srv, tmp_path))
    assert res.returncode == 1, res.stderr  # a failed trial: not a clean run
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert KEY not in res.stderr and KEY[8:20] not in res.stderr
    return res.stderr, record


def test_default_run_prints_no_library_lines_and_one_attempts_count(tmp_path: Path, down: FakeOpenAI) -> None:
    stderr, record = _failing_run(down, tmp_path)
    assert not THIRD_PARTY.search(stderr), stderr
    assert "API call failed" not in stderr and "Total attempts" not in stderr
    assert "extractor.llm" not in stderr  # our per-attempt lines are info: -v only
    assert record["error"]["type"] == "TransportError"
    assert record["error"]["attempts"] == ATTEMPTS == down.chat_calls  # an attempt is one HTTP request
    assert f"failed after {ATTEMPTS} attempts" in record["error"]["message"]


@pytest.mark.parametrize("where", ["after the command", "before the command"])
def test_verbose_shows_library_lines_that_agree_with_the_record(tmp_path: Path, down: FakeOpenAI, where: str) -> None:
    flags, before = (("-v",), ()) if where == "after the command" else ((), ("-v",))
    stderr, record = _failing_run(down, tmp_path, *flags, before=before)
    requests = re.findall(r"^httpx2: INFO: HTTP Request: POST \S+/chat/completions .*500", stderr, re.MULTILINE)
    assert len(requests) == record["error"]["attempts"] == ATTEMPTS, stderr
    assert re.search(r"^extractor\.llm: INFO: SYN00000: attempt 1 failed \(HTTP 500\); retrying in", stderr, re.M)
    assert "Total attempts: 1" not in stderr  # instructor's own count (re-asks within one try): -vv only


def test_verbose_logs_the_last_transport_attempt_too(tmp_path: Path, down: FakeOpenAI) -> None:
    stderr, record = _failing_run(down, tmp_path, "-v")
    ours = re.findall(r"^extractor\.llm: INFO: SYN00000: attempt (\d+) failed \(HTTP 500\); (.*)$", stderr, re.M)
    assert [int(n) for n, _ in ours] == list(range(1, record["error"]["attempts"] + 1)), stderr
    assert ours[-1][1] == "giving up" and all(then.startswith("retrying in") for _, then in ours[:-1])


def test_verbose_logs_every_reask_of_invalid_output(tmp_path: Path) -> None:
    """Model output that never validates: one line per attempt (each re-ask too), as many as the record counts."""
    srv = FakeOpenAI(responder=lambda body: "not json at all").start()
    try:
        stderr, record = _failing_run(srv, tmp_path, "-v")
    finally:
        srv.stop()
    assert record["error"]["type"] == "OutputValidationError"
    lines = re.findall(
        r"^extractor\.llm: INFO: SYN00000: attempt (\d+) failed \(output did not validate: .+\); (.+)$", stderr, re.M
    )
    assert [int(n) for n, _ in lines] == list(range(1, record["error"]["attempts"] + 1)) and len(lines) > 1, stderr
    assert [then for _, then in lines] == ["re-asking"] * (len(lines) - 1) + ["giving up"]
    assert len(record["error"]["message"]) < 400 and "ChatCompletion" not in record["error"]["message"]


def test_very_verbose_shows_debug_and_instructor(tmp_path: Path, down: FakeOpenAI) -> None:
    stderr, _record = _failing_run(down, tmp_path, "-vv")
    assert re.search(r"^instructor[.\w]*: ERROR: API call failed on attempt 1", stderr, re.MULTILINE)
    assert re.search(r"^[\w.]+: DEBUG: ", stderr, re.MULTILINE)


def test_library_use_prints_no_instructor_lines(tmp_path: Path, down: FakeOpenAI) -> None:
    """Without the CLI and without logging configured, nothing reaches Python's last-resort stderr handler."""
    code = (
        "import extractor\n"
        "from extractor.llm import LLMConfig\n"
        f"cfg = LLMConfig(base_url={down.base_url!r}, api_key={KEY!r}, transport_attempts=1)\n"
        "try:\n"
        "    extractor.extract('Inclusion Criteria:\\n* ECOG 0-1\\n', backend='llm', llm=cfg)\n"
        "except extractor.ExtractorError as e:\n"
        "    print(type(e).__name__, e.attempts)\n"
    )
    env = _env(down, tmp_path)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    assert res.stdout == "TransportError 1\n" and res.stderr == "", res.stderr
