"""Public entry points: ``extract`` and ``aextract``.

segment (items with offsets) -> backend (rules | llm | hybrid) -> ground -> CriteriaSet
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, Literal

from extractor._version import __version__
from extractor.errors import ConfigError, InputError
from extractor.models import CriteriaSet, Provenance, Segmentation, Trial
from extractor.segment import segment
from extractor.vocab import vocab_hash

if TYPE_CHECKING:
    from extractor.llm.config import LLMConfig

__all__ = ["BACKENDS", "Backend", "aextract", "as_trial", "extract"]

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
    """Extract typed, grounded criteria from one trial's criteria text (async).

    ``backend="rules"`` runs offline; ``"llm"`` and ``"hybrid"`` call the OpenAI-compatible endpoint of ``llm``
    (default: :class:`LLMConfig` from the environment; ``http_client`` is an optional ``httpx2.AsyncClient`` for
    custom transports). Empty or whitespace-only text gives an empty, valid result.
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
    """Extract typed, grounded criteria from one trial's criteria text. See :func:`aextract`."""
    if backend == "rules":
        trial = as_trial(source, trial_id)
        t0 = time.perf_counter()
        seg = segment(trial.text)
        return _rules(trial, seg, time.perf_counter() - t0)
    return asyncio.run(aextract(source, backend=backend, trial_id=trial_id, llm=llm, http_client=http_client))
