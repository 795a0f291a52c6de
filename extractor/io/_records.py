"""Records -> trials: flat records and ClinicalTrials.gov API v2 studies become :class:`Trial` or
:class:`InputError` (with the checks of id, text and registry values), and a text file becomes one trial."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from extractor.api import MAX_TEXT_CHARS
from extractor.errors import InputError
from extractor.io._decode import _MAX_TEXT_BYTES, _bad_char, _BigInt, _safe
from extractor.models import Trial

DEFAULT_ID_FIELD = "nct_id"
DEFAULT_TEXT_FIELD = "eligibility_criteria"
_MAX_DEPTH = 64
"""Deepest nesting of registry values kept (the JSON serialiser of output records stops near 255)."""

ReadItem = Trial | InputError
"""What readers yield: a trial, or the error describing a record that could not become one."""


StdinFormat = Literal["auto", "jsonl", "json", "csv", "txt"]
STDIN_FORMATS: tuple[StdinFormat, ...] = ("auto", "jsonl", "json", "csv", "txt")


@dataclass(frozen=True)
class ReaderOptions:
    """Field names for flat records (JSON, JSONL, CSV), and the format of stdin (``auto``: sniffed)."""

    id_field: str = DEFAULT_ID_FIELD
    text_field: str = DEFAULT_TEXT_FIELD
    stdin_format: StdinFormat = "auto"


def _registry_problem(registry: dict[str, Any]) -> tuple[str, str] | None:
    """(field, message) of the first registry value that cannot be kept, walking iteratively (no recursion)."""
    stack: list[tuple[str, str, Any, int]] = [(key, key, value, 1) for key, value in reversed(registry.items())]
    while stack:
        root, path, value, depth = stack.pop()
        if isinstance(value, _BigInt):
            return path, f"field {_safe(path)!r} is a number of {len(value)} digits, too long to read"
        if isinstance(value, str):
            bad = _bad_char(value)
            if bad:
                return path, f"field {_safe(path)!r} is not valid UTF-8 ({bad})"
        elif isinstance(value, dict | list):
            if depth > _MAX_DEPTH:
                return root, f"field {_safe(root)!r} is nested more than {_MAX_DEPTH} levels deep"
            if isinstance(value, dict):
                for key, sub in reversed(value.items()):
                    bad = _bad_char(key)
                    if bad:
                        return path, f"a key in field {_safe(path)!r} is not valid UTF-8 ({bad})"
                    stack.append((root, f"{path}.{key}", sub, depth + 1))
            else:
                stack.extend((root, f"{path}[{i}]", sub, depth + 1) for i, sub in reversed(list(enumerate(value))))
    return None


def _trial(
    trial_id: Any, text: Any, registry: dict[str, Any], file: str, line: int, *, opts_field: str, id_field: str
) -> ReadItem:
    if trial_id is None or (isinstance(trial_id, str) and not trial_id.strip()):
        return InputError(f"record has no id (field {id_field!r})", file=file, line=line, field=id_field)
    if isinstance(trial_id, _BigInt):
        return InputError(
            f"id is a number of {len(trial_id)} digits, too long to read", file=file, line=line, field=id_field
        )
    if not isinstance(trial_id, str | int) or isinstance(trial_id, bool):
        kind = "boolean" if isinstance(trial_id, bool) else type(trial_id).__name__
        return InputError(f"id is a {kind}, not a string or integer", file=file, line=line, field=id_field)
    tid = str(trial_id).strip()
    bad = _bad_char(tid)
    if bad:
        return InputError(f"id is not valid UTF-8 ({bad})", file=file, line=line, field=id_field)
    if not isinstance(text, str) or isinstance(text, _BigInt):
        if text is None:
            return InputError(
                f"record has no criteria text (field {opts_field!r})",
                file=file,
                line=line,
                field=opts_field,
                trial_id=tid,
            )
        return InputError(
            f"criteria text is a {'number' if isinstance(text, _BigInt) else type(text).__name__}, not a string",
            file=file,
            line=line,
            field=opts_field,
            trial_id=tid,
        )
    if len(text) > MAX_TEXT_CHARS:
        return InputError(
            f"criteria text is {len(text)} characters; the limit is {MAX_TEXT_CHARS}",
            file=file,
            line=line,
            field=opts_field,
            trial_id=tid,
        )
    if not text.strip():
        return InputError("criteria text is empty", file=file, line=line, field=opts_field, trial_id=tid)
    if "\x00" in text:
        return InputError("criteria text contains NUL bytes", file=file, line=line, field=opts_field, trial_id=tid)
    bad = _bad_char(text)
    if bad:
        return InputError(
            f"criteria text is not valid UTF-8 ({bad})", file=file, line=line, field=opts_field, trial_id=tid
        )
    problem = _registry_problem(registry)
    if problem:
        return InputError(problem[1], file=file, line=line, field=_safe(problem[0]), trial_id=tid)
    try:
        return Trial(trial_id=tid, text=text, registry=registry, source=f"{file}:{line}")
    except ValidationError as e:  # not expected after the checks above; an error record all the same
        return InputError(f"invalid record: {e.errors()[0]['msg']}", file=file, line=line, trial_id=tid)


def _ctgov_study(study: dict[str, Any], file: str, line: int) -> ReadItem:
    proto = study.get("protocolSection")
    if not isinstance(proto, dict):
        return InputError("study has no protocolSection", file=file, line=line, field="protocolSection")
    ident = proto.get("identificationModule") or {}
    elig = proto.get("eligibilityModule") or {}
    cond = proto.get("conditionsModule") or {}
    design = proto.get("designModule") or {}
    registry: dict[str, Any] = {}
    for key, src, value_from in (
        ("title", "briefTitle", ident),
        ("sex", "sex", elig),
        ("minimum_age", "minimumAge", elig),
        ("maximum_age", "maximumAge", elig),
        ("healthy_volunteers", "healthyVolunteers", elig),
        ("std_ages", "stdAges", elig),
        ("conditions", "conditions", cond),
        ("phases", "phases", design),
    ):
        if isinstance(value_from, dict) and value_from.get(src) is not None:
            registry[key] = value_from[src]
    nct = ident.get("nctId") if isinstance(ident, dict) else None
    text = elig.get("eligibilityCriteria") if isinstance(elig, dict) else None
    return _trial(nct, text, registry, file, line, opts_field="eligibilityCriteria", id_field="nctId")


def _record(obj: Any, file: str, line: int, opts: ReaderOptions) -> ReadItem:
    if isinstance(obj, InputError):
        return obj
    if not isinstance(obj, dict):
        kind = "number" if isinstance(obj, _BigInt) else type(obj).__name__
        return InputError(f"record is a JSON {kind}, not an object", file=file, line=line)
    if "protocolSection" in obj:
        return _ctgov_study(obj, file, line)
    registry = {k: v for k, v in obj.items() if k not in (opts.id_field, opts.text_field) and v is not None}
    return _trial(
        obj.get(opts.id_field),
        obj.get(opts.text_field),
        registry,
        file,
        line,
        opts_field=opts.text_field,
        id_field=opts.id_field,
    )


def _read_text(name: str, data: bytes, trial_id: str) -> Iterator[ReadItem]:
    if len(data) > _MAX_TEXT_BYTES:
        yield InputError(
            f"text file is over {_MAX_TEXT_BYTES} bytes; the limit is {MAX_TEXT_CHARS} characters",
            file=name,
            line=1,
            field="text",
            trial_id=trial_id,
        )
        return
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        yield InputError(
            f"text is not valid UTF-8 (byte {e.start})", file=name, line=line, field="text", trial_id=trial_id
        )
        return
    yield _trial(trial_id, text, {}, name, 1, opts_field="text", id_field="id")
