"""Input readers: files, directories, globs and stdin -> a stream of :class:`Trial` (or :class:`InputError`).

Formats, chosen by extension (``.gz`` allowed on top of any of them):

* ``.txt`` / ``.md``: one trial; the id is the file stem.
* ``.jsonl`` / ``.ndjson``: one record a line.
* ``.json``: one record, a list of records, or a ClinicalTrials.gov API v2 search page ``{"studies": [...]}``.
  Top-level lists and ``studies`` arrays are streamed element by element.
* ``.csv``: one record a row (header required, strict quoting).
* ``-``: standard input in :attr:`ReaderOptions.stdin_format` (``jsonl``, ``json``, ``csv``, ``txt``), or sniffed
  (``auto``, the default): JSON / JSONL when it starts with ``{`` or ``[``, CSV when its first line is a CSV header
  naming the text field, else one text trial ``stdin``. Gzip on stdin is recognised by its magic number and
  decompressed first.

A record is either a ClinicalTrials.gov API v2 study (it has ``protocolSection``) or a flat record whose id and
text sit in ``id_field`` / ``text_field`` (defaults ``nct_id`` / ``eligibility_criteria``). Registry fields are kept
in :attr:`Trial.registry`: for v2 studies ``title`` (the brief title), ``sex``, ``minimum_age``, ``maximum_age``,
``healthy_volunteers``, ``std_ages``, ``conditions``, ``phases``; for flat records every other non-null field.

Readers are generators and never raise on bad data: a record that cannot become a trial (no text, text over
:data:`~extractor.api.MAX_TEXT_CHARS`, undecodable bytes or lone surrogates, numbers too long for ``int``, nesting
deeper than 64 levels, malformed JSON or CSV, missing id, unknown format, missing file, corrupt compressed data) is
yielded as an :class:`InputError` carrying ``file``, ``line`` and, when known, ``field`` and ``trial_id``; reading
goes on with the next record. Every string a :class:`Trial` holds encodes as UTF-8. :attr:`Trial.source` is
``"path:line"``. Errors without an id that start on the same line as an earlier error of the file get the id
``"path:line#n"`` (the n-th such error on that line), so that every error record has its own id.

Limits: a malformed element inside a ``.json`` document is skipped by bracket matching; when that cannot find its
end, the rest of the document is one error. A CSV quoted field that is never closed is an error and the lines
after its first are read again as rows, unless the record is over the size cap (then what it spans is skipped,
to the end of the file at worst, and named in the error).
"""

from __future__ import annotations

import csv
import glob
import gzip
import io
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from extractor.errors import InputError
from extractor.io import _decode
from extractor.io._csv_records import _read_csv
from extractor.io._decode import _MAX_TEXT_BYTES, _READ_ERRORS, _safe
from extractor.io._json_records import _Json, _read_json, _read_jsonl
from extractor.io._records import (
    DEFAULT_ID_FIELD,
    DEFAULT_TEXT_FIELD,
    STDIN_FORMATS,
    ReaderOptions,
    ReadItem,
    StdinFormat,
    _read_text,
)

__all__ = [
    "DEFAULT_ID_FIELD",
    "DEFAULT_TEXT_FIELD",
    "KNOWN_EXTENSIONS",
    "STDIN_FORMATS",
    "ReadItem",
    "ReaderOptions",
    "StdinFormat",
    "count_records",
    "expand_inputs",
    "read_inputs",
]

KNOWN_EXTENSIONS = (".txt", ".md", ".json", ".jsonl", ".ndjson", ".csv")
_GLOB_CHARS = frozenset("*?[")


# --------------------------------------------------------------------------------------------------- expansion


def _format_of(path: str) -> str | None:
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for ext in KNOWN_EXTENSIONS:
        if name.endswith(ext):
            return {".md": ".txt", ".ndjson": ".jsonl"}.get(ext, ext)
    return None


