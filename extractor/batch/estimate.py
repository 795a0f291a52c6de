"""Prices and request/token estimates for LLM runs (dry runs, rate limiting, run summaries).

A dry run's estimate follows the backend: ``hybrid`` routes the rules' result as the backend does, every request
is planned by the backend's own chunk planner and rendered with its prompt and instructor's schema, and the
answers' size is expected from the items' (:func:`estimate_trial`). Tokens are counted as the oracle server counts
them (characters / 4), or with ``tiktoken`` when it is installed (the ``tokens`` extra) and asked for
(:class:`TokenCounter`). Checked against the oracle server's counted usage on the gold trials
(``tests/batch/test_estimate.py``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import yaml

from extractor.batch.ratelimit import CHARS_PER_TOKEN
from extractor.errors import ConfigError
from extractor.llm.config import LLMConfig
from extractor.models import Item, TokenUsage, Trial
from extractor.segment import segment

if TYPE_CHECKING:
    from extractor.batch.models import DryRunReport

__all__ = [
    "ANSWER_CHARS_PER_ITEM",
    "ANSWER_CHARS_PER_ITEM_CHAR",
    "TokenCounter",
    "Tokenizer",
    "TrialEstimate",
    "estimate_cost",
    "estimate_requests",
    "estimate_trial",
    "model_prices",
    "price_report",
]


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


ANSWER_CHARS_PER_ITEM_CHAR = 1.29
ANSWER_CHARS_PER_ITEM = 104
"""Expected answer size of one item: ``1.29 x`` its JSON-quoted text plus 104 characters (kind, fields, item number
and the JSON around each criterion). A least-squares fit of the gold answers (what the oracle server, a perfect
model, answers) over the 2,808 gold items, re-fitted when the gold gained the comorbidity kind: exact in total
for ``llm``. The planner's answer estimate (:mod:`extractor.llm.plan`) is a bound instead (about 1.6x this), so
that few answers are cut. Re-fit both when the answer schema changes."""

_ANSWER_ENVELOPE_CHARS = len('{"criteria": []}')


class TrialEstimate(NamedTuple):
    """What one trial would send: requests, prompt tokens and expected completion tokens."""

    requests: int
    prompt_tokens: int
    completion_tokens: int


Tokenizer = Literal["auto", "tiktoken", "chars"]


class TokenCounter:
    """Counts tokens of request text: with ``tiktoken`` (the ``tokens`` extra) when it is installed and has the
    model's encoding, else one token per four characters (rounded up), the count the oracle server reports."""

    def __init__(self, model: str, tokenizer: Tokenizer = "auto") -> None:
        self.encoding: Any = None
        self.note = "tokens counted as characters / 4 (rounded up per message list and per schema)"
        if tokenizer == "chars":
            return
        try:
            import tiktoken

            try:
                self.encoding = tiktoken.encoding_for_model(model.rsplit("/", 1)[-1])
            except KeyError:
                self.encoding = tiktoken.get_encoding("o200k_base")
            self.note = f"tokens counted with tiktoken ({self.encoding.name}) over the request's JSON text"
        except Exception as e:  # not installed, or its encoding file cannot be fetched (offline)
            if tokenizer == "tiktoken":
                raise ConfigError(f"tiktoken cannot count tokens here: {type(e).__name__}: {e}") from e
            why = "is not installed" if isinstance(e, ImportError) else "has no encoding file here (offline)"
            self.note += f"; tiktoken {why}"

    def __call__(self, text: str) -> int:
        """Tokens of ``text``."""
        if self.encoding is not None:
            return len(self.encoding.encode(text, disallowed_special=()))
        return (len(text) + 3) // 4


@cache
def _request_parts(config: LLMConfig, n_items: int) -> tuple[int, str]:
    """What instructor adds to a request of ``n_items`` items in ``config.mode``: characters it adds to the
    messages' JSON (md_json writes the schema there) and the JSON text of the schema or tools it sends. Measured
    once per config and size with instructor's own request builder, offline."""
    from instructor.v2.core.response import handle_response_model

    from extractor.llm.client import instructor_mode
    from extractor.llm.plan import render, sampling  # lazy: rules-only runs never import the LLM stack
    from extractor.llm.schema import response_model

    messages = render("probe", [], config).messages()
    _, kwargs = handle_response_model(
        response_model(n_items), mode=instructor_mode(config), messages=messages, **sampling(config)
    )
    added = len(json.dumps(kwargs["messages"], ensure_ascii=False)) - len(json.dumps(messages, ensure_ascii=False))
    schema = kwargs.get("tools") or kwargs.get("response_format") or {}
    return added, json.dumps(schema, ensure_ascii=False)


