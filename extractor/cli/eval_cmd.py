"""``extractor eval``: score predictions (or a backend's live output) against the gold labels, gate on a baseline.

Exit codes (:mod:`extractor.cli.exitcodes`): 0 ok; 1 error records among the predictions (over --max-error-rate);
3 the gate failed (wins over 1); 2 could not run (bad option, unreadable gold, predictions or baseline); 130.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from extractor.api import Backend
from extractor.cli._logging import Verbosity
from extractor.cli._support import describe, err, eval_exit_code, fail
from extractor.cli.exitcodes import ExitCode
from extractor.errors import ExtractorError, InputError

if TYPE_CHECKING:  # the eval stack (and its unit library) loads when the command runs, not with every CLI start
    from extractor.evals import Baseline
    from extractor.models import OutputRecord


def _fail(message: str) -> typer.Exit:
    return fail(ExitCode.USAGE, f"extractor eval: error: {' '.join(message.split())}")


def _label(predictions: dict[str, OutputRecord], pred: Path) -> str:
    backends = {r.provenance.backend for r in predictions.values() if r.provenance is not None}
    return backends.pop() if len(backends) == 1 else pred.stem


def eval_(
    *,
    gold: Annotated[Path, typer.Option("--gold", help="Directory of gold label files.")] = Path("gold_labels"),
    pred: Annotated[Path | None, typer.Option("--pred", help="Predictions: JSONL of extractor output records.")] = None,
    backend: Annotated[
        Backend | None,
        typer.Option("--backend", help="Extract the gold texts with this backend and score, instead of --pred."),
    ] = None,
    texts: Annotated[
        Path | None,
        typer.Option(
            "--texts", help="Gold texts JSONL (default: evals/data/gold_texts.jsonl beside the gold directory)."
        ),
    ] = None,
    report_dir: Annotated[
        Path | None,
        typer.Option(
            "--report-dir",
            help="Where to write report.md, report.json, junit.xml, report.html (default: reports/eval-<backend>).",
        ),
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="Baseline JSON to gate on (or to write with --update-baseline).")
    ] = None,
    tolerance: Annotated[float, typer.Option("--tolerance", min=0.0, help="Allowed drop of a tracked metric.")] = 0.02,
    trials: Annotated[
        str | None, typer.Option(help="Score only these gold trials: comma-separated ids, or @FILE (one id a line).")
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option(
            "--update-baseline", help="Write this run's metrics as the new baseline (explicit; never automatic)."
        ),
    ] = False,
    max_error_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of predictions that may be errors (0: any fails).")
    ] = 0.0,
    allow_errors: Annotated[
        bool, typer.Option("--allow-errors", help="Error records never make the exit code 1.")
    ] = False,
    verbose: Verbosity = 0,
) -> None:
    """Score predictions (--pred) or a backend (--backend) against the gold labels and gate on a baseline.

    Strict matching, with lenient and kind-only scores beside; writes report.md, report-full.md, report.json,
    junit.xml and report.html, and prints the compact summary. The gate fails (exit 3) when the gold set changed, a
    gold trial has no prediction, a tracked metric fell more than --tolerance below the baseline, or a trial newly
    fails. Error records among the predictions are scored as misses and give exit 1 (the gate's 3 wins).
    """
    if (pred is None) == (backend is None):
        raise _fail("give exactly one of --pred PRED.jsonl or --backend rules|llm|hybrid")
    baseline_path = baseline
    if baseline_path is None and update_baseline:
        if backend is None:
            raise _fail("--update-baseline with --pred needs --baseline FILE (where to write it)")
        baseline_path = Path("evals/baselines") / f"{backend}.json"
    try:
        from extractor.evals import (
            build_report,
            load_baseline,
            load_gold,
            predict_gold,
            read_predictions,
            records_jsonl,
            render_reports,
            score,
            select_cases,
            write_baseline,
            write_reports,
        )

        old: Baseline | None = None
        if baseline_path is not None and not update_baseline:
            old = load_baseline(baseline_path)
        elif baseline_path is not None and baseline_path.exists():
            try:  # shown beside the new figures; an unreadable old file is simply replaced
                old = load_baseline(baseline_path)
            except InputError as e:
                err(f"extractor eval: replacing {baseline_path}: {describe(e)}")
        files: dict[str, str] = {}
        if backend is not None:
            label: str = backend
            cases = select_cases(load_gold(gold, texts), trials)
            err(f"extracting {len(cases)} gold trials with the {backend} backend")
            progress = None if backend == "rules" else (lambda tid: err(f"  {tid}"))
            records = predict_gold(backend, cases, progress=progress)
            predictions: dict[str, OutputRecord] = {r.trial_id: r for r in records}
            files["predictions.jsonl"] = records_jsonl(records)
        else:
            assert pred is not None
            predictions = read_predictions(pred)
            cases = select_cases(load_gold(gold, texts), trials)
            label = _label(predictions, pred)
        result = score(predictions, cases, label=label)
        report = build_report(result, old, tolerance)
        files = render_reports(report, {c.trial_id: c.text for c in cases}) | files
        out_dir = report_dir if report_dir is not None else Path("reports") / f"eval-{label}"
        write_reports(files, out_dir)
        if update_baseline:
            assert baseline_path is not None
            write_baseline(result, baseline_path)
    except ExtractorError as e:
        raise _fail(describe(e)) from e
    except OSError as e:
        raise _fail(f"{getattr(e, 'filename', None) or ''}: {e.strerror or e}") from e
    except KeyboardInterrupt:
        raise fail(ExitCode.INTERRUPTED, "extractor eval: interrupted") from None
    typer.echo(files["report.md"], nl=False)
    err(f"reports written to {out_dir}")
    if update_baseline:
        err(f"baseline written to {baseline_path}")
    gate = report.comparison.reasons() if report.comparison is not None and not update_baseline else []
    scored = [predictions[c.trial_id] for c in cases if c.trial_id in predictions]
    code = eval_exit_code(scored, gate_failures=gate, max_error_rate=max_error_rate, allow_errors=allow_errors)
    raise typer.Exit(int(code))
