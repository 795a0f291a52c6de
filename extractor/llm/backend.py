"""LLM backend: segmented items -> instructor call(s) -> typed criteria -> grounding.

Items are sent in chunks planned by estimated tokens (:func:`chunk_items`: at most ``items_per_call``, within the
context window and the answer limit, nested items with their parent), each item framed as escaped JSON
(:func:`~extractor.llm.prompts.frame_json`) under its section, nested items naming their parent, after the trial's
title and conditions; the system message and the answer schema are the same bytes on every request (a prefix
providers can cache: :mod:`extractor.llm.schema`). The model answers :class:`LLMCriteria` (kind fields + item number
+ verbatim quote). Grounding is part of the answer's validation (:mod:`extractor.llm.schema`): a quote that is not
in its item fails the answer with a targeted message and instructor re-asks (``validation_retries``); on the last
attempt the bad criteria alone are set aside and rejected. Each kept quote is grounded inside its item (offsets
re-found, ASCII spellings tolerated: :func:`~extractor.ground.find_span`), durations converted from the units the
model wrote, and typed numbers checked against the quote (:mod:`extractor.llm.verify`): unsupported ones rejected,
converted ones flagged (``provenance.flagged``). Rejections are reported in ``CriteriaSet.rejected``, re-asks
counted in ``provenance.reasks``. Items the model
leaves untyped become ``other``: nothing is dropped. ``hybrid`` sends the items :mod:`extractor.llm.routing` picks
from the rules' result (left ``other``, partly typed, long, and their families) and merges the two results there.
A chunk whose answer is cut at ``max_tokens`` or that exceeds the context window is split in two and
asked again, down to one item; every answered chunk is kept (:func:`llm_extract`).

``attempts`` (in provenance, in an ``LLMError``, in its message) counts HTTP requests to the model: first tries,
transport retries and validation re-asks alike (:mod:`extractor.llm.client`). With ``-v`` each failed attempt logs
one line on the ``extractor.llm`` logger (retried, re-asked, or the last one: "giving up").

Everything that leaves this module as text (exception messages, ``last_output``, ``provenance.errors``, rejected
quotes) is redacted with the configured key *before* it is truncated (:func:`~extractor.llm.secrets.redact_secrets`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from instructor.core import IncompleteOutputException, InstructorRetryException
from instructor.v2.core.hooks import Hooks
from pydantic import ValidationError

from extractor._version import __version__
from extractor.errors import (
    ConfigError,
    ContextLengthError,
    LLMError,
    OutputValidationError,
    TransportError,
    TruncatedOutputError,
)
from extractor.ground import find_span, make_evidence
from extractor.llm.client import (
    build_client,
    describe_failure,
    is_context_error,
    is_transport_error,
    transport_retrying,
)
from extractor.llm.config import LLMConfig
from extractor.llm.plan import chunk_items, estimate_tokens, halves, render, sampling
from extractor.llm.prompts import RenderedPrompt, load_prompt
from extractor.llm.routing import llm_other, merge_hybrid, route_items
from extractor.llm.schema import AnswerContext, LLMCriteria, answer_schema, convert_durations
from extractor.llm.secrets import redact_secrets
from extractor.llm.verify import unsupported_numbers, unwritten_numbers
from extractor.models import (
    KIND_TYPES,
    CriteriaSet,
    Criterion,
    Item,
    NumberFlag,
    Provenance,
    Rejected,
    TokenUsage,
    Trial,
)
from extractor.segment import segment

__all__ = [
    "build_requests",
    "chunk_items",
    "estimate_tokens",
    "llm_extract",
    "parse_responses",
    "prompt_hash",
    "to_criteria",
]

_log = logging.getLogger("extractor.llm")


def prompt_hash(config: LLMConfig) -> str:
    """sha256 of what shapes the model's answer: the prompt template files and the answer schema (the registry's
    kinds, their fields and descriptions), so a new kind or a reworded field description is a new prompt."""
    h = hashlib.sha256(load_prompt(config.prompt, config.prompt_version).sha256.encode())
    h.update(json.dumps(LLMCriteria.model_json_schema(), sort_keys=True).encode())
    return h.hexdigest()


def to_criteria(
    answer: LLMCriteria, source: str, items: Sequence[Item], *, secrets: Sequence[str] = ()
) -> tuple[list[Criterion], list[Rejected], list[NumberFlag]]:
    """Turn the model's answer into grounded criteria. Rejected (and reported): quotes not found in the text, typed
    numbers the quote does not support, criteria that do not validate (``answer.unusable`` too). Flagged: kept
    criteria with numbers the quote does not state as written. ``secrets`` are masked in what is reported."""

    def reject(kind: str, quote: str, item: int | None, reason: str) -> None:
        rejected.append(
            Rejected(
                kind=kind,
                quote=redact_secrets(quote, secrets)[:500],
                item=item,
                reason=redact_secrets(reason, secrets)[:1000],
            )
        )

    by_index = {it.index: it for it in items}
    kept: list[Criterion] = []
    rejected: list[Rejected] = []
    flagged: list[NumberFlag] = []
    for bad in answer.unusable:  # failed validation on the last attempt: this criterion alone is lost
        reject(bad.kind, bad.quote, bad.item, f"invalid after the last re-ask: {bad.reason}")
    for c in answer.criteria:
        item = by_index.get(c.item)
        span = find_span(source, c.quote, item.start, item.end) if item else None
        if span is None:  # wrong item number: accept only if the quote is in one of this call's items
            for other in items:
                span = find_span(source, c.quote, other.start, other.end)
                if span is not None:
                    item = other
                    break
        if span is None or item is None:
            reject(c.kind, c.quote, c.item, "quote is not in the item text" if item else f"item {c.item} was not sent")
            continue
        written = c.model_dump(exclude={"item", "quote"})  # durations as the model wrote them
        quote = source[span[0] : span[1]]
        if unsupported := unsupported_numbers(written, quote):
            reason = f"unsupported numbers: {', '.join(unsupported)} (not in the quote, nor a documented conversion)"
            reject(c.kind, c.quote, item.index, reason)
            continue
        fields = convert_durations(c.kind, written)
        fields.update(
            polarity=item.polarity,
            cohort=item.cohort,
            item=item.index,
            backend="llm",
            evidence=make_evidence(source, *span),
        )
        try:
            criterion = KIND_TYPES[c.kind].model_validate(fields)
        except ValidationError as e:
            reject(c.kind, c.quote, item.index, f"invalid: {e}")
            continue
        kept.append(criterion)
        if unwritten := unwritten_numbers(written, quote):
            flagged.append(
                NumberFlag(kind=c.kind, item=item.index, quote=redact_secrets(quote, secrets)[:500], numbers=unwritten)
            )
    return kept, rejected, flagged


def _flags_kept(flagged: Sequence[NumberFlag], criteria: Sequence[Criterion]) -> list[NumberFlag]:
    """The flags of criteria still in the result (hybrid may have kept the rules' instead)."""
    present = {(c.kind, c.item, c.evidence.text) for c in criteria if c.backend == "llm"}
    return [f for f in flagged if (f.kind, f.item, f.quote) in present]


def _fill_uncovered(criteria: list[Criterion], items: Sequence[Item], source: str) -> list[Criterion]:
    covered = {c.item for c in criteria}
    out = list(criteria)
    for it in items:
        if it.index not in covered:
            out.append(llm_other(it, source))
    out.sort(key=lambda c: (c.evidence.start, c.item if c.item is not None else -1))
    return out


class _Call:
    """One request's outcome so far: answer, tokens of every response (failed attempts too), attempts."""

    def __init__(self) -> None:
        self.answer = LLMCriteria()
        self.usage = TokenUsage()
        self.attempts = 0
        self.reasks = 0

    def count_response(self, completion: Any) -> None:
        usage = getattr(completion, "usage", None)
        if usage is not None:
            self.usage = self.usage + TokenUsage(
                prompt_tokens=usage.prompt_tokens or 0,
                completion_tokens=usage.completion_tokens or 0,
                total_tokens=usage.total_tokens or 0,
            )


def _clean(e: BaseException, secrets: Sequence[str]) -> BaseException | None:
    """``e`` as the cause of our error, unless its text (or its cause's) carries a secret: then no cause at all, so
    no traceback prints it."""
    for exc in (e, e.__cause__):
        if exc is not None and redact_secrets(str(exc), secrets) != str(exc):
            return None
    return e


async def _call(
    client: Any,
    rendered: RenderedPrompt,
    config: LLMConfig,
    *,
    trial_id: str,
    result: _Call,
    context: AnswerContext | None = None,
) -> _Call:
    hooks = Hooks()
    tries = [0]  # requests of the current transport try: the last one (no re-ask left) sets bad criteria aside

    def sending(*_: Any, **__: Any) -> None:
        result.attempts += 1
        tries[0] += 1
        if context is not None:
            context.final = tries[0] > config.validation_retries

    hooks.on("completion:kwargs", sending)
    hooks.on("completion:response", result.count_response)
    secrets = config.secrets

    def safe(text: str | None, limit: int) -> str:
        return redact_secrets(text or "", secrets)[:limit]

    def retrying(exc: BaseException, wait_s: float) -> None:
        _log.info(
            "%s: attempt %d failed (%s); retrying in %.1f s",
            trial_id,
            result.attempts,
            safe(describe_failure(exc), 300),
            wait_s,
        )

    def reasking(error: Exception, *, is_last_attempt: bool = False, **_: Any) -> None:
        then = "giving up" if is_last_attempt else "re-asking"
        result.reasks += not is_last_attempt
        _log.info(
            "%s: attempt %d failed (output did not validate: %s); %s",
            trial_id,
            result.attempts,
            safe(_why_invalid(error), 300),
            then,
        )

    def gave_up(exc: BaseException) -> None:
        _log.info("%s: attempt %d failed (%s); giving up", trial_id, result.attempts, safe(describe_failure(exc), 300))

    hooks.on("parse:error", reasking)

    try:
        async for attempt in transport_retrying(config, on_retry=retrying):
            with attempt:
                tries[0] = 0
                answer, completion = await client.chat.completions.create_with_completion(
                    response_model=LLMCriteria,
                    messages=rendered.messages(),
                    max_retries=config.validation_retries,
                    hooks=hooks,
                    context={"answer": context} if context is not None else None,
                    **sampling(config),
                )
    except IncompleteOutputException as e:
        gave_up(e)
        raise TruncatedOutputError(
            f"model output hit max_tokens={config.max_tokens} before the JSON was complete",
            trial_id=trial_id,
            attempts=result.attempts,
            last_output=_content(e.last_completion, secrets),
        ) from _clean(e, secrets)
    except InstructorRetryException as e:
        if is_context_error(e):
            raise _context_error(e, result, trial_id, secrets) from _clean(e, secrets)
        cause = e.__cause__
        validation = isinstance(cause, ValidationError | json.JSONDecodeError | ValueError)
        if not validation or is_transport_error(e):  # a validation failure was logged by the parse:error hook
            gave_up(e)
        if is_transport_error(e):
            raise TransportError(
                f"LLM request failed after {_attempts(result)}: {safe(str(e.__cause__), 2000)}",
                trial_id=trial_id,
                attempts=result.attempts,
            ) from _clean(e, secrets)
        if isinstance(cause, IncompleteOutputException):
            raise TruncatedOutputError(
                "model output hit max_tokens before the JSON was complete",
                trial_id=trial_id,
                attempts=result.attempts,
                last_output=_content(cause.last_completion, secrets),
            ) from _clean(e, secrets)
        if cause is not None and not validation:
            raise LLMError(
                f"LLM request failed: {safe(str(cause), 2000)}", trial_id=trial_id, attempts=result.attempts
            ) from _clean(e, secrets)
        raise OutputValidationError(
            f"model output did not validate after {_attempts(result)}: {safe(_why_invalid(cause or e), 300)}",
            trial_id=trial_id,
            attempts=result.attempts,
            last_output=_content(e.last_completion, secrets),
        ) from _clean(e, secrets)
    except Exception as e:
        if is_context_error(e):
            raise _context_error(e, result, trial_id, secrets) from _clean(e, secrets)
        gave_up(e)
        if is_transport_error(e):
            raise TransportError(
                f"LLM request failed after {_attempts(result)}: {safe(str(e), 2000)}",
                trial_id=trial_id,
                attempts=result.attempts,
            ) from _clean(e, secrets)
        raise
    result.answer = answer
    finish = completion.choices[0].finish_reason if getattr(completion, "choices", None) else None
    if finish == "length":  # instructor parsed something, but the answer is cut: do not trust it
        raise TruncatedOutputError(
            "model output hit max_tokens",
            trial_id=trial_id,
            attempts=result.attempts,
            last_output=_content(completion, secrets),
        )
    return result


def _context_error(e: BaseException, call: _Call, trial_id: str, secrets: Sequence[str]) -> ContextLengthError:
    cause = e.__cause__ if isinstance(e, InstructorRetryException) and e.__cause__ is not None else e
    text = redact_secrets(str(cause), secrets)[:1000]
    return ContextLengthError(
        f"the request exceeds the model's context window: {text}", trial_id=trial_id, attempts=call.attempts
    )


def _why_invalid(error: BaseException, shown: int = 3) -> str:
    """Why model output did not validate, in one short line: the first pydantic errors (``loc: msg``), or the
    parser's message (never instructor's dump of the whole completion)."""
    if isinstance(error, ValidationError):
        errors = _flat_errors(error, ())
        parts = [f"{'.'.join(map(str, loc)) or 'output'}: {_cut(msg, 120)}" for loc, msg in errors[:shown]]
        more = f" (+{len(errors) - shown} more)" if len(errors) > shown else ""
        return "; ".join(parts) + more
    return " ".join(str(error).split())[:200] or type(error).__name__


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _flat_errors(error: ValidationError, prefix: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], str]]:
    """``(loc, msg)`` of every error, a validator's nested ValidationError unfolded under its location."""
    out: list[tuple[tuple[Any, ...], str]] = []
    for err in error.errors(include_url=False, include_input=False):
        inner = (err.get("ctx") or {}).get("error")
        inner = inner if isinstance(inner, ValidationError) else getattr(inner, "__cause__", None)
        if isinstance(inner, ValidationError):
            out += _flat_errors(inner, prefix + tuple(err["loc"]))
        else:
            out.append((prefix + tuple(err["loc"]), err["msg"]))
    return out


