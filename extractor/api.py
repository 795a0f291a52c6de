"""Public entry points: ``extract`` and ``aextract``.

segment (items with offsets) -> backend (rules | llm | hybrid) -> ground -> CriteriaSet
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from extractor._version import __version__
from extractor.errors import ConfigError, InputError
from extractor.models import CriteriaSet, Provenance, Segmentation, Trial
from extractor.segment import segment
from extractor.vocab import vocab_hash

if TYPE_CHECKING:
    from extractor.llm.config import LLMConfig

__all__ = ["BACKENDS", "Backend", "aextract", "as_trial", "extract", "run_sync"]

_T = TypeVar("_T")

Backend = Literal["rules", "llm", "hybrid"]
BACKENDS: tuple[Backend, ...] = ("rules", "llm", "hybrid")
MAX_TEXT_CHARS = 1_000_000


def as_trial(source: str | bytes | Trial, trial_id: str | None = None) -> Trial:
    """Normalise the accepted inputs (text, UTF-8 bytes, :class:`Trial`) into a :class:`Trial`."""
    if isinstance(source, Trial):
        return source if trial_id is None else source.model_copy(update={"trial_id": trial_id})
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(
                f"criteria text is not valid UTF-8 (byte {e.start})", field="text", trial_id=trial_id
            ) from e
    if not isinstance(source, str):
        raise InputError(f"expected criteria text (str), got {type(source).__name__}", field="text", trial_id=trial_id)
    if len(source) > MAX_TEXT_CHARS:
        raise InputError(
            f"criteria text is {len(source)} characters; the limit is {MAX_TEXT_CHARS}", field="text", trial_id=trial_id
        )
    return Trial(trial_id=trial_id or "trial", text=source)


def run_sync(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run ``coro`` to completion from synchronous code: with ``asyncio.run`` when no event loop is running in
    this thread, else in a worker thread with its own loop (inside Jupyter or an async framework)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(1, thread_name_prefix="extractor-sync") as pool:
        return pool.submit(asyncio.run, coro).result()


def _rules(trial: Trial, seg: Segmentation, seg_s: float) -> CriteriaSet:
    from extractor.rules.engine import extract_segmentation

    t0 = time.perf_counter()
    criteria = extract_segmentation(seg)
    prov = Provenance(
        backend="rules",
        library_version=__version__,
        rules_version=vocab_hash(),
        timings={"segment": seg_s, "rules": time.perf_counter() - t0},
    )
    return CriteriaSet(
        trial_id=trial.trial_id, source_text=trial.text, criteria=criteria, provenance=prov, items=len(seg.items)
    )


async def aextract(
    source: str | bytes | Trial,
    *,
    backend: Backend = "rules",
    trial_id: str | None = None,
    llm: LLMConfig | None = None,
    http_client: Any = None,
) -> CriteriaSet:
    """Extract typed, grounded criteria from one trial's criteria text (the async form of :func:`extract`).

    Args:
        source: the criteria text (``str`` or UTF-8 ``bytes``) or a :class:`Trial`.
        backend: ``"rules"`` (default, offline), ``"llm"`` or ``"hybrid"`` (rules first, the model for the rest).
        trial_id: the id of the result (default: the Trial's, else ``"trial"``).
        llm: the OpenAI-compatible endpoint, model and limits (default :meth:`LLMConfig.from_env`).
        http_client: an optional ``httpx2.AsyncClient`` for custom transports.

    Returns a :class:`CriteriaSet`; empty or whitespace-only text gives an empty, valid result. Raises
    :class:`InputError`, :class:`ConfigError` or an :class:`LLMError` subclass.
    """
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    trial = as_trial(source, trial_id)
    t0 = time.perf_counter()
    seg = segment(trial.text)
    seg_s = time.perf_counter() - t0
    if backend == "rules" or not seg.items:
        result = _rules(trial, seg, seg_s)
        if backend != "rules":
            result.provenance.backend = backend
        return result
    from extractor.llm.backend import llm_extract

    rules_result = _rules(trial, seg, seg_s) if backend == "hybrid" else None
    return await llm_extract(trial, seg, llm, rules_result=rules_result, http_client=http_client)


def extract(
    source: str | bytes | Trial,
    *,
    backend: Backend = "rules",
    trial_id: str | None = None,
    llm: LLMConfig | None = None,
    http_client: Any = None,
) -> CriteriaSet:
    """Extract typed, grounded criteria from one trial's criteria text.

    Args:
        source: the criteria text (``str``, or UTF-8 ``bytes``) or a :class:`Trial` (its registry fields and id
            are kept). Text over 1,000,000 characters or undecodable bytes raise :class:`InputError`; empty text
            gives an empty, valid result.
        backend: ``"rules"`` (default: offline, deterministic), ``"llm"`` (every item to the model) or
            ``"hybrid"`` (rules first, the model only for what the rules leave as ``other``).
        trial_id: the id of the result (default: the Trial's, else ``"trial"``).
        llm: endpoint, model, retries and limits of ``llm``/``hybrid`` (default :meth:`LLMConfig.from_env`).
        http_client: an optional ``httpx2.AsyncClient`` for custom transports (tests, proxies).

    Returns:
        A :class:`CriteriaSet`: the criteria (each with its verbatim evidence span), the rejected proposals, the
        item count and the provenance (backend, versions, prompt hash, tokens, timings).

    Raises:
        InputError, ConfigError, or an :class:`LLMError` (``TransportError``, ``OutputValidationError``,
        ``TruncatedOutputError``) when the LLM backend cannot produce a result.

    Works inside a running event loop too (Jupyter): the LLM call then runs in a worker thread; in async code
    prefer ``await aextract(...)``.
    """
    if backend == "rules":
        trial = as_trial(source, trial_id)
        t0 = time.perf_counter()
        seg = segment(trial.text)
        return _rules(trial, seg, time.perf_counter() - t0)
    return run_sync(aextract(source, backend=backend, trial_id=trial_id, llm=llm, http_client=http_client))
