"""LLM backend configuration: endpoint, model, instructor mode, retry and size limits.

Values come from explicit arguments, else the environment (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``,
``EXTRACTOR_MODEL``, ``EXTRACTOR_INSTRUCTOR_MODE``, ``EXTRACTOR_MAX_TOKENS``, ``EXTRACTOR_TIMEOUT`` (seconds per HTTP
request), ``EXTRACTOR_ATTEMPTS`` (transport tries per call)), else defaults. The API key is a ``SecretStr``: it
never shows in ``repr``, logs or error messages (:attr:`LLMConfig.secrets` lists what must be masked).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from extractor.errors import ConfigError

__all__ = ["DEFAULT_MODEL", "ENV_NUMBERS", "LLMConfig", "Mode"]

ENV_NUMBERS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "EXTRACTOR_MAX_TOKENS": ("max_tokens", int),
    "EXTRACTOR_TIMEOUT": ("timeout_s", float),
    "EXTRACTOR_ATTEMPTS": ("transport_attempts", int),
}
"""Numeric settings read from the environment: variable -> (field, type)."""

Mode = Literal["json_schema", "tools", "md_json"]
DEFAULT_MODEL = "gpt-4o-mini"


class LLMConfig(BaseModel):
    """Everything the LLM backend needs to talk to an OpenAI-compatible server."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = DEFAULT_MODEL
    base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8766/v1")
    api_key: SecretStr | None = None
    mode: Mode = Field(default="json_schema", description="instructor mode: json_schema (default), tools, md_json.")
    prompt: str = Field(default="extract_criteria", description="Prompt name under prompts/.")
    prompt_version: str = Field(default="v1", description="Prompt version directory.")
    temperature: float = 0.0
    max_tokens: int = Field(default=4096, gt=0, description="Completion token limit per call.")
    validation_retries: int = Field(default=2, ge=0, le=10, description="instructor re-asks on invalid output.")
    transport_attempts: int = Field(default=4, ge=1, le=20, description="Tries per call on 429/5xx/timeouts.")
    timeout_s: float = Field(default=120.0, gt=0, description="Timeout of one HTTP request.")
    max_wait_s: float = Field(default=300.0, gt=0, description="Upper bound on time spent retrying one call.")
    items_per_call: int = Field(default=40, ge=1, description="Items sent per request; longer texts are chunked.")
    seed: int | None = Field(default=0, description="Sampling seed sent to servers that honour it.")

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
