"""LLM backend configuration: endpoint, model, instructor mode, retry and size limits.

Values come from explicit arguments, else the environment (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``,
``EXTRACTOR_MODEL``, ``EXTRACTOR_INSTRUCTOR_MODE``, ``EXTRACTOR_MAX_TOKENS``, ``EXTRACTOR_CONTEXT_WINDOW``,
``EXTRACTOR_ANSWER_BUDGET``, ``EXTRACTOR_TIMEOUT`` (seconds per HTTP request), ``EXTRACTOR_ATTEMPTS`` (transport
tries per call)), else defaults. The API key is a ``SecretStr``: it never shows in ``repr``, logs or error messages
(:attr:`LLMConfig.secrets` lists what must be masked).

Size limits: ``context_window`` (tokens a request's prompt and answer share) and ``max_tokens`` (the answer limit
sent with each request) default to the model's entry in :data:`KNOWN_MODELS` (:func:`model_limits`), or to
:data:`UNKNOWN_MODEL` for models not listed (local servers: set them to what the server runs with). The backend
plans each request's items against both (:mod:`extractor.llm.backend`).

Routing (``hybrid``): which items the model is asked about besides those the rules left as ``other`` is set by
:class:`RoutingConfig` (``LLMConfig.routing``), applied by :mod:`extractor.llm.routing`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Literal, NamedTuple
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from extractor.errors import ConfigError

__all__ = [
    "DEFAULT_MODEL",
    "ENV_NUMBERS",
    "KNOWN_MODELS",
    "UNKNOWN_MODEL",
    "LLMConfig",
    "Mode",
    "ModelLimits",
    "RoutingConfig",
    "model_limits",
]

ENV_NUMBERS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "EXTRACTOR_MAX_TOKENS": ("max_tokens", int),
    "EXTRACTOR_CONTEXT_WINDOW": ("context_window", int),
    "EXTRACTOR_ANSWER_BUDGET": ("answer_budget", int),
    "EXTRACTOR_TIMEOUT": ("timeout_s", float),
    "EXTRACTOR_ATTEMPTS": ("transport_attempts", int),
    "EXTRACTOR_VALIDATION_RETRIES": ("validation_retries", int),
}
"""Numeric settings read from the environment: variable -> (field, type)."""

Mode = Literal["json_schema", "tools", "md_json"]
DEFAULT_MODEL = "gpt-4o-mini"


class ModelLimits(NamedTuple):
    """A model's context window (prompt + answer tokens) and its largest answer (output tokens)."""

    context_window: int
    max_output_tokens: int


KNOWN_MODELS: dict[str, ModelLimits] = {
    "gpt-4o-mini": ModelLimits(128_000, 16_384),
    "gpt-4o": ModelLimits(128_000, 16_384),
    "gpt-4o-2024-05-13": ModelLimits(128_000, 4_096),
    "gpt-4.1": ModelLimits(1_047_576, 32_768),
    "gpt-4.1-mini": ModelLimits(1_047_576, 32_768),
    "gpt-4.1-nano": ModelLimits(1_047_576, 32_768),
    "o1": ModelLimits(200_000, 100_000),
    "o1-mini": ModelLimits(128_000, 65_536),
    "o1-preview": ModelLimits(128_000, 32_768),
    "o3": ModelLimits(200_000, 100_000),
    "o3-mini": ModelLimits(200_000, 100_000),
    "o4-mini": ModelLimits(200_000, 100_000),
}
"""Limits of the OpenAI models the defaults know (from OpenAI's model pages); a dated snapshot
(``gpt-4o-2024-08-06``) or a provider prefix (``openai/gpt-4o``) takes its family's entry."""

UNKNOWN_MODEL = ModelLimits(16_384, 4_096)
"""Conservative limits for models not in :data:`KNOWN_MODELS` (local servers often run with a small context)."""


def model_limits(model: str) -> ModelLimits:
    """The limits of ``model``: its own entry, else the longest known name it starts with (``name-...``), else
    :data:`UNKNOWN_MODEL`."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    best = ""
    for known in KNOWN_MODELS:
        if (name == known or name.startswith(known + "-")) and len(known) > len(best):
            best = known
    return KNOWN_MODELS[best] if best else UNKNOWN_MODEL


class RoutingConfig(BaseModel):
    """Which items ``hybrid`` sends to the model besides those the rules left entirely ``other`` (always sent).

    Defaults measured with the oracle (evals/RESULTS.md, "Hybrid routing"): each rule is a general feature of the
    item and the rules' result, never a trial or a phrase. ``None`` / ``False`` turns a rule off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    long_item_chars: int | None = Field(
        default=150, gt=0, description="Send items longer than this many characters (long items hold several facts)."
    )
    clauses_per_criterion: int | None = Field(
        default=2,
        gt=0,
        description="Send items with more than this many clauses (split at ';', ',', 'and', 'or') per typed criterion "
        "the rules found in it (a compound item the rules read only partly).",
    )
    unexplained_numbers: bool = Field(
        default=True,
        description="Send items with a number or a comparator outside the evidence of every criterion the rules "
        "found in them.",
    )
    families: bool = Field(
        default=True,
        description="Send a sent item's parent and nested items with it (a nested item is read under its parent).",
    )


