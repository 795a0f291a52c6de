"""Properties of the disease kinds (diagnosis, stage, measurable_disease, metastatic_burden, brain_metastases): any
text reads without error and with verbatim evidence, hostile repetitions stay fast, and every cancer name of
``vocab/cancers.yaml`` (as written, spaced or hyphenated) triggers the diagnosis kind. Their rule cases are
``tests/rules/cases/<kind>.yaml``."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.kinds import REGISTRY
from extractor.rules.engine import extract_item
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
