"""Trial input, provenance and the per-trial result (``CriteriaSet``); items and sections are re-exported."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.errors import ConfigError
from extractor.kinds import KINDS, Criterion


class Trial(BaseModel):
    """One trial's criteria text plus optional registry fields (kept in output records)."""

    model_config = ConfigDict(extra="forbid")

    trial_id: str = Field(min_length=1)
    text: str
    registry: dict[str, Any] = Field(default_factory=dict, description="sex, minimum_age, conditions, phases...")
    source: str | None = Field(default=None, description="Where the text came from (file:line or corpus source).")


class TokenUsage(BaseModel):
    """Tokens used by LLM calls (zero for the rules backend)."""

    model_config = ConfigDict(extra="forbid")

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


class NumberFlag(BaseModel):
    """A kept LLM criterion with typed numbers its quote does not state as written (a model's own conversion or
    arithmetic): worth a look, not proven wrong. Numbers the quote does not support at all are rejected instead."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    item: int | None = None
    quote: str = Field(description="The criterion's evidence text.")
    numbers: list[str] = Field(description="'field=value' of each number not written in the quote.")


class Provenance(BaseModel):
    """How a criteria set was produced."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["rules", "llm", "hybrid", "gold"]
    library_version: str
    model: str | None = None
    prompt_name: str | None = None
    prompt_hash: str | None = Field(default=None, description="sha256 of the rendered prompt template files.")
    rules_version: str | None = Field(default=None, description="Hash of the rules vocabularies.")
    instructor_mode: str | None = None
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage, e.g. segment, llm.")
    usage: TokenUsage = Field(default_factory=TokenUsage)
    llm_calls: int = 0
    attempts: int = 0
    errors: list[str] = Field(
        default_factory=list,
        description="LLM requests that failed (their items kept the rules result in hybrid, `other` in llm), as "
        "'Type: items: message'.",
    )
    reasks: int = Field(
        default=0, description="Validation re-asks: requests sent again because the answer did not validate."
    )
    flagged: list[NumberFlag] = Field(
        default_factory=list, description="Kept LLM criteria whose numbers are not written in their quote."
    )


class Rejected(BaseModel):
    """A criterion the backend proposed but that failed grounding; reported, never passed off as grounded."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    quote: str
    reason: str
    item: int | None = None


class CriteriaSet(BaseModel):
    """All criteria of one trial, with the source text they are grounded in."""

    model_config = ConfigDict(extra="forbid")

    trial_id: str
    source_text: str
    criteria: list[Criterion] = Field(default_factory=list)
    provenance: Provenance
    rejected: list[Rejected] = Field(default_factory=list)
    items: int = Field(default=0, description="Number of segmented items.")

    def ungrounded(self) -> list[Criterion]:
        """Criteria whose evidence is not verbatim at its offsets (should be empty)."""
        return [c for c in self.criteria if not c.evidence.is_grounded_in(self.source_text)]

    def by_kind(self, kind: str) -> list[Criterion]:
        """Criteria of one kind, in source order. An unknown kind name (a typo such as ``"her3"``) raises
        :class:`~extractor.errors.ConfigError` naming the known kinds, instead of returning ``[]``."""
        if kind not in KINDS:
            raise ConfigError(f"unknown criterion kind {kind!r}; known kinds: {', '.join(KINDS)}", field="kind")
        return [c for c in self.criteria if c.kind == kind]


class ErrorInfo(BaseModel):
    """A failed trial in an output file: the typed error, where it happened, and its message."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="Exception class name, e.g. InputError, TransportError.")
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    attempts: int | None = None


class OutputRecord(BaseModel):
    """One line of ``extractor extract`` JSONL output: a trial's criteria, or its error. Stable, versioned shape."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    trial_id: str
    text_sha256: str | None = Field(default=None, description="sha256 of the criteria text the offsets refer to.")
    source: str | None = Field(default=None, description="Input file and line the trial came from.")
    registry: dict[str, Any] = Field(default_factory=dict)
    criteria: list[Criterion] = Field(default_factory=list)
    rejected: list[Rejected] = Field(default_factory=list)
    items: int = 0
    provenance: Provenance | None = None
    error: ErrorInfo | None = None
    source_text: str | None = Field(default=None, description="The criteria text, when requested.")

    @classmethod
    def from_result(
        cls, result: CriteriaSet, trial: Trial, text_sha256: str | None = None, include_text: bool = False
    ) -> OutputRecord:
        """The record for a successful extraction."""
        return cls(
            trial_id=result.trial_id,
            text_sha256=text_sha256,
            source=trial.source,
            registry=trial.registry,
            criteria=result.criteria,
            rejected=result.rejected,
            items=result.items,
            provenance=result.provenance,
            source_text=result.source_text if include_text else None,
        )
