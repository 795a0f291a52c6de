"""Output writers (JSONL, JSON, CSV) that survive crashes, and the scan that lets a run resume.

**JSONL (default)**: one :class:`~extractor.models.OutputRecord` per line, serialised by :func:`record_json` as
``record.model_dump_json(exclude={"source_text"} unless requested)``: every line has the same keys in the same
order (``schema_version, trial_id, text_sha256, source, registry, criteria, rejected, items, provenance, error``
and, with ``--include-text``, ``source_text``); ``null`` values are kept, so ``error`` is ``null`` on success and
``{"type", "message", "file", "line", "field", "attempts"}`` on failure.

**JSON**: the same records as one array, one record a line (``[`` / ``,`` prefixes, ``]`` on the last line).

**CSV**: one row per criterion. The default layout (``--csv-fields json``) has the columns :data:`CSV_COLUMNS`,
kind-specific fields packed into ``fields`` as a JSON object; ``--csv-fields flat`` has one typed column per field
(:func:`~extractor.io.formats.flat_columns`). A trial with no criteria, or an error, still gets one row (empty
``kind``) so every trial is present.

**Parquet** (the ``parquet`` extra): the flat layout with typed columns, see :mod:`extractor.io._parquet`.

**Gzip**: an output named ``*.gz`` is gzip-compressed, one gzip member per record (see :mod:`extractor.io._gzip`),
and resumes like a plain one. :class:`~extractor.io.formats.OutputOptions` holds format, layout and compression;
every function here takes it or a bare format name.

Durability: the file is opened with ``O_APPEND`` and every record (all its CSV rows) goes out in one ``write``
call, straight to the kernel (no user-space buffer), so a crash or ``kill -9`` never leaves a record half written
except possibly the very last one. :func:`scan_output` finds the trial ids already written, and truncates a torn
trailing record before a run appends to the file again.

Safety: :func:`check_output` refuses an output that the run would also read (the same file as an input, through
a symlink or hard link, inside an input directory or matched by an input glob, or the redirected stdin) and one
that is not a regular file (FIFO, device, directory; stdout is ``None``, the CLI's ``-``). :class:`OutputLock`
makes one run at a time own an output, and an ``OSError`` of the output always names the file (``filename``).
Both live in :mod:`extractor.io.output_guard` and are re-exported here.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.errors import ConfigError, ExtractorError, InputError, LLMError
from extractor.io import _gzip, _parquet
from extractor.io.formats import (
    CSV_FIELDS,
    FORMATS,
    CsvFields,
    OutputFormat,
    OutputOptions,
    csv_cell,
    flat_columns,
    flat_rows,
    output_options,
)
from extractor.io.output_guard import OutputLock, _named, _require_regular, check_output
from extractor.models import BASE_FIELDS, OutputRecord
from extractor.models.records import ErrorInfo

__all__ = [
    "CSV_COLUMNS",
    "CSV_FIELDS",
    "FORMATS",
    "CsvFields",
    "OutputFormat",
    "OutputLock",
    "OutputOptions",
    "OutputScan",
    "RecordWriter",
    "check_output",
    "csv_columns",
    "drop_records",
    "error_info",
    "error_record",
    "format_record",
    "record_json",
    "scan_output",
]

CSV_COLUMNS = (
    "trial_id",
    "source",
    "kind",
    "polarity",
    "cohort",
    "item",
    "evidence_text",
    "evidence_start",
    "evidence_end",
    "fields",
    "backend",
    "error_type",
    "error_message",
)
"""Columns of the default CSV layout (``--csv-fields json``)."""
_ERROR_KEYS = frozenset(ErrorInfo.model_fields) - {"type", "message"}
_ID_RE = re.compile(rb'^[\[,]?\{"schema_version":\d+,"trial_id":"((?:[^"\\]|\\.)*)"')


def error_info(exc: BaseException, *, file: str | None = None, line: int | None = None) -> ErrorInfo:
    """The :class:`ErrorInfo` of an exception (its typed context for library errors, redacted)."""
    if isinstance(exc, ExtractorError):
        data = exc.to_dict()
        info = {k: v for k, v in data.items() if k in _ERROR_KEYS}
        if isinstance(exc, LLMError) and exc.attempts is not None:
            info["attempts"] = exc.attempts
        return ErrorInfo(type=data["type"], message=data["message"], **{"file": file, "line": line, **info})
    from extractor.errors import redact

    return ErrorInfo(
        type=type(exc).__name__, message=redact(str(exc))[:2000] or type(exc).__name__, file=file, line=line
    )


def error_record(
    exc: BaseException,
    *,
    trial_id: str | None = None,
    source: str | None = None,
    registry: dict[str, Any] | None = None,
    text_sha256: str | None = None,
) -> OutputRecord:
    """The output record of a trial that failed. Input errors without an id are named ``file:line``."""
    if trial_id is None and isinstance(exc, InputError):
        trial_id = exc.trial_id or f"{exc.file or '<input>'}:{exc.line or 0}"
    if source is None and isinstance(exc, InputError) and exc.file:
        source = f"{exc.file}:{exc.line}" if exc.line else exc.file
    return OutputRecord(
        trial_id=trial_id or "<unknown>",
        source=source,
        registry=registry or {},
        text_sha256=text_sha256,
        error=error_info(exc),
    )


def record_json(record: OutputRecord) -> str:
    """The canonical one-line JSON of a record (``source_text`` only when set)."""
    exclude = {"source_text"} if record.source_text is None else None
    return record.model_dump_json(exclude=exclude)


def _csv_rows(record: OutputRecord) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    err = record.error
    tail = [err.type if err else "", err.message if err else ""]
    if not record.criteria:
        w.writerow([record.trial_id, record.source or "", "", "", "", "", "", "", "", "", "", *tail])
    for c in record.criteria:
        data = c.model_dump(mode="json")
        extra = {k: v for k, v in data.items() if k not in BASE_FIELDS}
        w.writerow(
            [
                record.trial_id,
                record.source or "",
                c.kind,
                c.polarity,
                c.cohort or "",
                "" if c.item is None else c.item,
                c.evidence.text,
                c.evidence.start,
                c.evidence.end,
                json.dumps(extra, ensure_ascii=False, separators=(",", ":")),
                c.backend or "",
                *tail,
            ]
        )
    return buf.getvalue()


_FLAT_NAMES = tuple(name for name, _ in flat_columns())


def csv_columns(fmt: OutputFormat | OutputOptions = "csv") -> tuple[str, ...]:
    """The CSV header of ``fmt``'s layout: :data:`CSV_COLUMNS`, or the flat columns for ``--csv-fields flat``."""
    return _FLAT_NAMES if output_options(fmt).flat else CSV_COLUMNS


