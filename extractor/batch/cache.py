"""A local SQLite cache of extraction results, shared by runs and processes.

Key: sha256 over (criteria text sha256, backend, model, endpoint, instructor mode, prompt hash, library version,
rules vocabulary hash for ``rules`` / ``hybrid``); value: the :class:`~extractor.models.CriteriaSet` JSON without
its source text. A rerun, or a run over overlapping trials, reuses what is already done. The database runs in WAL
mode so that concurrent runs can read while one writes; writes are committed in small batches (a crash loses at
most the last batch, which is simply recomputed). Errors are never cached, and neither are degraded results (the
runner's business: a result with ``provenance.errors``).

A cache is only ever an optimisation: a corrupt or unreadable database file (bad sector, torn copy, random bytes)
is logged once as a warning on the ``extractor.batch.cache`` logger, deleted and rebuilt empty; every lookup on it is
a miss. If even the rebuilt file fails, the cache switches itself off for the rest of the run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from extractor._version import __version__
from extractor.errors import ConfigError
from extractor.models import CriteriaSet, Trial
from extractor.vocab import vocab_hash

__all__ = ["ResultCache", "cache_key", "default_cache_path", "dump_result", "text_sha256"]

_log = logging.getLogger(__name__)
_T = TypeVar("_T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def default_cache_path() -> Path:
    """``$XDG_CACHE_HOME/eligibility-extractor/cache.sqlite`` (``~/.cache`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "eligibility-extractor" / "cache.sqlite"


def text_sha256(text: str) -> str:
    """Hex sha256 of the UTF-8 criteria text (the ``text_sha256`` of output records)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_key(
    text_sha: str, backend: str, *, model: str = "", base_url: str = "", mode: str = "", prompt_hash: str = ""
) -> str:
    """The cache key of one extraction. The library version is always part of it; the rules vocabulary hash
    for the backends that run the rules (``rules``, ``hybrid``): editing a vocabulary does not throw away paid-for
    ``llm`` results."""
    rules_version = vocab_hash() if backend in ("rules", "hybrid") else ""
    parts = (text_sha, backend, model, base_url, mode, prompt_hash, __version__, rules_version)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class ResultCache:
    """SQLite-backed mapping of cache keys to criteria sets. Use as a context manager, or ``close()``.

    Never raises on a damaged file: see the module docstring (``rebuilt`` counts rebuilds, ``disabled`` is set when
    the cache gave up).
    """

    def __init__(self, path: Path, *, commit_every: int = 200, commit_interval_s: float = 2.0) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ConfigError(f"cannot open the cache at {path}: {e}") from e
        self._db: sqlite3.Connection | None = None
        self._pending = 0
        self._last_commit = time.monotonic()
        self._commit_every, self._commit_interval = commit_every, commit_interval_s
        self.hits = 0
        self.misses = 0
        self.rebuilt = 0
        self.disabled = False
        try:
            self._db = self._connect()
        except sqlite3.DatabaseError as e:  # not a database / malformed header: rebuild
            self._recover(e)
        except (OSError, sqlite3.Error) as e:  # e.g. an unwritable directory: a configuration problem
            raise ConfigError(f"cannot open the cache at {path}: {e}") from e

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
        except BaseException:
            db.close()
            raise
        return db

    def _recover(self, error: sqlite3.Error) -> None:
        """The database is damaged: warn (once), delete the file and its journals, start an empty one."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        self._pending = 0
        if self.rebuilt or self.disabled:  # the rebuilt file failed too: stop using the cache
            self.disabled = True
            return
        self.rebuilt += 1
        try:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._db = self._connect()
        except (OSError, sqlite3.Error) as e:
            self.disabled = True
            _log.warning(
                "the cache at %s is unreadable (%s) and could not be rebuilt (%s); running without it",
                self.path,
                error,
                e,
            )
            return
        _log.warning(
            "the cache at %s is corrupt (%s): rebuilt it empty; its results will be recomputed", self.path, error
        )

    def _guard(self, op: Callable[[sqlite3.Connection], _T], default: _T) -> _T:
        """Run ``op`` on the database; a damaged database is recovered and ``default`` returned."""
        if self._db is None:
            return default
        try:
            return op(self._db)
        except sqlite3.OperationalError as e:
            if _busy(e):  # another run holds the lock past the timeout: not corruption, just no answer
                self._abandon()
                return default
            if _damaged(e):
                self._recover(e)
            else:  # disk full, read-only file...: the data may be fine, so never delete it; stop using it
                self._disable(e)
        except sqlite3.DatabaseError as e:  # "database disk image is malformed", "file is not a database"
            self._recover(e)
        return default

    def _abandon(self) -> None:
        """Roll back this run's uncommitted writes (a busy database refused one), so the next write starts clean."""
        if self._db is not None and self._db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
        self._pending = 0

    def _disable(self, error: sqlite3.Error) -> None:
        """A failure that is not damage: warn once and run on without the cache, leaving the file as it is."""
        self._abandon()
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        if not self.disabled:
            self.disabled = True
            _log.warning("the cache at %s failed (%s); running without it, the file is left as it is", self.path, error)

    def get_raw(self, key: str) -> str | None:
        """The stored JSON for ``key``, or None (a miss, also when the database is damaged)."""

        def op(db: sqlite3.Connection) -> str | None:
            row = db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
            return None if row is None else str(row[0])

        value = self._guard(op, None)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def get(self, key: str, trial: Trial) -> CriteriaSet | None:
        """The cached result for ``key``, re-attached to ``trial`` (its id and text); None on a miss."""
        raw = self.get_raw(key)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            data["trial_id"], data["source_text"] = trial.trial_id, trial.text
            result = CriteriaSet.model_validate(data)
        except (ValueError, TypeError):  # a corrupt or outdated entry: treat as a miss
            result = None
        if result is None or result.provenance.errors:  # a degraded result (older versions cached them): a miss
            self.hits -= 1
            self.misses += 1
            return None
        return result

    def put_raw(self, key: str, value: str) -> None:
        """Store a CriteriaSet JSON (without ``source_text``)."""

        def op(db: sqlite3.Connection) -> None:
            if not db.in_transaction:
                db.execute("BEGIN")
            db.execute(
                "INSERT OR REPLACE INTO results (key, value, created) VALUES (?, ?, ?)", (key, value, time.time())
            )
            self._pending += 1

        self._guard(op, None)
        if self._pending >= self._commit_every or time.monotonic() - self._last_commit > self._commit_interval:
            self.commit()

    def put(self, key: str, result: CriteriaSet) -> None:
        """Store ``result``, unless it is degraded (``provenance.errors``: part of it failed, ask again next time)."""
        if not result.provenance.errors:
            self.put_raw(key, dump_result(result))

    def commit(self) -> None:
        """Commit pending writes."""
        if self._pending:

            def op(db: sqlite3.Connection) -> None:
                db.execute("COMMIT")

            self._guard(op, None)
            self._pending = 0
        self._last_commit = time.monotonic()

    def __len__(self) -> int:
        return self._guard(lambda db: int(db.execute("SELECT COUNT(*) FROM results").fetchone()[0]), 0)

    def close(self) -> None:
        """Commit and close."""
        self.commit()
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _damaged(error: sqlite3.Error) -> bool:
    """SQLite says the file itself is damaged (not busy, full or read-only)."""
    name, text = getattr(error, "sqlite_errorname", ""), str(error)
    return name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or any(
        sign in text
        for sign in ("malformed", "not a database", "Could not decode")  # the last: a garbled value
    )


def _busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def dump_result(result: CriteriaSet) -> str:
    """The cache value of a result: its JSON without the source text."""
    return result.model_dump_json(exclude={"source_text"})
