"""Evaluation harness: gold -> match -> metrics -> reports, and the baseline gate.

load_gold(gold_dir)              validated gold trials with their texts (GoldError on any bad file)
select_cases(cases, trials)      the cases named by ids, "a,b" or "@FILE" (InputError naming unknown ids)
score(predictions, gold)         pure: trial id -> CriteriaSet | OutputRecord, scored (strict, lenient, kind-only)
evaluate_backend(backend, dir)   extract every gold text with a backend, then score
read_predictions(path)           JSONL of OutputRecord (InputError with file and line)
build_report(result, baseline)   the report model; render_reports -> report.md / .json / junit.xml / .html
compare_all(result, baseline)    the gate: gold set changed, missing predictions, metric and per-trial regressions
"""

from extractor.evals.baseline import (
    Baseline,
    Comparison,
    Regression,
    compare,
    compare_all,
    load_baseline,
    make_baseline,
    write_baseline,
)
from extractor.evals.gold import GoldCase, GoldFingerprint, fingerprint, load_gold, select_cases
from extractor.evals.match import (
    COMPARED_FIELDS,
    CORE_KINDS,
    CriterionRef,
    FieldCheck,
    MatchedPair,
    TrialMatch,
    match_trial,
)
from extractor.evals.metrics import PRF, EvalResult, FieldAccuracy, KindMetrics, Metrics, TrialResult, compute_metrics
from extractor.evals.report import Report, build_report, render_json, render_junit
from extractor.evals.report_html import render_html
from extractor.evals.report_md import render_markdown
from extractor.evals.run import (
    evaluate_backend,
    predict_gold,
    read_predictions,
    records_jsonl,
    render_reports,
    score,
    write_reports,
)

__all__ = [
    "COMPARED_FIELDS",
    "CORE_KINDS",
    "PRF",
    "Baseline",
    "Comparison",
    "CriterionRef",
    "EvalResult",
    "FieldAccuracy",
    "FieldCheck",
    "GoldCase",
    "GoldFingerprint",
    "KindMetrics",
    "MatchedPair",
    "Metrics",
    "Regression",
    "Report",
    "TrialMatch",
    "TrialResult",
    "build_report",
    "compare",
    "compare_all",
    "compute_metrics",
    "evaluate_backend",
    "fingerprint",
    "load_baseline",
    "load_gold",
    "make_baseline",
    "match_trial",
    "predict_gold",
    "read_predictions",
    "records_jsonl",
    "render_html",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_reports",
    "score",
    "select_cases",
    "write_baseline",
    "write_reports",
]
