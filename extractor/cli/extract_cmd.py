"""``extractor extract``: criteria inputs (files, directories, globs, stdin) -> one output record per trial.

Thin: parses options and calls :func:`extractor.extract_many` (or :func:`extractor.estimate_many` for
``--dry-run``); progress and the summary go to stderr, data to ``--output`` (or stdout). Exit codes
(:mod:`extractor.cli.exitcodes`): 0 all done; 1 records that are errors or degraded over ``--max-error-rate``
(``--allow-errors`` opts out), or the run stopped early (LLM circuit breaker); 2 bad option, a path that does
not exist, or the output cannot be written; 130 interrupted (rerun to resume).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from extractor.api import Backend
from extractor.cli._logging import Verbosity
from extractor.cli._support import (
    bad_records,
    err,
    errors_exit_message,
    exit_code,
    fail,
    format_dry_run,
    format_summary,
    llm_config,
    make_progress,
)
from extractor.cli.exitcodes import EXIT_HELP, ExitCode
from extractor.errors import ExtractorError
from extractor.io.readers import DEFAULT_ID_FIELD, DEFAULT_TEXT_FIELD, ReaderOptions, StdinFormat
from extractor.io.writers import CsvFields, OutputFormat
from extractor.llm.config import Mode
from extractor.llm.secrets import display_url
from extractor.run import estimate_many, extract_many

__all__ = ["extract"]

Opt = typer.Option


def extract(  # noqa: PLR0917 - typer maps parameters to options
    inputs: Annotated[list[str], typer.Argument(help="Files, directories, globs, - (stdin).", show_default=False)],
    output: Annotated[Path | None, Opt("--output", "-o", help="Output file (-: stdout); resumed if it exists.")] = None,
    fmt: Annotated[
        OutputFormat | None, Opt("--format", "-f", help="Default: by extension, also behind .gz (parquet: the extra).")
    ] = None,
    csv_fields: Annotated[CsvFields, Opt(help="CSV layout: one JSON 'fields' column, or flat columns.")] = "json",
    stdin_format: Annotated[StdinFormat, Opt(help="Format of - (stdin); auto sniffs it.")] = "auto",
    backend: Annotated[Backend, Opt(help="llm and hybrid are paid: only when asked for.")] = "rules",
    model: Annotated[str | None, Opt(help="LLM model (EXTRACTOR_MODEL; gpt-4o-mini).")] = None,
    base_url: Annotated[str | None, Opt(help="OpenAI-compatible endpoint (OPENAI_BASE_URL).")] = None,
    mode: Annotated[Mode | None, Opt(help="instructor mode (EXTRACTOR_INSTRUCTOR_MODE).")] = None,
    id_field: Annotated[str, Opt(help="Trial id field of JSON/CSV records.")] = DEFAULT_ID_FIELD,
    text_field: Annotated[str, Opt(help="Criteria text field of JSON/CSV records.")] = DEFAULT_TEXT_FIELD,
    workers: Annotated[int | None, Opt(min=0, help="Processes for the rules (default: CPU count).")] = None,
    concurrency: Annotated[int, Opt(min=1, help="LLM trials in flight.")] = 8,
    rpm: Annotated[int | None, Opt(min=1, help="Requests per minute.")] = None,
    tpm: Annotated[int | None, Opt(min=1, help="Tokens per minute.")] = None,
    timeout: Annotated[float | None, Opt(min=0.001, help="Seconds per LLM request (EXTRACTOR_TIMEOUT; 120).")] = None,
    attempts: Annotated[
        int | None, Opt(min=1, max=20, help="Transport tries per LLM request (EXTRACTOR_ATTEMPTS; 4); re-asks on top.")
    ] = None,
    trial_timeout: Annotated[float, Opt(min=0, help="Seconds the rules may spend per trial (0: no limit).")] = 10.0,
    cache: Annotated[Path | None, Opt(help="Result cache file (default: in XDG_CACHE_HOME).")] = None,
    no_cache: Annotated[bool, Opt("--no-cache", help="Neither read nor write the cache.")] = False,
    overwrite: Annotated[bool, Opt("--overwrite", help="Start the output over instead of resuming.")] = False,
    retry_errors: Annotated[
        bool, Opt("--retry-errors", help="On resume, redo trials whose record is an error.")
    ] = False,
    max_error_rate: Annotated[
        float, Opt(min=0.0, max=1.0, help="Share of records that may be errors (0: any fails).")
    ] = 0.0,
    allow_errors: Annotated[bool, Opt("--allow-errors", help="Error records never make the exit code 1.")] = False,
    include_text: Annotated[bool, Opt("--include-text", help="Add source_text to each record.")] = False,
    summary: Annotated[Path | None, Opt(help="Write the summary JSON here.")] = None,
    quiet: Annotated[bool, Opt("--quiet", "-q", help="No progress or summary.")] = False,
    dry_run: Annotated[bool, Opt("--dry-run", help="Estimate tokens and cost; needs no key, calls nothing.")] = False,
    verbose: Verbosity = 0,
) -> None:
    """Extract typed, grounded criteria from many trials, resumably (one JSONL record per trial)."""
    try:
        llm = None
        if backend != "rules":
            llm = llm_config(model=model, base_url=base_url, mode=mode, timeout_s=timeout, transport_attempts=attempts)
        common = {
            "backend": backend,
            "llm": llm,
            "fmt": fmt,
            "csv_fields": csv_fields,
            "resume": not overwrite,
            "retry_errors": retry_errors,
            "cache": False if no_cache else (cache or True),
            "reader": ReaderOptions(id_field=id_field, text_field=text_field, stdin_format=stdin_format),
        }
        target = None if output is None or str(output) == "-" else output
        if dry_run:
            report = estimate_many(inputs, target, **common)  # type: ignore[arg-type]
            sys.stdout.write(report.model_dump_json(indent=2) + "\n")
            err("" if quiet else format_dry_run(report))
            if summary is not None:
                _write(summary, report.model_dump_json(indent=2))
            return
        if llm is not None and not quiet:
            err(f"backend {backend}: model {llm.model} at {display_url(llm.base_url) or 'api.openai.com'}")
        result = extract_many(
            inputs,
            target,
            **common,  # type: ignore[arg-type]
            workers=workers,
            concurrency=concurrency,
            rpm=rpm,
            tpm=tpm,
            trial_timeout=trial_timeout or None,
            include_text=include_text,
            progress=make_progress(quiet),
        )
    except ExtractorError as e:
        raise fail(ExitCode.USAGE, f"error: {e}") from None
    except KeyboardInterrupt:
        raise fail(ExitCode.INTERRUPTED, "interrupted") from None
    except BrokenPipeError:  # e.g. `extractor extract ... | head`: stop quietly, as a Unix filter would
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(141) from None
    except OSError as e:  # the output (or the summary) cannot be written: disk full, no permission...
        raise fail(ExitCode.USAGE, f"error: {e}") from None
    err("" if quiet else format_summary(result))
    if summary is not None:
        _write(summary, result.model_dump_json(indent=2))
    code = exit_code(result, max_error_rate=max_error_rate, allow_errors=allow_errors)
    if code == ExitCode.ERRORS and not quiet and not result.aborted:
        err(errors_exit_message(*bad_records(result), max_error_rate, kept_errors=result.kept_errors))
    raise typer.Exit(int(code))


extract.__doc__ = f"{extract.__doc__}\n\n{EXIT_HELP}"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
