"""Writers: stable JSONL shape, JSON array and CSV formats, torn-record repair, resume scan, error removal."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from extractor import extract
from extractor.errors import InputError, TransportError
from extractor.io import CSV_COLUMNS, RecordWriter, drop_records, error_record, record_json, scan_output
from extractor.io.writers import OutputFormat
from extractor.models import OutputRecord, Trial

TEXT = "Inclusion Criteria:\n* ECOG 0-1\n* Age >= 18 years\n\nExclusion Criteria:\n* Pregnant women\n"


def _ok(tid: str) -> OutputRecord:
    trial = Trial(trial_id=tid, text=TEXT, registry={"sex": "ALL"}, source=f"in.jsonl:{tid}")
    return OutputRecord.from_result(extract(trial), trial, text_sha256="ab" * 32)


def _err(tid: str) -> OutputRecord:
    return error_record(
        TransportError("429 after retries", trial_id=tid, attempts=4), trial_id=tid, source="in.jsonl:9"
    )


def test_jsonl_shape_is_stable() -> None:
    ok = json.loads(record_json(_ok("T1")))
    err = json.loads(record_json(_err("T2")))
    keys = [
        "schema_version",
        "trial_id",
        "text_sha256",
        "source",
        "registry",
        "criteria",
        "rejected",
        "items",
        "provenance",
        "error",
    ]
    assert list(ok) == keys and list(err) == keys
    assert ok["error"] is None and ok["criteria"] and ok["registry"] == {"sex": "ALL"}
    assert err["error"] == {
        "type": "TransportError",
        "message": "429 after retries",
        "file": None,
        "line": None,
        "field": None,
        "attempts": 4,
    }
    assert OutputRecord.model_validate(ok).trial_id == "T1"


def test_input_error_record_names_file_and_line() -> None:
    rec = error_record(InputError("malformed JSON", file="a.jsonl", line=7))
    assert rec.trial_id == "a.jsonl:7" and rec.source == "a.jsonl:7"
    assert rec.error is not None and (rec.error.file, rec.error.line, rec.error.type) == ("a.jsonl", 7, "InputError")


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_resume_scan_and_torn_tail(tmp_path: Path, fmt: OutputFormat) -> None:
    path = tmp_path / f"out.{fmt}"
    with RecordWriter(path, fmt) as w:
        for rec in (_ok("T1"), _err("T2"), _ok("T3")):
            w.write(rec)
    if fmt == "json":
        data = json.loads(path.read_text())
        assert [r["trial_id"] for r in data] == ["T1", "T2", "T3"]
    # simulate a crash in the middle of the next record
    with path.open("ab") as f:
        f.write(b"," if fmt == "json" else b"")
        f.write(b'T4,in.jsonl:4,age,"inclu' if fmt == "csv" else b'{"schema_version":1,"trial_id":"T4","te')
    scan = scan_output(path, fmt)
    assert scan.ids == {"T1", "T2", "T3"} and scan.error_ids == {"T2"}
    assert scan.truncated_bytes > 0
    with RecordWriter(path, fmt) as w:  # resume appends
        w.write(_ok("T4"))
    scan = scan_output(path, fmt, repair=False)
    assert scan.ids == {"T1", "T2", "T3", "T4"} and scan.truncated_bytes == 0
    if fmt == "json":
        assert [r["trial_id"] for r in json.loads(path.read_text())] == ["T1", "T2", "T3", "T4"]
    elif fmt == "jsonl":
        assert [json.loads(line)["trial_id"] for line in path.read_text().splitlines()] == ["T1", "T2", "T3", "T4"]
    drop_records(path, fmt, {"T2"})
    scan = scan_output(path, fmt, repair=False)
    assert scan.ids == {"T1", "T3", "T4"} and not scan.error_ids
    if fmt == "json":
        assert len(json.loads(path.read_text())) == 3


def test_csv_rows_per_criterion(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    ok = _ok("T1")
    with RecordWriter(path, "csv") as w:
        w.write(ok)
        w.write(_err("T2"))
        w.write(OutputRecord(trial_id="T3"))
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(CSV_COLUMNS)
    t1 = [r for r in rows if r["trial_id"] == "T1"]
    assert len(t1) == len(ok.criteria)
    ps = next(r for r in t1 if r["kind"] == "performance_status")
    assert ps["evidence_text"] == TEXT[int(ps["evidence_start"]) : int(ps["evidence_end"])]
    assert json.loads(ps["fields"])["scale"] == "ECOG"
    (t2,) = [r for r in rows if r["trial_id"] == "T2"]
    assert t2["kind"] == "" and t2["error_type"] == "TransportError"
    assert [r["kind"] for r in rows if r["trial_id"] == "T3"] == [""]


def test_empty_json_array(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    RecordWriter(path, "json").close()
    assert json.loads(path.read_text()) == []
    assert scan_output(path, "json").ids == set()
    with RecordWriter(path, "json") as w:
        w.write(_ok("T1"))
    assert [r["trial_id"] for r in json.loads(path.read_text())] == ["T1"]


def test_overwrite_starts_the_file_over_and_the_lock_goes_with_close(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    with RecordWriter(out, "json") as w:
        w.write(_ok("T1"))
        assert (tmp_path / ".out.json.lock").exists()
    assert not (tmp_path / ".out.json.lock").exists()
    with RecordWriter(out, "json", overwrite=True) as w:
        w.write(_ok("T2"))
    assert [r["trial_id"] for r in json.loads(out.read_text())] == ["T2"]
    with RecordWriter(tmp_path / "b.jsonl", lock=False):
        assert not (tmp_path / ".b.jsonl.lock").exists()
