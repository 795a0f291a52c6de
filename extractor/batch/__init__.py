"""Batch processing at registry scale: the run engine (also the eval's), result cache, rate limiter and the provider
Batch API. The public entry point is :func:`extractor.extract_many`."""

from extractor.batch.cache import ResultCache, cache_key, default_cache_path, text_sha256
from extractor.batch.collect import collect_records
from extractor.batch.estimate import estimate_cost, estimate_requests
from extractor.batch.ratelimit import RateLimiter, TokenBucket, estimate_tokens
from extractor.batch.runner import (
    BatchRunner,
    DryRunReport,
    ExtractFn,
    ProgressSink,
    RecordSink,
    RunOptions,
    RunSummary,
)

__all__ = [
    "BatchRunner",
    "DryRunReport",
    "ExtractFn",
    "ProgressSink",
    "RateLimiter",
    "RecordSink",
    "ResultCache",
    "RunOptions",
    "RunSummary",
    "TokenBucket",
    "cache_key",
    "collect_records",
    "default_cache_path",
    "estimate_cost",
    "estimate_requests",
    "estimate_tokens",
    "text_sha256",
]
