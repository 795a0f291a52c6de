"""The per-trial time budget of the rules path: a trial that runs too long becomes an error record, the run goes on."""

from __future__ import annotations

import dataclasses
import json
import signal
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pytest

from extractor.batch import BatchRunner, RunOptions
from extractor.errors import ConfigError, ExtractorError, TrialTimeoutError
from extractor.io import RecordWriter, read_inputs
from extractor.kinds import REGISTRY
from extractor.models import Criterion
from extractor.rules.item import ItemContext
from tests.batch.conftest import synthetic, write_jsonl

BUDGET = 0.2
SLOW_WORD = "SLOWPOKE"


def _slow_family(ctx: ItemContext) -> list[Criterion]:
    """A kind extractor that backtracks "forever" (3 s, so a broken watchdog fails the test instead of hanging it)
    on items with the slow word, inside the same ``except Exception`` that guards every real kind."""
    if SLOW_WORD in ctx.item.text:
        deadline = time.perf_counter() + 3.0
        while time.perf_counter() < deadline:  # pure Python CPU work, like a runaway regex
            pass
    return []


def _patch_consent(monkeypatch: pytest.MonkeyPatch, extra: object) -> None:
    """Run ``extra`` after the real ``consent`` extractor (items below mention consent, so the trigger pass runs
    it); the patched registry is inherited by forked workers."""
    spec = REGISTRY["consent"]
    real = spec.extract
    assert real is not None

    def both(ctx: ItemContext) -> list[Criterion]:
        return [*real(ctx), *extra(ctx)]  # type: ignore[operator]

    monkeypatch.setitem(REGISTRY, "consent", dataclasses.replace(spec, extract=both))


@pytest.fixture
def slow_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    _patch_consent(monkeypatch, _slow_family)


def _input(tmp_path: Path, n: int, slow: set[int]) -> Path:
    recs = synthetic(n)
    for rec in recs:
        rec["eligibility_criteria"] += "* Written informed consent\n"
    for i in slow:
        recs[i]["eligibility_criteria"] += f"* {SLOW_WORD} consent and/or and/or and/or\n"
    return write_jsonl(tmp_path / "in.jsonl", recs)


def _run(tmp_path: Path, inp: Path, options: RunOptions, budget: float | None) -> tuple[dict[str, Any], float]:
    out = tmp_path / "out.jsonl"
    t0 = time.perf_counter()
    with RecordWriter(out) as w:
        BatchRunner(options, w, trial_timeout_s=budget).run(read_inputs([str(inp)]), handle_sigint=False)
    elapsed = time.perf_counter() - t0
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    return {r["trial_id"]: r for r in recs}, elapsed


@pytest.mark.usefixtures("slow_rules")
def test_a_slow_trial_in_process_becomes_a_timeout_record(tmp_path: Path) -> None:
    inp = _input(tmp_path, 6, slow={2})
    recs, _ = _run(tmp_path, inp, RunOptions(workers=0), BUDGET)
    assert len(recs) == 6  # the spin was cut short: it would have ended the trial with criteria after 3 s
    err = recs["SYN00002"]["error"]
    assert err["type"] == "TrialTimeoutError" and f"{BUDGET:g} s" in err["message"]
    assert all(r["error"] is None and r["criteria"] for tid, r in recs.items() if tid != "SYN00002")


@pytest.mark.usefixtures("slow_rules")
def test_slow_trials_in_pool_workers_become_timeout_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extractor.batch.runner as runner_mod

    monkeypatch.setattr(runner_mod, "get_context", lambda method: get_context("fork"))  # workers see the slow rule
    inp = _input(tmp_path, 100, slow={5, 70})
    opts = RunOptions(workers=2, chunk_size=8, start_method="fork")
    recs, _ = _run(tmp_path, inp, opts, BUDGET)
    assert len(recs) == 100
    failed = {tid: r["error"]["type"] for tid, r in recs.items() if r["error"] is not None}
    assert failed == {"SYN00005": "TrialTimeoutError", "SYN00070": "TrialTimeoutError"}


@pytest.mark.usefixtures("slow_rules")
def test_the_budget_is_per_trial_and_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _patch_consent(monkeypatch, _short_family)
    inp = _input(tmp_path, 4, slow=set())
    # four trials of 0.4 s each: 1.6 s in all, never 1 s for one of them (room for a loaded machine's own work)
    recs, _ = _run(tmp_path, inp, RunOptions(workers=0), 1.0)
    assert all(r["error"] is None for r in recs.values())
    slow = _input(tmp_path, 2, slow={1})
    recs, elapsed = _run(tmp_path, slow, RunOptions(workers=0), None)
    assert recs["SYN00001"]["error"] is None and elapsed >= 3.0


def _short_family(ctx: ItemContext) -> list[Criterion]:
    if "informed consent" in ctx.item.text:  # once per trial
        time.sleep(0.4)
    return []


def test_the_callers_alarm_handler_is_restored(tmp_path: Path) -> None:
    def mine(signum: int, frame: object) -> None:
        raise AssertionError("no alarm expected")

    previous = signal.signal(signal.SIGALRM, mine)
    try:
        inp = _input(tmp_path, 3, slow=set())
        recs, _ = _run(tmp_path, inp, RunOptions(workers=0), BUDGET)
        assert len(recs) == 3
        assert signal.getsignal(signal.SIGALRM) is mine
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("budget", [0, -1.0])
def test_a_budget_must_be_positive(budget: float) -> None:
    with pytest.raises(ConfigError, match="trial_timeout_s"):
        BatchRunner(RunOptions(workers=0), None, trial_timeout_s=budget)


def test_the_timeout_is_a_typed_library_error() -> None:
    err = TrialTimeoutError("too slow", trial_id="NCT1")
    assert isinstance(err, ExtractorError) and err.trial_id == "NCT1" and "trial_id=NCT1" in str(err)
