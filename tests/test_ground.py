"""Grounding: verbatim evidence is kept, near-verbatim quotes are repaired to the source, invented ones rejected."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from extractor.ground import find_span, fold, ground_criteria, make_evidence
from extractor.models import Evidence, Other, PerformanceStatus

SOURCE = "Inclusion Criteria:\n* ECOG  performance status 0-1\n* ANC \\>= 1.5 x 10^9/L\n* ECOG 0-1 again"


def _ps(text: str, start: int, item: int | None = None) -> PerformanceStatus:
    ev = Evidence.model_construct(text=text, start=start, end=start + len(text))
    return PerformanceStatus.model_construct(
        kind="performance_status",
        polarity="inclusion",
        evidence=ev,
        scale="ECOG",
        min=0,
        max=1,
        item=item,
        cohort=None,
        backend="llm",
    )


def test_find_span_verbatim_and_normalised() -> None:
    assert find_span(SOURCE, "ANC \\>= 1.5") == (SOURCE.index("ANC"), SOURCE.index("ANC") + len("ANC \\>= 1.5"))
    s, e = find_span(SOURCE, "ecog performance status 0-1") or (0, 0)  # case + double space + no escapes
    assert SOURCE[s:e] == "ECOG  performance status 0-1"
    s, e = find_span(SOURCE, "ANC >= 1.5 x 10^9/L") or (0, 0)
    assert SOURCE[s:e] == "ANC \\>= 1.5 x 10^9/L"
    assert find_span(SOURCE, "platelets >= 100") is None
    assert find_span(SOURCE, "   ") is None


def test_find_span_prefers_occurrence_near_hint() -> None:
    later = SOURCE.rindex("ECOG 0-1")
    assert find_span(SOURCE, "ECOG 0-1", near=later) == (later, later + 8)


def test_ground_keeps_repairs_and_rejects() -> None:
    good_start = SOURCE.index("ECOG 0-1 again")
    good = _ps("ECOG 0-1", good_start)
    shifted = _ps("ECOG  performance status 0-1", 0)  # right words, wrong offsets
    invented = _ps("ECOG 0-2", 5)
    kept, rejected = ground_criteria(SOURCE, [good, shifted, invented])
    assert [c.evidence.is_grounded_in(SOURCE) for c in kept] == [True, True]
    assert kept[0] is good
    assert kept[1].evidence.start == SOURCE.index("ECOG  performance")
    assert [r.quote for r in rejected] == ["ECOG 0-2"] and rejected[0].reason


def test_make_evidence_trims_whitespace() -> None:
    ev = make_evidence(SOURCE, SOURCE.index("* ANC") + 1, SOURCE.index("* ECOG 0-1"))
    assert ev.text == "ANC \\>= 1.5 x 10^9/L" and ev.is_grounded_in(SOURCE)


def test_evidence_model_rejects_inconsistent_spans() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Evidence(text="abc", start=5, end=4)
    with pytest.raises(ValidationError):
        Evidence(text="abc", start=0, end=5)
    assert not Other(polarity="inclusion", evidence=Evidence(text="ECOG", start=0, end=4)).evidence.is_grounded_in(
        SOURCE
    )


SYMBOLS = "Bilirubin ≤ 1.5 × ULN (≤ 3 × ULN if Gilbert’s); ANC ≥1.5 x 10^9/L; creatinine < 150 µmol/L; “normal” – ok"


def test_find_span_tolerates_ascii_spellings_and_keeps_the_source_text() -> None:
    cases = {
        "Bilirubin >= 1.5 x ULN": None,  # wrong symbol: >= is not <=
        "Bilirubin <= 1.5 x ULN": "Bilirubin ≤ 1.5 × ULN",
        "bilirubin =< 1.5 X uln": "Bilirubin ≤ 1.5 × ULN",
        "<= 3 * ULN if Gilbert's": "≤ 3 × ULN if Gilbert’s",
        "ANC >= 1.5 x 10^9/L": "ANC ≥1.5 x 10^9/L",
        "ANC => 1.5 x 10^9/L": "ANC ≥1.5 x 10^9/L",
        "< 150 umol/L": "< 150 µmol/L",
        "< 150 μmol/L": "< 150 µmol/L",  # Greek mu for the micro sign
        '"normal" - ok': "“normal” – ok",
    }
    for quote, expected in cases.items():
        span = find_span(SYMBOLS, quote)
        assert (SYMBOLS[span[0] : span[1]] if span else None) == expected, quote


def test_ground_criteria_stores_the_source_spelling() -> None:
    quote = "ANC >= 1.5 x 10^9/L"
    c = _ps(quote, 0)
    kept, rejected = ground_criteria(SYMBOLS, [c])
    assert not rejected
    ev = kept[0].evidence
    assert ev.text == "ANC ≥1.5 x 10^9/L" == SYMBOLS[ev.start : ev.end]


_ASCII = {"≥": ">=", "≤": "<=", "×": "x", "µ": "u", "’": "'", "“": '"', "”": '"'}
_PIECES = st.sampled_from(["ANC ", "≥ ", "≤", "1.5 ", "× ", "ULN ", "µmol/L", "’s ", "“x” ", "\n", "  ", "\\>", "age "])


@given(st.lists(_PIECES, min_size=1, max_size=12), st.data())
@settings(max_examples=200, deadline=None)
def test_an_ascii_copy_of_any_slice_grounds_to_that_slice(pieces: list[str], data: st.DataObject) -> None:
    source = "".join(pieces)
    start = data.draw(st.integers(0, len(source) - 1))
    end = data.draw(st.integers(start + 1, len(source)))
    verbatim = source[start:end].strip()
    assume(verbatim.strip("\\"))
    ascii_quote = "".join(_ASCII.get(ch, ch) for ch in verbatim)
    span = find_span(source, ascii_quote)
    assert span is not None
    # what is stored is the source's own text, and it reads the same as the model's spelling once folded
    assert fold(source[span[0] : span[1]])[0].strip() == fold(ascii_quote)[0].strip()
    assert source[span[0] : span[1]] == source[span[0] : span[1]].strip()
