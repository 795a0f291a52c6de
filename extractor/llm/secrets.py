"""Keeping the API key out of everything the LLM path logs, raises, writes or prints.

* :func:`redact_secrets` masks the configured key (passed in explicitly, so plain keys without an ``sk-`` look are
  caught too), every piece of it of 8 or more characters (what a ``head...tail`` truncation leaves, e.g. pydantic's
  ``input_value='sk-abc...xyz'``), and key-like strings (:func:`extractor.errors.redact`). Call it *before* any
  truncation.
* :class:`RedactingFilter` applies it to log records (message, arguments, traceback, stack); :func:`protect_logs`
  puts it on the ``openai``, ``instructor``, ``httpx``, ``httpx2`` and ``httpcore`` loggers and their existing
  children (a logger's filters are not inherited by its children), and registers the key it must mask.
* :func:`display_url` is a URL fit for printing: no ``user:password@``, secret query parameters masked.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit, urlunsplit

from extractor.errors import redact

__all__ = ["LOGGERS", "RedactingFilter", "display_url", "protect_logs", "redact_secrets"]

LOGGERS = ("openai", "instructor", "httpx", "httpx2", "httpcore", "httpcore2")
"""Third-party loggers that may carry request headers or server answers."""

MIN_PIECE = 8
"""Shortest piece of a secret that is masked on its own (shorter secrets are masked only whole)."""

_SECRETS: set[str] = set()
_LOCK = threading.Lock()
_SECRET_QUERY = re.compile(r"(?i)(key|token|secret|password|passwd|pwd|sig|signature|auth)")


def redact_secrets(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with each secret, each piece of a secret of at least 8 characters, and key-like strings masked."""
    if not text:
        return text
    for secret in secrets:
        if not secret or len(secret) < 4:
            continue
        text = text.replace(secret, "***")
        if len(secret) >= MIN_PIECE:
            text = _mask_pieces(text, secret)
    return redact(text)


def _mask_pieces(text: str, secret: str) -> str:
    """Mask every run of ``text`` made of windows of ``secret`` at least ``MIN_PIECE`` long."""
    spans: list[tuple[int, int]] = []
    for i in range(len(secret) - MIN_PIECE + 1):
        window = secret[i : i + MIN_PIECE]
        at = text.find(window)
        while at != -1:
            spans.append((at, at + MIN_PIECE))
            at = text.find(window, at + 1)
    if not spans:
        return text
    spans.sort()
    out: list[str] = []
    pos = 0
    for start, end in spans:
        if end <= pos:
            continue
        if start > pos:
            out.append(text[pos:start])
        if not out or out[-1] != "***":
            out.append("***")
        pos = max(pos, end)
    out.append(text[pos:])
    return "".join(out)


def _registered() -> list[str]:
    with _LOCK:
        return list(_SECRETS)


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in a record's message, arguments, traceback and stack (never drops it)."""

    def __init__(self, secrets: Callable[[], Iterable[str]] | None = None) -> None:
        super().__init__()
        self._secrets = secrets or _registered

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = list(self._secrets())
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what there is
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact_secrets(message, secrets), None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text, record.exc_info = redact_secrets(formatted, secrets), None
        elif record.exc_text:
            record.exc_text = redact_secrets(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact_secrets(record.stack_info, secrets)
        return True


_FILTER = RedactingFilter()
_SCANNED = [-1]  # size of the logger tree at the last scan


def protect_logs(*secrets: str | None) -> None:
    """Register ``secrets`` for masking and make sure the third-party loggers (and their children) filter records.

    Cheap to call for every request: the logger tree is scanned again only when new loggers appeared."""
    with _LOCK:
        _SECRETS.update(s for s in secrets if s and len(s) >= 4)
        loggers = logging.root.manager.loggerDict
        if len(loggers) == _SCANNED[0]:
            return
        _SCANNED[0] = len(loggers)
        names = [n for n in list(loggers) if n in LOGGERS or n.split(".", 1)[0] in LOGGERS]
    for name in {*LOGGERS, *names}:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def display_url(url: str | None) -> str:
    """``url`` for printing: credentials (``user:password@``) removed, secret-looking query values masked."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # not a URL we can take apart: show none of it rather than a secret
        return "<unprintable URL>"
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    query = "&".join(
        f"{name}=***" if value and _SECRET_QUERY.search(name) else (f"{name}={value}" if sep else name)
        for name, sep, value in (pair.partition("=") for pair in parts.query.split("&") if pair)
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
