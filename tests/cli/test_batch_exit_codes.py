"""``extractor batch`` exit codes from the one table, through the CLI against the loopback fake server:
0 done, 1 error records over --max-error-rate, 2 could not run, 3 nothing finished yet, 130 interrupted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.cli.exitcodes import ExitCode
from tests.batch.conftest import synthetic, write_jsonl
from tests.batch.fake_openai import EMPTY_ANSWER, FakeOpenAI

runner = CliRunner()


def _one_bad(body: dict[str, Any]) -> str | None:
    return None if "trial 1)" in json.dumps(body["messages"]) else EMPTY_ANSWER  # 1 of 4 requests fails


@pytest.fixture
def submitted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeOpenAI, Path]]:
    """Four trials submitted to a fake provider whose answer for one of them is an error."""
    for var in ("OPENAI_API_KEY", "EXTRACTOR_MODEL", "EXTRACTOR_INSTRUCTOR_MODE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    srv = FakeOpenAI(_one_bad).start()
    monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
    out_dir = tmp_path / "b"
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(4))
    try:
        assert runner.invoke(app, ["batch", "submit", str(inp), "--out-dir", str(out_dir)]).exit_code == ExitCode.OK
        yield srv, out_dir
    finally:
        srv.stop()


def _collect(out_dir: Path, out: Path, *extra: str) -> Any:
    return runner.invoke(app, ["batch", "collect", "-o", str(out), "--out-dir", str(out_dir), "--no-cache", *extra])


def test_collect_error_records_exit_1_unless_allowed(tmp_path: Path, submitted: tuple[FakeOpenAI, Path]) -> None:
    _srv, out_dir = submitted
    res = _collect(out_dir, tmp_path / "a.jsonl")
    assert res.exit_code == ExitCode.ERRORS and "1 of 4 records are errors" in res.stderr
    assert len((tmp_path / "a.jsonl").read_text().splitlines()) == 4  # written all the same
    assert _collect(out_dir, tmp_path / "b.jsonl", "--max-error-rate", "0.2").exit_code == ExitCode.ERRORS
    assert _collect(out_dir, tmp_path / "c.jsonl", "--max-error-rate", "0.25").exit_code == ExitCode.OK
    assert _collect(out_dir, tmp_path / "d.jsonl", "--allow-errors").exit_code == ExitCode.OK
    assert _collect(out_dir, tmp_path / "a.jsonl").exit_code == ExitCode.OK  # resumed: nothing new, no new errors


def test_collect_nothing_finished_exit_3(tmp_path: Path, submitted: tuple[FakeOpenAI, Path]) -> None:
    srv, out_dir = submitted
    (batch,) = srv.batches.values()
    batch["polls"] = 10
    res = _collect(out_dir, tmp_path / "o.jsonl")
    assert res.exit_code == ExitCode.REGRESSION == 3 and "not finished yet" in res.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_could_not_run_exit_2(tmp_path: Path, submitted: tuple[FakeOpenAI, Path]) -> None:
    _srv, out_dir = submitted
    res = runner.invoke(app, ["batch", "status", "batch-999", "--out-dir", str(out_dir)])
    assert res.exit_code == ExitCode.USAGE and "not in the local state" in res.stderr
    (tmp_path / "dir.jsonl").mkdir()  # the output is a directory: cannot be written
    res = _collect(out_dir, tmp_path / "dir.jsonl")
    assert res.exit_code == ExitCode.USAGE and "dir.jsonl" in res.stderr
    res = runner.invoke(app, ["batch", "submit", str(tmp_path / "missing.jsonl"), "--out-dir", str(out_dir)])
    assert res.exit_code == ExitCode.USAGE and "missing.jsonl" in res.stderr


@pytest.mark.parametrize("command", ["collect", "status"])
def test_interrupted_exit_130(
    tmp_path: Path, submitted: tuple[FakeOpenAI, Path], monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    from extractor.batch import openai_batch

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    _srv, out_dir = submitted
    monkeypatch.setattr(openai_batch, "collect_batch" if command == "collect" else "refresh_status", interrupted)
    extra = ["-o", str(tmp_path / "o.jsonl"), "--no-cache"] if command == "collect" else []
    res = runner.invoke(app, ["batch", command, "--out-dir", str(out_dir), *extra])
    assert res.exit_code == ExitCode.INTERRUPTED and "interrupted" in res.stderr


@pytest.mark.parametrize("setup", ["missing", "no-upload", "failed-submit"])
def test_collect_nothing_submitted_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setup: str) -> None:
    """A mistyped --out-dir, or one without submitted batches, is a 2 with a message, not a 3 a poller waits on."""
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # configured, never reached
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    out_dir = tmp_path / "b"
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(2))
    if setup == "no-upload":
        res = runner.invoke(app, ["batch", "submit", str(inp), "--out-dir", str(out_dir), "--no-upload"])
        assert res.exit_code == ExitCode.OK and out_dir.is_dir()
    elif setup == "failed-submit":  # port 9 refuses the upload: nothing is recorded as submitted
        res = runner.invoke(app, ["batch", "submit", str(inp), "--out-dir", str(out_dir)])
        assert res.exit_code == ExitCode.USAGE and out_dir.is_dir()
    res = _collect(out_dir, tmp_path / "c.jsonl")
    assert res.exit_code == ExitCode.USAGE
    expected = "no such batch directory" if setup == "missing" else "nothing submitted from"
    assert expected in res.stderr and str(out_dir) in res.stderr
    assert not (tmp_path / "c.jsonl").exists()


def test_status_missing_dir_exit_2_empty_dir_exit_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    res = runner.invoke(app, ["batch", "status", "--out-dir", str(tmp_path / "nodir")])
    assert res.exit_code == ExitCode.USAGE and "no such batch directory" in res.stderr
    (tmp_path / "empty").mkdir()
    res = runner.invoke(app, ["batch", "status", "--out-dir", str(tmp_path / "empty")])
    assert res.exit_code == ExitCode.OK and "no batches submitted from" in res.stderr


def test_collect_pending_names_the_batch(tmp_path: Path, submitted: tuple[FakeOpenAI, Path]) -> None:
    srv, out_dir = submitted
    (batch,) = srv.batches.values()
    batch["polls"] = 10
    res = _collect(out_dir, tmp_path / "o.jsonl")
    assert res.exit_code == ExitCode.REGRESSION and f"{batch['id']}:" in res.stderr
