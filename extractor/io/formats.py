"""Output formats and the flat column layout (CSV ``--csv-fields flat`` and Parquet), generated from the models.

:class:`OutputOptions` says how records are written: the format (``jsonl``, ``json``, ``csv``, ``parquet``), the
CSV layout (``json``: kind-specific fields packed into one JSON column ``fields``; ``flat``: one column per field)
and gzip compression. :meth:`OutputOptions.for_output` infers it from the output name (``out.csv.gz`` is CSV,
gzip-compressed) and checks it.

The flat layout (:func:`flat_columns`) has one row per criterion (one row with an empty ``kind`` for a trial with
no criteria or an error), columns in this order: ``trial_id``, ``source``, ``text_sha256``, the fields every
criterion has (``kind``, ``polarity``, ``evidence.text``, ``evidence.start``, ``evidence.end``, ``cohort``, ``item``,
``backend``), then every kind's own fields as ``<kind>.<field>`` (``her2.status``, ``lab.analyte``, ``lab.value``,
... in registry order), then ``registry`` (the trial's registry fields as a JSON object: their keys vary by input)
and ``error.<field>`` (``error.type``, ``error.message``, ...). Everything is generated from the kind registry and
the models, so a new kind or field gets its columns without a change here.

CSV cells: empty for null, ``true`` / ``false`` for booleans, numbers as JSON writes them, lists joined with ``;``
(a ``;`` or ``\\`` inside an element is escaped with a backslash). Parquet keeps the types (strings, int64, float64,
booleans, lists of strings).
"""

from __future__ import annotations

import json
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from extractor.errors import ConfigError
from extractor.kinds import REGISTRY
from extractor.models import BASE_FIELDS, CriterionBase
from extractor.models.records import ErrorInfo

__all__ = [
    "CSV_FIELDS",
    "FORMATS",
    "ColumnType",
    "CsvFields",
    "OutputFormat",
    "OutputOptions",
    "flat_columns",
    "flat_rows",
    "output_options",
]

OutputFormat = Literal["jsonl", "json", "csv", "parquet"]
FORMATS: tuple[OutputFormat, ...] = ("jsonl", "json", "csv", "parquet")
CsvFields = Literal["json", "flat"]
CSV_FIELDS: tuple[CsvFields, ...] = ("json", "flat")
ColumnType = Literal["str", "int", "float", "bool", "list", "json"]
"""A flat column's type: ``list`` is a list of strings, ``json`` a value kept as JSON text."""

PARQUET_EXTRA = "pip install '.[parquet]' (in a checkout of eligibility-extractor)"
_EXTENSIONS: dict[str, OutputFormat] = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class OutputOptions:
    """How output records are written: format, CSV layout, gzip (see :meth:`for_output`)."""

    format: OutputFormat = "jsonl"
    csv_fields: CsvFields = "json"
    gzip: bool = False

    @classmethod
    def for_output(cls, output: Path | None, fmt: str | None = None, *, csv_fields: str = "json") -> OutputOptions:
        """The options for writing to ``output`` (None: stdout): ``fmt`` or the format its extension names (seen
        through ``.gz``; ``jsonl`` otherwise), gzip when it ends in ``.gz``. Raises :class:`ConfigError` on an
        unknown format or layout, a gzip or stdout Parquet output, and Parquet without pyarrow."""
        name = output.name.lower() if output is not None else ""
        gz = name.endswith(".gz")
        base = name.removesuffix(".gz")
        if fmt is None:
            fmt = next((f for ext, f in _EXTENSIONS.items() if base.endswith(ext)), "jsonl")
        if fmt not in FORMATS:
            raise ConfigError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        if csv_fields not in CSV_FIELDS:
            raise ConfigError(f"unknown --csv-fields {csv_fields!r}; choose one of {', '.join(CSV_FIELDS)}")
        if csv_fields == "flat" and fmt in ("jsonl", "json"):
            raise ConfigError("--csv-fields flat applies to CSV output (use --format csv or an .csv output)")
        if fmt == "parquet":
            if output is None:
                raise ConfigError("parquet output needs a file: -o OUT.parquet")
            if gz:
                raise ConfigError("parquet files are compressed inside; drop the .gz from the output name")
            require_pyarrow()
        return cls(format=fmt, csv_fields=csv_fields, gzip=gz)

    @property
    def flat(self) -> bool:
        """Whether rows use the flat layout (flat CSV, Parquet)."""
        return self.format == "parquet" or (self.format == "csv" and self.csv_fields == "flat")

    @property
    def body_format(self) -> OutputFormat:
        """The format of the record bodies a writer takes (:func:`~extractor.io.writers.format_record`): the
        output format, except JSON lines for the flat layouts, which the writer turns into rows. This is what a
        batch run's ``RunOptions.fmt`` is set to."""
        return "jsonl" if self.flat else self.format


