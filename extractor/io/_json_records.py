"""JSON and JSONL readers: JSONL line by line (each line capped), JSON documents streamed element by element
(top-level arrays and a search page's ``studies``), a malformed element skipped by bracket matching."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

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
        data = self._f.read(size or _decode._CHUNK)
        if not data:
            self._eof = True
            self._buf += self._reader.decode(b"", final=True)
            return False
        chunk = self._reader.decode(data)
        if self._pos > _decode._CHUNK:  # drop what was consumed
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
        size = _decode._CHUNK
        while True:
            try:
                obj, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError:
                if len(self._buf) - self._pos > _decode._MAX_RECORD:
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
            error = InputError(f"record is over {_decode._MAX_RECORD} characters (skipped unread)")
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
