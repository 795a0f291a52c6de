"""The engine's item pass.

The trigger pass against a brute-force reading of its contract: a kind is selected when one of its triggers starts
at a word start (the text's start, or after a character that is no ASCII letter or digit), with any run of spaces
and hyphens in the text standing for the one space of a multi-word trigger; a trigger ending in ``$`` must also end
where no ASCII letter or digit follows. A nested item reads its lead-in.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.rules.grammar import sentence_spans
from extractor.rules.triggers import TriggerIndex, registry_index

TRIGGERS = {
    "lab": ["ca", "cr", "creatinine", "anc"],
    "cancer": ["cancer", "ca 15"],
    "brain": ["brain", "brain met"],
    "line": ["line", "2nd line"],
    "abbr": ["met$", "ca 1$"],  # whole words
}


def _reference(index_triggers: dict[str, list[str]], text: str) -> frozenset[str]:
    found: set[str] = set()
    for start in range(len(text)):
        if start and re.match(r"[a-z0-9]", text[start - 1]):
            continue
        for kind, words in index_triggers.items():
            for w in words:
                rx = r"[\s-]+".join(re.escape(part) for part in w.removesuffix("$").split(" "))
                rx += "(?![A-Za-z0-9])" if w.endswith("$") else ""
                if re.match(rx, text[start:]):
                    found.add(kind)
    return frozenset(found)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["ca", "cancer", "cr", "brain", "met", "line", "2nd", "15", "1", "metx", " ", "-", "(", "x", "é"]
        )
    )
)
def test_the_pass_selects_exactly_the_kinds_whose_triggers_start_a_word(parts: list[str]) -> None:
    text = "".join(parts)
    assert TriggerIndex(TRIGGERS).kinds(text) == _reference(TRIGGERS, text)


def test_a_trigger_at_the_start_of_the_text_counts_and_one_inside_a_word_does_not() -> None:
    index = TriggerIndex(TRIGGERS)
    assert index.kinds("cancer") == {"cancer", "lab"}  # "ca" is a word start of "cancer"
    assert index.kinds("significant") == set()
    assert index.kinds("brain-met") == {"brain", "abbr"}
    assert index.kinds("metastatic brain") == {"brain"}  # "met$" is a whole word
    assert index.kinds("") == set()


def test_the_registry_index_reads_real_items() -> None:
    kinds = registry_index().kinds("ecog performance status 0-1; anc >= 1.5 x 10^9/l")
    assert {"performance_status", "lab"} <= kinds


def test_a_nested_item_reads_its_lead_in_and_a_top_level_item_has_none() -> None:
    from extractor.rules.engine import extract_segmentation
    from extractor.rules.item import ItemContext
    from extractor.segment import segment

    text = "Exclusion Criteria:\n* Prior therapy, with these exceptions:\n    * palliative \\*radiotherapy\n* Age: 18"
    seg = segment(text)
    top, child, last = seg.items
    assert child.parent == top.index
    assert ItemContext(item=child, source=text, parent=top).lead_in == "prior therapy, with these exceptions:"
    assert ItemContext(item=last, source=text).lead_in == ""
    assert {c.item for c in extract_segmentation(seg)} == {0, 1, 2}  # the engine passes parents without losing items


@pytest.mark.parametrize("entity", ["&#39;", "&#8217;", "&gt;", "&lt;", "&amp;"])
def test_a_character_entity_is_no_sentence_end(entity: str) -> None:
    # paraphrase of an escaped corpus layout: "Fridericia&#39;s formula", "QTcF &lt; 470 ms"
    clean = f"QTc by Fridericia{entity}s formula {entity} 470 ms; no arrhythmia."
    end = clean.index("; no")
    assert sentence_spans(clean) == [(0, end), (end + 2, len(clean))]
