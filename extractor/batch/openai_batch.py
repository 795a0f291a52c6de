"""The provider's batch engine (OpenAI Batch API): prepare, submit, poll, collect.

    prepare_run():     check the inputs, then prepare_batches() into a new ``<out_dir>/run-<time>-<id>`` directory
    prepare_batches(): trials -> requests-NNNN.jsonl (Batch API input) + trials-NNNN.jsonl (what collect needs)
    submit_batches():  upload each requests file (purpose "batch") and create a batch (24 h window)
    refresh_status():  the provider's view of each batch, kept in the local state file
    collect_batch():   download the output, validate + ground every answer with ``parse_responses`` (the same typed
                       model and grounding as the online path) and write the same :class:`OutputRecord` lines
    collect_batches(): refresh the state, then collect every finished batch into one output (resumed if it exists)

A request line is ``{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}``; ``custom_id`` is the
trial id, ``-``, the first 12 hex digits of the text's sha256, and ``-<chunk>`` when a trial needs several requests.
Files are split at 50,000 requests (and ~190 MB); a trial's requests never straddle two files. Local state (batch
ids, files, the LLM settings used) lives in ``<out_dir>/state.json``; the API key is never stored. Answers that do
not validate, failed requests and requests missing from an expired batch become error records: rerun those trials
online (``extractor extract --retry-errors``).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, NamedTuple

import openai
from pydantic import BaseModel, ConfigDict, Field

from extractor.batch.cache import ResultCache, cache_key, default_cache_path, dump_result, text_sha256
from extractor.batch.estimate import estimate_cost
from extractor.batch.runner import RunSummary
from extractor.errors import ConfigError, ExtractorError, LLMError, TransportError, TruncatedOutputError, redact
from extractor.io.readers import ReaderOptions, ReadItem, expand_inputs, read_inputs
from extractor.io.writers import OutputLock, RecordWriter, check_output, error_record, format_record, scan_output
from extractor.llm.config import LLMConfig
from extractor.models import OutputRecord, TokenUsage, Trial

__all__ = [
    "ENDPOINT",
    "MAX_REQUESTS_PER_FILE",
    "BatchPart",
    "BatchRecord",
    "BatchState",
    "Collected",
    "collect_batch",
    "collect_batches",
    "custom_id",
    "load_state",
    "make_client",
    "prepare_batches",
    "prepare_run",
    "refresh_status",
    "submit_batches",
]

ENDPOINT: Final = "/v1/chat/completions"
MAX_REQUESTS_PER_FILE = 50_000
MAX_BYTES_PER_FILE = 190 * 1024 * 1024
FINAL_STATUSES = frozenset({"completed", "expired", "cancelled", "failed"})
_CONFIG_FIELDS = (
    "model",
    "mode",
    "prompt",
    "prompt_version",
    "temperature",
    "max_tokens",
    "context_window",
    "answer_budget",
    "items_per_call",
    "seed",
)


class BatchPart(BaseModel):
    """One prepared input file and its sidecar."""

    model_config = ConfigDict(extra="forbid")

    requests_path: str
    trials_path: str
    requests: int = 0
    trials: int = 0
    bytes: int = 0


class BatchRecord(BaseModel):
    """A submitted batch, as remembered locally."""

    model_config = ConfigDict(extra="forbid")

    batch_id: str
    input_file_id: str
    part: BatchPart
    llm: dict[str, Any] = Field(description="LLM settings used to build the requests (no endpoint, no key).")
    submitted_at: str
    status: str = "validating"
    output_file_id: str | None = None
    error_file_id: str | None = None
    request_counts: dict[str, int] = Field(default_factory=dict)
    collected_into: list[str] = Field(default_factory=list)


class BatchState(BaseModel):
    """``<out_dir>/state.json``: every batch submitted from this directory."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    batches: list[BatchRecord] = Field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> BatchState:
        """The state at ``path`` (empty when the file does not exist)."""
        if not path.exists():
            return cls()
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError as e:
            raise ConfigError(f"batch state file {path} is not valid: {e}") from e

    def save(self, path: Path) -> None:
        """Write atomically (temporary file + rename)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    def find(self, batch_id: str | None) -> list[BatchRecord]:
        """The batch with ``batch_id``, or all batches when None."""
        if batch_id is None:
            return list(self.batches)
        found = [b for b in self.batches if b.batch_id == batch_id]
        if not found:
            raise ConfigError(f"batch {batch_id} is not in the local state file")
        return found


def load_state(out_dir: Path) -> tuple[BatchState, Path]:
    """The state of ``out_dir`` and its path; a directory that does not exist is a :class:`ConfigError`."""
    if not out_dir.is_dir():
        raise ConfigError(f"no such batch directory: {out_dir} (use the --out-dir given to batch submit)")
    state_path = out_dir / "state.json"
    return BatchState.load(state_path), state_path


def custom_id(trial_id: str, sha: str, index: int, n: int) -> str:
    """``<trial id>-<sha256[:12]>`` plus ``-<index>`` for trials split into several requests."""
    base = f"{trial_id}-{sha[:12]}"
    return f"{base}-{index}" if n > 1 else base


def llm_settings(config: LLMConfig) -> dict[str, Any]:
    """The settings that shape requests and their parsing (stored in the state; never the key)."""
    return {k: getattr(config, k) for k in _CONFIG_FIELDS}


def make_client(config: LLMConfig) -> openai.OpenAI:
    """A synchronous OpenAI client for the Files and Batches endpoints."""
    if not config.configured:
        raise ConfigError("the Batch API needs an endpoint: set OPENAI_API_KEY (or OPENAI_BASE_URL / --base-url)")
    key = config.api_key.get_secret_value() if config.api_key else "not-needed"
    return openai.OpenAI(api_key=key, base_url=config.base_url, timeout=config.timeout_s, max_retries=3)


def _api_error(action: str, e: Exception, config: LLMConfig) -> ExtractorError:
    secret = config.api_key.get_secret_value() if config.api_key else None
    msg = redact(f"{action} failed: {e}", secret)
    if isinstance(e, openai.AuthenticationError | openai.PermissionDeniedError | openai.BadRequestError):
        return ConfigError(msg)
    return TransportError(msg)


# ----------------------------------------------------------------------------------------------- prepare


class _PartWriter:
    def __init__(self, directory: Path, number: int) -> None:
        self.part = BatchPart(
            requests_path=str(directory / f"requests-{number:04d}.jsonl"),
            trials_path=str(directory / f"trials-{number:04d}.jsonl"),
        )
        self._req = open(self.part.requests_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self._tri = open(self.part.trials_path, "w", encoding="utf-8")  # noqa: SIM115

    def add(self, lines: list[str], sidecar: str, *, is_trial: bool) -> None:
        for line in lines:
            self._req.write(line)
            self.part.bytes += len(line.encode("utf-8"))
        self.part.requests += len(lines)
        self.part.trials += is_trial
        self._tri.write(sidecar + "\n")

    def close(self) -> BatchPart:
        self._req.close()
        self._tri.close()
        return self.part


def prepare_batches(
    items: Iterable[ReadItem],
    config: LLMConfig,
    directory: Path,
    *,
    max_requests: int = MAX_REQUESTS_PER_FILE,
    max_bytes: int = MAX_BYTES_PER_FILE,
    skip_ids: set[str] | None = None,
) -> list[BatchPart]:
    """Write Batch API input files (and their sidecars) for ``items`` into ``directory``; return the parts."""
    from extractor.llm.backend import build_requests

    directory.mkdir(parents=True, exist_ok=True)
    parts: list[BatchPart] = []
    current: _PartWriter | None = None
    seen: set[str] = set(skip_ids or ())
    try:
        for item in items:
            if isinstance(item, Trial):
                if item.trial_id in seen:
                    continue
                seen.add(item.trial_id)
                sha = text_sha256(item.text)
                bodies = build_requests(item, config)
                ids = [custom_id(item.trial_id, sha, i, len(bodies)) for i in range(len(bodies))]
                lines = [
                    json.dumps({"custom_id": cid, "method": "POST", "url": ENDPOINT, "body": body}, ensure_ascii=False)
                    + "\n"
                    for cid, body in zip(ids, bodies, strict=True)
                ]
                sidecar = json.dumps({"trial": item.model_dump(mode="json"), "sha": sha, "custom_ids": ids})
            else:
                rec = error_record(item)
                if rec.trial_id in seen:
                    continue
                seen.add(rec.trial_id)
                lines, sidecar = [], json.dumps({"record": rec.model_dump(mode="json")})
            size = sum(len(x.encode("utf-8")) for x in lines)
            if (
                current is not None
                and current.part.requests
                and (current.part.requests + len(lines) > max_requests or current.part.bytes + size > max_bytes)
            ):
                parts.append(current.close())
                current = None
            if current is None:
                current = _PartWriter(directory, len(parts) + 1)
            current.add(lines, sidecar, is_trial=isinstance(item, Trial))
    finally:
        if current is not None:
            parts.append(current.close())
    return parts


def prepare_run(
    inputs: Sequence[str],
    config: LLMConfig,
    out_dir: Path,
    *,
    reader: ReaderOptions | None = None,
    max_requests: int = MAX_REQUESTS_PER_FILE,
) -> tuple[Path, list[BatchPart]]:
    """Prepare the request files of ``inputs`` in a new run directory under ``out_dir``; return it and the parts.

    Every input path is checked first: one that does not exist (or a glob that matches nothing) raises its
    :class:`InputError` before anything is written.
    """
    for missing in (e for e in expand_inputs(inputs) if isinstance(e, ExtractorError)):
        raise missing
    run_dir = out_dir / f"run-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    items = read_inputs(inputs, reader or ReaderOptions())
    return run_dir, prepare_batches(items, config, run_dir, max_requests=max_requests)


# ------------------------------------------------------------------------------------------------ submit


def submit_batches(
    parts: list[BatchPart], config: LLMConfig, state: BatchState, state_path: Path, client: openai.OpenAI | None = None
) -> list[BatchRecord]:
    """Upload each part and create its batch; the state is saved after every batch."""
    client = client or make_client(config)
    created: list[BatchRecord] = []
    for n, part in enumerate(parts, 1):
        if part.requests == 0:
            continue  # nothing to send (only bad records / empty texts): collect writes them from the sidecar
        try:
            with open(part.requests_path, "rb") as f:
                uploaded = client.files.create(file=(Path(part.requests_path).name, f), purpose="batch")
            batch = client.batches.create(
                input_file_id=uploaded.id,
                endpoint=ENDPOINT,
                completion_window="24h",
                metadata={"tool": "eligibility-extractor", "part": f"{n}/{len(parts)}"},
            )
        except openai.OpenAIError as e:
            raise _api_error("batch submission", e, config) from e
        record = BatchRecord(
            batch_id=batch.id,
            input_file_id=uploaded.id,
            part=part,
            llm=llm_settings(config),
            submitted_at=datetime.now(UTC).isoformat(timespec="seconds"),
            status=batch.status,
        )
        state.batches.append(record)
        state.save(state_path)
        created.append(record)
    return created


def refresh_status(
    records: list[BatchRecord],
    config: LLMConfig,
    state: BatchState,
    state_path: Path,
    client: openai.OpenAI | None = None,
) -> list[BatchRecord]:
    """Ask the provider for each batch's status; update and save the state."""
    client = client or make_client(config)
    for rec in records:
        try:
            batch = client.batches.retrieve(rec.batch_id)
        except openai.OpenAIError as e:
            raise _api_error(f"status of {rec.batch_id}", e, config) from e
        rec.status = batch.status
        rec.output_file_id = batch.output_file_id
        rec.error_file_id = batch.error_file_id
        if batch.request_counts is not None:
            rec.request_counts = {
                "total": batch.request_counts.total,
                "completed": batch.request_counts.completed,
                "failed": batch.request_counts.failed,
            }
    state.save(state_path)
    return records


