"""Rate limiter arithmetic on a fake clock (no sleeps, no timing assertions)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

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


# ------------------------------------------------------------- the real LLM path: every request is paced and counted

_TEXT = "Inclusion Criteria:\n* ECOG performance status 0-1\n* Age >= 18 years\n"
_VALID = (
    '{"criteria": [{"kind": "performance_status", "item": 0, "quote": "ECOG performance status 0-1", "scale": "ECOG"}]}'
)


class _Script:
    """Per trial: a 429 (Retry-After 0), then an answer that does not validate (re-ask), then a valid one; trials
    named FAIL* never get a valid answer."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.per_trial: dict[str, int] = {}

    def __call__(self, request: Any) -> Any:
        import httpx2

        body = json.loads(request.content)
        user = body["messages"][1]["content"]
        trial = re.findall(r"\b(?:T|FAIL)\d+\b", user)[0]
        n = self.per_trial[trial] = self.per_trial.get(trial, 0) + 1
        self.requests.append(trial)
        if n == 1:
            return httpx2.Response(429, headers={"retry-after": "0"}, json={"error": {"message": "slow down"}})
        content = _VALID if n >= 3 and not trial.startswith("FAIL") else '{"criteria": "nope"}'
        return httpx2.Response(
            200,
            json={
                "id": "c",
                "object": "chat.completion",
                "created": 0,
                "model": "gpt-4o-mini",
                "choices": [
                    {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
                ],
                "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
            },
        )


def test_retries_and_reasks_wait_for_the_limiter_and_failed_attempts_count(tmp_path: Path) -> None:
    """Before: the limiter saw one reservation per trial (10), the server got 30 requests (3x the limit), and the
    failed trials' tokens were reported as 0."""
    import httpx2

    from extractor.api import aextract
    from extractor.batch import BatchRunner, RunOptions
    from extractor.io import RecordWriter
    from extractor.llm import LLMConfig
    from extractor.models import CriteriaSet, Trial

    clock = Clock()
    limiter = RateLimiter(rpm=60, clock=clock, sleep=clock.sleep)
    script = _Script()
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(script))
    cfg = LLMConfig(base_url="http://127.0.0.1:9/v1", model="gpt-4o-mini", validation_retries=1, transport_attempts=3)

    async def llm(trial: Trial) -> CriteriaSet:
        return await aextract(trial, backend="llm", llm=cfg, http_client=client)

    trials = [Trial(trial_id=f"T{i}", text=_TEXT) for i in range(8)] + [
        Trial(trial_id=f"FAIL{i}", text=_TEXT) for i in range(2)
    ]
    opts = RunOptions(backend="llm", llm=cfg, concurrency=1, rpm=60)
    with RecordWriter(tmp_path / "out.jsonl") as w:
        s = BatchRunner(opts, w, extract_fn=llm, limiter=limiter).run(iter(trials), handle_sigint=False)
    assert (s.ok, s.error, s.error_types) == (8, 2, {"OutputValidationError": 2})
    # 8 trials x (429 + invalid + valid) + 2 trials x (429 + invalid + invalid)
    assert len(script.requests) == s.llm_calls == 30
    # every one of the 30 requests went through the bucket: burst 6, then 0.9 a second
    assert clock.now == pytest.approx((30 - 6) / 0.9)
    # tokens of every answer received (20 of them), the failed trials' too
    assert s.usage.prompt_tokens == 20 * 100 and s.usage.completion_tokens == 20 * 20
    assert s.cost_usd == pytest.approx((2000 * 0.15 + 400 * 0.60) / 1e6)


def test_meter_paces_only_past_the_reservation() -> None:
    from extractor.llm.metering import CallMeter

    clock = Clock()
    limiter = RateLimiter(rpm=60, clock=clock, sleep=clock.sleep)
    meter = CallMeter(pacer=limiter, reserved_requests=2)

    async def send(n: int) -> None:
        for _ in range(n):
            await meter.before_request(400)

    asyncio.run(send(2))
    assert limiter.requests is not None and limiter.requests.level == pytest.approx(6)  # reserved ones: not again
    asyncio.run(send(3))
    assert meter.requests == 5 and meter.extra_tokens == 300
    assert limiter.requests.level == pytest.approx(3)
    limiter.refund(2)
    assert limiter.requests.level == pytest.approx(5)