def _is_patient_file(name: str) -> bool:
    """A patient file for ``extractor match`` (``patient.json``, ``patient_bundle.json``), not a trial input."""
    lower = name.lower()
    return lower.startswith("patient") and lower.endswith(".json")


def expand_inputs(inputs: Iterable[str]) -> Iterator[str | InputError]:
    """Expand INPUT arguments into file paths (and ``-``): directories recurse, globs expand, sorted.

    In a directory, hidden files and patient files (``patient*.json``, the inputs of ``extractor match``) are
    left out; named on the command line they are read. Missing paths and globs that match nothing are yielded as
    :class:`InputError`.
    """
    for raw in inputs:
        if raw == "-":
            yield "-"
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                str(p)
                for p in path.rglob("*")
                if p.is_file() and _format_of(p.name) and not p.name.startswith(".") and not _is_patient_file(p.name)
            )
            if not found:
                yield InputError(f"directory has no input files ({', '.join(KNOWN_EXTENSIONS)})", file=_safe(raw))
            yield from found
        elif path.exists():
            yield raw
        elif _GLOB_CHARS & set(raw):
            matches = sorted(m for m in glob.glob(raw, recursive=True) if os.path.isfile(m))
            if not matches:
                yield InputError("glob matches no files", file=_safe(raw))
            yield from matches
        else:
            yield InputError("no such file or directory", file=_safe(raw))


def _unique_names(items: Iterator[ReadItem]) -> Iterator[ReadItem]:
    """Name errors without an id that start on the line of an earlier such error ``file:line#n`` (n-th there).

    Error records are otherwise named ``file:line``, and two bad records of a one-line JSON array would share it.
    """
    last: tuple[str | None, int | None] | None = None
    count = 0
    for item in items:
        if isinstance(item, InputError) and item.trial_id is None:
            where = (item.file, item.line)
            count = count + 1 if where == last else 1
            last = where
            if count > 1:
                name = f"{item.file or '<input>'}:{item.line or 0}#{count}"
                yield InputError(item.message, file=item.file, line=item.line, field=item.field, trial_id=name)
                continue
        yield item


def _read_file(path: str, opts: ReaderOptions) -> Iterator[ReadItem]:
    name = _safe(path)
    fmt = _format_of(path)
    if fmt is None:
        yield InputError(f"unknown input format (known: {', '.join(KNOWN_EXTENSIONS)})", file=name)
        return
    try:
        f = _open(path)
    except OSError as e:
        yield InputError(f"cannot open: {e.strerror}", file=name)
        return
    with f:
        try:
            if fmt == ".txt":
                stem = Path(path[:-3] if path.lower().endswith(".gz") else path).stem
                yield from _read_text(name, f.read(_MAX_TEXT_BYTES + 1), _safe(stem))
            elif fmt == ".jsonl":
                yield from _read_jsonl(name, f.readline, opts)
            elif fmt == ".json":
                yield from _read_json(name, f, opts)
            else:
                yield from _read_csv(name, f, opts)
        except _READ_ERRORS as e:  # truncated or corrupt gzip, I/O error mid-file
            yield InputError(f"read error: {e}", file=name)
        except Exception as e:  # a reader bug must not end the run either: the file becomes one error
            yield InputError(f"cannot read ({type(e).__name__}: {e})", file=name)


def _open(path: str) -> IO[bytes]:
    if path.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


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


def _is_jsonl_record(line: bytes) -> bool:
    """Whether ``line`` is a whole JSON object that is a record (a search page on one line is not: it is streamed)."""
    try:
        obj = _Json().loads(line.decode("utf-8-sig"))
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return False
    return not (isinstance(obj, dict) and isinstance(obj.get("studies"), list))


def _is_csv_header(line: bytes, text_field: str) -> bool:
    """Whether ``line`` reads as a CSV header with a column ``text_field``."""
    try:
        cells = next(csv.reader([line.decode("utf-8-sig", "replace").rstrip("\r\n")]), [])
    except csv.Error:
        return False
    return len(cells) > 1 and text_field in (c.strip() for c in cells)


