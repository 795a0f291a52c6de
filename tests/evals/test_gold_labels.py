"""The gold-schema test of the issue: every real file in gold_labels/ validates (schema, text, offsets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.evals import load_gold
from extractor.evals.gold import GOLD_SUFFIXES

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "gold_labels"
TEXTS = ROOT / "evals" / "data" / "gold_texts.jsonl"


def test_every_gold_file_validates() -> None:
    files = sorted(p for p in GOLD.glob("*") if p.suffix in GOLD_SUFFIXES) if GOLD.is_dir() else []
    if not files:
        pytest.skip("no gold files yet")
    cases = load_gold(GOLD, TEXTS)  # raises GoldError naming the file and field
    assert sorted(c.trial_id for c in cases) == sorted(p.stem for p in files)
    for case in cases:
        assert case.gold.criteria, f"{case.file}: no criteria"
