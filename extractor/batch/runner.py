"""The one run engine, for batch extraction and the eval: a stream of trials -> one output record each.

    planner  (_triage)    bad record -> error record; resume skip, de-duplicate, size limit, cache lookup
    executor              rules: worker processes (or in-process); llm/hybrid: bounded asyncio + rate limiter
    sink     (RecordSink) the record writer (file / stdout: :func:`extractor.extract_many`) or an in-memory
                          collector (:func:`~extractor.batch.collect.collect_records`: the eval); results also
                          go to the cache

Failures are data: every failed trial becomes an error record built by the one redacting builder
(:func:`extractor.io.writers.error_record`).

* ``rules``: CPU-bound, run in a :class:`~concurrent.futures.ProcessPoolExecutor` (``workers``) on chunks of
  trials; workers format the records, the parent writes them (one writer, no interleaving). Each trial has a time
  budget (``trial_timeout_s``, SIGALRM in the process that runs it); a worker that dies costs only its trial (the
  lost chunks are redone one trial at a time), and workers die with the parent.
* ``llm`` / ``hybrid``: asyncio with at most ``concurrency`` trials in flight and a client-side
  :class:`~extractor.batch.ratelimit.RateLimiter`; transport retries are the LLM backend's business.
* A failure of one trial becomes an error record; the run goes on. :meth:`BatchRunner.request_stop` (SIGINT)
  stops reading input, lets in-flight trials finish and be written, and returns a summary marked interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import itertools
import math
import os
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from types import FrameType

from extractor.api import BACKENDS, MAX_TEXT_CHARS, aextract, run_sync
from extractor.batch.cache import ResultCache, cache_key, text_sha256
from extractor.batch.estimate import (
    TokenCounter,
    Tokenizer,
    estimate_cost,
    estimate_requests,
    estimate_trial,
    price_report,
)
from extractor.batch.models import DryRunReport, ProgressSink, RecordSink, RunOptions, RunSummary, Status
from extractor.batch.ratelimit import RateLimiter
from extractor.batch.workers import _Outcome, _outcome, _rules_one, _safe_outcome, _set_budget, _warm_up, _worker_init
from extractor.errors import ConfigError, ExtractorError, InputError, TransportError
from extractor.io.readers import ReadItem
from extractor.io.writers import OutputFormat, error_record, format_record
from extractor.llm.config import LLMConfig
from extractor.llm.metering import CallMeter, metering
from extractor.models import CriteriaSet, TokenUsage, Trial

__all__ = [
    "BatchRunner",
    "DryRunReport",
    "ExtractFn",
    "ProgressSink",
    "RecordSink",
    "RunOptions",
    "RunSummary",
]

SMALL_RUN = 64
"""Fewer trials than this to extract: the rules backend runs in-process (no worker start-up)."""

DEFAULT_TRIAL_TIMEOUT_S = 10.0
"""The rules backend's default time budget per trial; a trial that runs longer becomes a TrialTimeoutError record."""

ExtractFn = Callable[[Trial], Awaitable[CriteriaSet]]
"""An async extraction function (injectable for tests and alternative backends)."""


def _prompt_hash(config: LLMConfig) -> str:
    from extractor.llm.backend import prompt_hash

    return prompt_hash(config)


# ------------------------------------------------------------------------------------------- tasks for the pool


# The pool's task stays here: it calls this module's _rules_one (from extractor.batch.workers), so a replacement
# set on extractor.batch.runner is the one forked workers run.
def _rules_chunk(
    chunk: list[tuple[Trial, str]], fmt: OutputFormat, include_text: bool, cacheable: bool
) -> list[_Outcome]:
    return [_rules_one(t, sha, fmt, include_text, cacheable) for t, sha in chunk]


_Pending = tuple[Future[list[_Outcome]], list[tuple[Trial, str, str | None]]]
"""A chunk sent to a worker: its future and the trials (with text hash and cache key) it holds."""


