"""JSON and JSONL readers: JSONL line by line (each line capped, read by :mod:`json`); JSON documents streamed
element by element (top-level arrays and a search page's ``studies``), each element read by ijson, a malformed or
oversized element skipped by bracket matching (what ijson cannot do: it stops at the first error, and gives no
line numbers)."""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

import ijson

from extractor.errors import InputError
from extractor.io import _decode
from extractor.io._decode import _READ_ERRORS, _bad_char, _BigInt, _OversizedError, _safe
from extractor.io._records import ReaderOptions, ReadItem, _record

_STR_BODY = re.compile(r'[^"\\]*(?:\\[\s\S][^"\\]*)*')
_STRUCT = re.compile(r'["\[\]{}]')
_SCALAR_END = re.compile(r"[\s,\]}]")


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


def _capped_lines(readline: Callable[[int], bytes]) -> Iterator[bytes | None]:
    """Lines read through ``readline(size)``; None stands for a line over :data:`_MAX_RECORD` (skipped unread)."""
    cap = _decode._MAX_RECORD
    while line := readline(cap + 1):
        if len(line) <= cap or line.endswith(b"\n"):
            yield line
            continue
        while (rest := readline(_decode._CHUNK)) and not rest.endswith(b"\n"):
            pass
        yield None


def _read_jsonl(name: str, readline: Callable[[int], bytes], opts: ReaderOptions) -> Iterator[ReadItem]:
    decoder = _Json()
    lineno = 0
    try:
        for line in _capped_lines(readline):
            lineno += 1
            if line is None:
                yield InputError(f"line is over {_decode._MAX_RECORD} bytes (skipped unread)", file=name, line=lineno)
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


_IJSON = ijson.get_backend("python")
"""ijson's pure-Python backend: its C backend (yajl2_c, ijson 3.6.0) crashes the process on an integer of over 4,300
digits and exhausts memory on nesting 100,000 levels deep, both reachable from hostile input."""
_MAX_DEPTH = 1000
"""Deepest nesting read (about what :mod:`json` reads before ``RecursionError``); deeper is an error record."""
_LONG_NUMBER = re.compile(r"Unexpected symbol '-?\d{100,}")
_SURROGATE_BYTE = re.compile("[\udc80-\udcff]")


def _parse(text: str) -> Any:
    """One JSON value, parsed by ijson; raises :class:`InputError` (file and line unset) when it cannot be read.

    Undecodable bytes (decoded as lone surrogates) become ``\\udcXX`` escapes, so that inside a string they reach
    the record's checks, which name the field; integers too long for ``int()`` are read by :class:`_Json` (as
    :class:`_BigInt`, for the same reason).
    """
    data = _SURROGATE_BYTE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")
    builder = ijson.ObjectBuilder()
    depth = 0
    try:
        for event, value in _IJSON.basic_parse(io.BytesIO(data), use_float=True):
            if event in ("start_map", "start_array"):
                depth += 1
                if depth > _MAX_DEPTH:
                    raise InputError("JSON is nested too deeply to read")
            elif event in ("end_map", "end_array"):
                depth -= 1
            builder.event(event, value)
    except ijson.JSONError as e:
        if _LONG_NUMBER.match(str(e)):
            try:
                return _Json().loads(text)
            except (json.JSONDecodeError, RecursionError):
                pass
        raise InputError(f"malformed JSON: {_describe(e)}") from None
    return builder.value


def _describe(e: Exception) -> str:
    msg = str(e)
    m = re.match(r"Unexpected symbol ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") at \d+$", msg, re.S)
    if m:
        symbol = m.group(1)
        return f"unexpected {symbol if len(symbol) <= 40 else symbol[:37] + '...'}"
    return msg[:1].lower() + msg[1:200]


class _JsonStream:
    """One JSON document, read incrementally: cuts it into values (by bracket matching, counting lines and
    holding at most one value of :data:`_MAX_RECORD` characters), which :func:`_parse` reads with ijson. Top-level
    arrays and a search page's ``studies`` are streamed element by element; a malformed element is skipped."""

    def __init__(self, f: IO[bytes]) -> None:
        self._reader = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self._f = f
        self._buf = ""
        self._pos = 0
        self._keep = 0  # start of the value being cut: the buffer is kept from here
        self._line = 1  # line number at self._counted
        self._counted = 0
        self._eof = False

    def _more(self) -> bool:
        if self._eof:
            return False
        data = self._f.read(_decode._CHUNK)
        if not data:
            self._eof = True
            self._buf += self._reader.decode(b"", final=True)
            return False
        chunk = self._reader.decode(data)
        drop = min(self._pos, self._keep)
        if drop > _decode._CHUNK:  # drop what was consumed
            self.line()
            self._buf = self._buf[drop:]
            self._pos, self._keep, self._counted = self._pos - drop, self._keep - drop, self._counted - drop
        self._buf += chunk
        return True

    def line(self) -> int:
        """Line number of the cursor (counted incrementally: the cursor only moves forward)."""
        self._line += self._buf.count("\n", self._counted, self._pos)
        self._counted = self._pos
        return self._line

    def peek(self) -> str:
        self._keep = self._pos
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in " \t\r\n\ufeff":
                self._pos += 1
            self._keep = self._pos
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._more():
                return ""

    def expect(self, ch: str) -> None:
        got = self.peek()
        if got != ch:
            raise InputError(f"malformed JSON: expected {ch!r}")
        self._pos += 1

    def cut(self) -> str | None:
        """The text of the value at the cursor (cursor moved past it), by bracket matching; None when the input
        ends inside it. Raises ``_OversizedError``, after skipping it unkept, past :data:`_MAX_RECORD`."""
        first = self.peek()
        start, over = self._pos, False
        if first == "":
            return None
        if first not in '"[{':  # a number, literal or garbage: up to the next separator
            while (m := _SCALAR_END.search(self._buf, self._pos)) is None:
                self._pos = len(self._buf)
                if not self._more():
                    break
            else:
                self._pos = m.start()
            return self._buf[start : self._pos]
        depth, in_str = 0, False
        while True:
            if self._pos - self._keep > _decode._MAX_RECORD:
                over, self._keep = True, self._pos  # read on to its end, keeping nothing
            if in_str:
                end = _STR_BODY.match(self._buf, self._pos).end()  # type: ignore[union-attr]
                if end < len(self._buf) and self._buf[end] == '"':
                    in_str, self._pos = False, end + 1
                    if depth == 0:
                        break
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
                            break
                    continue
                self._pos = len(self._buf)
            if not self._more():
                return None
        if over:
            raise _OversizedError
        return self._buf[start : self._pos]

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
                raise InputError("malformed JSON: expected ',' or ']'")

    def element(self) -> Any:
        """The value at the cursor, or an :class:`InputError` (file and line unset) when it cannot be read."""
        try:
            text = self.cut()
        except _OversizedError:
            return InputError(f"record is over {_decode._MAX_RECORD} characters (skipped unread)")
        if text is None:
            raise InputError("malformed JSON: unexpected end of data")
        try:
            return _parse(text)
        except InputError as e:
            return e


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
    except InputError as e:
        yield InputError(e.message, file=name, line=stream.line())
    except _OversizedError:  # a key of a single object
        yield InputError(f"JSON key is over {_decode._MAX_RECORD} characters", file=name, line=stream.line())
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
                raise InputError("malformed JSON: expected a string key")
            key = stream.element()
            if isinstance(key, InputError):
                raise key
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
