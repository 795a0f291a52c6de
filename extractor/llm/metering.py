"""Counting and pacing what the LLM path really sends: every HTTP request, transport retries and re-asks included.

A caller (the batch runner) opens :func:`metering` with a :class:`CallMeter` around one trial's extraction; the
meter lives in a context variable, so concurrent trials each see their own. The HTTP clients built by
:mod:`extractor.llm.client` carry two httpx event hooks (:func:`install_hooks`):

* before each chat-completions request, the meter takes one request from what was reserved up front, or else waits
  for its :class:`Pacer` (the run's rate limiter) with the request's size as the token estimate: a retried or
  re-asked request is paced like any other;
* after each response, it adds the tokens the server reported, whatever happens to the answer next (an answer that
  fails validation and is re-asked still cost its tokens).

Outside :func:`metering` the hooks do nothing.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

from extractor.models import TokenUsage

__all__ = ["CallMeter", "Pacer", "current_meter", "install_hooks", "metering"]

CHARS_PER_TOKEN = 4
_CHAT_PATH = "/chat/completions"


class Pacer(Protocol):
    """Something that makes a request wait for its turn (``RateLimiter`` is one)."""

    async def acquire(self, requests: int = 1, tokens: int = 0) -> None: ...


@dataclass
class CallMeter:
    """One trial's LLM traffic: requests sent, responses, tokens reported; paces requests past the reservation."""

    pacer: Pacer | None = None
    reserved_requests: int = 0
    """Requests already reserved with the pacer (the caller's up-front estimate); further ones wait for it."""
    requests: int = 0
    responses: int = 0
    ok_responses: int = 0
    extra_tokens: int = 0
    """Estimated tokens of the requests paced here (beyond the reservation)."""
    usage: TokenUsage = field(default_factory=TokenUsage)

    async def before_request(self, body_chars: int) -> None:
        """Count a request about to be sent; wait for the pacer when it exceeds the reservation."""
        self.requests += 1
        if self.requests <= self.reserved_requests or self.pacer is None:
            return
        tokens = math.ceil(body_chars / CHARS_PER_TOKEN)
        self.extra_tokens += tokens
        await self.pacer.acquire(1, tokens)

    def after_response(self, status: int, usage: TokenUsage | None) -> None:
        """Count a response and the tokens it reports."""
        self.responses += 1
        if 200 <= status < 300:
            self.ok_responses += 1
        if usage is not None:
            self.usage = self.usage + usage

    @property
    def unused_reservation(self) -> int:
        """Reserved requests that were never sent (the estimate was high)."""
        return max(0, self.reserved_requests - self.requests)


_CURRENT: ContextVar[CallMeter | None] = ContextVar("extractor_llm_meter", default=None)


def current_meter() -> CallMeter | None:
    """The meter of the running context, if any."""
    return _CURRENT.get()


@contextlib.contextmanager
def metering(meter: CallMeter) -> Iterator[CallMeter]:
    """Count (and pace) the LLM requests made inside the block with ``meter``."""
    token = _CURRENT.set(meter)
    try:
        yield meter
    finally:
        _CURRENT.reset(token)


def _is_chat(url: Any) -> bool:
    return str(getattr(url, "path", "")).endswith(_CHAT_PATH)


async def _on_request(request: Any) -> None:
    meter = _CURRENT.get()
    if meter is None or not _is_chat(request.url):
        return
    try:
        size = len(request.content)
    except Exception:  # a streaming body: size unknown
        size = 0
    await meter.before_request(size)


async def _on_response(response: Any) -> None:
    meter = _CURRENT.get()
    if meter is None or not _is_chat(response.request.url):
        return
    usage: TokenUsage | None = None
    if 200 <= response.status_code < 300:
        try:
            await response.aread()
            reported = json.loads(response.content).get("usage") or {}
            usage = TokenUsage(
                prompt_tokens=int(reported.get("prompt_tokens") or 0),
                completion_tokens=int(reported.get("completion_tokens") or 0),
                total_tokens=int(reported.get("total_tokens") or 0),
            )
        except Exception:  # not JSON / no usage: nothing to count (the client reports the error itself)
            usage = None
    meter.after_response(response.status_code, usage)


def event_hooks() -> dict[str, list[Any]]:
    """The request and response hooks, for a new ``httpx2.AsyncClient(event_hooks=...)``."""
    return {"request": [_on_request], "response": [_on_response]}


def install_hooks(http_client: Any) -> Any:
    """Add the metering hooks to an existing ``httpx2.AsyncClient`` (once); returns the client."""
    hooks = http_client.event_hooks
    if _on_request not in hooks["request"]:
        http_client.event_hooks = {
            "request": [*hooks["request"], _on_request],
            "response": [*hooks["response"], _on_response],
        }
    return http_client
