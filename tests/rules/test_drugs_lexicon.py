"""The shared drug lexicon (``vocab/drugs.yaml``): names map to their own generic name or class."""

from __future__ import annotations

import pytest

from extractor.rules.drugs import find_agents


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("prior revumenib or another menin inhibitor", ["revumenib", "menin inhibitor"]),
        ("prednisolone 10 mg", ["prednisolone"]),
        ("st. john's wort", ["st. john's wort"]),
        ("prior xl092 or telisotuzumab vedotin", ["zanzalintinib", "telisotuzumab vedotin"]),
        ("use of proton-pump inhibitors or h2 blockers", ["proton pump inhibitor", "h2 receptor antagonist"]),
        # a pattern whose first word ends in an optional letter ("interferons?") is gated by the word without it
        ("agents such as interferon and il-2", ["interferon", "aldesleukin"]),
        ("interferons or il-2", ["interferon", "aldesleukin"]),
    ],
)
def test_names(text: str, names: list[str]) -> None:
    assert [a.name for a in find_agents(text)] == names
