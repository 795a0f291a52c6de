"""Validation in the loop: grounding inside instructor's validation (targeted re-asks, a persistent bad criterion
costs only itself), durations as written converted in code, numbers flagged, and the counters (provenance,
``RunSummary`` through the CLI, eval results and reports)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx2
import pytest
from typer.testing import CliRunner

import extractor
from extractor.cli import app
from extractor.evals import build_report, load_gold, score
from extractor.evals.report_md import render_markdown
from extractor.llm import LLMConfig
from extractor.llm.schema import AnswerContext, LLMCriteria, convert_durations
from extractor.models import OutputRecord
from extractor.testing.oracle import OracleServer
from tests.llm._support import completion

ROOT = Path(__file__).resolve().parents[2]
TEXT = (
    "Inclusion Criteria:\n\n"
    "* ANC ≥ 1.5 × 10^9/L\n"
    "* Life expectancy of at least 12 weeks\n\n"
    "Exclusion Criteria:\n\n"
    "* Chemotherapy within 28 days before the first dose\n"
)
ANC = {"kind": "lab", "item": 0, "quote": "ANC >= 1.5 x 10^9/L", "analyte": "anc", "op": ">=", "value": 1.5}
LIFE = {"kind": "life_expectancy", "item": 1, "quote": "Life expectancy of at least 12 weeks"}
CHEMO = {"kind": "prior_therapy", "item": 2, "agents": ["chemotherapy"], "requirement": "excluded"}


class Script:
    """Answers each request with the next scripted criteria list (the last one repeats); keeps the bodies."""

    def __init__(self, *answers: list[dict[str, Any]]) -> None:
        self.answers = list(answers)
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.bodies.append(json.loads(request.content))
        answer = self.answers[min(len(self.bodies), len(self.answers)) - 1]
        return httpx2.Response(200, json=completion(json.dumps({"criteria": answer})))

    def reask_text(self, n: int) -> str:
        """What request ``n`` told the model beyond the first two messages (the re-ask)."""
        return " ".join(str(m.get("content")) for m in self.bodies[n]["messages"][2:])


def run(script: Script, **kw: Any) -> extractor.CriteriaSet:
    config = LLMConfig(base_url="http://127.0.0.1:9/v1", model="test-model", **kw)
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(script))
    return extractor.extract(TEXT, backend="llm", trial_id="T1", llm=config, http_client=client)


def _life(value: Any) -> dict[str, Any]:
    return {**LIFE, "min_months": value}


def _chemo(quote: str, within: Any) -> dict[str, Any]:
    return {**CHEMO, "quote": quote, "within_weeks": within}


def test_a_quote_not_in_its_item_is_reasked_by_name_and_fixed() -> None:
    bad = _chemo("chemotherapy in the last 28 days", {"value": 28, "unit": "days"})
    good = _chemo("Chemotherapy within 28 days", {"value": 28, "unit": "days"})
    script = Script(
        [ANC, _life({"value": 12, "unit": "weeks"}), bad], [ANC, _life({"value": 12, "unit": "weeks"}), good]
    )
    result = run(script)
    assert len(script.bodies) == 2 and result.provenance.reasks == 1 and result.provenance.attempts == 2
    reask = script.reask_text(1)
    assert 'criterion 2 (item 2, prior_therapy): quote "chemotherapy in the last 28 days" is not in item 2' in reask
    assert "copy the clause verbatim" in reask and "criterion 0" not in reask  # targeted: only the bad one named
    assert reask.count("1 criterion is wrong") == 1  # singular for one
    assert result.rejected == []
    assert [c.kind for c in result.criteria] == ["lab", "life_expectancy", "prior_therapy"]


def test_a_persistently_bad_criterion_costs_only_itself() -> None:
    bad = _chemo("chemotherapy in the last 28 days", 4)
    script = Script([ANC, _life(3), bad])
    result = run(script, validation_retries=2)
    assert len(script.bodies) == 3 and result.provenance.reasks == 2  # re-asked up to the configured retries
    assert [c.kind for c in result.criteria] == ["lab", "life_expectancy", "other"]  # the rest kept, item 2 other
    (rejected,) = result.rejected
    assert rejected.kind == "prior_therapy" and rejected.item == 2 and rejected.quote == bad["quote"]
    assert rejected.reason.startswith("invalid after the last re-ask: criterion 2 (item 2, prior_therapy)")


def test_an_item_not_sent_and_an_unknown_kind_are_named_in_the_reask() -> None:
    script = Script(
        [
            ANC,
            _life(3) | {"item": 9, "quote": "survival > 3 months"},
            {"kind": "no_such_kind", "item": 2, "quote": "x"},
        ],
        [ANC],
    )
    result = run(script, validation_retries=1)
    reask = script.reask_text(1)
    assert "criterion 1 (item 9, life_expectancy): item 9 was not sent" in reask
    assert "criterion 2 (item 2, no_such_kind):" in reask and "2 criteria are wrong" in reask
    assert result.rejected == [] and result.provenance.reasks == 1


def test_ascii_spellings_ground_without_a_reask_and_keep_the_source_text() -> None:
    script = Script([ANC])
    result = run(script)
    assert len(script.bodies) == 1 and result.provenance.reasks == 0
    assert result.criteria[0].evidence.text == "ANC ≥ 1.5 × 10^9/L"


def test_durations_as_written_are_converted_in_code() -> None:
    script = Script(
        [_life({"value": 12, "unit": "weeks"}), _chemo("Chemotherapy within 28 days", {"value": 28, "unit": "days"})]
    )
    result = run(script)
    life = result.by_kind("life_expectancy")[0]
    chemo = result.by_kind("prior_therapy")[0]
    assert life.min_months == pytest.approx(2.76, abs=0.01)  # weeks / 4.345, the rules' table
    assert chemo.within_weeks == 4.0
    assert result.provenance.flagged == []  # 12 and 28 are written in their quotes
    assert convert_durations("prior_malignancy", {"within_years": {"value": 6, "unit": "months"}}) == {
        "within_years": 0.5
    }
    assert convert_durations("prior_therapy", {"within_weeks": 3}) == {"within_weeks": 3}  # a bare number: weeks


def test_a_number_the_model_converted_itself_is_kept_and_flagged() -> None:
    script = Script([_chemo("Chemotherapy within 28 days", 4)])  # 28 days -> 4 weeks by the model
    result = run(script)
    assert result.by_kind("prior_therapy")[0].within_weeks == 4
    (flag,) = result.provenance.flagged
    assert flag.kind == "prior_therapy" and flag.item == 2 and flag.numbers == ["within_weeks=4"]
    assert flag.quote == "Chemotherapy within 28 days"


def test_without_a_context_validation_is_schema_only_and_all_or_nothing() -> None:
    answer = {"criteria": [ANC, {**ANC, "quote": "not in the text"}]}
    assert len(LLMCriteria.model_validate(answer).criteria) == 2  # no context: no grounding (Batch API answers)
    with pytest.raises(ValueError, match="criterion 1"):
        LLMCriteria.model_validate({"criteria": [ANC, {"kind": "no_such_kind", "item": 0, "quote": "x"}]})
    final = AnswerContext(TEXT, {0: (0, len(TEXT))}, final=True)
    validated = LLMCriteria.model_validate(answer, context={"answer": final})
    assert len(validated.criteria) == 1 and [u.quote for u in validated.unusable] == ["not in the text"]


def test_counters_reach_the_run_summary_and_the_eval_report(tmp_path: Path) -> None:
    gold = load_gold(ROOT / "gold_labels")
    case = next(c for c in gold if c.trial_id == "NCT01913106")
    src = tmp_path / "NCT01913106.txt"
    src.write_text(case.text, encoding="utf-8")
    out, summary = tmp_path / "out.jsonl", tmp_path / "summary.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "EXTRACTOR_"))}
    with OracleServer(gold, noise=0.5, seed=2) as oracle:
        env |= {"OPENAI_BASE_URL": oracle.base_url, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
        res = CliRunner().invoke(
            app,
            ["extract", str(src), "--backend", "llm", "--output", str(out), "--summary", str(summary), "--no-cache"],
            env=env,
        )
        reasks = oracle.stats.reasks
    assert res.exit_code == 0, res.stderr
    s = json.loads(summary.read_text())
    (record,) = [OutputRecord.model_validate_json(line) for line in out.read_text().splitlines()]
    assert record.provenance is not None
    assert s["reasks"] == record.provenance.reasks == reasks >= 1
    assert s["rejected"] == len(record.rejected) >= 1
    assert s["flagged"] == len(record.provenance.flagged)
    assert f"validation: {s['rejected']} criteria rejected, {s['reasks']} re-asks" in res.stderr
    result = score({case.trial_id: record.model_copy(update={"trial_id": case.trial_id})}, [case])
    assert result.llm_checks is not None and result.llm_checks.reasks == reasks
    assert result.llm_checks.rejected == s["rejected"] and result.llm_checks.flagged == s["flagged"]
    assert f"LLM validation: {s['rejected']} criteria rejected, {reasks} re-asks" in render_markdown(
        build_report(result)
    )
    rules = score({case.trial_id: extractor.extract(case.text, trial_id=case.trial_id)}, [case])
    assert rules.llm_checks is None  # rules records: no LLM validation line


def test_numbers_as_written_include_space_grouped_thousands_and_convention_steps() -> None:
    from extractor.llm.verify import unwritten_numbers

    assert unwritten_numbers({"value": 100000}, "Platelets ≥100 000/µL") == []
    assert unwritten_numbers({"min": 80}, "KPS > 79") == []  # the ">" convention: one step up
    assert unwritten_numbers({"min_years": 18, "max_years": 0}, "aged 18 or older") == []
    assert unwritten_numbers({"within_weeks": 4.0}, "within 28 days") == ["within_weeks=4"]
