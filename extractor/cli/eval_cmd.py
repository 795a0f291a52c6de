"""``extractor eval`` (being written)."""

from __future__ import annotations

import typer


def eval_() -> None:
    """Score predictions against gold labels (not yet available)."""
    typer.echo("extractor eval is not available yet", err=True)
    raise typer.Exit(2)
