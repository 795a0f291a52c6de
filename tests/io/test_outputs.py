"""Outputs through the CLI (issue 13): gzip by extension, flat CSV columns, Parquet, stdin formats, and the
output-record JSON Schema validated against real ``extractor extract`` output."""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.errors import ConfigError
from extractor.io import OutputOptions, ReaderOptions, csv_columns, flat_columns, read_inputs
from extractor.io.formats import csv_cell
from extractor.kinds import REGISTRY
from extractor.models import BASE_FIELDS, Trial

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DATA = ROOT / "tests" / "data" / "batch"
runner = CliRunner()


def _extract(*args: str, input: str | None = None) -> Any:
    res = runner.invoke(app, ["extract", *args, "--no-cache", "-q"], input=input)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    return res


def _bad_inputs(tmp_path: Path) -> Path:
    """A JSONL file with two good records and three bad ones (each becomes an error record)."""
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"nct_id": "X1"}\nnot json\n{"nct_id": "X2", "eligibility_criteria": ""}\n'
        '{"nct_id": "G1", "eligibility_criteria": "Inclusion Criteria:\\n* ECOG 0-1\\n* HER2 3+ by IHC"}\n'
        '{"nct_id": "G2", "eligibility_criteria": "Exclusion Criteria:\\n* ANC < 1.5 x 10^9/L", "sex": "ALL"}\n',
        encoding="utf-8",
    )
    return path


def _records(path: Path) -> list[dict[str, Any]]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    text = data.decode("utf-8")
    if ".json." in path.name or path.name.endswith(".json"):
        return list(json.loads(text))
    return [json.loads(line) for line in text.splitlines()]


# ------------------------------------------------------------------------------------------------- gzip


@pytest.mark.parametrize("name", ["out.jsonl.gz", "out.json.gz", "out.csv.gz"])
def test_gz_outputs_are_gzip_and_hold_what_plain_outputs_hold(tmp_path: Path, name: str) -> None:
    gz, plain = tmp_path / name, tmp_path / name.removesuffix(".gz")
    bad = _bad_inputs(tmp_path)
    _extract(str(EXAMPLES), str(bad), "-o", str(gz))
    _extract(str(EXAMPLES), str(bad), "-o", str(plain))
    assert gz.read_bytes()[:2] == b"\x1f\x8b"
    if name.startswith("out.csv"):
        assert gzip.decompress(gz.read_bytes()) == plain.read_bytes()  # same content, format seen through .gz
        return

    def untimed(path: Path) -> list[dict[str, Any]]:
        recs = _records(path)
        for r in recs:
            (r["provenance"] or {}).pop("timings", None)
        return recs

    assert untimed(gz) == untimed(plain) and len(untimed(gz)) == 13


@pytest.mark.parametrize("name", ["out.jsonl.gz", "out.json.gz", "out.csv.gz"])
def test_gz_output_resumes_after_a_torn_member_and_retries_errors(tmp_path: Path, name: str) -> None:
    out, bad = tmp_path / name, _bad_inputs(tmp_path)
    _extract(str(bad), "-o", str(out))
    whole = gzip.decompress(out.read_bytes())
    with out.open("ab") as f:  # a run killed mid-write: half a gzip member
        f.write(gzip.compress(b'{"schema_version":1,"trial_id":"TORN","criteria":[]}\n')[:20])
    res = _extract(str(bad), str(EXAMPLES / "seed-001.txt"), "-o", str(out), "--retry-errors")
    assert "TORN" not in res.output
    data = gzip.decompress(out.read_bytes()).decode("utf-8")  # valid gzip again: the torn member is gone
    assert len(data) > len(whole) and "seed-001" in data
    if not name.startswith("out.csv"):
        ids = [r["trial_id"] for r in _records(out)]
        assert sorted(ids) == sorted(set(ids))  # errors redone once, nothing twice
        assert "seed-001" in ids and "G1" in ids


def test_plain_text_under_a_gz_name_is_refused_not_truncated(tmp_path: Path) -> None:
    out = tmp_path / "old.jsonl.gz"
    out.write_text('{"schema_version":1,"trial_id":"A","error":null}\n', encoding="utf-8")
    before = out.read_bytes()
    res = runner.invoke(app, ["extract", str(EXAMPLES / "seed-001.txt"), "-o", str(out), "--no-cache", "-q"])
    assert res.exit_code == 2 and "not gzip-compressed" in res.output
    assert out.read_bytes() == before


def test_format_is_inferred_through_gz() -> None:
    assert OutputOptions.for_output(Path("a.csv.gz")) == OutputOptions("csv", "json", gzip=True)
    assert OutputOptions.for_output(Path("a.JSON.gz")).format == "json"
    assert OutputOptions.for_output(Path("a.gz")) == OutputOptions("jsonl", gzip=True)
    assert OutputOptions.for_output(None).format == "jsonl"
    assert OutputOptions.for_output(Path("a.jsonl.gz"), "csv", csv_fields="flat").flat
    with pytest.raises(ConfigError, match="unknown format"):
        OutputOptions.for_output(Path("a.jsonl"), "xml")
    with pytest.raises(ConfigError, match="applies to CSV"):
        OutputOptions.for_output(Path("a.jsonl"), csv_fields="flat")


