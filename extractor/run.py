"""The public batch API: many trials -> one output record each, through the one run engine.

    extract_many(inputs, output)   -> RunSummary                 resume, retry-errors, cache, output lock, writer
    estimate_many(inputs, output)  -> DryRunReport               the same plan, priced; calls and writes nothing
    read_records(path)             -> Iterator[OutputRecord]     an output file read back, every record validated

The engine is :class:`extractor.batch.runner.BatchRunner` (planner: resume skip, de-duplication, cache lookup ->
executor: worker processes for ``rules``, bounded asyncio for ``llm`` / ``hybrid`` -> sink: the record writer);
the eval (:func:`extractor.evals.predict_gold`) runs through the same engine. A failed trial is an error record, a
bad input record too; the run goes on.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, TypeAlias

from pydantic import ValidationError

from extractor.api import BACKENDS, Backend
from extractor.batch.cache import ResultCache, default_cache_path
from extractor.batch.models import DryRunReport, ProgressSink, RunOptions, RunSummary
from extractor.batch.runner import DEFAULT_TRIAL_TIMEOUT_S, BatchRunner
from extractor.errors import ConfigError, InputError
from extractor.io.readers import ReaderOptions, ReadItem, count_records, expand_inputs, read_inputs
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
from extractor.llm.config import LLMConfig
from extractor.models import OutputRecord, TokenUsage, Trial

__all__ = ["Inputs", "estimate_many", "extract_many", "read_records"]

Inputs: TypeAlias = "str | os.PathLike[str] | Mapping[str, str] | Iterable[str | os.PathLike[str] | Trial]"
"""What :func:`extract_many` reads: a path, glob or ``"-"`` (stdin); ``{trial_id: text}``; or an iterable mixing
paths and :class:`~extractor.models.Trial` objects (a plain ``str`` is always a path, never criteria text)."""


# ------------------------------------------------------------------------------------------------- inputs


def _split(inputs: Inputs) -> tuple[list[str], list[str | Trial]]:
    """(the path arguments, every entry in order); a Mapping's items become trials."""
    if isinstance(inputs, str | os.PathLike):
        entries: list[str | Trial] = [os.fspath(inputs)]
    elif isinstance(inputs, Mapping):
        entries = [_trial(tid, text) for tid, text in inputs.items()]
    else:
        entries = []
        for entry in inputs:
            if isinstance(entry, Trial):
                entries.append(entry)
            elif isinstance(entry, str | os.PathLike):
                entries.append(os.fspath(entry))
            else:
                raise ConfigError(
                    f"an input is a path, a glob, '-' or a Trial, not {type(entry).__name__}", field="inputs"
                )
    return [e for e in entries if isinstance(e, str)], entries


def _trial(trial_id: object, text: object) -> Trial:
    try:
        return Trial.model_validate({"trial_id": trial_id, "text": text})
    except ValidationError as e:
        raise ConfigError(f"inputs[{trial_id!r}] is not a trial id -> text pair: {e.errors()[0]['msg']}") from e


def _check_paths(paths: list[str]) -> None:
    """Raise :class:`InputError` naming every path that does not exist (or glob / directory without input files),
    before any work is done."""
    missing = [e for e in expand_inputs(paths) if isinstance(e, InputError)]
    if missing:
        names = "; ".join(f"{e.file} ({e.message})" for e in missing)
        raise InputError(f"input not found, nothing was done: {names}")


def _items(entries: list[str | Trial], reader: ReaderOptions, stdin: IO[bytes] | None) -> Iterator[ReadItem]:
    for entry in entries:
        if isinstance(entry, Trial):
            yield entry
        else:
            yield from read_inputs([entry], reader, stdin)


def _count(paths: list[str], entries: list[str | Trial]) -> int | None:
    if not paths:
        return len(entries)
    n = count_records(paths)
    return None if n is None else n + len(entries) - len(paths)


# ----------------------------------------------------------------------------------------- configuration


def _output(output: str | os.PathLike[str] | None) -> Path | None:
    if output is None or os.fspath(output) == "-":
        return None
    return Path(output)