def _flat_csv_rows(body: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row in flat_rows(json.loads(body)):
        w.writerow([csv_cell(row.get(name)) for name in _FLAT_NAMES])
    return buf.getvalue()


def format_record(record: OutputRecord, fmt: OutputFormat | OutputOptions) -> str:
    """The body of a record for a writer of ``fmt``: a JSON line without newline (jsonl, json, and the flat
    layouts, which the writer turns into rows) or complete CSV rows (the default CSV layout)."""
    return _csv_rows(record) if output_options(fmt).body_format == "csv" else record_json(record)


@dataclass
class OutputScan:
    """What an existing output file holds: trial ids (those that are errors too), records, and the bytes of a
    torn trailing record (``truncated_bytes``) or of a JSON array's closing line (``closed_bytes``) removed."""

    ids: set[str] = field(default_factory=set)
    error_ids: set[str] = field(default_factory=set)
    records: int = 0
    truncated_bytes: int = 0
    closed_bytes: int = 0
    bad_lines: int = 0
    size: int = 0


def _scan_lines(path: Path, opts: OutputOptions, scan: OutputScan) -> int:
    """Scan JSONL/JSON lines; return the byte offset where the valid content ends."""
    good_end = 0
    for raw, offset in _gzip.lines(path, opts.gzip):
        body = raw.rstrip(b"\r\n")
        if opts.format == "json" and body in (b"]", b"[]", b"[", b""):
            if body in (b"]", b"[]"):
                scan.closed_bytes = offset - good_end
                return good_end  # a finished array: reopen it
            good_end = offset
            continue
        m = _ID_RE.match(body)
        tid: str | None = None
        is_error: bool
        if m is not None and (body.endswith(b"}")):
            tid = json.loads(b'"' + m.group(1) + b'"')
            is_error = b',"error":null' not in body
        else:
            try:
                obj = json.loads(body.lstrip(b"[,"))
                tid = obj["trial_id"] if isinstance(obj, dict) else None
                is_error = isinstance(obj, dict) and obj.get("error") is not None
            except (json.JSONDecodeError, UnicodeDecodeError):
                tid = None
                is_error = False
        if not isinstance(tid, str):
            scan.bad_lines += 1
            good_end = offset
            continue
        scan.ids.add(tid)
        if is_error:
            scan.error_ids.add(tid)
        scan.records += 1
        good_end = offset
    return good_end


def _scan_csv(path: Path, opts: OutputOptions, scan: OutputScan) -> int:
    good_end = 0
    pos = 0
    columns = list(csv_columns(opts))
    error_col = columns.index("error.type" if opts.flat else "error_type")

    def lines() -> Iterator[str]:
        nonlocal pos
        for raw, offset in _gzip.lines(path, opts.gzip):
            pos = offset
            yield raw.decode("utf-8", errors="replace")

    reader = csv.reader(lines(), strict=True)
    try:
        for row in reader:
            if row and row[0] == columns[0] and reader.line_num == 1:
                if row != columns:
                    raise ConfigError(
                        f"the output {path} has other CSV columns than --csv-fields {opts.csv_fields} writes; "
                        "use the --csv-fields it was written with, --overwrite, or a new output",
                        file=str(path),
                    )
                good_end = pos
                continue
            if len(row) != len(columns):
                break
            if row[0] not in scan.ids:
                scan.records += 1
            scan.ids.add(row[0])
            if row[error_col]:
                scan.error_ids.add(row[0])
            good_end = pos
    except csv.Error:
        pass
    return good_end


def scan_output(path: Path, fmt: OutputFormat | OutputOptions, *, repair: bool = True) -> OutputScan:
    """Read the trial ids already in ``path``; with ``repair``, truncate a torn trailing record (and a JSON
    array's closing ``]``) so that appending continues the file. Anything but a regular file is refused (reading
    a FIFO or ``/dev/stdout`` would block, ``/dev/full`` never ends)."""
    opts = output_options(fmt)
    scan = OutputScan()
    try:
        st = path.stat()
    except FileNotFoundError:
        return scan
    _require_regular(path, st)
    scan.size = st.st_size
    try:
        if opts.format == "parquet":
            scan.ids, scan.error_ids = _parquet.scan_ids(path)
            scan.records = len(scan.ids)
            return scan
        end = _scan_csv(path, opts, scan) if opts.format == "csv" else _scan_lines(path, opts, scan)
        scan.truncated_bytes = scan.size - end - scan.closed_bytes
        if repair and end < scan.size:
            os.truncate(path, end)
    except OSError as e:
        raise _named(e, str(path)) from e
    return scan


def _retain(path: Path, opts: OutputOptions, drop: set[str]) -> None:
    """Rewrite ``path`` without the records of ``drop`` (atomically, via a temporary file)."""
    if opts.format == "parquet":
        _parquet.drop(path, drop)
        return
    tmp = path.with_name(path.name + ".tmp")
    try:
        _rewrite(path, tmp, opts, drop)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise _named(e, str(path)) from e


def _rewrite(path: Path, tmp: Path, opts: OutputOptions, drop: set[str]) -> None:
    def out(text: str) -> None:  # one record: one gzip member when compressed
        data = text.encode("utf-8")
        dst.write(_gzip.compress(data) if opts.gzip else data)

    opener = gzip.open if opts.gzip else open
    with opener(path, "rb") as src, tmp.open("wb") as dst:
        if opts.format == "csv":
            reader = csv.reader(io.TextIOWrapper(src, encoding="utf-8", newline=""))
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            last: str | None = None
            for row in reader:
                if reader.line_num == 1 and row and row[0] == CSV_COLUMNS[0]:
                    writer.writerow(row)
                    out(buf.getvalue())
                    buf.seek(0)
                    buf.truncate()
                    continue
                if not row or row[0] in drop:
                    continue
                if row[0] != last and buf.tell():
                    out(buf.getvalue())
                    buf.seek(0)
                    buf.truncate()
                last = row[0]
                writer.writerow(row)
            if buf.tell():
                out(buf.getvalue())
        else:
            first = True
            closed = False
            for raw in src:
                body = raw.rstrip(b"\r\n")
                if opts.format == "json" and body in (b"[", b"]", b"[]", b""):
                    closed = closed or body in (b"]", b"[]")
                    continue
                m = _ID_RE.match(body)
                tid = json.loads(b'"' + m.group(1) + b'"') if m else json.loads(body.lstrip(b"[,"))["trial_id"]
                if tid in drop:
                    continue
                if opts.format == "json":
                    body = (b"[" if first else b",") + body.lstrip(b"[,")
                out(body.decode("utf-8") + "\n")
                first = False
            if closed:
                out("[]\n" if first else "]\n")
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, path)


