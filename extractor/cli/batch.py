"""``extractor batch``: the provider's Batch API (half price, 24 h window): submit, status, collect.

Local state (batch ids, files, LLM settings) lives in ``--out-dir`` (default ``./extractor-batch``); run all three
commands with the same ``--out-dir``. Collected records are the same JSONL records as ``extractor extract``.

Exit codes (the one table, :mod:`extractor.cli.exitcodes`): 0 done; 1 (collect) more error records than
``--max-error-rate`` allows (default 0; ``--allow-errors`` opts out); 2 could not run (bad option or configuration,
unreadable state or input, unwritable output, a missing ``--out-dir`` or, for collect, one with nothing submitted,
the provider refused or could not be reached); 3 (collect) submitted batches still pending, try again later; 130
interrupted (rerun the same command: collect resumes its output).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from extractor.cli._logging import Verbosity
from extractor.cli._support import err, exit_code, fail, format_batch_status, format_collected, llm_config
from extractor.cli.exitcodes import EXIT_HELP, ExitCode
from extractor.errors import ConfigError, ExtractorError
from extractor.io.readers import DEFAULT_ID_FIELD, DEFAULT_TEXT_FIELD, ReaderOptions

Opt, Arg = typer.Option, typer.Argument
app = typer.Typer(help="Provider Batch API (OpenAI): submit, status, collect.", epilog=EXIT_HELP, no_args_is_help=True)
NOT_FINISHED = ExitCode.REGRESSION
"""The table's 3 for ``batch collect``: nothing to collect yet (the command worked; try again later)."""
COLLECT_HELP = f"{EXIT_HELP} For batch collect, 3 means no batch has finished yet (try again later)."

OutDir = Annotated[Path, Opt("--out-dir", help="Where request files and state.json live.")]
BaseUrl = Annotated[str | None, Opt(help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL).")]
DEFAULT_DIR = Path("extractor-batch")


def _guard(fn_name: str, exc: BaseException) -> typer.Exit:
    """The exit for a failure: interrupted 130, anything else could not run (2), with one line on stderr."""
    if isinstance(exc, KeyboardInterrupt):
        return fail(ExitCode.INTERRUPTED, f"{fn_name}: interrupted")
    return fail(ExitCode.USAGE, f"error: {exc}" if isinstance(exc, ExtractorError) else f"error: {fn_name}: {exc}")


@app.command("submit", epilog=EXIT_HELP)
def submit(  # noqa: PLR0917 - typer maps parameters to options
    inputs: Annotated[list[str], Arg(help="Files, directories, globs, or - (as for extract).", show_default=False)],
    model: Annotated[str | None, Opt(help="Model (default: EXTRACTOR_MODEL or gpt-4o-mini).")] = None,
    out_dir: OutDir = DEFAULT_DIR,
    base_url: BaseUrl = None,
    id_field: Annotated[str, Opt(help="Trial id field of JSON/JSONL/CSV records.")] = DEFAULT_ID_FIELD,
    text_field: Annotated[str, Opt(help="Criteria text field.")] = DEFAULT_TEXT_FIELD,
    max_requests: Annotated[int, Opt(min=1, max=50_000, help="Requests per batch file.")] = 50_000,
    no_upload: Annotated[bool, Opt("--no-upload", help="Only write the request files.")] = False,
    verbose: Verbosity = 0,
) -> None:
    """Write Batch API request files for INPUT, upload them and create the batches."""
    from extractor.batch.openai_batch import BatchState, prepare_run, submit_batches

    try:
        config = llm_config(model=model, base_url=base_url)
        if not no_upload and not config.configured:
            raise ConfigError("set OPENAI_API_KEY (or OPENAI_BASE_URL / --base-url) to submit batches")
        reader = ReaderOptions(id_field=id_field, text_field=text_field)
        run_dir, parts = prepare_run(inputs, config, out_dir, reader=reader, max_requests=max_requests)
        total = sum(p.requests for p in parts)
        err(f"prepared {sum(p.trials for p in parts)} trials, {total} requests in {len(parts)} file(s) under {run_dir}")
        if no_upload:
            return
        state_path = out_dir / "state.json"
        state = BatchState.load(state_path)
        created = submit_batches(parts, config, state, state_path)
    except (ExtractorError, OSError, KeyboardInterrupt) as e:
        raise _guard("submit", e) from None
    for rec in created:
        typer.echo(f"{rec.batch_id}\t{rec.status}\t{rec.part.requests} requests\t{rec.part.requests_path}")
    err(f"submitted {len(created)} batch(es); state in {state_path}")


@app.command("status", epilog=EXIT_HELP)
def status(
    batch_id: Annotated[str | None, Arg(help="One batch (default: all in the state file).")] = None,
    out_dir: OutDir = DEFAULT_DIR,
    base_url: BaseUrl = None,
    as_json: Annotated[bool, Opt("--json", help="Print the records as JSON.")] = False,
    verbose: Verbosity = 0,
) -> None:
    """Show the provider's status of submitted batches (and update the state file)."""
    from extractor.batch.openai_batch import load_state, refresh_status

    try:
        state, state_path = load_state(out_dir)
        records = state.find(batch_id)
        if not records:  # an existing directory with nothing submitted: nothing to report, not an error
            err(f"no batches submitted from {out_dir} ({state_path} lists none)")
            return
        refresh_status(records, llm_config(base_url=base_url), state, state_path)
    except (ExtractorError, OSError, KeyboardInterrupt) as e:
        raise _guard("status", e) from None
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in records], indent=2))
        return
    for r in records:
        typer.echo(format_batch_status(r))


