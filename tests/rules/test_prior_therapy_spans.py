"""A prior-therapy span that would stop before its window's anchor ("within 4 weeks prior | to registration") or
inside a bracket runs on to the end of its clause; a criterion split off there starts past the stop."""

from __future__ import annotations

import pytest

from extractor.kinds.prior_therapy import extract
from tests.rules._support import run_family

CASES = [
    # (text, exclusion, the first criterion's agent, the evidence's last words)
    (  # NCT05554328
        "Patients who have received chemotherapy or radiotherapy within 4 weeks (6 weeks for nitrosoureas or "
        "mitomycin C) prior to registration",
        True,
        "chemotherapy",
        "prior to registration",
    ),
    (  # NCT04260022
        "For Ph+ ALL patients, received corticosteroids within 24 hours before the first dose of HQP1351, or received "
        "chemotherapy within 7 days prior to the first dose of HQP1351",
        True,
        "corticosteroid",
        "within 24 hours before the first dose of HQP1351",
    ),
    (  # NCT06177171
        "Has received systemic anticancer therapies within 3 weeks of first dose, radiation within 2 weeks, antibody "
        "therapy within 4 weeks.",
        True,
        "systemic therapy",
        "within 3 weeks of first dose",
    ),
    (  # NCT04890093: a bracket left open is closed
        "Hematopoietic growth factors: >= 14 days after the last dose of a long-acting growth factor (e.g., "
        "pegfilgrastim) or 7 days for short-acting growth factor.",
        False,
        "pegfilgrastim",
        "(e.g., pegfilgrastim)",
    ),
]


@pytest.mark.parametrize(("text", "exclusion", "agent", "tail"), CASES)
def test_evidence_runs_to_the_anchor(text: str, exclusion: bool, agent: str, tail: str) -> None:
    _, found = run_family(extract, text, exclusion=exclusion)
    spans = [c.evidence.text for c in found if agent in getattr(c, "agents", [])]
    assert spans, found
    assert spans[0].endswith(tail), spans[0]


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        (  # NCT06403436
            "Subjects that have received a strong CYP3A4 inhibitor within 7 days prior to the first dose of TT125-802 "
            "or a strong CYP3A4 inducer within 14 days prior to the first dose of TT125-802.",
            "within 7 days prior to the first dose of TT125-802",
            "a strong CYP3A4 inducer",
        ),
        (  # paraphrase: the split-off exception keeps its bracket
            "Prior immunotherapy within 4 weeks prior to Day 1 (6 weeks for ipilimumab).",
            "within 4 weeks prior to Day 1",
            "(6 weeks for ipilimumab)",
        ),
        (  # NCT04724018: the anchor's short form in brackets is the anchor's
            "Have had a prior anti-cancer biologic agent (including immune checkpoint inhibitors) within 4 weeks prior "
            "to Cycle 1 Day 1 (C1D1) or have had prior chemotherapy, targeted small molecule therapy, or radiation "
            "therapy within 2 weeks prior to C1D1.",
            "prior to Cycle 1 Day 1 (C1D1)",
            "have had prior chemotherapy",
        ),
        (  # NCT04269902
            "Participants must not have had major surgery within 30 days prior registration or minor surgery within "
            "7 days prior to registration.",
            "within 30 days prior registration",
            "minor surgery",
        ),
    ],
)
def test_a_split_criterion_gives_the_anchor_back(text: str, first: str, second: str) -> None:
    _, found = run_family(extract, text, exclusion=True)
    assert len(found) == 2, found
    assert found[0].evidence.text.endswith(first), found[0].evidence.text
    assert found[1].evidence.text.startswith(second), found[1].evidence.text


def test_no_run_on_into_the_next_criterion() -> None:
    # paraphrase: a span ending on "prior" followed by a list entry of its own keeps its words
    text = "No chemotherapy within 14 days prior, no radiotherapy within 7 days prior to enrollment."
    _, found = run_family(extract, text, exclusion=True)
    assert all("radiotherapy" not in c.evidence.text for c in found if "chemotherapy" in c.agents), found
