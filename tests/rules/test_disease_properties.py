"""Properties of the disease kinds (diagnosis, stage, measurable_disease, metastatic_burden, brain_metastases): any
text reads without error and with verbatim evidence, hostile repetitions stay fast, every cancer name of
``vocab/cancers.yaml`` (as written, spaced or hyphenated) triggers the diagnosis kind, and the cheap tests the kinds
run before a pattern or the context pass (``grammar.required_literals``, ``negation_words``) never skip a match.
Their rule cases are ``tests/rules/cases/<kind>.yaml``."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from extractor.kinds import REGISTRY, measurable_disease, stage
from extractor.rules.engine import extract_item
from extractor.rules.item import WORD
from extractor.rules.prefilter import Prefiltered, required_literals
from extractor.rules.triggers import TriggerIndex
from extractor.segment import segment
from extractor.vocab import load_model
from extractor.vocab.schemas import Cancers


def _run(text: str, exclusion: bool) -> None:
    head = "Exclusion Criteria:" if exclusion else "Inclusion Criteria:"
    seg = segment(f"{head}\n* {text}")
    for item in seg.items:
        for c in extract_item(item, seg.text):
            assert c.evidence.is_grounded_in(seg.text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300), st.booleans())
def test_property_never_raises_and_grounded(text: str, exclusion: bool) -> None:
    _run(text, exclusion)


_PIECES = st.sampled_from(
    ["stage ", "IV", "IIIB", "-", "brain ", "metastases ", "metastatic ", "5 ", "organs ", "or ", "and/or ", ", ",
     "measurable ", "non-", "untreated ", "breast cancer ", "no ", "eligible ", "(", ")", ". ", "; ", "≤", "\\>"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.booleans())
def test_property_disease_words_never_raise(text: str, exclusion: bool) -> None:
    _run(text, exclusion)


@pytest.mark.parametrize(
    "text", ["", " ", "\\", "stage", "stage IV IV IV", "brain " * 40, "≤ ≤ 5 5 organs organs", "stage I-" * 30]
)
def test_never_raises(text: str) -> None:
    _run(text, exclusion=True)


@pytest.mark.parametrize(
    "text",
    [
        "Metastatic " + "and/or " * 40 + "x",
        "Patients with " + "  , " * 40 + "x",
        "stage I" + " and/or" * 60 + " x",
        "brain metastases " + "1 " * 200,
    ],
)
def test_hostile_repetitions_are_fast(text: str) -> None:
    start = time.perf_counter()
    _run(text, exclusion=False)
    _run(text, exclusion=True)
    assert time.perf_counter() - start < 1.0


def test_every_cancer_name_triggers_diagnosis() -> None:
    rules = REGISTRY["diagnosis"].rules()
    assert rules is not None
    index = TriggerIndex({"diagnosis": rules.triggers})
    data = load_model("cancers")
    assert isinstance(data, Cancers)
    missing = []
    for table in (data.cancers, data.histologies):
        for name, aliases in table.items():
            for alias in [name, *aliases]:
                low = alias.lower()
                for form in {low, re.sub(r"[\s-]+", " ", low), re.sub(r"[\s-]+", "-", low)}:
                    if "diagnosis" not in index.kinds(form):
                        missing.append(form)
    assert not missing, f"add trigger words to extractor/kinds/diagnosis.yaml for {missing}"


_KINDS = ("diagnosis", "stage", "measurable_disease", "metastatic_burden", "brain_metastases")


def _patterns(value: object, name: str) -> Iterator[tuple[str, re.Pattern[str]]]:
    if isinstance(value, re.Pattern):
        yield name, value
    elif isinstance(value, BaseModel):
        for key in type(value).model_fields:
            yield from _patterns(getattr(value, key), f"{name}.{key}")
    elif isinstance(value, tuple):
        for i, v in enumerate(value):
            yield from _patterns(v, f"{name}[{i}]")


_PATTERNS = [p for kind in _KINDS for p in _patterns(REGISTRY[kind].rules(), kind)]
_CASE_TEXTS = [
    c["text"].lower()
    for kind in _KINDS
    for c in yaml.safe_load((Path(__file__).parent / "cases" / f"{kind}.yaml").read_text(encoding="utf-8"))["cases"]
]
# pieces of text: every literal the kinds' patterns require, and the joints between words
_LITERALS = sorted({s for _, rx in _PATTERNS for c in required_literals(rx) for s in c})
_TEXTS = st.lists(
    st.sampled_from([*_LITERALS, " ", "  ", "-", ", ", ". ", "; ", "/", "(", ")", "1 ", "4 "]), max_size=30
)


def _check_literals(text: str) -> None:
    for name, rx in _PATTERNS:
        clauses = required_literals(rx)
        for m in rx.finditer(text):
            for clause in clauses:
                assert any(s in m.group() for s in clause), (name, m.group(), clause)
            assert Prefiltered(rx).possible(text, m.start(), m.end()), name


def test_required_literals_are_in_every_match_of_the_cases() -> None:
    assert len(_PATTERNS) > 40
    for text in _CASE_TEXTS:
        _check_literals(text)


@settings(max_examples=300, deadline=None)
@given(_TEXTS.map("".join))
def test_required_literals_are_in_every_match(text: str) -> None:
    _check_literals(text)


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"\bfoo(?:bar|baz)s?x", (("fooba",), ("x",))),
        (r"\bsteroids?|dexameth", (("dexameth", "steroid"),)),
        (r"(?P<n>abc)def", (("abcdef",),)),
        (r"(?i)abc", ()),
        (r"ab|", ()),
        (r"x{0,2}y", (("y",),)),
        (r"\brecist\b[^.;]{0,25}?1\.0\b", (("recist",), ("1.0",))),
    ],
)
def test_required_literals(pattern: str, literals: tuple[tuple[str, ...], ...]) -> None:
    assert required_literals(re.compile(pattern)) == literals


_NEGATION_PIECES = st.sampled_from(
    ["no", "not", "non", "none", "nor", "without", "free", "absence", "lack", "of", "have", "evidence", "history",
     "sign", "signs", "measurable", "stage", "metastatic", "known", "x", " ", "  ", "-", ",", ".", "/", "(", "1"]
)  # fmt: skip


_NEGATION_WORDS: dict[str, stage.Rules | measurable_disease.Rules] = {
    "stage": stage.RULES,
    "measurable_disease": measurable_disease.RULES,
}


@pytest.mark.parametrize("kind", sorted(_NEGATION_WORDS))
def test_negation_words_start_every_literal_negation_cue(kind: str) -> None:
    rules = _NEGATION_WORDS[kind]
    for rule in rules.context:
        if rule.category == "negated":
            assert {WORD.findall(p.lower())[0] for p in rule.literals} <= rules.negation_words


@settings(max_examples=300, deadline=None)
@given(st.lists(_NEGATION_PIECES, max_size=12).map("".join))
def test_negation_words_gate_every_negation_cue(text: str) -> None:
    """Where a negation cue of stage or measurable_disease matches, the item holds one of the kind's
    ``negation_words`` (the test they run before the context pass)."""
    for kind, rules in _NEGATION_WORDS.items():
        cues = re.compile("|".join(r.regex() for r in rules.context if r.category == "negated"))
        if cues.search(text):
            assert frozenset(WORD.findall(text)) & rules.negation_words, (kind, text)