def _answer_tokens(items: Sequence[Item]) -> int:
    chars = _ANSWER_ENVELOPE_CHARS + sum(
        ANSWER_CHARS_PER_ITEM_CHAR * len(json.dumps(it.text, ensure_ascii=False)) + ANSWER_CHARS_PER_ITEM
        for it in items
    )
    return math.ceil(chars / CHARS_PER_TOKEN)


def estimate_trial(
    trial: Trial, config: LLMConfig, backend: str = "llm", *, counter: TokenCounter | None = None
) -> TrialEstimate:
    """What ``backend`` (``llm`` or ``hybrid``) would send for ``trial``, without a key or a call: for ``hybrid``
    only the items the routing sends (:func:`~extractor.llm.routing.route_items` on the rules' result), chunked by
    the backend's planner (:func:`~extractor.llm.plan.chunk_items`), each request rendered as the backend does
    (instructor's schema or tools included); prompt tokens counted by ``counter`` (default: characters / 4, as the
    oracle server counts), completion tokens expected from the items' size (:data:`ANSWER_CHARS_PER_ITEM_CHAR`).
    Requests a cut answer would split are not foreseen."""
    from extractor.llm.plan import chunk_items, render

    seg = segment(trial.text)
    items = list(seg.items)
    if backend == "hybrid" and items:
        from extractor.llm.routing import route_items
        from extractor.rules.engine import extract_segmentation

        routed = route_items(items, extract_segmentation(seg), config.routing)
        items = [it for it in items if it.index in routed]
    if not items:
        return TrialEstimate(0, 0, 0)
    count = counter or TokenCounter(config.model, "chars")
    chunks = chunk_items(items, config=config)
    prompt = completion = 0
    for chunk in chunks:
        added, schema = _request_parts(config, len(chunk))
        messages = json.dumps(render(trial.trial_id, chunk, config).messages(), ensure_ascii=False)
        if count.encoding is None:  # characters / 4 over each part, as the oracle counts
            prompt += (len(messages) + added + 3) // 4 + count(schema)
        else:  # the schema instructor writes into md_json messages is counted as part of the schema
            prompt += count(messages) + count(schema) * (2 if added else 1)
        completion += _answer_tokens(chunk)
    return TrialEstimate(len(chunks), prompt, completion)


def estimate_requests(trial: Trial, config: LLMConfig, backend: str = "llm") -> tuple[int, int]:
    """(requests, estimated prompt tokens) ``backend`` would send for ``trial`` (:func:`estimate_trial`); cheap
    enough for a dry run over a whole registry."""
    est = estimate_trial(trial, config, backend)
    return est.requests, est.prompt_tokens


def price_report(
    report: DryRunReport, llm: LLMConfig | None, backend: str, counter: TokenCounter | None
) -> DryRunReport:
    """Fill in a dry run's costs from its token estimates, with the assumptions they rest on."""
    if llm is None or counter is None:
        report.estimated_prompt_cost_usd = report.estimated_cost_usd = 0.0
        return report
    report.estimated_prompt_cost_usd = estimate_cost(
        llm.model, TokenUsage(prompt_tokens=report.estimated_prompt_tokens)
    )
    report.estimated_cost_usd = estimate_cost(
        llm.model,
        TokenUsage(prompt_tokens=report.estimated_prompt_tokens, completion_tokens=report.estimated_completion_tokens),
    )
    report.assumptions.append(counter.note)
    report.assumptions.append(
        "completion tokens expected from the items' size (fitted to gold answers; cut answers not foreseen)"
    )
    if backend == "hybrid":
        report.assumptions.append("hybrid: only the items the routing sends are priced (rules run here to route them)")
    return report
