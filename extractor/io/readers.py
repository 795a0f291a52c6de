"""Input readers: files, directories, globs and stdin -> a stream of :class:`Trial` (or :class:`InputError`).

Formats, chosen by extension (``.gz`` allowed on top of any of them):

* ``.txt`` / ``.md``: one trial; the id is the file stem.
* ``.jsonl`` / ``.ndjson``: one record a line.
* ``.json``: one record, a list of records, or a ClinicalTrials.gov API v2 search page ``{"studies": [...]}``.
  Top-level lists and ``studies`` arrays are streamed element by element.
* ``.csv``: one record a row (header required).
* ``-``: standard input, sniffed: JSON / JSONL when it starts with ``{`` or ``[``, else one text trial ``stdin``.

A record is either a ClinicalTrials.gov API v2 study (it has ``protocolSection``) or a flat record whose id and
text sit in ``id_field`` / ``text_field`` (defaults ``nct_id`` / ``eligibility_criteria``). Registry fields are kept
in :attr:`Trial.registry`: for v2 studies ``sex``, ``minimum_age``, ``maximum_age``, ``healthy_volunteers``,
``std_ages``, ``conditions``, ``phases``; for flat records every other non-null field.

Readers are generators and never raise on bad data: a record that cannot become a trial (no text, undecodable
bytes, malformed JSON, missing id, unknown format, missing file) is yielded as an :class:`InputError` carrying
``file``, ``line`` and, when known, ``trial_id``. :attr:`Trial.source` is ``"path:line"``.
"""

from __future__ import annotations

import codecs
import csv
import glob
import gzip
import io
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from extractor.errors import InputError
from extractor.models import Trial

__all__ = [
    "DEFAULT_ID_FIELD",
    "DEFAULT_TEXT_FIELD",
    "KNOWN_EXTENSIONS",
    "ReadItem",
    "ReaderOptions",
    "count_records",
    "expand_inputs",
    "read_inputs",
]

DEFAULT_ID_FIELD = "nct_id"
DEFAULT_TEXT_FIELD = "eligibility_criteria"
KNOWN_EXTENSIONS = (".txt", ".md", ".json", ".jsonl", ".ndjson", ".csv")
_GLOB_CHARS = frozenset("*?[")
_CHUNK = 1 << 20

ReadItem = Trial | InputError
"""What readers yield: a trial, or the error describing a record that could not become one."""


@dataclass(frozen=True)
class ReaderOptions:
    """Field names for flat records (JSON, JSONL, CSV)."""

    id_field: str = DEFAULT_ID_FIELD
    text_field: str = DEFAULT_TEXT_FIELD


# --------------------------------------------------------------------------------------------------- expansion


def _format_of(path: str) -> str | None:
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for ext in KNOWN_EXTENSIONS:
        if name.endswith(ext):
            return {".md": ".txt", ".ndjson": ".jsonl"}.get(ext, ext)
    return None


def expand_inputs(inputs: Iterable[str]) -> Iterator[str | InputError]:
    """Expand INPUT arguments into file paths (and ``-``): directories recurse, globs expand, sorted.

    Missing paths and globs that match nothing are yielded as :class:`InputError`.
    """
    for raw in inputs:
        if raw == "-":
            yield "-"
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                str(p) for p in path.rglob("*") if p.is_file() and _format_of(p.name) and not p.name.startswith(".")
            )
            if not found:
                yield InputError(f"directory has no input files ({', '.join(KNOWN_EXTENSIONS)})", file=raw)
            yield from found
        elif path.exists():
            yield raw
        elif _GLOB_CHARS & set(raw):
            matches = sorted(m for m in glob.glob(raw, recursive=True) if os.path.isfile(m))
            if not matches:
                yield InputError("glob matches no files", file=raw)
            yield from matches
        else:
            yield InputError("no such file or directory", file=raw)


# ------------------------------------------------------------------------------------------------------ helpers


def _open(path: str) -> IO[bytes]:
    if path.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _trial(
    trial_id: Any, text: Any, registry: dict[str, Any], file: str, line: int, *, opts_field: str, id_field: str
) -> ReadItem:
    if trial_id is None or (isinstance(trial_id, str) and not trial_id.strip()):
        return InputError(f"record has no id (field {id_field!r})", file=file, line=line, field=id_field)
    tid = str(trial_id).strip()
    if not isinstance(text, str):
        if text is None:
            return InputError(
                f"record has no criteria text (field {opts_field!r})",
                file=file,
                line=line,
                field=opts_field,
                trial_id=tid,
            )
        return InputError(
            f"criteria text is a {type(text).__name__}, not a string",
            file=file,
            line=line,
            field=opts_field,
            trial_id=tid,
        )
    if not text.strip():
        return InputError("criteria text is empty", file=file, line=line, field=opts_field, trial_id=tid)
    if "\x00" in text:
        return InputError("criteria text contains NUL bytes", file=file, line=line, field=opts_field, trial_id=tid)
    if any("\udc80" <= ch <= "\udcff" for ch in text if ch >= "\ud800"):
        return InputError("criteria text is not valid UTF-8", file=file, line=line, field=opts_field, trial_id=tid)
    return Trial(trial_id=tid, text=text, registry=registry, source=f"{file}:{line}")


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
    if not isinstance(obj, dict):
        return InputError(f"record is a JSON {type(obj).__name__}, not an object", file=file, line=line)
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