def _llm_config(backend: Backend, llm: LLMConfig | None, *, need_endpoint: bool) -> LLMConfig | None:
    """The LLM configuration of a run: None for ``rules``; else ``llm`` or the environment's. A real run needs an
    endpoint or a key; a dry run does not (it assumes OpenAI's API and the default model)."""
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}", field="backend")
    if backend == "rules":
        return None
    config = llm if llm is not None else LLMConfig.from_env()
    if need_endpoint and not config.configured:
        raise ConfigError(
            f"backend {backend} needs an endpoint: set OPENAI_API_KEY or OPENAI_BASE_URL (or pass --base-url)",
            field="backend",
        )
    return config


def _options(backend: Backend, llm: LLMConfig | None, fmt: OutputFormat, **kw: object) -> RunOptions:
    try:
        return RunOptions.model_validate({"backend": backend, "llm": llm, "fmt": fmt, **kw})
    except ValidationError as e:
        err = e.errors()[0]
        raise ConfigError(f"invalid option {'.'.join(map(str, err['loc']))}: {err['msg']}") from e


def _open_cache(cache: bool | str | os.PathLike[str]) -> ResultCache | None:
    if cache is False:
        return None
    return ResultCache(default_cache_path() if cache is True else Path(cache))


def _resume(
    out: Path | None,
    fmt: OutputOptions,
    *,
    resume: bool,
    retry_errors: bool,
    dry_run: bool,
    progress: ProgressSink | None,
) -> tuple[set[str], int]:
    """The trial ids already done in ``out`` (repairing a torn last record; with ``retry_errors``, removing the
    error records so that their trials run again), and how many of them are error records that stay."""
    if out is None or not resume or not out.exists():
        return set(), 0
    scan = scan_output(out, fmt, repair=not dry_run)
    if scan.truncated_bytes and progress is not None:
        progress.note(f"{out}: removed a torn trailing record ({scan.truncated_bytes} bytes); it will be redone")
    skip = scan.ids
    if retry_errors and scan.error_ids:
        if not dry_run:
            drop_records(out, fmt, scan.error_ids)
        skip = scan.ids - scan.error_ids
    kept_errors = len(scan.error_ids & skip)
    if skip and progress is not None:
        errors = (
            f" ({kept_errors} of them error records: rerun with --retry-errors to redo them)" if kept_errors else ""
        )
        progress.note(f"{out}: resuming, {len(skip)} trials already done{errors}")
    return skip, kept_errors


# --------------------------------------------------------------------------------------------------- runs


