"""The one place that builds LLM clients and the transport retry policy.

Two retry layers, never on the same failure:

* transport (429 honouring ``Retry-After``, timeouts, connection errors, 5xx): :func:`transport_retrying`, a
  tenacity policy bounded in attempts and total time; the openai client's own retries are off (``max_retries=0``);
* invalid output (JSON that does not parse or validate): instructor re-asks, ``LLMConfig.validation_retries``.

A request longer than the model's context window (:func:`is_context_error`: OpenAI's 400
``context_length_exceeded``, or the 400/413/500 a local server sends with "context size exceeded") is neither: the
same request would fail again, so the backend splits its chunk instead (:mod:`extractor.llm.backend`).

instructor does not retry transport errors: it wraps them in ``InstructorRetryException`` with the original as
``__cause__``, which :func:`is_transport_error` unwraps.

One attempts count: an *attempt* is one HTTP request to the model, whichever layer sent it (a first try, a
transport retry or a validation re-ask); a record's ``provenance.attempts`` and ``error.attempts``, the error
messages ("failed after 4 attempts") and the ``-v`` log lines all count these. instructor's own retry log lines count
re-asks within one transport try ("Total attempts: 1"), so they are hidden by default (:mod:`extractor.cli._logging`).

Every HTTP client built here carries the metering hooks (:mod:`extractor.llm.metering`: each request, retries and
re-asks included, is paced and counted) and the log redaction of the configured key (:mod:`extractor.llm.secrets`).
The third-party loggers get a ``NullHandler``, so a library user who configured no logging sees no per-request
lines from them (Python's last-resort handler would print their warnings and errors); configured logging still
receives every record.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import re
import time
import weakref
from collections.abc import Callable
from typing import Any

import instructor
import openai
from instructor.core import InstructorRetryException
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, stop_after_delay
from tenacity.wait import wait_exponential_jitter

from extractor.errors import ConfigError
from extractor.llm.config import LLMConfig
from extractor.llm.metering import event_hooks, install_hooks
from extractor.llm.secrets import LOGGERS, protect_logs

__all__ = [
    "build_client",
    "build_openai",
    "close_clients",
    "describe_failure",
    "instructor_mode",
    "is_context_error",
    "is_transport_error",
    "transport_retrying",
]

_MODES = {
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "tools": instructor.Mode.TOOLS,
    "md_json": instructor.Mode.MD_JSON,
}
_PLACEHOLDER_KEY = "not-needed"  # local servers (llama.cpp, vLLM, Ollama) ignore the key, openai requires one

for _name in (*LOGGERS, "tenacity"):  # library etiquette: no last-resort printing of their records
    logging.getLogger(_name).addHandler(logging.NullHandler())


def instructor_mode(config: LLMConfig) -> instructor.Mode:
    """The instructor mode for ``config.mode``."""
    try:
        return _MODES[config.mode]
    except KeyError as e:  # pragma: no cover - LLMConfig validates the literal
        raise ConfigError(f"unknown instructor mode {config.mode!r}") from e


_PER_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[LLMConfig, openai.AsyncOpenAI]] = (
    weakref.WeakKeyDictionary()
)


def build_openai(config: LLMConfig, http_client: Any = None) -> openai.AsyncOpenAI:
    """An async OpenAI client for ``config``.

    Clients are shared per (event loop, config), so a batch reuses one connection pool; ``http_client`` (an
    ``httpx2.AsyncClient``, e.g. with a ``MockTransport`` in tests) gives a fresh client on that transport. Either
    way the HTTP client gets the metering hooks, and the key is registered with the log redaction.
    """
    if config.base_url is None and config.api_key is None:
        raise ConfigError(
            "no LLM endpoint configured: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL "
            "(any OpenAI-compatible server), or pass LLMConfig(base_url=..., api_key=...)"
        )
    key = config.api_key.get_secret_value() if config.api_key else _PLACEHOLDER_KEY
    protect_logs(*config.secrets)

    def new() -> openai.AsyncOpenAI:
        http = install_hooks(http_client) if http_client is not None else None
        http = http or openai.DefaultAsyncHttpxClient(timeout=config.timeout_s, event_hooks=event_hooks())
        return openai.AsyncOpenAI(
            api_key=key, base_url=config.base_url, timeout=config.timeout_s, max_retries=0, http_client=http
        )

    if http_client is not None:
        return new()
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return new()
    per_loop = _PER_LOOP.setdefault(loop, {})
    if config not in per_loop:
        per_loop[config] = new()
    return per_loop[config]


async def close_clients() -> None:
    """Close the clients shared on the running event loop (their connection pools); call before the loop ends."""
    with contextlib.suppress(RuntimeError):
        clients = _PER_LOOP.pop(asyncio.get_running_loop(), {})
        for client in clients.values():
            await client.close()


def build_client(config: LLMConfig, http_client: Any = None) -> Any:
    """An instructor-patched async client in ``config.mode``."""
    return instructor.from_openai(build_openai(config, http_client), mode=instructor_mode(config))


_CONTEXT_CODES = frozenset({"context_length_exceeded", "string_above_max_length", "exceed_context_size_error"})
_CONTEXT_WORDS = re.compile(
    r"context[ _](?:length|size|window)|maximum context|exceeds? the (?:available )?context|prompt is too long"
    r"|too many tokens|reduce the length of the (?:messages|prompt)",
    re.IGNORECASE,
)


def is_context_error(exc: BaseException) -> bool:
    """True when the server refused the request as longer than the model's context window (after unwrapping
    instructor's wrapper): OpenAI's ``context_length_exceeded`` code, or a 400/413/500 whose message says so
    (vLLM, llama.cpp, Ollama word it their own way)."""
    cause = _unwrap(exc)
    if not isinstance(cause, openai.APIStatusError):
        return False
    code = getattr(cause, "code", None) or getattr(cause, "type", None)
    if isinstance(code, str) and code in _CONTEXT_CODES:
        return True
    if cause.status_code not in (400, 413, 500):
        return False
    body = cause.body if isinstance(cause.body, dict) else {}
    error = body.get("error", body)
    text = f"{cause.message} {error.get('message', '') if isinstance(error, dict) else error}"
    return bool(_CONTEXT_WORDS.search(text))


def is_transport_error(exc: BaseException) -> bool:
    """True for failures worth retrying at the transport level (after unwrapping instructor's wrapper); a
    context-length refusal is not one, whatever its status."""
    cause = _unwrap(exc)
    if isinstance(cause, openai.APITimeoutError | openai.APIConnectionError | openai.RateLimitError):
        return True
    if isinstance(cause, openai.APIStatusError):
        return (cause.status_code >= 500 or cause.status_code in (408, 409)) and not is_context_error(cause)
    return False


def _unwrap(exc: BaseException) -> BaseException:
    if isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
        return exc.__cause__
    return exc


def retry_after_seconds(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms`` / ``retry-after``), if it said."""
    cause = _unwrap(exc)
    response = getattr(cause, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return float(ms) / 1000.0
        except ValueError:
            pass
    if (value := headers.get("retry-after")) is not None:
        try:
            return float(value)
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - time.time())
    return None


class _WaitRetryAfter:
    """Honour Retry-After when given (capped), else exponential backoff with jitter."""

    def __init__(self, cap: float) -> None:
        self.cap = cap
        self.backoff = wait_exponential_jitter(multiplier=0.5, max=min(30.0, cap), jitter=0.5)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = retry_after_seconds(exc) if exc else None
        return min(self.cap, hinted) if hinted is not None else float(self.backoff(state))


def describe_failure(exc: BaseException) -> str:
    """A short description of a failed request: ``HTTP 503``, ``timeout``, ``connection error`` or the type name."""
    cause = _unwrap(exc)
    if isinstance(cause, openai.APITimeoutError):
        return "timeout"
    if isinstance(cause, openai.APIConnectionError):
        return "connection error"
    if isinstance(cause, openai.APIStatusError):
        return f"HTTP {cause.status_code}"
    return type(cause).__name__


def transport_retrying(
    config: LLMConfig, on_retry: Callable[[BaseException, float], None] | None = None
) -> AsyncRetrying:
    """The transport retry policy: bounded by ``transport_attempts`` and ``max_wait_s``. ``on_retry(error,
    wait_s)`` is called before each wait (e.g. to log the failed attempt)."""

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        if on_retry is not None and exc is not None:
            on_retry(exc, state.next_action.sleep if state.next_action else 0.0)

    return AsyncRetrying(
        stop=stop_after_attempt(config.transport_attempts) | stop_after_delay(config.max_wait_s),
        wait=_WaitRetryAfter(cap=min(60.0, config.max_wait_s)),
        retry=retry_if_exception(is_transport_error),
        before_sleep=before_sleep,
        reraise=True,
    )