# ----------------------------------------------------------------------------------------------- collect


class _Answer(BaseModel):
    content: str | None = None
    finish_reason: str | None = None
    usage: TokenUsage = Field(default_factory=TokenUsage)
    error: str | None = None


def _download(client: openai.OpenAI, file_id: str, dest: Path, config: LLMConfig) -> Path:
    try:
        client.files.content(file_id).write_to_file(dest)
    except openai.OpenAIError as e:
        raise _api_error(f"download of {file_id}", e, config) from e
    return dest


def _read_answers(path: Path, answers: dict[str, _Answer]) -> None:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                cid = obj["custom_id"]
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
            resp = obj.get("response") or {}
            body = resp.get("body") or {}
            if obj.get("error") or resp.get("status_code") != 200:
                err = obj.get("error") or body.get("error") or {}
                msg = err.get("message") if isinstance(err, dict) else str(err)
                answers[cid] = _Answer(error=f"status {resp.get('status_code')}: {msg or 'request failed'}")
                continue
            try:
                choice = body["choices"][0]
                content = choice["message"].get("content")
                if content is None and choice["message"].get("tool_calls"):
                    content = choice["message"]["tool_calls"][0]["function"]["arguments"]
            except (KeyError, IndexError, TypeError, AttributeError):
                answers[cid] = _Answer(error="malformed response body")
                continue
            u = body.get("usage") or {}
            usage = TokenUsage(
                prompt_tokens=u.get("prompt_tokens") or 0,
                completion_tokens=u.get("completion_tokens") or 0,
                total_tokens=u.get("total_tokens") or 0,
            )
            answers[cid] = _Answer(content=content, finish_reason=choice.get("finish_reason"), usage=usage)


