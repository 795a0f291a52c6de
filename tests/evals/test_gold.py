"""Gold loading: every failure is a GoldError naming the file and the field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from extractor.errors import GoldError, InputError
from extractor.evals import load_gold, select_cases
from extractor.evals.gold import field_path

Edit = Callable[[dict[str, Any]], None]


def _edit(path: Path, change: Edit) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_loads_fixture_gold(data: Path) -> None:
    cases = load_gold(data / "gold", data / "texts.jsonl")
    assert [c.trial_id for c in cases] == ["T1", "T2"]
    assert all(c.text and c.file.endswith(".yaml") for c in cases)
    assert len(cases[0].gold.criteria) == 7


def _set(path: tuple[Any, ...], value: Any) -> Edit:
    def change(d: dict[str, Any]) -> None:
        target: Any = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


BAD: dict[str, tuple[Edit, str]] = {
    "bad enum": (_set(("criteria", 0, "status"), "maybe"), "criteria[0].status"),
    "unknown field": (_set(("criteria", 2, "ecog_max"), 1), "criteria[2].ecog_max"),
    "unknown kind": (_set(("criteria", 1, "kind"), "diagnoses"), "criteria[1]"),
    "top-level extra": (_set(("labeller",), "me"), "labeller"),
    "span length": (_set(("criteria", 3, "evidence", "end"), 10_000), "criteria[3].evidence"),
    "quote not in text": (
        _set(("criteria", 4, "evidence"), {"text": "ANC < 9.9", "start": 176, "end": 185}),
        "criteria[4].evidence",
    ),
    "quote moved": (
        _set(("criteria", 1, "evidence"), {"text": "breast cancer", "start": 37, "end": 50}),
        "criteria[1].evidence",
    ),
    "bad hash": (_set(("text_sha256",), "0" * 64), "text_sha256"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_gold_file_names_file_and_field(data: Path, case: str) -> None:
    change, field = BAD[case]
    _edit(data / "gold" / "T1.yaml", change)
    with pytest.raises(GoldError) as exc:
        load_gold(data / "gold", data / "texts.jsonl")
    assert exc.value.file is not None and exc.value.file.endswith("T1.yaml")
    assert exc.value.field == field
    assert "T1.yaml" in str(exc.value) and field in str(exc.value)


def test_unknown_trial(data: Path) -> None:
    path = data / "gold" / "T1.yaml"
    _edit(path, _set(("trial_id",), "T7"))
    path.rename(data / "gold" / "T7.yaml")
    with pytest.raises(GoldError, match="unknown trial") as exc:
        load_gold(data / "gold", data / "texts.jsonl")
    assert exc.value.field == "trial_id" and str(exc.value.file).endswith("T7.yaml")


def test_file_name_must_match_trial_id(data: Path) -> None:
    (data / "gold" / "T1.yaml").rename(data / "gold" / "T3.yaml")
    with pytest.raises(GoldError, match="differs from the file name") as exc:
        load_gold(data / "gold", data / "texts.jsonl")
    assert exc.value.field == "trial_id"


def test_invalid_yaml(data: Path) -> None:
    (data / "gold" / "T2.yaml").write_text("trial_id: T2\ncriteria: [\n  - kind: age\n", encoding="utf-8")
    with pytest.raises(GoldError, match="not valid YAML") as exc:
        load_gold(data / "gold", data / "texts.jsonl")
    assert str(exc.value.file).endswith("T2.yaml")


def test_not_a_mapping(data: Path) -> None:
    (data / "gold" / "T2.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(GoldError) as exc:
        load_gold(data / "gold", data / "texts.jsonl")
    assert exc.value.field == "<root>"


def test_missing_directory_and_texts(tmp_path: Path, data: Path) -> None:
    with pytest.raises(GoldError, match="gold directory not found"):
        load_gold(tmp_path / "nope", data / "texts.jsonl")
    with pytest.raises(GoldError, match="gold texts file not found"):
        load_gold(data / "gold", tmp_path / "nope.jsonl")


def test_bad_texts_file(data: Path) -> None:
    (data / "texts.jsonl").write_text('{"trial_id": "T1"}\n', encoding="utf-8")
    with pytest.raises(GoldError) as exc:
        load_gold(data / "gold", data / "texts.jsonl")
    assert str(exc.value.file).endswith("texts.jsonl")


def test_json_gold_files_are_read_too(data: Path) -> None:
    import json

    src = data / "gold" / "T2.yaml"
    (data / "gold" / "T2.json").write_text(json.dumps(yaml.safe_load(src.read_text())), encoding="utf-8")
    src.unlink()
    assert [c.trial_id for c in load_gold(data / "gold", data / "texts.jsonl")] == ["T1", "T2"]


def test_field_path_drops_union_tags() -> None:
    assert field_path(("criteria", 3, "her2", "evidence")) == "criteria[3].evidence"
    assert field_path(("criteria", 0, "prior_therapy", "agents", 1)) == "criteria[0].agents[1]"
    assert field_path(()) == "<root>"


def test_select_cases_by_ids_list_and_file(data: Path) -> None:
    cases = load_gold(data / "gold", data / "texts.jsonl")
    assert select_cases(cases, None) == cases
    assert [c.trial_id for c in select_cases(cases, " T2 , T1,T2,")] == ["T1", "T2"]  # sorted, de-duplicated
    assert [c.trial_id for c in select_cases(cases, ["T2"])] == ["T2"]
    (data / "ids.txt").write_text("# a comment\n\nT2\n", encoding="utf-8")
    assert [c.trial_id for c in select_cases(cases, f"@{data / 'ids.txt'}")] == ["T2"]


def test_select_cases_rejects_unknown_ids_and_unreadable_files(data: Path) -> None:
    cases = load_gold(data / "gold", data / "texts.jsonl")
    with pytest.raises(InputError) as exc:
        select_cases(cases, "T1,NCT1,NCT2")
    assert exc.value.message.endswith("without gold: NCT1, NCT2") and exc.value.field == "--trials"
    with pytest.raises(InputError, match="cannot read the trials file") as exc:
        select_cases(cases, f"@{data / 'missing.txt'}")
    assert str(exc.value.file).endswith("missing.txt")
