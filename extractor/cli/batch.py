"""``extractor batch`` (being written)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Provider Batch API: submit, status, collect.", no_args_is_help=True)


@app.command("status")
def status() -> None:
    """Show the state of submitted batches (not yet available)."""
    typer.echo("extractor batch is not available yet", err=True)
    raise typer.Exit(2)