def _failed(exc: BaseException) -> Future[list[_Outcome]]:
    future: Future[list[_Outcome]] = Future()
    future.set_exception(exc)
    return future


# --------------------------------------------------------------------------------------------------- runner


class BatchRunner:
    """Runs one batch: reads items, skips what is done, extracts the rest, writes one record per trial.

    ``trial_timeout_s`` is the rules backend's time budget per trial (None: unbounded); a trial that runs longer
    becomes a :class:`~extractor.errors.TrialTimeoutError` record and the run goes on.
    """

    def __init__(
        self,
        options: RunOptions,
        writer: RecordSink | None,
        *,
        cache: ResultCache | None = None,
        skip_ids: set[str] | None = None,
        progress: ProgressSink | None = None,
        extract_fn: ExtractFn | None = None,
        limiter: RateLimiter | None = None,
        trial_timeout_s: float | None = DEFAULT_TRIAL_TIMEOUT_S,
    ) -> None:
        if options.backend not in BACKENDS:
            raise ConfigError(f"unknown backend {options.backend!r}; choose one of {', '.join(BACKENDS)}")
        if trial_timeout_s is not None and not (trial_timeout_s > 0 and math.isfinite(trial_timeout_s)):
            raise ConfigError(
                f"trial_timeout_s must be a positive number of seconds or None, got {trial_timeout_s!r}",
                field="trial_timeout_s",
            )
        self.trial_timeout_s = trial_timeout_s
        self.options = options
        self.writer = writer
        self.cache = cache
        self.skip_ids = skip_ids or set()
        self.progress = progress
        self._extract_fn = extract_fn
        self.limiter = limiter or RateLimiter(options.rpm, options.tpm)
        self._seen: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stop = False
        self._sigints = 0
        self._total: int | None = None
        self._fatal: BaseException | None = None
        self._progress_started = False
        llm = options.llm if options.backend != "rules" else None
        self.summary = RunSummary(
            backend=options.backend,
            model=llm.model if llm else None,
            output=str(writer.path) if writer and writer.path else None,
        )
        self._kinds: Counter[str] = Counter()
        self._errors: Counter[str] = Counter()
        self._usage = TokenUsage()
        self._key_parts: dict[str, str] = {}
        if llm is not None:
            self._key_parts = {
                "model": llm.model,
                "base_url": llm.base_url or "",
                "mode": llm.mode,
                "prompt_hash": _prompt_hash(llm),
            }
            if options.backend == "hybrid":  # which items hybrid sends shapes its result too
                routing = hashlib.sha256(llm.routing.model_dump_json().encode()).hexdigest()[:16]
                self._key_parts["prompt_hash"] += f":routing={routing}"

    # -- control ---------------------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Stop reading input; in-flight trials still finish and are written."""
        self._stop = True

    @property
    def stopping(self) -> bool:
        """True once a stop was requested."""
        return self._stop

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self._sigints += 1
        if self._sigints > 1:
            raise KeyboardInterrupt
        self.request_stop()

    # -- bookkeeping -----------------------------------------------------------------------------------

    def _key(self, sha: str) -> str:
        return cache_key(sha, self.options.backend, **self._key_parts)

    def _advance(self, status: Status) -> None:
        if self.progress is not None:
            self.progress.advance(status)

    def _write(self, out: _Outcome, *, cached: bool = False, key: str | None = None, degraded: bool = False) -> None:
        """Write one record and count it. Tokens count for failed trials too (they were spent); a ``degraded``
        result (an LLM call failed, its items kept the rules result) is counted as such and never cached."""
        if self.writer is not None:
            self.writer.write_body(out.body)
        s = self.summary
        if not cached:
            self._usage += TokenUsage(
                prompt_tokens=out.prompt_tokens,
                completion_tokens=out.completion_tokens,
                total_tokens=out.prompt_tokens + out.completion_tokens,
            )
            s.llm_calls += out.llm_calls
            s.rejected += out.rejected
            s.reasks += out.reasks
            s.flagged += out.flagged
        if out.ok:
            s.ok += 1
            s.degraded += degraded
            self._kinds.update(out.kinds)
            if cached:
                s.cached += 1
            elif self.cache is not None and key is not None and out.cache_value is not None and not degraded:
                self.cache.put_raw(key, out.cache_value)
        else:
            s.error += 1
            s.failed += out.error_type != "InputError"
            self._errors[out.error_type or "Error"] += 1
        self._advance("cached" if cached else ("ok" if out.ok else "error"))

    def _triage(self, item: ReadItem) -> tuple[Trial, str, str | None] | None:
        """Handle what needs no extraction (bad record, done, duplicate, cached); else (trial, sha, key)."""
        self.summary.read += 1
        if isinstance(item, InputError):
            rec = error_record(item)
            if rec.trial_id in self._seen:
                self.summary.duplicates += 1
                self._advance("duplicate")
                return None
            self._seen.add(rec.trial_id)
            if rec.trial_id in self.skip_ids:
                self.summary.skipped += 1
                self._advance("skipped")
                return None
            assert rec.error is not None
            self._write(
                _Outcome(rec.trial_id, format_record(rec, self.options.fmt), ok=False, error_type=rec.error.type)
            )
            return None
        tid = item.trial_id
        if tid in self._seen:  # before the resume check: a duplicate id is a duplicate, not one more "done" trial
            self.summary.duplicates += 1
            self._advance("duplicate")
            return None
        self._seen.add(tid)
        if tid in self.skip_ids:
            self.summary.skipped += 1
            self._advance("skipped")
            return None
        sha = text_sha256(item.text)
        if len(item.text) > MAX_TEXT_CHARS:  # the library's limit (extractor.api): refused before any work
            path, _, line = (item.source or "").rpartition(":")
            too_big = InputError(
                f"criteria text is {len(item.text)} characters; the limit is {MAX_TEXT_CHARS}",
                file=path if line.isdigit() else item.source,
                line=int(line) if line.isdigit() else None,
                field="text",
                trial_id=tid,
            )
            self._write(_outcome(item, sha, too_big, self.options.fmt, self.options.include_text))
            return None
        key = self._key(sha) if self.cache is not None else None
        if self.cache is not None and key is not None:
            hit = self.cache.get(key, item)
            if hit is not None:
                self._write(
                    _outcome(item, sha, hit, self.options.fmt, self.options.include_text, cacheable=False), cached=True
                )
                return None
        return item, sha, key

    def _finish_summary(self, t0: float) -> RunSummary:
        s = self.summary
        s.wall_s = round(time.perf_counter() - t0, 3)
        s.trials_per_s = round(s.written / s.wall_s, 1) if s.wall_s > 0 else 0.0
        s.criteria_per_kind = dict(sorted(self._kinds.items()))
        s.criteria = sum(self._kinds.values())
        s.error_types = dict(sorted(self._errors.items()))
        s.usage = self._usage
        s.rate_limit_wait_s = round(self.limiter.waited_s, 3)
        if self.options.backend == "rules":
            s.cost_usd = 0.0
        else:
            s.cost_usd = estimate_cost(s.model, self._usage)
        s.interrupted = self._stop and s.aborted is None
        if self.cache is not None:
            self.cache.commit()
        return s

    # -- running ---------------------------------------------------------------------------------------

    def run(self, items: Iterable[ReadItem], *, total: int | None = None, handle_sigint: bool = True) -> RunSummary:
        """Process every item; return the summary. Installs a SIGINT handler for the duration when asked."""
        t0 = time.perf_counter()
        self._total = total
        previous = None
        if handle_sigint:
            with contextlib.suppress(ValueError):  # not the main thread
                previous = signal.signal(signal.SIGINT, self._on_sigint)
        try:
            if self.options.backend == "rules" and self._extract_fn is None:
                self._run_rules(iter(items))
            else:
                self._start_progress()
                run_sync(self._run_async(iter(items)))  # in a worker thread when a loop already runs here
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
            if self.progress is not None and self._progress_started:
                self.progress.stop()
        return self._finish_summary(t0)

    def _start_progress(self) -> None:
        if self.progress is not None and not self._progress_started:
            self._progress_started = True
            self.progress.start(self._total)

    def _pending(self, items: Iterator[ReadItem]) -> Iterator[tuple[Trial, str, str | None]]:
        for item in items:
            if self._stop:
                return
            todo = self._triage(item)
            if todo is not None:
                yield todo

    def _run_rules(self, items: Iterator[ReadItem]) -> None:
        opts = self.options
        pending = self._pending(items)
        head = list(itertools.islice(pending, SMALL_RUN)) if opts.workers > 1 else []
        if opts.workers <= 1 or len(head) < SMALL_RUN:  # small inputs: starting processes costs more than it saves
            self._start_progress()
            restore = _set_budget(self.trial_timeout_s)
            try:
                for trial, sha, key in itertools.chain(head, pending):
                    self._write(_rules_one(trial, sha, opts.fmt, opts.include_text, self.cache is not None), key=key)
            finally:
                restore()
            return
        context = self._mp_context()
        window: deque[_Pending] = deque()
        pool = self._pool(context, opts.workers)
        try:
            # the first task starts the workers; with fork that happens here, before the progress thread exists
            chunk, head = head[: opts.chunk_size], head[opts.chunk_size :]
            pool = self._send(window, pool, context, chunk)
            self._start_progress()
            chunk = []
            for todo in itertools.chain(head, pending):
                chunk.append(todo)
                if len(chunk) >= opts.chunk_size:
                    pool = self._send(window, pool, context, chunk)
                    chunk = []
                    while len(window) >= opts.workers * 3:
                        pool = self._drain(window, pool, context)
            if chunk:
                pool = self._send(window, pool, context, chunk)
            while window:
                pool = self._drain(window, pool, context)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _pool(self, context: BaseContext, workers: int) -> ProcessPoolExecutor:
        if context.get_start_method() == "fork" and threading.active_count() > 1:
            context = get_context("spawn")  # never fork a multi-threaded process (a pool rebuilt mid-run)
        return ProcessPoolExecutor(
            workers, mp_context=context, initializer=_worker_init, initargs=(self.trial_timeout_s, os.getpid())
        )

    def _drain(self, window: deque[_Pending], pool: ProcessPoolExecutor, context: BaseContext) -> ProcessPoolExecutor:
        """Write the oldest chunk's records; if a worker died, isolate the culprit and go on with a new pool."""
        future, todo = window.popleft()
        try:
            outcomes = future.result()
        except BrokenProcessPool:
            broken = list(todo)
            for other, chunk in window:  # chunks finished before the crash keep their results
                if other.exception(timeout=60) is None:
                    for out, (_, _, key) in zip(other.result(), chunk, strict=True):
                        self._write(out, key=key)
                else:
                    broken += chunk
            window.clear()
            pool.shutdown(wait=False, cancel_futures=True)
            self._isolate(broken, context)
            return self._pool(context, self.options.workers)
        for out, (_, _, key) in zip(outcomes, todo, strict=True):
            self._write(out, key=key)
        return pool

    def _isolate(self, todo: list[tuple[Trial, str, str | None]], context: BaseContext) -> None:
        """Extract ``todo`` one trial at a time in a single worker: a trial that kills its worker process becomes
        an error record instead of stopping the run (rerunning would only crash again)."""
        opts = self.options
        queue = deque(todo)
        lost = 0  # fresh workers in a row found dead before they got a trial
        while queue:
            with self._pool(context, 1) as solo:
                while queue:
                    trial, sha, key = queue[0]
                    try:
                        future = solo.submit(
                            _rules_chunk, [(trial, sha)], opts.fmt, opts.include_text, self.cache is not None
                        )
                    except BrokenProcessPool as e:
                        lost += 1
                        if lost <= 3:
                            break  # the worker died between trials, not on this one: a fresh worker for it
                        future = _failed(e)  # workers that never live: blame the trial so the run still ends
                    lost = 0
                    try:
                        (out,) = future.result()
                    except BrokenProcessPool:
                        queue.popleft()
                        crash = ExtractorError(
                            "the worker process died while extracting this trial", trial_id=trial.trial_id
                        )
                        self._write(_outcome(trial, sha, crash, opts.fmt, opts.include_text))
                        break  # a fresh worker for the rest
                    queue.popleft()
                    self._write(out, key=key)

    def _mp_context(self) -> BaseContext:
        method = self.options.start_method
        if method == "auto":
            fork_ok = sys.platform == "linux" and threading.active_count() == 1
            method = "fork" if fork_ok else "spawn"
        if method == "fork":
            _warm_up()  # compile the rules once; forked workers inherit them
            gc.freeze()  # and keep the collector off those objects in the workers (no copy-on-write, no rescans)
        return get_context(method)

    def _submit(self, pool: ProcessPoolExecutor, todo: list[tuple[Trial, str, str | None]]) -> _Pending:
        """Send a chunk. A pool that broke since the last drain (a worker died) raises here: the chunk then gets a
        failed future, so the crash takes the drain's path (isolate, rebuild) like any other."""
        chunk = [(trial, sha) for trial, sha, _ in todo]
        try:
            future = pool.submit(
                _rules_chunk, chunk, self.options.fmt, self.options.include_text, self.cache is not None
            )
        except BrokenProcessPool as e:
            future = _failed(e)
        return future, todo

    def _send(
        self,
        window: deque[_Pending],
        pool: ProcessPoolExecutor,
        context: BaseContext,
        todo: list[tuple[Trial, str, str | None]],
    ) -> ProcessPoolExecutor:
        """Submit a chunk into the window; if the pool turned out broken, drain the window now (which rebuilds it),
        so the next chunk goes to a live pool."""
        pending = self._submit(pool, todo)
        window.append(pending)
        if pending[0].done() and isinstance(pending[0].exception(), BrokenProcessPool):
            while window:
                pool = self._drain(window, pool, context)
        return pool

    async def _run_async(self, items: Iterator[ReadItem]) -> None:
        opts = self.options
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGINT, self._async_sigint)
        extract_fn = self._extract_fn or self._default_extract
        sem = asyncio.Semaphore(opts.concurrency)
        self._transport_failures = 0  # trials in a row that failed on transport (the circuit breaker)
        try:
            for trial, sha, key in self._pending(items):
                await sem.acquire()
                if self._stop:  # stopped while waiting for a slot: this trial is left for the rerun
                    sem.release()
                    break
                task = asyncio.create_task(self._one(extract_fn, trial, sha, key, sem))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            if self._fatal is not None:
                raise self._fatal
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signal.SIGINT)
            if self._extract_fn is None and opts.llm is not None:  # the run's connection pools
                from extractor.llm.client import close_clients

                await close_clients()

    def _async_sigint(self) -> None:
        self._sigints += 1
        self.request_stop()
        if self._sigints > 1:
            for task in list(self._tasks):
                task.cancel()

    async def _default_extract(self, trial: Trial) -> CriteriaSet:
        return await aextract(trial, backend=self.options.backend, llm=self.options.llm)

    async def _one(
        self, extract_fn: ExtractFn, trial: Trial, sha: str, key: str | None, sem: asyncio.Semaphore
    ) -> None:
        """Extract one trial and write it. The trial's estimated requests are reserved up front; its meter
        (:mod:`extractor.llm.metering`) makes every further request (retries, re-asks) wait for the limiter too, and
        counts what was really sent and the tokens reported, failed attempts included."""
        opts = self.options
        est = 0
        meter = CallMeter(pacer=self.limiter if self.limiter.active else None)
        try:
            if self.limiter.active and opts.llm is not None:
                meter.reserved_requests, est = estimate_requests(trial, opts.llm, opts.backend)
                if meter.reserved_requests:
                    await self.limiter.acquire(meter.reserved_requests, est)
            with metering(meter):
                result: CriteriaSet | BaseException = await extract_fn(trial)
        except asyncio.CancelledError:
            sem.release()
            raise
        except Exception as e:  # a batch never dies on one record
            result = e
        sem.release()
        out = _safe_outcome(trial, sha, result, opts.fmt, opts.include_text)
        degraded = isinstance(result, CriteriaSet) and bool(result.provenance.errors)
        if meter.requests:  # the wire's count beats the backend's report (a failed trial reports nothing)
            out.prompt_tokens, out.completion_tokens = meter.usage.prompt_tokens, meter.usage.completion_tokens
            out.llm_calls = meter.requests
            self.limiter.refund(meter.unused_reservation)
        if self.limiter.active:
            self.limiter.settle(est + meter.extra_tokens, out.prompt_tokens + out.completion_tokens)
        self._circuit(trial, result, meter)
        try:
            self._write(out, key=key, degraded=degraded)
        except BaseException as e:  # the output cannot be written (disk full...): stop the run, report it
            self._fatal = self._fatal or e
            self.request_stop()
            raise

    def _circuit(self, trial: Trial, result: CriteriaSet | BaseException, meter: CallMeter) -> None:
        """The circuit breaker: ``circuit_breaker`` trials in a row that failed on transport stop the run (no new
        trials start; those in flight finish and are written), with the reason in ``summary.aborted``."""
        if isinstance(result, TransportError):
            last = str(result)
        elif isinstance(result, CriteriaSet) and any(e.startswith("TransportError") for e in result.provenance.errors):
            last = next(e for e in result.provenance.errors if e.startswith("TransportError"))
        else:
            if meter.ok_responses or (not meter.requests and self._extract_fn is not None):
                self._transport_failures = 0  # the server answered (or, injected, the trial went through)
            return
        self._transport_failures += 1
        limit = self.options.circuit_breaker
        if limit and self._transport_failures >= limit and self.summary.aborted is None:
            self.summary.aborted = (
                f"{self._transport_failures} trials in a row failed to reach the LLM server, the last one "
                f"{trial.trial_id}: {last[:300]}. Stopped starting new trials; the records written so far are kept. "
                "Rerun the same command with --retry-errors once the server answers again."
            )
            self.request_stop()

    # -- dry run ---------------------------------------------------------------------------------------

    def dry_run(self, items: Iterable[ReadItem], *, tokenizer: Tokenizer = "auto") -> DryRunReport:
        """Count what a run would do and estimate its requests, prompt and completion tokens and cost; calls
        nothing (:func:`~extractor.batch.estimate.estimate_trial`: ``hybrid`` routing modelled, the backend's
        chunk planner, tokens counted by ``tokenizer``)."""
        opts = self.options
        llm = opts.llm if opts.backend != "rules" else None
        report = DryRunReport(backend=opts.backend, model=llm.model if llm else None)
        counter = TokenCounter(llm.model, tokenizer) if llm is not None else None
        seen: set[str] = set()
        for item in items:
            report.read += 1
            if isinstance(item, InputError):
                report.bad_records += 1
                continue
            report.trials += 1
            if item.trial_id in self.skip_ids or item.trial_id in seen:
                report.skipped += 1
                continue
            seen.add(item.trial_id)
            if self.cache is not None and self.cache.get_raw(self._key(text_sha256(item.text))) is not None:
                report.cached += 1
                continue
            report.to_extract += 1
            if llm is not None:
                est = estimate_trial(item, llm, opts.backend, counter=counter)
                report.requests += est.requests
                report.estimated_prompt_tokens += est.prompt_tokens
                report.estimated_completion_tokens += est.completion_tokens
        return price_report(report, llm, opts.backend, counter)
