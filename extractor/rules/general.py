"""Rule family `general`: pregnancy, prior malignancy, infections and consent.

* ``pregnancy``: pregnant / breastfeeding excluded (stated in an exclusion item, or negated in an inclusion item),
  contraception required, negative pregnancy test required; one criterion per item.
* ``prior_malignancy``: "other / prior / second malignancy", with the look-back window in years and the allowed
  exceptions (``malignancy_exceptions.yaml``).
* ``infection``: HIV, hepatitis B / C, tuberculosis, COVID-19, active infection (``infections.yaml``).
* ``consent``: informed consent, willingness / ability to comply with the protocol.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from extractor.models import Consent, Criterion, Infection, Pregnancy, PriorMalignancy
from extractor.rules._common import ItemContext, number_pattern, parse_number
from extractor.rules.labs import item_words, word_starts
from extractor.vocab import load

__all__ = ["extract"]


# --- pregnancy ----------------------------------------------------------------------------------------------
_PREG_GATE = frozenset(
    [
        "pregnant",
        "pregnancy",
        "pregnancies",
        "breastfeeding",
        "breastfeed",
        "breastfed",
        "breastfeeds",
        "gonadotropin",
        "feeding",
        "feed",
        "fed",
        "lactating",
        "lactation",
        "nursing",
        "contraception",
        "contraceptive",
        "contraceptives",
        "contraceptions",
        "birth",
        "hcg",
        "childbearing",
        "abstinence",
        "abstain",
        "barrier",
        "gravid",
    ]
)
_PREGNANT = re.compile(r"\b(?:pregnan(?:t|cy|cies)|gravid)\b")
_BREASTFEEDING = re.compile(
    r"\b(?:breast[\s-]?feed(?:ing|s)?|breast[\s-]?fed|lactat(?:ing|ion)|nursing(?!\s+(?:homes?|facilit|staff|care|assess))"
    r"|chest[\s-]?feeding)\b"
)
_CONTRACEPTION = re.compile(
    r"contracept|birth\s+control|barrier\s+method|\babstinen|\babstain\s+from\s+(?:heterosexual|sex)|"
    r"\b(?:avoid|prevent)\w*\s+(?:becoming\s+|getting\s+)?pregnan|pregnancy\s+prevention|"
    r"(?:effective|acceptable|reliable|adequate|highly\s+effective)\s+(?:methods?\s+of\s+)?(?:contraception|birth)"
)
_NEG_TEST = re.compile(
    r"negative[^.;]{0,50}?(?:pregnancy|hcg|gonadotropin)|(?:pregnancy|hcg)\s+tests?[^.;]{0,60}?negative|"
    r"positive[^.;]{0,60}?(?:pregnancy|hcg|gonadotropin)|(?:pregnancy|hcg)\s+tests?[^.;]{0,30}?positive"
)
_TEST_REQUIRED = re.compile(r"(?:pregnancy|hcg)\s+test\b|rule\s+out\s+pregnan")
_NOT_STATUS_BEFORE = re.compile(
    r"(?:avoid(?:ing)?|prevent(?:ing|ion\s+of)?|contracept\w*|risk\s+of|cause|causing|harm|rule\s+out|"
    r"(?:capable|incapable)\s+of|able\s+to)\s+(?:\w+\s+){0,2}$"
)
_INC_NEGATION = re.compile(
    r"\b(?:not|non|no|neither|nor|never)\b[^.;]{0,30}$|non-$|"
    r"\b(?:discontinu\w*|stop|cease|postpone|refrain\s+from|interrupt)\s+(?:\w+\s+){0,2}$"
)
_INC_EXCLUDED_AFTER = re.compile(
    r"[^.;]{0,60}\b(?:excluded|not\s+(?:be\s+)?eligible|ineligible|not\s+(?:be\s+)?(?:allowed|permitted)|"
    r"(?:should|must)\s+be\s+(?:discontinued|stopped|interrupted))"
)


def _status(low: str, rx: re.Pattern[str], exclusion: bool) -> tuple[int, int] | None:
    """Span of a mention saying pregnant / breastfeeding patients are excluded."""
    for m in rx.finditer(low):
        if re.match(r"\s*(?:tests?|testing|potential|prevention|screen|partners?|spouses?)", low[m.end() :]):
            continue
        before = low[max(0, m.start() - 40) : m.start()]
        if _NOT_STATUS_BEFORE.search(before):
            continue
        if exclusion or _INC_NEGATION.search(before) or _INC_EXCLUDED_AFTER.match(low[m.end() :]):
            return m.start(), m.end()
    return None


def _pregnancy(ctx: ItemContext, words: frozenset[str]) -> list[Criterion]:
    if _PREG_GATE.isdisjoint(words):
        return []
    low = ctx.lower
    fields: dict[str, Any] = {}
    spans: list[tuple[int, int]] = []
    preg = _status(low, _PREGNANT, ctx.is_exclusion)
    if preg is not None:
        fields["pregnancy_excluded"] = True
        spans.append(preg)
    bf = _status(low, _BREASTFEEDING, ctx.is_exclusion)
    if bf is not None:
        fields["breastfeeding_excluded"] = True
        spans.append(bf)
    m = _CONTRACEPTION.search(low)
    if m is not None:
        fields["contraception_required"] = True
        spans.append((m.start(), m.end()))
    m = _NEG_TEST.search(low)
    if m is None and (not ctx.is_exclusion or "rule out" in low):
        m = _TEST_REQUIRED.search(low)
    if m is not None:
        fields["negative_test_required"] = True
        spans.append((m.start(), m.end()))
    if not fields:
        return []
    start, end = _clause(ctx.clean, min(s for s, _ in spans), max(e for _, e in spans))
    return [ctx.make(Pregnancy, start, end, **fields)]


# --- prior malignancy -----------------------------------------------------------------------------------------
_MAL_NOUNS = frozenset(
    [
        "malignancy",
        "malignancies",
        "malignant",
        "cancer",
        "cancers",
        "neoplasm",
        "neoplasms",
        "neoplasia",
        "neoplasias",
        "carcinoma",
        "carcinomas",
        "tumor",
        "tumors",
        "tumour",
        "tumours",
    ]
)
_MAL_LEADS = frozenset(
    [
        "other",
        "another",
        "second",
        "secondary",
        "prior",
        "previous",
        "past",
        "concurrent",
        "concomitant",
        "additional",
        "synchronous",
        "metachronous",
        "coexisting",
        "co",
        "existing",
        "separate",
        "different",
        "double",
        "primary",
        "history",
        "active",
        "any",
        "free",
        "following",
    ]
)
_MALIGNANT = (
    r"(?:malignanc(?:y|ies)|cancers?|neoplasms?|neoplasias?|carcinomas?|malignant\s+(?:diseases?|neoplasms?|tumou?rs?))"
)
_PRIOR_MAL = re.compile(
    r"\b(?:other|another|second|secondary|prior|previous|past|concurrent|concomitant|additional|synchronous|metachronous|"
    r"co-?existing|separate|different|second\s+primary|other\s+primary|double|treated)\s+"
    r"(?:(?:active|invasive|primary|known|systemic|solid|hematologic|haematologic|malignant|diagnosed|"
    r"(?:and|or)\s+(?:active|invasive|other|prior|previous|concurrent))\s+){0,3}"
    + _MALIGNANT
    + r"(?!\s*(?:therapy|therapies|treatment|directed|-directed|drugs?|surgery|vaccines?|immunotherapy|cells?|types?|"
    r"sites?|research|center|centre|trials?|stud(?:y|ies)|care|patients?|survivors?|diagnosis\s+of\s+the\s+breast))"
    r"|\bprimary\s+tumou?rs?\s+other\s+than|\bhistory\s+of\s+(?:any\s+)?(?:other\s+|another\s+|prior\s+|previous\s+|invasive\s+)?"
    r"(?:malignanc(?:y|ies)|invasive\s+cancer)|\b(?:active|any)\s+(?:other\s+)?(?:invasive\s+)?malignanc(?:y|ies)|"
    r"\b(?:malignanc(?:y|ies)|cancers?|carcinomas?)\s+other\s+than"
    r"(?!\s+(?:the\s+)?(?:one|those|that)\s+(?:being\s+)?(?:treated|studied|under))|"
    r"\bmalignanc(?:y|ies)\s+within\s+(?:the\s+)?(?:past|last|previous|prior)?\s*\w+\s+years?|"
    r"(?:cancer|disease|malignancy)[\s-]free\s+(?:for|interval)|"
    r"\bfollowing\s+(?:cancers|malignancies)\s+(?:are|is)\s+(?:eligible|allowed|permitted)"
)


@cache
def _years_rx() -> re.Pattern[str]:
    return re.compile(
        rf"(?<![\w.])(?P<n>{number_pattern()})\s*(?:\(\s*\d+\s*\)\s*)?(?:-|\s)?(?P<u>years?|yrs?|months?)(?![a-z])"
    )


@cache
def _exceptions_rx() -> tuple[re.Pattern[str], tuple[str, ...], frozenset[str]]:
    spec: dict[str, Any] = load("malignancy_exceptions")
    table: dict[str, list[str]] = spec["exceptions"]
    flat = sorted(((p, name) for name, pats in table.items() for p in pats), key=lambda x: -len(x[0]))
    names = tuple(name for _, name in flat)
    rx = re.compile("|".join(f"(?P<e{i}>{p})" for i, (p, _) in enumerate(flat)))
    return rx, names, frozenset(spec.get("gate", []))


def _prior_malignancy(ctx: ItemContext, words: frozenset[str]) -> list[Criterion]:
    if _MAL_NOUNS.isdisjoint(words) or _MAL_LEADS.isdisjoint(words):
        return []
    low = ctx.lower
    m = None
    for pos, word in word_starts(low, words & _MAL_NOUNS):
        m = _PRIOR_MAL.search(low, max(0, pos - 80), min(len(low), pos + len(word) + 60))
        if m is not None:
            break
    if m is None:
        return []
    within: float | None = None
    y = _years_rx().search(low, m.start())
    if y is not None:
        n = parse_number(y.group("n"))
        if n is not None and 0 < n <= 100:
            within = n if y.group("u").startswith(("y", "yr")) else round(n / 12, 2)
    rx, names, gate = _exceptions_rx()
    exceptions: list[str] = []
    for e in rx.finditer(low) if not gate.isdisjoint(words) else ():
        if m.start() <= e.start() < m.end():
            continue
        name = names[int(next(k for k, v in e.groupdict().items() if v)[1:])]
        if name not in exceptions:
            exceptions.append(name)
    return [ctx.make(PriorMalignancy, None, None, within_years=within, exceptions=exceptions)]


# --- infections -------------------------------------------------------------------------------------------
@cache
def _infection_rx() -> tuple[tuple[tuple[str, re.Pattern[str], frozenset[str]], ...], re.Pattern[str], frozenset[str]]:
    table: dict[str, Any] = load("infections")
    out = []
    gate: set[str] = set()
    for name, spec in table.items():
        if not isinstance(spec, dict):
            continue
        alts = [f"(?:{p})" for p in spec.get("names", [])] + [f"(?-i:{p})" for p in spec.get("abbrev", [])]
        words = frozenset(w.lower() for w in spec.get("gate", []))
        out.append((name, re.compile(r"(?<!\w)(?i:" + "|".join(alts) + r")(?!\w)"), words))
        gate |= words
    return tuple(out), re.compile(table.get("not_after", "(?!)")), frozenset(gate)


_NAMED_AFTER = re.compile(r"\s*(?:with|of|due\s+to|caused\s+by)\b")


def _infection(ctx: ItemContext, words: frozenset[str]) -> list[Criterion]:
    rxs, not_after, gate = _infection_rx()
    hits = words & gate
    if not hits:
        return []
    starts = word_starts(ctx.lower, hits)
    found: list[str] = []
    first, last = -1, -1
    generic = False
    for name, rx, own in rxs:
        if own.isdisjoint(hits):
            continue
        m = None
        for pos, word in starts:
            if word not in own:
                continue
            for cand in rx.finditer(ctx.clean, max(0, pos - 150), min(len(ctx.clean), pos + 80)):
                if cand.start() <= pos < cand.end() and not not_after.match(ctx.lower, cand.end()):
                    m = cand
                    break
            if m is not None:
                break
        if m is None:
            continue
        found.append(name)
        first = m.start() if first < 0 else min(first, m.start())
        last = max(last, m.end())
        if name == "active infection" and _NAMED_AFTER.match(ctx.lower, m.end()):
            generic = True
    if generic and len(found) > 1:
        found.remove("active infection")  # "active infection with hepatitis B": the named one is the fact
    if not found:
        return []
    start, end = _clause(ctx.clean, first, last)
    return [ctx.make(Infection, start, end, infections=found)]


# --- consent ------------------------------------------------------------------------------------------------
_CONSENT_GATE = frozenset(
    [
        "consent",
        "consented",
        "consenting",
        "comply",
        "complying",
        "compliance",
        "compliant",
        "adhere",
        "adherence",
        "willing",
        "willingness",
    ]
)
_CONSENT = re.compile(
    r"\b(?:informed\s+consent|consent(?:ed|s)?)\b|"
    r"\b(?:comply|compliance|compliant|adhere|adherence)\s+(?:with|to)\s+(?:the\s+|all\s+|any\s+)?(?:planned\s+|required\s+)?"
    r"(?:study|protocol|trial|scheduled|requirements?|procedures?|visits?|follow|research|treatment\s+(?:and|plan|schedule))|"
    r"\bwilling(?:ness)?\s+(?:and\s+(?:able|ability)\s+)?to\s+(?:participate|comply|adhere|follow\s+(?:the\s+)?(?:study|protocol))"
)
_ANCHOR_BEFORE = re.compile(
    r"(?:\b(?:from|after|since|prior\s+to|before|time\s+of|date\s+of|day\s+of|days\s+of|weeks?\s+of|months?\s+of|"
    r"age\s+of|until|following|upon|withdraw\w*|revoke\w*)\s+"
    r"(?:(?:signing|signature|obtaining|obtained|provision|providing|the|of|written|signed|main|study)\s+)*"
    r"|\bat\s+(?:the\s+)?(?:signing|signature|obtaining)\s+(?:of\s+)?(?:the\s+)?(?:written\s+)?)(?:informed\s+)?$"
)
_LIMITS = re.compile(
    r"(?:limit\w*|interfer\w*|compromis\w*|impair(?:s|ing)?\b|affect\w*|preclud\w*|prevent\w*|hinder\w*|"
    r"jeopardi[sz]\w*)[^.;]{0,80}?"
    r"(?:comply|compliance|adhere|adherence|participat|give|provide|sign|understand|obtain)"
)


def _consent(ctx: ItemContext, words: frozenset[str]) -> list[Criterion]:
    if _CONSENT_GATE.isdisjoint(words):
        return []
    low = ctx.lower
    m = next(
        (c for c in _CONSENT.finditer(low) if not _ANCHOR_BEFORE.search(low, max(0, c.start() - 45), c.start())), None
    )
    if m is None:
        return []
    lim = _LIMITS.search(low)
    if lim is not None and lim.start() < m.start():
        return []
    start, end = _clause(ctx.clean, m.start(), m.end())
    return [ctx.make(Consent, start, end)]


# --- helpers ------------------------------------------------------------------------------------------------
_BREAK = re.compile(r";|\.(?=\s+[A-Z(])|\.\s*$")


def _clause(clean: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to the clause (between ";" / sentence ends) that holds it."""
    s = 0
    for b in _BREAK.finditer(clean, 0, start):
        s = b.end()
    nxt = _BREAK.search(clean, end)
    e = nxt.start() if nxt is not None else len(clean)
    while s < e and clean[s].isspace():
        s += 1
    while e > s and clean[e - 1].isspace():
        e -= 1
    if e <= s:
        return start, max(end, start + 1)
    return s, e


def extract(ctx: ItemContext) -> list[Criterion]:
    """Typed ``pregnancy``, ``prior_malignancy``, ``infection`` and ``consent`` criteria of one item."""
    words = item_words(ctx)
    return _pregnancy(ctx, words) + _prior_malignancy(ctx, words) + _infection(ctx, words) + _consent(ctx, words)
