"""``extractor schema``: print a JSON Schema of the contract (by default, of the records ``extract`` writes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from extractor.cli._support import fail
from extractor.cli.exitcodes import ExitCode
from extractor.models.schemas import SchemaOf, json_schema


def schema(
    of: Annotated[
        SchemaOf,
        typer.Option(
            "--of",
            help="record: one output record of `extractor extract` (JSONL line / JSON array element); "
            "criteria-set: the CriteriaSet that extractor.extract() returns; patient: the patient `extractor match` "
            "reads; match: one result it writes.",
        ),
    ] = "record",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema (draft 2020-12, with $schema and a versioned $id) of an output record, or of --of."""
    text = json.dumps(json_schema(of), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:  # no such directory, no permission, a directory, disk full: the table's 2, one line
        raise fail(ExitCode.USAGE, f"error: cannot write {output}: {e.strerror or e}") from None
