"""The public library API: extract_many / estimate_many / read_records, extract() inside a running event loop,
by_kind on unknown kinds, docstrings, and one redacting error-record builder for the batch and the eval path."""

from __future__ import annotations

import asyncio
import gzip
from pathlib import Path
from typing import Any

import pytest

import extractor
import extractor.api
from extractor.evals import load_gold, predict_gold
from tests.batch.conftest import synthetic, write_jsonl
from tests.batch.fake_openai import FakeOpenAI
from tests.evals.conftest import DATA as EVAL_DATA

KEY = "sk-live-abcdef1234567890"


def test_extract_many_writes_resumes_and_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    texts = {r["nct_id"]: r["eligibility_criteria"] for r in synthetic(3)}
    s = extractor.extract_many(texts, out, workers=0, cache=False)
    assert isinstance(s, extractor.RunSummary) and (s.ok, s.error, s.backend) == (3, 0, "rules")
    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(5))
    s2 = extractor.extract_many([inp, extractor.Trial(trial_id="X1", text="Inclusion Criteria:\n* ECOG 0-1")], out)
    assert (s2.skipped, s2.ok) == (3, 3)  # resumed: the three trials already in out.jsonl are skipped
    recs = list(extractor.read_records(out))
    assert all(isinstance(r, extractor.OutputRecord) for r in recs)
    assert [r.trial_id for r in recs] == ["SYN00000", "SYN00001", "SYN00002", "SYN00003", "SYN00004", "X1"]
    assert recs[-1].criteria[0].kind == "performance_status"
    s3 = extractor.extract_many(inp, out, resume=False, workers=0, cache=False)
    assert s3.ok == 5 and len(list(extractor.read_records(out))) == 5


def test_extract_many_refuses_a_missing_path_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with pytest.raises(extractor.InputError, match=r"missing\.jsonl \(no such file or directory\)"):
        extractor.extract_many([write_jsonl(tmp_path / "in.jsonl", synthetic(1)), tmp_path / "missing.jsonl"], out)
    assert not out.exists()
    with pytest.raises(extractor.ConfigError, match="not a trial id"):
        extractor.extract_many({"T1": None}, out)  # type: ignore[dict-item]


def test_estimate_many_prices_an_llm_run_without_a_key(tmp_path: Path) -> None:
    report = extractor.estimate_many(write_jsonl(tmp_path / "in.jsonl", synthetic(2)), backend="llm", cache=False)
    assert isinstance(report, extractor.DryRunReport)
    assert report.requests == 2 and report.estimated_prompt_tokens > 0 and report.assumptions


def test_read_records_reads_gzip_and_names_a_bad_line(tmp_path: Path) -> None:
    rec = extractor.OutputRecord(trial_id="T1")
    path = tmp_path / "out.jsonl.gz"
    path.write_bytes(gzip.compress((rec.model_dump_json() + "\n\n").encode()))
    assert [r.trial_id for r in extractor.read_records(path)] == ["T1"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(rec.model_dump_json() + '\n{"trial_id": 3}\n')
    with pytest.raises(extractor.InputError) as exc:
        list(extractor.read_records(bad))
    assert (exc.value.line, exc.value.field) == (2, "trial_id")


@pytest.mark.parametrize(
    ("name", "content"),
    [("out.csv", b"trial_id,status\nT1,ok\n"), ("out.parquet.gz", b"x"), ("out.dat", b"PAR1\x15\x04 binary")],
)
def test_read_records_refuses_csv_and_parquet(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(extractor.InputError) as exc:
        list(extractor.read_records(path))
    assert "is not supported" in exc.value.message and "JSONL" in exc.value.message
    assert exc.value.file == str(path) and "not valid JSON" not in exc.value.message


def test_extract_llm_inside_a_running_event_loop(fake_server: FakeOpenAI) -> None:
    cfg = extractor.LLMConfig(base_url=fake_server.base_url, model="fake")

    async def notebook_cell() -> extractor.CriteriaSet:
        return extractor.extract("Inclusion Criteria:\n* ECOG 0-1", backend="llm", llm=cfg, trial_id="T1")

    result = asyncio.run(notebook_cell())
    assert result.trial_id == "T1" and result.provenance.backend == "llm"
    assert fake_server.chat_calls == 1


def test_by_kind_raises_on_an_unknown_kind() -> None:
    result = extractor.extract("Inclusion Criteria:\n* ECOG 0-1")
    assert [c.kind for c in result.by_kind("performance_status")] == ["performance_status"]
    assert result.by_kind("her2") == []
    with pytest.raises(extractor.ConfigError, match="unknown criterion kind 'her3'"):
        result.by_kind("her3")


def test_public_functions_have_real_docstrings() -> None:
    for fn in (extractor.extract, extractor.aextract, extractor.extract_many, extractor.estimate_many):
        doc = fn.__doc__ or ""
        assert "backend" in doc and "See " not in doc.split("\n")[0], fn.__name__
    assert "Args:" in (extractor.extract.__doc__ or "") and "Args:" in (extractor.extract_many.__doc__ or "")
    assert not hasattr(extractor, "GroundingError")


def _leaky(source: Any, **kwargs: Any) -> extractor.CriteriaSet:
    raise RuntimeError(f"upstream said: invalid key {KEY}")


def test_a_non_library_error_is_redacted_in_the_batch_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extractor.api, "extract", _leaky)
    out = tmp_path / "out.jsonl"
    s = extractor.extract_many(write_jsonl(tmp_path / "in.jsonl", synthetic(1)), out, workers=0, cache=False)
    assert s.error == 1
    (rec,) = extractor.read_records(out)
    assert rec.error is not None and rec.error.type == "RuntimeError" and "upstream said" in rec.error.message
    assert KEY not in out.read_text()


def test_a_non_library_error_is_redacted_in_the_eval_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extractor.api, "extract", _leaky)
    records = predict_gold("rules", load_gold(EVAL_DATA / "gold", EVAL_DATA / "texts.jsonl"))
    assert records and all(r.error is not None and r.error.type == "RuntimeError" for r in records)
    assert all(KEY not in r.model_dump_json() and "upstream said" in r.error.message for r in records if r.error)
