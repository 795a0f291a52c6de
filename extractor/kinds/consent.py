"""Kind ``consent``: informed consent and willingness / ability to comply.

Reads ``consent.yaml``: the first mention of informed consent, of complying / adhering with the study or
protocol, of willingness to participate, to give samples or to undergo study procedures ("willing to undergo a
tumour biopsy", "able to provide tumour tissue"), unless consent is a time anchor ("from signing informed consent"),
a condition that would limit compliance (not the consent itself) comes before it, or it is the alternative to
archival tissue ("archival tissue available or willing to undergo a biopsy": a tissue requirement), or "consented"
describes the study's process ("may be consented prior to ...", "previously consented individuals", "as part of the
consent process"). The evidence is the mention's clause.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import sentence_bounds
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["KIND", "Consent", "Rules", "extract"]


class Consent(CriterionBase):
    """Informed consent and willingness / ability to comply."""

    kind: Literal["consent"] = "consent"


class Rules(RuleFile):
    """``consent.yaml``."""

    consent: Pattern
    consenting: Pattern
    anchor_before: Pattern
    limits: Pattern
    limits_consent: Pattern
    tissue_alternative: Pattern
    passing_before: Pattern
    process: Pattern


RULES = load_rules("consent", Rules)

#: how far before a mention a time anchor is looked for (characters)
_ANCHOR_WINDOW = 45
#: how far before a mention an archival-tissue alternative is looked for (characters)
_TISSUE_WINDOW = 200
#: how far before "consented" a word of the study's process is looked for (characters)
_PASSING_WINDOW = 30


def extract(ctx: ItemContext) -> list[Consent]:
    """The item's consent criterion (at most one)."""
    low = ctx.lower
    anchor, tissue = RULES.anchor_before, RULES.tissue_alternative
    process = [(p.start(), p.end()) for p in RULES.process.finditer(low)] if "part of" in low else []
    m = next(
        (
            c
            for c in RULES.consent.finditer(low)
            if not anchor.search(low, max(0, c.start() - _ANCHOR_WINDOW), c.start())
            and not tissue.search(low, max(0, c.start() - _TISSUE_WINDOW), c.start())
            and not any(a <= c.start() < b for a, b in process)
            and not (
                c.group() == "consented"
                and RULES.passing_before.search(low, max(0, c.start() - _PASSING_WINDOW), c.start())
            )
        ),
        None,
    )
    if m is None and "consenting" in low:
        m = RULES.consenting.search(low)
    if m is None:
        return []
    lim = RULES.limits.search(low)
    if lim is not None and lim.start() < m.start() and not RULES.limits_consent.match(low, lim.start()):
        return []
    start, end = sentence_bounds(ctx.clean, m.start(), m.end())
    return [ctx.make(Consent, start, end)]


KIND = KindSpec(Consent, extract=extract, rule_file=Rules, core=False)
