"""Load and validate the gold set: ``gold_labels/<trial_id>.yaml`` files plus their texts.

Every file is checked (YAML, :class:`GoldTrial` schema, known trial, text hash, every evidence verbatim at its
offsets); the first failure raises :class:`GoldError` naming the file and the field path, and nothing is returned.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from extractor.errors import GoldError, InputError
from extractor.models import KINDS, GoldText, GoldTrial
from extractor.vocab import read_yaml

__all__ = [
    "GOLD_SUFFIXES",
    "GoldCase",
    "GoldFingerprint",
    "default_texts_path",
    "field_path",
    "fingerprint",
    "load_gold",
    "select_cases",
]

GOLD_SUFFIXES = (".yaml", ".yml", ".json")


class GoldCase(BaseModel):
    """One validated gold trial together with the exact text its offsets refer to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gold: GoldTrial
    text: str
    file: str

    @property
    def trial_id(self) -> str:
        """The gold trial's id."""
        return self.gold.trial_id


class GoldFingerprint(BaseModel):
    """What gold set a result was measured on: trial ids, criteria count, and a hash of texts and labels."""

    model_config = ConfigDict(extra="forbid")

    trials: int
    criteria: int
    ids: list[str] = Field(default_factory=list)
    sha256: str = Field(description="sha256 over each trial's id, text hash and canonical criteria JSON, in id order.")


def fingerprint(cases: Sequence[GoldCase]) -> GoldFingerprint:
    """The fingerprint of a gold set (notes and review flags do not count; texts and criteria do)."""
    h = hashlib.sha256()
    for case in sorted(cases, key=lambda c: c.trial_id):
        h.update(case.trial_id.encode())
        h.update(case.gold.text_sha256.encode())
        for c in case.gold.criteria:
            h.update(c.model_dump_json(exclude_none=True).encode())
    return GoldFingerprint(
        trials=len(cases),
        criteria=sum(len(c.gold.criteria) for c in cases),
        ids=sorted(c.trial_id for c in cases),
        sha256=h.hexdigest(),
    )


def default_texts_path(gold_dir: Path) -> Path:
    """``evals/data/gold_texts.jsonl`` beside the gold directory (the repository layout)."""
    return gold_dir.resolve().parent / "evals" / "data" / "gold_texts.jsonl"


def field_path(loc: Sequence[int | str]) -> str:
    """A pydantic error location as a field path, e.g. ``criteria[3].evidence`` (union tags dropped)."""
    out = ""
    prev: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(prev, int) and part in KINDS:
            pass  # discriminated-union tag, e.g. ('criteria', 3, 'her2', 'status')
        else:
            out += f".{part}" if out else part
        prev = part
    return out or "<root>"


def _first_error(e: ValidationError) -> tuple[str, str]:
    err = e.errors()[0]
    more = e.error_count() - 1
    msg = " ".join(str(err["msg"]).split())
    if more:
        msg += f" (and {more} more error{'s' if more > 1 else ''})"
    return field_path(err["loc"]), msg


def _read(path: Path) -> Any:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise GoldError(f"cannot read gold file: {e}", file=str(path)) from e
    try:
        return json.loads(raw) if path.suffix == ".json" else read_yaml(raw)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or "syntax error"
        raise GoldError(f"not valid YAML{where}: {problem}", file=str(path)) from e
    except json.JSONDecodeError as e:
        raise GoldError(f"not valid JSON at line {e.lineno}: {e.msg}", file=str(path)) from e


