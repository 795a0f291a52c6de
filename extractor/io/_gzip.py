"""Gzip outputs: one gzip member per record, so that every record is still one ``write`` (a crash tears at most the
last member) and a resumed run appends members (concatenated members are one valid gzip file, RFC 1952).

:func:`lines` reads an output file (plain or gzip) as ``(line, end)`` pairs, where ``end`` is the byte offset a
resume may truncate the file to after that line: it stops at a torn trailing line or member.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from extractor.errors import ConfigError

_CHUNK = 1 << 16
_MAGIC = b"\x1f\x8b"


def compress(data: bytes) -> bytes:
    """``data`` as one gzip member (no timestamp, so equal records compress to equal bytes)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def _members(f: IO[bytes], path: Path) -> Iterator[tuple[int, bytes]]:
    """``(end offset, data)`` of each complete member; stops at a torn trailing member, raises
    :class:`ConfigError` on corrupt data (never truncate what might be records)."""
    pos = 0
    buf = b""
    while True:
        d = zlib.decompressobj(31)
        out: list[bytes] = []
        used = 0
        while not d.eof:
            if not buf:
                buf = f.read(_CHUNK)
                if not buf:
                    return  # end of file: nothing more, or a torn member
            try:
                out.append(d.decompress(buf))
            except zlib.error as e:
                raise ConfigError(
                    f"the output {path} has corrupt gzip data at byte {pos + used}; use --overwrite or a new output",
                    file=str(path),
                ) from e
            if d.eof:
                used += len(buf) - len(d.unused_data)
                buf = d.unused_data
            else:
                used += len(buf)
                buf = b""
        pos += used
        yield pos, b"".join(out)


def lines(path: Path, gz: bool) -> Iterator[tuple[bytes, int]]:
    """Complete lines of ``path`` with the offset a resume may truncate to after each (see module docstring)."""
    with path.open("rb") as f:
        if not gz:
            offset = 0
            for raw in f:
                if not raw.endswith(b"\n"):
                    return  # torn trailing write
                offset += len(raw)
                yield raw, offset
            return
        head = f.read(2)
        if head and head != _MAGIC:
            raise ConfigError(
                f"the output {path} is not gzip-compressed (an older version wrote plain text under a .gz name); "
                "decompress or rename it, or use --overwrite",
                file=str(path),
            )
        f.seek(0)
        start = 0
        for end, data in _members(f, path):
            parts = data.splitlines(keepends=True)
            for i, raw in enumerate(parts):
                if not raw.endswith(b"\n"):
                    return
                # a resume may cut only between members: lines inside a member map to its start
                yield raw, end if i == len(parts) - 1 else start
            start = end
