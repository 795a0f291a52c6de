"""Properties of the kinds her2, hormone_receptor and biomarker (the old `her2` family).

Their table cases are data (``tests/rules/cases/<kind>.yaml``); here hypothesis checks that the extractors never
raise and ground every criterion verbatim, run alone or through the engine, and the trigger pass is checked to
reach every name of the shared vocabulary (``vocab/biomarkers.yaml``) the kinds read.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.kinds import REGISTRY
from extractor.rules.engine import extract_item
from extractor.rules.grammar import safe_lower
from extractor.rules.item import ItemContext
from extractor.rules.triggers import registry_index
from extractor.segment import segment
from extractor.vocab import load_model
from extractor.vocab.schemas import Biomarkers
from tests.rules._support import ARBITRARY_TEXT

KINDS = ("her2", "hormone_receptor", "biomarker")


def _vocab() -> Biomarkers:
    vocab = load_model("biomarkers")
    assert isinstance(vocab, Biomarkers)
    return vocab


def _run_alone(text: str, exclusion: bool) -> None:
    seg = segment(("Exclusion" if exclusion else "Inclusion") + " Criteria:\n* " + text)
    for item in seg.items:
        for kind in KINDS:
            extract = REGISTRY[kind].extract
            assert extract is not None
            for c in extract(ItemContext(item=item, source=seg.text)):
                assert c.kind == kind
                assert c.polarity == item.polarity
                assert c.evidence.is_grounded_in(seg.text)


@settings(max_examples=150, deadline=None)
@given(ARBITRARY_TEXT, st.booleans())
def test_kinds_alone_never_raise_and_ground(text: str, exclusion: bool) -> None:
    """Each kind's extractor, run on any item: no exception, only its kind, grounded verbatim."""
    _run_alone(text, exclusion)


@settings(max_examples=80, deadline=None)
@given(ARBITRARY_TEXT, st.booleans())
def test_engine_grounds_these_kinds(text: str, exclusion: bool) -> None:
    """Through the engine (trigger pass, context pass) the kinds' criteria stay grounded too."""
    seg = segment(("Exclusion" if exclusion else "Inclusion") + " Criteria:\n* " + text)
    for item in seg.items:
        for c in extract_item(item, seg.text):
            if c.kind in KINDS:
                assert c.evidence.is_grounded_in(seg.text)


@pytest.mark.parametrize(
    "text", ["HER2", "ER", "3+ 2+ 1+ 0", "HER2 \\>= ratio", "EGFR EGFR EGFR", "x" * 5000, "ER-PR-HER2-", "HER2 " * 500]
)
def test_never_raises_on_odd_text(text: str) -> None:
    _run_alone(text, False)
    _run_alone(text, True)


def _triggers(text: str) -> frozenset[str]:
    return registry_index().kinds(safe_lower(f"x {text} y"))


def test_every_marker_name_triggers_biomarker() -> None:
    missed = [
        syn
        for sym, syns in _vocab().markers.items()
        for name in (sym, *syns)
        for syn in {name, name.upper()}
        if "biomarker" not in _triggers(syn)
    ]
    assert not missed, missed


def test_every_her2_and_receptor_name_triggers_its_kind() -> None:
    vocab = _vocab()
    missed = [n for n in vocab.her2_names if "her2" not in _triggers(n)]
    missed += [n for ns in vocab.hormone_receptors.values() for n in ns if "hormone_receptor" not in _triggers(n)]
    missed += [n for n in vocab.triple_negative if not {"her2", "hormone_receptor"} <= _triggers(n)]
    assert not missed, missed
