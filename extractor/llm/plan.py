"""Planning and rendering LLM requests: items framed as JSON, chunked by estimated tokens against the model's
context window and answer budget (a nested item stays with its parent), and the messages of one chunk (a system
message that is the same on every call, then the trial's context and its items by section)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from extractor.llm.config import LLMConfig
from extractor.llm.prompts import RenderedPrompt, frame_json, load_prompt
from extractor.llm.schema import LLMCriteria, kind_table
from extractor.models import KINDS, Item, Trial

__all__ = [
    "chunk_items",
    "estimate_tokens",
    "families",
    "frame_item",
    "halves",
    "item_answer_tokens",
    "item_prompt_tokens",
    "prefix_tokens",
    "registry_context",
    "render",
    "sampling",
]


def estimate_tokens(text: str) -> int:
    """A rough token count for planning requests: one token per four characters, rounded up."""
    return (len(text) + 3) // 4


def item_prompt_tokens(it: Item) -> int:
    return estimate_tokens(frame_item(it)) + 1


def item_answer_tokens(it: Item) -> int:
    """Planned answer tokens for one item: twice its text plus one criterion's fields. Measured on the gold answers
    (2,808 items, before the gold gained the comorbidity kind, whose answers are 8% longer): it covers 93% of items
    alone and every 40-item chunk within 0.78x (median 1.7x); answers it underestimates are cut at ``max_tokens``
    and split (:func:`llm_extract`)."""
    return 2 * estimate_tokens(json.dumps(it.text, ensure_ascii=False)) + 40


@cache
def prefix_tokens(prompt: str, version: str, mode: str) -> int:
    """Tokens of a request besides its items: system message, user template, answer schema (sent as
    response_format or tools; in md_json mode instructor writes it into the messages indented, about twice the
    tokens: measured with the oracle server)."""
    rendered = render(Trial(trial_id="x", text=""), [], LLMConfig(prompt=prompt, prompt_version=version))
    schema = estimate_tokens(json.dumps(LLMCriteria.model_json_schema(), ensure_ascii=False))
    return estimate_tokens(rendered.system) + estimate_tokens(rendered.user) + schema * (2 if mode == "md_json" else 1)


def families(items: Sequence[Item]) -> list[list[Item]]:
    """Items grouped so that each nested item stays with the item it belongs to (when that one is in ``items``)."""
    groups: list[list[Item]] = []
    members: set[int] = set()
    for it in items:
        if groups and it.parent is not None and it.parent in members:
            groups[-1].append(it)
        else:
            groups.append([it])
            members = set()
        members.add(it.index)
    return groups


def chunk_items(
    items: Sequence[Item], per_call: int | None = None, *, config: LLMConfig | None = None
) -> list[list[Item]]:
    """Items in request-sized chunks, in order: at most ``per_call`` items (default ``config.items_per_call``),
    estimated prompt within ``config.context_window`` minus ``max_tokens`` and the fixed prefix, estimated answer
    within ``config.answer_budget`` (default ``max_tokens``). A parent item and its children share a chunk unless
    together they exceed a limit. ``config`` defaults to ``LLMConfig()`` (the default model's limits)."""
    config = config or LLMConfig()
    per_call = per_call or config.items_per_call
    prompt_room = (
        config.context_window - config.max_tokens - prefix_tokens(config.prompt, config.prompt_version, config.mode)
    )
    answer_room = config.planned_answer_tokens
    out: list[list[Item]] = []
    cur: list[Item] = []
    used_prompt = used_answer = 0
    for family in families(items):
        sizes = [(item_prompt_tokens(it), item_answer_tokens(it)) for it in family]
        fam_prompt, fam_answer = sum(p for p, _ in sizes), sum(a for _, a in sizes)
        whole = len(family) <= per_call and fam_prompt <= prompt_room and fam_answer <= answer_room
        units = (
            [(family, fam_prompt, fam_answer)] if whole else [([it], *sz) for it, sz in zip(family, sizes, strict=True)]
        )
        for unit, p, a in units:
            if cur and (
                len(cur) + len(unit) > per_call or used_prompt + p > prompt_room or used_answer + a > answer_room
            ):
                out.append(cur)
                cur, used_prompt, used_answer = [], 0, 0
            cur += unit
            used_prompt += p
            used_answer += a
    if cur:
        out.append(cur)
    return out


def halves(chunk: Sequence[Item]) -> tuple[list[Item], list[Item]]:
    """``chunk`` in two, cut at the family boundary nearest its middle (in the middle when it is one family)."""
    bounds: list[int] = []
    n = 0
    for family in families(chunk)[:-1]:
        n += len(family)
        bounds.append(n)
    cut = min(bounds, key=lambda b: abs(2 * b - len(chunk))) if bounds else len(chunk) // 2
    return list(chunk[:cut]), list(chunk[cut:])


def frame_item(it: Item) -> str:
    fields: dict[str, object] = {"item": it.index}
    if it.parent is not None:
        fields["parent"] = it.parent
    if it.cohort:
        fields["cohort"] = it.cohort
    fields["text"] = it.text
    return frame_json(fields)


def registry_context(trial: Trial, key: str) -> str:
    """A registry field sent as context (title, conditions), framed as one JSON string ("" when absent)."""
    value = trial.registry.get(key)
    if key == "title" and not value:
        value = trial.registry.get("brief_title")
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v)
    return frame_json(value) if isinstance(value, str) and value.strip() else ""


def render(trial: Trial | str, items: Sequence[Item], config: LLMConfig) -> RenderedPrompt:
    """The messages for one chunk: a system message that is the same on every call (the cacheable prefix) and a
    user message with the trial's context and its items, grouped by section, in order (``trial`` may be a bare id)."""
    if isinstance(trial, str):
        trial = Trial(trial_id=trial, text="")
    prompt = load_prompt(config.prompt, config.prompt_version)
    sections: list[tuple[str, list[str]]] = []
    for it in items:
        if not sections or sections[-1][0] != it.polarity:
            sections.append((it.polarity, []))
        sections[-1][1].append(frame_item(it))
    variables: dict[str, Any] = {
        "kind_table": kind_table(),
        "kinds": KINDS,
        "trial_id": frame_json(trial.trial_id),
        "title": registry_context(trial, "title"),
        "conditions": registry_context(trial, "conditions"),
        "sections": sections,
        "items": [s for _, framed in sections for s in framed],
    }
    return prompt.render(**{k: v for k, v in variables.items() if k in prompt.variables})


def sampling(config: LLMConfig) -> dict[str, Any]:
    kw: dict[str, Any] = {"model": config.model, "temperature": config.temperature, "max_tokens": config.max_tokens}
    if config.seed is not None:
        kw["seed"] = config.seed
    return kw
