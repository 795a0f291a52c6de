"""``extractor extract``: criteria inputs (files, directories, globs, stdin) -> one output record per trial.

Thin: parses options, opens the reader / writer / cache, runs :class:`~extractor.batch.BatchRunner` and prints
progress and the summary to stderr. Data goes to ``--output`` (or stdout), never to stderr.

Exit status: 0 when every trial got a full result (bad input records are data, counted in the summary); 1 when
some did not: a degraded result (an LLM call failed, its items kept the rules result), a failed extraction (error
record), or the run stopped early on its own (circuit breaker: the LLM server kept failing); 2 for bad options or
configuration; 130 when interrupted (rerun the same command to resume; ``--retry-errors`` redoes failed trials).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, TextIO

import typer

from extractor.api import BACKENDS, Backend
from extractor.batch.cache import ResultCache, default_cache_path
from extractor.batch.runner import DEFAULT_TRIAL_TIMEOUT_S, BatchRunner, DryRunReport, RunOptions, RunSummary
from extractor.cli._logging import Verbosity
from extractor.errors import ConfigError, ExtractorError
from extractor.io.readers import (
    DEFAULT_ID_FIELD,
    DEFAULT_TEXT_FIELD,
    ReaderOptions,
    StdinFormat,
    count_records,
    read_inputs,
)
from extractor.io.writers import (
    CsvFields,
    OutputFormat,
    OutputLock,
    OutputOptions,
    RecordWriter,
    check_output,
    drop_records,
    scan_output,
)
from extractor.llm.config import LLMConfig, Mode
from extractor.llm.secrets import display_url

__all__ = ["PlainProgress", "RichProgress", "extract", "make_progress", "resolve_backend"]


# ---------------------------------------------------------------------------------------------- progress


class PlainProgress:
    """Periodic one-line progress reports (stderr is not a terminal)."""

    def __init__(self, stream: TextIO, every_s: float = 10.0) -> None:
        self._stream, self._every = stream, every_s
        self.total: int | None = None
        self.done = self.errors = 0
        self._t0 = self._last = time.monotonic()

    def start(self, total: int | None) -> None:
        self.total = total
        self._t0 = self._last = time.monotonic()

    def advance(self, status: str) -> None:
        self.done += 1
        self.errors += status == "error"
        now = time.monotonic()
        if now - self._last >= self._every:
            self._last = now
            self._emit(now)

    def _emit(self, now: float) -> None:
        rate = self.done / max(now - self._t0, 1e-9)
        total = f"/{self.total}" if self.total else ""
        eta = ""
        if self.total and rate > 0 and self.done < self.total:
            eta = f", ETA {_hms((self.total - self.done) / rate)}"
        self._stream.write(f"progress: {self.done}{total} trials, {rate:.1f}/s, {self.errors} errors{eta}\n")
        self._stream.flush()

    def stop(self) -> None:
        """Nothing to tear down (the summary follows)."""


class RichProgress:
    """A rich progress bar on stderr: done/total, rate, ETA, errors."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]extract"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}/s"),
            TextColumn("errors {task.fields[errors]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task = self._progress.add_task("extract", total=None, rate="0.0", errors=0)
        self._done = self._errors = 0
        self._t0 = self._last = time.monotonic()

    def start(self, total: int | None) -> None:
        self._t0 = time.monotonic()
        self._progress.update(self._task, total=total)
        self._progress.start()

    def advance(self, status: str) -> None:
        self._done += 1
        self._errors += status == "error"
        now = time.monotonic()
        if now - self._last >= 0.1 or status == "error":
            self._last = now
            rate = self._done / max(now - self._t0, 1e-9)
            self._progress.update(self._task, completed=self._done, rate=f"{rate:.1f}", errors=self._errors)

    def stop(self) -> None:
        rate = self._done / max(time.monotonic() - self._t0, 1e-9)
        self._progress.update(self._task, completed=self._done, rate=f"{rate:.1f}", errors=self._errors)
        self._progress.stop()


def make_progress(quiet: bool) -> PlainProgress | RichProgress | None:
    """The progress display that fits stderr: none when quiet, a bar on a terminal, else plain lines."""
    if quiet:
        return None
    if sys.stderr.isatty():
        return RichProgress()
    return PlainProgress(sys.stderr)


def _hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


# --------------------------------------------------------------------------------------------- reporting


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def format_summary(s: RunSummary) -> str:
    """A few human-readable lines for stderr."""
    lines = [
        f"{'interrupted' if s.interrupted else 'stopped' if s.aborted else 'done'}: {s.written} written "
        f"({s.ok} ok{f', {s.degraded} degraded' if s.degraded else ''}, {s.error} errors, "
        f"{s.cached} cached), {s.skipped} already done, {s.duplicates} duplicate ids; "
        f"{s.wall_s:.1f} s, {s.trials_per_s:.1f} trials/s",
        f"criteria: {s.criteria} ({', '.join(f'{k} {v}' for k, v in s.criteria_per_kind.items()) or 'none'})",
    ]
    if s.error_types:
        lines.append("errors: " + ", ".join(f"{k} {v}" for k, v in s.error_types.items()))
    if s.backend != "rules":
        cost = "unknown (model not in the price table)" if s.cost_usd is None else f"${s.cost_usd:.4f}"
        lines.append(
            f"tokens: {s.usage.prompt_tokens} prompt + {s.usage.completion_tokens} completion "
            f"in {s.llm_calls} requests (retries and re-asks included); estimated cost {cost}"
        )
    if s.degraded:
        lines.append(
            f"degraded: {s.degraded} trials kept the rules result for items whose LLM call failed (not cached; a "
            "rerun with --retry-errors does not redo them: use a new --output or --overwrite)"
        )
    if s.aborted:
        lines.append(f"error: {s.aborted}")
    if s.interrupted:
        lines.append("rerun the same command to resume")
    return "\n".join(lines)


def format_dry_run(r: DryRunReport) -> str:
    """One human-readable paragraph for stderr."""
    cost = "unknown" if r.estimated_prompt_cost_usd is None else f"${r.estimated_prompt_cost_usd:.4f}"
    model = f" ({r.model})" if r.model else ""
    return (
        f"dry run, backend {r.backend}{model}: {r.trials} trials ({r.bad_records} bad records), "
        f"{r.skipped} already done, {r.cached} cached, {r.to_extract} to extract in {r.requests} requests, "
        f"~{r.estimated_prompt_tokens} prompt tokens, prompt cost ~{cost}"
    )


def resolve_backend(backend: str | None, llm: LLMConfig) -> Backend:
    """The chosen backend, or the default: ``llm`` when an endpoint is configured, else ``rules``."""
    if backend is None:
        return "llm" if llm.configured else "rules"
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    return backend


# ------------------------------------------------------------------------------------------------ command


def extract(  # noqa: PLR0917 - typer maps parameters to options
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files (.txt .md .json .jsonl .csv, optionally .gz), directories, globs, or - for stdin.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Output file (default, or -: stdout). An existing file is resumed: trials already in it are skipped.",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="jsonl (default), json, csv (one row per criterion) or parquet (the parquet extra; flat typed "
            "columns; the file is finished when the run ends, also on Ctrl-C, and a rerun resumes it); inferred "
            "from the --output extension, also behind .gz (out.csv.gz: gzip-compressed CSV).",
        ),
    ] = None,
    csv_fields: Annotated[
        CsvFields,
        typer.Option(
            help="CSV layout: json (kind-specific fields as one JSON column 'fields') or flat (one column per field: "
            "her2.status, lab.value, ...; lists ';'-joined).",
        ),
    ] = "json",
    stdin_format: Annotated[
        StdinFormat,
        typer.Option(
            help="Format of - (stdin). auto: JSON/JSONL when it starts with { or [, CSV when its first line is a "
            "header naming --text-field, else one text trial.",
        ),
    ] = "auto",
    backend: Annotated[
        Backend | None,
        typer.Option(
            help="rules, llm or hybrid (default: llm when OPENAI_API_KEY or OPENAI_BASE_URL is set, else rules)."
        ),
    ] = None,
    model: Annotated[str | None, typer.Option(help="LLM model (default: EXTRACTOR_MODEL or gpt-4o-mini).")] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL).")] = None,
    mode: Annotated[Mode | None, typer.Option(help="instructor mode (default: EXTRACTOR_INSTRUCTOR_MODE).")] = None,
    id_field: Annotated[str, typer.Option(help="Trial id field of JSON/JSONL/CSV records.")] = DEFAULT_ID_FIELD,
    text_field: Annotated[
        str, typer.Option(help="Criteria text field of JSON/JSONL/CSV records.")
    ] = DEFAULT_TEXT_FIELD,
    workers: Annotated[
        int | None, typer.Option(min=0, help="Processes for the rules backend (default: CPU count).")
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="LLM requests in flight.")] = 8,
    rpm: Annotated[int | None, typer.Option(min=1, help="Client-side limit, requests per minute.")] = None,
    tpm: Annotated[int | None, typer.Option(min=1, help="Client-side limit, tokens per minute.")] = None,
    timeout: Annotated[
        float | None,
        typer.Option(min=0.001, help="Seconds per LLM HTTP request (default: EXTRACTOR_TIMEOUT or 120)."),
    ] = None,
    attempts: Annotated[
        int | None,
        typer.Option(
            min=1, max=20, help="Tries per LLM request on 429/5xx/timeouts (default: EXTRACTOR_ATTEMPTS or 4)."
        ),
    ] = None,
    trial_timeout: Annotated[
        float | None,
        typer.Option(min=0, help="Seconds the rules backend may spend on one trial (default: 10; 0: no limit)."),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option(help="Result cache (SQLite; default: $XDG_CACHE_HOME/eligibility-extractor/cache.sqlite)."),
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Start the output over instead of resuming.")] = False,
    retry_errors: Annotated[
        bool,
        typer.Option(
            "--retry-errors", help="On resume, re-run trials whose record is an error (their old records are removed)."
        ),
    ] = False,
    include_text: Annotated[bool, typer.Option("--include-text", help="Add source_text to each record.")] = False,
    summary: Annotated[Path | None, typer.Option(help="Also write the run summary (JSON) here.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary on stderr.")] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Report trial count, estimated prompt tokens and cost (JSON on stdout); call nothing, write nothing.",
        ),
    ] = False,
    verbose: Verbosity = 0,
) -> None:
    """Extract typed, grounded criteria from many trials, resumably (one JSONL record per trial)."""
    try:
        code = _run(
            inputs=inputs,
            output=output,
            fmt=fmt,
            csv_fields=csv_fields,
            stdin_format=stdin_format,
            backend=backend,
            model=model,
            base_url=base_url,
            mode=mode,
            id_field=id_field,
            text_field=text_field,
            workers=workers,
            concurrency=concurrency,
            rpm=rpm,
            tpm=tpm,
            timeout=timeout,
            attempts=attempts,
            trial_timeout=trial_timeout,
            cache=cache,
            no_cache=no_cache,
            overwrite=overwrite,
            retry_errors=retry_errors,
            include_text=include_text,
            summary=summary,
            quiet=quiet,
            dry_run=dry_run,
        )
    except ExtractorError as e:
        _err(f"error: {e}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        _err("interrupted")
        raise typer.Exit(130) from None
    except BrokenPipeError:  # e.g. `extractor extract ... | head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(141) from None
    except OSError as e:
        _err(f"error: {e}")
        raise typer.Exit(1) from None
    if code:
        raise typer.Exit(code)


def _run(
    *,
    inputs: list[str],
    output: Path | None,
    fmt: str | None,
    csv_fields: CsvFields,
    stdin_format: StdinFormat,
    backend: str | None,
    model: str | None,
    base_url: str | None,
    mode: str | None,
    id_field: str,
    text_field: str,
    workers: int | None,
    concurrency: int,
    rpm: int | None,
    tpm: int | None,
    timeout: float | None,
    attempts: int | None,
    trial_timeout: float | None,
    cache: Path | None,
    no_cache: bool,
    overwrite: bool,
    retry_errors: bool,
    include_text: bool,
    summary: Path | None,
    quiet: bool,
    dry_run: bool,
) -> int:
    if output is not None and str(output) == "-":
        output = None
    out_fmt = OutputOptions.for_output(output, fmt, csv_fields=csv_fields)
    try:
        llm = LLMConfig.from_env(
            model=model, base_url=base_url, mode=mode, timeout_s=timeout, transport_attempts=attempts
        )
    except ValueError as e:
        raise ConfigError(f"invalid LLM option: {e}") from e
    chosen = resolve_backend(backend, llm)
    if chosen != "rules" and not llm.configured:
        raise ConfigError(f"backend {chosen} needs an endpoint: set OPENAI_API_KEY or OPENAI_BASE_URL (or --base-url)")
    opts = RunOptions(
        backend=chosen,
        llm=llm if chosen != "rules" else None,
        workers=(os.cpu_count() or 1) if workers is None else workers,
        concurrency=concurrency,
        rpm=rpm,
        tpm=tpm,
        fmt=out_fmt.body_format,
        include_text=include_text,
    )
    if not quiet and chosen != "rules":
        where = display_url(llm.base_url) or "api.openai.com"  # never user:password@
        _err(f"backend {chosen}: model {llm.model} at {where}")

    lock: OutputLock | None = None
    if output is not None:
        check_output(output, inputs)  # not an input, not a FIFO/device/directory: before anything is opened
        if not dry_run:
            lock = OutputLock(output).acquire()  # one run per output, from the resume scan to the last record
    skip: set[str] = set()
    reader_opts = ReaderOptions(id_field=id_field, text_field=text_field, stdin_format=stdin_format)
    cache_db: ResultCache | None = None
    try:
        if output is not None and output.exists() and not overwrite:
            scan = scan_output(output, out_fmt, repair=not dry_run)
            if scan.truncated_bytes and not quiet:
                _err(f"{output}: removed a torn trailing record ({scan.truncated_bytes} bytes); it will be redone")
            skip = scan.ids
            if retry_errors and scan.error_ids:
                if not dry_run:
                    drop_records(output, out_fmt, scan.error_ids)
                skip = scan.ids - scan.error_ids
            if skip and not quiet:
                _err(f"{output}: resuming, {len(skip)} trials already done")
        cache_db = None if no_cache else ResultCache(cache or default_cache_path())
        if dry_run:
            runner = BatchRunner(opts, None, cache=cache_db, skip_ids=skip)
            report = runner.dry_run(read_inputs(inputs, reader_opts))
            sys.stdout.write(report.model_dump_json(indent=2) + "\n")
            if not quiet:
                _err(format_dry_run(report))
            if summary is not None:
                summary.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
            return 0
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
        total = None if quiet else count_records(inputs)
        progress = make_progress(quiet)
        with RecordWriter(output, out_fmt, overwrite=overwrite) as writer:
            budget = DEFAULT_TRIAL_TIMEOUT_S if trial_timeout is None else (trial_timeout or None)  # 0: no limit
            runner = BatchRunner(opts, writer, cache=cache_db, skip_ids=skip, progress=progress, trial_timeout_s=budget)
            result = runner.run(read_inputs(inputs, reader_opts), total=total)
    finally:
        if cache_db is not None:
            cache_db.close()
        if lock is not None:
            lock.release()
    if not quiet:
        _err(format_summary(result))
    if summary is not None:
        summary.parent.mkdir(parents=True, exist_ok=True)
        summary.write_text(json.dumps(result.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
    if result.interrupted:
        return 130
    return 0 if result.complete else 1  # degraded or failed trials, or stopped by the circuit breaker
