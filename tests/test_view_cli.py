"""``extractor view`` through the real app (typer's CliRunner): the page is written for the first or the named
trial, with a patient (JSON or FHIR bundle) it carries the verdict; every failure is exit 2 naming its cause."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
runner = CliRunner()


@pytest.fixture(scope="module")
def criteria(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example trials extracted by the rules backend, with their text."""
    out = tmp_path_factory.mktemp("view") / "criteria.jsonl"
    res = runner.invoke(app, ["extract", str(EXAMPLES / "her2_trials.jsonl"), "--include-text", "-o", str(out)])
    assert res.exit_code == 0, res.output
    return out


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["trial_id"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_first_record_by_default(criteria: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    res = runner.invoke(app, ["view", str(criteria), "-o", str(page)])
    assert res.exit_code == 0, res.output
    html = page.read_text(encoding="utf-8")
    assert f"<h1>{_ids(criteria)[0]}</h1>" in html and 'id="c0"' in html and 'id="verdict"' not in html
    assert f"wrote {page}" in res.stderr


def test_named_trial_with_a_fhir_patient(criteria: Path, tmp_path: Path) -> None:
    trial = _ids(criteria)[2]
    page = tmp_path / "page.html"
    args = [
        "view",
        str(criteria),
        "--trial",
        trial,
        "--patient",
        str(EXAMPLES / "patient_bundle.json"),
        "-o",
        str(page),
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    html = page.read_text(encoding="utf-8")
    assert f"<h1>{trial}</h1>" in html and 'id="verdict"' in html and "Patient example-her2-mbc" in html
    assert any(f" s-{s} d" in html for s in ("met", "not_met", "unknown", "not_evaluable"))
    assert "for patient example-her2-mbc" in res.stderr


def test_page_to_stdout(criteria: Path) -> None:
    res = runner.invoke(app, ["view", str(criteria), "-o", "-"])
    assert res.exit_code == 0 and res.stdout.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--trial", "NCT00000000"], "trial NCT00000000 is not in the criteria file"),
        (["--patient", "missing.json"], "cannot read patient file"),
    ],
)
def test_usage_errors_exit_2(criteria: Path, tmp_path: Path, args: list[str], words: str) -> None:
    res = runner.invoke(app, ["view", str(criteria), *args, "-o", str(tmp_path / "p.html")])
    assert res.exit_code == 2 and words in res.stderr
    assert not (tmp_path / "p.html").exists()


def test_a_malformed_bundle_is_named(criteria: Path, tmp_path: Path) -> None:
    bundle = json.loads((EXAMPLES / "patient_bundle.json").read_text(encoding="utf-8"))
    bundle["entry"][0]["resource"]["birthDate"] = "April 1968"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bundle), encoding="utf-8")
    res = runner.invoke(app, ["view", str(criteria), "--patient", str(bad), "-o", str(tmp_path / "p.html")])
    assert res.exit_code == 2
    assert f"{bad}: entry[0].resource.birthDate: entry 0 (Patient)" in res.stderr


def test_records_without_text_missing_files_and_unwritable_pages(criteria: Path, tmp_path: Path) -> None:
    no_text = tmp_path / "no_text.jsonl"
    assert runner.invoke(app, ["extract", str(EXAMPLES / "her2_trials.jsonl"), "-o", str(no_text)]).exit_code == 0
    res = runner.invoke(app, ["view", str(no_text), "-o", str(tmp_path / "p.html")])
    assert res.exit_code == 2 and "--include-text" in res.stderr
    res = runner.invoke(app, ["view", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "p.html")])
    assert res.exit_code == 2 and "criteria file not found" in res.stderr
    (tmp_path / "dir.html").mkdir()
    res = runner.invoke(app, ["view", str(criteria), "-o", str(tmp_path / "dir.html")])
    assert res.exit_code == 2 and "cannot write" in res.stderr


def test_the_page_folder_is_created(criteria: Path, tmp_path: Path) -> None:
    page = tmp_path / "new" / "folder" / "p.html"
    res = runner.invoke(app, ["view", str(criteria), "-o", str(page)])
    assert res.exit_code == 0, res.stderr
    assert page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
