"""The ``extractor`` command line: a thin layer over the public API (one module per command).

Every command exits with a code from one table (:mod:`extractor.cli.exitcodes`, shown in each ``--help``), logs to
stderr with third-party libraries quiet unless ``-v`` is given (:mod:`extractor.cli._logging`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from extractor._version import __version__
from extractor.cli import batch, eval_cmd, extract_cmd, match_cmd, schema_cmd, view_cmd
from extractor.cli._logging import Verbosity, setup_logging
from extractor.cli.exitcodes import EXIT_HELP

app = typer.Typer(
    name="extractor",
    help="Typed, evidence-grounded extraction of clinical-trial eligibility criteria.",
    epilog=EXIT_HELP,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"extractor {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Verbosity = 0,
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_print_version, help="Print the version and exit."),
    ] = False,
) -> None:
    """Typed, evidence-grounded extraction of clinical-trial eligibility criteria."""
    setup_logging(verbose)


app.command("extract", epilog=EXIT_HELP)(extract_cmd.extract)
app.command("eval", epilog=EXIT_HELP)(eval_cmd.eval_)
app.command("schema", epilog=EXIT_HELP)(schema_cmd.schema)
app.command("match", epilog=EXIT_HELP)(match_cmd.match)
app.command("view", epilog=EXIT_HELP)(view_cmd.view)
app.add_typer(batch.app, name="batch")


def main() -> None:
    """Console-script entry point."""
    app()
