"""Labelling helper: ``python -m extractor.evals.goldtool {fill,check,add-corpus,add-seed} ...``.

* ``fill FILE...``: set each criterion's evidence ``start``/``end`` from its verbatim quote (an existing ``start``
  is used as a hint to pick among repeated quotes); fails on quotes that are not verbatim in the text.
* ``check FILE...``: validate gold files (schema, text hash, evidence grounded and inside one segmented item).
* ``add-corpus --corpus trials.jsonl NCT...``: append corpus texts to ``evals/data/gold_texts.jsonl``.
* ``add-seed ID SEED_FILE START END``: append the verbatim slice ``[START:END)`` of a seed document.
* ``add-chia --chia-dir DIR NCT...``: append a Chia trial (``<NCT>_inc.txt`` / ``_exc.txt``, one criterion a line)
  laid out as ClinicalTrials.gov publishes criteria: two headed sections, a ``* `` bullet an item.

It never looks at extractor output: gold is written by people from the text.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from extractor.models import GoldText, GoldTrial
from extractor.segment import segment

TEXTS = Path("evals/data/gold_texts.jsonl")
CHIA_SOURCE = "shared/external/chia/{nct}_inc.txt and _exc.txt (Chia corpus, Kury et al., Sci Data 2020, CC BY 4.0)"
_MARKER = re.compile(r"^(?:\d{1,2}[.)]|[-*\u2022])\s")


def sha256(text: str) -> str:
    """Hex sha256 of UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_texts(path: Path = TEXTS) -> dict[str, GoldText]:
    """Read the gold texts file into a dict by trial id."""
    out: dict[str, GoldText] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                t = GoldText.model_validate_json(line)
                out[t.trial_id] = t
    return out


def _append_text(entry: GoldText, path: Path = TEXTS) -> None:
    existing = load_texts(path)
    if entry.trial_id in existing:
        print(f"{entry.trial_id}: already present", file=sys.stderr)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(entry.model_dump_json(exclude_none=True) + "\n")


def chia_text(inclusion: str, exclusion: str) -> str:
    """A Chia trial's two files as one criteria text: headed sections, a bullet for each non-blank line (a line that
    already starts with a list marker keeps it)."""
    parts: list[str] = []
    for heading, body in (("Inclusion Criteria:", inclusion), ("Exclusion Criteria:", exclusion)):
        lines = [ln.strip() for ln in body.replace("\r", "\n").split("\n") if ln.strip()]
        parts.append("\n".join([heading, "", *(ln if _MARKER.match(ln) else f"* {ln}" for ln in lines)]))
    return "\n\n".join(parts) + "\n"


def fill(path: Path, texts: dict[str, GoldText]) -> list[str]:
    """Fill evidence offsets in one gold YAML file in place; return problems found."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    tid = data.get("trial_id")
    if tid not in texts:
        return [f"{path}: trial_id {tid!r} has no text in {TEXTS}"]
    text = texts[tid].text
    data["text_sha256"] = sha256(text)
    problems: list[str] = []
    for i, crit in enumerate(data.get("criteria") or []):
        ev = crit.get("evidence") or {}
        quote = ev.get("text")
        if not isinstance(quote, str) or not quote.strip():
            problems.append(f"{path}: criteria[{i}].evidence.text is missing")
            continue
        hits = [m.start() for m in re.finditer(re.escape(quote), text)]
        if not hits:
            problems.append(f"{path}: criteria[{i}].evidence.text is not verbatim in the text: {quote[:80]!r}")
            continue
        hint = ev.get("start")
        if len(hits) > 1 and not isinstance(hint, int):
            problems.append(f"{path}: criteria[{i}] quote occurs {len(hits)} times at {hits}; set evidence.start")
            continue
        start = min(hits, key=lambda h: abs(h - hint)) if isinstance(hint, int) else hits[0]
        crit["evidence"] = {"text": quote, "start": start, "end": start + len(quote)}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100000), encoding="utf-8")
    return problems


def check(path: Path, texts: dict[str, GoldText]) -> list[str]:
    """Validate one gold file; return problems found (empty when it is good)."""
    try:
        gold = GoldTrial.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (ValidationError, yaml.YAMLError) as e:
        return [f"{path}: {e}"]
    if gold.trial_id not in texts:
        return [f"{path}: trial_id {gold.trial_id!r} has no text"]
    text = texts[gold.trial_id].text
    problems = []
    if gold.text_sha256 != sha256(text):
        problems.append(f"{path}: text_sha256 does not match the text")
    items = segment(text).items
    for i, c in enumerate(gold.criteria):
        ev = c.evidence
        if not ev.is_grounded_in(text):
            problems.append(f"{path}: criteria[{i}].evidence is not verbatim at its offsets")
        elif not any(it.start <= ev.start and ev.end <= it.end for it in items):
            problems.append(
                f"{path}: criteria[{i}].evidence [{ev.start}:{ev.end}] lies in no single segmented item "
                "(a heading, or a span across two items): strict matching can never pair it"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    p = argparse.ArgumentParser(prog="python -m extractor.evals.goldtool")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("fill", "check"):
        sp = sub.add_parser(name)
        sp.add_argument("files", nargs="+", type=Path)
    ac = sub.add_parser("add-corpus")
    ac.add_argument("--corpus", type=Path, required=True)
    ac.add_argument("ids", nargs="+")
    ad = sub.add_parser("add-seed")
    ad.add_argument("trial_id")
    ad.add_argument("seed_file", type=Path)
    ad.add_argument("start", type=int)
    ad.add_argument("end", type=int)
    ch = sub.add_parser("add-chia")
    ch.add_argument("--chia-dir", type=Path, required=True)
    ch.add_argument("ids", nargs="+")
    args = p.parse_args(argv)
    if args.cmd == "add-corpus":
        wanted = set(args.ids)
        with args.corpus.open(encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                if rec["nct_id"] in wanted:
                    _append_text(
                        GoldText(trial_id=rec["nct_id"], text=rec["eligibility_criteria"], source=rec["source"])
                    )
        return 0
    if args.cmd == "add-seed":
        doc = args.seed_file.read_text(encoding="utf-8")
        _append_text(
            GoldText(
                trial_id=args.trial_id,
                text=doc[args.start : args.end],
                source=f"shared/seeds/{args.seed_file.name}",
                seed_offset=args.start,
            )
        )
        return 0
    if args.cmd == "add-chia":
        for nct in args.ids:
            inc, exc = ((args.chia_dir / f"{nct}_{part}.txt").read_text(encoding="utf-8") for part in ("inc", "exc"))
            _append_text(GoldText(trial_id=nct, text=chia_text(inc, exc), source=CHIA_SOURCE.format(nct=nct)))
        return 0
    texts = load_texts()
    problems: list[str] = []
    for f in args.files:
        problems += fill(f, texts) if args.cmd == "fill" else check(f, texts)
    for pr in problems:
        print(pr, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
