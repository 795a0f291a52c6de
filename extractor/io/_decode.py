"""Decoding and size limits shared by the readers: the record size cap and read chunk, undecodable bytes and lone
surrogates (:func:`_bad_char`, :func:`_safe`), and JSON integers too long for ``int()`` (:class:`_BigInt`)."""

from __future__ import annotations

import re
import zlib

from extractor.api import MAX_TEXT_CHARS

# the readers use _CHUNK and _MAX_RECORD as ``_decode._CHUNK`` / ``_decode._MAX_RECORD``: one value each to change
_CHUNK = 1 << 20
_MAX_RECORD = 16 * MAX_TEXT_CHARS
"""Cap on one record's raw size (bytes of a JSONL line, characters of a JSON element or CSV row): a text at the
limit in the widest JSON escapes plus registry fields. A larger record is an error and is skipped, not kept."""
_MAX_TEXT_BYTES = 4 * MAX_TEXT_CHARS  # UTF-8 takes at most 4 bytes a character
_READ_ERRORS = (OSError, EOFError, zlib.error)
_SURROGATE = re.compile("[\ud800-\udfff]")


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
