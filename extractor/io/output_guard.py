"""Output safety: refuse an output the run would also read, or one that is not a regular file, and let one run at a
time own an output.

:func:`check_output` refuses an output that the run would also read (the same file as an input, through a symlink
or hard link, inside an input directory or matched by an input glob, or the redirected stdin) and one that is not a
regular file (FIFO, device, directory; stdout is ``None``, the CLI's ``-``). :class:`OutputLock` makes one run at a
time own an output, and an ``OSError`` of the output always names the file (``filename``, see :func:`_named`).
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import stat
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

from extractor.errors import ConfigError
from extractor.io.readers import KNOWN_EXTENSIONS, expand_inputs

if sys.platform != "win32":
    import fcntl

__all__ = ["OutputLock", "check_output"]

_GLOB_CHARS = frozenset("*?[")
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


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
