"""Reports: Markdown (regressions first), JSON, JUnit XML (one case per trial x kind), HTML (bars, escaped)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from extractor.evals import (
    Baseline,
    EvalResult,
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
from extractor.evals.report import trial_kinds
from tests.evals.conftest import DATA


@pytest.fixture
def result() -> EvalResult:
    gold = load_gold(DATA / "gold", DATA / "texts.jsonl")
    return score(read_predictions(DATA / "preds.jsonl"), gold, label="fixture")


def _worse_baseline(result: EvalResult) -> Baseline:
    base = make_baseline(result)
    base.tracked["micro.f1"] = 0.9
    base.tracked["coverage"] = 0.61  # within tolerance
    base.tracked["typed.f1"] = 0.1  # improvement
    return base


def test_compare_lists_regressions_and_improvements(result: EvalResult) -> None:
    base = _worse_baseline(result)
    regs = compare(result, base, tolerance=0.02)
    assert [(r.metric, r.baseline, r.current, r.delta) for r in regs] == [("micro.f1", 0.9, 0.5, -0.4)]
    comp = compare_all(result, base)
    assert [r.metric for r in comp.improvements] == ["typed.f1"]
    base.tracked["kind.gone.f1"] = 1.0
    assert compare_all(result, base).skipped == ["kind.gone.f1"]


def test_tracked_metrics_need_support(result: EvalResult) -> None:
    base = make_baseline(result)
    assert {"micro.precision", "micro.recall", "micro.f1", "typed.f1", "coverage", "grounding"} <= set(base.tracked)
    assert not any(k.startswith("kind.") for k in base.tracked)  # every kind has < 5 gold criteria here
    assert base.info["kind.her2.f1"] == 1.0 and "macro.f1" in base.info


def test_markdown_puts_regressions_first_then_tables_then_trials(result: EvalResult) -> None:
    md = render_markdown(build_report(result, _worse_baseline(result)))
    order = ["Gate: FAIL", "### Regressions", "### Headline", "### Per kind", "### Per-trial errors"]
    positions = [md.index(s) for s in order]
    assert positions == sorted(positions)
    regressions = md[md.index("### Regressions") : md.index("### Headline")]
    assert "`micro.f1`" in regressions and "-0.400" in regressions
    assert "| Micro F1 | 0.500 | 0.900 | -0.400 |" in md
    assert "TransportError" in md  # error records are visible
    assert "“Known untreated brain metastases”" in md  # quotes of missed criteria
    assert "her2.ihc\\_scores: expected \\[3+\\], got \\[\\]" in md


def test_markdown_without_baseline(result: EvalResult) -> None:
    md = render_markdown(build_report(result))
    assert "Gate: no baseline" in md and "### Regressions" not in md


def test_json_report_round_trips(result: EvalResult) -> None:
    report = build_report(result, _worse_baseline(result))
    data = json.loads(render_json(report))
    assert EvalResult.model_validate(data["result"]) == result
    assert data["comparison"]["regressions"][0]["metric"] == "micro.f1"
    assert data["current"]["tracked"]["micro.f1"] == 0.5


def test_junit_has_one_testcase_per_trial_and_kind(result: EvalResult) -> None:
    root = ET.fromstring(render_junit(build_report(result)))
    suites = root.findall("testsuite")
    assert len(suites) == 1
    cases = suites[0].findall("testcase")
    expected = {(t.trial_id, k) for t in result.per_trial for k in trial_kinds(t)}
    assert len(cases) == len(expected)
    assert {(c.get("classname", "").rsplit(".", 1)[-1], c.get("name")) for c in cases} == expected
    failed = {
        (c.get("classname", "").rsplit(".", 1)[-1], c.get("name")) for c in cases if c.find("failure") is not None
    }
    assert failed == {
        ("T1", "her2"),
        ("T1", "lab"),
        ("T1", "diagnosis"),
        ("T1", "brain_metastases"),
        ("T1", "other"),
        ("T2", "age"),
        ("T2", "life_expectancy"),
        ("T2", "pregnancy"),
    }
    assert suites[0].get("tests") == str(len(cases)) and suites[0].get("failures") == str(len(failed))


def test_junit_gate_suite_with_baseline(result: EvalResult) -> None:
    root = ET.fromstring(render_junit(build_report(result, _worse_baseline(result))))
    gate = root.findall("testsuite")[1]
    failures = [c.get("name") for c in gate.findall("testcase") if c.find("failure") is not None]
    assert failures == ["micro.f1"]


def test_html_has_bars_against_baseline_and_escapes_text(result: EvalResult) -> None:
    page = render_html(build_report(result, _worse_baseline(result)))
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count('class="bar"') >= 3 * len(result.kinds)
    assert 'class="base"' in page  # baseline markers
    assert "ANC &lt; 1.5" in page and "ANC < 1.5" not in page
    assert "<script" not in page and "http" not in page  # self-contained


def test_html_escapes_hostile_label(result: EvalResult) -> None:
    page = render_html(build_report(result.model_copy(update={"label": "<script>x</script>"})))
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_own_baseline_has_no_regressions_or_improvements(result: EvalResult) -> None:
    base = Baseline.model_validate_json(make_baseline(result).model_dump_json())
    comp = compare_all(result, base, tolerance=0.0)
    assert comp.regressions == [] and comp.improvements == [] and comp.skipped == []
    assert "Baseline: fixture, 2 trials, 10 gold criteria" in render_markdown(build_report(result, base))