def test_gz_input_is_read() -> None:
    raw = (DATA / "trials.jsonl").read_bytes()
    trials = [t for t in read_inputs(["-"], stdin=io.BytesIO(raw)) if isinstance(t, Trial)]
    assert len(trials) == 4  # and the file reader (tests/io/test_readers.py::test_gzip_jsonl) reads .gz


# -------------------------------------------------------------------------------------------- flat CSV


def test_flat_columns_come_from_the_registry() -> None:
    names = [name for name, _ in flat_columns()]
    expected = {f"{k}.{f}" for k, spec in REGISTRY.items() for f in spec.model.model_fields if f not in BASE_FIELDS}
    assert expected <= set(names)
    assert {"kind", "polarity", "evidence.text", "evidence.start", "item", "cohort", "backend"} <= set(names)
    assert {"registry", "error.type", "error.message", "error.line"} <= set(names)
    assert len(names) == len(set(names))
    assert dict(flat_columns())["lab.value"] == "float" and dict(flat_columns())["her2.ihc_scores"] == "list"


def test_csv_cells_are_stable() -> None:
    assert [csv_cell(v) for v in (None, True, False, 2, 1.5, "x")] == ["", "true", "false", "2", "1.5", "x"]
    assert csv_cell(["3+", "2+"]) == "3+;2+"
    assert csv_cell(["a;b", "c\\d"]) == "a\\;b;c\\\\d"


def test_flat_csv_through_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    _extract(str(_bad_inputs(tmp_path)), str(EXAMPLES / "seed-001.txt"), "-o", str(out), "--csv-fields", "flat")
    with out.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == csv_columns(OutputOptions("csv", "flat"))
        rows = list(reader)
    her2 = next(r for r in rows if r["trial_id"] == "G1" and r["kind"] == "her2")
    assert her2["her2.ihc_scores"] == "3+" and her2["her2.status"] == "positive" and her2["polarity"] == "inclusion"
    assert her2["evidence.text"] and her2["item"] == "1"
    lab = next(r for r in rows if r["trial_id"] == "G2" and r["kind"] == "lab")
    assert (lab["lab.analyte"], lab["lab.op"], float(lab["lab.value"])) == ("anc", ">=", 1.5)
    assert json.loads(lab["registry"]) == {"sex": "ALL"} and lab["her2.status"] == ""
    (x1,) = [r for r in rows if r["trial_id"] == "X1"]
    assert x1["kind"] == "" and x1["error.type"] == "InputError" and x1["error.line"] == "1"
    seed = [r for r in rows if r["trial_id"] == "seed-001"]
    assert len(seed) > 10 and all(r["text_sha256"] for r in seed)


def test_resume_with_the_other_csv_layout_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    _extract(str(EXAMPLES / "seed-001.txt"), "-o", str(out))
    before = out.read_bytes()
    res = runner.invoke(
        app, ["extract", str(EXAMPLES / "seed-003.txt"), "-o", str(out), "--csv-fields", "flat", "--no-cache"]
    )
    assert res.exit_code == 2 and "other CSV columns" in res.output
    assert out.read_bytes() == before
    res = _extract(str(EXAMPLES / "seed-003.txt"), "-o", str(out))  # the same layout resumes
    assert "seed-003" in out.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------- Parquet


def test_parquet_output_resume_and_retry_errors(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="parquet output needs the parquet extra (pyarrow)")
    out, bad = tmp_path / "out.parquet", _bad_inputs(tmp_path)
    _extract(str(bad), "-o", str(out))
    table = pq.read_table(out)
    assert table.column_names == [name for name, _ in flat_columns()]
    assert str(table.schema.field("lab.value").type) == "double"
    assert pytest.importorskip("pyarrow").types.is_list(table.schema.field("her2.ihc_scores").type)
    rows = table.to_pylist()
    her2 = next(r for r in rows if r["kind"] == "her2")
    assert her2["her2.ihc_scores"] == ["3+"] and her2["item"] == 1
    assert {r["trial_id"] for r in rows if r["error.type"]} == {"X1", "X2", f"{bad}:2"}
    assert not list(tmp_path.glob(".*partial"))
    # resume: the old rows are kept, new trials added; --retry-errors redoes the error records only
    _extract(str(bad), str(EXAMPLES / "seed-001.txt"), "-o", str(out), "--retry-errors")
    rows2 = pq.read_table(out).to_pylist()
    assert {r["trial_id"] for r in rows2} == {r["trial_id"] for r in rows} | {"seed-001"}
    assert len([r for r in rows2 if r["trial_id"] == "X1"]) == 1
    assert [r for r in rows2 if r["trial_id"] == "G1"] == [r for r in rows if r["trial_id"] == "G1"]


