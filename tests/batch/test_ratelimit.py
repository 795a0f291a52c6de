"""Rate limiter arithmetic on a fake clock (no sleeps, no timing assertions)."""

from __future__ import annotations

import asyncio

import pytest

from extractor.batch.ratelimit import RateLimiter, TokenBucket, estimate_tokens
from extractor.errors import ConfigError


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.now += s


def test_bucket_burst_then_steady_rate() -> None:
    b = TokenBucket(600)  # 600/min: burst 60, refill 9/s
    assert b.capacity == 60 and b.rate == pytest.approx(9.0)
    assert all(b.reserve(1, 0.0) == 0 for _ in range(60))
    assert b.reserve(1, 0.0) == pytest.approx(1 / 9)
    assert b.reserve(1, 0.0) == pytest.approx(2 / 9)
    assert b.reserve(1, 10.0) == 0  # refilled (debt 2 repaid, +88 capped at 60)
    assert b.level == pytest.approx(59)


def test_any_minute_stays_under_the_limit() -> None:
    clock = Clock()
    lim = RateLimiter(rpm=120, clock=clock, sleep=clock.sleep)
    sent: list[float] = []

    async def go() -> None:
        for _ in range(500):
            await lim.acquire()
            sent.append(clock.now)

    asyncio.run(go())
    for i, t in enumerate(sent):
        window = [s for s in sent[i:] if s < t + 60.0]
        assert len(window) <= 120
    assert sent[-1] == pytest.approx((500 - 12) / 1.8)  # 12 burst, then 1.8 per second


def test_tokens_limit_and_settle() -> None:
    clock = Clock()
    lim = RateLimiter(rpm=None, tpm=60_000, clock=clock, sleep=clock.sleep)  # burst 6000, 900/s
    assert lim.reserve(1, 5000) == 0
    assert lim.reserve(1, 1900) == pytest.approx(900 / 900)  # 1000 left, -900 debt -> 1 s
    lim.settle(estimated=5000, actual=2000)  # the first call used less: 3000 back
    assert lim.reserve(1, 2000) == 0
    assert lim.tokens is not None and lim.tokens.level == pytest.approx(100.0)


def test_oversized_request_waits_for_its_debt() -> None:
    lim = RateLimiter(tpm=6000, clock=lambda: 0.0)  # capacity 600, 90/s
    assert lim.reserve(1, 1500) == pytest.approx(900 / 90)


def test_inactive_and_invalid() -> None:
    assert not RateLimiter().active
    assert RateLimiter().reserve(5, 10**9) == 0
    with pytest.raises(ConfigError):
        TokenBucket(0)
    assert estimate_tokens(401) == 101
