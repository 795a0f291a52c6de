"""``extractor match``: pre-screen a patient (or a directory of patients) against the trials of an output file
of ``extractor extract``; one :class:`MatchResult` per patient x trial (JSONL), trials ranked, a short table.

Thin: reads with :func:`extractor.io.patients.read_patient` and :func:`extractor.read_records`, judges with
:func:`extractor.match`, ranks with :func:`extractor.match.rank`. Exit codes (:mod:`extractor.cli.exitcodes`):
0 done; 1 error records in the criteria file over ``--max-error-rate`` (``--allow-errors`` opts out; they are
skipped either way); 2 bad option, an unreadable patient or criteria file (the file and field are named), or an
output that cannot be written; 130 interrupted.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, TextIO

import typer

from extractor.cli._support import err, fail, too_many_errors
from extractor.cli.exitcodes import EXIT_HELP, ExitCode
from extractor.errors import ExtractorError
from extractor.io.patients import read_patient
from extractor.match import match_many, rank
from extractor.models.match import MatchResult
from extractor.models.patient import Patient
from extractor.run import read_records

__all__ = ["match"]

Opt = typer.Option


def _describe(e: ExtractorError) -> str:
    ctx = e.context
    where = ":".join(str(ctx[k]) for k in ("file", "line") if k in ctx)
    field = f": {ctx['field']}" if "field" in ctx else ""
    return f"error: {where}{field}: {e.message}" if where else f"error: {e}"


def _first_reason(r: MatchResult) -> str:
    idx = r.blocking or r.unknown
    return r.criteria[idx[0]].reason if idx else ""


def _table(results: list[MatchResult], many: bool, out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for col in ["#", *(["patient"] if many else []), "trial", "verdict", "met", "not met", "unknown", "n/e"]:
        table.add_column(col, justify="right" if col in ("#", "met", "not met", "unknown", "n/e") else "left")
    table.add_column("first blocking (or unknown) reason", overflow="fold", max_width=60)
    colour = {"eligible": "green", "needs_review": "yellow", "ineligible": "red"}
    for n, r in enumerate(results, start=1):
        counts = [sum(c.status == s for c in r.criteria) for s in ("met", "not_met", "unknown", "not_evaluable")]
        table.add_row(
            str(n),
            *([r.patient_id or "-"] if many else []),
            r.trial_id,
            f"[{colour[r.verdict]}]{r.verdict}[/]",
            *map(str, counts),
            _first_reason(r),
        )
    Console(file=out, width=160).print(table)


def match(  # noqa: PLR0917 - typer maps parameters to options
    paths: Annotated[
        list[Path],
        typer.Argument(help="PATIENT.json CRITERIA.jsonl (with --patients: CRITERIA.jsonl only).", show_default=False),
    ],
    output: Annotated[Path | None, Opt("--output", "-o", help="Write the results here (JSONL; -: stdout).")] = None,
    patients: Annotated[Path | None, Opt("--patients", help="Match every *.json patient of this directory.")] = None,
    top: Annotated[int | None, Opt("--top", min=1, help="Keep the N best-ranked trials per patient.")] = None,
    assessed_on: Annotated[
        str | None, Opt("--assessed-on", help="Assessment date (YYYY-MM-DD); default: the patient's, else today.")
    ] = None,
    max_error_rate: Annotated[
        float, Opt(min=0.0, max=1.0, help="Share of criteria records that may be errors (0: any fails).")
    ] = 0.0,
    allow_errors: Annotated[bool, Opt("--allow-errors", help="Error records never make the exit code 1.")] = False,
    quiet: Annotated[bool, Opt("--quiet", "-q", help="No table or summary.")] = False,
) -> None:
    """Pre-screen patients against extracted trials: per-criterion statuses, a verdict per trial, ranked."""
    want = 1 if patients is not None else 2
    if len(paths) != want:
        usage = "CRITERIA.jsonl with --patients" if patients is not None else "PATIENT.json CRITERIA.jsonl"
        raise fail(ExitCode.USAGE, f"error: expected {usage}, got {len(paths)} path(s)")
    try:
        on = date.fromisoformat(assessed_on) if assessed_on else None
    except ValueError:
        raise fail(ExitCode.USAGE, f"error: --assessed-on: not a date (YYYY-MM-DD): {assessed_on!r}") from None
    try:
        people = _read_patients(patients, paths[0])
        if not paths[-1].is_file():
            raise ExtractorError("criteria file not found", file=str(paths[-1]))
        records = list(read_records(paths[-1]))
        if not records:
            raise ExtractorError("the criteria file holds no record", file=str(paths[-1]))
    except ExtractorError as e:
        raise fail(ExitCode.USAGE, _describe(e)) from None
    except KeyboardInterrupt:
        raise fail(ExitCode.INTERRUPTED, "interrupted") from None
    trials = [r for r in records if r.error is None]
    errors = len(records) - len(trials)
    results: list[MatchResult] = []
    for p in people:
        ranked = rank(match_many(p, trials, assessed_on=on))
        results += ranked[:top] if top else ranked
    try:
        _write(output, results)
    except OSError as e:
        raise fail(ExitCode.USAGE, f"error: cannot write {output}: {e.strerror or e}") from None
    if not quiet:
        to_stdout = output is not None and str(output) == "-"
        _table(results, len(people) > 1, sys.stderr if to_stdout else sys.stdout)
        err(f"{len(people)} patient(s) x {len(trials)} trial(s); {errors} error record(s) skipped")
    if too_many_errors(errors, len(records), max_error_rate, allow_errors):
        err(
            f"exit 1: {errors} of {len(records)} criteria records are errors "
            f"(--max-error-rate {max_error_rate:g}; --allow-errors to accept them)"
        )
        raise typer.Exit(int(ExitCode.ERRORS))


match.__doc__ = f"{match.__doc__}\n\n{EXIT_HELP}"


def _read_patients(directory: Path | None, path: Path) -> list[Patient]:
    if directory is None:
        return [read_patient(path)]
    if not directory.is_dir():
        raise ExtractorError("--patients: not a directory", file=str(directory))
    files = sorted(directory.glob("*.json"))
    if not files:
        raise ExtractorError("--patients: no *.json patient in the directory", file=str(directory))
    people = []
    for f in files:
        p = read_patient(f)
        people.append(p if p.patient_id else p.model_copy(update={"patient_id": f.stem}))
    return people


def _write(output: Path | None, results: list[MatchResult]) -> None:
    if output is None:
        return
    lines = "".join(r.model_dump_json() + "\n" for r in results)
    if str(output) == "-":
        sys.stdout.write(lines)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(lines, encoding="utf-8")
