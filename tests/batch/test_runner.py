"""BatchRunner: concurrency bound, stop, error records, cache, duplicates, pool vs in-process, dry run."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest

from extractor import extract
from extractor.batch import BatchRunner, ResultCache, RunOptions
from extractor.batch.runner import _rules_one as _real_rules_one
from extractor.errors import InputError, TransportError
from extractor.io import RecordWriter, read_inputs, scan_output
from extractor.llm.config import LLMConfig
from extractor.models import CriteriaSet, TokenUsage, Trial
from tests.batch.conftest import synthetic, write_jsonl

LLM = LLMConfig(base_url="http://127.0.0.1:9/v1", model="gpt-4o-mini")


class FakeLLM:
    """An async extract function: rules result relabelled as llm, with usage; records max in-flight."""

    def __init__(self, delay: float = 0.005, fail: set[str] | None = None) -> None:
        self.delay, self.fail = delay, fail or set()
        self.in_flight = self.max_in_flight = self.calls = 0

    async def __call__(self, trial: Trial) -> CriteriaSet:
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            if trial.trial_id in self.fail:
                raise TransportError("503 after retries", trial_id=trial.trial_id, attempts=4)
            result = extract(trial)
            result.provenance.backend = "llm"
            result.provenance.usage = TokenUsage(prompt_tokens=1000, completion_tokens=100, total_tokens=1100)
            result.provenance.llm_calls = 1
            return result
        finally:
            self.in_flight -= 1


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["trial_id"] for line in path.read_text().splitlines()]


def test_concurrency_bound_is_respected(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(60))
    fake = FakeLLM()
    with RecordWriter(tmp_path / "out.jsonl") as w:
        runner = BatchRunner(RunOptions(backend="llm", llm=LLM, concurrency=7), w, extract_fn=fake)
        summary = runner.run(read_inputs([str(inp)]), handle_sigint=False)
    assert fake.max_in_flight == 7
    assert summary.ok == 60 and summary.error == 0
    assert summary.usage.prompt_tokens == 60_000 and summary.llm_calls == 60
    assert summary.cost_usd == pytest.approx(60 * (1000 * 0.15 + 100 * 0.60) / 1e6)
    assert sorted(_ids(tmp_path / "out.jsonl")) == [f"SYN{i:05d}" for i in range(60)]


def test_failures_become_error_records_and_the_run_goes_on(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(20))
    fake = FakeLLM(fail={"SYN00003", "SYN00011"})
    out = tmp_path / "out.jsonl"
    with RecordWriter(out) as w:
        summary = BatchRunner(RunOptions(backend="llm", llm=LLM), w, extract_fn=fake).run(
            read_inputs([str(inp)]), handle_sigint=False
        )
    assert (summary.ok, summary.error, summary.error_types) == (18, 2, {"TransportError": 2})
    errors = [json.loads(line) for line in out.read_text().splitlines() if '"error":null' not in line]
    assert {e["trial_id"] for e in errors} == {"SYN00003", "SYN00011"}
    assert errors[0]["error"]["attempts"] == 4 and errors[0]["source"].endswith(
        f"in.jsonl:{4 if errors[0]['trial_id'] == 'SYN00003' else 12}"
    )


def test_stop_writes_in_flight_and_marks_interrupted(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(50))
    out = tmp_path / "out.jsonl"
    runner: BatchRunner

    class Stopper(FakeLLM):
        async def __call__(self, trial: Trial) -> CriteriaSet:
            if self.calls == 10:
                runner.request_stop()
            return await super().__call__(trial)

    fake = Stopper(delay=0.01)
    with RecordWriter(out) as w:
        runner = BatchRunner(RunOptions(backend="llm", llm=LLM, concurrency=4), w, extract_fn=fake)
        summary = runner.run(read_inputs([str(inp)]), handle_sigint=False)
    assert summary.interrupted
    assert summary.ok == fake.calls == len(_ids(out))  # everything started was written
    assert 10 < fake.calls < 50
    # resume: the rest, each id once
    skip = scan_output(out, "jsonl").ids
    with RecordWriter(out) as w:
        summary2 = BatchRunner(RunOptions(backend="llm", llm=LLM), w, skip_ids=skip, extract_fn=FakeLLM()).run(
            read_inputs([str(inp)]), handle_sigint=False
        )
    assert summary2.skipped == len(skip) and not summary2.interrupted
    ids = _ids(out)
    assert len(ids) == len(set(ids)) == 50


def test_cache_hits_skip_extraction(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(15))
    with ResultCache(tmp_path / "c.sqlite") as cache:
        fake = FakeLLM()
        with RecordWriter(tmp_path / "a.jsonl") as w:
            s1 = BatchRunner(RunOptions(backend="llm", llm=LLM), w, cache=cache, extract_fn=fake).run(
                read_inputs([str(inp)]), handle_sigint=False
            )
        assert (s1.cached, fake.calls) == (0, 15)
        fake2 = FakeLLM()
        with RecordWriter(tmp_path / "b.jsonl") as w:
            s2 = BatchRunner(RunOptions(backend="llm", llm=LLM), w, cache=cache, extract_fn=fake2).run(
                read_inputs([str(inp)]), handle_sigint=False
            )
        assert (s2.cached, s2.ok, fake2.calls) == (15, 15, 0)
        assert s2.usage.total_tokens == 0 and s2.cost_usd == 0
        # another model is another key
        fake3 = FakeLLM()
        other = RunOptions(backend="llm", llm=LLM.model_copy(update={"model": "gpt-4o"}))
        with RecordWriter(tmp_path / "c.jsonl") as w:
            s3 = BatchRunner(other, w, cache=cache, extract_fn=fake3).run(read_inputs([str(inp)]), handle_sigint=False)
        assert s3.cached == 0 and fake3.calls == 15
    a = sorted(Path(tmp_path / "a.jsonl").read_text().splitlines())
    b = sorted(Path(tmp_path / "b.jsonl").read_text().splitlines())
    assert a == b  # a cache hit writes the same record


def test_duplicates_and_bad_records(tmp_path: Path) -> None:
    recs = synthetic(5)
    inp = tmp_path / "in.jsonl"
    write_jsonl(inp, [*recs, recs[1]])
    with inp.open("a") as f:
        f.write("{oops\n")
    with RecordWriter(tmp_path / "out.jsonl") as w:
        s = BatchRunner(RunOptions(workers=0), w).run(read_inputs([str(inp)]), handle_sigint=False)
    assert (s.read, s.ok, s.error, s.duplicates) == (7, 5, 1, 1)
    assert _ids(tmp_path / "out.jsonl")[-1] == f"{inp}:7"


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_pool_and_in_process_write_the_same_records(tmp_path: Path, start_method: str) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(100))
    outs = []
    for workers in (0, 2):
        out = tmp_path / f"out{workers}.jsonl"
        opts = RunOptions(workers=workers, chunk_size=8, start_method=start_method)  # type: ignore[arg-type]
        with RecordWriter(out) as w:
            s = BatchRunner(opts, w).run(read_inputs([str(inp)]), handle_sigint=False)
        assert s.ok == 100 and s.criteria > 0
        outs.append([json.loads(line) for line in out.read_text().splitlines()])
    # same order and shape (content is compared loosely: worker processes import the rules afresh)
    assert [r["trial_id"] for r in outs[0]] == [r["trial_id"] for r in outs[1]]
    assert all(r["criteria"] and r["error"] is None for o in outs for r in o)


def test_dry_run_calls_nothing(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(12))
    fake = FakeLLM()
    runner = BatchRunner(RunOptions(backend="llm", llm=LLM), None, extract_fn=fake, skip_ids={"SYN00000"})
    report = runner.dry_run(read_inputs([str(inp), str(tmp_path / "missing.jsonl")]))
    assert fake.calls == 0
    assert (report.trials, report.bad_records, report.skipped, report.to_extract) == (12, 1, 1, 11)
    assert report.requests >= 11 and report.estimated_prompt_tokens > 11 * 100
    assert report.estimated_prompt_cost_usd == pytest.approx(report.estimated_prompt_tokens * 0.15 / 1e6, abs=1e-6)


def test_input_error_records_are_resumable(tmp_path: Path) -> None:
    with RecordWriter(tmp_path / "out.jsonl") as w:
        BatchRunner(RunOptions(workers=0), w).run(
            iter([InputError("bad", file="f.jsonl", line=3)]), handle_sigint=False
        )
    skip = scan_output(tmp_path / "out.jsonl", "jsonl").ids
    assert skip == {"f.jsonl:3"}
    s = BatchRunner(RunOptions(workers=0), None, skip_ids=skip).run(
        iter([InputError("bad", file="f.jsonl", line=3)]), handle_sigint=False
    )
    assert s.skipped == 1 and s.error == 0


def test_cache_key_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.batch import cache as cache_mod

    k_rules = cache_mod.cache_key("s" * 64, "rules")
    k_llm = cache_mod.cache_key("s" * 64, "llm", model="m", prompt_hash="p")
    assert k_rules != k_llm != cache_mod.cache_key("s" * 64, "llm", model="m", prompt_hash="q")
    monkeypatch.setattr(cache_mod, "vocab_hash", lambda: "edited")
    assert cache_mod.cache_key("s" * 64, "rules") != k_rules  # rules results follow the vocabulary
    assert cache_mod.cache_key("s" * 64, "llm", model="m", prompt_hash="p") == k_llm  # llm results survive it
    monkeypatch.setattr(cache_mod, "__version__", "9.9")
    assert cache_mod.cache_key("s" * 64, "llm", model="m", prompt_hash="p") != k_llm


def test_hybrid_cache_key_follows_the_routing() -> None:
    """A hybrid result depends on which items were sent: other routing settings must not hit the old entries."""
    base = LLMConfig(base_url="http://127.0.0.1:9/v1", api_key="k")
    other = base.model_copy(update={"routing": base.routing.model_copy(update={"long_item_chars": None})})

    def key(backend: str, llm: LLMConfig) -> str:
        return BatchRunner(RunOptions(backend=backend, llm=llm), None)._key("s" * 64)  # type: ignore[arg-type]

    assert key("hybrid", base) != key("hybrid", other)
    assert key("llm", base) == key("llm", other)  # llm sends every item: routing does not shape its result


def test_rate_limiter_paces_the_run(tmp_path: Path) -> None:
    """rpm=60 (burst 6, then 0.9 request/s): 12 one-request trials wait (12 - 6) / 0.9 s on the fake clock."""
    from extractor.batch import RateLimiter

    now = {"t": 0.0}

    async def fake_sleep(s: float) -> None:
        now["t"] += s

    limiter = RateLimiter(rpm=60, tpm=10**9, clock=lambda: now["t"], sleep=fake_sleep)
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(12))
    fake = FakeLLM(delay=0)
    with RecordWriter(tmp_path / "out.jsonl") as w:
        s = BatchRunner(
            RunOptions(backend="llm", llm=LLM, concurrency=1, rpm=60), w, extract_fn=fake, limiter=limiter
        ).run(read_inputs([str(inp)]), handle_sigint=False)
    assert s.ok == 12
    assert now["t"] == pytest.approx((12 - 6) / 0.9)
    assert s.rate_limit_wait_s == pytest.approx((12 - 6) / 0.9, abs=1e-3)


def test_small_runs_stay_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extractor.batch.runner as runner_mod

    def no_pool(*a: object, **k: object) -> None:
        raise AssertionError("no worker processes for a small run")

    monkeypatch.setattr(runner_mod, "ProcessPoolExecutor", no_pool)
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(runner_mod.SMALL_RUN - 1))
    s = BatchRunner(RunOptions(workers=2), None).run(read_inputs([str(inp)]), handle_sigint=False)
    assert s.ok == runner_mod.SMALL_RUN - 1


def test_request_estimate_tracks_the_backend() -> None:
    """The cheap estimate counts the requests build_requests renders and their size within a few percent."""
    from extractor.batch.estimate import estimate_requests
    from extractor.batch.ratelimit import estimate_tokens
    from extractor.llm.backend import build_requests

    def _body_chars(body: dict[str, Any]) -> int:
        return len(json.dumps(body["messages"], ensure_ascii=False)) + len(json.dumps(body["response_format"]))

    config = LLMConfig(items_per_call=3)
    long_item = "* " + "Adequate organ function with many conditions listed here. " * 250 + "\n"
    texts = [synthetic(1)[0]["eligibility_criteria"], "Inclusion Criteria:\n" + long_item * 3, "no items?", ""]
    for i, text in enumerate(texts):
        trial = Trial(trial_id=f"T{i}", text=text or " ")
        bodies = build_requests(trial, config)
        n, tokens = estimate_requests(trial, config)
        assert n == len(bodies)
        real = estimate_tokens(sum(map(_body_chars, bodies)))
        assert tokens == pytest.approx(real, rel=0.05, abs=5)


def test_an_unwritable_output_stops_the_async_run(tmp_path: Path) -> None:
    """A write failure (disk full...) is not swallowed by the task group: the run stops and raises it."""
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(30))

    class Full(RecordWriter):
        def write_body(self, body: str) -> None:
            if self.written >= 5:
                raise OSError(28, "No space left on device")
            super().write_body(body)

    fake = FakeLLM()
    with Full(tmp_path / "out.jsonl") as w, pytest.raises(OSError, match="No space"):
        BatchRunner(RunOptions(backend="llm", llm=LLM, concurrency=3), w, extract_fn=fake).run(
            read_inputs([str(inp)]), handle_sigint=False
        )
    assert fake.calls < 30  # it stopped reading
    assert len(_ids(tmp_path / "out.jsonl")) == 5


def _crashing_rules_one(trial: Trial, sha: str, fmt: str, include_text: bool, cacheable: bool = True) -> object:
    if trial.trial_id == "SYN00070":
        os._exit(3)  # a worker process dying (segfault, OOM kill) on this trial
    return _real_rules_one(trial, sha, fmt, include_text, cacheable)  # type: ignore[arg-type]


def test_a_trial_that_kills_its_worker_becomes_an_error_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from multiprocessing import get_context

    import extractor.batch.runner as runner_mod

    monkeypatch.setattr(runner_mod, "_rules_one", _crashing_rules_one)  # inherited by forked workers
    monkeypatch.setattr(runner_mod, "get_context", lambda method: get_context("fork"))  # rebuilt pools too
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(200))
    out = tmp_path / "out.jsonl"
    with RecordWriter(out) as w:
        s = BatchRunner(RunOptions(workers=2, chunk_size=16, start_method="fork"), w).run(
            read_inputs([str(inp)]), handle_sigint=False
        )
    recs = {json.loads(line)["trial_id"]: json.loads(line) for line in out.read_text().splitlines()}
    assert len(recs) == 200 and (s.ok, s.error) == (199, 1)
    assert recs["SYN00070"]["error"]["message"].startswith("the worker process died")


@pytest.mark.parametrize("backend", ["rules", "llm"])
def test_a_trial_over_the_size_limit_is_an_error_record_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    """The library's text-size limit holds in the batch path too, whatever produced the trial: no extraction."""
    import extractor.batch.runner as runner_mod
    from extractor.api import MAX_TEXT_CHARS

    extracted: list[str] = []

    def spy(trial: Trial, sha: str, fmt: str, include_text: bool, cacheable: bool = True) -> object:
        extracted.append(trial.trial_id)
        small = trial.model_copy(update={"text": trial.text[:100]})
        return _real_rules_one(small, sha, fmt, include_text, cacheable)  # type: ignore[arg-type]

    monkeypatch.setattr(runner_mod, "_rules_one", spy)
    fake = FakeLLM(delay=0)
    texts = {
        "BIG": "Inclusion Criteria:\n* Age >= 18 years\n" + "x" * MAX_TEXT_CHARS,  # over the limit
        "EDGE": ("Inclusion Criteria:\n* Age >= 18 years " + "x" * MAX_TEXT_CHARS)[:MAX_TEXT_CHARS],  # at it
        "SMALL": "Inclusion Criteria:\n* Age >= 18 years\n",
    }
    trials = [Trial(trial_id=tid, text=text, source=f"in.jsonl:{i}") for i, (tid, text) in enumerate(texts.items(), 1)]
    out = tmp_path / "out.jsonl"
    opts = RunOptions(backend="llm", llm=LLM) if backend == "llm" else RunOptions(workers=0)
    with RecordWriter(out) as w:
        s = BatchRunner(opts, w, extract_fn=fake if backend == "llm" else None).run(iter(trials), handle_sigint=False)
    assert (s.ok, s.error, s.error_types) == (2, 1, {"InputError": 1})
    err = json.loads(out.read_text().splitlines()[0])
    assert err["trial_id"] == "BIG" and err["source"] == "in.jsonl:1"
    assert (err["error"]["file"], err["error"]["line"], err["error"]["field"]) == ("in.jsonl", 1, "text")
    assert str(MAX_TEXT_CHARS) in err["error"]["message"]
    assert "BIG" not in extracted and fake.calls == (2 if backend == "llm" else 0)