def test_parquet_without_pyarrow_is_a_usage_error_naming_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    res = runner.invoke(app, ["extract", str(EXAMPLES / "seed-001.txt"), "-o", str(tmp_path / "o.parquet")])
    assert res.exit_code == 2 and "pip install '.[parquet]'" in res.output
    res = runner.invoke(app, ["extract", str(EXAMPLES / "seed-001.txt"), "--format", "parquet"])
    assert res.exit_code == 2 and "needs a file" in res.output


# ----------------------------------------------------------------------------------------------- stdin


CSV_IN = 'nct_id,eligibility_criteria,sex\nC1,"Inclusion Criteria:\n* ECOG 0-1",ALL\nC2,"* HER2 3+",FEMALE\n'


@pytest.mark.parametrize("flag", [[], ["--stdin-format", "csv"]])
def test_csv_on_stdin_is_read_as_csv(tmp_path: Path, flag: list[str]) -> None:
    out = tmp_path / "out.jsonl"
    _extract("-", "-o", str(out), *flag, input=CSV_IN)
    recs = _records(out)
    assert [r["trial_id"] for r in recs] == ["C1", "C2"] and recs[1]["registry"] == {"sex": "FEMALE"}
    assert recs[1]["source"] == "<stdin>:4" and not any(r["error"] for r in recs)


def test_stdin_format_overrides_sniffing() -> None:
    jsonl = (DATA / "trials.jsonl").read_bytes()

    def ids(data: bytes, fmt: str) -> list[str]:
        items = read_inputs(["-"], ReaderOptions(stdin_format=fmt), stdin=io.BytesIO(data))  # type: ignore[arg-type]
        return [i.trial_id if isinstance(i, Trial) else f"error:{i.line}" for i in items]

    assert ids(jsonl, "txt") == ["stdin"]  # forced: the JSON lines are one text trial
    assert len(ids(jsonl, "jsonl")) == 4
    assert ids(CSV_IN.encode(), "txt") == ["stdin"]
    assert ids(CSV_IN.encode(), "jsonl")[0] == "error:1"
    assert ids((DATA / "ctgov_page.json").read_bytes(), "json") == ["NCT00034216", "NCT00050752", "NCT00131014"]
    assert ids(b"Inclusion Criteria:\n* ECOG 0-1, or 2\n", "auto") == ["stdin"]  # not a header: text


# ---------------------------------------------------------------------------------------------- schema


def test_schema_validates_every_real_output_record(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    res = runner.invoke(app, ["schema"])
    assert res.exit_code == 0
    schema = json.loads(res.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:eligibility-extractor:output-record:v1"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = _bad_inputs(tmp_path)
    records: list[dict[str, Any]] = []
    for name, extra in (("a.jsonl", []), ("b.json", ["--include-text"])):
        out = tmp_path / name
        _extract(str(EXAMPLES), str(bad), str(DATA / "ctgov_page.json"), "-o", str(out), *extra)
        records += _records(out)
    assert len(records) == 2 * (8 + 5 + 3)
    assert sum(1 for r in records if r["error"]) == 6 and any("source_text" in r for r in records)
    invalid = [(r["trial_id"], e.message) for r in records for e in validator.iter_errors(r)]
    assert invalid == []
    # the schema is not vacuous: a record with an unknown field or a bad kind fails it
    ok = next(r for r in records if r["criteria"])
    assert not validator.is_valid({**ok, "surprise": 1})
    assert not validator.is_valid({**ok, "criteria": [{**ok["criteria"][0], "kind": "horoscope"}]})


def test_schema_of_criteria_set() -> None:
    res = runner.invoke(app, ["schema", "--of", "criteria-set"])
    schema = json.loads(res.stdout)
    assert res.exit_code == 0 and schema["$id"] == "urn:eligibility-extractor:criteria-set:v1"
    assert "source_text" in schema["required"]
    assert runner.invoke(app, ["schema", "--of", "nonsense"]).exit_code == 2


def test_schema_of_patient_validates_a_patient_and_rejects_a_typo() -> None:
    import jsonschema

    res = runner.invoke(app, ["schema", "--of", "patient"])
    schema = json.loads(res.stdout)
    assert res.exit_code == 0 and schema["$id"] == "urn:eligibility-extractor:patient:v1"
    validator = jsonschema.Draft202012Validator(schema)
    patient = {
        "sex": "female",
        "her2": [{"ihc_score": "3+"}],
        "labs": [{"analyte": "ANC", "value": 1.2, "unit": "10^9/L"}],
    }
    assert validator.is_valid(patient)
    assert not validator.is_valid({**patient, "gender": "female"})
    assert not validator.is_valid({"her2": [{"ihc_score": "4+"}]})
