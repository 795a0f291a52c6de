"""Input readers: files, directories, globs and stdin -> a stream of :class:`Trial` (or :class:`InputError`).

Formats, chosen by extension (``.gz`` allowed on top of any of them):

* ``.txt`` / ``.md``: one trial; the id is the file stem.
* ``.jsonl`` / ``.ndjson``: one record a line.
* ``.json``: one record, a list of records, or a ClinicalTrials.gov API v2 search page ``{"studies": [...]}``.
  Top-level lists and ``studies`` arrays are streamed element by element.
* ``.csv``: one record a row (header required, strict quoting).
* ``-``: standard input, sniffed: JSON / JSONL when it starts with ``{`` or ``[``, else one text trial ``stdin``.

A record is either a ClinicalTrials.gov API v2 study (it has ``protocolSection``) or a flat record whose id and
text sit in ``id_field`` / ``text_field`` (defaults ``nct_id`` / ``eligibility_criteria``). Registry fields are kept
in :attr:`Trial.registry`: for v2 studies ``sex``, ``minimum_age``, ``maximum_age``, ``healthy_volunteers``,
``std_ages``, ``conditions``, ``phases``; for flat records every other non-null field.

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

import codecs
import csv
import glob
import gzip
import io
import json
import os
import re
import sys
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from extractor.api import MAX_TEXT_CHARS
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
_MAX_RECORD = 16 * MAX_TEXT_CHARS
"""Cap on one record's raw size (bytes of a JSONL line, characters of a JSON element or CSV row): a text at the
limit in the widest JSON escapes plus registry fields. A larger record is an error and is skipped, not kept."""
_MAX_TEXT_BYTES = 4 * MAX_TEXT_CHARS  # UTF-8 takes at most 4 bytes a character
_MAX_DEPTH = 64
"""Deepest nesting of registry values kept (the JSON serialiser of output records stops near 255)."""
_READ_ERRORS = (OSError, EOFError, zlib.error)
_SURROGATE = re.compile("[\ud800-\udfff]")
_STR_BODY = re.compile(r'[^"\\]*(?:\\[\s\S][^"\\]*)*')
_STRUCT = re.compile(r'["\[\]{}]')
_SCALAR_END = re.compile(r"[\s,\]}]")

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


# ------------------------------------------------------------------------------------------------------ helpers


class _OversizedError(Exception):
    """A record over :data:`_MAX_RECORD` (internal: becomes an :class:`InputError`)."""


class _BigInt(str):
    """A JSON integer too long for ``int()`` (kept as its digits so that the field holding it can be named)."""


def _safe(s: str) -> str:
    """``s`` made encodable (undecodable bytes of file names and lone surrogates as backslash escapes)."""
    return s if s.isascii() or not _SURROGATE.search(s) else s.encode("utf-8", "backslashreplace").decode("utf-8")


def _bad_char(s: str) -> str | None:
    """Why ``s`` cannot be encoded as UTF-8 (its first undecodable byte or lone surrogate), or None."""
    if s.isascii():
        return None
    m = _SURROGATE.search(s)
    if m is None:
        return None
    ch = m.group()
    what = f"lone surrogate {ch!a}"
    if "\udc80" <= ch <= "\udcff":  # what the surrogateescape error handler makes of an undecodable byte
        what = f"undecodable byte 0x{ord(ch) - 0xDC00:02x} or {what}"
    return f"{what} at character {m.start()}"


class _Json:
    """A JSON decoder that does not raise on integers too long for ``int()``: they become :class:`_BigInt`."""

    def __init__(self) -> None:
        self._decoder = json.JSONDecoder(parse_int=self._int)

    @staticmethod
    def _int(digits: str) -> int | str:
        try:
            return int(digits)
        except ValueError:
            return _BigInt(digits)

    def raw_decode(self, s: str, pos: int = 0) -> tuple[Any, int]:
        return self._decoder.raw_decode(s, pos)

    def loads(self, s: str) -> Any:
        """Decode one document; raises ``json.JSONDecodeError`` or ``RecursionError``."""
        return self._decoder.decode(s)


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


# ------------------------------------------------------------------------------------------------------ readers


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


def _capped_lines(readline: Callable[[int], bytes]) -> Iterator[bytes | None]:
    """Lines read through ``readline(size)``; None stands for a line over :data:`_MAX_RECORD` (skipped unread)."""
    cap = _MAX_RECORD
    while line := readline(cap + 1):
        if len(line) <= cap or line.endswith(b"\n"):
            yield line
            continue
        while (rest := readline(_CHUNK)) and not rest.endswith(b"\n"):
            pass
        yield None


def _read_jsonl(name: str, readline: Callable[[int], bytes], opts: ReaderOptions) -> Iterator[ReadItem]:
    decoder = _Json()
    lineno = 0
    try:
        for line in _capped_lines(readline):
            lineno += 1
            if line is None:
                yield InputError(f"line is over {_MAX_RECORD} bytes (skipped unread)", file=name, line=lineno)
                continue
            raw = line[3:] if lineno == 1 and line.startswith(codecs.BOM_UTF8) else line
            if not raw.strip():
                continue
            # undecodable bytes become surrogates here, so the check of each field can name the field
            text = raw.decode("utf-8", "surrogateescape")
            try:
                obj = decoder.loads(text)
            except json.JSONDecodeError as e:
                bad = _bad_char(text)
                msg = f"line is not valid UTF-8 ({bad})" if bad else f"malformed JSON: {e.msg} (column {e.colno})"
                yield InputError(msg, file=name, line=lineno)
                continue
            except RecursionError:
                yield InputError("JSON is nested too deeply to read", file=name, line=lineno)
                continue
            yield _record(obj, name, lineno, opts)
    except _READ_ERRORS as e:  # truncated or corrupt gzip, I/O error: the rest of the file cannot be read
        yield InputError(f"read error: {e}", file=name, line=lineno + 1)


class _JsonStream:
    """Incremental reader of one JSON document that streams the elements of a top-level array or ``studies``."""

    def __init__(self, f: IO[bytes]) -> None:
        self._reader = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self._decoder = _Json()
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
        """The value at the cursor; raises ``_OversizedError`` (cursor unmoved) past :data:`_MAX_RECORD` characters."""
        self.peek()
        size = _CHUNK
        while True:
            try:
                obj, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError:
                if len(self._buf) - self._pos > _MAX_RECORD:
                    raise _OversizedError from None
                if self._more(size):
                    size *= 2
                    continue
                raise
            # a number at the end of the buffer may continue in the next chunk
            if end == len(self._buf) and not self._eof and self._more(size):
                continue
            self._pos = end
            return obj

    def skip(self) -> bool:
        """Move the cursor past the value at it by bracket matching, keeping nothing; False at end of input."""
        first = self.peek()
        if first == "":
            return False
        if first not in '"[{':  # a number, literal or garbage: up to the next separator
            while (m := _SCALAR_END.search(self._buf, self._pos)) is None:
                self._pos = len(self._buf)
                if not self._more():
                    return True
            self._pos = m.start()  # nothing to skip before a separator: an empty element
            return True
        depth, in_str = 0, False
        while True:
            if in_str:
                end = _STR_BODY.match(self._buf, self._pos).end()  # type: ignore[union-attr]
                if end < len(self._buf) and self._buf[end] == '"':
                    in_str, self._pos = False, end + 1
                    if depth == 0:
                        return True
                    continue
                self._pos = end  # the end of the buffer, or a backslash whose escaped character is yet to come
            else:
                m = _STRUCT.search(self._buf, self._pos)
                if m is not None:
                    ch, self._pos = m.group(), m.end()
                    if ch == '"':
                        in_str = True
                    elif ch in "[{":
                        depth += 1
                    else:
                        depth -= 1
                        if depth <= 0:
                            return True
                    continue
                self._pos = len(self._buf)
            if not self._more():
                return False

    def array(self) -> Iterator[tuple[int, Any]]:
        """Yield (line, element) of the array starting at the cursor; an element that cannot be read is an
        :class:`InputError` and the cursor moves past it."""
        self.expect("[")
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            self.peek()
            line = self.line()
            yield line, self.element()
            sep = self.peek()
            self._pos += 1
            if sep == "]":
                return
            if sep != ",":
                raise json.JSONDecodeError("expected ',' or ']'", self._buf, self._pos - 1)

    def element(self) -> Any:
        """The value at the cursor, or an :class:`InputError` (file and line unset) after skipping it."""
        try:
            return self.value()
        except _OversizedError:
            error = InputError(f"record is over {_MAX_RECORD} characters (skipped unread)")
        except RecursionError:
            error = InputError("JSON is nested too deeply to read")
        except json.JSONDecodeError as e:
            if not self.skip():
                raise
            return InputError(f"malformed JSON: {e.msg}")
        if not self.skip():
            raise json.JSONDecodeError("unexpected end of data", self._buf, self._pos)
        return error


def _located(item: Any, file: str, line: int) -> Any:
    if isinstance(item, InputError):
        return InputError(item.message, file=file, line=line, field=item.field)
    return item


def _read_json(name: str, f: IO[bytes], opts: ReaderOptions) -> Iterator[ReadItem]:
    stream = _JsonStream(f)
    try:
        first = stream.peek()
        if first == "[":
            for line, obj in stream.array():
                yield _record(_located(obj, name, line), name, line, opts)
        elif first == "{":
            yield from _read_json_object(name, stream, opts)
        elif first == "":
            yield InputError("empty JSON file", file=name, line=1)
        else:
            yield InputError("JSON input is neither an object nor a list", file=name, line=stream.line())
    except json.JSONDecodeError as e:
        yield InputError(f"malformed JSON: {e.msg}", file=name, line=stream.line())
    except _OversizedError:  # a key of a single object
        yield InputError(f"JSON key is over {_MAX_RECORD} characters", file=name, line=stream.line())
    except _READ_ERRORS as e:
        yield InputError(f"read error: {e}", file=name, line=stream.line())


def _read_json_object(name: str, stream: _JsonStream, opts: ReaderOptions) -> Iterator[ReadItem]:
    """A single record/study, or a search page whose ``studies`` array is streamed."""
    start = stream.line()
    stream.expect("{")
    fields: dict[str, Any] = {}
    error: InputError | None = None
    saw_studies = False
    if stream.peek() == "}":
        stream.expect("}")
    else:
        while True:
            if stream.peek() != '"':
                raise json.JSONDecodeError("expected a string key", "", 0)
            key = stream.value()
            stream.expect(":")
            if key == "studies" and stream.peek() == "[":
                saw_studies = True
                for line, obj in stream.array():
                    yield _record(_located(obj, name, line), name, line, opts)
            else:
                value = stream.element()
                if isinstance(value, InputError):
                    error = error or InputError(value.message, file=name, line=start, field=_safe(str(key)))
                else:
                    fields[str(key)] = value
            if stream.peek() == ",":
                stream.expect(",")
                continue
            stream.expect("}")
            break
    if not saw_studies:
        yield error or _record(fields, name, start, opts)


class _CsvLines:
    """The physical lines of a CSV text for :func:`csv.reader`: numbered, capped per record, and replayable, so
    that a record that fails can give back the lines after its first (a stray quote must not swallow rows)."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self._cap = _MAX_RECORD
        self._next = 1
        self._replay: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []
        self._size = 0
        self.eof = False

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        if self._replay:
            item = self._replay.popleft()
        else:
            line = self._text.readline(self._cap + 1)
            if not line:
                self.eof = True
                raise StopIteration
            item = (self._next, line)
            if line.endswith(("\n", "\r")):
                self._next += 1
        self.taken.append(item)
        self._size += len(item[1])
        if self._size > self._cap:
            raise _OversizedError
        return item[1]

    def start(self) -> None:
        """Begin a record."""
        self.taken, self._size, self.eof = [], 0, False

    def first_line(self) -> int:
        return self.taken[0][0] if self.taken else self._next

    def replay(self) -> None:
        """Give back the lines of the failed record after its first."""
        self._replay.extendleft(reversed(self.taken[1:]))

    def skip_record(self) -> int:
        """Drop an oversized record, reading on (keeping nothing) to the end of its quoted field; its last line."""
        quotes = sum(line.count('"') for _, line in self.taken)
        last, line = self.taken[-1]
        self.taken, self._size = [], 0
        while quotes % 2 or not line.endswith(("\n", "\r")):
            if self._replay:
                last, line = self._replay.popleft()
            else:
                line = self._text.readline(_CHUNK)
                if not line:
                    break
                last = self._next
                if line.endswith(("\n", "\r")):
                    self._next += 1
            quotes += line.count('"')
        return last