def _read_stdin(stdin: IO[bytes], opts: ReaderOptions) -> Iterator[ReadItem]:
    """Standard input in its format; gzip (by its magic number) is decompressed first, whatever the format."""
    magic = stdin.read(2)
    rest: IO[bytes] = io.BufferedReader(_Prefixed(magic, stdin))
    if magic == _GZIP_MAGIC:
        rest = gzip.GzipFile(fileobj=rest, mode="rb")  # type: ignore[assignment]  # GzipFile reads bytes
    try:
        yield from _read_stdin_plain(rest, opts)
    except _READ_ERRORS as e:  # truncated or corrupt gzip, I/O error mid-stream
        yield InputError(f"read error: {e}", file="<stdin>")


_GZIP_MAGIC = b"\x1f\x8b"


def _read_stdin_plain(stdin: IO[bytes], opts: ReaderOptions) -> Iterator[ReadItem]:
    name = "<stdin>"
    fmt = opts.stdin_format
    if fmt == "jsonl":
        yield from _read_jsonl(name, stdin.readline, opts)
        return
    if fmt == "json":
        yield from _read_json(name, stdin, opts)
        return
    if fmt == "csv":
        yield from _read_csv(name, io.BufferedReader(_Prefixed(b"", stdin)), opts)
        return
    if fmt == "txt":
        yield from _read_text(name, stdin.read(_MAX_TEXT_BYTES + 1), "stdin")
        return
    cap = _decode._MAX_RECORD
    first = stdin.readline(cap + 1)
    head = first.lstrip(b" \t\r\n\xef\xbb\xbf")
    while not head and first and len(first) <= cap:
        more = stdin.readline(cap + 1)
        if not more:
            break
        first += more
        head = first.lstrip(b" \t\r\n\xef\xbb\xbf")
    if head[:1] == b"{" and len(first) <= cap and _is_jsonl_record(first):
        yield from _read_jsonl(name, _Chained(first, stdin).readline, opts)
        return
    if head[:1] in (b"{", b"["):
        buffered = io.BufferedReader(_Prefixed(first, stdin))
        yield from _read_json(name, buffered, opts)
        return
    if len(first) <= cap and _is_csv_header(head, opts.text_field):
        yield from _read_csv(name, io.BufferedReader(_Prefixed(first.lstrip(b"\r\n"), stdin)), opts)
        return
    yield from _read_text(name, first + stdin.read(_MAX_TEXT_BYTES + 1 - len(first)), "stdin")


class _Chained:
    """``readline(size)`` over the lines of ``first`` and then ``rest``."""

    def __init__(self, first: bytes, rest: IO[bytes]) -> None:
        self._lines = deque(first.splitlines(keepends=True))
        self._rest = rest

    def readline(self, size: int = -1) -> bytes:
        if self._lines:
            return self._lines.popleft()
        return self._rest.readline(size)


def read_inputs(
    inputs: Iterable[str], opts: ReaderOptions | None = None, stdin: IO[bytes] | None = None
) -> Iterator[ReadItem]:
    """Stream every record of ``inputs`` (files, directories, globs, ``-``) as trials or input errors.

    Never raises on bad data: each record that cannot be read is an :class:`InputError` and reading goes on.
    """
    opts = opts or ReaderOptions()
    for entry in expand_inputs(inputs):
        if isinstance(entry, InputError):
            yield entry
        elif entry == "-":
            yield from _unique_names(_read_stdin(stdin if stdin is not None else sys.stdin.buffer, opts))
        else:
            yield from _unique_names(_read_file(entry, opts))


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
            while chunk := f.read(_decode._CHUNK):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
            lines += last != b"\n"
            return max(lines - 1, 0) if fmt == ".csv" else lines
    except _READ_ERRORS:
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
