"""CLI-wide conventions through the real app: --version, shell completion, the exit-code table in every --help,
closed sets shown as choices (from the code's own constants) and rejected as usage errors (exit 2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

import pytest
import typer
from typer.testing import CliRunner

from extractor import __version__
from extractor.api import BACKENDS
from extractor.cli import app
from extractor.cli.exitcodes import EXIT_HELP, ExitCode
from extractor.io.writers import FORMATS
from extractor.llm.config import Mode

runner = CliRunner(env={"COLUMNS": "240"})  # wide enough that rich wraps no option row


def _flat(text: str) -> str:
    """Help / error text without rich's box drawing and line wrapping."""
    return " ".join(text.replace("│", " ").replace("╭", " ").replace("╰", " ").replace("─", " ").split())


def _commands(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path of the app (groups included), found by walking typer's command tree."""
    yield path
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_every_command_is_found() -> None:
    assert {("extract",), ("eval",), ("schema",), ("batch", "collect")} <= set(COMMANDS)


def test_version() -> None:
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout == f"extractor {__version__}\n"


def test_shell_completion_is_on(monkeypatch: pytest.MonkeyPatch) -> None:
    help_text = runner.invoke(app, ["--help"]).stdout
    assert "--install-completion" in help_text and "--show-completion" in help_text
    # typer detects the shell from the process tree; a run with no shell above it (a detached job) finds none
    monkeypatch.setattr("typer.completion._get_shell_name", lambda: "bash")
    res = runner.invoke(app, ["--show-completion"], prog_name="extractor")
    assert res.exit_code == 0, (res.output, res.exc_info)  # say why, if it ever fails
    assert "_EXTRACTOR_COMPLETE=complete_bash" in res.stdout


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "extractor")
def test_every_help_shows_the_exit_code_table(path: tuple[str, ...]) -> None:
    res = runner.invoke(app, [*path, "--help"])
    assert res.exit_code == 0
    assert _flat(EXIT_HELP) in _flat(res.stdout)
    assert all(f" {int(code)} " in _flat(EXIT_HELP) + " " for code in ExitCode if code)


@pytest.mark.parametrize(
    ("path", "option", "choices"),
    [
        (("extract",), "--backend", BACKENDS),
        (("extract",), "--format", FORMATS),
        (("extract",), "--mode", get_args(Mode)),
        (("eval",), "--backend", BACKENDS),
    ],
)
def test_closed_sets_show_their_choices_and_reject_others(
    path: tuple[str, ...], option: str, choices: tuple[str, ...]
) -> None:
    assert f"<{'|'.join(choices)}>" in runner.invoke(app, [*path, "--help"]).stdout
    res = runner.invoke(app, [*path, "in.txt", option, "nope"] if path == ("extract",) else [*path, option, "nope"])
    assert res.exit_code == ExitCode.USAGE
    assert f"'nope' is not one of {', '.join(repr(c) for c in choices)}" in _flat(res.stderr)


def test_help_has_no_untyped_string_metavar_for_closed_sets() -> None:
    for path in (("extract",), ("eval",)):
        text = _flat(runner.invoke(app, [*path, "--help"]).stdout)
        for option in ("--backend", "--format", "--mode"):
            assert f"{option} <str>" not in text and f"{option} -f <str>" not in text
