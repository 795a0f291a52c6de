"""``evals/eval_llm_replay.py`` (the CI gate of the LLM backend) exits with the code of ``extractor eval``.

Before: it ran the app with ``standalone_mode=False``, which *returns* a command's exit code, and dropped it, so a
failed gate (3) or a run that could not start (2) exited 0 and CI passed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import typer

import extractor.cli
from extractor.cli.exitcodes import ExitCode

_SCRIPT = Path(__file__).resolve().parents[2] / "evals" / "eval_llm_replay.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_llm_replay", _SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("code", [ExitCode.OK, ExitCode.USAGE, ExitCode.REGRESSION, ExitCode.INTERRUPTED])
def test_script_returns_the_eval_exit_code(code: ExitCode, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The real eval is replaced by one that exits with ``code`` the way ``extractor eval`` does (typer.Exit)."""
    fake = typer.Typer()
    seen: list[list[str]] = []

    @fake.command()
    def eval(
        backend: str = "llm", report_dir: str = "", trials: str = "", baseline: str = "", allow_errors: bool = False
    ) -> None:
        seen.append([backend, report_dir, trials, baseline, allow_errors])
        raise typer.Exit(code)

    @fake.command()
    def other() -> None:  # two commands: the first argument names the command, as in the real app
        """Unused."""

    monkeypatch.setattr(extractor.cli, "app", fake)
    monkeypatch.setattr(sys, "argv", ["eval_llm_replay.py", "--baseline", "b.json", "--report-dir", str(tmp_path)])
    script = _script()
    for var in (*script.RECORDED, "EXTRACTOR_ATTEMPTS", "OPENAI_API_KEY"):
        monkeypatch.setenv(var, "restored-after-the-test")  # the script writes the recorded run's settings
    assert script.main() == code
    assert seen and seen[0][0] == "llm" and seen[0][3] == "b.json"
    assert seen[0][4] is True  # the cassettes' error records are by design: the gate guards them, not exit 1
