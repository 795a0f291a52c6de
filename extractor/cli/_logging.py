"""Where log records go on the command line: stderr, with third-party libraries quiet unless asked for (``-v``).

=========  ===============================================================================================
verbosity  shown on stderr
=========  ===============================================================================================
(default)  ``extractor.*`` warnings and errors; nothing from openai, instructor, httpx/httpx2, httpcore,
           tenacity, urllib3 or any other library (their failures reach the user as typed errors and records)
``-v``     also ``extractor.*`` info (one line per failed LLM attempt) and third-party info and above
           (e.g. httpx2's ``HTTP Request: POST ... 500``), except instructor's retry logger, whose "attempt"
           counts re-asks within one transport try and would contradict the one attempts count
``-vv``    everything, debug included, instructor's retry logger too
=========  ===============================================================================================

Every line passes the key redaction (:class:`~extractor.llm.secrets.RedactingFilter`). ``-v`` works before the
command (``extractor -v extract ...``) and after it (``extractor extract -v ...``).
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated, TextIO

import typer

from extractor.llm.secrets import RedactingFilter

__all__ = ["Verbosity", "raise_verbosity", "setup_logging"]

_OURS = "extractor"
_CONTRADICTS_ATTEMPTS = "instructor.v2.retry"  # "API call failed on attempt 1 ... Total attempts: 1"
_LEVELS = (logging.WARNING, logging.INFO, logging.DEBUG)
_FORMAT = "%(name)s: %(levelname)s: %(message)s"


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to the ``sys.stderr`` of the moment (test runners swap it), never to a stream captured at setup."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr  # under the handler's lock (Handler.handle holds it)
        super().emit(record)


class _VerbosityFilter(logging.Filter):
    """Decides by logger name and level what a verbosity shows."""

    def __init__(self, verbosity: int) -> None:
        super().__init__()
        self.verbosity = verbosity

    def filter(self, record: logging.LogRecord) -> bool:
        v = min(self.verbosity, len(_LEVELS) - 1)
        if record.name == _OURS or record.name.startswith(_OURS + "."):
            return record.levelno >= _LEVELS[v]
        if v == 0:
            return False
        if v == 1:
            return record.levelno >= logging.INFO and not record.name.startswith(_CONTRADICTS_ATTEMPTS)
        return True


_LOWERED: dict[str, int] = {}  # the root level before -v lowered it
_FILTER = _VerbosityFilter(0)
_HANDLER = _StderrHandler()
_HANDLER.setFormatter(logging.Formatter(_FORMAT))
_HANDLER.addFilter(_FILTER)
_HANDLER.addFilter(RedactingFilter())


def setup_logging(verbosity: int = 0) -> None:
    """Route log records to stderr at ``verbosity`` (0 quiet libraries, 1 ``-v``, 2 ``-vv``); idempotent."""
    root = logging.getLogger()
    _FILTER.verbosity = verbosity
    if _HANDLER not in root.handlers:
        root.addHandler(_HANDLER)
    wanted = _LEVELS[min(verbosity, len(_LEVELS) - 1)]
    if verbosity and root.level > wanted:  # lowered for -v only (the filter decides what is shown), put back after
        _LOWERED.setdefault("root", root.level)
        root.setLevel(wanted)
    elif not verbosity and "root" in _LOWERED:
        root.setLevel(_LOWERED.pop("root"))


def raise_verbosity(verbosity: int) -> int:
    """Apply a command's own ``-v`` count on top of the top-level one (the larger wins); returns it unchanged."""
    if _HANDLER not in logging.getLogger().handlers or verbosity > _FILTER.verbosity:
        setup_logging(max(verbosity, _FILTER.verbosity))
    return verbosity


Verbosity = Annotated[
    int,
    typer.Option(
        "--verbose",
        "-v",
        count=True,
        show_default=False,
        callback=raise_verbosity,
        help="Show library logs on stderr: -v info (HTTP requests, failed attempts), -vv debug.",
    ),
]
"""A command's ``-v/--verbose`` option: declare ``verbose: Verbosity = 0``; logging is set up as it is parsed."""