# ------------------------------------------------------------------------------------------------------ readers


def _read_text(name: str, data: bytes, trial_id: str) -> Iterator[ReadItem]:
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


def _read_jsonl(name: str, lines: Iterable[bytes], opts: ReaderOptions) -> Iterator[ReadItem]:
    for lineno, line in enumerate(lines, 1):
        raw = line[3:] if lineno == 1 and line.startswith(codecs.BOM_UTF8) else line
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            yield InputError(f"line is not valid UTF-8 (byte {e.start})", file=name, line=lineno)
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            yield InputError(f"malformed JSON: {e.msg} (column {e.colno})", file=name, line=lineno)
            continue
        yield _record(obj, name, lineno, opts)


class _JsonStream:
    """Incremental reader of one JSON document that streams the elements of a top-level array or ``studies``."""

    def __init__(self, f: IO[bytes]) -> None:
        self._reader = codecs.getincrementaldecoder("utf-8")()
        self._f = f
        self._buf = ""
        self._pos = 0
        self._line = 1  # line number at self._counted
        self._counted = 0
        self._eof = False

    def _more(self, size: int = 0) -> bool:
        if self._eof:
            return False
        data = self._f.read(size or _CHUNK)
        if not data:
            self._eof = True
            self._buf += self._reader.decode(b"", final=True)
            return False
        chunk = self._reader.decode(data)
        if self._pos > _CHUNK:  # drop what was consumed
            self.line()
            self._buf, self._pos, self._counted = self._buf[self._pos :], 0, 0
        self._buf += chunk
        return True

    def line(self) -> int:
        """Line number of the cursor (counted incrementally: the cursor only moves forward)."""
        self._line += self._buf.count("\n", self._counted, self._pos)
        self._counted = self._pos
        return self._line

    def peek(self) -> str:
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in " \t\r\n\ufeff":
                self._pos += 1
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._more():
                return ""

    def expect(self, ch: str) -> None:
        got = self.peek()
        if got != ch:
            raise json.JSONDecodeError(f"expected {ch!r}", self._buf, self._pos)
        self._pos += 1

    def value(self) -> Any:
        self.peek()
        size = _CHUNK
        decoder = json.JSONDecoder()
        while True:
            try:
                obj, end = decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError:
                if self._more(size):
                    size *= 2
                    continue
                raise
            # a number at the end of the buffer may continue in the next chunk
            if end == len(self._buf) and not self._eof and self._more(size):
                continue
            self._pos = end
            return obj

    def array(self) -> Iterator[tuple[int, Any]]:
        """Yield (line, element) of the array starting at the cursor."""
        self.expect("[")
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            self.peek()
            line = self.line()
            yield line, self.value()
            sep = self.peek()
            self._pos += 1
            if sep == "]":
                return
            if sep != ",":
                raise json.JSONDecodeError("expected ',' or ']'", self._buf, self._pos - 1)


def _read_json(name: str, f: IO[bytes], opts: ReaderOptions) -> Iterator[ReadItem]:
    stream = _JsonStream(f)
    try:
        first = stream.peek()
        if first == "[":
            for line, obj in stream.array():
                yield _record(obj, name, line, opts)
        elif first == "{":
            yield from _read_json_object(name, stream, opts)
        elif first == "":
            yield InputError("empty JSON file", file=name, line=1)
        else:
            yield InputError("JSON input is neither an object nor a list", file=name, line=stream.line())
    except json.JSONDecodeError as e:
        yield InputError(f"malformed JSON: {e.msg}", file=name, line=stream.line())
    except UnicodeDecodeError as e:
        yield InputError(f"file is not valid UTF-8: {e.reason}", file=name, line=stream.line())


def _read_json_object(name: str, stream: _JsonStream, opts: ReaderOptions) -> Iterator[ReadItem]:
    """A single record/study, or a search page whose ``studies`` array is streamed."""
    start = stream.line()
    stream.expect("{")
    fields: dict[str, Any] = {}
    saw_studies = False
    if stream.peek() == "}":
        stream.expect("}")
    else:
        while True:
            key = stream.value()
            stream.expect(":")
            if key == "studies" and stream.peek() == "[":
                saw_studies = True
                for line, obj in stream.array():
                    yield _record(obj, name, line, opts)
            else:
                fields[str(key)] = stream.value()
            if stream.peek() == ",":
                stream.expect(",")
                continue
            stream.expect("}")
            break
    if not saw_studies:
        yield _record(fields, name, start, opts)


