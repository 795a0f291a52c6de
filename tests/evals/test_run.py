"""Reading predictions, running a backend over the gold texts, writing reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import extractor.api
from extractor.errors import ConfigError, InputError, TransportError
from extractor.evals import evaluate_backend, load_gold, predict_gold, read_predictions, write_reports
from extractor.models import CriteriaSet, Trial
from tests.evals.conftest import DATA


def test_read_predictions_skips_blank_lines_and_keeps_success_over_error(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    ok = {"trial_id": "A", "criteria": []}
    err = {"trial_id": "A", "error": {"type": "X", "message": "boom"}}
    path.write_text("\n".join([json.dumps(err), "", json.dumps(ok), json.dumps(err), "  "]) + "\n")
    preds = read_predictions(path)
    assert list(preds) == ["A"] and preds["A"].error is None


def test_read_predictions_bad_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"trial_id": "A"}\n{not json\n')
    with pytest.raises(InputError, match="not valid JSON") as exc:
        read_predictions(path)
    assert (exc.value.file, exc.value.line) == (str(path), 2)


def test_read_predictions_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_predictions(tmp_path / "none.jsonl")


def test_predict_gold_turns_failures_into_error_records(monkeypatch: pytest.MonkeyPatch) -> None:
    real = extractor.api.extract

    def flaky(source: Trial, **kwargs: Any) -> CriteriaSet:  # the engine passes each gold text as a Trial
        if source.trial_id == "T2":
            raise TransportError("server unavailable", attempts=4)
        return real(source, **kwargs)

    monkeypatch.setattr(extractor.api, "extract", flaky)
    gold = load_gold(DATA / "gold", DATA / "texts.jsonl")
    records = predict_gold("rules", gold)
    assert [r.trial_id for r in records] == ["T1", "T2"]
    assert records[0].error is None and records[0].text_sha256 == gold[0].gold.text_sha256
    assert records[1].error is not None and records[1].error.type == "TransportError"
    assert records[1].error.attempts == 4


def test_evaluate_backend_rules_is_offline_and_scores() -> None:
    result = evaluate_backend("rules", DATA / "gold", texts_path=DATA / "texts.jsonl")
    assert result.label == "rules" and result.trials == 2
    assert result.metrics.grounding_rate == 1.0
    assert all(t.status == "ok" for t in result.per_trial)


def test_evaluate_backend_rejects_unknown_backend() -> None:
    with pytest.raises(ConfigError, match="unknown backend"):
        evaluate_backend("magic", DATA / "gold")  # type: ignore[arg-type]


def test_write_reports_leaves_other_files_and_no_temp(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    (tmp_path / "report.md").write_text("old")
    write_reports({"report.md": "new", "report.json": "{}"}, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "report.json", "report.md"]
    assert (tmp_path / "report.md").read_text() == "new" and (tmp_path / "keep.txt").read_text() == "mine"
