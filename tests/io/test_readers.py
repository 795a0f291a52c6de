"""Readers: every input format, CT.gov v2 shapes, custom fields, bad records as errors, stdin sniffing."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

import pytest

from extractor.errors import InputError
from extractor.io import ReaderOptions, count_records, read_inputs
from extractor.models import Trial

DATA = Path(__file__).resolve().parents[1] / "data" / "batch"


def _split(items: list[Trial | InputError]) -> tuple[list[Trial], list[InputError]]:
    return [i for i in items if isinstance(i, Trial)], [i for i in items if isinstance(i, InputError)]


def test_jsonl_records_keep_registry_fields_and_source() -> None:
    trials, errors = _split(list(read_inputs([str(DATA / "trials.jsonl")])))
    assert not errors
    assert len(trials) == 4
    first = trials[0]
    assert first.trial_id == "NCT00005095"
    assert first.source == f"{DATA / 'trials.jsonl'}:1"
    assert trials[2].source.endswith(":3")
    assert "eligibility_criteria" not in first.registry and "nct_id" not in first.registry
    assert {"sex", "conditions", "title"} <= set(first.registry)
    assert all(v is not None for v in first.registry.values())


def test_ctgov_single_study() -> None:
    (trial,) = list(read_inputs([str(DATA / "ctgov_study.json")]))
    assert isinstance(trial, Trial)
    assert trial.trial_id == "NCT00005095"
    assert set(trial.registry) >= {"sex", "minimum_age", "healthy_volunteers", "std_ages", "conditions", "phases"}
    assert trial.registry["std_ages"] == ["ADULT", "OLDER_ADULT"]
    assert trial.source == f"{DATA / 'ctgov_study.json'}:1"


def test_ctgov_list_and_search_page_are_streamed_with_lines() -> None:
    trials, errors = _split(list(read_inputs([str(DATA / "ctgov_list.json"), str(DATA / "ctgov_page.json")])))
    assert not errors
    assert [t.trial_id for t in trials] == ["NCT00026884", "NCT00033137", "NCT00034216", "NCT00050752", "NCT00131014"]
    lines = [int(t.source.rsplit(":", 1)[1]) for t in trials]
    assert lines[0] == 2 and lines[1] > lines[0]  # each study's starting line
    text = (DATA / "ctgov_page.json").read_text().splitlines()
    assert text[lines[2] - 1].strip() == "{"


def test_json_stream_across_small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.io import readers

    expected = [t.source for t in _split(list(read_inputs([str(DATA / "ctgov_page.json")])))[0]]
    monkeypatch.setattr(readers, "_CHUNK", 7)
    trials, errors = _split(list(read_inputs([str(DATA / "ctgov_page.json")])))
    assert not errors and len(trials) == 3
    assert [t.source for t in trials] == expected  # line numbers survive buffer trimming


def test_csv_with_custom_fields() -> None:
    opts = ReaderOptions(id_field="trial", text_field="criteria_text")
    trials, errors = _split(list(read_inputs([str(DATA / "custom.csv")], opts)))
    assert not errors
    assert [t.trial_id for t in trials] == ["NCT00050752", "NCT00131014"]
    assert trials[0].registry["sex"]
    assert trials[0].source == f"{DATA / 'custom.csv'}:2"
    assert trials[1].source.endswith(":" + str(2 + trials[0].text.count("\n") + 1))


def test_csv_without_text_column_is_an_error() -> None:
    (err,) = list(read_inputs([str(DATA / "custom.csv")]))
    assert isinstance(err, InputError) and err.field == "eligibility_criteria" and err.line == 1


def test_text_files_directories_and_globs(tmp_path: Path) -> None:
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    shutil.copy(DATA / "NCT_TXT_1.txt", d / "A1.txt")
    (d / "sub" / "B2.md").write_text("Inclusion Criteria:\n* ECOG 0-1\n", encoding="utf-8")
    (d / "notes.xyz").write_text("ignored", encoding="utf-8")
    trials, errors = _split(list(read_inputs([str(d)])))
    assert not errors
    assert [t.trial_id for t in trials] == ["A1", "B2"]
    trials, _ = _split(list(read_inputs([str(d / "**" / "*.md")])))
    assert [t.trial_id for t in trials] == ["B2"]


def test_gzip_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl.gz"
    with gzip.open(path, "wb") as f:
        f.write((DATA / "trials.jsonl").read_bytes())
    trials, errors = _split(list(read_inputs([str(path)])))
    assert len(trials) == 4 and not errors


def test_bad_records_become_errors_with_file_and_line(tmp_path: Path) -> None:
    good = (DATA / "trials.jsonl").read_text().splitlines()
    path = tmp_path / "bad.jsonl"
    with path.open("wb") as f:
        f.write(good[0].encode() + b"\n")
        f.write(b'{"nct_id": "X1", "eligibility_criteria": "trunc\n')  # 2 malformed JSON
        f.write(b'{"nct_id": "X2", "eligibility_criteria": ""}\n')  # 3 empty text
        f.write(b'{"nct_id": "X3"}\n')  # 4 no text
        f.write(b'{"eligibility_criteria": "* ECOG 0-1"}\n')  # 5 no id
        f.write(b'{"nct_id": "X5", "eligibility_criteria": "caf\xe9"}\n')  # 6 undecodable bytes
        f.write(b"[1, 2]\n")  # 7 not an object
        f.write(b"\n")  # blank: ignored
        f.write(good[1].encode() + b"\n")  # 9
    (tmp_path / "x.docx").write_bytes(b"PK")
    items = list(read_inputs([str(path), str(tmp_path / "missing.jsonl"), str(tmp_path / "x.docx")]))
    trials, errors = _split(items)
    assert [t.trial_id for t in trials] == ["NCT00005095", "NCT00026884"]
    assert trials[1].source == f"{path}:9"
    assert [(e.line, e.trial_id) for e in errors[:6]] == [
        (2, None),
        (3, "X2"),
        (4, "X3"),
        (5, None),
        (6, None),
        (7, None),
    ]
    assert all(e.file == str(path) for e in errors[:6])
    assert "malformed JSON" in errors[0].message and "UTF-8" in errors[4].message
    assert errors[6].file.endswith("missing.jsonl") and errors[7].file.endswith("x.docx")
    assert "unknown input format" in errors[7].message


def test_undecodable_text_file(tmp_path: Path) -> None:
    path = tmp_path / "T9.txt"
    path.write_bytes(b"Inclusion:\n* age \xff\xfe 18\n")
    (err,) = list(read_inputs([str(path)]))
    assert isinstance(err, InputError) and err.trial_id == "T9" and err.line == 2


def test_malformed_json_document(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    text = (DATA / "ctgov_list.json").read_text()
    path.write_text(text[: len(text) // 2 + 40] + "}}}]", encoding="utf-8")
    items = list(read_inputs([str(path)]))
    trials, errors = _split(items)
    assert len(trials) == 1 and len(errors) == 1 and errors[0].file == str(path) and errors[0].line


def test_stdin_sniffing() -> None:
    jsonl = (DATA / "trials.jsonl").read_bytes()
    trials, _ = _split(list(read_inputs(["-"], stdin=io.BytesIO(jsonl))))
    assert len(trials) == 4 and trials[1].source == "<stdin>:2"
    page = (DATA / "ctgov_page.json").read_bytes()
    trials, _ = _split(list(read_inputs(["-"], stdin=io.BytesIO(page))))
    assert len(trials) == 3
    single = json.dumps(json.loads((DATA / "ctgov_study.json").read_text())).encode()
    trials, _ = _split(list(read_inputs(["-"], stdin=io.BytesIO(b"\n" + single + b"\n"))))
    assert [t.trial_id for t in trials] == ["NCT00005095"]
    trials, _ = _split(list(read_inputs(["-"], stdin=io.BytesIO(b"Inclusion Criteria:\n* ECOG 0-1\n"))))
    assert [t.trial_id for t in trials] == ["stdin"]


def test_readers_are_lazy(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    line = (DATA / "trials.jsonl").read_text().splitlines()[0]
    path.write_text((line + "\n") * 50 + "not json\n", encoding="utf-8")
    gen = read_inputs([str(path)])
    assert isinstance(next(gen), Trial)  # nothing forced the whole file
    gen.close()


def test_count_records(tmp_path: Path) -> None:
    assert (
        count_records(
            [
                str(DATA / "trials.jsonl"),
                str(DATA / "custom.csv"),
                str(DATA / "ctgov_page.json"),
                str(DATA / "NCT_TXT_1.txt"),
            ]
        )
        == 4 + 2 + 3 + 1 + (DATA / "custom.csv").read_text().count("\n") - 3
    )
    assert count_records(["-"]) is None
