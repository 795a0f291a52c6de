"""``extractor schema``: print the JSON Schema of the output contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from extractor.models import CriteriaSet


def schema(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of a CriteriaSet (the typed criteria contract)."""
    text = json.dumps(CriteriaSet.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
