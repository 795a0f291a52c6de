"""Prompt v2: a lean prefix (system message + answer schema) that is the same bytes on every call, the compact
answer schema and what it parses into, and what the user message carries (sections, nesting, trial context)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest
from pydantic import ValidationError

import extractor
from extractor.evals import load_gold
from extractor.kinds import KINDS, REGISTRY
from extractor.llm import LLMConfig
from extractor.llm.backend import build_requests
from extractor.llm.schema import FILLED_KINDS, LLMCriteria, answer_schema, kind_table
from extractor.models import Trial
from extractor.testing.oracle import count_tokens
from tests.llm._support import completion

ROOT = Path(__file__).resolve().parents[2]

TEXT_A = """Inclusion Criteria:
* Age >= 18 years
* Adequate organ function:
  * ANC >= 1.5 x 10^9/L
  * Total bilirubin <= 1.5 x ULN
* ECOG 0-1
Exclusion Criteria:
* Known brain metastases
* Pregnant or breastfeeding
"""
TEXT_B = """Inclusion Criteria:
* Histologically confirmed HER2-positive breast cancer
Exclusion Criteria:
* Prior trastuzumab deruxtecan
"""


class Capture:
    """A fake server that records every request body and answers with no criteria."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": name, "arguments": '{"criteria": []}'}}
                ],
            }
            return httpx2.Response(
                200,
                json={
                    "id": "x",
                    "object": "chat.completion",
                    "created": 0,
                    "model": "m",
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )
        content = '```json\n{"criteria": []}\n```' if body.get("response_format") is None else '{"criteria": []}'
        return httpx2.Response(200, json=completion(content))

    def client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self))


def _config(mode: str = "json_schema", **kw: Any) -> LLMConfig:
    return LLMConfig(
        base_url="http://127.0.0.1:9/v1", model="m", mode=mode, transport_attempts=1, validation_retries=0, **kw
    )


def _prefix(body: dict[str, Any]) -> str:
    """What a provider can cache: the system message and the schema (response_format or tools) as sent."""
    system = body["messages"][0]
    assert system["role"] == "system"
    return json.dumps([system, body.get("response_format"), body.get("tools")], ensure_ascii=False)


@pytest.mark.parametrize("mode", ["json_schema", "tools", "md_json"])
def test_prefix_is_byte_identical_across_trials_and_chunks(mode: str) -> None:
    """Before (v1): the schema's name and maxItems changed with chunk size, so no two prefixes were the same."""
    cap = Capture()
    trial_a = Trial(trial_id="NCT-A", text=TEXT_A, registry={"title": "A study", "conditions": ["Breast Cancer"]})
    trial_b = Trial(trial_id="NCT-B", text=TEXT_B)
    extractor.extract(trial_a, backend="llm", llm=_config(mode, items_per_call=3), http_client=cap.client())
    extractor.extract(trial_b, backend="llm", llm=_config(mode), http_client=cap.client())
    assert len(cap.bodies) >= 4  # trial A in several chunks of different sizes, trial B in one
    sizes = {body["messages"][-1]["content"].count('{"item":') for body in cap.bodies if mode != "md_json"}
    assert mode == "md_json" or len(sizes) > 1
    prefixes = {_prefix(body) for body in cap.bodies}
    assert len(prefixes) == 1
    users = [m["content"] for body in cap.bodies for m in body["messages"][1:2]]
    assert len(set(users)) == len(users)  # everything trial-specific is in the user message


def test_prefix_within_2000_tokens() -> None:
    cap = Capture()
    extractor.extract(TEXT_A, backend="llm", llm=_config(), http_client=cap.client())
    body = cap.bodies[0]
    system = count_tokens(json.dumps(body["messages"][0], ensure_ascii=False))
    schema = count_tokens(json.dumps(body["response_format"], ensure_ascii=False))
    assert system + schema <= 2000, (system, schema)


def test_prompt_tokens_per_corpus_trial_within_3_5x_the_criteria_text() -> None:
    """Prompt tokens of every request for the 90 corpus gold trials (counted as the oracle server counts them),
    against the criteria texts' own tokens. Before (v1): 12.1x."""
    config = LLMConfig(base_url="http://127.0.0.1:9/v1")
    cases = [c for c in load_gold(ROOT / "gold_labels") if c.gold.origin == "corpus"]
    prompt = text = 0
    for case in cases:
        for body in build_requests(Trial(trial_id=case.trial_id, text=case.text), config):
            prompt += count_tokens(json.dumps(body["messages"], ensure_ascii=False))
            prompt += count_tokens(json.dumps(body["response_format"], ensure_ascii=False))
        text += count_tokens(case.text)
    assert len(cases) == 90 and prompt <= 3.5 * text, prompt / text


