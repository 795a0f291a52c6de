"""``extractor eval`` through typer's CliRunner: exit codes 0 / 2 / 3 / 130, reports, baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from extractor.cli import app
from extractor.models import OutputRecord

REPORTS = {"report.md", "report-full.md", "report.json", "junit.xml", "report.html"}


def _run(data: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, ["eval", "--gold", str(data / "gold"), "--texts", str(data / "texts.jsonl"), *args]
    )
    return result.exit_code, result.stdout, result.stderr


def _pred(data: Path, *extra: str) -> list[str]:
    # the fixture's T2 is an error record by design (scored as misses); its exit 1 is tested in test_error_exit.py
    return ["--pred", str(data / "preds.jsonl"), "--report-dir", str(data / "out"), "--allow-errors", *extra]


def test_scores_predictions_prints_markdown_and_writes_reports(data: Path) -> None:
    code, out, _err = _run(data, *_pred(data))
    assert code == 0
    assert out.startswith("## Eval: rules")  # the predictions' provenance backend
    assert {p.name for p in (data / "out").iterdir()} == REPORTS
    report = json.loads((data / "out" / "report.json").read_text())
    assert report["result"]["metrics"]["micro"]["tp"] == 4
    assert report["comparison"] is None
    assert "MISSED" not in out  # stdout gets the compact summary; per-trial diffs are in report-full.md
    assert "Known untreated brain metastases" in (data / "out" / "report-full.md").read_text()


def test_baseline_round_trip_gate_passes(data: Path) -> None:
    base = data / "base.json"
    code, _out, err = _run(data, *_pred(data, "--baseline", str(base), "--update-baseline"))
    assert code == 0 and base.exists() and "baseline written" in err
    code, out, _err = _run(data, *_pred(data, "--baseline", str(base)))
    assert code == 0 and "Gate: pass" in out


def test_report_json_works_as_baseline(data: Path) -> None:
    assert _run(data, *_pred(data))[0] == 0
    code, out, _err = _run(
        data,
        "--pred",
        str(data / "preds.jsonl"),
        "--report-dir",
        str(data / "out2"),
        "--baseline",
        str(data / "out" / "report.json"),
        "--allow-errors",
    )
    assert code == 0 and "Gate: pass" in out


def _raise_baseline(path: Path, metric: str, by: float) -> None:
    base = json.loads(path.read_text())
    base["tracked"][metric] = min(1.0, base["tracked"][metric] + by)
    path.write_text(json.dumps(base))


def test_regression_beyond_tolerance_exits_3(data: Path) -> None:
    base = data / "base.json"
    _run(data, *_pred(data, "--baseline", str(base), "--update-baseline"))
    _raise_baseline(base, "micro.f1", 0.1)
    code, out, err = _run(data, *_pred(data, "--baseline", str(base)))
    assert code == 3
    assert "Gate: FAIL" in out and "micro.f1" in err
    assert out.index("### Headline") < out.index("### Metric regressions") < out.index("### Per kind")
    junit = (data / "out" / "junit.xml").read_text()
    assert 'name="metric micro.f1"' in junit and "GateFailure" in junit


def test_drop_within_tolerance_exits_0(data: Path) -> None:
    base = data / "base.json"
    _run(data, *_pred(data, "--baseline", str(base), "--update-baseline"))
    _raise_baseline(base, "micro.f1", 0.015)
    assert _run(data, *_pred(data, "--baseline", str(base)))[0] == 0
    assert _run(data, *_pred(data, "--baseline", str(base), "--tolerance", "0.01"))[0] == 3


def test_update_baseline_never_fails_the_gate_and_rewrites(data: Path) -> None:
    base = data / "base.json"
    _run(data, *_pred(data, "--baseline", str(base), "--update-baseline"))
    _raise_baseline(base, "micro.f1", 0.3)
    code, _out, _err = _run(data, *_pred(data, "--baseline", str(base), "--update-baseline"))
    assert code == 0
    assert json.loads(base.read_text())["tracked"]["micro.f1"] == pytest.approx(0.5)


def test_missing_predictions_exit_2(data: Path) -> None:
    code, out, err = _run(data, "--pred", str(data / "nope.jsonl"), "--report-dir", str(data / "out"))
    assert code == 2 and out == ""
    assert "nope.jsonl" in err and "not found" in err
    assert not (data / "out").exists()


def test_bad_prediction_line_exit_2_names_file_and_line(data: Path) -> None:
    with (data / "preds.jsonl").open("a") as f:
        f.write('{"trial_id": "T5", "criteria": [{"kind": "age"}]}\n')
    code, _out, err = _run(data, *_pred(data))
    assert code == 2
    assert "preds.jsonl:4" in err and "criteria[0]" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {
                "criteria": [
                    {
                        "kind": "age",
                        "polarity": "inclusion",
                        "min_years": "old",
                        "evidence": {"text": "Age", "start": 22, "end": 25},
                    }
                ]
            },
            "criteria[0].min_years",
        ),
        ({"trial_id": "T8"}, "trial_id"),
        (
            {
                "criteria": [
                    {
                        "kind": "age",
                        "polarity": "inclusion",
                        "min_years": 21,
                        "evidence": {"text": "Age >= 21 years", "start": 22, "end": 37},
                    }
                ]
            },
            "criteria[0].evidence",
        ),
    ],
    ids=["invalid schema", "unknown trial", "quote not in text"],
)
def test_bad_gold_exit_2_with_file_and_field_and_nothing_written(
    data: Path, change: dict[str, object], field: str
) -> None:
    path = data / "gold" / "T2.yaml"
    gold = yaml.safe_load(path.read_text())
    gold.update(change)
    if gold["trial_id"] != "T2":
        path.unlink()
        path = data / "gold" / f"{gold['trial_id']}.yaml"
    path.write_text(yaml.safe_dump(gold))
    code, out, err = _run(data, *_pred(data, "--baseline", str(data / "base.json"), "--update-baseline"))
    assert code == 2 and out == ""
    assert path.name in err and field in err
    assert len(err.strip().splitlines()) == 1
    assert not (data / "out").exists() and not (data / "base.json").exists()


def test_missing_baseline_exit_2(data: Path) -> None:
    code, _out, err = _run(data, *_pred(data, "--baseline", str(data / "none.json")))
    assert code == 2 and "none.json" in err


def test_needs_exactly_one_of_pred_and_backend(data: Path) -> None:
    assert _run(data)[0] == 2
    assert _run(data, "--backend", "rules", "--pred", str(data / "preds.jsonl"))[0] == 2
    code, _out, err = _run(data, "--backend", "magic")
    assert code == 2 and "'magic' is not one of 'rules', 'llm', 'hybrid'" in " ".join(err.replace("│", "").split())


def test_one_shot_rules_backend(data: Path) -> None:
    out_dir = data / "rules-out"
    code, out, _err = _run(data, "--backend", "rules", "--report-dir", str(out_dir))
    assert code == 0 and out.startswith("## Eval: rules")
    assert {p.name for p in out_dir.iterdir()} == REPORTS | {"predictions.jsonl"}
    lines = (out_dir / "predictions.jsonl").read_text().splitlines()
    assert sorted(OutputRecord.model_validate_json(line).trial_id for line in lines) == ["T1", "T2"]


def test_llm_backend_without_configuration_exit_2(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    code, _out, err = _run(data, "--backend", "llm", "--report-dir", str(data / "o"))
    assert code == 2 and "OPENAI" in err


def test_trials_option_scores_a_subset_and_rejects_unknown_ids(data: Path) -> None:
    code, _out, _err = _run(data, *_pred(data, "--trials", "T1"))
    report = json.loads((data / "out" / "report.json").read_text())
    assert code == 0 and [t["trial_id"] for t in report["result"]["per_trial"]] == ["T1"]
    (data / "ids.txt").write_text("# the error trial only\nT2\n")
    code, _out, _err = _run(data, *_pred(data, "--trials", f"@{data / 'ids.txt'}"))
    report = json.loads((data / "out" / "report.json").read_text())
    assert code == 0 and [t["trial_id"] for t in report["result"]["per_trial"]] == ["T2"]
    code, _out, err = _run(data, *_pred(data, "--trials", "T1,NCT00000000"))
    assert code == 2 and "NCT00000000" in err


def test_gate_fails_through_the_cli_when_a_trial_newly_fails(data: Path) -> None:
    base = data / "base.json"
    _run(data, *_pred(data, "--baseline", str(base), "--update-baseline"))
    lines = (data / "preds.jsonl").read_text().splitlines()
    t1 = json.loads(lines[0])
    assert t1["trial_id"] == "T1"
    t1["criteria"] = [c for c in t1["criteria"] if c["kind"] != "performance_status"]
    (data / "preds.jsonl").write_text("\n".join([json.dumps(t1), *lines[1:]]) + "\n")
    code, out, err = _run(data, *_pred(data, "--baseline", str(base), "--tolerance", "1"))
    assert code == 3 and "1 trial(s) newly fail: T1" in err
    assert "### Trials that newly fail (1)" in out
    junit = (data / "out" / "junit.xml").read_text()
    assert junit.count("<failure") == 1 and "TrialRegression" in junit


def test_update_baseline_replaces_an_old_schema_file(data: Path) -> None:
    base = data / "base.json"
    base.write_text(json.dumps({"schema_version": 1, "tracked": {"micro.f1": 0.8}}))
    code, _out, err = _run(data, *_pred(data, "--baseline", str(base)))
    assert code == 2 and "--update-baseline" in err
    code, _out, err = _run(data, *_pred(data, "--baseline", str(base), "--update-baseline"))
    assert code == 0 and "replacing" in err
    assert json.loads(base.read_text())["schema_version"] == 2


def test_interrupted_exits_130_and_writes_nothing(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extractor.evals

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(extractor.evals, "score", interrupted)
    code, out, err = _run(data, *_pred(data))
    assert code == 130 and out == "" and "interrupted" in err
    assert not (data / "out").exists()
