"""Parquet output (the ``parquet`` extra, pyarrow): the flat layout of :mod:`extractor.io.formats`, typed columns.

A Parquet file is complete only once its footer is written, so records go in row groups to a hidden temporary
file next to the output (``.NAME.partial``), which replaces the output when the writer closes (at the end of the
run, also after Ctrl-C). Resuming copies the existing output's rows into the new file first, so a rerun skips the
trials already there; a run killed outright (``kill -9``, power loss) loses the rows of that run only.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from extractor.errors import ConfigError
from extractor.io.formats import ColumnType, flat_columns, flat_rows, require_pyarrow

_ROWS_PER_GROUP = 10_000


def schema() -> Any:
    """The Arrow schema of the flat layout."""
    pa = require_pyarrow()
    types: dict[ColumnType, Any] = {
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "list": pa.list_(pa.string()),
        "json": pa.string(),
    }
    return pa.schema([pa.field(name, types[kind]) for name, kind in flat_columns()])


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def _batches(path: Path, columns: list[str] | None = None) -> Iterator[Any]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises ArrowInvalid / OSError on a file that is not Parquet
        raise ConfigError(
            f"the output {path} is not a readable Parquet file ({e}); use --overwrite", file=str(path)
        ) from e
    with pf:
        if not pf.schema_arrow.equals(schema()):
            raise ConfigError(
                f"the output {path} has other columns than this version writes; use --overwrite or a new output",
                file=str(path),
            )
        yield from pf.iter_batches(columns=columns)


def scan_ids(path: Path) -> tuple[set[str], set[str]]:
    """Trial ids in a Parquet output, and those whose record is an error."""
    ids: set[str] = set()
    errors: set[str] = set()
    for batch in _batches(path, ["trial_id", "error.type"]):
        for tid, err in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
            ids.add(tid)
            if err:
                errors.add(tid)
    return ids, errors


class ParquetSink:
    """Writes output records (their JSON bodies) as flat rows; see the module docstring."""

    def __init__(self, path: Path, *, overwrite: bool) -> None:
        require_pyarrow()
        import pyarrow.parquet as pq

        self.path, self._tmp = path, _partial(path)
        self._rows: list[dict[str, Any]] = []
        self._schema = schema()
        old = None if overwrite or not path.exists() else list(_batches(path))
        self._writer = pq.ParquetWriter(self._tmp, self._schema, compression="zstd")
        for batch in old or []:
            self._writer.write_batch(batch)

    def write_body(self, body: str) -> None:
        """Add one record (its JSON line)."""
        self._rows.extend(flat_rows(json.loads(body)))
        if len(self._rows) >= _ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            import pyarrow as pa

            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def close(self) -> None:
        """Finish the file and put it in place of the output (the temporary file goes whatever happens)."""
        try:
            self._flush()
            self._writer.close()
            fd = os.open(self._tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(self._tmp, self.path)
        finally:
            with contextlib.suppress(OSError):
                self._tmp.unlink()


def drop(path: Path, ids: set[str]) -> None:
    """Rewrite a Parquet output without the rows of ``ids``."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    tmp = _partial(path)
    try:
        with pq.ParquetWriter(tmp, schema(), compression="zstd") as writer:
            for batch in _batches(path):
                keep = pc.invert(pc.is_in(batch.column(0), value_set=pa.array(sorted(ids), pa.string())))
                writer.write_batch(batch.filter(keep))
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
