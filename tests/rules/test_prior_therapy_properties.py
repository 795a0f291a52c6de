"""Properties of the kind prior_therapy (the old `therapy` family) and its shared drug lexicon.

The table cases are data (``tests/rules/cases/prior_therapy.yaml``); here: hypothesis checks that the extractor
never raises and grounds every criterion on shuffled criteria phrases, hostile texts, and that the evidence of a
criterion is its own sentence when an item states two.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.kinds.prior_therapy import PriorTherapy, Rules, extract
from extractor.rules.drugs import agent_key, find_agents
from extractor.rules.engine import extract_item
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import load_rules
from extractor.segment import segment

_WORDS = [
    "prior",
    "no",
    "within",
    "weeks",
    "2",
    "≥",
    "\\>=",
    "chemotherapy",
    "T-DXd",
    "lines",
    "except",
    "allowed",
    "(",
    ")",
    ";",
    ".",
    "not",
    "more than",
    "trastuzumab",
    "radiotherapy",
    "days",
    "metastatic",
    "naive",
    "\n",
]


def _criteria(text: str, exclusion: bool = True) -> tuple[str, list[PriorTherapy]]:
    head = "Exclusion Criteria:" if exclusion else "Inclusion Criteria:"
    seg = segment(f"{head}\n* {text}")
    out: list[PriorTherapy] = []
    for item in seg.items:
        found = extract(ItemContext(item=item, source=seg.text))
        assert all(isinstance(c, PriorTherapy) for c in found)
        out.extend(found)
        for c in extract_item(item, seg.text):
            assert c.evidence.is_grounded_in(seg.text)
    for c in out:
        assert c.evidence.is_grounded_in(seg.text)
    return seg.text, out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS) | st.text(max_size=8), max_size=40), st.booleans())
def test_property_never_raises_and_grounded(words: list[str], exclusion: bool) -> None:
    _criteria(" ".join(words), exclusion)


@pytest.mark.parametrize(
    "text", ["", "   ", "\\", "((((", "within within 3 3 weeks weeks", "no more than - prior lines", "T-DXd" * 50]
)
def test_never_raises(text: str) -> None:
    _criteria(text)


def test_evidence_is_the_sentence() -> None:
    # NCT03093116
    _, (first, second) = _criteria(
        "Major surgery within 4 weeks of start of repotrectinib treatment. Radiation therapy "
        "(except palliative to relieve bone pain) within 2 weeks of study entry."
    )
    assert first.evidence.text == "Major surgery within 4 weeks of start of repotrectinib treatment."
    assert second.evidence.text.startswith("Radiation therapy")


def test_drug_lexicon_keys_and_spellings() -> None:
    assert agent_key("T-DM1") == agent_key("tdm1") == "tdm1"
    names = [a.name for a in find_agents("prior t-dxd, trastuzumab-emtansine and ado trastuzumab emtansine")]
    assert names == ["trastuzumab deruxtecan", "trastuzumab emtansine", "trastuzumab emtansine"]
    naive = find_agents("treatment-naive patients")
    assert [(a.name, a.neg) for a in naive] == [("systemic therapy", True)]


def test_prefilters_cover_the_context_cues() -> None:
    """The item prefilter ``flags.modes`` (substrings) skips the mode cues of the context pass only where none can
    be: every permission, prohibition and exception phrase holds one of its words."""
    rules = load_rules("prior_therapy", Rules)
    for rule in rules.context:
        if rule.category in ("permitted", "exception") or (rule.category == "negated" and rule.direction != "forward"):
            assert all(rules.flags.has("modes", phrase) for phrase in rule.literals), rule.literals
            # a pattern: every alternative opens with (or holds) a flag word ("eligib", "unless")
            assert (
                rule.pattern is None
                or "eligib" in rule.pattern
                or rule.pattern.count("unless") >= 2
                or (rule.pattern.startswith(r"\bas\s+long\s+as") and rules.flags.has("modes", "as long as"))
            )
    assert rules.cue_test["negation"].search("must not have received") is not None
    assert rules.cue_test["modes"].search("is not permitted") is not None


def _nested(section: str, lead: str, child: str) -> list[dict[str, object]]:
    """The prior_therapy criteria of a child item under ``lead`` (run with its parent, as the engine does)."""
    heading = "Exclusion Criteria:" if section == "exclusion" else "Inclusion Criteria:"
    seg = segment(f"{heading}\n* {lead}\n  * {child}")
    items = seg.items
    child_item = items[-1]
    assert child_item.parent is not None
    return [
        {"agents": c.agents, "requirement": c.requirement}
        for c in extract_item(child_item, seg.text, items[child_item.parent])
        if isinstance(c, PriorTherapy)
    ]


@pytest.mark.parametrize(
    ("section", "lead", "child", "expect"),
    [  # paraphrases of exception / permission lead-ins and an ineligibility lead-in
        (
            "exclusion",
            "Use of systemic steroids within 14 days before the first dose. The following are exceptions to this rule:",
            "Topical, inhaled or intranasal steroids",
            [
                {
                    "agents": ["topical corticosteroids", "inhaled corticosteroids", "intranasal corticosteroids"],
                    "requirement": "allowed",
                }
            ],
        ),
        (
            "exclusion",
            "Participants needing immunosuppressive drugs while on study are ineligible, except:",
            "Local steroid injections",
            [{"agents": ["local corticosteroids"], "requirement": "allowed"}],
        ),
        (
            "inclusion",
            "Participants are not eligible if any of these were taken within the stated time:",
            "Strong inducers of CYP3A within 2 weeks",
            [{"agents": ["strong cyp3a inducer"], "requirement": "excluded"}],
        ),
        (
            "inclusion",
            "Those who can become pregnant must be either:",
            "Not of childbearing potential: prior hysterectomy or bilateral oophorectomy",
            [],
        ),
    ],
)
def test_lead_in_decides_children(section: str, lead: str, child: str, expect: list[dict[str, object]]) -> None:
    assert _nested(section, lead, child) == expect
