"""``extractor batch``: the provider's Batch API (half price, 24 h window): submit, status, collect.

Local state (batch ids, files, LLM settings) lives in ``--out-dir`` (default ``./extractor-batch``); run all three
commands with the same ``--out-dir``. Collected records are the same JSONL records as ``extractor extract``.

Exit codes (the one table, :mod:`extractor.cli.exitcodes`): 0 done; 1 (collect) more error records than
``--max-error-rate`` allows (default 0; ``--allow-errors`` opts out); 2 could not run (bad option or configuration,
unreadable state or input, unwritable output, the provider refused or could not be reached); 3 (collect) no batch
has finished yet, try again later; 130 interrupted (rerun the same command: collect resumes its output).
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from extractor.batch.cache import ResultCache, default_cache_path
from extractor.batch.runner import RunSummary
from extractor.cli._logging import Verbosity
from extractor.cli.exitcodes import EXIT_HELP, ExitCode
from extractor.errors import ConfigError, ExtractorError
from extractor.io.readers import DEFAULT_ID_FIELD, DEFAULT_TEXT_FIELD, ReaderOptions, expand_inputs, read_inputs
from extractor.io.writers import OutputLock, RecordWriter, check_output, scan_output
from extractor.llm.config import LLMConfig

app = typer.Typer(help="Provider Batch API (OpenAI): submit, status, collect.", epilog=EXIT_HELP, no_args_is_help=True)
NOT_FINISHED = ExitCode.REGRESSION
"""The table's 3 for ``batch collect``: nothing to collect yet (the command worked; try again later)."""
COLLECT_HELP = f"{EXIT_HELP} For batch collect, 3 means no batch has finished yet (try again later)."

OutDir = Annotated[Path, typer.Option("--out-dir", help="Where request files and state.json live.")]
BaseUrl = Annotated[str | None, typer.Option(help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL).")]
DEFAULT_DIR = Path("extractor-batch")


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def _config(model: str | None = None, base_url: str | None = None, mode: str | None = None) -> LLMConfig:
    try:
        return LLMConfig.from_env(model=model, base_url=base_url, mode=mode)
    except ValueError as e:
        raise ConfigError(f"invalid LLM option: {e}") from e


def _guard(fn_name: str, exc: BaseException) -> typer.Exit:
    """The exit for a failure: interrupted 130, anything else could not run (2), with one line on stderr."""
    if isinstance(exc, KeyboardInterrupt):
        _err(f"{fn_name}: interrupted")
        return typer.Exit(ExitCode.INTERRUPTED)
    _err(f"error: {exc}" if isinstance(exc, ExtractorError) else f"error: {fn_name}: {exc}")
    return typer.Exit(ExitCode.USAGE)


@app.command("submit", epilog=EXIT_HELP)
def submit(  # noqa: PLR0917 - typer maps parameters to options
    inputs: Annotated[
        list[str], typer.Argument(help="Files, directories, globs, or - (as for extract).", show_default=False)
    ],
    model: Annotated[str | None, typer.Option(help="Model (default: EXTRACTOR_MODEL or gpt-4o-mini).")] = None,
    out_dir: OutDir = DEFAULT_DIR,
    base_url: BaseUrl = None,
    id_field: Annotated[str, typer.Option(help="Trial id field of JSON/JSONL/CSV records.")] = DEFAULT_ID_FIELD,
    text_field: Annotated[str, typer.Option(help="Criteria text field.")] = DEFAULT_TEXT_FIELD,
    max_requests: Annotated[int, typer.Option(min=1, max=50_000, help="Requests per batch file.")] = 50_000,
    no_upload: Annotated[bool, typer.Option("--no-upload", help="Only write the request files.")] = False,
    verbose: Verbosity = 0,
) -> None:
    """Write Batch API request files for INPUT, upload them and create the batches."""
    from extractor.batch.openai_batch import BatchState, prepare_batches, submit_batches

    try:
        config = _config(model, base_url)
        if not no_upload and not config.configured:
            raise ConfigError("set OPENAI_API_KEY (or OPENAI_BASE_URL / --base-url) to submit batches")
        for missing in (e for e in expand_inputs(inputs) if isinstance(e, ExtractorError)):
            raise missing  # a path that does not exist (or matches nothing) is a usage error, before any upload
        run_dir = out_dir / f"run-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        items = read_inputs(inputs, ReaderOptions(id_field=id_field, text_field=text_field))
        parts = prepare_batches(items, config, run_dir, max_requests=max_requests)
        total = sum(p.requests for p in parts)
        _err(
            f"prepared {sum(p.trials for p in parts)} trials, {total} requests in {len(parts)} file(s) under {run_dir}"
        )
        if no_upload:
            return
        state_path = out_dir / "state.json"
        state = BatchState.load(state_path)
        created = submit_batches(parts, config, state, state_path)
    except (ExtractorError, OSError, KeyboardInterrupt) as e:
        raise _guard("submit", e) from None
    for rec in created:
        typer.echo(f"{rec.batch_id}\t{rec.status}\t{rec.part.requests} requests\t{rec.part.requests_path}")
    _err(f"submitted {len(created)} batch(es); state in {state_path}")


@app.command("status", epilog=EXIT_HELP)
def status(
    batch_id: Annotated[str | None, typer.Argument(help="One batch (default: all in the state file).")] = None,
    out_dir: OutDir = DEFAULT_DIR,
    base_url: BaseUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the records as JSON.")] = False,
    verbose: Verbosity = 0,
) -> None:
    """Show the provider's status of submitted batches (and update the state file)."""
    from extractor.batch.openai_batch import BatchState, refresh_status

    try:
        state_path = out_dir / "state.json"
        state = BatchState.load(state_path)
        records = state.find(batch_id)
        if not records:
            _err(f"no batches in {state_path}")
            return
        refresh_status(records, _config(base_url=base_url), state, state_path)
    except (ExtractorError, OSError, KeyboardInterrupt) as e:
        raise _guard("status", e) from None
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in records], indent=2))
        return
    for r in records:
        c = r.request_counts
        counts = f"{c.get('completed', 0)}/{c.get('total', r.part.requests)} done, {c.get('failed', 0)} failed"
        collected = f"\tcollected into {', '.join(r.collected_into)}" if r.collected_into else ""
        typer.echo(f"{r.batch_id}\t{r.status}\t{counts}\t{r.part.trials} trials{collected}")