def _read_csv(name: str, f: IO[bytes], opts: ReaderOptions) -> Iterator[ReadItem]:
    csv.field_size_limit(2**31 - 1)
    text = io.TextIOWrapper(f, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        yield from _csv_rows(name, _CsvLines(text), opts)
    finally:
        text.detach()  # the caller closes f


def _csv_rows(name: str, lines: _CsvLines, opts: ReaderOptions) -> Iterator[ReadItem]:
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield InputError("empty CSV file", file=name, line=1)
        return
    except (csv.Error, _OversizedError) as e:
        yield InputError(f"malformed CSV header: {e or 'too long'}", file=name, line=1)
        return
    except _READ_ERRORS as e:
        yield InputError(f"read error: {e}", file=name, line=1)
        return
    header = [h.strip() for h in header]
    if opts.text_field not in header:
        yield InputError(f"CSV has no column {opts.text_field!r}", file=name, line=1, field=opts.text_field)
        return
    while True:
        lines.start()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            start = lines.first_line()
            if lines.eof:
                msg = f"malformed CSV: a quoted field of the record on line {start} is never closed"
            else:
                msg = f"malformed CSV: {e}"
            yield InputError(msg, file=name, line=start)
            lines.replay()
            continue
        except _OversizedError:
            start = lines.first_line()
            end = lines.skip_record()
            yield InputError(
                f"CSV record is over {_MAX_RECORD} characters (lines {start}-{end} skipped unread)",
                file=name,
                line=start,
            )
            continue
        except _READ_ERRORS as e:
            yield InputError(f"read error: {e}", file=name, line=lines.first_line())
            return
        start = lines.first_line()
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield InputError(f"row has {len(row)} fields, header has {len(header)}", file=name, line=start)
            continue
        rec = {k: (v if v != "" else None) for k, v in zip(header, row, strict=True)}
        bad = next(((k, b) for k, v in zip(header, row, strict=True) if (b := _bad_char(k) or _bad_char(v))), None)
        if bad is not None:
            tid = rec.get(opts.id_field)
            yield InputError(
                f"row is not valid UTF-8 ({bad[1]})",
                file=name,
                line=start,
                field=_safe(bad[0]),
                trial_id=tid if tid and not _bad_char(tid) else None,
            )
            continue
        yield _record(rec, name, start, opts)


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


def _read_stdin(stdin: IO[bytes], opts: ReaderOptions) -> Iterator[ReadItem]:
    name = "<stdin>"
    cap = _MAX_RECORD
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
            while chunk := f.read(_CHUNK):
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
