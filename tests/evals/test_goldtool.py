"""The labelling helper's text intake: Chia trials laid out as ClinicalTrials.gov publishes criteria."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.evals import goldtool
from extractor.segment import segment


def test_chia_text_heads_sections_and_bullets_each_line() -> None:
    text = goldtool.chia_text("Age >= 18\r\n\r\n1. ECOG 0-1 \n", "Pregnancy\n- Known HIV\n")
    assert text == (
        "Inclusion Criteria:\n\n* Age >= 18\n1. ECOG 0-1\n\nExclusion Criteria:\n\n* Pregnancy\n- Known HIV\n"
    )
    items = segment(text).items
    assert [(i.text, i.polarity) for i in items] == [
        ("Age >= 18", "inclusion"),
        ("ECOG 0-1", "inclusion"),
        ("Pregnancy", "exclusion"),
        ("Known HIV", "exclusion"),
    ]


def test_add_chia_appends_once_with_its_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "NCT00000001_inc.txt").write_text("Age >= 18\n", encoding="utf-8")
    (tmp_path / "NCT00000001_exc.txt").write_text("Pregnancy\n", encoding="utf-8")
    texts = tmp_path / "texts.jsonl"
    monkeypatch.setattr(goldtool._append_text, "__defaults__", (texts,))
    args = ["add-chia", "--chia-dir", str(tmp_path), "NCT00000001"]
    assert goldtool.main(args) == 0 and goldtool.main(args) == 0
    lines = texts.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    rec = json.loads(lines[0])
    assert rec["trial_id"] == "NCT00000001" and "CC BY 4.0" in rec["source"]
    assert rec["text"].startswith("Inclusion Criteria:\n\n* Age >= 18")