def extract_many(
    inputs: Inputs,
    output: str | os.PathLike[str] | None = None,
    *,
    backend: Backend = "rules",
    llm: LLMConfig | None = None,
    fmt: OutputFormat | None = None,
    csv_fields: CsvFields = "json",
    resume: bool = True,
    retry_errors: bool = False,
    cache: bool | str | os.PathLike[str] = True,
    workers: int | None = None,
    concurrency: int = 8,
    rpm: int | None = None,
    tpm: int | None = None,
    trial_timeout: float | None = DEFAULT_TRIAL_TIMEOUT_S,
    include_text: bool = False,
    reader: ReaderOptions | None = None,
    progress: ProgressSink | None = None,
    stdin: IO[bytes] | None = None,
) -> RunSummary:
    """Extract criteria from many trials into one output file, one record per trial, and return the summary.

    Args:
        inputs: a path, directory, glob or ``"-"`` (stdin); ``{trial_id: text}``; or an iterable of those and
            :class:`Trial` objects. Files: ``.txt``/``.md``, CT.gov API v2 JSON, ``.jsonl``, ``.csv`` (see
            :mod:`extractor.io.readers`). A path that does not exist raises :class:`InputError` before any work.
        output: the output file; ``None`` or ``"-"`` writes to stdout. Locked for the run (a second run on it
            raises :class:`ConfigError`); it must not be one of the inputs.
        backend: ``"rules"`` (default, offline), ``"llm"`` or ``"hybrid"`` (paid: only when asked for here).
        llm: the endpoint, model and limits of ``llm``/``hybrid`` (default :meth:`LLMConfig.from_env`; without an
            endpoint or key :class:`ConfigError`).
        fmt: ``"jsonl"``, ``"json"``, ``"csv"`` or ``"parquet"`` (the ``parquet`` extra); default from the output's
            extension, seen through ``.gz`` (``out.csv.gz``: gzip-compressed CSV), else ``"jsonl"``.
        csv_fields: CSV layout: ``"json"`` (kind-specific fields as one JSON column) or ``"flat"`` (one column per
            field; Parquet is always flat).
        resume: skip the trials already in ``output`` (a torn last record is repaired first); ``False`` starts the
            output over.
        retry_errors: on resume, remove the error records from ``output`` and run their trials again.
        cache: ``True`` the default SQLite result cache, ``False`` none, or a path; opened and closed by the run.
        workers: processes for the rules backend (default: CPU count; 0 or 1: in this process).
        concurrency, rpm, tpm: LLM trials in flight, and client-side requests / tokens per minute.
        trial_timeout: seconds the rules backend may spend on one trial (``None``: unbounded); a trial over it
            becomes a ``TrialTimeoutError`` record.
        include_text: add ``source_text`` to each record.
        reader: id and text fields of JSON/JSONL/CSV records (:class:`extractor.io.ReaderOptions`).
        progress: receives ``start(total)``, ``advance(status)`` per record, ``note(message)`` (resume notices)
            and ``stop()``.
        stdin: the bytes stream ``"-"`` reads (default ``sys.stdin.buffer``).

    Returns:
        :class:`RunSummary`: counts (ok, degraded, error, failed, cached, skipped, duplicates; ``kept`` and
        ``kept_errors``: the records, and error records, an earlier run left in the output), criteria per kind,
        tokens, estimated cost, time; ``interrupted`` after Ctrl-C (rerun to resume), ``aborted`` when the LLM
        circuit breaker stopped the run. Error records are data: check ``summary.error``.

    Raises:
        InputError: a path, glob or directory that names no input file.
        ConfigError: a bad option, an output that cannot be used or is locked by another run.
        OSError: writing the output failed (the error names the file).
    """
    paths, entries = _split(inputs)
    _check_paths(paths)
    out = _output(output)
    out_fmt = OutputOptions.for_output(out, fmt, csv_fields=csv_fields)
    config = _llm_config(backend, llm, need_endpoint=True)
    opts = _options(
        backend,
        config,
        out_fmt.body_format,
        workers=(os.cpu_count() or 1) if workers is None else workers,
        concurrency=concurrency,
        rpm=rpm,
        tpm=tpm,
        include_text=include_text,
    )
    budget = trial_timeout or None  # 0: no limit
    if out is not None:
        check_output(out, paths)  # not an input, not a FIFO/device/directory: before anything is opened
    lock = OutputLock(out).acquire() if out is not None else None  # from the resume scan to the last record
    cache_db: ResultCache | None = None
    try:
        skip, kept_errors = _resume(
            out, out_fmt, resume=resume, retry_errors=retry_errors, dry_run=False, progress=progress
        )
        cache_db = _open_cache(cache)
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
        total = _count(paths, entries) if progress is not None else None
        with RecordWriter(out, out_fmt, overwrite=not resume) as writer:
            runner = BatchRunner(opts, writer, cache=cache_db, skip_ids=skip, progress=progress, trial_timeout_s=budget)
            summary = runner.run(_items(entries, reader or ReaderOptions(), stdin), total=total)
        summary.kept, summary.kept_errors = len(skip), kept_errors
        return summary
    finally:
        if cache_db is not None:
            cache_db.close()
        if lock is not None:
            lock.release()


def estimate_many(
    inputs: Inputs,
    output: str | os.PathLike[str] | None = None,
    *,
    backend: Backend = "rules",
    llm: LLMConfig | None = None,
    fmt: OutputFormat | None = None,
    csv_fields: CsvFields = "json",
    resume: bool = True,
    retry_errors: bool = False,
    cache: bool | str | os.PathLike[str] = True,
    reader: ReaderOptions | None = None,
    stdin: IO[bytes] | None = None,
) -> DryRunReport:
    """What :func:`extract_many` with the same arguments would do, without calling or writing anything.

    Args:
        inputs, output, fmt, resume, retry_errors, cache, reader, stdin: as for :func:`extract_many` (the output
            is only read: which trials it already holds).
        backend: ``"rules"`` (nothing to price), ``"llm"`` or ``"hybrid"``.
        llm: the model and limits to price (default :meth:`LLMConfig.from_env`). No API key or endpoint is
            needed: without them OpenAI's API and the configured (or default) model are assumed.

    Returns:
        :class:`DryRunReport`: trials, bad records, already done, cached, to extract, requests, estimated prompt
        tokens and prompt cost (price table ``extractor/batch/prices.yaml``), and ``assumptions``.

    Raises:
        InputError: a path that does not exist. ConfigError: a bad option.
    """
    paths, entries = _split(inputs)
    _check_paths(paths)
    out = _output(output)
    out_fmt = OutputOptions.for_output(out, fmt, csv_fields=csv_fields)
    config = _llm_config(backend, llm, need_endpoint=False)
    opts = _options(backend, config, out_fmt.body_format)
    if out is not None:
        check_output(out, paths)
    cache_db: ResultCache | None = None
    try:
        skip, _ = _resume(out, out_fmt, resume=resume, retry_errors=retry_errors, dry_run=True, progress=None)
        cache_db = _open_cache(cache)
        report = BatchRunner(opts, None, cache=cache_db, skip_ids=skip).dry_run(
            _items(entries, reader or ReaderOptions(), stdin)
        )
    finally:
        if cache_db is not None:
            cache_db.close()
    if config is not None:
        report.assumptions = _assumptions(config) + report.assumptions
    return report


