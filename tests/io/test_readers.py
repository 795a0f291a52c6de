"""Readers: every input format, CT.gov v2 shapes, custom fields, bad records as errors, stdin sniffing."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import sys
import tracemalloc
import zlib
from pathlib import Path
from types import GeneratorType

import pytest
from typer.testing import CliRunner

from extractor.api import MAX_TEXT_CHARS
from extractor.cli import app
from extractor.errors import InputError
from extractor.io import ReaderOptions, count_records, error_record, read_inputs
from extractor.io import _decode as decode_mod
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
    assert str(trials[2].source).endswith(":3")
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
    lines = [int(str(t.source).rsplit(":", 1)[1]) for t in trials]
    assert lines[0] == 2 and lines[1] > lines[0]  # each study's starting line
    text = (DATA / "ctgov_page.json").read_text().splitlines()
    assert text[lines[2] - 1].strip() == "{"


def test_json_stream_across_small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.io import _decode

    expected = [t.source for t in _split(list(read_inputs([str(DATA / "ctgov_page.json")])))[0]]
    monkeypatch.setattr(_decode, "_CHUNK", 7)
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
    assert str(trials[1].source).endswith(":" + str(2 + trials[0].text.count("\n") + 1))


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
        (6, "X5"),
        (7, None),
    ]
    assert all(e.file == str(path) for e in errors[:6])
    assert "malformed JSON" in errors[0].message and "UTF-8" in errors[4].message
    assert errors[4].field == "eligibility_criteria"  # undecodable bytes: the field that holds them is named
    assert str(errors[6].file).endswith("missing.jsonl") and str(errors[7].file).endswith("x.docx")
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
    one_line_page = json.dumps(json.loads(page)).encode()  # what `curl .../studies | extractor extract -` sends
    trials, errors = _split(list(read_inputs(["-"], stdin=io.BytesIO(one_line_page))))
    assert not errors and [t.trial_id for t in trials] == ["NCT00034216", "NCT00050752", "NCT00131014"]


@pytest.mark.parametrize("fmt", ["auto", "jsonl", "txt"])
def test_gzip_on_stdin_is_decompressed(fmt: str) -> None:
    """``gzip -c trials.jsonl | extractor extract -``: detected by the gzip magic, then read as usual."""
    jsonl = (DATA / "trials.jsonl").read_bytes()
    opts = ReaderOptions(stdin_format=fmt)  # type: ignore[arg-type]
    plain = list(read_inputs(["-"], opts, stdin=io.BytesIO(jsonl)))
    packed = list(read_inputs(["-"], opts, stdin=io.BytesIO(gzip.compress(jsonl))))
    assert packed == plain and all(isinstance(i, Trial) for i in packed) and len(packed) == (1 if fmt == "txt" else 4)
    torn = gzip.compress(jsonl)[:-30]  # cut mid-stream: the trials read so far, then one error, no exception
    trials, errors = _split(list(read_inputs(["-"], stdin=io.BytesIO(torn))))
    assert len(trials) < 4 and len(errors) == 1 and errors[0].file == "<stdin>" and "read error" in errors[0].message


def test_readers_are_lazy(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    line = (DATA / "trials.jsonl").read_text().splitlines()[0]
    path.write_text((line + "\n") * 50 + "not json\n", encoding="utf-8")
    gen = read_inputs([str(path)])
    assert isinstance(next(gen), Trial)  # nothing forced the whole file
    assert isinstance(gen, GeneratorType)
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


# ------------------------------------------------------------------------------------ issue 9: hostile input


def _good(i: int) -> str:
    return json.dumps({"nct_id": f"G{i}", "eligibility_criteria": f"Inclusion Criteria:\n* ECOG 0-{i % 3}"})


def _encodable(items: list[Trial | InputError]) -> None:
    """Every string a reader yields encodes as UTF-8, and every error becomes a writable record."""
    for item in items:
        if isinstance(item, Trial):
            item.model_dump_json().encode("utf-8")
        else:
            error_record(item).model_dump_json().encode("utf-8")


def _check(items: list[Trial | InputError], good: list[str], bad: list[tuple[int, str | None]]) -> list[InputError]:
    trials, errors = _split(items)
    assert [t.trial_id for t in trials] == good
    assert [(e.line, e.field) for e in errors] == bad
    _encodable(items)
    return errors


@pytest.mark.parametrize("ext", [".jsonl", ".json"])
def test_deep_nesting_and_huge_integers_are_error_records(tmp_path: Path, ext: str) -> None:
    bad = [
        "[" * 100_000 + "]" * 100_000,  # RecursionError in json
        '{"nct_id": "B1", "eligibility_criteria": "x", "deep": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"nct_id": "B2", "eligibility_criteria": "x", "n": ' + "7" * 5000 + "}",  # ValueError in int()
        '{"nct_id": ' + "9" * 5000 + ', "eligibility_criteria": "x"}',
        '{"nct_id": "B4", "eligibility_criteria": "x", "deep": ' + "[" * 200 + "]" * 200 + "}",  # unwritable
    ]
    lines = [_good(0), *bad, _good(1)]
    path = tmp_path / f"in{ext}"
    path.write_text("\n".join(lines) if ext == ".jsonl" else "[\n" + ",\n".join(lines) + "\n]", encoding="utf-8")
    first = 1 if ext == ".jsonl" else 2
    errors = _check(
        list(read_inputs([str(path)])),
        ["G0", "G1"],
        [(first + 1, None), (first + 2, None), (first + 3, "n"), (first + 4, "nct_id"), (first + 5, "deep")],
    )
    assert "too long" in errors[2].message and errors[2].trial_id == "B2"
    assert "nested" in errors[4].message


def test_deep_value_of_a_single_json_object_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text('{"nct_id": "B1", "deep": ' + "[" * 50_000 + "]" * 50_000 + ', "eligibility_criteria": "x"}')
    (err,) = list(read_inputs([str(path)]))
    assert isinstance(err, InputError) and err.field == "deep" and err.line == 1
    path.write_text('{"nct_id": "B1", 7: "x"}')
    (err,) = list(read_inputs([str(path)]))
    assert isinstance(err, InputError) and "string key" in err.message


def test_corrupt_deflate_keeps_the_records_before_it_and_the_next_file(tmp_path: Path) -> None:
    good = "".join(_good(i) + "\n" for i in range(2000)).encode()
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)  # gzip container
    data = comp.compress(good) + comp.flush(zlib.Z_FULL_FLUSH) + b"\xff" * 64  # block type 3: invalid
    path = tmp_path / "corrupt.jsonl.gz"
    path.write_bytes(data)
    with pytest.raises(zlib.error):  # the fault the reader must absorb
        gzip.decompress(data)
    other = tmp_path / "next.jsonl"
    other.write_text(_good(9999) + "\n", encoding="utf-8")
    items = list(read_inputs([str(path), str(other)]))
    trials, errors = _split(items)
    assert [t.trial_id for t in trials[:-1]] == [f"G{i}" for i in range(len(trials) - 1)]
    assert len(trials) > 1900 and trials[-1].trial_id == "G9999"
    (err,) = errors
    assert err.file == str(path) and "read error" in err.message and err.line == len(trials)
    assert count_records([str(path)]) == 1  # the estimate does not raise either


@pytest.mark.parametrize("ext", [".jsonl", ".json"])
def test_lone_surrogates_are_error_records_naming_the_field(tmp_path: Path, ext: str) -> None:
    lines = [
        _good(0),
        '{"nct_id": "S1", "eligibility_criteria": "age \\ud800 18"}',
        '{"nct_id": "S2\\udfff", "eligibility_criteria": "ECOG 0-1"}',
        '{"nct_id": "S3", "eligibility_criteria": "ECOG 0-1", "conditions": ["ok", {"x\\udc80": 1}]}',
        '{"nct_id": "S4", "eligibility_criteria": "ECOG \\ud83d\\ude00 0-1"}',  # a valid pair: kept
        _good(1),
    ]
    path = tmp_path / f"in{ext}"
    path.write_text("\n".join(lines) if ext == ".jsonl" else "[" + ",\n".join(lines) + "]", encoding="utf-8")
    errors = _check(
        list(read_inputs([str(path)])),
        ["G0", "S4", "G1"],
        [(2, "eligibility_criteria"), (3, "nct_id"), (4, "conditions[1]")],
    )
    assert [e.trial_id for e in errors] == ["S1", None, "S3"]
    assert "surrogate" in errors[0].message and "UTF-8" in errors[1].message


def test_invalid_utf8_in_a_csv_id_is_an_encodable_error_naming_the_column(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"nct_id,eligibility_criteria\nG1,ECOG 0-1\nX\xff,ECOG 0-1\nG2,caf\xe9\nG3,ECOG 0-1\n")
    errors = _check(list(read_inputs([str(path)])), ["G1", "G3"], [(3, "nct_id"), (4, "eligibility_criteria")])
    assert errors[0].trial_id is None and errors[1].trial_id == "G2"
    assert "0xff" in errors[0].message


@pytest.mark.skipif(sys.platform != "linux", reason="non-UTF-8 file names")
def test_non_utf8_file_names_give_encodable_ids_and_sources(tmp_path: Path) -> None:
    name = os.fsdecode(b"T\xff.txt")
    (tmp_path / name).write_text("Inclusion Criteria:\n* ECOG 0-1\n", encoding="utf-8")
    (tmp_path / os.fsdecode(b"b\xfe.jsonl")).write_text("not json\n", encoding="utf-8")
    items = list(read_inputs([str(tmp_path)]))
    assert len(items) == 2
    _encodable(items)


@pytest.mark.parametrize(
    ("body", "good", "bad_line"),
    [
        (b'G1,"ECOG 0-1\nG2,ECOG 0-1\nG3,ECOG 0-1\n', ["G2", "G3"], 2),  # never closed: would swallow G2, G3
        (b'G1,"ECOG" 0-1\nG2,ECOG 0-1\nG3,"ECOG\n0-1"\n', ["G2", "G3"], 2),  # text after the closing quote
        (b'G1,"ECOG\nG2,ECOG 0-1\nG3,"ECOG 0-1"\n', ["G2", "G3"], 2),  # closed by the next row's quote
    ],
)
def test_csv_quoting_errors_are_reported_and_the_rows_after_kept(
    tmp_path: Path, body: bytes, good: list[str], bad_line: int
) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(b"nct_id,eligibility_criteria\n" + body)
    errors = _check(list(read_inputs([str(path)])), good, [(bad_line, None)])
    assert errors[0].message.startswith("malformed CSV") and errors[0].file == str(path)


def test_multiline_quoted_csv_fields_still_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["nct_id", "eligibility_criteria"])
        w.writerows([["A", 'Inclusion:\n* "quoted", ECOG 0-1\n* age >= 18'], ["B", "ECOG 2"]])
    trials, errors = _split(list(read_inputs([str(path)])))
    assert not errors and [t.trial_id for t in trials] == ["A", "B"] and str(trials[1].source).endswith(":5")
    assert trials[0].text == 'Inclusion:\n* "quoted", ECOG 0-1\n* age >= 18'


def test_bad_records_on_one_line_get_distinct_error_ids(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text('[{"x": 1}, ' + _good(0) + ', {"y": 2}, {"z": 3}, {"nct_id": "K"}, [}', encoding="utf-8")
    items = list(read_inputs([str(path)]))
    trials, errors = _split(items)
    assert [t.trial_id for t in trials] == ["G0"]
    ids = [error_record(e).trial_id for e in errors]
    # the last element is malformed, and so is the document it leaves unterminated
    assert ids == [f"{path}:1", f"{path}:1#2", f"{path}:1#3", "K", f"{path}:1#4", f"{path}:1#5"]
    assert len(set(ids)) == len(ids)
    assert all(e.line == 1 for e in errors)


def test_text_over_the_limit_is_an_error_record_in_every_format(tmp_path: Path) -> None:
    big = "x" * (MAX_TEXT_CHARS + 1)
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"nct_id": "A", "eligibility_criteria": big}) + "\n" + _good(1) + "\n", encoding="utf-8"
    )
    (tmp_path / "b.json").write_text(
        "[" + json.dumps({"nct_id": "B", "eligibility_criteria": big}) + "," + _good(2) + "]", encoding="utf-8"
    )
    (tmp_path / "c.csv").write_text(f"nct_id,eligibility_criteria\nC,{big}\nG3,ECOG\n", encoding="utf-8")
    (tmp_path / "d.txt").write_text(big, encoding="utf-8")
    (tmp_path / "e.txt").write_bytes(b"x" * (4 * MAX_TEXT_CHARS + 1))  # over the limit whatever its encoding
    items = list(read_inputs([str(tmp_path)]))
    trials, errors = _split(items)
    assert [t.trial_id for t in trials] == ["G1", "G2", "G3"]
    assert [e.trial_id for e in errors] == ["A", "B", "C", "d", "e"]
    assert all(str(MAX_TEXT_CHARS) in e.message for e in errors)
    assert [e.field for e in errors] == ["eligibility_criteria"] * 3 + ["text", "text"]


@pytest.mark.parametrize("ext", [".jsonl", ".json", ".csv"])
def test_oversized_records_are_skipped_without_reading_them_into_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ext: str
) -> None:
    monkeypatch.setattr(decode_mod, "_MAX_RECORD", 100_000)
    monkeypatch.setattr(decode_mod, "_CHUNK", 1 << 16)
    huge = "y" * 8_000_000
    rec = {"nct_id": "H", "eligibility_criteria": huge}
    path = tmp_path / f"in{ext}"
    if ext == ".jsonl":
        path.write_text(f"{_good(0)}\n{json.dumps(rec)}\n{_good(1)}\n", encoding="utf-8")
    elif ext == ".json":
        path.write_text(f"[{_good(0)},\n{json.dumps(rec)},\n{_good(1)}]", encoding="utf-8")
    else:
        path.write_text(f'nct_id,eligibility_criteria\nG0,a\nH,"{huge}\n{huge}"\nG1,b\n', encoding="utf-8")
    tracemalloc.start()
    try:
        items = list(read_inputs([str(path)]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    trials, errors = _split(items)
    assert [t.trial_id for t in trials] == ["G0", "G1"]
    (err,) = errors
    assert err.line == (3 if ext == ".csv" else 2) and "skipped unread" in err.message
    assert peak < 2_000_000  # the 8-16 MB value was never held


def test_no_good_record_is_lost_through_the_cli_and_the_pool(tmp_path: Path) -> None:
    """70 good trials (enough for the process pool) around every kind of bad record: all of them are written."""
    bad = [
        "[" * 100_000 + "]" * 100_000,
        '{"nct_id": "BIG", "eligibility_criteria": "x", "n": ' + "1" * 5000 + "}",
        '{"nct_id": "SUR", "eligibility_criteria": "a \\ud800 b"}',
        '{"nct_id": "SUR\\ud800", "eligibility_criteria": "a"}',
    ]
    lines = [_good(i) for i in range(35)] + bad + [_good(i) for i in range(35, 70)]
    inp = tmp_path / "in.jsonl"
    inp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    gz = tmp_path / "z.jsonl.gz"
    gz.write_bytes(gzip.compress(b"x" * 100)[:10] + b"\xff" * 32)  # corrupt deflate
    csv_in = tmp_path / "c.csv"
    csv_in.write_bytes(b'nct_id,eligibility_criteria\nX\xff,ECOG 0-1\nQ,"ECOG\nC1,ECOG 0-1\n')
    out = tmp_path / "out.jsonl"
    args = ["extract", str(inp), str(gz), str(csv_in), "-o", str(out), "--workers", "2", "--no-cache", "-q"]
    res = CliRunner().invoke(app, args)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    recs = [json.loads(line) for line in out.read_bytes().decode("utf-8").splitlines()]
    ok = sorted(r["trial_id"] for r in recs if not r["error"])
    assert ok == sorted([f"G{i}" for i in range(70)] + ["C1"])
    assert sum(1 for r in recs if r["error"]) == len(bad) + 1 + 2
    assert len({r["trial_id"] for r in recs}) == len(recs)
