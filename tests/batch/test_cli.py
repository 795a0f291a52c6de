"""``extractor extract`` end to end: inputs, formats, summary, resume, cache, dry run, LLM path, signals."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from extractor.cli import app
from tests.batch.conftest import DATA, ROOT, cli, synthetic, write_jsonl
from tests.batch.fake_openai import FakeOpenAI

runner = CliRunner()


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_mixed_inputs_summary_and_error_records(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"nct_id": "B1", "eligibility_criteria": ""}\nnot json\n', encoding="utf-8")
    out, summary = tmp_path / "out.jsonl", tmp_path / "summary.json"
    res = runner.invoke(
        app,
        [
            "extract",
            str(DATA / "trials.jsonl"),
            str(DATA / "ctgov_page.json"),
            str(DATA / "ctgov_study.json"),
            str(bad),
            "-o",
            str(out),
            "--summary",
            str(summary),
            "--workers",
            "0",
            "--cache",
            str(tmp_path / "c.sqlite"),
        ],
    )
    assert res.exit_code == 1, res.output  # two bad input records: errors (exit codes: tests/test_exit_codes.py)
    assert res.stdout == ""  # data never on stdout/stderr when -o is given
    recs = _lines(out)
    # NCT00005095 (ctgov_study.json) and NCT00034216 (ctgov_page.json) repeat trials.jsonl: duplicates
    assert len(recs) == 4 + 2 + 2
    ids = [r["trial_id"] for r in recs]
    assert ids.count("NCT00005095") == ids.count("NCT00034216") == 1
    errs = [r for r in recs if r["error"]]
    assert [(e["error"]["file"], e["error"]["line"]) for e in errs] == [(str(bad), 1), (str(bad), 2)]
    s = json.loads(summary.read_text())
    assert (s["read"], s["ok"], s["error"], s["duplicates"], s["cached"]) == (10, 6, 2, 2, 0)
    assert sum(s["criteria_per_kind"].values()) == s["criteria"] > 0
    assert s["error_types"] == {"InputError": 2}
    assert s["wall_s"] > 0 and s["trials_per_s"] > 0
    assert "done: 8 written" in res.stderr
    ct = next(r for r in recs if r["trial_id"] == "NCT00050752")
    assert ct["registry"]["phases"] and ct["source"].startswith(str(DATA / "ctgov_page.json"))


def test_csv_input_custom_fields_to_stdout(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "extract",
            str(DATA / "custom.csv"),
            "--id-field",
            "trial",
            "--text-field",
            "criteria_text",
            "--no-cache",
            "-q",
            "--workers",
            "0",
        ],
    )
    assert res.exit_code == 0 and res.stderr == ""
    recs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["trial_id"] for r in recs] == ["NCT00050752", "NCT00131014"]
    assert recs[0]["registry"]["sex"]


def test_stdin_input(tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["extract", "-", "--no-cache", "-q", "--workers", "0"], input=(DATA / "trials.jsonl").read_bytes()
    )
    assert res.exit_code == 0
    assert len(res.stdout.splitlines()) == 4


def test_csv_and_json_formats(tmp_path: Path) -> None:
    args = ["extract", str(DATA / "trials.jsonl"), "--no-cache", "-q", "--workers", "0"]
    assert runner.invoke(app, [*args, "-o", str(tmp_path / "out.csv")]).exit_code == 0
    assert runner.invoke(app, [*args, "-o", str(tmp_path / "out.txt"), "--format", "json"]).exit_code == 0
    with (tmp_path / "out.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["trial_id"] for r in rows} == {r["trial_id"] for r in json.loads((tmp_path / "out.txt").read_text())}
    assert len(rows) == sum(len(r["criteria"]) for r in json.loads((tmp_path / "out.txt").read_text()))
    # rerun: resumed, nothing added, still valid
    res = runner.invoke(app, [*args, "-o", str(tmp_path / "out.txt"), "--format", "json"])
    assert res.exit_code == 0
    assert len(json.loads((tmp_path / "out.txt").read_text())) == 4


def test_resume_after_interruption_every_id_once(tmp_path: Path) -> None:
    recs = synthetic(30)
    half = write_jsonl(tmp_path / "half.jsonl", recs[:15])
    full = write_jsonl(tmp_path / "full.jsonl", recs)
    out = tmp_path / "out.jsonl"
    base = ["--no-cache", "-q", "--workers", "0", "-o", str(out)]
    assert runner.invoke(app, ["extract", str(half), *base]).exit_code == 0
    with out.open("ab") as f:  # and a torn record at the end, as a crash would leave
        f.write(b'{"schema_version":1,"trial_id":"SYN00015","text_')
    summary = tmp_path / "s.json"
    res = runner.invoke(
        app, ["extract", str(full), "--no-cache", "--workers", "0", "-o", str(out), "--summary", str(summary)]
    )
    assert res.exit_code == 0
    assert "torn trailing record" in res.stderr and "resuming, 15 trials already done" in res.stderr
    ids = [r["trial_id"] for r in _lines(out)]
    assert sorted(ids) == sorted(r["nct_id"] for r in recs) and len(ids) == 30
    s = json.loads(summary.read_text())
    assert (s["skipped"], s["ok"]) == (15, 15)


def test_cache_hit_on_rerun(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(20))
    cache = tmp_path / "c.sqlite"
    args = ["extract", str(inp), "--cache", str(cache), "-q", "--workers", "0"]
    assert runner.invoke(app, [*args, "-o", str(tmp_path / "a.jsonl")]).exit_code == 0
    res = runner.invoke(app, [*args, "-o", str(tmp_path / "b.jsonl"), "--summary", str(tmp_path / "s.json")])
    assert res.exit_code == 0
    s = json.loads((tmp_path / "s.json").read_text())
    assert (s["cached"], s["ok"]) == (20, 20)
    assert (tmp_path / "a.jsonl").read_text() == (tmp_path / "b.jsonl").read_text()


def test_default_cache_location_and_no_cache(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(3))
    default = Path(os.environ["XDG_CACHE_HOME"]) / "eligibility-extractor" / "cache.sqlite"
    assert (
        runner.invoke(
            app, ["extract", str(inp), "-q", "--workers", "0", "--no-cache", "-o", str(tmp_path / "a.jsonl")]
        ).exit_code
        == 0
    )
    assert not default.exists()
    assert (
        runner.invoke(app, ["extract", str(inp), "-q", "--workers", "0", "-o", str(tmp_path / "b.jsonl")]).exit_code
        == 0
    )
    assert default.exists()


def test_retry_errors(tmp_path: Path) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"nct_id": "E1", "eligibility_criteria": ""}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["extract", str(inp), "-q", "--workers", "0", "--no-cache", "-o", str(out)]
    assert runner.invoke(app, args).exit_code == 1  # an error record: exit 1
    inp.write_text('{"nct_id": "E1", "eligibility_criteria": "Inclusion Criteria:\\n* ECOG 0-1"}\n', encoding="utf-8")
    assert runner.invoke(app, args).exit_code == 1  # plain resume: E1 is done, as an error kept in the output
    assert [r["error"] is not None for r in _lines(out)] == [True]
    assert runner.invoke(app, [*args, "--retry-errors"]).exit_code == 0
    recs = _lines(out)
    assert len(recs) == 1 and recs[0]["error"] is None and recs[0]["criteria"]


def test_dry_run_makes_no_calls(tmp_path: Path, fake_server: FakeOpenAI) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(10))
    out = tmp_path / "out.jsonl"
    res = runner.invoke(
        app,
        [
            "extract",
            str(inp),
            "--backend",
            "llm",
            "--base-url",
            fake_server.base_url,
            "--model",
            "gpt-4o-mini",
            "--dry-run",
            "-o",
            str(out),
            "--no-cache",
        ],
    )
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["to_extract"] == 10 and report["requests"] >= 10
    assert report["estimated_prompt_tokens"] > 0 and report["estimated_prompt_cost_usd"] > 0
    assert "dry run" in res.stderr
    assert fake_server.requests == [] and not out.exists()


def test_bad_options_exit_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["extract", str(DATA / "trials.jsonl"), "--backend", "magic", "--no-cache"])
    assert res.exit_code == 2 and "'magic' is not one of 'rules', 'llm', 'hybrid'" in " ".join(
        res.stderr.replace("│", "").split()
    )
    res = runner.invoke(app, ["extract", str(DATA / "trials.jsonl"), "--backend", "llm", "--no-cache"])
    assert res.exit_code == 2 and "needs an endpoint" in res.stderr
    res = runner.invoke(app, ["extract", str(DATA / "trials.jsonl"), "--format", "xml", "--no-cache"])
    assert res.exit_code == 2


def test_llm_backend_against_fake_server(tmp_path: Path, fake_server: FakeOpenAI) -> None:
    """--backend llm against an endpoint; the key never shows; a rerun is all cache."""
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(12))
    env = {**os.environ, "OPENAI_BASE_URL": fake_server.base_url, "OPENAI_API_KEY": "sk-test-SECRET123456789"}
    cache = str(tmp_path / "c.sqlite")
    res = cli(
        "extract",
        str(inp),
        "--backend",
        "llm",
        "-o",
        str(tmp_path / "a.jsonl"),
        "--cache",
        cache,
        "--concurrency",
        "4",
        "--summary",
        str(tmp_path / "s.json"),
        env=env,
    )
    assert res.returncode == 0, res.stderr
    assert "backend llm" in res.stderr and "SECRET" not in res.stderr + res.stdout
    recs = _lines(tmp_path / "a.jsonl")
    assert len(recs) == 12 and all(r["provenance"]["backend"] == "llm" for r in recs)  # type: ignore[index]
    assert "SECRET" not in (tmp_path / "a.jsonl").read_text()
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["ok"] == 12 and s["usage"]["prompt_tokens"] > 0 and s["llm_calls"] == fake_server.chat_calls
    calls = fake_server.chat_calls
    res = cli(
        "extract",
        str(inp),
        "--backend",
        "llm",
        "-o",
        str(tmp_path / "b.jsonl"),
        "--cache",
        cache,
        "--summary",
        str(tmp_path / "s2.json"),
        env=env,
    )
    assert res.returncode == 0
    assert json.loads((tmp_path / "s2.json").read_text())["cached"] == 12
    assert fake_server.chat_calls == calls


def _wait_for_lines(path: Path, n: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= n:
            return
        time.sleep(0.002)


def _popen(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from extractor.cli import main; main()", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def test_kill_9_then_resume_every_trial_once(tmp_path: Path) -> None:
    n = 400
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(n))
    out = tmp_path / "out.jsonl"
    args = ["extract", str(inp), "-o", str(out), "--no-cache", "--workers", "2", "--quiet"]
    proc = _popen(args)
    try:
        _wait_for_lines(out, 40, proc)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its worker processes
    finally:
        proc.wait(30)
        assert proc.stderr is not None
        proc.stderr.close()
    done = out.read_bytes().count(b"\n")
    assert 40 <= done < n
    res = cli(*args)
    assert res.returncode == 0, res.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["trial_id"] for line in lines]  # every line valid JSON
    assert len(ids) == len(set(ids)) == n


def test_sigint_stops_cleanly_then_resume(tmp_path: Path) -> None:
    n = 400
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(n))
    out = tmp_path / "out.jsonl"
    args = ["extract", str(inp), "-o", str(out), "--no-cache", "--workers", "2", "--summary", str(tmp_path / "s.json")]
    proc = _popen(args)
    try:
        _wait_for_lines(out, 40, proc)
        assert proc.poll() is None, "the run finished before it could be interrupted"
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        code = proc.wait(60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        proc.stderr.close()
    assert code == 130, err
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["interrupted"] and s["ok"] == out.read_bytes().count(b"\n") < n
    assert out.read_bytes().endswith(b"\n")
    res = cli(*args)
    assert res.returncode == 0
    ids = [json.loads(line)["trial_id"] for line in out.read_text().splitlines()]
    assert len(ids) == len(set(ids)) == n


def test_directory_input(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(DATA / "NCT_TXT_1.txt", d)
    shutil.copy(DATA / "ctgov_list.json", d)
    res = runner.invoke(app, ["extract", str(d), "--no-cache", "-q", "--workers", "0"])
    assert res.exit_code == 0
    assert sorted(json.loads(x)["trial_id"] for x in res.stdout.splitlines()) == [
        "NCT00026884",
        "NCT00033137",
        "NCT_TXT_1",
    ]


def test_sigint_on_the_llm_path(tmp_path: Path, fake_server: FakeOpenAI) -> None:
    """Ctrl-C stops reading, lets the requests in flight finish, writes them, exits 130; a rerun completes."""
    fake_server.delay_s = 0.1
    n = 60
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(n))
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "OPENAI_BASE_URL": fake_server.base_url}
    args = [
        "extract",
        str(inp),
        "--backend",
        "llm",
        "-o",
        str(out),
        "--no-cache",
        "--concurrency",
        "4",
        "--summary",
        str(tmp_path / "s.json"),
    ]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from extractor.cli import main; main()", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_lines(out, 4, proc)
        assert proc.poll() is None, "the run finished before it could be interrupted"
        calls_at_signal = fake_server.chat_calls
        proc.send_signal(signal.SIGINT)
        code = proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        proc.stderr.close()
    assert code == 130, err
    s = json.loads((tmp_path / "s.json").read_text())
    written = [json.loads(line)["trial_id"] for line in out.read_text().splitlines()]
    assert s["interrupted"] and s["ok"] == len(written) < n
    assert fake_server.chat_calls <= calls_at_signal + 4  # nothing new started after Ctrl-C
    res = cli(*args, env=env)
    assert res.returncode == 0, res.stderr
    ids = [json.loads(line)["trial_id"] for line in out.read_text().splitlines()]
    assert len(ids) == len(set(ids)) == n
