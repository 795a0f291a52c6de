"""Shared helper of the rule-family tests: run one family on one real phrasing, checking the invariants."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from hypothesis import strategies as st

from extractor.models import Criterion
from extractor.rules.item import ItemContext
from extractor.segment import segment

BASE_FIELDS = frozenset({"polarity", "evidence", "cohort", "item", "backend"})


def run_family(
    extract: Callable[[ItemContext], list[Criterion]], text: str, exclusion: bool = False
) -> tuple[str, list[Criterion]]:
    """Segment ``text`` as one inclusion (or exclusion) bullet, run the family, check grounding and polarity."""
    heading = "Exclusion Criteria:" if exclusion else "Inclusion Criteria:"
    seg = segment(f"{heading}\n* {text}")
    found = extract(ItemContext(item=seg.items[0], source=seg.text))
    for c in found:
        assert c.evidence.is_grounded_in(seg.text)
        assert c.polarity == ("exclusion" if exclusion else "inclusion")
        assert c.backend == "rules"
    return seg.text, found


def as_dicts(found: Iterable[Criterion], drop: Iterable[str] = BASE_FIELDS) -> list[dict[str, Any]]:
    """Criteria as dicts of their set fields (None and empty lists left out)."""
    return [{k: v for k, v in c.model_dump(exclude=set(drop)).items() if v not in (None, [])} for c in found]


CRITERIA_PIECES = st.sampled_from(
    [
        "HER2",
        "ER+",
        "PR-",
        "IHC 3+",
        "ISH",
        "ratio ≥ 2.0",
        "EGFR ",
        "KRAS G12C",
        "wild-type",
        "ECOG ",
        "0-1",
        "KPS",
        "≥ 70%",
        "age ",
        "18 years",
        "women",
        "life expectancy",
        "weeks",
        "\\>=",
        "=\\<",
        "(",
        ")",
        ",",
        ";",
        ". ",
        "\n",
        "no ",
        "not ",
        "or ",
        "and ",
        "İ",
        "ß",
        "٣",
        " ",
    ]
)

#: Arbitrary text, or text built from criteria-like fragments, for the families' property tests.
ARBITRARY_TEXT = st.one_of(st.text(max_size=200), st.lists(CRITERIA_PIECES, max_size=40).map("".join))


def assert_grounded_on(extract: Callable[[ItemContext], list[Criterion]], text: str, exclusion: bool) -> None:
    """Run the family over every item of ``text`` (as one bullet): it must not raise, evidence must be verbatim."""
    heading = "Exclusion Criteria:" if exclusion else "Inclusion Criteria:"
    seg = segment(f"{heading}\n* {text}")
    for item in seg.items:
        for c in extract(ItemContext(item=item, source=seg.text)):
            assert c.evidence.is_grounded_in(seg.text)
