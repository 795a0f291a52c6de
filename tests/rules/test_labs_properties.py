"""Properties of the ``lab`` and ``cardiac`` kinds (their rule cases: ``tests/rules/cases/lab.yaml``,
``cardiac.yaml``): any text reads without error into grounded criteria, and every name the kinds read triggers them.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.kinds import cardiac, lab
from extractor.rules.grammar import negate
from extractor.rules.item import ItemContext
from extractor.rules.triggers import TriggerIndex
from extractor.segment import segment
from extractor.vocab import load_model
from extractor.vocab.schemas import Analytes

_PIECES = st.sampled_from(
    [
        "ANC",
        "≥",
        "1.5",
        "x 10\\^9/L",
        "ULN",
        "AST/ALT",
        "=\\<",
        "\\>=",
        "QTcF",
        "\\> 470 ms",
        "LVEF",
        "NYHA class III",
        "(",
        ")",
        "Gilbert's",
        "liver metastases",
        "without",
        "&gt;",
        ";",
        "\n",
        "1,500/mm\\^3",
        "or",
        "G/L",
        "adequate organ function",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(_PIECES, max_size=30).map(" ".join)), st.booleans())
def test_never_raises_and_grounded(text: str, exclusion: bool) -> None:
    """Any text: no exception, every criterion of its own kind and grounded verbatim (triggers bypassed)."""
    seg = segment(("Exclusion" if exclusion else "Inclusion") + " Criteria:\n* " + text)
    for item in seg.items:
        ctx = ItemContext(item=item, source=seg.text)
        for kind, found in (("lab", lab.extract(ctx)), ("cardiac", cardiac.extract(ctx))):
            for c in found:
                assert c.kind == kind
                assert c.evidence.is_grounded_in(seg.text)


def _index() -> TriggerIndex:
    return TriggerIndex({"lab": lab.RULES.triggers, "cardiac": cardiac.RULES.triggers})


def test_every_analyte_name_triggers_lab() -> None:
    """A name added to ``vocab/analytes.yaml`` without a trigger in ``lab.yaml`` would never be read."""
    table = load_model("analytes")
    assert isinstance(table, Analytes)
    index = _index()
    missing = [
        name
        for spec in table.root.values()
        for name in (*spec.names, *spec.abbrev)
        if "lab" not in index.kinds(name.lower())
    ]
    assert not missing, missing


def test_every_cardiac_word_triggers_cardiac() -> None:
    words = [w for spec in cardiac.RULES.conditions.values() for w in spec.triggers]
    words += [*cardiac.RULES.qtc_words, *cardiac.RULES.lvef_words, *cardiac.RULES.nyha_words]
    words += [*cardiac.RULES.function_words, *cardiac.RULES.nyha_phrases]
    index = _index()
    assert not [w for w in words if "cardiac" not in index.kinds(w)]


def test_organ_words_trigger_lab() -> None:
    index = _index()
    assert all("lab" in index.kinds(w) for w in lab.RULES.organ_words)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["ANC", "Platelets", "Hemoglobin", "Creatinine clearance"]),
    st.sampled_from(["≥", "\\>=", ">", "≤", "=\\<", "<", "at least", "less than"]),
    st.decimals(min_value=1, max_value=500, places=1).map(str),
)
def test_exclusion_states_the_negated_rule(analyte: str, op: str, value: str) -> None:
    """Exclusion "X < v" reads as the rule X >= v (the comparator of the inclusion reading, negated); a limit these
    analytes (all bounded below) are usually given, "X >= v", is an inclusion-type statement under an exclusion
    heading and keeps its comparator (GUIDE.md: labelled by what it plainly means)."""
    text = f"{analyte} {op} {value} g/dL"
    rows = {}
    for section in ("Inclusion", "Exclusion"):
        seg = segment(f"{section} Criteria:\n* {text}")
        found = lab.extract(ItemContext(item=seg.items[0], source=seg.text))
        rows[section] = [(c.analyte, c.op, c.value) for c in found]
    assert len(rows["Inclusion"]) == 1
    ((a, o, v),) = rows["Inclusion"]
    assert o is not None
    assert rows["Exclusion"] == [(a, o if o.startswith(">") else negate(o), v)]
