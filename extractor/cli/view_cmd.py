"""``extractor view``: write one trial's criteria as a static HTML page (:func:`extractor.view.render_view`),
optionally with one patient's per-criterion statuses (:func:`extractor.match`).

Thin: reads with :func:`extractor.read_records` and :func:`extractor.io.patients.read_patient`. Exit codes
(:mod:`extractor.cli.exitcodes`): 0 written; 2 bad option, an unreadable criteria or patient file (the file and field
are named), a trial that is not in the file, a record without its text (extract with ``--include-text``) or an error
record, or a page that cannot be written; 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from extractor.cli._support import describe, err, fail
from extractor.cli.exitcodes import EXIT_HELP, ExitCode
from extractor.errors import ExtractorError, InputError
from extractor.io.patients import read_patient
from extractor.match import match
from extractor.models import OutputRecord
from extractor.models.match import MatchResult
from extractor.run import read_records
from extractor.view import render_view

__all__ = ["view"]

Opt = typer.Option


def view(
    criteria: Annotated[
        Path, typer.Argument(help="Output of `extractor extract --include-text` (JSONL).", show_default=False)
    ],
    output: Annotated[Path, Opt("--output", "-o", help="Write the HTML page here (-: stdout).", show_default=False)],
    trial: Annotated[str | None, Opt("--trial", help="The trial to show (default: the file's first record).")] = None,
    patient: Annotated[
        Path | None, Opt("--patient", help="A patient (JSON or FHIR Bundle): colour each criterion by its status.")
    ] = None,
) -> None:
    """Write a trial's criteria text as an HTML page, each criterion's span highlighted by kind (by status, with
    its reason, given --patient)."""
    try:
        record = _record(criteria, trial)
        result = _match(patient, record) if patient is not None else None
        try:
            page = render_view(record, result)
        except InputError as e:  # name where the record came from
            raise InputError(f"trial {record.trial_id}: {e.message}", file=str(criteria)) from None
    except ExtractorError as e:
        raise fail(ExitCode.USAGE, f"error: {describe(e)}") from None
    except KeyboardInterrupt:
        raise fail(ExitCode.INTERRUPTED, "interrupted") from None
    if str(output) == "-":
        sys.stdout.write(page)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
    except OSError as e:
        raise fail(ExitCode.USAGE, f"error: cannot write {output}: {e.strerror or e}") from None
    verdict = f", {result.verdict} for patient {result.patient_id or patient}" if result is not None else ""
    err(f"wrote {output} ({record.trial_id}: {len(record.criteria)} criteria{verdict})")


view.__doc__ = f"{view.__doc__}\n\n{EXIT_HELP}"


def _record(path: Path, trial: str | None) -> OutputRecord:
    if not path.is_file():
        raise InputError("criteria file not found", file=str(path))
    for record in read_records(path):
        if trial is None or record.trial_id == trial:
            return record
    if trial is None:
        raise InputError("the criteria file holds no record", file=str(path))
    raise InputError(f"trial {trial} is not in the criteria file", file=str(path))


def _match(path: Path, record: OutputRecord) -> MatchResult:
    return match(read_patient(path), record)