def _sidecar(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def collect_batch(
    record: BatchRecord,
    config: LLMConfig,
    writer: RecordWriter,
    summary: RunSummary,
    *,
    skip_ids: set[str] | None = None,
    cache: ResultCache | None = None,
    include_text: bool = False,
    client: openai.OpenAI | None = None,
    workdir: Path | None = None,
) -> None:
    """Download one finished batch and write a record for every trial of its part (answers validated and
    grounded with ``parse_responses``; failures as error records). Updates ``summary`` in place."""
    from extractor.llm.backend import parse_responses, prompt_hash

    client = client or make_client(config)
    settings = LLMConfig(**{**llm_settings(config), **record.llm})
    workdir = workdir or Path(record.part.requests_path).parent
    answers: dict[str, _Answer] = {}
    for fid, name in ((record.output_file_id, "output"), (record.error_file_id, "errors")):
        if fid:
            dest = workdir / f"{name}-{record.batch_id}.jsonl"
            _read_answers(_download(client, fid, dest, config), answers)
    phash = prompt_hash(settings)
    skip = skip_ids or set()
    for entry in _sidecar(Path(record.part.trials_path)):
        if "record" in entry:
            rec = OutputRecord.model_validate(entry["record"])
            if rec.trial_id in skip:
                summary.skipped += 1
                continue
            _emit(writer, summary, rec)
            continue
        trial = Trial.model_validate(entry["trial"])
        if trial.trial_id in skip:
            summary.skipped += 1
            continue
        sha: str = entry["sha"]
        got = [answers.get(cid) for cid in entry["custom_ids"]]
        usage = sum((a.usage for a in got if a is not None), TokenUsage())
        summary.usage = summary.usage + usage
        summary.llm_calls += sum(a is not None for a in got)
        try:
            missing = [cid for cid, a in zip(entry["custom_ids"], got, strict=True) if a is None]
            if missing:
                raise LLMError(
                    f"no answer in the output of batch {record.batch_id} ({record.status}) for {', '.join(missing)}",
                    trial_id=trial.trial_id,
                )
            failed = [a.error for a in got if a is not None and a.error]
            if failed:
                raise TransportError(f"batch request failed: {failed[0]}", trial_id=trial.trial_id, attempts=1)
            if any(a is not None and a.finish_reason == "length" for a in got):
                raise TruncatedOutputError("model output hit max_tokens", trial_id=trial.trial_id, attempts=1)
            contents = [a.content or "" for a in got if a is not None]
            result = parse_responses(trial, contents, settings, usage=usage)
        except ExtractorError as e:
            rec = error_record(
                e, trial_id=trial.trial_id, source=trial.source, registry=trial.registry, text_sha256=sha
            )
            _emit(writer, summary, rec)
            continue
        if cache is not None:
            key = cache_key(
                sha, "llm", model=settings.model, base_url=config.base_url or "", mode=settings.mode, prompt_hash=phash
            )
            cache.put_raw(key, dump_result(result))
        rec = OutputRecord.from_result(result, trial, text_sha256=sha, include_text=include_text)
        summary.rejected += len(result.rejected)
        summary.flagged += len(result.provenance.flagged)
        summary.criteria_per_kind = _add_kinds(summary.criteria_per_kind, rec)
        _emit(writer, summary, rec)
    record.collected_into.append(str(writer.path) if writer.path else "<stdout>")


def _add_kinds(kinds: dict[str, int], rec: OutputRecord) -> dict[str, int]:
    out = dict(kinds)
    for c in rec.criteria:
        out[c.kind] = out.get(c.kind, 0) + 1
    return out


def _emit(writer: RecordWriter, summary: RunSummary, rec: OutputRecord) -> None:
    writer.write_body(format_record(rec, writer.fmt))
    if rec.error is None:
        summary.ok += 1
        summary.criteria += len(rec.criteria)
    else:
        summary.error += 1
        summary.error_types[rec.error.type] = summary.error_types.get(rec.error.type, 0) + 1


def finish_summary(summary: RunSummary, t0: float) -> RunSummary:
    """Wall time, rate and the Batch API (discounted) cost estimate."""
    summary.wall_s = round(time.perf_counter() - t0, 3)
    summary.trials_per_s = round(summary.written / summary.wall_s, 1) if summary.wall_s > 0 else 0.0
    summary.criteria_per_kind = dict(sorted(summary.criteria_per_kind.items()))
    summary.cost_usd = estimate_cost(summary.model, summary.usage, batch=True)
    return summary


class Collected(NamedTuple):
    """What :func:`collect_batches` did: the run summary and the batches it collected."""

    summary: RunSummary
    batches: list[BatchRecord]


def collect_batches(
    out_dir: Path,
    config: LLMConfig,
    output: Path | None = None,
    *,
    batch_id: str | None = None,
    cache: bool | str | os.PathLike[str] = True,
    include_text: bool = False,
    on_pending: Callable[[BatchRecord], None] | None = None,
) -> Collected | None:
    """Refresh the state in ``out_dir`` and collect every finished batch (or only ``batch_id``) into ``output``.

    ``output`` None writes to stdout; an existing output is resumed (its trial ids are skipped) under the same
    guards as ``extract`` (not an input, a regular file, one run at a time). ``cache``: ``True`` fills the default
    result cache, ``False`` none, or a path. ``on_pending`` is called for each batch not finished yet. Returns None
    when no batch has finished (nothing written). A missing ``out_dir``, or one from which no batch was submitted
    (only ``--no-upload`` request files, or a failed submission), is a :class:`ConfigError`: waiting will not help.
    """
    t0 = time.perf_counter()
    state, state_path = load_state(out_dir)
    if not state.batches:
        raise ConfigError(f"nothing submitted from {out_dir}: no batches in {state_path} (run batch submit)")
    records = refresh_status(state.find(batch_id), config, state, state_path)
    ready = [r for r in records if r.status in FINAL_STATUSES]
    for r in records:
        if r.status not in FINAL_STATUSES and on_pending is not None:
            on_pending(r)
    if not ready:
        return None
    with contextlib.ExitStack() as held:
        if output is not None:
            check_output(output, [str(state_path)])
            held.enter_context(OutputLock(output))
        skip = scan_output(output, "jsonl").ids if output is not None and output.exists() else set()
        cache_db = None
        if cache is not False:
            cache_db = held.enter_context(ResultCache(default_cache_path() if cache is True else Path(cache)))
        summary = RunSummary(
            backend="llm", model=str(ready[0].llm.get("model")), output=str(output) if output else None
        )
        with RecordWriter(output, "jsonl") as writer:
            for rec in ready:
                collect_batch(rec, config, writer, summary, skip_ids=skip, cache=cache_db, include_text=include_text)
                state.save(state_path)
    return Collected(finish_summary(summary, t0), ready)