def _attempts(call: _Call) -> str:
    return f"{call.attempts} attempt{'s' if call.attempts != 1 else ''}"


def _content(completion: Any, secrets: Sequence[str] = ()) -> str | None:
    try:
        text = completion.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        return None
    return redact_secrets(text, secrets)[:4000] if isinstance(text, str) else None


@dataclass
class _Request:
    """One chunk request's outcome: its items, the call (answer, usage, attempts), and its error if it failed.
    ``split``: it hit a limit and its items went to two smaller requests."""

    items: list[Item]
    call: _Call
    error: LLMError | None = None
    split: bool = False


async def _extract_chunk(client: Any, trial: Trial, chunk: list[Item], config: LLMConfig) -> list[_Request]:
    """Ask for one chunk; when the answer is cut at ``max_tokens`` or the prompt exceeds the context window, ask for
    each half instead (recursively, down to one item). Returns every request made, in item order."""
    call = _Call()
    context = AnswerContext(trial.text, {it.index: (it.start, it.end) for it in chunk})
    try:
        await _call(client, render(trial, chunk, config), config, trial_id=trial.trial_id, result=call, context=context)
    except (TruncatedOutputError, ContextLengthError) as e:
        if len(chunk) == 1:
            return [_Request(chunk, call, e)]
        left, right = halves(chunk)
        _log.info(
            "%s: %s on %d items; asking for %d + %d items",
            trial.trial_id,
            "answer cut at max_tokens" if isinstance(e, TruncatedOutputError) else "context window exceeded",
            len(chunk),
            len(left),
            len(right),
        )
        parts = await asyncio.gather(
            _extract_chunk(client, trial, left, config), _extract_chunk(client, trial, right, config)
        )
        return [_Request(chunk, call, split=True), *parts[0], *parts[1]]
    except LLMError as e:
        return [_Request(chunk, call, e)]
    return [_Request(chunk, call)]


