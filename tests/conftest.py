"""Shared fixtures. Tests are offline: LLM tests replay cassettes (pytest-recording), live ones need --live."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "trials.jsonl"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--live", action="store_true", default=False, help="run tests that talk to a real LLM server (OPENAI_BASE_URL)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--live"):
        return
    skip = pytest.mark.skip(reason="live test: pass --live to run against a real server")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, Any]:
    """Cassettes never hold the key and match LLM calls on their body."""
    return {
        "filter_headers": ["authorization", "x-api-key", "openai-organization", "openai-project"],
        "match_on": ["method", "scheme", "host", "port", "path", "query", "body"],
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="session")
def corpus() -> dict[str, dict[str, Any]]:
    """The shared corpus by NCT id (skips when shared/ is not beside the checkout)."""
    path = Path(os.environ.get("EXTRACTOR_CORPUS", CORPUS))
    if not path.exists():
        pytest.skip(f"corpus not found at {path}")
    with path.open(encoding="utf-8") as f:
        return {r["nct_id"]: r for r in map(json.loads, f)}


@pytest.fixture(scope="session")
def gold_texts() -> dict[str, str]:
    """Bundled gold texts (evals/data/gold_texts.jsonl) by trial id: always available."""
    out: dict[str, str] = {}
    with (ROOT / "evals" / "data" / "gold_texts.jsonl").open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            out[rec["trial_id"]] = rec["text"]
    return out