def _read_csv(name: str, f: IO[bytes], opts: ReaderOptions) -> Iterator[ReadItem]:
    csv.field_size_limit(2**31 - 1)
    text = io.TextIOWrapper(f, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        yield from _csv_rows(name, csv.reader(text), opts)
    finally:
        text.detach()  # the caller closes f


def _csv_rows(name: str, reader: Any, opts: ReaderOptions) -> Iterator[ReadItem]:
    try:
        header = next(reader)
    except StopIteration:
        yield InputError("empty CSV file", file=name, line=1)
        return
    except csv.Error as e:
        yield InputError(f"malformed CSV header: {e}", file=name, line=1)
        return
    header = [h.strip() for h in header]
    if opts.text_field not in header:
        yield InputError(f"CSV has no column {opts.text_field!r}", file=name, line=1, field=opts.text_field)
        return
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield InputError(f"malformed CSV: {e}", file=name, line=start)
            return
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield InputError(f"row has {len(row)} fields, header has {len(header)}", file=name, line=start)
            continue
        rec = {k: (v if v != "" else None) for k, v in zip(header, row, strict=True)}
        if any("\udc80" <= ch <= "\udcff" for v in row for ch in v if ch >= "\ud800"):
            yield InputError("row is not valid UTF-8", file=name, line=start, trial_id=rec.get(opts.id_field))
            continue
        yield _record(rec, name, start, opts)


def _read_file(path: str, opts: ReaderOptions) -> Iterator[ReadItem]:
    fmt = _format_of(path)
    if fmt is None:
        yield InputError(f"unknown input format (known: {', '.join(KNOWN_EXTENSIONS)})", file=path)
        return
    try:
        f = _open(path)
    except OSError as e:
        yield InputError(f"cannot open: {e.strerror}", file=path)
        return
    with f:
        try:
            if fmt == ".txt":
                stem = Path(path[:-3] if path.lower().endswith(".gz") else path).stem
                yield from _read_text(path, f.read(), stem)
            elif fmt == ".jsonl":
                yield from _read_jsonl(path, f, opts)
            elif fmt == ".json":
                yield from _read_json(path, f, opts)
            else:
                yield from _read_csv(path, f, opts)
        except (OSError, EOFError) as e:  # truncated gzip, I/O error mid-file
            yield InputError(f"read error: {e}", file=path)


class _Prefixed(io.RawIOBase):
    """A raw stream that replays ``prefix`` before reading on from ``rest`` (for sniffing stdin)."""

    def __init__(self, prefix: bytes, rest: IO[bytes]) -> None:
        self._prefix, self._rest = prefix, rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self._prefix:
            n = min(len(b), len(self._prefix))
            b[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(b))
        b[: len(data)] = data
        return len(data)


def _read_stdin(stdin: IO[bytes], opts: ReaderOptions) -> Iterator[ReadItem]:
    name = "<stdin>"
    first = stdin.readline()
    head = first.lstrip(b" \t\r\n\xef\xbb\xbf")
    while not head and first:
        more = stdin.readline()
        if not more:
            break
        first += more
        head = first.lstrip(b" \t\r\n\xef\xbb\xbf")
    if head[:1] == b"{":
        try:
            json.loads(first.decode("utf-8-sig"))
            is_jsonl = True
        except (json.JSONDecodeError, UnicodeDecodeError):
            is_jsonl = False
        if is_jsonl:
            yield from _read_jsonl(name, _chain_lines(first, stdin), opts)
            return
    if head[:1] in (b"{", b"["):
        buffered = io.BufferedReader(_Prefixed(first, stdin))
        yield from _read_json(name, buffered, opts)
        return
    yield from _read_text(name, first + stdin.read(), "stdin")


def _chain_lines(first: bytes, rest: IO[bytes]) -> Iterator[bytes]:
    yield from first.splitlines(keepends=True)
    yield from rest


def read_inputs(
    inputs: Iterable[str], opts: ReaderOptions | None = None, stdin: IO[bytes] | None = None
) -> Iterator[ReadItem]:
    """Stream every record of ``inputs`` (files, directories, globs, ``-``) as trials or input errors."""
    opts = opts or ReaderOptions()
    for entry in expand_inputs(inputs):
        if isinstance(entry, InputError):
            yield entry
        elif entry == "-":
            yield from _read_stdin(stdin if stdin is not None else sys.stdin.buffer, opts)
        else:
            yield from _read_file(entry, opts)


def _count_file(path: str) -> int | None:
    fmt = _format_of(path)
    if fmt == ".txt" or fmt is None:
        return 1
    try:
        with _open(path) as f:
            if fmt == ".json":
                if os.path.getsize(path) > 256 << 20:
                    return None
                return sum(1 for _ in _read_json(path, f, ReaderOptions()))
            lines = 0
            last = b"\n"
            while chunk := f.read(_CHUNK):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
            lines += last != b"\n"
            return max(lines - 1, 0) if fmt == ".csv" else lines
    except (OSError, EOFError):
        return 1


def count_records(inputs: Iterable[str]) -> int | None:
    """A quick estimate of the number of records (line counts; None when stdin is among the inputs)."""
    total = 0
    for entry in expand_inputs(inputs):
        if entry == "-":
            return None
        if isinstance(entry, InputError):
            total += 1
            continue
        n = _count_file(entry)
        if n is None:
            return None
        total += n
    return total
