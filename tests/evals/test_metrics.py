"""Metric arithmetic on hand-computed cases, and error records counted as misses."""

from __future__ import annotations

import pytest

from extractor.evals import EvalResult, load_gold, read_predictions, score
from extractor.evals.metrics import prf
from extractor.models import CriteriaSet, OutputRecord, Provenance
from tests.evals.conftest import DATA, crit


def test_prf_arithmetic() -> None:
    m = prf(3, 1, 2)
    assert (m.precision, m.recall) == (0.75, 0.6)
    assert m.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert prf(0, 0, 0).f1 == 1.0  # nothing expected, nothing produced
    assert (prf(0, 2, 0).precision, prf(0, 2, 0).f1) == (0.0, 0.0)
    assert (prf(0, 0, 2).recall, prf(0, 0, 2).f1) == (0.0, 0.0)


@pytest.fixture
def fixture_result() -> EvalResult:
    gold = load_gold(DATA / "gold", DATA / "texts.jsonl")
    return score(read_predictions(DATA / "preds.jsonl"), gold, label="fixture")


def test_fixture_overall_metrics(fixture_result: EvalResult) -> None:
    m = fixture_result.metrics
    # T1: her2, performance_status, prior_therapy and other matched; lab has the wrong polarity (miss + spurious);
    # diagnosis and brain_metastases missed; one spurious `other`. T2 is an error record: its 3 gold are misses.
    assert (m.micro.tp, m.micro.fp, m.micro.fn) == (4, 2, 6)
    assert m.micro.precision == pytest.approx(4 / 6)
    assert m.micro.recall == pytest.approx(0.4)
    assert m.micro.f1 == pytest.approx(0.5)
    assert (m.typed.tp, m.typed.fp, m.typed.fn) == (3, 1, 6)
    assert m.typed.f1 == pytest.approx(6 / 13)
    # 10 kinds in gold; F1 = 1 for her2, performance_status, prior_therapy; 2/3 for other; 0 for the rest.
    assert m.macro_f1 == pytest.approx((3 + 2 / 3) / 10)
    # the her2 prediction covers the diagnosis span inside the same item too
    assert (m.covered_spans, m.gold_spans, m.coverage) == (7, 10, 0.7)
    assert (m.grounded, m.predicted, m.grounding_rate) == (6, 6, 1.0)
    # her2: status ok, ihc_scores / ish_ratio_min / logic wrong; performance_status 3 ok; prior_therapy 2 ok.
    assert (m.fields_correct, m.fields_compared) == (6, 9)


def test_fixture_per_kind_and_per_field(fixture_result: EvalResult) -> None:
    rows = {k.kind: (k.tp, k.fp, k.fn) for k in fixture_result.kinds}
    assert rows == {
        "her2": (1, 0, 0),
        "performance_status": (1, 0, 0),
        "brain_metastases": (0, 0, 1),
        "prior_therapy": (1, 0, 0),
        "age": (0, 0, 1),
        "diagnosis": (0, 0, 1),
        "lab": (0, 1, 1),
        "life_expectancy": (0, 0, 1),
        "pregnancy": (0, 0, 1),
        "other": (1, 1, 0),
    }
    fields = {f.field: (f.correct, f.compared) for f in fixture_result.fields}
    assert fields["her2.status"] == (1, 1)
    assert fields["her2.ihc_scores"] == (0, 1)
    assert fields["prior_therapy.agents"] == (1, 1)
    assert "prior_therapy.max_lines" not in fields  # unset on both sides: not compared


def test_error_records_are_misses_and_listed(fixture_result: EvalResult) -> None:
    failed = fixture_result.failed
    assert [(t.trial_id, t.status) for t in failed] == [("T2", "error")]
    assert failed[0].error is not None and failed[0].error.type == "TransportError"
    assert len(failed[0].match.missed) == 3
    assert fixture_result.unscored == ["T9"]


