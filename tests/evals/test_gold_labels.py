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


def test_gold_set_size_and_kind_support() -> None:
    """The issue's floor: >= 90 corpus gold trials and >= 25 gold criteria for every core kind."""
    from collections import Counter

    from extractor.evals import CORE_KINDS

    cases = [c for c in load_gold(GOLD, TEXTS) if c.gold.origin == "corpus"]
    assert len(cases) >= 90
    support = Counter(crit.kind for c in cases for crit in c.gold.criteria)
    thin = {k: support[k] for k in CORE_KINDS if support[k] < 25}
    assert not thin, thin
    assert all(c.gold.reviewed for c in cases)


def test_gold_evidence_lies_inside_one_segmented_item() -> None:
    """Strict matching can only pair a gold criterion whose evidence lies in a single segmented item."""
    from extractor.evals.match import innermost_item
    from extractor.segment import segment

    for case in load_gold(GOLD, TEXTS):
        items = [(it.start, it.end) for it in segment(case.text).items]
        outside = [c.evidence.text[:60] for c in case.gold.criteria if innermost_item(c.evidence, items) is None]
        assert not outside, (case.file, outside)


def test_every_registered_kind_is_measured() -> None:
    """A kind added to the registry without gold criteria would pass every gate unmeasured: each kind needs some."""
    from collections import Counter

    from extractor.kinds import KINDS

    support = Counter(crit.kind for c in load_gold(GOLD, TEXTS) for crit in c.gold.criteria)
    unmeasured = [k for k in KINDS if support[k] < 5]
    assert not unmeasured, f"kinds with fewer than 5 gold criteria: {unmeasured}"
