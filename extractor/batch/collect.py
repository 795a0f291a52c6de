"""The run engine without an output file: records collected in memory (the eval's path)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from extractor.batch.models import RunOptions
from extractor.batch.runner import BatchRunner
from extractor.errors import ConfigError
from extractor.models import OutputRecord, Trial

__all__ = ["collect_records"]


class _Collector:
    """A sink that keeps the records (JSONL bodies parsed back into validated :class:`OutputRecord` s)."""

    path: Path | None = None

    def __init__(self, on_record: Callable[[OutputRecord], None] | None = None) -> None:
        self.records: list[OutputRecord] = []
        self._on_record = on_record

    def write_body(self, body: str) -> None:
        record = OutputRecord.model_validate_json(body)
        self.records.append(record)
        if self._on_record is not None:
            self._on_record(record)


def collect_records(
    trials: Iterable[Trial],
    options: RunOptions,
    *,
    trial_timeout_s: float | None = None,
    on_record: Callable[[OutputRecord], None] | None = None,
) -> list[OutputRecord]:
    """Run ``trials`` through the engine and return their records in memory, in completion order (the eval's
    path: no output file, no cache, no resume). ``options.fmt`` must be ``jsonl``."""
    if options.fmt != "jsonl":
        raise ConfigError("collect_records needs options.fmt == 'jsonl'", field="fmt")
    sink = _Collector(on_record)
    BatchRunner(options, sink, trial_timeout_s=trial_timeout_s).run(trials, handle_sigint=False)
    return sink.records
