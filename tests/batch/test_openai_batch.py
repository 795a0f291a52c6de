"""Batch API: prepare (custom ids, splitting), submit / status / collect against the loopback fake server."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from extractor.batch.cache import text_sha256
from extractor.batch.openai_batch import (
    BatchRecord,
    BatchState,
    collect_batches,
    custom_id,
    prepare_batches,
    prepare_run,
    submit_batches,
)
from extractor.cli import app
from extractor.errors import InputError
from extractor.io import read_inputs
from extractor.llm.config import LLMConfig
from tests.batch.conftest import cli, synthetic, write_jsonl
from tests.batch.fake_openai import EMPTY_ANSWER, FakeOpenAI

runner = CliRunner()
CONFIG = LLMConfig(model="gpt-4o-mini", items_per_call=4)


def _requests(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_prepare_custom_ids_and_split(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(9))
    with (tmp_path / "in.jsonl").open("a") as f:
        f.write("broken\n")
    parts = prepare_batches(read_inputs([str(inp)]), CONFIG, tmp_path / "run", max_requests=5)
    # 7 items per trial, 4 per call -> 2 requests per trial; 5 per file -> 2 trials per file
    assert [p.requests for p in parts] == [4, 4, 4, 4, 2]
    assert sum(p.trials for p in parts) == 9
    reqs = [r for p in parts for r in _requests(Path(p.requests_path))]
    first = reqs[0]
    text = synthetic(1)[0]["eligibility_criteria"]
    assert (
        first["custom_id"] == custom_id("SYN00000", text_sha256(text), 0, 2) == (f"SYN00000-{text_sha256(text)[:12]}-0")
    )
    assert first["method"] == "POST" and first["url"] == "/v1/chat/completions"
    assert first["body"]["model"] == "gpt-4o-mini" and first["body"]["messages"]
    assert len({r["custom_id"] for r in reqs}) == len(reqs) == 18
    sidecar = [json.loads(x) for x in Path(parts[-1].trials_path).read_text().splitlines()]
    assert sidecar[-1]["record"]["error"]["line"] == 10  # the bad record travels to collect
    assert custom_id("T", "ab" * 32, 0, 1) == "T-abababababab"


def _run_cli(*args: str) -> Any:
    res = runner.invoke(app, list(args))
    return res


def test_submit_status_collect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    failing = {"on": True}

    def responder(body: dict[str, Any]) -> str | None:
        user = json.dumps(body["messages"])
        if not failing["on"]:
            return EMPTY_ANSWER
        if "trial 3)" in user:
            return None  # a failed request: error record
        if "trial 5)" in user:
            return '{"criteria": [oops'  # invalid JSON: error record
        return EMPTY_ANSWER

    srv = FakeOpenAI(responder).start()
    srv.polls_until_done = 1
    try:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRETSECRET")
        inp = write_jsonl(tmp_path / "in.jsonl", synthetic(8))
        out_dir = tmp_path / "batches"
        res = _run_cli(
            "batch", "submit", str(inp), "--model", "gpt-4o-mini", "--out-dir", str(out_dir), "--max-requests", "6"
        )
        assert res.exit_code == 0, res.output
        state = BatchState.load(out_dir / "state.json")
        assert len(state.batches) == 2  # 8 trials x 1 request (7 items <= 40), 6 per file
        assert "SECRET" not in (out_dir / "state.json").read_text()
        assert [b.part.requests for b in state.batches] == [6, 2]
        assert ("POST", "/v1/files") in srv.requests and ("POST", "/v1/batches") in srv.requests
        uploaded = srv.files[state.batches[0].input_file_id]
        assert uploaded["purpose"] == "batch" and uploaded["content"].count(b"\n") == 6

        res = _run_cli("batch", "status", "--out-dir", str(out_dir))
        assert res.exit_code == 0 and "in_progress" in res.stdout
        out = tmp_path / "out.jsonl"
        res = _run_cli(
            "batch",
            "collect",
            "-o",
            str(out),
            "--out-dir",
            str(out_dir),
            "--cache",
            str(tmp_path / "c.sqlite"),
            "--summary",
            str(tmp_path / "s.json"),
        )
        assert res.exit_code == 1, res.output  # 2 error records of 8: over the default --max-error-rate 0
        assert "2 of 8 records are errors" in res.stderr
        recs = [json.loads(line) for line in out.read_text().splitlines()]
        assert sorted(r["trial_id"] for r in recs) == [f"SYN{i:05d}" for i in range(8)]
        by_id = {r["trial_id"]: r for r in recs}
        assert by_id["SYN00003"]["error"]["type"] == "TransportError"
        assert by_id["SYN00005"]["error"]["type"] == "OutputValidationError"
        ok = by_id["SYN00000"]
        assert ok["error"] is None and ok["provenance"]["backend"] == "llm"
        assert ok["criteria"] and all(c["kind"] == "other" for c in ok["criteria"])  # empty answer -> other
        s = json.loads((tmp_path / "s.json").read_text())
        assert (s["ok"], s["error"]) == (6, 2) and s["usage"]["prompt_tokens"] > 0
        assert s["cost_usd"] is not None
        state = BatchState.load(out_dir / "state.json")
        assert all(b.status == "completed" and b.collected_into == [str(out)] for b in state.batches)

        # collecting again resumes: nothing duplicated
        res = _run_cli("batch", "collect", "-o", str(out), "--out-dir", str(out_dir), "--no-cache")
        assert res.exit_code == 0
        assert len(out.read_text().splitlines()) == 8

        # the successes went to the cache: an online rerun of the errors only calls for those
        failing["on"] = False
        before = srv.chat_calls
        res = cli(
            "extract",
            str(inp),
            "-o",
            str(out),
            "--retry-errors",
            "--cache",
            str(tmp_path / "c.sqlite"),
            "--backend",
            "llm",
            "--model",
            "gpt-4o-mini",
            "--summary",
            str(tmp_path / "s2.json"),
            env={**os.environ},
        )
        assert res.returncode == 0, res.stderr
        s2 = json.loads((tmp_path / "s2.json").read_text())
        assert (s2["skipped"], s2["ok"], s2["cached"]) == (6, 2, 0)
        assert srv.chat_calls == before + 2
        recs = [json.loads(line) for line in out.read_text().splitlines()]
        assert len(recs) == 8 and all(r["error"] is None for r in recs)
    finally:
        srv.stop()


def test_collect_before_done_and_unknown_batch(
    tmp_path: Path, fake_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_server.base_url)
    fake_server.polls_until_done = 5
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(2))
    out_dir = tmp_path / "b"
    assert _run_cli("batch", "submit", str(inp), "--out-dir", str(out_dir)).exit_code == 0
    res = _run_cli("batch", "collect", "-o", str(tmp_path / "o.jsonl"), "--out-dir", str(out_dir), "--no-cache")
    assert res.exit_code == 3 and "not finished" in res.stderr
    res = _run_cli("batch", "status", "batch-999", "--out-dir", str(out_dir))
    assert res.exit_code == 2 and "not in the local state" in res.stderr


def test_submit_needs_an_endpoint(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(1))
    res = _run_cli("batch", "submit", str(inp), "--out-dir", str(tmp_path / "b"))
    assert res.exit_code == 2 and "OPENAI_API_KEY" in res.stderr
    res = _run_cli("batch", "submit", str(inp), "--out-dir", str(tmp_path / "b"), "--no-upload")
    assert res.exit_code == 0 and list((tmp_path / "b").glob("run-*/requests-0001.jsonl"))


def test_expired_batch_missing_answers_become_error_records(
    tmp_path: Path, fake_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_server.base_url)
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(4))
    out_dir = tmp_path / "b"
    assert _run_cli("batch", "submit", str(inp), "--out-dir", str(out_dir)).exit_code == 0
    (batch,) = fake_server.batches.values()
    fake_server.run_batch(batch)  # the provider answered 3 of 4 before the window closed
    output = fake_server.files[batch["output_file_id"]]
    output["content"] = b"\n".join(output["content"].splitlines()[:3]) + b"\n"
    batch["status"] = "expired"
    out = tmp_path / "o.jsonl"
    res = _run_cli("batch", "collect", "-o", str(out), "--out-dir", str(out_dir), "--no-cache", "--allow-errors")
    assert res.exit_code == 0, res.output
    recs = {json.loads(x)["trial_id"]: json.loads(x) for x in out.read_text().splitlines()}
    assert len(recs) == 4
    (missing,) = [r for r in recs.values() if r["error"]]
    assert missing["trial_id"] == "SYN00003" and missing["error"]["type"] == "LLMError"
    assert "expired" in missing["error"]["message"]


def test_prepare_run_checks_every_input_before_writing(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(3))
    with pytest.raises(InputError) as exc:
        prepare_run([str(inp), str(tmp_path / "missing.jsonl")], CONFIG, tmp_path / "b")
    assert "missing.jsonl" in str(exc.value)
    assert not (tmp_path / "b").exists()  # nothing written for a run that cannot start
    run_dir, parts = prepare_run([str(inp)], CONFIG, tmp_path / "b", max_requests=4)  # 2 requests a trial
    assert run_dir.parent == tmp_path / "b" and run_dir.name.startswith("run-")
    assert [p.trials for p in parts] == [2, 1] and all(Path(p.requests_path).parent == run_dir for p in parts)


def test_collect_batches_waits_for_finished_batches_then_resumes(tmp_path: Path, fake_server: FakeOpenAI) -> None:
    config = LLMConfig(model="gpt-4o-mini", base_url=fake_server.base_url)
    out_dir, out = tmp_path / "b", tmp_path / "o.jsonl"
    _run_dir, parts = prepare_run([str(write_jsonl(tmp_path / "in.jsonl", synthetic(3)))], config, out_dir)
    submit_batches(parts, config, BatchState.load(out_dir / "state.json"), out_dir / "state.json")
    (batch,) = fake_server.batches.values()
    batch["polls"] = 1
    pending: list[BatchRecord] = []
    assert collect_batches(out_dir, config, out, cache=False, on_pending=pending.append) is None
    assert [r.status for r in pending] == ["in_progress"] and not out.exists()
    got = collect_batches(out_dir, config, out, cache=tmp_path / "c.sqlite")
    assert got is not None and [b.batch_id for b in got.batches] == [batch["id"]]
    assert (got.summary.written, got.summary.ok, got.summary.error, got.summary.backend) == (3, 3, 0, "llm")
    assert len(out.read_text().splitlines()) == 3 and (tmp_path / "c.sqlite").exists()
    again = collect_batches(out_dir, config, out, cache=False)
    assert again is not None and (again.summary.written, again.summary.skipped) == (0, 3)
    assert len(out.read_text().splitlines()) == 3
