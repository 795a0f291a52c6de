"""Input readers and output writers of the batch CLI (see :mod:`extractor.io.readers`, :mod:`extractor.io.writers`)."""

from extractor.io.readers import (
    DEFAULT_ID_FIELD,
    DEFAULT_TEXT_FIELD,
    KNOWN_EXTENSIONS,
    ReaderOptions,
    ReadItem,
    count_records,
    expand_inputs,
    read_inputs,
)
from extractor.io.writers import (
    CSV_COLUMNS,
    FORMATS,
    OutputFormat,
    OutputScan,
    RecordWriter,
    drop_records,
    error_info,
    error_record,
    format_record,
    record_json,
    scan_output,
)

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_ID_FIELD",
    "DEFAULT_TEXT_FIELD",
    "FORMATS",
    "KNOWN_EXTENSIONS",
    "OutputFormat",
    "OutputScan",
    "ReadItem",
    "ReaderOptions",
    "RecordWriter",
    "count_records",
    "drop_records",
    "error_info",
    "error_record",
    "expand_inputs",
    "format_record",
    "read_inputs",
    "record_json",
    "scan_output",
]