def _assumptions(config: LLMConfig) -> list[str]:
    from extractor.batch.estimate import estimate_cost
    from extractor.llm.secrets import display_url

    out = []
    if not config.configured:
        out.append("no endpoint or key configured: OpenAI's API is assumed (nothing was contacted)")
    else:
        out.append(f"endpoint {display_url(config.base_url) or 'api.openai.com'} (not contacted)")
    out.append(f"model {config.model}, {config.items_per_call} items per request")
    per_m_in = estimate_cost(config.model, TokenUsage(prompt_tokens=1_000_000))
    per_m_out = estimate_cost(config.model, TokenUsage(completion_tokens=1_000_000))
    if per_m_in is None or per_m_out is None:
        out.append(f"no price known for {config.model}: cost unknown (extractor/batch/prices.yaml)")
    else:
        out.append(f"prices ${per_m_in:g} input, ${per_m_out:g} output per 1M tokens (extractor/batch/prices.yaml)")
    return out


# ----------------------------------------------------------------------------------------------- reading


def read_records(path: str | os.PathLike[str]) -> Iterator[OutputRecord]:
    """Yield the validated :class:`OutputRecord` s of an output file written by ``extractor extract``.

    Reads JSONL (and the JSON array format, one record a line); ``.gz`` files are decompressed. Blank lines are
    skipped; every record is yielded in file order (a resumed run may hold a trial twice). A line that is not a
    valid record raises :class:`InputError` with the file, line and field; a CSV or Parquet output (by name or, for
    Parquet, content) raises :class:`InputError` saying the format cannot be read back as records.
    """
    p = Path(path)
    name = p.name.lower().removesuffix(".gz")
    if name.endswith(_NOT_RECORDS):
        raise InputError(_unsupported(name.rsplit(".", 1)[-1]), file=str(p))
    try:
        f = _open_bytes(p)
    except FileNotFoundError as e:
        raise InputError("output file not found", file=str(p)) from e
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", file=str(p)) from e
    with f:
        try:
            for n, raw in enumerate(f, start=1):
                if n == 1 and raw.startswith(b"PAR1"):  # Parquet's magic number, whatever the name
                    raise InputError(_unsupported("parquet"), file=str(p))
                body = raw.strip()
                if body in (b"", b"[", b"]", b"[]"):
                    continue
                yield _record(body.removeprefix(b"[").removeprefix(b","), p, n)
        except (OSError, EOFError, UnicodeDecodeError) as e:
            raise InputError(f"cannot read: {e}", file=str(p)) from e


_NOT_RECORDS = (".csv", ".tsv", ".parquet", ".pq")


def _unsupported(fmt: str) -> str:
    return f"reading records from {fmt} is not supported: read_records() reads JSONL and JSON arrays (and their .gz)"


def _open_bytes(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]  # GzipFile reads bytes
    return path.open("rb")


def _record(body: bytes, path: Path, line: int) -> OutputRecord:
    from extractor.evals.gold import field_path

    try:
        return OutputRecord.model_validate_json(body)
    except ValidationError as e:
        err = e.errors()[0]
        if err["type"] == "json_invalid":
            raise InputError(f"not valid JSON: {err['msg']}", file=str(path), line=line) from e
        msg = " ".join(str(err["msg"]).split())
        raise InputError(
            f"not a valid output record: {msg}", file=str(path), line=line, field=field_path(err["loc"])
        ) from e