def test_answer_schema_is_compact_kind_first_and_has_no_other() -> None:
    schema = answer_schema()
    text = json.dumps(schema)
    assert text == json.dumps(answer_schema()) == json.dumps(LLMCriteria.model_json_schema())
    criterion = schema["properties"]["criteria"]["items"]
    assert list(criterion["properties"])[:3] == ["kind", "item", "quote"]
    assert criterion["properties"]["kind"]["enum"] == [k for k in KINDS if k not in FILLED_KINDS]
    assert "other" not in criterion["properties"]["kind"]["enum"]
    for word in ("maxItems", "default", "discriminator", "mapping", "$defs"):
        assert word not in text, word
    assert text.count('"title"') == 1  # the answer's name, once (tools mode names the function with it)


def test_kind_table_lists_every_written_kind_field_and_vocabulary() -> None:
    table = kind_table()
    for kind, spec in REGISTRY.items():
        line = next((row for row in table.splitlines() if row.startswith(f"{kind}: ")), None)
        if kind in FILLED_KINDS:
            assert line is None
            continue
        assert line is not None, kind
        for name in spec.fields:
            assert name in line, (kind, name)
    assert "lab: analyte*; op: >=|>|<=|<|=; value: num; unit; uln_multiple: num; condition" in table
    assert "total_bilirubin" in table and "organ_function" in table  # the analytes
    assert "taxane" in table and "<target> inhibitor (cdk4/6, " in table  # the agent classes, inhibitors as a pattern


def test_answer_validates_through_the_full_models_and_other_is_dropped() -> None:
    answer = LLMCriteria.model_validate(
        {
            "criteria": [
                {"kind": "lab", "item": 2, "quote": "ANC >= 1.5", "analyte": "anc", "op": ">=", "value": 1.5},
                {"kind": "other", "item": 3, "quote": "Able to swallow"},
            ]
        }
    )
    assert [c.kind for c in answer.criteria] == ["lab"] and answer.criteria[0].value == 1.5
    with pytest.raises(ValidationError):
        LLMCriteria.model_validate({"criteria": [{"kind": "lab", "item": 2, "quote": "ANC", "op": "about"}]})
    with pytest.raises(ValidationError):
        LLMCriteria.model_validate({"criteria": [{"kind": "performance_status", "item": 1, "quote": "ECOG 0-1"}]})


def test_user_message_carries_sections_nesting_and_trial_context() -> None:
    cap = Capture()
    trial = Trial(
        trial_id="NCT-A", text=TEXT_A, registry={"title": "A <b>study</b>", "conditions": ["Breast Cancer", "HER2"]}
    )
    extractor.extract(trial, backend="llm", llm=_config(), http_client=cap.client())
    user = cap.bodies[0]["messages"][1]["content"]
    assert 'Title (context only): "A \\u003cb>study\\u003c/b>"' in user  # framed like the items: no raw tags
    assert 'Conditions (context only): "Breast Cancer, HER2"' in user
    block = user.split("<items>\n", 1)[1].split("\n</items>", 1)[0].splitlines()
    assert block[0] == "inclusion:" and block[6] == "exclusion:"
    items = [json.loads(line) for line in block if line.startswith("{")]
    assert [it["item"] for it in items] == list(range(7))
    assert items[2] == {"item": 2, "parent": 1, "text": "ANC >= 1.5 x 10^9/L"}
    assert "parent" not in items[1] and items[3]["parent"] == 1
    cap.bodies.clear()
    extractor.extract(TEXT_B, backend="llm", llm=_config(), http_client=cap.client())
    assert "Title" not in cap.bodies[0]["messages"][1]["content"]  # no context lines when the record has none


def test_system_message_carries_the_worked_example_and_conventions() -> None:
    cap = Capture()
    extractor.extract(TEXT_B, backend="llm", llm=_config(), http_client=cap.client())
    system = cap.bodies[0]["messages"][0]["content"]
    example = system.split("```\n", 1)[1].split("\n```", 1)[0]
    answer = json.loads(example.split("</items>\n", 1)[1])
    parsed = LLMCriteria.model_validate(answer)  # the example's answer is a valid answer
    kinds = [c.kind for c in parsed.criteria]
    assert kinds.count("diagnosis") == 2 and "prior_therapy" in kinds
    assert any(getattr(c, "condition", None) for c in parsed.criteria)  # an exception lab
    items = [json.loads(line) for line in example.split("</items>")[0].splitlines() if line.startswith("{")]
    assert {it["item"] for it in items} - {c.item for c in parsed.criteria}  # an item left to `other`
    for convention in ("uln_multiple", "AST/ALT", "no prior X", "condition", "conditional [treated, asymptomatic]"):
        assert convention in system, convention


def test_callers_written_for_v1_get_the_same_requests() -> None:
    """``response_model(n)`` and ``render(<id>, ...)`` (the dry run's probes) give what the backend sends."""
    from extractor.llm.plan import render
    from extractor.llm.schema import response_model

    assert response_model(3) is response_model(40) is LLMCriteria
    config = _config()
    by_id, by_trial = render("probe", [], config), render(Trial(trial_id="probe", text=""), [], config)
    assert by_id == by_trial and by_id.system == render("other-id", [], config).system
