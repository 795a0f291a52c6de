"""The rules path's process pool: a pool that breaks on submit, and workers that outlive their parent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pytest

import extractor.batch.runner as runner_mod
from extractor.batch import BatchRunner, RunOptions
from extractor.io import RecordWriter, read_inputs
from tests.batch.conftest import synthetic, write_jsonl
from tests.batch.test_runner import _crashing_rules_one


def _run(tmp_path: Path, n: int) -> tuple[dict[str, Any], int, int]:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(n))
    out = tmp_path / "out.jsonl"
    with RecordWriter(out) as w:
        s = BatchRunner(RunOptions(workers=2, chunk_size=16, start_method="fork"), w).run(
            read_inputs([str(inp)]), handle_sigint=False
        )
    lines = out.read_text().splitlines()
    recs = {json.loads(line)["trial_id"]: json.loads(line) for line in lines}
    assert len(recs) == len(lines)  # every trial once
    return recs, s.ok, s.error


def test_a_pool_that_broke_before_submit_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race, made deterministic: a worker dies (kill -9) and the pool notices *before* the next submit, so
    ``submit`` itself raises BrokenProcessPool. The run isolates the lost chunks and goes on with a new pool."""
    pools: list[ProcessPoolExecutor] = []

    class RacyPool(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            pools.append(self)
            self.submits = 0

        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            self.submits += 1
            if self is pools[0] and self.submits == 3:
                os.kill(next(iter(self._processes)), signal.SIGKILL)
                deadline = time.monotonic() + 10
                while not self._broken and time.monotonic() < deadline:
                    time.sleep(0.005)
                assert self._broken
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(runner_mod, "ProcessPoolExecutor", RacyPool)
    monkeypatch.setattr(runner_mod, "get_context", lambda method: get_context("fork"))  # rebuilt pools too
    recs, ok, error = _run(tmp_path, 200)
    assert len(recs) == 200 and (ok, error) == (200, 0)  # the killed worker's trials were redone, not lost
    assert len(pools) >= 3  # the first pool, at least one isolation worker, the new pool


def test_a_worker_lost_between_trials_in_isolation_blames_no_trial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In isolation (one worker, one trial at a time) a pool already broken at submit is not the trial's fault:
    only the trial that kills its worker becomes an error record."""
    solo_submits: list[int] = []

    class FlakySoloPool(ProcessPoolExecutor):
        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            if self._max_workers == 1:  # type: ignore[attr-defined]
                solo_submits.append(1)
                if len(solo_submits) == 1:
                    raise BrokenProcessPool("a worker died between trials")
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(runner_mod, "_rules_one", _crashing_rules_one)
    monkeypatch.setattr(runner_mod, "ProcessPoolExecutor", FlakySoloPool)
    monkeypatch.setattr(runner_mod, "get_context", lambda method: get_context("fork"))
    recs, ok, error = _run(tmp_path, 200)
    assert len(recs) == 200 and (ok, error) == (199, 1)
    assert recs["SYN00070"]["error"]["message"].startswith("the worker process died")


_CHILD = """
import os, sys, time
from pathlib import Path
import extractor.batch.runner as runner_mod
from extractor.batch import BatchRunner, RunOptions
from extractor.io import read_inputs

real, pid_dir = runner_mod._rules_one, Path(sys.argv[2])

def slow(trial, sha, fmt, include_text, cacheable=True):
    (pid_dir / str(os.getpid())).touch()
    time.sleep(0.5)
    return real(trial, sha, fmt, include_text, cacheable)

runner_mod._rules_one = slow
BatchRunner(RunOptions(workers=2, chunk_size=1, start_method="fork"), None).run(
    read_inputs([sys.argv[1]]), handle_sigint=False
)
"""


def _alive(pid: int) -> bool:
    """A process that runs (a zombie waiting for a reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_when_the_parent_dies(tmp_path: Path, sig: signal.Signals) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(200))
    pid_dir = tmp_path / "pids"
    pid_dir.mkdir()
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(_CHILD))
    child = subprocess.Popen(
        [sys.executable, str(script), str(inp), str(pid_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.02)
            workers = [int(p.name) for p in pid_dir.iterdir()]
        assert len(workers) == 2, child.communicate()[1].decode() if child.poll() is not None else "no workers"
        child.send_signal(sig)
        child.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not any(map(_alive, workers))
        child.communicate(timeout=5)  # nobody holds the pipes any more: EOF
    finally:
        child.kill()
        for pid in workers:  # leave nothing behind when the test fails
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
