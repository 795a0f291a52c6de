"""Gate and reports: the gate fails on each case it should, JUnit fails only on regressions (and validates against
the JUnit schema), Markdown is compact, HTML pairs gold and predictions over the highlighted source."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from extractor.evals import (
    Baseline,
    EvalResult,
    GoldCase,
    build_report,
    compare,
    compare_all,
    load_gold,
    make_baseline,
    read_predictions,
    render_html,
    render_json,
    render_junit,
    render_markdown,
    score,
)
from extractor.models import OutputRecord
from tests.evals.conftest import DATA

XSD = Path(__file__).resolve().parents[1] / "data" / "junit.xsd"


@pytest.fixture
def gold() -> list[GoldCase]:
    return load_gold(DATA / "gold", DATA / "texts.jsonl")


@pytest.fixture
def preds() -> dict[str, OutputRecord]:
    return read_predictions(DATA / "preds.jsonl")


@pytest.fixture
def result(gold: list[GoldCase], preds: dict[str, OutputRecord]) -> EvalResult:
    return score(preds, gold, label="fixture")


def _drop(preds: dict[str, OutputRecord], trial: str, kind: str) -> dict[str, OutputRecord]:
    """The predictions with every criterion of ``kind`` removed from ``trial`` (a deliberate regression)."""
    rec = preds[trial]
    kept = [c for c in rec.criteria if c.kind != kind]
    assert len(kept) < len(rec.criteria)
    return {**preds, trial: rec.model_copy(update={"criteria": kept})}


def _worse_baseline(result: EvalResult) -> Baseline:
    base = make_baseline(result)
    base.tracked["micro.f1"] = 0.9
    base.tracked["coverage"] = result.metrics.coverage + 0.01  # within tolerance
    base.tracked["typed.f1"] = 0.1  # improvement
    return base


def _junit_cases(xml: str, suite: int = 0) -> list[ET.Element]:
    return ET.fromstring(xml).findall("testsuite")[suite].findall("testcase")


def _failed(cases: list[ET.Element]) -> list[str]:
    return [c.get("name", "") for c in cases if c.find("failure") is not None]


# -- the gate ------------------------------------------------------------------------------------------------------


def test_unchanged_run_passes_the_gate(result: EvalResult) -> None:
    base = Baseline.model_validate_json(make_baseline(result).model_dump_json())
    comp = compare_all(result, base, tolerance=0.0)
    assert not comp.failed and comp.reasons() == []
    assert comp.regressions == comp.improvements == comp.trial_regressions == comp.trial_fixes == []


def test_gate_fails_on_metric_regression(result: EvalResult) -> None:
    base = _worse_baseline(result)
    regs = compare(result, base, tolerance=0.02)
    assert [(r.metric, r.baseline) for r in regs] == [("micro.f1", 0.9)]
    comp = compare_all(result, base)
    assert comp.failed and [r.metric for r in comp.improvements] == ["typed.f1"]
    base.tracked["kind.gone.f1"] = 1.0
    assert compare_all(result, base).skipped == ["kind.gone.f1"]


def test_gate_fails_when_a_trial_newly_fails(
    gold: list[GoldCase], preds: dict[str, OutputRecord], result: EvalResult
) -> None:
    base = make_baseline(result)
    worse = score(_drop(preds, "T1", "performance_status"), gold, label="fixture")
    comp = compare_all(worse, base, tolerance=1.0)  # no metric can fail with this tolerance
    assert comp.regressions == [] and comp.failed
    assert [c.trial_id for c in comp.trial_regressions] == ["T1"]
    assert comp.trial_regressions[0].describe() == "performance_status: matched 1→0, missed 0→1"
    # the reverse direction is a fix, not a failure
    back = compare_all(result, make_baseline(worse), tolerance=1.0)
    assert not back.failed and [c.trial_id for c in back.trial_fixes] == ["T1"]


def test_gate_fails_when_a_gold_trial_has_no_prediction(
    gold: list[GoldCase], preds: dict[str, OutputRecord], result: EvalResult
) -> None:
    base = make_baseline(result)
    fewer = score({k: v for k, v in preds.items() if k != "T1"}, gold, label="fixture")
    comp = compare_all(fewer, base, tolerance=1.0)
    assert comp.missing == ["T1"] and comp.failed
    assert any("without a prediction: T1" in r for r in comp.reasons())


def test_gate_fails_when_the_gold_set_changes(
    gold: list[GoldCase], preds: dict[str, OutputRecord], result: EvalResult
) -> None:
    base = make_baseline(result)
    fewer_gold = score(preds, [c for c in gold if c.trial_id != "T2"], label="fixture")
    comp = compare_all(fewer_gold, base, tolerance=1.0)
    assert comp.failed and comp.gold_changed is not None and "removed T2" in comp.gold_changed
    relabelled = [
        c.model_copy(update={"gold": c.gold.model_copy(update={"criteria": c.gold.criteria[:-1]})}) for c in gold
    ]
    comp = compare_all(score(preds, relabelled, label="fixture"), base, tolerance=1.0)
    assert comp.gold_changed is not None and "different labels" in comp.gold_changed


def test_tracked_metrics_need_support(result: EvalResult) -> None:
    base = make_baseline(result)
    assert {"micro.precision", "micro.recall", "micro.f1", "typed.f1", "exact.f1", "coverage"} <= set(base.tracked)
    assert not any(k.startswith("kind.") for k in base.tracked)  # every kind has < 5 gold criteria here
    assert {"lenient.f1", "kind_only.f1", "macro.f1", "core_wrong_rate"} <= set(base.info)
    assert base.gold is not None and base.gold.ids == ["T1", "T2"]
    assert base.per_trial["T1"].kinds["her2"] == [1, 0, 0, 1]  # matched with a wrong field


def test_schema_1_baselines_are_refused_with_a_clear_error(tmp_path: Path) -> None:
    from extractor.errors import InputError
    from extractor.evals import load_baseline

    old = tmp_path / "old.json"
    old.write_text(json.dumps({"schema_version": 1, "tracked": {"micro.f1": 0.8}}))
    with pytest.raises(InputError, match="--update-baseline"):
        load_baseline(old)


# -- JUnit ---------------------------------------------------------------------------------------------------------


def test_junit_one_case_per_trial_and_no_failure_without_regression(result: EvalResult) -> None:
    cases = _junit_cases(render_junit(build_report(result, make_baseline(result))))
    assert [c.get("name") for c in cases] == ["T1", "T2"]
    assert _failed(cases) == []  # mismatches are in system-out, not failures
    out = cases[0].findtext("system-out") or ""
    assert "MISSED" in out and "Known untreated brain metastases" in out


def test_junit_fails_once_per_newly_failing_trial(
    gold: list[GoldCase], preds: dict[str, OutputRecord], result: EvalResult
) -> None:
    base = make_baseline(result)
    worse = _drop(_drop(preds, "T1", "performance_status"), "T1", "prior_therapy")
    xml = render_junit(build_report(score(worse, gold, label="fixture"), base, tolerance=1.0))
    assert _failed(_junit_cases(xml)) == ["T1"]  # two kinds worse, still one failing trial
    root = ET.fromstring(xml)
    assert root.get("failures") == "1"
    assert _failed(_junit_cases(xml, suite=1)) == []  # the gate's other checks hold


def test_junit_gate_suite_lists_metric_regressions(result: EvalResult) -> None:
    xml = render_junit(build_report(result, _worse_baseline(result)))
    assert _failed(_junit_cases(xml, suite=1)) == ["metric micro.f1"]


def test_junit_validates_against_the_junit_schema(
    gold: list[GoldCase], preds: dict[str, OutputRecord], result: EvalResult
) -> None:
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    worse = score(_drop(preds, "T1", "performance_status"), gold, label="fixture")
    for report in (build_report(result), build_report(worse, _worse_baseline(result))):
        doc = etree.fromstring(render_junit(report).encode())
        assert schema.validate(doc), schema.error_log


# -- Markdown ------------------------------------------------------------------------------------------------------


def test_compact_markdown_order_and_content(
    gold: list[GoldCase], preds: dict[str, OutputRecord], result: EvalResult
) -> None:
    worse = score(_drop(preds, "T1", "performance_status"), gold, label="fixture")
    md = render_markdown(build_report(worse, _worse_baseline(result)))
    order = ["Gate: FAIL", "### Headline", "### Metric regressions", "### Trials that newly fail", "### Per kind"]
    positions = [md.index(s) for s in order]
    assert positions == sorted(positions)
    assert "**T1**: performance\\_status: matched 1→0, missed 0→1" in md
    assert "| Micro F1 (strict) |" in md and "Micro F1, lenient" in md and "Micro F1, kind-only" in md
    assert "TransportError" in md  # error records are visible
    assert "MISSED" not in md and "### Per trial" not in md  # no per-trial diffs in the compact summary


def test_full_markdown_has_per_trial_diffs(result: EvalResult) -> None:
    md = render_markdown(build_report(result), full=True)
    assert "Gate: no baseline" in md and "### Per trial (worst first)" in md
    assert "“Known untreated brain metastases”" in md  # quotes of missed criteria
    assert "her2.ihc\\_scores: expected \\[3+\\], got" in md


def test_compact_markdown_stays_small_for_200_failing_trials(gold: list[GoldCase], result: EvalResult) -> None:
    base = make_baseline(result)
    many_gold = [
        c.model_copy(update={"gold": c.gold.model_copy(update={"trial_id": f"{c.trial_id}-{i:03d}"})})
        for i in range(100)
        for c in gold
    ]
    base.per_trial = {c.trial_id: base.per_trial[c.trial_id.split("-")[0]] for c in many_gold}
    base.per_trial = {k: v.model_copy(update={"kinds": {}}) for k, v in base.per_trial.items()}  # all were clean
    many = score({}, many_gold, label="fixture")  # every trial missing: the worst case for the summary
    md = render_markdown(build_report(many, base))
    assert "200 gold trial(s) without a prediction" in md
    assert len(md.encode()) < 100_000


def test_json_report_round_trips(result: EvalResult) -> None:
    report = build_report(result, _worse_baseline(result))
    data = json.loads(render_json(report))
    assert EvalResult.model_validate(data["result"]) == result
    assert data["comparison"]["regressions"][0]["metric"] == "micro.f1"
    assert data["current"]["tracked"]["micro.f1"] == pytest.approx(result.metrics.micro.f1, abs=1e-6)


# -- HTML ----------------------------------------------------------------------------------------------------------


def test_html_pairs_gold_and_predictions_over_the_source(
    gold: list[GoldCase], preds: dict[str, OutputRecord], result: EvalResult
) -> None:
    worse = score(_drop(preds, "T1", "performance_status"), gold, label="fixture")
    texts = {c.trial_id: c.text for c in gold}
    page = render_html(build_report(worse, make_baseline(result), tolerance=1.0), texts)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert '<section class="trial" id="T1">' in page and 'href="#T1"' in page
    assert page.index('<section class="trial" id="T1">') < page.index('<section class="trial" id="T2">')
    assert '<span class="flag">newly fails</span>' in page
    assert '<mark class="gp"' in page and '<mark class="g"' in page  # paired and missed spans highlighted
    assert 'id="T1-g0"' in page and 'href="#T1-g0"' in page  # table rows link to their spans
    assert '<li class="diff">ihc_scores' in page  # the differing field is marked
    assert "ANC &lt; 1.5" in page and "ANC < 1.5" not in page
    assert "<script" not in page and "http" not in page  # self-contained


def test_html_escapes_hostile_label(result: EvalResult) -> None:
    page = render_html(build_report(result.model_copy(update={"label": "<script>x</script>"})))
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_gate_fails_when_a_field_is_garbled(
    gold: list[GoldCase], preds: dict[str, OutputRecord], result: EvalResult
) -> None:
    """A wrong value in any field (not just the former "core" ones) makes its trial newly fail."""
    rec = preds["T1"]
    garbled = [
        c.model_copy(update={"scale": "Karnofsky"}) if c.kind == "performance_status" else c for c in rec.criteria
    ]
    worse = score({**preds, "T1": rec.model_copy(update={"criteria": garbled})}, gold, label="fixture")
    comp = compare_all(worse, make_baseline(result), tolerance=1.0)
    assert [c.describe() for c in comp.trial_regressions] == ["performance_status: wrong 0→1"]