def _describe_items(items: Sequence[Item]) -> str:
    idx = [it.index for it in items]
    return f"item {idx[0]}" if len(idx) == 1 else f"items {idx[0]}-{idx[-1]}"


async def llm_extract(
    trial: Trial,
    seg: Any,
    config: LLMConfig | None = None,
    *,
    rules_result: CriteriaSet | None = None,
    client: Any = None,
    http_client: Any = None,
) -> CriteriaSet:
    """Extract with the LLM (``rules_result`` given: hybrid, the items :func:`~extractor.llm.routing.route_items`
    picks, merged by :func:`~extractor.llm.routing.merge_hybrid`).

    Items go in chunks planned by :func:`chunk_items`. A chunk whose answer is cut at ``max_tokens`` or whose prompt
    exceeds the context window is split in two and each half asked again, down to single items. Every answered
    chunk is kept; the items of a failed one stay ``other`` (``llm``) or keep the rules result (``hybrid``), and
    the failure is listed in ``provenance.errors`` (a degraded result). Only when no request of the ``llm``
    backend got an answer is the first failure raised.
    """
    config = config or LLMConfig.from_env()
    if not config.configured and client is None and http_client is None:
        raise ConfigError("the llm backend needs an endpoint: set OPENAI_BASE_URL or OPENAI_API_KEY")
    client = client or build_client(config, http_client)
    items: list[Item] = list(seg.items)
    if rules_result is not None:
        routed = route_items(items, rules_result.criteria, config.routing)
        items = [it for it in items if it.index in routed]
    t0 = time.perf_counter()
    chunks = chunk_items(items, config=config)
    outcomes = await asyncio.gather(*(_extract_chunk(client, trial, chunk, config) for chunk in chunks))
    llm_s = time.perf_counter() - t0
    requests = [r for part in outcomes for r in part]
    failed = [(r.items, r.error) for r in requests if r.error is not None]
    answered = [r for r in requests if r.error is None and not r.split]
    if failed and not answered and rules_result is None:
        raise failed[0][1]  # nothing answered: the trial is an error (its first failure)
    found: list[Criterion] = []
    rejected: list[Rejected] = []
    flagged: list[NumberFlag] = []
    usage = TokenUsage()
    for r in requests:  # failed and split requests too: their answers were paid for
        usage = usage + r.call.usage
    for r in answered:
        k, rej, flags = to_criteria(r.call.answer, trial.text, items, secrets=config.secrets)
        found += k
        rejected += rej
        flagged += flags
    if rules_result is None:
        criteria = _fill_uncovered(found, items, trial.text)
    else:  # the model's answer for the items it answered (unless it was all rejected), the rules' for the rest
        answered_items = {it.index for r in answered for it in r.items}
        lost = [(x.item, x.kind) for x in rejected]
        criteria = merge_hybrid(rules_result.criteria, found, answered_items, items, trial.text, rejected=lost)
    errors = [f"{type(e).__name__}: {_describe_items(chunk)}: {e}" for chunk, e in failed]
    prov = Provenance(
        backend="hybrid" if rules_result is not None else "llm",
        library_version=__version__,
        model=config.model,
        prompt_name=load_prompt(config.prompt, config.prompt_version).id,
        prompt_hash=prompt_hash(config),
        instructor_mode=config.mode,
        usage=usage,
        llm_calls=len(requests),
        attempts=sum(r.call.attempts for r in requests),
        reasks=sum(r.call.reasks for r in requests),
        flagged=_flags_kept(flagged, criteria),
        errors=[redact_secrets(e, config.secrets)[:500] for e in errors],
        rules_version=rules_result.provenance.rules_version if rules_result else None,
        timings={**(rules_result.provenance.timings if rules_result else {}), "llm": llm_s},
    )
    return CriteriaSet(
        trial_id=trial.trial_id,
        source_text=trial.text,
        criteria=criteria,
        provenance=prov,
        rejected=rejected,
        items=len(seg.items),
    )


