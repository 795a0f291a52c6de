"""``extractor extract``: criteria files -> typed criteria (JSONL). The batch engine replaces this minimal form."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from extractor.api import extract as run_extract


def extract(
    inputs: Annotated[list[Path], typer.Argument(help="Criteria text files (.txt/.md).")],
) -> None:
    """Extract typed criteria from criteria text files with the offline rules backend."""
    for path in inputs:
        result = run_extract(path.read_text(encoding="utf-8"), trial_id=path.stem)
        sys.stdout.write(result.model_dump_json() + "\n")
