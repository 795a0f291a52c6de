"""Client-side rate limiting: token buckets for requests and tokens per minute.

Each bucket holds at most ``burst`` (10%) of the per-minute limit and refills at the remaining 90% spread over the
minute, so any 60-second window sees at most the limit. Callers *reserve* before they send: the bucket may go into
debt, and the caller waits until the debt is repaid; that keeps callers in arrival order and makes the arithmetic a
pure function of the clock (:meth:`RateLimiter.reserve`), testable without sleeping. After a call, :meth:`settle`
corrects the token estimate (chars / 4) with the usage the server reported, and :meth:`refund` returns requests
reserved but never sent. Requests beyond the reservation (transport retries, re-asks) wait here too, one by one:
the LLM clients' metering hooks (:mod:`extractor.llm.metering`) call :meth:`acquire` before each of them.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from extractor.errors import ConfigError

__all__ = ["CHARS_PER_TOKEN", "RateLimiter", "TokenBucket", "estimate_tokens"]

CHARS_PER_TOKEN = 4
BURST_FRACTION = 0.1


def estimate_tokens(chars: int) -> int:
    """Rough token count of ``chars`` characters of English text (about 4 characters a token)."""
    return math.ceil(chars / CHARS_PER_TOKEN)


@dataclass
class TokenBucket:
    """A token bucket allowing ``per_minute`` units a minute, with debt."""

    per_minute: float
    capacity: float = field(init=False)
    rate: float = field(init=False)  # units per second
    level: float = field(init=False)
    last: float | None = None

    def __post_init__(self) -> None:
        if self.per_minute <= 0:
            raise ConfigError(f"rate limit must be positive, got {self.per_minute}")
        self.capacity = max(1.0, self.per_minute * BURST_FRACTION)
        self.rate = self.per_minute * (1 - BURST_FRACTION) / 60.0
        self.level = self.capacity

    def _refill(self, now: float) -> None:
        if self.last is not None and now > self.last:
            self.level = min(self.capacity, self.level + (now - self.last) * self.rate)
        if self.last is None or now > self.last:
            self.last = now

    def reserve(self, amount: float, now: float) -> float:
        """Take ``amount`` at time ``now``; return the seconds to wait before using it (0 when available)."""
        self._refill(now)
        self.level -= amount
        return 0.0 if self.level >= 0 else -self.level / self.rate

    def give_back(self, amount: float, now: float) -> None:
        """Return (or, negative, take) units after the fact."""
        self._refill(now)
        self.level = min(self.capacity, self.level + amount)


class RateLimiter:
    """Requests-per-minute and tokens-per-minute limits for one run (either may be None: unlimited)."""

    def __init__(
        self,
        rpm: float | None = None,
        tpm: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.requests = TokenBucket(rpm) if rpm else None
        self.tokens = TokenBucket(tpm) if tpm else None
        self._clock, self._sleep = clock, sleep
        self.waited_s = 0.0

    @property
    def active(self) -> bool:
        """True when at least one limit is set."""
        return self.requests is not None or self.tokens is not None

    def reserve(self, requests: int = 1, tokens: int = 0) -> float:
        """Reserve capacity now; return the seconds the caller must wait before sending."""
        now = self._clock()
        wait = 0.0
        if self.requests is not None:
            wait = max(wait, self.requests.reserve(requests, now))
        if self.tokens is not None:
            wait = max(wait, self.tokens.reserve(tokens, now))
        return wait

    async def acquire(self, requests: int = 1, tokens: int = 0) -> None:
        """Wait until ``requests`` requests carrying about ``tokens`` tokens may be sent."""
        wait = self.reserve(requests, tokens)
        if wait > 0:
            self.waited_s += wait
            await self._sleep(wait)

    def settle(self, estimated: int, actual: int) -> None:
        """Correct a reservation of ``estimated`` tokens with the ``actual`` usage."""
        if self.tokens is not None and actual > 0:
            self.tokens.give_back(estimated - actual, self._clock())

    def refund(self, requests: int) -> None:
        """Give back ``requests`` reserved requests that were never sent."""
        if self.requests is not None and requests > 0:
            self.requests.give_back(requests, self._clock())
