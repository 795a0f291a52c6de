"""The ``extractor`` command line: a thin layer over the public API (one module per command)."""

from __future__ import annotations

import typer

from extractor.cli import batch, eval_cmd, extract_cmd, schema_cmd

app = typer.Typer(
    name="extractor",
    help="Typed, evidence-grounded extraction of clinical-trial eligibility criteria.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("extract")(extract_cmd.extract)
app.command("eval")(eval_cmd.eval_)
app.command("schema")(schema_cmd.schema)
app.add_typer(batch.app, name="batch")


def main() -> None:
    """Console-script entry point."""
    app()
