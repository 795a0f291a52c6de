"""Rule cases come from corpus phrasings or paraphrases, never from the gold (issue 11's honesty rules).

A case marked ``source: paraphrase`` must not repeat a gold text: no 60-character stretch of it (case, spaces and
markdown escapes aside) may stand in any text of ``evals/data/gold_texts.jsonl``. No case may cite a held-out gold
trial (``evals/heldout.txt``) except the few written before the split, listed here, nor an external text's trial.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WINDOW = 60

#: Cases that cite a trial later put in the held-out split (they predate it); results are also given without them.
CITED_BEFORE_THE_SPLIT = frozenset({"NCT01913106", "NCT03678025"})


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\\", "").lower()).strip()


def _cases() -> list[tuple[str, dict[str, object]]]:
    out = []
    for path in sorted((ROOT / "tests" / "rules" / "cases").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        cases = data.get("cases", data) if isinstance(data, dict) else data
        out += [(path.name, case) for case in cases]
    return out


def _gold_texts() -> list[str]:
    lines = (ROOT / "evals" / "data" / "gold_texts.jsonl").read_text(encoding="utf-8").splitlines()
    return [_norm(json.loads(line)["text"]) for line in lines if line.strip()]


def _held_out() -> set[str]:
    text = (ROOT / "evals" / "heldout.txt").read_text(encoding="utf-8")
    return {w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")}


def _external() -> set[str]:
    lines = (ROOT / "evals" / "data" / "gold_texts.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    return {r["trial_id"] for r in records if r["source"].startswith("shared/external/")}


CASES = _cases()


def test_no_paraphrase_repeats_a_gold_text() -> None:
    gold = _gold_texts()
    copied = []
    for name, case in CASES:
        if case.get("source") != "paraphrase":
            continue
        text = _norm(str(case.get("text", "")))
        windows = [text[i : i + WINDOW] for i in range(0, max(1, len(text) - WINDOW + 1), 10)]
        if len(text) >= WINDOW and any(w in g for w in windows for g in gold):
            copied.append(f"{name}: {text[:80]}")
    assert not copied, "paraphrase cases that repeat a gold text:\n" + "\n".join(copied)


def test_no_case_cites_a_held_out_trial() -> None:
    held = (_held_out() - CITED_BEFORE_THE_SPLIT) | _external()
    cited = [f"{name}: {case.get('source')}" for name, case in CASES if case.get("source") in held]
    assert not cited, "cases citing held-out or external gold trials:\n" + "\n".join(cited)


def test_the_external_texts_are_known() -> None:
    assert len(_external()) >= 10


@pytest.mark.parametrize("trial", sorted(CITED_BEFORE_THE_SPLIT))
def test_the_listed_exceptions_are_still_held_out_and_cited(trial: str) -> None:
    assert trial in _held_out()
    assert any(case.get("source") == trial for _, case in CASES)
