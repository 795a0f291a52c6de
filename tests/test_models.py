"""The contract: schema round-trips, discriminated union, JSON Schema export, public API surface."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError
from typer.testing import CliRunner

import extractor
from extractor.cli import app
from extractor.models import CRITERION_TYPES, KIND_TYPES, KINDS, CriteriaSet, Criterion, GoldTrial, OutputRecord
from extractor.testing.examples import required_fields


def _example() -> CriteriaSet:
    return extractor.extract(
        "Inclusion Criteria:\n* HER2-positive (IHC 3+ or ISH ratio >= 2.0)\n* ECOG 0-1\n"
        "* ANC >= 1.5 x 10^9/L\nExclusion Criteria:\n* Pregnancy\n* Keeps a paper diary",
        trial_id="T-roundtrip",
    )


def test_criteria_set_json_round_trip() -> None:
    result = _example()
    assert len({c.kind for c in result.criteria}) >= 4
    again = CriteriaSet.model_validate_json(result.model_dump_json())
    assert again == result
    assert again.criteria[0].__class__ is result.criteria[0].__class__


def test_every_kind_round_trips_through_the_union() -> None:
    adapter: TypeAdapter[Criterion] = TypeAdapter(Criterion)
    for cls in CRITERION_TYPES:
        data = {
            "kind": cls.model_fields["kind"].default,
            "polarity": "exclusion",
            "evidence": {"text": "x", "start": 0, "end": 1},
            **required_fields(cls),  # generated from the model: a new kind needs no line here
        }
        obj = adapter.validate_python(data)
        assert type(obj) is cls
        assert adapter.validate_json(adapter.dump_json(obj)) == obj


def test_unknown_fields_and_kinds_are_rejected() -> None:
    adapter: TypeAdapter[Criterion] = TypeAdapter(Criterion)
    base = {"polarity": "inclusion", "evidence": {"text": "x", "start": 0, "end": 1}}
    with pytest.raises(ValidationError):
        adapter.validate_python({**base, "kind": "age", "min_years": 18, "typo_field": 1})
    with pytest.raises(ValidationError):
        adapter.validate_python({**base, "kind": "horoscope"})
    with pytest.raises(ValidationError):
        adapter.validate_python({**base, "kind": "performance_status", "scale": "made-up"})


def test_schema_command_exports_json_schema() -> None:
    out = CliRunner().invoke(app, ["schema"])
    assert out.exit_code == 0
    schema = json.loads(out.stdout)
    union = schema["$defs"]["CriteriaSet"] if "CriteriaSet" in schema.get("$defs", {}) else schema
    assert union["properties"]["criteria"]["items"]["discriminator"]["propertyName"] == "kind"
    assert set(schema["$defs"]) >= {"Evidence", "Provenance", "NumberFlag"}  # flagged numbers (provenance.flagged)
    mapping = union["properties"]["criteria"]["items"]["discriminator"]["mapping"]
    assert set(mapping) == set(KINDS)  # every registered kind, generated from the registry
    assert {KIND_TYPES[k].__name__ for k in KINDS} <= set(schema["$defs"])


def test_schema_command_unwritable_output_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "schema.json"
    out = CliRunner().invoke(app, ["schema", "-o", str(target)])
    assert out.exit_code == 2 and isinstance(out.exception, SystemExit)
    assert out.stderr.strip().splitlines() == [out.stderr.strip()]  # one line, no traceback
    assert str(target) in out.stderr and "Traceback" not in out.stderr
    ok = CliRunner().invoke(app, ["schema", "-o", str(tmp_path / "s.json")])
    assert ok.exit_code == 0 and json.loads((tmp_path / "s.json").read_text())["$schema"]


def test_output_record_and_gold_models_forbid_extras() -> None:
    with pytest.raises(ValidationError):
        OutputRecord.model_validate({"trial_id": "x", "surprise": 1})
    with pytest.raises(ValidationError):
        GoldTrial.model_validate(
            {"trial_id": "x", "origin": "corpus", "source": "s", "text_sha256": "0" * 64, "extra": True}
        )


def test_public_api_is_small_and_complete() -> None:
    public = {n for n in dir(extractor) if not n.startswith("_")}
    exported = set(extractor.__all__) - {"__version__"}
    modules = {
        "api",
        "errors",
        "models",
        "segment",
        "ground",
        "rules",
        "vocab",
        "llm",
        "evals",
        "cli",
        "io",
        "batch",
        "units",
        "kinds",
        "run",
        "testing",
        "view",
    }
    assert exported <= public
    assert public - exported <= modules, public - exported - modules
    for name in ("extract", "aextract", "CriteriaSet", "ExtractorError", "segment"):
        assert name in extractor.__all__