class LLMConfig(BaseModel):
    """Everything the LLM backend needs to talk to an OpenAI-compatible server."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = DEFAULT_MODEL
    base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8766/v1")
    api_key: SecretStr | None = None
    mode: Mode = Field(default="json_schema", description="instructor mode: json_schema (default), tools, md_json.")
    prompt: str = Field(default="extract_criteria", description="Prompt name under prompts/.")
    prompt_version: str = Field(default="v2", description="Prompt version directory.")
    temperature: float = 0.0
    context_window: int = Field(
        default=UNKNOWN_MODEL.context_window,
        gt=0,
        description="Tokens a request's prompt and answer share (default: the model's, from KNOWN_MODELS).",
    )
    max_tokens: int = Field(
        default=UNKNOWN_MODEL.max_output_tokens,
        gt=0,
        description="Completion token limit sent with each request (default: the model's largest answer).",
    )
    answer_budget: int | None = Field(
        default=None,
        gt=0,
        description="Estimated answer tokens one request is planned for (default: max_tokens). Answers cut at "
        "max_tokens are split and retried either way.",
    )
    validation_retries: int = Field(default=2, ge=0, le=10, description="instructor re-asks on invalid output.")
    transport_attempts: int = Field(default=4, ge=1, le=20, description="Tries per call on 429/5xx/timeouts.")
    timeout_s: float = Field(default=120.0, gt=0, description="Timeout of one HTTP request.")
    max_wait_s: float = Field(default=300.0, gt=0, description="Upper bound on time spent retrying one call.")
    items_per_call: int = Field(default=40, ge=1, description="Items sent per request; longer texts are chunked.")
    seed: int | None = Field(default=0, description="Sampling seed sent to servers that honour it.")
    routing: RoutingConfig = Field(
        default_factory=RoutingConfig, description="hybrid: which items rules leave to the model (RoutingConfig)."
    )

    @model_validator(mode="before")
    @classmethod
    def _model_defaults(cls, data: Any) -> Any:
        """Fill ``context_window`` and ``max_tokens`` from the model's limits when not given."""
        if not isinstance(data, dict):
            return data
        limits = model_limits(str(data.get("model") or DEFAULT_MODEL))
        if data.get("context_window") is None:
            data = {**data, "context_window": limits.context_window}
        if data.get("max_tokens") is None:
            data = {**data, "max_tokens": limits.max_output_tokens}
        return data

    @property
    def planned_answer_tokens(self) -> int:
        """The answer size a request is planned for: ``answer_budget``, else ``max_tokens``."""
        return self.answer_budget or self.max_tokens

    @classmethod
    def from_env(cls, **overrides: Any) -> LLMConfig:
        """Config from the environment, with explicit ``overrides`` (None values ignored) taking precedence."""
        env: dict[str, Any] = {}
        if key := os.environ.get("OPENAI_API_KEY"):
            env["api_key"] = SecretStr(key)
        if url := os.environ.get("OPENAI_BASE_URL"):
            env["base_url"] = url
        if model := os.environ.get("EXTRACTOR_MODEL"):
            env["model"] = model
        if mode := os.environ.get("EXTRACTOR_INSTRUCTOR_MODE"):
            env["mode"] = mode.lower()
        for var, (name, kind) in ENV_NUMBERS.items():
            if raw := os.environ.get(var, "").strip():
                try:
                    env[name] = kind(raw)
                except ValueError:
                    raise ConfigError(f"{var}={raw!r} is not a valid {kind.__name__}", field=var) from None
        env.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(env.get("api_key"), str):
            env["api_key"] = SecretStr(env["api_key"])
        return cls(**env)

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never be printed: the API key and any credentials inside ``base_url``."""
        out: list[str] = []
        if self.api_key is not None:
            out.append(self.api_key.get_secret_value())
        if self.base_url:
            try:
                parts = urlsplit(self.base_url)
                out += [unquote(v) for v in (parts.password, parts.username) if v]
                out += [v for v in (parts.password, parts.username) if v]
            except ValueError:
                pass
        return tuple(dict.fromkeys(s for s in out if s))

    @property
    def configured(self) -> bool:
        """True when an endpoint or key is set (the CLI falls back to the rules backend otherwise)."""
        return self.base_url is not None or self.api_key is not None
