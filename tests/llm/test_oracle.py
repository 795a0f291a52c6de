"""The oracle server (answers with the gold labels) and the oracle eval's gate (evals/eval_oracle.py)."""

from __future__ import annotations

import importlib.util
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import extractor
from extractor.evals import GoldCase, load_gold, score
from extractor.llm import LLMConfig
from extractor.testing.oracle import OracleServer

ROOT = Path(__file__).resolve().parents[2]
TRIAL = "NCT01776905"


@pytest.fixture(scope="module")
def gold() -> list[GoldCase]:
    return load_gold(ROOT / "gold_labels")


@pytest.fixture
def oracle(gold: list[GoldCase]) -> Iterator[OracleServer]:
    with OracleServer(gold) as srv:
        yield srv


def _case(gold: list[GoldCase], trial_id: str = TRIAL) -> GoldCase:
    return next(c for c in gold if c.trial_id == trial_id)


def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(url + "/chat/completions", data=json.dumps(body).encode(), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.mark.parametrize("mode", ["json_schema", "tools", "md_json"])
def test_oracle_gives_the_gold_in_each_mode(gold: list[GoldCase], oracle: OracleServer, mode: str) -> None:
    case = _case(gold)
    result = extractor.extract(
        case.text, backend="llm", trial_id=case.trial_id, llm=LLMConfig(base_url=oracle.base_url, mode=mode)
    )
    metrics = score({case.trial_id: result}, [case]).metrics
    assert metrics.micro.f1 == 1.0 and metrics.exact.f1 == 1.0
    assert result.rejected == [] and oracle.stats.requests == 1
    assert result.provenance.usage.prompt_tokens == oracle.stats.prompt_tokens > 0


def test_oracle_cuts_at_max_tokens_and_refuses_over_context(gold: list[GoldCase]) -> None:
    case = _case(gold)
    item = extractor.segment(case.text).items[0]
    user = f'Trial id (a JSON string): "{case.trial_id}"\n<items>\n' + json.dumps(
        {"item": 0, "section": "inclusion", "text": item.text}
    )
    user += "\n</items>"
    body: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": user}]}
    with OracleServer(gold, context_window=200) as srv:
        status, answer = _post(srv.base_url, {**body, "max_tokens": 5})
        assert status == 200 and answer["choices"][0]["finish_reason"] == "length"
        assert answer["usage"]["completion_tokens"] == 5
        status, answer = _post(srv.base_url, {**body, "messages": [{"role": "user", "content": user * 20}]})
        assert status == 400 and answer["error"]["code"] == "context_length_exceeded"
        assert (srv.stats.truncated, srv.stats.context_errors) == (1, 1)
    with OracleServer(gold) as srv:
        status, answer = _post(srv.base_url, body)
        content = answer["choices"][0]["message"]["content"]
        assert content.startswith("```json") and json.loads(content.strip("`").removeprefix("json"))["criteria"]


def test_oracle_finds_the_trial_by_its_items_when_the_message_names_none(
    gold: list[GoldCase], oracle: OracleServer
) -> None:
    case = _case(gold)
    items = extractor.segment(case.text).items[:2]
    lines = [json.dumps({"item": it.index, "text": it.text}) for it in items]
    answer = oracle.gold_answer("<items>\n" + "\n".join(lines) + "\n</items>")
    expected = [c for it in items for c in oracle.criteria_for(case.trial_id, it.index)]
    assert answer["criteria"] == expected and expected
    assert oracle.gold_answer("<items>\n" + json.dumps({"item": 0, "text": "no such item"}) + "\n</items>") == {
        "criteria": []
    }


def test_noisy_oracle_is_seeded_and_shows_rejections_and_reasks(gold: list[GoldCase]) -> None:
    case = _case(gold, "NCT01913106")
    results = []
    for _ in range(2):
        with OracleServer(gold, noise=0.5, seed=2) as srv:  # seed 2: the first try does not validate
            cfg = LLMConfig(base_url=srv.base_url)
            results.append(extractor.extract(case.text, backend="llm", trial_id=case.trial_id, llm=cfg))
            reasks = srv.stats.reasks
    first, second = results
    assert first.rejected and first.rejected == second.rejected  # same seed, same answers
    # paraphrased quotes and the unknown kind were re-asked by name and fixed; changed numbers are rejected
    assert {r.reason.split(":")[0] for r in first.rejected} == {"unsupported numbers"}
    assert reasks >= 1 and first.provenance.reasks == reasks
    assert first.provenance.attempts == first.provenance.llm_calls + reasks


def _load_script(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_oracle", ROOT / "evals" / "eval_oracle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "eval_oracle", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_eval_oracle_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    script = _load_script(monkeypatch)
    baseline = tmp_path / "oracle.json"
    args = ["--runs", "llm/json_schema,hybrid/tools", "--trials", f"{TRIAL},seed-001", "--baseline", str(baseline)]
    reports = ["--report-dir", str(tmp_path / "reports")]
    assert script.main([*args, "--update-baseline", *reports]) == 0
    written = json.loads(baseline.read_text())
    assert set(written["runs"]) == {"llm/json_schema", "hybrid/tools"}
    assert script.main([*args, *reports]) == 0
    out = capsys.readouterr().out
    assert "| llm/json_schema | 1.000 |" in out and "Strict F1 per kind" in out
    assert (tmp_path / "reports" / "hybrid-tools" / "report.json").is_file()
    # a baseline better than today's run: the gate fails with the eval's regression code
    written["runs"]["hybrid/tools"]["tracked"]["micro.f1"] = 1.5
    baseline.write_text(json.dumps(written))
    assert script.main([*args, *reports]) == 3
    assert "gate failed: hybrid/tools" in capsys.readouterr().err
    # a run the baseline does not know fails too; an unreadable baseline cannot run
    assert script.main(["--runs", "llm/tools", "--trials", TRIAL, "--baseline", str(baseline), *reports]) == 3
    baseline.write_text("not json")
    assert script.main([*args, *reports]) == 2
    assert script.main([*args, "--baseline", str(tmp_path / "missing.json"), *reports]) == 2