def _load_one(path: Path, texts: dict[str, GoldText], texts_path: Path) -> GoldCase:
    from extractor.evals.goldtool import sha256  # imported late: `python -m extractor.evals.goldtool` stays clean

    data = _read(path)
    if not isinstance(data, dict):
        raise GoldError(
            "a gold file must hold a mapping (trial_id, source, criteria...)", file=str(path), field="<root>"
        )
    try:
        gold = GoldTrial.model_validate(data)
    except ValidationError as e:
        field, msg = _first_error(e)
        raise GoldError(f"does not validate: {msg}", file=str(path), field=field) from e
    if path.stem != gold.trial_id:
        raise GoldError(
            f"trial_id {gold.trial_id!r} differs from the file name {path.name!r}", file=str(path), field="trial_id"
        )
    entry = texts.get(gold.trial_id)
    if entry is None:
        raise GoldError(
            f"unknown trial {gold.trial_id!r}: no text for it in {texts_path}", file=str(path), field="trial_id"
        )
    if gold.text_sha256 != sha256(entry.text):
        raise GoldError(
            f"text_sha256 does not match the text of {gold.trial_id!r} in {texts_path}",
            file=str(path),
            field="text_sha256",
        )
    for i, crit in enumerate(gold.criteria):
        ev = crit.evidence
        if not ev.is_grounded_in(entry.text):
            found = entry.text.find(ev.text) if ev.text.strip() else -1
            hint = f" (the quote is at offset {found})" if found >= 0 else " (the quote is not in the text)"
            raise GoldError(
                f"evidence {ev.text[:60]!r} is not verbatim at [{ev.start}:{ev.end}]{hint}",
                file=str(path),
                field=f"criteria[{i}].evidence",
            )
    return GoldCase(gold=gold, text=entry.text, file=str(path))


def load_gold(gold_dir: str | Path, texts_path: str | Path | None = None) -> list[GoldCase]:
    """Load and validate every gold file of ``gold_dir`` (sorted by trial id); all-or-nothing.

    Raises :class:`GoldError` (with ``file`` and ``field``) on the first problem, including a missing directory
    or texts file.
    """
    from extractor.evals.goldtool import load_texts

    gdir = Path(gold_dir)
    if not gdir.is_dir():
        raise GoldError("gold directory not found", file=str(gdir))
    tpath = Path(texts_path) if texts_path is not None else default_texts_path(gdir)
    if not tpath.is_file():
        raise GoldError("gold texts file not found", file=str(tpath))
    try:
        texts = load_texts(tpath)
    except ValidationError as e:
        field, msg = _first_error(e)
        raise GoldError(f"bad gold text record: {msg}", file=str(tpath), field=field) from e
    except (ValueError, OSError) as e:
        raise GoldError(f"cannot read gold texts: {e}", file=str(tpath)) from e
    files = sorted(p for p in gdir.iterdir() if p.is_file() and p.suffix in GOLD_SUFFIXES)
    cases: dict[str, GoldCase] = {}
    for path in files:
        case = _load_one(path, texts, tpath)
        if case.trial_id in cases:
            raise GoldError(
                f"trial {case.trial_id!r} is also labelled in {cases[case.trial_id].file}",
                file=str(path),
                field="trial_id",
            )
        cases[case.trial_id] = case
    return [cases[k] for k in sorted(cases)]


def select_cases(cases: Sequence[GoldCase], trials: str | Iterable[str] | None) -> list[GoldCase]:
    """The gold cases named by ``trials`` (sorted by id; all of ``cases`` when None).

    ``trials`` is a comma-separated string of ids, ``"@FILE"`` (one id a line; blank lines and ``#`` comments
    skipped) or an iterable of ids. Raises :class:`InputError` naming the ids without gold (``field="--trials"``),
    or naming the file when it cannot be read.
    """
    if trials is None:
        return list(cases)
    if isinstance(trials, str) and trials.startswith("@"):
        path = Path(trials[1:])
        try:
            wanted = path.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise InputError(f"cannot read the trials file: {e.strerror or e}", file=str(path)) from e
    else:
        wanted = trials.split(",") if isinstance(trials, str) else list(trials)
    ids = [w.strip() for w in wanted]
    ids = [w for w in ids if w and not w.startswith("#")]
    by_id = {c.trial_id: c for c in cases}
    unknown = [w for w in ids if w not in by_id]
    if unknown:
        raise InputError(f"--trials names trials without gold: {', '.join(unknown[:10])}", field="--trials")
    return [by_id[w] for w in sorted(set(ids))]
