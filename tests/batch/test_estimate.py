"""The dry run tells the truth: its estimates against the oracle server's counted usage on the gold trials.

The oracle counts tokens as characters / 4 (messages JSON plus schema or tools JSON, each rounded up), so the dry
run is asked for the same count (``tokenizer="chars"``): like is compared with like. Completion tokens are the
oracle's answers (the gold labels), which the estimate's answer-size model was fitted to.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from extractor import aextract
from extractor.batch import BatchRunner, RunOptions
from extractor.batch.estimate import TokenCounter, estimate_trial
from extractor.evals import GoldCase, load_gold
from extractor.llm.client import close_clients
from extractor.llm.config import LLMConfig
from extractor.models import Trial
from extractor.testing.oracle import OracleServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gold() -> list[GoldCase]:
    return load_gold(ROOT / "gold_labels")


def _served(gold: list[GoldCase], cases: list[GoldCase], backend: str, mode: str) -> tuple[Any, LLMConfig]:
    """Extract ``cases`` against the oracle; its counters and the config used."""

    async def run_all(config: LLMConfig) -> None:
        gate = asyncio.Semaphore(8)

        async def one(case: GoldCase) -> None:
            async with gate:
                await aextract(case.text, backend=backend, trial_id=case.trial_id, llm=config)  # type: ignore[arg-type]

        try:
            await asyncio.gather(*(one(c) for c in cases))
        finally:
            await close_clients()

    with OracleServer(gold) as oracle:
        config = LLMConfig(base_url=oracle.base_url, mode=mode)
        asyncio.run(run_all(config))
        return oracle.stats, config


@pytest.mark.parametrize("backend", ["llm", "hybrid"])
def test_dry_run_is_within_5_percent_of_the_oracles_usage(gold: list[GoldCase], backend: str) -> None:
    stats, _ = _served(gold, gold, backend, "json_schema")
    runner = BatchRunner(RunOptions(backend=backend, llm=LLMConfig(mode="json_schema")), None)  # no key, no URL
    report = runner.dry_run(iter([Trial(trial_id=c.trial_id, text=c.text) for c in gold]), tokenizer="chars")
    assert stats.truncated == stats.context_errors == stats.reasks == 0  # nothing the estimate cannot foresee
    assert report.requests == stats.requests
    assert report.estimated_prompt_tokens == pytest.approx(stats.prompt_tokens, rel=0.05)
    # the answer-size model was fitted to these answers; re-fit it (estimate.py) when the answer schema changes
    assert report.estimated_completion_tokens == pytest.approx(stats.completion_tokens, rel=0.05)
    assert report.estimated_cost_usd is not None and report.estimated_prompt_cost_usd is not None
    assert report.estimated_cost_usd > report.estimated_prompt_cost_usd > 0
    assert any("characters / 4" in a for a in report.assumptions)
    assert any("routing" in a for a in report.assumptions) == (backend == "hybrid")


@pytest.mark.parametrize("mode", ["tools", "md_json"])
def test_prompt_estimate_follows_the_instructor_mode(gold: list[GoldCase], mode: str) -> None:
    """md_json writes the schema into the messages (about twice the tokens): the estimate sees what is sent."""
    cases = gold[:6]
    stats, config = _served(gold, cases, "llm", mode)
    est = [estimate_trial(Trial(trial_id=c.trial_id, text=c.text), config) for c in cases]
    assert sum(e.requests for e in est) == stats.requests
    assert sum(e.prompt_tokens for e in est) == pytest.approx(stats.prompt_tokens, rel=0.01)


def test_hybrid_estimate_prices_only_the_routed_items(gold: list[GoldCase]) -> None:
    config = LLMConfig()
    trials = [Trial(trial_id=c.trial_id, text=c.text) for c in gold[:20]]
    llm = [estimate_trial(t, config, "llm") for t in trials]
    hybrid = [estimate_trial(t, config, "hybrid") for t in trials]
    assert sum(h.completion_tokens for h in hybrid) < sum(e.completion_tokens for e in llm)
    assert all(h.requests <= e.requests for h, e in zip(hybrid, llm, strict=True))
    assert estimate_trial(Trial(trial_id="empty", text=" "), config, "hybrid") == (0, 0, 0)


def test_token_counter_uses_tiktoken_when_it_can_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    chars = TokenCounter("gpt-4o-mini", "chars")
    assert chars.encoding is None and chars("x" * 9) == 3 and "characters / 4" in chars.note
    tiktoken = pytest.importorskip("tiktoken")

    class Bytes:  # a stand-in encoding: one token a byte (tiktoken's real files are not fetched in tests)
        name = "bytes"

        def encode(self, text: str, disallowed_special: Any = ()) -> list[int]:
            return list(text.encode())

    monkeypatch.setattr(tiktoken, "encoding_for_model", lambda model: Bytes())
    counter = TokenCounter("gpt-4o-mini")
    assert counter("é1") == 3 and "tiktoken (bytes)" in counter.note

    def offline(model: str) -> Any:
        raise ConnectionError("no route to the encoding file")

    monkeypatch.setattr(tiktoken, "encoding_for_model", offline)
    fallback = TokenCounter("gpt-4o-mini")
    assert fallback.encoding is None and "offline" in fallback.note
    from extractor.errors import ConfigError

    with pytest.raises(ConfigError, match="tiktoken"):
        TokenCounter("gpt-4o-mini", "tiktoken")


def test_cli_dry_run_prices_hybrid_below_llm_without_a_key(
    gold: list[GoldCase], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from extractor.cli import app

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    inp = tmp_path / "in.jsonl"
    inp.write_text(
        "".join(json.dumps({"nct_id": c.trial_id, "eligibility_criteria": c.text}) + "\n" for c in gold[:10])
    )
    reports = {}
    for backend in ("llm", "hybrid"):
        res = CliRunner().invoke(app, ["extract", str(inp), "--backend", backend, "--dry-run", "--no-cache"])
        assert res.exit_code == 0, res.output
        reports[backend] = json.loads(res.stdout)
        assert "completion tokens" in res.stderr and "no endpoint or key configured" in res.stderr
    llm, hybrid = reports["llm"], reports["hybrid"]
    assert 0 < hybrid["estimated_completion_tokens"] < llm["estimated_completion_tokens"]
    assert 0 < hybrid["estimated_prompt_tokens"] <= llm["estimated_prompt_tokens"]
    assert 0 < hybrid["estimated_cost_usd"] < llm["estimated_cost_usd"]
