"""The one exception tree of the library.

    ExtractorError                  base of everything raised on purpose
    ├── InputError                  unusable input: empty/undecodable text, malformed record (file, line, field)
    ├── ConfigError                 bad configuration: unknown backend or mode, missing model, bad option
    ├── PromptError                 a prompt template is missing or uses an undefined variable
    ├── LLMError                    the LLM backend could not produce a result (trial_id, attempts, last_output)
    │   ├── TransportError          network / rate-limit / 5xx failures that outlived the retry policy
    │   ├── OutputValidationError   the model never produced output that validates, after re-asks
    │   ├── TruncatedOutputError    the model stopped at its token limit (finish_reason == "length")
    │   └── ContextLengthError      the request did not fit the model's context window (never retried as transport)
    ├── TrialTimeoutError           one trial's extraction ran past its time budget (trial_id)
    └── GoldError                   a gold label file does not validate or does not match its source text

A criterion whose evidence is not in the source text is not an exception: it is listed in
``CriteriaSet.rejected`` (grounding failures are data).

Every exception carries its context as attributes and renders it in ``str()``. Secrets are never part of it:
messages that come from third-party errors pass through :func:`redact` first.
"""

from __future__ import annotations

import re
from typing import Any

_KEY_PATTERNS = (
    re.compile(r"sk-[A-Za-z0-9_\-]{6,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9_\-\.]{6,}"),
    re.compile(r"(?i)(api[_-]?key['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9_\-\.]{6,}"),
)


def redact(text: str, *secrets: str | None) -> str:
    """Return ``text`` with API-key-like strings and the given secrets masked."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    for pattern in _KEY_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


class ExtractorError(Exception):
    """Base class of all errors raised by ``extractor``."""

    def __init__(self, message: str, **context: Any) -> None:
        self.message = redact(message)
        self.context = {k: v for k, v in context.items() if v is not None}
        super().__init__(self.message)

    def __str__(self) -> str:
        if not self.context:
            return self.message
        ctx = ", ".join(f"{k}={_short(v)}" for k, v in self.context.items())
        return f"{self.message} ({ctx})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly description, as stored in error records."""
        return {
            "type": type(self).__name__,
            "message": self.message,
            **{k: _short(v, 2000) for k, v in self.context.items()},
        }


def _short(value: Any, limit: int = 200) -> Any:
    if isinstance(value, str):
        value = redact(value)
        return value if len(value) <= limit else value[: limit - 3] + "..."
    return value


class InputError(ExtractorError):
    """Input that cannot be processed. ``file``, ``line`` and ``field`` say where."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        trial_id: str | None = None,
    ) -> None:
        self.file, self.line, self.field, self.trial_id = file, line, field, trial_id
        super().__init__(message, file=file, line=line, field=field, trial_id=trial_id)


class ConfigError(ExtractorError):
    """Invalid configuration (backend, model, endpoint, option values)."""


class PromptError(ExtractorError):
    """A prompt template could not be found or rendered."""


class LLMError(ExtractorError):
    """The LLM backend failed. ``attempts`` and ``last_output`` describe the last try."""

    def __init__(
        self,
        message: str,
        *,
        trial_id: str | None = None,
        attempts: int | None = None,
        last_output: str | None = None,
        **context: Any,
    ) -> None:
        self.trial_id, self.attempts, self.last_output = trial_id, attempts, last_output
        super().__init__(message, trial_id=trial_id, attempts=attempts, last_output=last_output, **context)


class TransportError(LLMError):
    """Connection errors, timeouts, 429 and 5xx responses that outlived the retry policy."""


class OutputValidationError(LLMError):
    """The model's output never validated against the schema, re-asks included."""


class TruncatedOutputError(LLMError):
    """The model hit its token limit before finishing the JSON (``finish_reason == "length"``)."""


class ContextLengthError(LLMError):
    """The server refused the request as longer than the model's context window (e.g. HTTP 400
    ``context_length_exceeded``); the same request would fail again, so it is not retried as a transport error."""


class TrialTimeoutError(ExtractorError):
    """A trial's extraction ran longer than its time budget (the batch runner's per-trial watchdog)."""

    def __init__(self, message: str, *, trial_id: str | None = None) -> None:
        self.trial_id = trial_id
        super().__init__(message, trial_id=trial_id)


class GoldError(ExtractorError):
    """A gold label file that cannot be used. ``file`` and ``field`` say where."""

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None) -> None:
        self.file, self.field = file, field
        super().__init__(message, file=file, field=field)


__all__ = [
    "ConfigError",
    "ContextLengthError",
    "ExtractorError",
    "GoldError",
    "InputError",
    "LLMError",
    "OutputValidationError",
    "PromptError",
    "TransportError",
    "TrialTimeoutError",
    "TruncatedOutputError",
    "redact",
]
