"""ResultCache: a corrupt database file is a miss with one warning and is rebuilt; degraded results are never cached."""

from __future__ import annotations

import json
import logging
import random
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor import extract
from extractor.batch import BatchRunner, ResultCache, RunOptions
from extractor.cli import app
from extractor.io import RecordWriter, read_inputs
from extractor.llm.config import LLMConfig
from extractor.models import CriteriaSet, Trial
from tests.batch.conftest import synthetic, write_jsonl

LLM = LLMConfig(base_url="http://127.0.0.1:9/v1", model="gpt-4o-mini")


def _filled(path: Path, n: int = 300) -> list[tuple[str, Trial]]:
    trials = [Trial(trial_id=r["nct_id"], text=r["eligibility_criteria"]) for r in synthetic(n)]
    with ResultCache(path) as cache:
        for t in trials:
            cache.put(f"key-{t.trial_id}", extract(t))
    return [(f"key-{t.trial_id}", t) for t in trials]


def _smash(path: Path, seed: int, where: float = 0.5, size: int = 4096) -> None:
    """Random bytes in the middle of the file (a bad sector, a torn copy, a hostile user)."""
    rnd = random.Random(seed)
    at = int(path.stat().st_size * where)
    with path.open("r+b") as f:
        f.seek(at)
        f.write(bytes(rnd.randrange(256) for _ in range(size)))


def _cache_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "extractor.batch.cache"]


@pytest.mark.parametrize(("seed", "where"), [(1, 0.5), (2, 0.3), (3, 0.75), (4, 0.0)])
def test_corrupt_file_is_a_miss_with_one_warning_and_is_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, seed: int, where: float
) -> None:
    path = tmp_path / "c.sqlite"
    entries = _filled(path)
    _smash(path, seed, where)
    caplog.set_level(logging.WARNING, logger="extractor.batch.cache")
    with ResultCache(path) as cache:
        results = [cache.get(key, trial) for key, trial in entries]  # never raises
        assert cache.hits + cache.misses == len(entries)
        # rebuilt: a fresh, valid database that takes new entries
        cache.put(entries[0][0], extract(entries[0][1]))
        cache.commit()
        assert cache.get(*entries[0]) is not None
    warnings = _cache_warnings(caplog)
    if any(r is None for r in results) or warnings:
        assert len(warnings) == 1 and str(path) in warnings[0] and "rebuil" in warnings[0]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_garbage_file_is_rebuilt_not_a_config_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    caplog.set_level(logging.WARNING, logger="extractor.batch.cache")
    with ResultCache(path) as cache:
        assert cache.get_raw("k") is None
        cache.put_raw("k", "{}")
        cache.commit()
        assert cache.get_raw("k") == "{}"
    assert len(_cache_warnings(caplog)) == 1


def test_cli_rerun_over_a_corrupt_cache_completes(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Before: a DatabaseError / OperationalError traceback mid-run, on every rerun."""
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(300))
    cache = tmp_path / "c.sqlite"
    args = ["extract", str(inp), "--cache", str(cache), "--workers", "0"]
    runner = CliRunner()
    assert runner.invoke(app, [*args, "-q", "-o", str(tmp_path / "a.jsonl")]).exit_code == 0
    _smash(cache, seed=1)
    caplog.set_level(logging.WARNING, logger="extractor.batch.cache")
    summaries, warned = [], []
    for out in ("b.jsonl", "c.jsonl"):
        res = runner.invoke(app, [*args, "-o", str(tmp_path / out), "--summary", str(tmp_path / "s.json")])
        assert res.exit_code == 0, res.output
        assert res.exception is None
        assert len((tmp_path / out).read_text().splitlines()) == 300
        summaries.append(json.loads((tmp_path / "s.json").read_text()))
        warned.append(len(_cache_warnings(caplog)))
        caplog.clear()
    first, second = summaries
    assert warned == [1, 0]  # one warning, then a healthy file
    assert first["cached"] < 300  # hits until the damage was met, then misses into a rebuilt file
    assert second["cached"] == 300 - first["cached"]  # what the first rerun recomputed is cached again


# ------------------------------------------------------------------------------------------ degraded results


class DegradedThenHealthy:
    """A hybrid extract function: during the outage every result carries a provenance error (rules fallback)."""

    def __init__(self) -> None:
        self.outage = True
        self.calls = 0

    async def __call__(self, trial: Trial) -> CriteriaSet:
        self.calls += 1
        result = extract(trial)
        result.provenance.backend = "hybrid"
        if self.outage:
            result.provenance.errors = ["TransportError: LLM request failed after retries: 503"]
        return result


def test_degraded_results_are_never_cached_and_are_counted(tmp_path: Path) -> None:
    """Before: the outage's rules-only fallbacks were cached; the rerun sent 0 requests and said '10 ok'."""
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(10))
    fake = DegradedThenHealthy()
    opts = RunOptions(backend="hybrid", llm=LLM, circuit_breaker=0)  # the breaker has its own tests
    with ResultCache(tmp_path / "c.sqlite") as cache:
        with RecordWriter(tmp_path / "a.jsonl") as w:
            s1 = BatchRunner(opts, w, cache=cache, extract_fn=fake).run(read_inputs([str(inp)]), handle_sigint=False)
        assert (s1.ok, s1.degraded, s1.error) == (10, 10, 0)
        assert len(cache) == 0
        fake.outage = False
        with RecordWriter(tmp_path / "b.jsonl") as w:
            s2 = BatchRunner(opts, w, cache=cache, extract_fn=fake).run(read_inputs([str(inp)]), handle_sigint=False)
        assert (s2.cached, s2.degraded, fake.calls) == (0, 0, 20)  # the recovered server is asked again
        assert len(cache) == 10


def test_a_busy_write_neither_wipes_the_cache_nor_blocks_later_writes(tmp_path: Path) -> None:
    """Two runs share one cache: a write refused as busy is dropped; the next write works and nothing is deleted."""
    path = tmp_path / "c.sqlite"
    entries = _filled(path)
    with ResultCache(path) as cache:
        assert cache._db is not None
        blocker = sqlite3.connect(path, timeout=0.1, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another run holds the write lock
        cache._db.execute("PRAGMA busy_timeout = 100")
        cache.put_raw("busy", "{}")  # refused as busy: dropped, the transaction rolled back
        blocker.execute("COMMIT")
        blocker.close()
        cache.put_raw("after", "{}")
        cache.commit()
        assert cache.rebuilt == 0 and not cache.disabled
        assert cache.get_raw("after") == "{}" and cache.get_raw(entries[0][0]) is not None


def test_a_failure_that_is_not_damage_disables_the_cache_without_deleting_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "c.sqlite"
    entries = _filled(path)
    caplog.set_level(logging.WARNING, logger="extractor.batch.cache")
    with ResultCache(path) as cache:
        cache._guard(lambda db: db.execute("SELECT * FROM no_such_table"), None)  # an OperationalError, not damage
        assert cache.disabled and cache.rebuilt == 0
        assert cache.get_raw(entries[0][0]) is None  # running without it
    with ResultCache(path) as again:  # the file was left as it was
        assert again.get_raw(entries[0][0]) is not None
    assert len(_cache_warnings(caplog)) == 1
