"""Output writers (JSONL, JSON, CSV) that survive crashes, and the scan that lets a run resume.

**JSONL (default)**: one :class:`~extractor.models.OutputRecord` per line, serialised by :func:`record_json` as
``record.model_dump_json(exclude={"source_text"} unless requested)``: every line has the same keys in the same
order (``schema_version, trial_id, text_sha256, source, registry, criteria, rejected, items, provenance, error``
and, with ``--include-text``, ``source_text``); ``null`` values are kept, so ``error`` is ``null`` on success and
``{"type", "message", "file", "line", "field", "attempts"}`` on failure.

**JSON**: the same records as one array, one record a line (``[`` / ``,`` prefixes, ``]`` on the last line).

**CSV**: one row per criterion with columns :data:`CSV_COLUMNS`; kind-specific fields go to ``fields`` as a JSON
object. A trial with no criteria, or an error, still gets one row (empty ``kind``) so every trial is present.

Durability: the file is opened with ``O_APPEND`` and every record (all its CSV rows) goes out in one ``write``
call, straight to the kernel (no user-space buffer), so a crash or ``kill -9`` never leaves a record half written
except possibly the very last one. :func:`scan_output` finds the trial ids already written, and truncates a torn
trailing record before a run appends to the file again.

Safety: :func:`check_output` refuses an output that the run would also read (the same file as an input, through
a symlink or hard link, inside an input directory or matched by an input glob, or the redirected stdin) and one
that is not a regular file (FIFO, device, directory; stdout is ``None``, the CLI's ``-``). :class:`OutputLock`
makes one run at a time own an output, and an ``OSError`` of the output always names the file (``filename``).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import fnmatch
import io
import json
import os
import re
import stat
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from extractor.errors import ConfigError, ExtractorError, InputError, LLMError
from extractor.io.readers import KNOWN_EXTENSIONS, expand_inputs
from extractor.models import BASE_FIELDS, OutputRecord
from extractor.models.records import ErrorInfo

if sys.platform != "win32":
    import fcntl

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "OutputFormat",
    "OutputLock",
    "OutputScan",
    "RecordWriter",
    "check_output",
    "drop_records",
    "error_info",
    "error_record",
    "format_record",
    "record_json",
    "scan_output",
]

OutputFormat = Literal["jsonl", "json", "csv"]
FORMATS: tuple[OutputFormat, ...] = ("jsonl", "json", "csv")
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
_ERROR_KEYS = frozenset(ErrorInfo.model_fields) - {"type", "message"}
_ID_RE = re.compile(rb'^[\[,]?\{"schema_version":\d+,"trial_id":"((?:[^"\\]|\\.)*)"')
_GLOB_CHARS = frozenset("*?[")
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


# ------------------------------------------------------------------------------------------------- safety


def _named(exc: OSError, name: str) -> OSError:
    """``exc`` with ``filename`` set to ``name`` when it has none (the errno picks the subclass again)."""
    if exc.filename is not None:
        return exc
    if exc.errno is None:
        return OSError(f"{name}: {exc}")
    return OSError(exc.errno, exc.strerror or os.strerror(exc.errno), name)


def _require_regular(path: Path | str, st: os.stat_result) -> None:
    """Raise :class:`ConfigError` unless ``st`` is a regular file (nothing else can be scanned and resumed)."""
    if stat.S_ISREG(st.st_mode):
        return
    kind = next((name for test, name in _KINDS if test(st.st_mode)), "a special file")
    raise ConfigError(
        f"the output {path} is {kind}, not a regular file; write to a file, or use -o - for standard output",
        file=str(path),
    )


def _is_input_name(name: str) -> bool:
    """Whether a directory scan of the readers would pick up a file of this name."""
    low = name.lower().removesuffix(".gz")
    return not name.startswith(".") and low.endswith(KNOWN_EXTENSIONS)


def _glob_matches(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    """``glob.glob(recursive=True)`` semantics on path components: ``**`` spans directories, wildcards skip
    names starting with a dot."""
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(
            _glob_matches(rest, parts[i:])
            for i in range(len(parts) + 1)
            if not any(p.startswith(".") for p in parts[:i])
        )
    if not parts or (parts[0].startswith(".") and not head.startswith(".")):
        return False
    return fnmatch.fnmatchcase(parts[0], head) and _glob_matches(rest, parts[1:])


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _input_overlap(output: Path, st: os.stat_result | None, inputs: list[str]) -> str | None:
    """The input (argument or file) that is, or would come to hold, ``output``; None when there is none."""
    if "-" in inputs and st is not None:
        with contextlib.suppress(OSError):
            if _same(os.fstat(0), st):
                return "standard input"
    if st is not None:  # an existing file: is it one of the files the readers would open?
        for item in expand_inputs(i for i in inputs if i != "-"):
            if isinstance(item, str):
                with contextlib.suppress(OSError):
                    if _same(os.stat(item), st):
                        return item
        return None
    # a file the run is about to create: would a directory scan or a glob expanded later pick it up?
    names = {os.path.abspath(output), os.path.realpath(output)}
    for raw in inputs:
        if raw == "-":
            continue
        if os.path.isdir(raw):
            dirs = {os.path.abspath(raw), os.path.realpath(raw)}
            inside = any(n.startswith(d.rstrip(os.sep) + os.sep) for n in names for d in dirs)
            if inside and _is_input_name(output.name):
                return f"inside the input directory {raw}"
        elif not os.path.exists(raw) and _GLOB_CHARS & set(raw):
            pattern = Path(os.path.abspath(raw)).parts
            if any(_glob_matches(pattern, Path(n).parts) for n in names):
                return f"matched by the input pattern {raw}"
    return None


def check_output(output: Path, inputs: Iterable[str]) -> None:
    """Refuse, before anything is opened or written, an output the run would also read, or one that is not a
    regular file (FIFO, device, directory, socket). Raises :class:`ConfigError` naming ``output``."""
    try:
        st: os.stat_result | None = os.stat(output)
    except FileNotFoundError:
        st = None
    if st is not None:
        _require_regular(output, st)
    where = _input_overlap(output, st, list(inputs))
    if where is not None:
        raise ConfigError(
            f"the output {output} is also an input ({where}); write the output somewhere the inputs do not cover",
            file=str(output),
        )


_HELD: dict[str, list[int]] = {}
"""Locks this process holds: lock file -> [descriptor, depth] (a lock is re-entrant within one process)."""
_HELD_GUARD = threading.Lock()


class OutputLock:
    """An exclusive lock on an output file, so that one run at a time writes it.

    The lock is a POSIX record lock (``fcntl.lockf``) on a sibling file ``.NAME.lock`` next to the real path of
    the output (symlinks resolved, so two spellings of one file share a lock). The kernel drops it when the
    process dies, forked pool workers do not inherit it, and the file is removed on release. Acquiring never
    waits: a lock held by another process raises :class:`ConfigError` naming the output (and the holder's pid).
    """

    def __init__(self, output: str | os.PathLike[str]) -> None:
        self.output = Path(output)
        real = Path(os.path.realpath(output))
        self.lock_path = real.with_name(f".{real.name}.lock")
        self.held = False

    def acquire(self) -> OutputLock:
        """Take the lock (or raise); returns ``self``."""
        if self.held:
            return self
        key = str(self.lock_path)
        with _HELD_GUARD:
            entry = _HELD.get(key)
            if entry is not None:
                entry[1] += 1
            else:
                _HELD[key] = [self._lock(), 1]
        self.held = True
        return self

    def release(self) -> None:
        """Give the lock up (the last holder in this process removes the lock file)."""
        if not self.held:
            return
        self.held = False
        key = str(self.lock_path)
        with _HELD_GUARD:
            entry = _HELD[key]
            entry[1] -= 1
            if entry[1] == 0:
                del _HELD[key]
                with contextlib.suppress(OSError):
                    os.unlink(key)  # while still locked: a waiting opener sees the inode change and retries
                os.close(entry[0])

    def _lock(self) -> int:
        key = str(self.lock_path)
        for _ in range(20):
            try:
                self.lock_path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(key, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            except OSError as e:
                raise _named(e, key) from e
            try:
                if sys.platform != "win32":
                    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                holder = _read_pid(fd)
                os.close(fd)
                if e.errno not in (errno.EACCES, errno.EAGAIN):
                    raise _named(e, key) from e
                by = f" (pid {holder})" if holder else ""
                raise ConfigError(
                    f"another run is writing to {self.output}{by}; wait for it to finish or choose another output",
                    file=str(self.output),
                ) from None
            try:
                current = os.stat(key, follow_symlinks=False)
            except FileNotFoundError:
                current = None
            if current is not None and _same(current, os.fstat(fd)):
                with contextlib.suppress(OSError):  # the pid is for the message of a second run only
                    os.ftruncate(fd, 0)
                    os.write(fd, f"{os.getpid()}\n".encode())
                return fd
            os.close(fd)  # the previous holder removed this file after we opened it: lock the new one
        raise ConfigError(f"could not lock the output {self.output} (its lock file keeps changing)", file=key)

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(fd, 32, 0).decode("ascii").strip() or 0) or None
    return None


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


def format_record(record: OutputRecord, fmt: OutputFormat) -> str:
    """The body of a record in ``fmt``: a JSON line without newline (jsonl/json) or complete CSV rows."""
    return _csv_rows(record) if fmt == "csv" else record_json(record)


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


def _scan_lines(path: Path, fmt: OutputFormat, scan: OutputScan) -> int:
    """Scan JSONL/JSON lines; return the byte offset where the valid content ends."""
    good_end = 0
    with path.open("rb") as f:
        offset = 0
        for raw in f:
            offset += len(raw)
            if not raw.endswith(b"\n"):
                break  # torn trailing write
            body = raw.rstrip(b"\r\n")
            if fmt == "json" and body in (b"]", b"[]", b"[", b""):
                if body in (b"]", b"[]"):
                    scan.closed_bytes = len(raw)
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


def _scan_csv(path: Path, scan: OutputScan) -> int:
    good_end = 0
    pos = 0

    def lines() -> Iterator[str]:
        nonlocal pos
        with path.open("rb") as f:
            for raw in f:
                if not raw.endswith(b"\n"):
                    return
                pos += len(raw)
                yield raw.decode("utf-8", errors="replace")

    reader = csv.reader(lines(), strict=True)
    try:
        for row in reader:
            if row and row[0] == CSV_COLUMNS[0] and reader.line_num == 1:
                good_end = pos
                continue
            if len(row) != len(CSV_COLUMNS):
                break
            if row[0] not in scan.ids:
                scan.records += 1
            scan.ids.add(row[0])
            if row[-2]:
                scan.error_ids.add(row[0])
            good_end = pos
    except csv.Error:
        pass
    return good_end


def scan_output(path: Path, fmt: OutputFormat, *, repair: bool = True) -> OutputScan:
    """Read the trial ids already in ``path``; with ``repair``, truncate a torn trailing record (and a JSON
    array's closing ``]``) so that appending continues the file. Anything but a regular file is refused (reading
    a FIFO or ``/dev/stdout`` would block, ``/dev/full`` never ends)."""
    scan = OutputScan()
    try:
        st = path.stat()
    except FileNotFoundError:
        return scan
    _require_regular(path, st)
    scan.size = st.st_size
    try:
        end = _scan_csv(path, scan) if fmt == "csv" else _scan_lines(path, fmt, scan)
        scan.truncated_bytes = scan.size - end - scan.closed_bytes
        if repair and end < scan.size:
            os.truncate(path, end)
    except OSError as e:
        raise _named(e, str(path)) from e
    return scan


def _retain(path: Path, fmt: OutputFormat, drop: set[str]) -> None:
    """Rewrite ``path`` without the records of ``drop`` (atomically, via a temporary file)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        _rewrite(path, tmp, fmt, drop)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise _named(e, str(path)) from e


def _rewrite(path: Path, tmp: Path, fmt: OutputFormat, drop: set[str]) -> None:
    with path.open("rb") as src, tmp.open("wb") as dst:
        if fmt == "csv":
            reader = csv.reader(io.TextIOWrapper(src, encoding="utf-8", newline=""))
            writer = csv.writer(
                io.TextIOWrapper(dst, encoding="utf-8", newline="", write_through=True), lineterminator="\n"
            )
            for row in reader:
                if not row or row[0] not in drop or (reader.line_num == 1 and row[0] == CSV_COLUMNS[0]):
                    writer.writerow(row)
        else:
            first = True
            closed = False
            for raw in src:
                body = raw.rstrip(b"\r\n")
                if fmt == "json" and body in (b"[", b"]", b"[]", b""):
                    closed = closed or body in (b"]", b"[]")
                    continue
                m = _ID_RE.match(body)
                tid = json.loads(b'"' + m.group(1) + b'"') if m else json.loads(body.lstrip(b"[,"))["trial_id"]
                if tid in drop:
                    continue
                if fmt == "json":
                    body = (b"[" if first else b",") + body.lstrip(b"[,")
                dst.write(body + b"\n")
                first = False
            if closed:
                dst.write(b"[]\n" if first else b"]\n")
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
    """

    def __init__(
        self,
        path: Path | None,
        fmt: OutputFormat = "jsonl",
        *,
        overwrite: bool = False,
        fsync_every: int = 0,
        lock: bool = True,
    ) -> None:
        self.path, self.fmt = path, fmt
        self.written = 0
        self._fsync_every = fsync_every
        self._closed = False
        self._failed = False
        self._lock: OutputLock | None = None
        self._name = "<stdout>" if path is None else str(path)
        if path is None:
            self._fd = -1
            self._own = False
            self._first = True
            sys.stdout.flush()
        else:
            self._lock = OutputLock(path).acquire() if lock else None
            try:
                self._fd = _open_regular(path, overwrite)
            except OSError as e:
                self._release()
                raise _named(e, self._name) from e
            except BaseException:
                self._release()
                raise
            self._own = True
            self._first = os.fstat(self._fd).st_size == 0
        if fmt == "csv" and self._first:
            try:
                self._write(_header())
            except BaseException:
                self.close()
                raise
        if fmt == "csv":
            self._first = False

    def _write(self, data: str) -> None:
        buf = data.encode("utf-8")
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
        """Write one pre-formatted record (see :func:`format_record`) in a single write."""
        if self.fmt == "json":
            body = ("[" if self._first else ",") + body + "\n"
            self._first = False
        elif self.fmt == "jsonl":
            body += "\n"
        self._write(body)
        self.written += 1
        if self._fsync_every and self._own and self.written % self._fsync_every == 0:
            self._fsync()

    def write(self, record: OutputRecord) -> None:
        """Write one record."""
        self.write_body(format_record(record, self.fmt))

    def close(self) -> None:
        """Finish the file (closing ``]`` of a JSON array, unless a write failed), fsync it, close it and release
        its lock; the descriptor is closed and the lock released even when finishing fails."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.fmt == "json" and not self._failed:
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


def _header() -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(CSV_COLUMNS)
    return buf.getvalue()


def drop_records(path: Path, fmt: OutputFormat, ids: set[str]) -> None:
    """Remove the records of ``ids`` from an output file (used to re-run trials that ended in errors)."""
    if ids and path.exists():
        _retain(path, fmt, ids)
