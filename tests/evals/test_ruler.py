"""The ruler cannot be gamed: files that never read the text score far below the rules backend under strict
matching, on the real gold set (the issue's blind, whole-text-span and one-of-every-kind files)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from extractor.evals import EvalResult, GoldCase, load_gold, predict_gold, score
from extractor.models import KIND_TYPES, Criterion, OutputRecord
from extractor.segment import segment
from extractor.testing.examples import required_fields

ROOT = Path(__file__).resolve().parents[2]
_CRITERION: TypeAdapter[Criterion] = TypeAdapter(Criterion)

#: Thresholds chosen for this test: a gaming file may reach at most this strict micro F1 ...
GAMING_MAX_F1 = 0.25
#: ... and must stay at least this far below the rules backend.
GAMING_MARGIN = 0.40


def _fake(kind: str, polarity: str, text: str, start: int, end: int) -> Criterion:
    return _CRITERION.validate_python(
        {
            "kind": kind,
            "polarity": polarity,
            "evidence": {"text": text[start:end], "start": start, "end": end},
            **required_fields(KIND_TYPES[kind]),
        }
    )


def _record(case: GoldCase, criteria: list[Criterion]) -> OutputRecord:
    return OutputRecord(trial_id=case.trial_id, criteria=criteria)


@pytest.fixture(scope="module")
def gold() -> list[GoldCase]:
    cases = load_gold(ROOT / "gold_labels", ROOT / "evals" / "data" / "gold_texts.jsonl")
    return [c for c in cases if c.gold.origin == "corpus"]


@pytest.fixture(scope="module")
def rules(gold: list[GoldCase]) -> dict[str, OutputRecord]:
    return {r.trial_id: r for r in predict_gold("rules", gold)}


@pytest.fixture(scope="module")
def rules_result(gold: list[GoldCase], rules: dict[str, OutputRecord]) -> EvalResult:
    return score(rules, gold, label="rules")


def _blind(gold: list[GoldCase], rules: dict[str, OutputRecord]) -> dict[str, OutputRecord]:
    """Per trial, the rules' average mix of (kind, polarity), every span the whole text: no reading at all."""
    mix: Counter[tuple[str, str]] = Counter((c.kind, c.polarity) for r in rules.values() for c in r.criteria)
    per_trial = {key: max(1, round(n / len(gold))) for key, n in mix.items()}
    return {
        case.trial_id: _record(
            case,
            [_fake(k, p, case.text, 0, len(case.text)) for (k, p), n in sorted(per_trial.items()) for _ in range(n)],
        )
        for case in gold
    }


def _widened(gold: list[GoldCase], rules: dict[str, OutputRecord]) -> dict[str, OutputRecord]:
    """The rules output with every evidence span widened to the whole text."""
    out = {}
    for case in gold:
        crits = [
            c.model_copy(
                update={
                    "evidence": c.evidence.model_copy(update={"text": case.text, "start": 0, "end": len(case.text)})
                }
            )
            for c in rules[case.trial_id].criteria
        ]
        out[case.trial_id] = _record(case, crits)
    return out


def _every_kind(gold: list[GoldCase]) -> dict[str, OutputRecord]:
    """Every item flooded with one criterion of every kind, each quoting the whole item."""
    out = {}
    for case in gold:
        crits = [
            _fake(kind, item.polarity, case.text, item.start, item.end)
            for item in segment(case.text).items
            for kind in KIND_TYPES
        ]
        out[case.trial_id] = _record(case, crits)
    return out


@pytest.mark.parametrize("name", ["blind", "widened", "every_kind"])
def test_gaming_files_score_far_below_the_rules(
    name: str, gold: list[GoldCase], rules: dict[str, OutputRecord], rules_result: EvalResult
) -> None:
    preds = {"blind": _blind, "widened": _widened}.get(name, lambda g, _r: _every_kind(g))(gold, rules)
    gamed = score(preds, gold, label=name)
    real = rules_result.metrics.micro.f1
    assert gamed.metrics.micro.f1 <= GAMING_MAX_F1, (name, gamed.metrics.micro.f1)
    assert gamed.metrics.micro.f1 <= real - GAMING_MARGIN, (name, gamed.metrics.micro.f1, real)
    assert gamed.metrics.grounding_rate == 1.0  # every gaming file quotes the text verbatim: grounding can't tell


def test_lenient_matching_is_the_one_a_widened_file_fools(
    gold: list[GoldCase], rules: dict[str, OutputRecord], rules_result: EvalResult
) -> None:
    widened = score(_widened(gold, rules), gold, label="widened")
    assert widened.metrics.micro.f1 == 0.0  # strict: a span wider than its item never pairs
    assert widened.metrics.lenient.f1 >= rules_result.metrics.lenient.f1 - 0.05  # the old rule was fooled
