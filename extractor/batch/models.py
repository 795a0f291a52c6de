"""The batch run's data: options, the end-of-run summary, the dry-run report and the progress protocol."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from extractor.api import Backend
from extractor.io.writers import OutputFormat
from extractor.llm.config import LLMConfig
from extractor.models import TokenUsage

__all__ = ["DryRunReport", "ProgressSink", "RunOptions", "RunSummary", "Status"]

Status = Literal["ok", "error", "cached", "skipped", "duplicate"]


class RunOptions(BaseModel):
    """How a batch run extracts and writes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: Backend = "rules"
    llm: LLMConfig | None = None
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=0,
        description="Processes for the rules backend (0 or 1: in-process).",
    )
    start_method: Literal["auto", "fork", "spawn"] = Field(
        default="auto",
        description="How worker processes start. auto: fork on Linux when the process has a single thread (workers "
        "inherit the warmed-up rules: fastest), else spawn (a script using spawn needs the "
        "``if __name__ == '__main__':`` guard).",
    )
    chunk_size: int = Field(default=32, ge=1, description="Trials per task sent to a worker process.")
    concurrency: int = Field(default=8, ge=1, description="LLM trials in flight at once.")
    rpm: int | None = Field(default=None, gt=0, description="Requests per minute limit (client side).")
    tpm: int | None = Field(default=None, gt=0, description="Tokens per minute limit (client side).")
    circuit_breaker: int = Field(
        default=5,
        ge=0,
        description="Stop the run after this many trials in a row failed on transport (the LLM server is down or "
        "unreachable); records already written stay. 0: never stop.",
    )
    fmt: OutputFormat = "jsonl"
    include_text: bool = False


class RunSummary(BaseModel):
    """What a run did: counts, criteria per kind, tokens, estimated cost, time."""

    model_config = ConfigDict(extra="forbid")

    backend: str
    model: str | None = None
    output: str | None = None
    read: int = Field(default=0, description="Input records read (trials and bad records).")
    ok: int = Field(default=0, description="Trials written with criteria (cached and degraded ones included).")
    degraded: int = Field(
        default=0,
        description="Trials written with a partial result: an LLM call failed and its items kept the rules result "
        "(``provenance.errors``). Part of ok; never cached, so a rerun asks the LLM again.",
    )
    error: int = Field(default=0, description="Error records written (bad input or failed extraction).")
    failed: int = Field(
        default=0, description="Error records of trials whose extraction failed (part of error; bad input is not)."
    )
    cached: int = Field(default=0, description="Trials answered from the cache (part of ok).")
    skipped: int = Field(default=0, description="Trials already in the output file (resume).")
    kept: int = Field(
        default=0, description="Trials whose records the output already held and this run kept (resume; distinct ids)."
    )
    kept_errors: int = Field(
        default=0,
        description="Error records from earlier runs kept in the output (part of kept; not redone without "
        "``retry_errors``). They count for the exit code like this run's.",
    )
    duplicates: int = Field(default=0, description="Trial ids seen twice in the input (second one ignored).")
    criteria: int = 0
    criteria_per_kind: dict[str, int] = Field(default_factory=dict)
    error_types: dict[str, int] = Field(default_factory=dict)
    usage: TokenUsage = Field(default_factory=TokenUsage)
    llm_calls: int = Field(
        default=0, description="LLM requests sent (transport retries and re-asks included), or calls reported."
    )
    rejected: int = Field(default=0, description="LLM criteria rejected (quote not in the text, numbers, invalid).")
    reasks: int = Field(default=0, description="LLM validation re-asks (requests sent again with the errors).")
    flagged: int = Field(default=0, description="LLM criteria kept with numbers not written in their quote.")
    cost_usd: float | None = Field(default=None, description="Estimated cost of this run's tokens; null: unknown.")
    rate_limit_wait_s: float = 0.0
    wall_s: float = 0.0
    trials_per_s: float = 0.0
    interrupted: bool = False
    aborted: str | None = Field(
        default=None, description="Why the run stopped early on its own (e.g. the circuit breaker); null: it did not."
    )

    @property
    def written(self) -> int:
        """Records written by this run."""
        return self.ok + self.error

    @property
    def complete(self) -> bool:
        """True when every trial got a full result: nothing degraded, no extraction failed, not aborted."""
        return not (self.degraded or self.failed or self.aborted)


class DryRunReport(BaseModel):
    """What a run would send, computed without calling anything."""

    model_config = ConfigDict(extra="forbid")

    backend: str
    model: str | None = None
    read: int = 0
    trials: int = Field(default=0, description="Valid trials in the input.")
    bad_records: int = 0
    skipped: int = Field(default=0, description="Already in the output file.")
    cached: int = 0
    to_extract: int = 0
    requests: int = 0
    estimated_prompt_tokens: int = 0
    estimated_completion_tokens: int = Field(default=0, description="Expected answer tokens (from the items' size).")
    estimated_prompt_cost_usd: float | None = Field(default=None, description="Prompt-side cost.")
    estimated_cost_usd: float | None = Field(default=None, description="Prompt and expected completion cost.")
    assumptions: list[str] = Field(
        default_factory=list, description="What the estimate assumed for llm/hybrid: endpoint, model, prices."
    )


class ProgressSink(Protocol):
    """Receives progress events (the CLI renders them): ``start(total)``, ``advance(status)`` once per input
    record, ``note(message)`` for notices (resuming, a repaired output), ``stop()``."""

    def start(self, total: int | None) -> None: ...

    def advance(self, status: Status) -> None: ...

    def note(self, message: str) -> None: ...

    def stop(self) -> None: ...


class RecordSink(Protocol):
    """Where the engine puts each formatted record: a :class:`~extractor.io.writers.RecordWriter` (file or
    stdout), or the in-memory collector of :func:`collect_records`."""

    path: Path | None

    def write_body(self, body: str) -> None:
        """Take one record formatted by :func:`~extractor.io.writers.format_record`."""
        ...
