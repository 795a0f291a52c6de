"""CSV reader: one record a row (header required, strict quoting), numbered lines, a capped record size, and the
lines of a malformed record read again as rows."""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Iterator
from typing import IO

from extractor.errors import InputError
from extractor.io import _decode
from extractor.io._decode import _READ_ERRORS, _bad_char, _OversizedError, _safe
from extractor.io._records import ReaderOptions, ReadItem, _record


class _CsvLines:
    """The physical lines of a CSV text for :func:`csv.reader`: numbered, capped per record, and replayable, so
    that a record that fails can give back the lines after its first (a stray quote must not swallow rows)."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self._cap = _decode._MAX_RECORD
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
                line = self._text.readline(_decode._CHUNK)
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
                f"CSV record is over {_decode._MAX_RECORD} characters (lines {start}-{end} skipped unread)",
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
            if len(lines.taken) > 1:  # a stray quote joined lines into one bad record: read them again as rows
                lines.replay()
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