@app.command("collect", epilog=COLLECT_HELP)
def collect(  # noqa: PLR0917 - typer maps parameters to options
    batch_id: Annotated[str | None, typer.Argument(help="One batch (default: every finished batch).")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Output JSONL (default: stdout); an existing file is resumed.")
    ] = None,
    out_dir: OutDir = DEFAULT_DIR,
    base_url: BaseUrl = None,
    cache: Annotated[Path | None, typer.Option(help="Result cache to fill (default: the user cache).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not write results to the cache.")] = False,
    include_text: Annotated[bool, typer.Option("--include-text", help="Add source_text to each record.")] = False,
    summary: Annotated[Path | None, typer.Option(help="Also write the summary (JSON) here.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
    max_error_rate: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Exit 1 when more than this share of the records written are errors."),
    ] = 0.0,
    allow_errors: Annotated[
        bool, typer.Option("--allow-errors", help="Exit 0 whatever the share of error records.")
    ] = False,
    verbose: Verbosity = 0,
) -> None:
    """Download finished batches, validate and ground every answer, write the output records."""
    from extractor.batch.openai_batch import FINAL_STATUSES, BatchState, collect_batch, finish_summary, refresh_status

    t0 = time.perf_counter()
    cache_db: ResultCache | None = None
    try:
        config = _config(base_url=base_url)
        state_path = out_dir / "state.json"
        state = BatchState.load(state_path)
        records = refresh_status(state.find(batch_id), config, state, state_path)
        ready = [r for r in records if r.status in FINAL_STATUSES]
        for r in records:
            if r.status not in FINAL_STATUSES:
                _err(f"{r.batch_id}: {r.status}, not finished yet")
        if not ready:
            raise typer.Exit(NOT_FINISHED)
        with contextlib.ExitStack() as held:
            if output is not None:  # the same guards as `extract`: not an input, a regular file, one run at a time
                check_output(output, [str(state_path)])
                held.enter_context(OutputLock(output))
            skip = scan_output(output, "jsonl").ids if output is not None and output.exists() else set()
            cache_db = None if no_cache else ResultCache(cache or default_cache_path())
            model = str(ready[0].llm.get("model"))
            result = RunSummary(backend="llm", model=model, output=str(output) if output else None)
            with RecordWriter(output, "jsonl") as writer:
                for rec in ready:
                    collect_batch(rec, config, writer, result, skip_ids=skip, cache=cache_db, include_text=include_text)
                    state.save(state_path)
        finish_summary(result, t0)
    except (ExtractorError, OSError, KeyboardInterrupt) as e:
        raise _guard("collect", e) from None
    finally:
        if cache_db is not None:
            cache_db.close()
    if not quiet:
        cost = "unknown" if result.cost_usd is None else f"${result.cost_usd:.4f} (batch price)"
        _err(
            f"collected {len(ready)} batch(es): {result.written} written ({result.ok} ok, {result.error} errors), "
            f"{result.skipped} already in the output; {result.usage.total_tokens} tokens, cost {cost}"
        )
        if result.error:
            _err("error records can be re-run online: extractor extract ... -o OUT --retry-errors")
    if summary is not None:
        summary.write_text(result.model_dump_json(indent=2) + "\n", encoding="utf-8")
    if result.error and not allow_errors and result.error > max_error_rate * result.written:
        if not quiet:
            _err(f"{result.error} of {result.written} records are errors (over --max-error-rate {max_error_rate:g})")
        raise typer.Exit(ExitCode.ERRORS)
