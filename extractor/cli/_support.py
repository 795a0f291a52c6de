"""What the commands share: stderr lines, error descriptions, LLM options, progress displays (stderr), the
summary and dry-run paragraphs, and the exit code of a finished run (one rule for ``extract``, ``batch collect`` and
``eval``)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

import typer

from extractor.batch.models import DryRunReport, RunSummary, Status
from extractor.cli.exitcodes import ExitCode
from extractor.errors import ConfigError, ExtractorError
from extractor.llm.config import LLMConfig

if TYPE_CHECKING:  # openai (behind the provider-batch module) loads only when a batch command runs
    from extractor.batch.openai_batch import BatchRecord
    from extractor.models import OutputRecord

__all__ = [
    "PlainProgress",
    "RichProgress",
    "bad_records",
    "describe",
    "err",
    "errors_exit_message",
    "eval_exit_code",
    "exit_code",
    "fail",
    "format_batch_status",
    "format_collected",
    "format_dry_run",
    "format_summary",
    "llm_config",
    "make_progress",
    "too_many_errors",
]


def err(message: str) -> None:
    """Print ``message`` on stderr (nothing when it is empty)."""
    if message:
        typer.echo(message, err=True)


def fail(code: ExitCode, message: str) -> typer.Exit:
    """Print ``message`` on stderr and return the exit to raise (``raise fail(ExitCode.USAGE, "...")``)."""
    err(message)
    return typer.Exit(int(code))


def describe(e: ExtractorError) -> str:
    """``file:line: field: message`` (the parts the error knows), as compilers print a place."""
    where = [str(v) for v in (getattr(e, "file", None), getattr(e, "line", None)) if v is not None]
    field = getattr(e, "field", None)
    prefix = ":".join(where) + (f": {field}" if field else "")
    return f"{prefix}: {e.message}" if prefix else e.message


def llm_config(**options: Any) -> LLMConfig:
    """:meth:`LLMConfig.from_env` with the command's options (None: from the environment); a bad value is a
    :class:`ConfigError`."""
    try:
        return LLMConfig.from_env(**options)
    except ValueError as e:
        raise ConfigError(f"invalid LLM option: {e}") from e


class PlainProgress:
    """Periodic one-line progress reports, and notices, on a stream (stderr is not a terminal)."""

    def __init__(self, stream: TextIO, every_s: float = 10.0) -> None:
        self._stream, self._every = stream, every_s
        self.total: int | None = None
        self.done = self.errors = 0
        self._t0 = self._last = time.monotonic()

    def start(self, total: int | None) -> None:
        """Start the clock; ``total`` is the expected record count (None: unknown)."""
        self.total = total
        self._t0 = self._last = time.monotonic()

    def note(self, message: str) -> None:
        """Print a notice at once."""
        self._stream.write(message + "\n")
        self._stream.flush()

    def advance(self, status: Status) -> None:
        """Count one record; print a line every ``every_s`` seconds."""
        self.done += 1
        self.errors += status == "error"
        now = time.monotonic()
        if now - self._last >= self._every:
            self._last = now
            rate = self.done / max(now - self._t0, 1e-9)
            total = f"/{self.total}" if self.total else ""
            eta = ""
            if self.total and rate > 0 and self.done < self.total:
                eta = f", ETA {_hms((self.total - self.done) / rate)}"
            self.note(f"progress: {self.done}{total} trials, {rate:.1f}/s, {self.errors} errors{eta}")

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

        self._console = Console(stderr=True)
        self._progress = Progress(
            TextColumn("[bold]extract"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}/s"),
            TextColumn("errors {task.fields[errors]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self._console,
            transient=False,
        )
        self._task = self._progress.add_task("extract", total=None, rate="0.0", errors=0)
        self._done = self._errors = 0
        self._t0 = self._last = time.monotonic()

    def start(self, total: int | None) -> None:
        """Show the bar."""
        self._t0 = time.monotonic()
        self._progress.update(self._task, total=total)
        self._progress.start()

    def note(self, message: str) -> None:
        """Print a notice above the bar."""
        self._console.print(message, markup=False, highlight=False)

    def advance(self, status: Status) -> None:
        """Count one record (the bar redraws at most ten times a second, at once on an error)."""
        self._done += 1
        self._errors += status == "error"
        now = time.monotonic()
        if now - self._last >= 0.1 or status == "error":
            self._last = now
            self._update(now)

    def _update(self, now: float) -> None:
        rate = self._done / max(now - self._t0, 1e-9)
        self._progress.update(self._task, completed=self._done, rate=f"{rate:.1f}", errors=self._errors)

    def stop(self) -> None:
        """Final redraw; remove the live display."""
        self._update(time.monotonic())
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


def format_summary(s: RunSummary) -> str:
    """A few human-readable lines for stderr."""
    lines = [
        f"{'interrupted' if s.interrupted else 'stopped' if s.aborted else 'done'}: {s.written} written "
        f"({s.ok} ok{f', {s.degraded} degraded' if s.degraded else ''}, {s.error} errors, "
        f"{s.cached} cached), {s.skipped} already done, {s.duplicates} duplicate ids"
        f"{f', {s.kept_errors} kept errors (rerun with --retry-errors)' if s.kept_errors else ''}; "
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
        lines.append(f"validation: {s.rejected} criteria rejected, {s.reasks} re-asks, {s.flagged} flagged numbers")
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
    """One human-readable paragraph for stderr, with what the estimate assumed."""
    cost = "unknown" if r.estimated_cost_usd is None else f"${r.estimated_cost_usd:.4f}"
    model = f" ({r.model})" if r.model else ""
    text = (
        f"dry run, backend {r.backend}{model}: {r.trials} trials ({r.bad_records} bad records), "
        f"{r.skipped} already done, {r.cached} cached, {r.to_extract} to extract in {r.requests} requests, "
        f"~{r.estimated_prompt_tokens} prompt + ~{r.estimated_completion_tokens} completion tokens, cost ~{cost}"
    )
    return "\n".join([text, *(f"assumed: {a}" for a in r.assumptions)])


def format_collected(s: RunSummary, batches: int) -> str:
    """The lines ``batch collect`` prints on stderr: counts, tokens and the batch-price cost."""
    cost = "unknown" if s.cost_usd is None else f"${s.cost_usd:.4f} (batch price)"
    lines = [
        f"collected {batches} batch(es): {s.written} written ({s.ok} ok, {s.error} errors), {s.skipped} already in "
        f"the output; {s.usage.total_tokens} tokens, cost {cost}"
    ]
    if s.error:
        lines.append("error records can be re-run online: extractor extract ... -o OUT --retry-errors")
    return "\n".join(lines)


def format_batch_status(r: BatchRecord) -> str:
    """One tab-separated ``batch status`` line: id, status, requests done and failed, trials, where collected."""
    c = r.request_counts
    counts = f"{c.get('completed', 0)}/{c.get('total', r.part.requests)} done, {c.get('failed', 0)} failed"
    collected = f"\tcollected into {', '.join(r.collected_into)}" if r.collected_into else ""
    return f"{r.batch_id}\t{r.status}\t{counts}\t{r.part.trials} trials{collected}"


def exit_code(s: RunSummary, *, max_error_rate: float = 0.0, allow_errors: bool = False) -> ExitCode:
    """The exit code of a finished run (see :mod:`extractor.cli.exitcodes`); it describes the output.

    130 when interrupted; 1 when the run stopped early on its own (circuit breaker: trials were left undone, so
    even ``allow_errors`` does not hide it), or when :func:`bad_records` of the output are more than
    ``max_error_rate`` of its records (``allow_errors``: never for that reason); else 0.
    """
    if s.interrupted:
        return ExitCode.INTERRUPTED
    if s.aborted:
        return ExitCode.ERRORS
    bad, total = bad_records(s)
    return ExitCode.ERRORS if too_many_errors(bad, total, max_error_rate, allow_errors) else ExitCode.OK


def bad_records(s: RunSummary) -> tuple[int, int]:
    """(records of the output that are errors or degraded, records in the output after the run): this run's
    error and degraded records plus the error records kept from earlier runs (resume without --retry-errors),
    against the records this run wrote plus those it kept."""
    return s.error + s.degraded + s.kept_errors, s.written + s.kept


def too_many_errors(bad: int, total: int, max_error_rate: float, allow_errors: bool) -> bool:
    """True when ``bad`` of ``total`` records is over ``max_error_rate`` (0: any), unless ``allow_errors``."""
    return bool(bad) and not allow_errors and bad > max_error_rate * total


def errors_exit_message(bad: int, total: int, max_error_rate: float, *, kept_errors: int = 0) -> str:
    """The stderr line that explains an exit 1 for error records."""
    kept = f", {kept_errors} of them kept from an earlier run (rerun with --retry-errors)" if kept_errors else ""
    return (
        f"exit 1: {bad} of {total} records are errors or degraded{kept} "
        f"(--max-error-rate {max_error_rate:g}; --allow-errors to accept them)"
    )


def eval_exit_code(
    records: Iterable[OutputRecord],
    *,
    gate_failures: Iterable[str] = (),
    max_error_rate: float = 0.0,
    allow_errors: bool = False,
) -> ExitCode:
    """``extractor eval``'s exit code, each reason printed on stderr: 3 when the gate failed (``gate_failures``:
    its reasons; 3 wins), 1 when the scored ``records`` that are errors or degraded are over ``max_error_rate``
    (as :func:`exit_code`; ``allow_errors`` opts out), else 0."""
    recs = list(records)
    bad = sum(r.error is not None or bool(r.provenance and r.provenance.errors) for r in recs)
    reasons = list(gate_failures)
    for reason in reasons:
        err(f"extractor eval: gate failed: {reason}")
    errors = too_many_errors(bad, len(recs), max_error_rate, allow_errors)
    if errors:
        err(f"extractor eval: {errors_exit_message(bad, len(recs), max_error_rate)}")
    return ExitCode.REGRESSION if reasons else ExitCode.ERRORS if errors else ExitCode.OK
