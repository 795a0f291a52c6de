"""Rule knowledge is typed data: every vocabulary file and every kind's rule file validates, and a typo fails at
load naming the file and the key."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from extractor.errors import ConfigError
from extractor.kinds import REGISTRY
from extractor.rules import ruledata
from extractor.rules.ruledata import Pattern, RuleFile
from extractor.vocab import load_model
from extractor.vocab.schemas import SCHEMAS

VOCAB_FILES = sorted(p.name[:-5] for p in resources.files("extractor.vocab").iterdir() if p.name.endswith(".yaml"))


def test_every_vocabulary_file_has_a_schema() -> None:
    assert set(VOCAB_FILES) == set(SCHEMAS)


@pytest.mark.parametrize("name", VOCAB_FILES)
def test_vocabulary_file_validates(name: str) -> None:
    load_model(name)


@pytest.mark.parametrize("name", [n for n, s in REGISTRY.items() if s.extract is not None])
def test_kind_rule_file_validates(name: str) -> None:
    rules = REGISTRY[name].rules()
    assert rules is not None and rules.triggers


def test_vocabulary_typo_names_file_and_key() -> None:
    from extractor.vocab import _MODELS

    good = yaml.safe_load(resources.files("extractor.vocab").joinpath("scales.yaml").read_text("utf-8"))
    bad = {**good, "sexx": good["sex"]}
    _MODELS.pop("scales", None)
    try:
        with pytest.raises(ConfigError, match=r"scales\.yaml: key 'sexx'"):
            load_model("scales", bad)
    finally:
        _MODELS.pop("scales", None)


class _Demo(RuleFile):
    value: Pattern
    words: list[str]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("triggers: [a]\nvalue: 'x'\nwords: [b]\nextra: 1\n", "key 'extra': Extra inputs are not permitted"),
        ("triggers: [a]\nwords: [b]\n", "key 'value': Field required"),
        ("triggers: [a]\nvalue: '(x'\nwords: [b]\n", "key 'value': Value error, does not compile"),
        ("triggers: [a]\nvalue: '{{nope}}'\nwords: [b]\n", "key 'value': Value error, unknown macro"),
        ("triggers: []\nvalue: 'x'\nwords: [b]\n", "key 'triggers'"),
    ],
)
def test_rule_file_typo_names_file_and_key(monkeypatch: pytest.MonkeyPatch, text: str, message: str) -> None:
    monkeypatch.setattr(ruledata, "rule_file_text", lambda kind: text)
    ruledata._load.cache_clear()
    try:
        with pytest.raises(ConfigError, match="extractor/kinds/demo.yaml: " + message.replace("(", r"\(")):
            ruledata.load_rules("demo", _Demo)
    finally:
        ruledata._load.cache_clear()


def test_rule_file_patterns_expand_grammar_and_word_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "triggers: [ecog]\nvalue: '{{words}}\\s*{{cmp}}\\s*({{num}})'\nwords: [ecog, performance status]\n"
    monkeypatch.setattr(ruledata, "rule_file_text", lambda kind: text)
    ruledata._load.cache_clear()
    try:
        rules = ruledata.load_rules("demo", _Demo)
    finally:
        ruledata._load.cache_clear()
    m = rules.value.search("performance-status <= 1,5")
    assert m is not None and m.group(1) == "1,5"
    assert rules.value.search("ecog at most 2") is not None
    assert rules.value.search("karnofsky 70") is None