@app.command("collect", epilog=COLLECT_HELP)
def collect(  # noqa: PLR0917 - typer maps parameters to options
    batch_id: Annotated[str | None, Arg(help="One batch (default: every finished batch).")] = None,
    output: Annotated[
        Path | None, Opt("--output", "-o", help="Output JSONL (default: stdout); an existing file is resumed.")
    ] = None,
    out_dir: OutDir = DEFAULT_DIR,
    base_url: BaseUrl = None,
    cache: Annotated[Path | None, Opt(help="Result cache to fill (default: the user cache).")] = None,
    no_cache: Annotated[bool, Opt("--no-cache", help="Do not write results to the cache.")] = False,
    include_text: Annotated[bool, Opt("--include-text", help="Add source_text to each record.")] = False,
    summary: Annotated[Path | None, Opt(help="Also write the summary (JSON) here.")] = None,
    quiet: Annotated[bool, Opt("--quiet", "-q", help="No summary on stderr.")] = False,
    max_error_rate: Annotated[
        float,
        Opt(min=0.0, max=1.0, help="Exit 1 when more than this share of the records written are errors."),
    ] = 0.0,
    allow_errors: Annotated[bool, Opt("--allow-errors", help="Exit 0 whatever the share of error records.")] = False,
    verbose: Verbosity = 0,
) -> None:
    """Download finished batches, validate and ground every answer, write the output records."""
    from extractor.batch.openai_batch import collect_batches

    try:
        collected = collect_batches(
            out_dir,
            llm_config(base_url=base_url),
            output,
            batch_id=batch_id,
            cache=False if no_cache else (cache or True),
            include_text=include_text,
            on_pending=lambda r: err(f"{r.batch_id}: {r.status}, not finished yet"),
        )
    except (ExtractorError, OSError, KeyboardInterrupt) as e:
        raise _guard("collect", e) from None
    if collected is None:
        raise typer.Exit(NOT_FINISHED)
    result = collected.summary
    err("" if quiet else format_collected(result, len(collected.batches)))
    if summary is not None:
        summary.write_text(result.model_dump_json(indent=2) + "\n", encoding="utf-8")
    code = exit_code(result, max_error_rate=max_error_rate, allow_errors=allow_errors)
    if code == ExitCode.ERRORS and not quiet:
        err(f"{result.error} of {result.written} records are errors (over --max-error-rate {max_error_rate:g})")
    raise typer.Exit(int(code))
