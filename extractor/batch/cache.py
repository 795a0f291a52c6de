"""A local SQLite cache of extraction results, shared by runs and processes.

Key: sha256 over (criteria text sha256, backend, model, endpoint, instructor mode, prompt hash, library version,
rules vocabulary hash for ``rules`` / ``hybrid``); value: the :class:`~extractor.models.CriteriaSet` JSON without
its source text. A rerun, or a run over overlapping trials, reuses what is already done. The database runs in WAL
mode so that concurrent runs can read while one writes; writes are committed in small batches (a crash loses at
most the last batch, which is simply recomputed). Errors are never cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path
from types import TracebackType

from extractor._version import __version__
from extractor.errors import ConfigError
from extractor.models import CriteriaSet, Trial
from extractor.vocab import vocab_hash

__all__ = ["ResultCache", "cache_key", "default_cache_path", "dump_result", "text_sha256"]

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
    """SQLite-backed mapping of cache keys to criteria sets. Use as a context manager, or ``close()``."""

    def __init__(self, path: Path, *, commit_every: int = 200, commit_interval_s: float = 2.0) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as e:
            raise ConfigError(f"cannot open the cache at {path}: {e}") from e
        self._pending = 0
        self._last_commit = time.monotonic()
        self._commit_every, self._commit_interval = commit_every, commit_interval_s
        self.hits = 0
        self.misses = 0

    def get_raw(self, key: str) -> str | None:
        """The stored JSON for ``key``, or None."""
        row = self._db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return str(row[0])

    def get(self, key: str, trial: Trial) -> CriteriaSet | None:
        """The cached result for ``key``, re-attached to ``trial`` (its id and text); None on a miss."""
        raw = self.get_raw(key)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            data["trial_id"], data["source_text"] = trial.trial_id, trial.text
            return CriteriaSet.model_validate(data)
        except ValueError:  # a corrupt or outdated entry: treat as a miss
            self.hits -= 1
            self.misses += 1
            return None

    def put_raw(self, key: str, value: str) -> None:
        """Store a CriteriaSet JSON (without ``source_text``)."""
        if self._pending == 0:
            self._db.execute("BEGIN")
        self._db.execute(
            "INSERT OR REPLACE INTO results (key, value, created) VALUES (?, ?, ?)", (key, value, time.time())
        )
        self._pending += 1
        if self._pending >= self._commit_every or time.monotonic() - self._last_commit > self._commit_interval:
            self.commit()

    def put(self, key: str, result: CriteriaSet) -> None:
        """Store ``result``."""
        self.put_raw(key, dump_result(result))

    def commit(self) -> None:
        """Commit pending writes."""
        if self._pending:
            self._db.execute("COMMIT")
            self._pending = 0
        self._last_commit = time.monotonic()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def close(self) -> None:
        """Commit and close."""
        self.commit()
        self._db.close()

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def dump_result(result: CriteriaSet) -> str:
    """The cache value of a result: its JSON without the source text."""
    return result.model_dump_json(exclude={"source_text"})
