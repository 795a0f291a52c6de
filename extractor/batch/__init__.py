"""Batch processing at registry scale: the run engine, result cache, rate limiter and the provider Batch API."""

from extractor.batch.cache import ResultCache, cache_key, default_cache_path, text_sha256
from extractor.batch.estimate import estimate_cost, estimate_requests
from extractor.batch.ratelimit import RateLimiter, TokenBucket, estimate_tokens
from extractor.batch.runner import (
    BatchRunner,
    DryRunReport,
    ExtractFn,
    ProgressSink,
    RunOptions,
    RunSummary,
)

__all__ = [
    "BatchRunner",
    "DryRunReport",
    "ExtractFn",
    "ProgressSink",
    "RateLimiter",
    "ResultCache",
    "RunOptions",
    "RunSummary",
    "TokenBucket",
    "cache_key",
    "default_cache_path",
    "estimate_cost",
    "estimate_requests",
    "estimate_tokens",
    "text_sha256",
]