def _open_regular(path: Path, overwrite: bool) -> int:
    """Open ``path`` for appending, creating it; refuse anything but a regular file without blocking on it or
    truncating it first."""
    with contextlib.suppress(FileNotFoundError):
        _require_regular(path, os.stat(path))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    try:
        _require_regular(path, os.fstat(fd))
        os.set_blocking(fd, True)
        if overwrite:
            os.ftruncate(fd, 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


class RecordWriter:
    """Append-only writer of output records to a file (or stdout when ``path`` is None).

    The file must be a regular file; it is locked (:class:`OutputLock`, unless ``lock=False``) until
    :meth:`close`, which also finishes a JSON array. Every ``OSError`` names the file (``<stdout>`` for stdout).
    ``fmt`` is a format name or :class:`OutputOptions` (gzip, CSV layout); Parquet rows go to the file at
    :meth:`close` (see :mod:`extractor.io._parquet`).
    """

    def __init__(
        self,
        path: Path | None,
        fmt: OutputFormat | OutputOptions = "jsonl",
        *,
        overwrite: bool = False,
        fsync_every: int = 0,
        lock: bool = True,
    ) -> None:
        self._opts = output_options(fmt)
        self.path = path
        self.fmt: OutputFormat = self._opts.body_format
        """What :meth:`write_body` takes: ``format_record(record, writer.fmt)``."""
        self.written = 0
        self._fsync_every = fsync_every
        self._closed = False
        self._failed = False
        self._lock: OutputLock | None = None
        self._parquet: _parquet.ParquetSink | None = None
        self._name = "<stdout>" if path is None else str(path)
        if path is None:
            if self._opts.format == "parquet":
                raise ConfigError("parquet output needs a file: -o OUT.parquet")
            self._fd = -1
            self._own = False
            self._first = True
            sys.stdout.flush()
        else:
            self._lock = OutputLock(path).acquire() if lock else None
            try:
                if self._opts.format == "parquet":
                    with contextlib.suppress(FileNotFoundError):
                        _require_regular(path, os.stat(path))
                    self._parquet = _parquet.ParquetSink(path, overwrite=overwrite)
                    self._fd = -1
                else:
                    self._fd = _open_regular(path, overwrite)
            except OSError as e:
                self._release()
                raise _named(e, self._name) from e
            except BaseException:
                self._release()
                raise
            self._own = self._parquet is None
            self._first = self._own and os.fstat(self._fd).st_size == 0
        if self._opts.format == "csv" and self._first:
            try:
                self._write(_header(csv_columns(self._opts)))
            except BaseException:
                self.close()
                raise
        if self._opts.format == "csv":
            self._first = False

    def _write(self, data: str) -> None:
        buf = data.encode("utf-8")
        if self._opts.gzip and self._fd >= 0:
            buf = _gzip.compress(buf)
        try:
            if self._fd < 0:  # stdout: one write, flushed
                sys.stdout.buffer.write(buf)
                sys.stdout.buffer.flush()
                return
            view = memoryview(buf)
            while view:
                n = os.write(self._fd, view)
                view = view[n:]
        except OSError as e:
            self._failed = True
            raise _named(e, self._name) from e

    def _fsync(self) -> None:
        try:
            os.fsync(self._fd)
        except OSError as e:
            self._failed = True
            raise _named(e, self._name) from e

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def write_body(self, body: str) -> None:
        """Write one pre-formatted record (``format_record(record, self.fmt)``) in a single write."""
        if self._opts.format == "csv" and self._opts.flat:
            body = _flat_csv_rows(body)
        elif self._parquet is not None:
            try:
                self._parquet.write_body(body)
            except OSError as e:
                self._failed = True
                raise _named(e, self._name) from e
            self.written += 1
            return
        if self._opts.format == "json":
            body = ("[" if self._first else ",") + body + "\n"
            self._first = False
        elif self._opts.format == "jsonl":
            body += "\n"
        self._write(body)
        self.written += 1
        if self._fsync_every and self._own and self.written % self._fsync_every == 0:
            self._fsync()

    def write(self, record: OutputRecord) -> None:
        """Write one record."""
        self.write_body(format_record(record, self._opts))

    def close(self) -> None:
        """Finish the file (closing ``]`` of a JSON array, unless a write failed), fsync it, close it and release
        its lock; the descriptor is closed and the lock released even when finishing fails."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._parquet is not None:
                try:
                    self._parquet.close()
                except OSError as e:
                    raise _named(e, self._name) from e
            if self._opts.format == "json" and not self._failed:
                self._write("[]\n" if self._first else "]\n")
            if self._own:
                self._fsync()
        finally:
            try:
                if self._own:
                    os.close(self._fd)
            finally:
                self._release()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _header(columns: tuple[str, ...]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(columns)
    return buf.getvalue()


def drop_records(path: Path, fmt: OutputFormat | OutputOptions, ids: set[str]) -> None:
    """Remove the records of ``ids`` from an output file (used to re-run trials that ended in errors)."""
    if ids and path.exists():
        _retain(path, output_options(fmt), ids)
