"""Segmenter on real ClinicalTrials.gov texts of both layouts (copied to tests/data/segment/, NCT ids as names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.segment import clean_text, segment

DATA = Path(__file__).parent / "data" / "segment"


def _text(nct: str) -> str:
    with (DATA / f"{nct}.txt").open(encoding="utf-8", newline="") as f:
        return f.read()


@pytest.mark.parametrize("nct", sorted(p.stem for p in DATA.glob("*.txt")))
def test_items_are_verbatim_and_cover_all_text(nct: str) -> None:
    text = _text(nct)
    seg = segment(text)
    assert seg.items
    covered = bytearray(len(text))
    for it in seg.items:
        assert text[it.start : it.end] == it.text and it.text == it.text.strip()
        covered[it.start : it.end] = b"\x01" * (it.end - it.start)
    for s in seg.sections:
        assert text[s.start : s.end] == s.heading
        covered[s.start : s.end] = b"\x01" * (s.end - s.start)
    # whatever is not in an item or heading is whitespace or a list marker: no words lost
    leftover = "".join(ch for i, ch in enumerate(text) if not covered[i])
    assert not any(ch.isalpha() for ch in leftover.replace("a.", "").replace("b.", "")), leftover[:200]


def test_legacy_layout_hard_wrapped_bullets() -> None:
    seg = segment(_text("NCT04348032"))  # AACT textblock, numbered, hard-wrapped, nested
    assert [s.polarity for s in seg.sections] == ["inclusion", "exclusion"]
    first = seg.items[0]
    assert first.marker == "1." and "\n" in first.text  # continuation lines joined into one item
    nested = [it for it in seg.items if it.parent is not None]
    assert nested and all(seg.items[it.parent].text.endswith(":") for it in nested if it.parent is not None)
    assert seg.items[-1].polarity == "exclusion"


def test_legacy_dash_bullets_and_paragraph_item() -> None:
    seg = segment(_text("NCT04344847"))
    assert [(it.polarity, it.marker, it.text) for it in seg.items] == [
        ("inclusion", None, "All morbid obese patients with BMI more than 35"),
        ("exclusion", "-", "previous gastric surgery"),
        ("exclusion", "-", "patients with hiatus hernia"),
        ("exclusion", "-", "age under 21 years"),
    ]


def test_v2_nested_lists_and_cohort_subheading() -> None:
    seg = segment(_text("NCT05892068"))
    lead = next(it for it in seg.items if it.text == "Prior treatments:")
    children = [it for it in seg.items if it.parent == lead.index]
    assert len(children) == 3 and all(c.depth == 1 for c in children)
    after = [it for it in seg.items if it.cohort == "ALL PATIENTS"]
    assert after and after[0].text.startswith("Prior conventional dose lapatinib")
    assert any(s.polarity is None and s.heading == "ALL PATIENTS:" for s in seg.sections)


def test_headings_with_cohort_names_set_polarity_and_cohort() -> None:
    seg = segment(_text("NCT06001385"))
    pols = [s.polarity for s in seg.sections]
    assert pols.count("inclusion") == 4 and pols.count("exclusion") == 2
    assert seg.items[0].cohort == "Stratum 1 Recipient Inclusion Criteria"
    assert seg.items[-1].polarity == "exclusion"


def test_no_exclusion_heading_keeps_inclusion_and_negative_items() -> None:
    seg = segment(_text("NCT02339571"))  # NCI style: "must not" items under one Inclusion heading
    assert {it.polarity for it in seg.items} == {"inclusion"}
    assert any("must not" in it.text for it in seg.items)


def test_text_without_headings_is_paragraph_items() -> None:
    text = "Adults with metastatic breast cancer.\n\nNo prior chemotherapy."
    seg = segment(text)
    assert [it.text for it in seg.items] == ["Adults with metastatic breast cancer.", "No prior chemotherapy."]
    assert seg.sections == [] and {it.polarity for it in seg.items} == {"inclusion"}


def test_inline_heading_text_and_bare_headings() -> None:
    text = "Inclusion Criteria: Age over 18\nExclusion Criteria\n* Pregnancy\n"
    seg = segment(text)
    assert [(it.polarity, it.text) for it in seg.items] == [("inclusion", "Age over 18"), ("exclusion", "Pregnancy")]


def test_sentence_mentioning_criteria_is_not_a_heading() -> None:
    text = (
        "Inclusion Criteria:\n* A female participant is eligible if she is not pregnant (see Exclusion "
        "Criteria), and one of the following applies:\n* Exclusion from this study also includes smokers\n"
    )
    seg = segment(text)
    assert len(seg.sections) == 1 and {it.polarity for it in seg.items} == {"inclusion"}


def test_double_marker_and_escapes() -> None:
    text = "Inclusion Criteria\n\n* • Sign the informed consent\n* ANC \\>= 1.5 x 10^9/L\n"
    seg = segment(text)
    assert seg.items[0].text == "Sign the informed consent"
    assert seg.items[1].text == "ANC \\>= 1.5 x 10^9/L"
    cleaned = clean_text(seg.items[1].text)
    assert len(cleaned) == len(seg.items[1].text) and ">=" in cleaned and "\\" not in cleaned


def test_number_after_bullet_is_no_item_text_and_keeps_the_continuation() -> None:
    # paraphrases of corpus layouts: "* 18\\. text" (NCT04003649), "* a) text" (NCT06362369), an initial kept
    text = (
        "Exclusion Criteria:\n\n"
        "* 18\\. Hepatic dysfunction\n\n  \\*If positive, repeat the test.\n"
        "* a) Renal insufficiency\n"
        "* (ii) Prior gastric resection\n"
        "* H. pylori infection\n"
        "* 2.5 mg daily\n"
    )
    seg = segment(text)
    texts = [i.text for i in seg.items]
    assert texts[0].startswith("Hepatic dysfunction") and "If positive" in texts[0]
    assert texts[1:] == ["Renal insufficiency", "Prior gastric resection", "H. pylori infection", "2.5 mg daily"]
    assert all(text[i.start : i.end] == i.text for i in seg.items)


def test_a_lone_initial_after_a_bullet_is_item_text() -> None:
    text = "Exclusion Criteria:\n\n* h. pylori infection\n* e. coli bacteremia\n* ECOG 3\n"
    assert [i.text for i in segment(text).items] == ["h. pylori infection", "e. coli bacteremia", "ECOG 3"]
    one = "Exclusion Criteria:\n\n* h. pylori infection\n* ECOG 3\n"
    assert [i.text for i in segment(one).items] == ["h. pylori infection", "ECOG 3"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "* ", "Inclusion Criteria:\n\n"])
def test_empty_inputs(text: str) -> None:
    assert segment(text).items == []


def test_same_indent_sub_list_after_lead_in_switches_style() -> None:
    # paraphrase: a numbered lead-in whose roman sub-items sit at its own indent
    text = (
        "Inclusion Criteria:\n\n"
        "1. Age 18 or older.\n"
        "2. Brain metastases are allowed provided all of the following are met:\n"
        "i. Stable for 4 weeks.\n"
        "ii. No steroids.\n"
        "3. ECOG 0-1.\n"
    )
    items = segment(text).items
    assert [(it.marker, it.parent, it.depth) for it in items] == [
        ("1.", None, 0),
        ("2.", None, 0),
        ("i.", 1, 1),
        ("ii.", 1, 1),
        ("3.", None, 0),
    ]


def test_same_indent_sub_list_restarting_numbers_and_bullets() -> None:
    # paraphrase: a lead-in numbered 7 whose entries restart at 1, then a bullet lead-in over numbered entries
    text = (
        "Exclusion Criteria:\n\n"
        "7. Use of any of the following:\n"
        "1. Strong CYP3A inhibitors.\n"
        "2. Warfarin.\n"
        "8. Pregnancy.\n"
        "* Adequate organ function, defined as:\n"
        "1. ANC >= 1.5.\n"
        "2. Platelets >= 100.\n"
        "* No active infection.\n"
    )
    items = segment(text).items
    assert [it.parent for it in items] == [None, 0, 0, None, None, 4, 4, None]


def test_same_style_entries_after_lead_in_stay_siblings() -> None:
    # a lead-in in the same list style as what follows is not given children it does not mark
    text = "Inclusion Criteria:\n\n1. Adequate organ function:\n2. ANC >= 1.5.\n* ECOG 0-1:\n* Age 18 or older.\n"
    assert all(it.parent is None for it in segment(text).items)


def test_flat_entries_under_a_list_lead_in_become_its_children() -> None:
    # paraphrase: entries at the lead-in's own marker and indent, short phrases without a verb
    text = (
        "Inclusion Criteria:\n\n"
        "* Prior systemic therapy that must include:\n"
        "* BTK inhibitor\n"
        "* Anti-CD20 antibody\n"
        "* Patients must have measurable disease per Lugano criteria.\n"
        "* Adequate organ function as defined below:\n"
        "  * ANC >= 1,000/mcL\n"
        "* Age 18 or older\n"
    )
    items = segment(text).items
    assert [(it.parent, it.depth) for it in items] == [
        (None, 0),
        (0, 1),
        (0, 1),
        (None, 0),
        (None, 0),
        (4, 1),
        (None, 0),
    ]


def test_flat_entries_need_a_list_lead_in_and_stop_at_a_blank_line() -> None:
    # paraphrase: a section intro keeps its criteria as siblings; a blank line the list did not open with ends it
    text = (
        "Exclusion Criteria:\n\n"
        "1. Patients meeting any of the following criteria:\n"
        "2. Pregnancy\n"
        "3. Active autoimmune disease with the following exceptions:\n"
        "4. Vitiligo\n\n"
        "5. Active hepatitis B\n"
    )
    items = segment(text).items
    assert [it.parent for it in items] == [None, None, None, 2, None]
    assert items[3].depth == 1