def output_options(fmt: OutputFormat | OutputOptions) -> OutputOptions:
    """``fmt`` as :class:`OutputOptions` (a bare format name: default layout, no gzip)."""
    return fmt if isinstance(fmt, OutputOptions) else OutputOptions(format=fmt)


def require_pyarrow() -> Any:
    """The ``pyarrow`` module, or :class:`ConfigError` naming the extra that installs it."""
    try:
        import pyarrow
    except ImportError as e:
        raise ConfigError(f"parquet output needs pyarrow: {PARQUET_EXTRA}") from e
    return pyarrow


# ------------------------------------------------------------------------------------------ flat columns


def _column_type(annotation: Any) -> ColumnType:
    """The flat column type of a model field's annotation (``TypeError`` for one with no column type)."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _column_type(inner[0])
    elif origin is Literal and all(isinstance(a, str) for a in args):
        return "str"
    elif origin is list and len(args) == 1 and _column_type(args[0]) == "str":
        return "list"
    elif origin is dict:
        return "json"
    for py, name in ((bool, "bool"), (str, "str"), (int, "int"), (float, "float")):
        if annotation is py:
            return name  # type: ignore[return-value]
    raise TypeError(f"no flat column type for {annotation!r}; extend extractor.io.formats._column_type")


def _model_columns(model: type[BaseModel], prefix: str, skip: frozenset[str]) -> list[tuple[str, ColumnType]]:
    cols: list[tuple[str, ColumnType]] = []
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            cols += _model_columns(ann, f"{prefix}{name}.", frozenset())
        else:
            cols.append((f"{prefix}{name}", _column_type(ann)))
    return cols


def _build_columns() -> tuple[tuple[str, ColumnType], ...]:
    head: list[tuple[str, ColumnType]] = [("trial_id", "str"), ("source", "str"), ("text_sha256", "str")]
    base = [("kind", "str"), *_model_columns(CriterionBase, "", frozenset())]
    typed = [col for name, spec in REGISTRY.items() for col in _model_columns(spec.model, f"{name}.", BASE_FIELDS)]
    tail = [("registry", "json"), *_model_columns(ErrorInfo, "error.", frozenset())]
    cols = (*head, *base, *typed, *tail)
    names = [c for c, _ in cols]
    if len(set(names)) != len(names):  # pragma: no cover - a kind named like a base column
        raise ValueError(f"duplicate flat columns: {sorted({n for n in names if names.count(n) > 1})}")
    return cols


_FLAT = _build_columns()
_BASE_KEYS = tuple(c for c, _ in _model_columns(CriterionBase, "", frozenset()))


def flat_columns() -> tuple[tuple[str, ColumnType], ...]:
    """The flat layout's columns as ``(name, type)``, in order (see the module docstring)."""
    return _FLAT


def _get(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def flat_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The flat rows of an output record given as its JSON data (``record.model_dump(mode="json")``): one per
    criterion, or one with an empty kind when it has none; values typed (lists as lists, ``registry`` as JSON)."""
    head = {key: record.get(key) for key in ("trial_id", "source", "text_sha256")}
    tail: dict[str, Any] = {
        "registry": json.dumps(record.get("registry") or {}, ensure_ascii=False, separators=(",", ":"))
    }
    error = record.get("error") or {}
    tail.update({f"error.{k}": v for k, v in error.items()})
    criteria = record.get("criteria") or []
    if not criteria:
        return [{**head, **tail}]
    rows = []
    for c in criteria:
        kind = c.get("kind")
        row = {**head, "kind": kind}
        row.update((key, _get(c, key)) for key in _BASE_KEYS)
        row.update((f"{kind}.{k}", v) for k, v in c.items() if k not in BASE_FIELDS)
        row.update(tail)
        rows.append(row)
    return rows


def _csv_list_item(s: str) -> str:
    return s.replace("\\", "\\\\").replace(";", "\\;")


def csv_cell(value: Any) -> str:
    """A flat value as CSV text (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_csv_list_item(str(v)) for v in value)
    if isinstance(value, int | float):
        return json.dumps(value)
    return str(value)
