"""The causes of a named condition are not entries ("residual hypothyroidism due to autoimmune condition",
"peripheral neuropathy, e.g. due to diabetes", "malabsorption due to prior GI surgery or GI disease"): the condition
named is the effect (GUIDE.md: one entry per condition named; the cause qualifies it). A condition stands alone when
nothing recognised comes just before its cause words ("inability to consent due to acute psychosis"). The rules are
``comorbidity.yaml``'s ``cause_link``, ``cause_gap``, ``cause_end`` and ``cause_in_list``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["caused"]

Span = tuple[int, int]

_GAP = 60  # characters at most between the effect named and its cause words


def _zone_end(rules: Rules, low: str, start: int, in_list: bool) -> int:
    """Where the causes that start at ``start`` end: at a clause stop, at a comma when the effect is itself an entry
    of a comma list ("..., neuropathies secondary to infection, diabetic neuropathy, ..."); not at a bracket
    ("prior gastrointestinal (GI) surgery", "autoimmune disease (e.g., Crohn's disease)")."""
    at = start
    while (stop := rules.cause_end.search(low, at)) is not None:
        if in_list and (comma := low.find(",", start, stop.start())) >= 0:
            return comma
        if stop.group() != "(" or (close := low.find(")", stop.end())) < 0:
            return stop.start()
        at = close + 1  # an abbreviation or examples in brackets: read on
    return len(low)


def caused(rules: Rules, low: str, spans: list[Span]) -> list[Span]:
    """The stretches of ``low`` that name the causes of a condition found (``spans``, in order) just before them."""
    out: list[Span] = []
    if not any(w in low for w in rules.cause_words):
        return out
    for m in rules.cause_link.finditer(low):
        if any(s <= m.start() < e for s, e in out):
            continue
        effect = [(s, e) for s, e in spans if m.start() - _GAP <= e <= m.start()]
        if not effect or rules.cause_gap.search(low, effect[-1][1], m.start()):
            continue
        in_list = rules.cause_in_list.search(low, max(0, effect[-1][0] - 40), effect[-1][0]) is not None
        out.append((m.end(), _zone_end(rules, low, m.end(), in_list)))
    return out
