"""Hybrid routing (which items rules leave to the model) and the merge of the two results, through the backend."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

import extractor
from extractor.llm import LLMConfig
from extractor.llm.config import RoutingConfig
from extractor.llm.routing import route_items
from extractor.rules.engine import extract_segmentation
from extractor.segment import segment
from tests.llm._support import completion

ITEMS = [
    "ECOG performance status 0-1",  # 0: typed, short, single clause: rules keep it
    "Age >= 18 years. Body weight > 50 kg",  # 1: a number outside the age criterion's evidence
    "Known HIV infection, uncontrolled diabetes, chronic kidney disease, or severe asthma",  # 2: 5 clauses, 1 typed
    "Willing to keep a daily symptom diary on paper",  # 3: rules typed nothing
    "Other conditions, as listed below:",  # 4: untyped parent ...
    "  * Hemoglobin >= 9 g/dL",  # 5: ... and its typed nested item
    "Patients with HER2-positive breast cancer who have received trastuzumab and pertuzumab in the metastatic "
    "setting and whose disease progressed during treatment",  # 6: long
]
TEXT = "Inclusion Criteria:\n" + "".join(f"{t}\n" if t.startswith("  *") else f"* {t}\n" for t in ITEMS)


def _route(config: RoutingConfig | None = None) -> dict[int, str]:
    seg = segment(TEXT)
    return route_items(seg.items, extract_segmentation(seg), config)


def test_routing_sends_what_rules_miss_with_its_reason() -> None:
    assert _route() == {1: "numbers", 2: "compound", 3: "other", 4: "other", 5: "family", 6: "long"}


@pytest.mark.parametrize(
    ("off", "gone"),
    [
        ({"unexplained_numbers": False}, {1}),
        ({"clauses_per_criterion": None}, {2}),
        ({"long_item_chars": None}, {6}),
        ({"families": False}, {5}),
        ({"long_item_chars": 500, "clauses_per_criterion": 5}, {2, 6}),
    ],
)
def test_each_routing_rule_is_a_setting(off: dict[str, Any], gone: set[int]) -> None:
    assert set(_route()) - set(_route(RoutingConfig(**off))) == gone


class Oracle:
    """Answers each request with the scripted criteria of the items it was sent (by item text)."""

    def __init__(self, answers: dict[str, list[dict[str, Any]]]) -> None:
        self.answers = answers
        self.sent: list[list[int]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        user = json.loads(request.content)["messages"][1]["content"]
        items = [json.loads(line) for line in user.splitlines() if line.startswith('{"item"')]
        self.sent.append([it["item"] for it in items])
        out = [dict(c, item=it["item"]) for it in items for c in self.answers.get(it["text"], [])]
        return httpx2.Response(200, json=completion(json.dumps({"criteria": out}), "stop", 10, 10))


def _hybrid(oracle: Oracle, **kw: Any) -> extractor.CriteriaSet:
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(oracle))
    config = LLMConfig(base_url="http://127.0.0.1:9/v1", model="test-model", **kw)
    return extractor.extract(TEXT, backend="hybrid", trial_id="T1", llm=config, http_client=client)


def test_merge_takes_the_models_answer_for_routed_items_and_keeps_the_rules_elsewhere() -> None:
    rules = extractor.extract(TEXT, trial_id="T1")
    age = next(c for c in rules.criteria if c.kind == "age")
    age_fields = age.model_dump(mode="json", exclude={"evidence", "polarity", "cohort", "item", "backend"})
    oracle = Oracle(
        {
            # agrees with the rules on age (stays the rules' criterion); its `other` for the weight is dropped (prompt
            # v2: the model writes no `other`, the backend fills it in for an item nothing typed)
            ITEMS[1]: [
                {**age_fields, "quote": age.evidence.text},
                {"kind": "other", "quote": "Body weight > 50 kg", "category": "body weight"},
            ],
            # the rules typed an infection; the model says the item is not one (`other`): the model wins
            ITEMS[2]: [{"kind": "other", "quote": ITEMS[2], "category": "comorbidity"}],
            # item 3: the model is silent -> `other` (from the model)
            # item 6: a rejected claim (quote not in the text): the rules' criteria of that kind stay
            ITEMS[6]: [
                {"kind": "her2", "quote": "HER2 3+ by IHC", "status": "positive"},
                {
                    "kind": "prior_therapy",
                    "quote": "received trastuzumab and pertuzumab",
                    "agents": ["trastuzumab", "pertuzumab"],
                    "requirement": "required",
                },
            ],
        }
    )
    result = _hybrid(oracle)
    # item 0 was not sent; the invented her2 quote was re-asked (twice, the default) and then set aside alone
    assert oracle.sent[0] == [1, 2, 3, 4, 5, 6] and oracle.sent[1:] == [oracle.sent[0]] * 2
    assert result.provenance.reasks == 2
    by_item: dict[int | None, list[Any]] = {}
    for c in result.criteria:
        by_item.setdefault(c.item, []).append(c)
    assert [(c.kind, c.backend) for c in by_item[0]] == [("performance_status", "rules")]
    assert [(c.kind, c.backend) for c in by_item[1]] == [("age", "rules")]
    assert [(c.kind, c.backend) for c in by_item[2]] == [("other", "llm")]
    assert [(c.kind, c.backend) for c in by_item[3]] in ([("other", "rules")], [("other", "llm")])
    rules_her2 = [c for c in rules.criteria if c.item == 6 and c.kind == "her2"]
    assert rules_her2 and [c for c in by_item[6] if c.kind == "her2"] == rules_her2
    assert [r.kind for r in result.rejected] == ["her2"] and "is not in item 6" in result.rejected[0].reason
    # the model's other claim on item 6 stands; the rules' kinds it did not claim (diagnosis, ...) are dropped
    assert {(c.kind, c.backend) for c in by_item[6]} == {("her2", "rules"), ("prior_therapy", "llm")}
    assert {c.item for c in result.criteria} == set(range(len(ITEMS)))


def test_a_failed_request_keeps_the_rules_result_for_its_items() -> None:
    def down(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(503, headers={"retry-after": "0"}, json={"error": {"message": "down"}})

    rules = extractor.extract(TEXT, trial_id="T1")
    result = _hybrid(down, transport_attempts=1)  # type: ignore[arg-type]
    assert [(c.kind, c.item, c.backend) for c in result.criteria] == [(c.kind, c.item, "rules") for c in rules.criteria]
    assert result.provenance.errors and result.provenance.errors[0].startswith("TransportError")
