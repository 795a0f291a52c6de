"""Fixtures of the eval-harness tests: a tiny synthetic gold set (two trials), its texts and predictions."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from extractor.models import Criterion

DATA = Path(__file__).resolve().parents[1] / "data" / "evals"
_CRITERION: TypeAdapter[Criterion] = TypeAdapter(Criterion)


def crit(kind: str, text: str, quote: str, polarity: str = "inclusion", nth: int = 0, **fields: Any) -> Criterion:
    """A criterion of ``kind`` whose evidence is the ``nth`` occurrence of ``quote`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    return _CRITERION.validate_python(
        {
            "kind": kind,
            "polarity": polarity,
            "evidence": {"text": quote, "start": start, "end": start + len(quote)},
            **fields,
        }
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A writable copy of tests/data/evals (gold/, texts.jsonl, preds.jsonl)."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    return dst
