"""Prices and request/token estimates for LLM runs (dry runs, rate limiting, run summaries)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import yaml

from extractor.batch.ratelimit import estimate_tokens
from extractor.llm.config import LLMConfig
from extractor.models import TokenUsage, Trial
from extractor.segment import segment

__all__ = ["estimate_cost", "estimate_requests", "model_prices"]


@cache
def model_prices() -> dict[str, Any]:
    """The price table (``extractor/batch/prices.yaml``)."""
    text = resources.files("extractor.batch").joinpath("prices.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _price(model: str | None) -> dict[str, float] | None:
    if not model:
        return None
    models: dict[str, dict[str, float]] = model_prices()["models"]
    if model in models:
        return models[model]
    name = model.rsplit("/", 1)[-1]
    best = max((m for m in models if name == m or name.startswith(m + "-20")), key=len, default=None)
    return models[best] if best else None


def estimate_cost(model: str | None, usage: TokenUsage, *, batch: bool = False) -> float | None:
    """USD for ``usage`` on ``model`` (None for an unknown model); ``batch`` applies the Batch API discount."""
    price = _price(model)
    if price is None:
        return None
    cost = (usage.prompt_tokens * price["input"] + usage.completion_tokens * price["output"]) / 1e6
    if batch:
        cost *= float(model_prices().get("batch_discount", 0.5))
    return round(cost, 6)


_PROBE_ITEM = "Age >= 18 years"
_ITEM_OVERHEAD_CHARS = 48  # index, polarity, cohort and JSON quoting around each item's text


def _body_chars(body: dict[str, Any]) -> int:
    chars = len(json.dumps(body.get("messages", []), ensure_ascii=False))
    return chars + len(json.dumps(body.get("response_format") or body.get("tools") or {}))


@cache
def _request_overhead_chars(config: LLMConfig) -> int:
    """Characters of one request besides its items (instructions, schema), measured once per config by rendering
    a one-item request with the LLM backend's ``build_requests``."""
    from extractor.llm.backend import build_requests  # lazy: rules-only runs never import the LLM stack

    probe = Trial(trial_id="probe", text=f"Inclusion Criteria:\n* {_PROBE_ITEM}\n")
    bodies = build_requests(probe, config)
    return max(0, sum(map(_body_chars, bodies)) - len(_PROBE_ITEM)) if bodies else 0


def estimate_requests(trial: Trial, config: LLMConfig) -> tuple[int, int]:
    """(requests, estimated prompt tokens) the LLM backend would send for ``trial``: items chunked as the backend
    does, each request's fixed part measured once from ``build_requests``, tokens as characters / 4. Cheap enough
    for a dry run over a whole registry."""
    items = segment(trial.text).items
    if not items:
        return 0, 0
    from extractor.llm.backend import chunk_items

    n = len(chunk_items(items, config.items_per_call))
    chars = sum(len(it.text) + _ITEM_OVERHEAD_CHARS for it in items) + n * _request_overhead_chars(config)
    return n, estimate_tokens(chars)
