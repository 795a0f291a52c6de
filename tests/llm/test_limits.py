"""Nothing lost to limits: cut answers and context-length refusals split the chunk, against the oracle server.

The oracle (:mod:`extractor.testing.oracle`) answers with the gold labels, so a run without limits is the reference
and a run with limits must give the same criteria: every trial kept, only an item that alone cannot fit is lost,
and only that item.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

import extractor
from extractor.errors import ContextLengthError
from extractor.evals import GoldCase, load_gold
from extractor.llm import LLMConfig
from extractor.llm.config import UNKNOWN_MODEL, model_limits
from extractor.llm.plan import chunk_items, item_answer_tokens
from extractor.models import CriteriaSet
from extractor.testing.oracle import OracleServer, count_tokens
from tests.llm._support import completion

ROOT = Path(__file__).resolve().parents[2]
TRIAL = "NCT01913106"  # 40 items, one request at the defaults, every gold criterion recovered by the oracle


@pytest.fixture(scope="module")
def gold() -> list[GoldCase]:
    return load_gold(ROOT / "gold_labels")


@pytest.fixture(scope="module")
def case(gold: list[GoldCase]) -> GoldCase:
    return next(c for c in gold if c.trial_id == TRIAL)


@pytest.fixture
def oracle(gold: list[GoldCase]) -> Iterator[OracleServer]:
    with OracleServer(gold) as srv:
        yield srv


def _extract(case: GoldCase, srv: OracleServer, backend: str = "llm", **kw: Any) -> CriteriaSet:
    cfg = LLMConfig(base_url=srv.base_url, **kw)
    return extractor.extract(case.text, backend=backend, trial_id=case.trial_id, llm=cfg)  # type: ignore[arg-type]


def _facts(result: CriteriaSet, skip_item: int | None = None) -> list[str]:
    return sorted(c.model_dump_json(exclude={"backend"}) for c in result.criteria if c.item != skip_item)


def _answer_tokens(srv: OracleServer, trial_id: str, item: int) -> int:
    return count_tokens(json.dumps({"criteria": srv.criteria_for(trial_id, item)}, ensure_ascii=False))


def test_reference_run_is_one_request_without_errors(case: GoldCase, oracle: OracleServer) -> None:
    result = _extract(case, oracle)
    assert result.provenance.llm_calls == 1 and result.provenance.errors == []
    assert oracle.stats.truncated == 0 and oracle.stats.context_errors == 0
    assert {c.kind for c in result.criteria} >= {"lab", "prior_therapy", "stage"}


def test_cut_answer_splits_the_chunk_and_loses_nothing(case: GoldCase, gold: list[GoldCase]) -> None:
    with OracleServer(gold) as srv:
        reference = _extract(case, srv)
    with OracleServer(gold) as srv:
        largest = max(_answer_tokens(srv, case.trial_id, i) for i in range(reference.items))
        # the planner is told answers are unlimited; the server cuts them at max_tokens
        result = _extract(case, srv, max_tokens=largest + 20, answer_budget=1_000_000)
        stats = srv.stats
    assert stats.truncated >= 1 and result.provenance.llm_calls == stats.requests > 2
    assert result.provenance.errors == []
    assert _facts(result) == _facts(reference)  # every criterion of the trial, as without the limit
    # the cut answers were paid for: every token the server counted is in the provenance
    assert result.provenance.usage.completion_tokens == stats.completion_tokens
    assert result.provenance.usage.prompt_tokens == stats.prompt_tokens


def test_context_length_refusal_splits_the_chunk_not_retried(case: GoldCase, gold: list[GoldCase]) -> None:
    with OracleServer(gold) as srv:
        reference = _extract(case, srv)
        full_prompt = srv.stats.prompt_tokens
    # the server's window is a little under the whole chunk's prompt; the config says 128k, so the planner sends it
    with OracleServer(gold, context_window=full_prompt - 100) as srv:
        result = _extract(case, srv, transport_attempts=4)
        stats = srv.stats
    assert stats.context_errors >= 1
    assert result.provenance.errors == [] and _facts(result) == _facts(reference)
    # a refusal is not a transport failure: each request was sent once, none retried
    assert stats.requests == result.provenance.llm_calls == result.provenance.attempts


def test_single_oversize_item_fails_alone(case: GoldCase, gold: list[GoldCase]) -> None:
    with OracleServer(gold) as srv:
        reference = _extract(case, srv)
        rules = extractor.extract(case.text, trial_id=case.trial_id)
        sizes = sorted(((_answer_tokens(srv, case.trial_id, i), i) for i in range(reference.items)), reverse=True)
        (biggest, item), (second, _) = sizes[0], sizes[1]
        assert biggest > second + 10  # the test needs one item whose answer alone is over the limit
        limit = second + 5
        llm = _extract(case, srv, max_tokens=limit, answer_budget=1_000_000)
        hybrid = _extract(case, srv, backend="hybrid", max_tokens=limit, answer_budget=1_000_000)
    [error] = llm.provenance.errors
    assert error.startswith(f"TruncatedOutputError: item {item}:")
    # llm: the item is `other` (nothing dropped), every other item as in the reference
    assert [c.kind for c in llm.criteria if c.item == item] == ["other"]
    assert _facts(llm, skip_item=item) == _facts(reference, skip_item=item)
    # hybrid: the item keeps the rules result
    if item in {it for it in (c.item for c in hybrid.criteria if c.backend == "llm")}:
        pytest.fail("the failed item got LLM criteria")
    assert [c.kind for c in hybrid.criteria if c.item == item] == [c.kind for c in rules.criteria if c.item == item]


def test_context_refusal_of_one_item_is_typed_and_raised_when_nothing_answered() -> None:
    requests: list[httpx2.Request] = []
    body = {
        "error": {
            "message": "This model's maximum context length is 10 tokens. However, your messages resulted in 99.",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    }

    def handler(request: httpx2.Request) -> httpx2.Response:
        requests.append(request)
        return httpx2.Response(400, json=body)

    cfg = LLMConfig(base_url="http://127.0.0.1:9/v1", model="m", transport_attempts=4)
    with pytest.raises(ContextLengthError) as info:
        extractor.extract(
            "Inclusion Criteria:\n* Age >= 18\n",
            backend="llm",
            trial_id="T",
            llm=cfg,
            http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)),
        )
    assert len(requests) == 1 and info.value.attempts == 1  # refused once, never retried


def test_llama_cpp_context_500_is_not_retried_as_transport() -> None:
    requests: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        requests.append(request)
        if "Pregnancy" in json.loads(request.content)["messages"][1]["content"]:
            error = {"error": {"code": 500, "message": "Context size has been exceeded.", "type": "server_error"}}
            return httpx2.Response(500, json=error)
        return httpx2.Response(200, json=completion('{"criteria": []}'))

    cfg = LLMConfig(base_url="http://127.0.0.1:9/v1", model="m", transport_attempts=4, max_wait_s=5)
    text = "Inclusion Criteria:\n* ECOG 0-1\n* Age >= 18\n\nExclusion Criteria:\n* Pregnancy\n"
    result = extractor.extract(
        text,
        backend="llm",
        trial_id="T",
        llm=cfg,
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)),
    )
    # [0, 1, 2] refused -> [0] answered, [1, 2] refused -> [1] answered, [2] refused: 5 requests, none repeated
    assert len(requests) == result.provenance.llm_calls == 5
    [error] = result.provenance.errors
    assert error.startswith("ContextLengthError: item 2:")
    assert [c.kind for c in result.criteria] == ["other", "other", "other"]  # nothing dropped, the trial kept


def _nested_text() -> str:
    return (
        "Inclusion Criteria:\n"
        "* Age >= 18\n"
        "* Adequate organ function:\n"
        "  * ANC >= 1.5 x 10^9/L\n"
        "  * Platelets >= 100 x 10^9/L\n"
        "* ECOG 0-1\n"
    )


def test_parent_and_children_share_a_chunk() -> None:
    items = extractor.segment(_nested_text()).items
    assert [it.parent for it in items] == [None, None, 1, 1, None]
    chunks = chunk_items(items, config=LLMConfig(items_per_call=3))
    assert [[it.index for it in c] for c in chunks] == [[0], [1, 2, 3], [4]]  # not [0, 1, 2] + [3, 4]
    chunks = chunk_items(items, config=LLMConfig(items_per_call=2))  # a family over the limit is cut, in order
    assert [it.index for c in chunks for it in c] == [0, 1, 2, 3, 4] and all(len(c) <= 2 for c in chunks)


def test_chunks_fit_the_answer_budget_and_the_context() -> None:
    items = extractor.segment("Inclusion Criteria:\n" + "".join(f"* Item {i} {'x' * 200}\n" for i in range(30))).items
    one = item_answer_tokens(items[0])
    for budget in (one, 3 * one, 10 * one):
        chunks = chunk_items(items, config=LLMConfig(answer_budget=budget))
        assert all(sum(map(item_answer_tokens, c)) <= budget for c in chunks)
        assert len(chunks) == -(-30 // (budget // one))
    default = chunk_items(items, config=LLMConfig())
    small = chunk_items(items, config=LLMConfig(model="local", context_window=UNKNOWN_MODEL.context_window))
    tiny = chunk_items(items, config=LLMConfig(model="local", context_window=12_000, max_tokens=1000))
    assert len(default) == 1 and len(small) >= 2 and len(tiny) > len(small)
    assert [it.index for c in tiny for it in c] == list(range(30))


def test_known_models_set_context_and_answer_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (LLMConfig().context_window, LLMConfig().max_tokens) == (128_000, 16_384)  # gpt-4o-mini
    assert LLMConfig(model="gpt-4o-2024-08-06").max_tokens == 16_384
    assert LLMConfig(model="gpt-4.1-mini-2025-04-14").context_window == 1_047_576
    assert model_limits("openai/o3-mini") == (200_000, 100_000)
    assert model_limits("o1-mini") == (128_000, 65_536)  # the longest known name wins over "o1"
    assert model_limits("gemma-3-270m") == UNKNOWN_MODEL == (16_384, 4_096)
    assert LLMConfig(model="gpt-4o", max_tokens=512).max_tokens == 512  # explicit values win
    monkeypatch.setenv("EXTRACTOR_MODEL", "gpt-4o")
    monkeypatch.setenv("EXTRACTOR_CONTEXT_WINDOW", "8192")
    monkeypatch.setenv("EXTRACTOR_ANSWER_BUDGET", "2000")
    cfg = LLMConfig.from_env()
    assert (cfg.context_window, cfg.max_tokens, cfg.planned_answer_tokens) == (8192, 16_384, 2000)
