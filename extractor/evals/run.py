"""Score predictions against gold: ``score`` (pure), ``read_predictions`` (JSONL), ``evaluate_backend``.

A trial whose prediction is an error record, is absent, or refers to another text (hash mismatch) keeps all its
gold criteria as misses and is listed in the result; predictions for trials without gold are listed as unscored.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from extractor.errors import ConfigError
from extractor.evals.gold import GoldCase, fingerprint, load_gold
from extractor.evals.match import match_trial
from extractor.evals.metrics import EvalResult, LLMChecks, TrialResult, compute_metrics
from extractor.evals.report import Report, render_json, render_junit
from extractor.models import CriteriaSet, Criterion, ErrorInfo, OutputRecord

if TYPE_CHECKING:
    from extractor.api import Backend
    from extractor.llm.config import LLMConfig

__all__ = [
    "Prediction",
    "evaluate_backend",
    "predict_gold",
    "read_predictions",
    "records_jsonl",
    "render_reports",
    "score",
    "write_reports",
]

Prediction = CriteriaSet | OutputRecord


def _criteria_or_error(pred: Prediction | None, case: GoldCase) -> tuple[list[Criterion], ErrorInfo | None]:
    if pred is None:
        return [], ErrorInfo(type="MissingPrediction", message="no prediction for this gold trial")
    if isinstance(pred, OutputRecord):
        if pred.error is not None:
            return [], pred.error
        if pred.text_sha256 is not None and pred.text_sha256 != case.gold.text_sha256:
            return [], ErrorInfo(
                type="TextMismatch", message="prediction text_sha256 differs from the gold text", field="text_sha256"
            )
        if pred.source_text is not None and pred.source_text != case.text:
            return [], ErrorInfo(
                type="TextMismatch", message="prediction source_text differs from the gold text", field="source_text"
            )
        return list(pred.criteria), None
    if pred.source_text != case.text:
        return [], ErrorInfo(
            type="TextMismatch", message="prediction source_text differs from the gold text", field="source_text"
        )
    return list(pred.criteria), None


def score(
    predictions: Mapping[str, Prediction], gold: Sequence[GoldCase], *, label: str | None = None, rel_tol: float = 1e-6
) -> EvalResult:
    """Score ``predictions`` (trial id -> CriteriaSet or OutputRecord) against ``gold``. Pure: no I/O."""
    trials = []
    for case in gold:
        pred = predictions.get(case.trial_id)
        criteria, error = _criteria_or_error(pred, case)
        status = "ok" if error is None else ("missing" if pred is None else "error")
        trials.append(
            TrialResult(
                trial_id=case.trial_id,
                origin=case.gold.origin,
                status=status,
                error=error,
                match=match_trial(case.trial_id, case.gold.criteria, criteria, case.text, rel_tol=rel_tol),
            )
        )
    known = {c.trial_id for c in gold}
    result = compute_metrics(
        trials, label=label, unscored=[t for t in predictions if t not in known], gold=fingerprint(gold)
    )
    result.llm_checks = _llm_checks([predictions[c.trial_id] for c in gold if c.trial_id in predictions])
    return result


def _llm_checks(predictions: Sequence[Prediction]) -> LLMChecks | None:
    """Rejections, re-asks and flagged numbers over the ``llm``/``hybrid`` predictions; None when there are none."""
    llm = [p for p in predictions if p.provenance is not None and p.provenance.backend in ("llm", "hybrid")]
    if not llm:
        return None
    return LLMChecks(
        rejected=sum(len(p.rejected) for p in llm),
        reasks=sum(p.provenance.reasks for p in llm if p.provenance),
        flagged=sum(len(p.provenance.flagged) for p in llm if p.provenance),
    )


def read_predictions(path: str | Path) -> dict[str, OutputRecord]:
    """Read ``extractor extract`` output (see :func:`extractor.read_records`) by trial id.

    Blank lines are skipped. When a trial occurs twice (a resumed run), the later record wins, except that an error
    record never replaces a successful one. A line that is not a valid record raises :class:`InputError` with the
    file, line and field.
    """
    from extractor.run import read_records

    out: dict[str, OutputRecord] = {}
    for rec in read_records(path):
        prev = out.get(rec.trial_id)
        if prev is None or prev.error is not None or rec.error is None:
            out[rec.trial_id] = rec
    return out


def _llm_config(backend: Backend, llm: LLMConfig | None) -> LLMConfig | None:
    from extractor.api import BACKENDS

    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend == "rules" or llm is not None:
        return llm
    from extractor.llm.config import LLMConfig

    llm = LLMConfig.from_env()
    if not llm.configured:
        raise ConfigError(f"backend {backend!r} needs an LLM endpoint: set OPENAI_BASE_URL or OPENAI_API_KEY")
    return llm


def predict_gold(
    backend: Backend,
    gold: Sequence[GoldCase],
    *,
    llm: LLMConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[OutputRecord]:
    """Extract every gold text with ``backend`` through the run engine; a failed trial becomes an error record.

    The same engine as ``extractor extract`` (:mod:`extractor.batch.runner`), in this process, one trial at a time,
    without cache, resume or time budget. ``rules`` is offline; ``llm`` and ``hybrid`` use ``llm`` (default:
    :meth:`LLMConfig.from_env`) and raise :class:`ConfigError` up front when no endpoint or key is configured; their
    circuit breaker is on: after 5 trials in a row failed to reach the server, the rest are not attempted and get a
    ``TransportError`` record saying so. ``progress`` gets each trial id as its record is made. Records come back
    in gold order, one per case.
    """
    from extractor.batch.cache import text_sha256
    from extractor.batch.collect import collect_records
    from extractor.batch.models import RunOptions
    from extractor.errors import TransportError
    from extractor.io.writers import error_record
    from extractor.models import Trial

    config = _llm_config(backend, llm)
    options = RunOptions(backend=backend, llm=config, workers=0, concurrency=1)
    trials = [Trial(trial_id=case.trial_id, text=case.text) for case in gold]
    on_record = (lambda rec: progress(rec.trial_id)) if progress is not None else None
    by_id = {r.trial_id: r for r in collect_records(trials, options, on_record=on_record)}
    not_run = TransportError(
        "not attempted: the run stopped after repeated failures to reach the LLM server (circuit breaker)",
        attempts=0,
    )
    return [
        by_id.get(t.trial_id) or error_record(not_run, trial_id=t.trial_id, text_sha256=text_sha256(t.text))
        for t in trials
    ]


def evaluate_backend(
    backend: Backend,
    gold_dir: str | Path,
    *,
    texts_path: str | Path | None = None,
    llm: LLMConfig | None = None,
    rel_tol: float = 1e-6,
) -> EvalResult:
    """Load the gold set, extract every gold text with ``backend`` (see :func:`predict_gold`) and score it."""
    _llm_config(backend, llm)  # fail on configuration before reading anything
    gold = load_gold(gold_dir, texts_path)
    records = predict_gold(backend, gold, llm=llm)
    return score({r.trial_id: r for r in records}, gold, label=backend, rel_tol=rel_tol)


def records_jsonl(records: Sequence[OutputRecord]) -> str:
    """Records as JSONL text (the ``extractor extract`` output format)."""
    return "".join(r.model_dump_json(exclude_none=True) + "\n" for r in records)


def render_reports(report: Report, texts: Mapping[str, str] | None = None) -> dict[str, str]:
    """All report files by name: report.md (compact summary), report-full.md (with every trial's diff),
    report.json, junit.xml, report.html (with highlighted source texts when ``texts`` is given)."""
    from extractor.evals.report_html import render_html
    from extractor.evals.report_md import render_markdown

    return {
        "report.md": render_markdown(report),
        "report-full.md": render_markdown(report, full=True),
        "report.json": render_json(report),
        "junit.xml": render_junit(report),
        "report.html": render_html(report, dict(texts) if texts is not None else None),
    }


def write_reports(files: Mapping[str, str], report_dir: str | Path) -> list[Path]:
    """Write ``files`` (name -> text) into ``report_dir``: all to a temporary directory first, then each moved into
    place atomically, so a failure never leaves a half-written report. Other files in the directory are untouched."""
    out = Path(report_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out, prefix=".tmp-eval-"))
    try:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")
        paths = []
        for name in files:
            os.replace(tmp / name, out / name)
            paths.append(out / name)
        return paths
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
