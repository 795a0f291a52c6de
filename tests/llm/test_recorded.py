"""LLM backend against recorded traffic of a real OpenAI-compatible server (llama.cpp + Gemma 3 270M base).

Cassettes live in tests/llm/cassettes/test_recorded/ (Authorization filtered, requests matched on body). Re-record with
``bash evals/record_cassettes.sh``. The 270M base model fills the schema with mostly wrong values: these tests check
the plumbing on real responses (request shape, usage, parsing, grounding rejections, truncation), not accuracy.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

import extractor
from extractor.errors import TruncatedOutputError
from extractor.llm import LLMConfig, backend, plan
from extractor.llm.client import build_client
from extractor.llm.config import RoutingConfig
from extractor.models import Trial

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SERVER = "http://127.0.0.1:8766/v1"  # the recording server; replay needs no server


def cfg(**kw: object) -> LLMConfig:
    base: dict[str, object] = {
        "base_url": SERVER,
        "model": "gemma-3-270m",
        "max_tokens": 256,  # the base model runs to the limit: keep a recording within minutes
        "validation_retries": 1,
        "transport_attempts": 2,
        "timeout_s": 900.0,  # recording only: grammar-constrained decoding on a CPU takes minutes per answer
    }
    base.update(kw)
    return LLMConfig(**base)  # type: ignore[arg-type]


SEED001 = (EXAMPLES / "seed-001.txt").read_text(encoding="utf-8")
SHORT = "Inclusion Criteria:\n* ECOG performance status 0-1\n* Age >= 18 years\n\nExclusion Criteria:\n* Pregnancy\n"


@pytest.mark.vcr
def test_recorded_short_llm_extraction_is_grounded(vcr: Any) -> None:
    result = extractor.extract(SHORT, backend="llm", trial_id="short", llm=cfg())
    prov = result.provenance
    assert prov.backend == "llm" and prov.llm_calls == 1
    assert prov.attempts == 2 and prov.reasks == 1  # validation_retries=1: the one re-ask was spent
    assert prov.usage.prompt_tokens > 0 and prov.usage.completion_tokens > 0
    assert result.ungrounded() == []
    assert {c.item for c in result.criteria} == {0, 1, 2}  # nothing dropped, whatever the model said
    # The 270M base model copies the system prompt's worked example instead of reading the items: such a proposal
    # is re-asked with a targeted message, then (still wrong on the last attempt) rejected alone with its reason; none
    # is passed off as grounded, and the items stay `other`.
    assert len(result.rejected) == 5
    for r in result.rejected:
        assert r.quote not in SHORT
        assert r.reason.startswith("invalid after the last re-ask: criterion ")
        assert r.reason.endswith(("copy the clause verbatim", "use the item numbers of <items>"))
    # the re-ask told the model which criteria were wrong and why
    reask = json.loads(vcr.requests[1].body)["messages"]
    assert len(reask) == 4 and "is not in item 0; copy the clause verbatim" in reask[-1]["content"]


@pytest.mark.vcr
def test_recorded_seed001_hybrid(vcr: Any) -> None:
    rules = extractor.extract(SEED001, trial_id="seed-001")
    # the routing the cassette was recorded with: only the items the rules left `other`
    only_other = RoutingConfig(
        long_item_chars=None, clauses_per_criterion=None, unexplained_numbers=False, families=False
    )
    result = extractor.extract(SEED001, backend="hybrid", trial_id="seed-001", llm=cfg(routing=only_other))
    rules_typed = {(c.kind, c.evidence.start) for c in rules.criteria if c.kind != "other"}
    hybrid_rules = {(c.kind, c.evidence.start) for c in result.criteria if c.backend == "rules"}
    assert rules_typed <= hybrid_rules  # hybrid keeps every typed rules criterion
    assert result.provenance.backend == "hybrid" and result.provenance.llm_calls == 1
    # The recorded answer was replayed (a request missing from the cassette would be a transport error, listed in
    # provenance.errors): the base model copied the worked example, so every proposal is rejected with its reason.
    assert result.provenance.errors == [] and result.provenance.attempts == 1 + result.provenance.reasks
    assert result.rejected and all(
        r.quote not in SEED001 or r.reason.startswith(("item ", "unsupported numbers")) for r in result.rejected
    )
    assert result.ungrounded() == [] and {c.item for c in result.criteria} == set(range(result.items))
    sent = json.loads(vcr.requests[0].body)
    user = sent["messages"][1]["content"]
    assert "Possibility of complete elimination of all foci" in user  # the one item rules leave as other
    assert "ECOG 0-1 status" not in user


@pytest.mark.vcr
def test_recorded_truncation_is_typed_error() -> None:
    # The recorded request: all of seed-001 in one chunk, max_tokens=24. A real server's cut answer is a typed
    # truncation (on which the backend splits the chunk: tests/llm/test_limits.py covers that with the oracle).
    config = cfg(max_tokens=24)
    items = list(extractor.segment(SEED001).items)
    rendered = plan.render(Trial(trial_id="seed-001", text=SEED001), items, config)

    async def ask() -> None:
        call = backend._Call()
        await backend._call(build_client(config), rendered, config, trial_id="seed-001", result=call)

    with pytest.raises(TruncatedOutputError) as info:
        asyncio.run(ask())
    assert info.value.trial_id == "seed-001" and info.value.attempts == 1
    assert info.value.last_output and info.value.last_output.lstrip().startswith("{")