def test_missing_prediction_counts_all_gold_as_missed() -> None:
    gold = load_gold(DATA / "gold", DATA / "texts.jsonl")
    result = score({}, gold)
    assert [t.status for t in result.per_trial] == ["missing", "missing"]
    assert result.metrics.micro.fn == 10 and result.metrics.micro.tp == 0
    assert result.metrics.coverage == 0.0


def test_prediction_for_another_text_is_an_error() -> None:
    gold = load_gold(DATA / "gold", DATA / "texts.jsonl")
    rec = OutputRecord(trial_id="T2", text_sha256="0" * 64)
    result = score({"T2": rec}, gold)
    t2 = next(t for t in result.per_trial if t.trial_id == "T2")
    assert t2.status == "error" and t2.error is not None and t2.error.type == "TextMismatch"


def test_score_accepts_criteria_sets_and_is_perfect_on_gold_itself() -> None:
    gold = load_gold(DATA / "gold", DATA / "texts.jsonl")
    preds = {
        c.trial_id: CriteriaSet(
            trial_id=c.trial_id,
            source_text=c.text,
            criteria=c.gold.criteria,
            provenance=Provenance(backend="gold", library_version="test"),
        )
        for c in gold
    }
    m = score(preds, gold).metrics
    assert (m.micro.f1, m.macro_f1, m.typed.f1, m.coverage, m.grounding_rate, m.field_accuracy) == (1, 1, 1, 1, 1, 1)


def test_result_is_json_round_trippable(fixture_result: EvalResult) -> None:
    text = fixture_result.model_dump_json()
    assert EvalResult.model_validate_json(text) == fixture_result


def test_empty_gold_and_no_predictions() -> None:
    result = score({}, [])
    assert result.trials == 0 and result.kinds == []
    assert result.metrics.micro.f1 == 1.0 and result.metrics.macro_f1 == 0.0


def test_spurious_only_prediction_lowers_precision() -> None:
    text = "Inclusion Criteria:\n* ECOG 0-1\n"
    from extractor.evals.match import match_trial
    from extractor.evals.metrics import TrialResult, compute_metrics

    m = match_trial("x", [], [crit("age", text, "ECOG 0-1", min_years=18)], text)
    result = compute_metrics([TrialResult(trial_id="x", match=m)])
    assert result.metrics.micro.precision == 0.0
    assert result.kinds[0].kind == "age" and result.kinds[0].gold == 0


def test_wrong_field_pairs_counted_per_kind(fixture_result: EvalResult) -> None:
    her2 = fixture_result.kind("her2")
    assert her2 is not None and (her2.tp, her2.wrong) == (1, 1)
    assert fixture_result.metrics.failed_trials == 1


def test_public_names_exist() -> None:
    import extractor.evals as ev

    assert all(hasattr(ev, name) for name in ev.__all__)
    assert {"score", "evaluate_backend", "read_predictions", "load_gold", "compare"} <= set(ev.__all__)


def test_external_trials_are_scored_apart_from_the_headline() -> None:
    from extractor.evals.match import match_trial
    from extractor.evals.metrics import TrialResult, compute_metrics

    text = "Inclusion Criteria:\n* ECOG 0-1\n"
    hit = match_trial(
        "c", [crit("age", text, "ECOG 0-1", min_years=18)], [crit("age", text, "ECOG 0-1", min_years=18)], text
    )
    miss = match_trial("e", [crit("age", text, "ECOG 0-1", min_years=18)], [], text)
    result = compute_metrics(
        [TrialResult(trial_id="c", match=hit), TrialResult(trial_id="e", origin="external", match=miss)]
    )
    assert result.trials == 1 and result.metrics.micro.f1 == 1.0
    assert result.external is not None and result.external.trials == 1
    assert result.external.metrics.micro.recall == 0.0
    assert [t.trial_id for t in result.per_trial] == ["c", "e"]