def build_requests(trial: Trial, config: LLMConfig) -> list[dict[str, Any]]:
    """Chat-completions request bodies for one trial (one per chunk), e.g. for the OpenAI Batch API."""
    seg = segment(trial.text)
    bodies = []
    for chunk in chunk_items(seg.items, config=config):
        rendered = render(trial, chunk, config)
        bodies.append(
            {
                **sampling(config),
                "messages": rendered.messages(),
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": LLMCriteria.__name__, "schema": answer_schema(), "strict": False},
                },
            }
        )
    return bodies


def parse_responses(
    trial: Trial, contents: Sequence[str], config: LLMConfig, usage: TokenUsage | None = None
) -> CriteriaSet:
    """Validate and ground the message contents answering :func:`build_requests` (same order)."""
    seg = segment(trial.text)
    chunks = chunk_items(seg.items, config=config)
    if len(contents) != len(chunks):
        raise OutputValidationError(f"expected {len(chunks)} responses, got {len(contents)}", trial_id=trial.trial_id)
    found: list[Criterion] = []
    rejected: list[Rejected] = []
    flagged: list[NumberFlag] = []
    for content, chunk in zip(contents, chunks, strict=True):
        try:
            answer = LLMCriteria.model_validate_json(content)
        except ValidationError as e:
            raise OutputValidationError(
                f"batch output did not validate: {e}", trial_id=trial.trial_id, last_output=content[:4000]
            ) from e
        k, rej, flags = to_criteria(answer, trial.text, chunk, secrets=config.secrets)
        found += k
        rejected += rej
        flagged += flags
    prov = Provenance(
        backend="llm",
        library_version=__version__,
        model=config.model,
        prompt_name=load_prompt(config.prompt, config.prompt_version).id,
        prompt_hash=prompt_hash(config),
        instructor_mode="batch",
        usage=usage or TokenUsage(),
        llm_calls=len(chunks),
        attempts=len(chunks),
        flagged=flagged,
    )
    return CriteriaSet(
        trial_id=trial.trial_id,
        source_text=trial.text,
        criteria=_fill_uncovered(found, seg.items, trial.text),
        provenance=prov,
        rejected=rejected,
        items=len(seg.items),
    )
