"""Fixtures for batch tests: isolated cache dir and environment, synthetic inputs, the fake OpenAI server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.batch.fake_openai import FakeOpenAI

DATA = Path(__file__).resolve().parents[1] / "data" / "batch"
ROOT = Path(__file__).resolve().parents[2]

TEMPLATE = (
    "Inclusion Criteria:\n* Age >= {age} years\n* ECOG performance status 0-{ecog}\n"
    "* Histologically confirmed HER2-positive breast cancer (trial {i})\n"
    "* Adequate organ function: ANC >= 1.5 x 10^9/L, platelets >= 100 x 10^9/L\n\n"
    "Exclusion Criteria:\n* Prior treatment with trastuzumab deruxtecan\n* Pregnant or breastfeeding women\n"
    "* Active brain metastases (note {i})\n"
)


def synthetic(n: int, prefix: str = "SYN") -> list[dict[str, str]]:
    """``n`` distinct synthetic trial records (JSONL-ready)."""
    return [
        {
            "nct_id": f"{prefix}{i:05d}",
            "eligibility_criteria": TEMPLATE.format(age=18 + i % 5, ecog=1 + i % 2, i=i),
            "sex": "ALL",
        }
        for i in range(n)
    ]


def write_jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``extractor`` in a subprocess (the real entry point, real signals, real stdio)."""
    return subprocess.run(
        [sys.executable, "-c", "from extractor.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env or os.environ.copy(),
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "EXTRACTOR_MODEL", "EXTRACTOR_INSTRUCTOR_MODE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))


@pytest.fixture
def fake_server() -> Iterator[FakeOpenAI]:
    srv = FakeOpenAI().start()
    try:
        yield srv
    finally:
        srv.stop()
