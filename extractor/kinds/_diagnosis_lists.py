"""Lists and noun phrases of the ``diagnosis`` kind (its rules are ``diagnosis.yaml``): head-and-neck sub-sites
listed as nouns, bare site words standing as entries of a list of cancers ("tumor types: ..., Colorectal,
Gastroesophageal Junction, Bladder (transitional cell), Endometrial/Uterine"), the stage words a mention heads
("Advanced (not amenable to curative surgery) or metastatic (AJCC stage IV) RCC") and a confirmed cancer of no named
type ("histologically confirmed malignancy that is metastatic"); and whether a mention is coordinated with the last one
taken ("CLL with Richter's transformation, non-Hodgkin lymphoma")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from extractor.rules.grammar import any_in

if TYPE_CHECKING:
    from extractor.kinds.diagnosis import Rules

__all__ = [
    "chained",
    "coordinated_sites",
    "generic_cancer",
    "head_and_neck_sites",
    "list_entries",
    "planned_treatment",
    "site_run_start",
    "stage_run_start",
    "upper_abbreviations",
]

Span = tuple[int, int]

_RUN_REACH = 200  # characters before a mention read for its stage words
_HEAD_REACH = 30  # ... and before those for the head they follow
_CHAIN_GAP = 30  # a mention coordinated with the last one taken starts within this many characters of its end ...
_CHAIN_QUALIFIED_GAP = 90  # ... or these, after a qualifier ("CLL with Richter's transformation, NHL")
_PLANNED_BEFORE = 140  # characters before a mention read for a treatment the patient is to undergo for it
_SITE_ENTRY = 40  # characters read for one entry of a list of site words before a mention ...
_SITE_ENTRIES = 12  # ... and at most this many entries


def planned_treatment(rules: Rules, lower: str, start: int) -> bool:
    """A treatment the patient undergoes, elected or is scheduled for stands before the mention starting at ``start``
    ("Scheduled for radical prostatectomy for clinically localized prostate cancer"): the patients' cancer, not a
    therapy setting (diagnosis.yaml ``planned_before``)."""
    s = max(0, start - _PLANNED_BEFORE)
    return (
        any_in(rules.planned_gate, lower)
        and "protocol" not in lower[s:start]  # "protocol ..., Specimens from Patients Undergoing Surgery for ..."
        and bool(rules.planned_before.search(lower, s, start))
    )


def chained(rules: Rules, lower: str, last_end: int, start: int) -> bool:
    """A mention starting at ``start`` is coordinated with the one taken that ends at ``last_end``: a separator between
    (diagnosis.yaml ``chained_after``), or a short qualifier then one (``chained_qualified``)."""
    gap = start - last_end
    return (gap <= _CHAIN_GAP and bool(rules.chained_after.fullmatch(lower, last_end, start))) or (
        gap <= _CHAIN_QUALIFIED_GAP and bool(rules.chained_qualified.fullmatch(lower, last_end, start))
    )


def head_and_neck_sites(
    rules: Rules, lower: str, names: list[str], where: dict[str, Span], sites: dict[str, str]
) -> None:
    """Head-and-neck sub-sites listed as nouns ("HNSCC of the oral cavity, oropharynx, hypopharynx or larynx"): one
    cancer each when two or more are listed or head and neck cancer is named (they share its span, so its
    histology); none after a negation in its sentence."""
    found: list[tuple[str, Span]] = []
    for m in rules.hn_site.finditer(lower):
        site = sites.get(" ".join(m.group(1).split()))
        if site is None or any(site == c for c, _ in found):
            continue
        sentence = max(lower.rfind(". ", 0, m.start()), 0)
        if rules.hn_site_negated_before.search(lower, sentence, m.start()):
            continue
        found.append((site, (m.start(), m.end())))
    hn = where.get("head and neck cancer")
    if len(found) < 2 and hn is None:
        return
    for site, span in found:
        if site not in names:
            names.append(site)
            where[site] = hn or span


def stage_run_start(rules: Rules, lower: str, start: int) -> int:
    """Where the stage words right before a mention starting at ``start`` begin ("locally advanced (unresectable) or
    metastatic (stage IV) "), or -1: none, or they neither open the item nor follow a head ("with", "have", "of",
    a colon; not "regimens, for stage IV NSCLC", a therapy setting)."""
    m = rules.stage_run.search(lower, max(0, start - _RUN_REACH), start)
    if m is None or not rules.stage_run_head.search(lower, max(0, m.start() - _HEAD_REACH), m.start()):
        return -1
    return m.start()


def list_entries(
    rules: Rules,
    lower: str,
    entry: re.Pattern[str],
    *,
    taken: list[Span],
    named: list[Span],
    names: list[str],
    where: dict[str, Span],
    sites: dict[str, str],
    listed: set[str],
) -> None:
    """Bare site words standing as entries of a list of cancers: one cancer each (its entry's span) when separators
    join the entry, through other such entries, to a mention taken (``taken``) on its right, or to one on its left
    and to the end of the clause; not a word inside a cancer or histology named (``named``)."""
    segs: list[tuple[int, int, str | None]] = [(a, b, None) for a, b in taken]
    for m in entry.finditer(lower):
        s, e = m.span("e")
        if any(a < e and s < b and not (s <= a and b <= e) for a, b in named):
            continue  # inside a name ("colorectal cancer"), not one holding a histology word ("cutaneous squamous")
        word = m.group("site")
        site = sites.get(" ".join(word.split())) or sites.get(" ".join(word.replace("-", " ").split()))
        if site is not None:
            segs.append((s, e, site))
    if len(segs) == len(taken):
        return
    segs.sort()
    runs: list[list[tuple[int, int, str | None]]] = [[segs[0]]]
    for seg in segs[1:]:
        prev = runs[-1][-1]
        if seg[0] >= prev[1] and rules.list_separator.fullmatch(lower, prev[1], seg[0]):
            runs[-1].append(seg)
        else:
            runs.append([seg])
    for run in runs:
        ends = bool(rules.list_end.match(lower, run[-1][1]))
        for i, (s, e, site) in enumerate(run):
            if site is None or site in names:
                continue
            left = any(x[2] is None for x in run[:i])
            if any(x[2] is None for x in run[i + 1 :]) or (left and ends):
                names.append(site)
                where[site] = (s, e)
                listed.add(site)  # no histology of a neighbour's


def generic_cancer(rules: Rules, lower: str) -> Span | None:
    """A confirmed cancer of no named type in an inclusion ("histologically confirmed malignancy that is metastatic",
    "proven diagnosis of locally advanced, unresectable, and/or metastatic cancer"): its span, unless negated."""
    if not any_in(rules.generic_cancer_gate, lower):
        return None
    m = rules.generic_cancer.search(lower)
    if m is None or rules.generic_cancer_negated.search(lower, 0, m.start()):
        return None
    return m.span()


def upper_abbreviations(rules: Rules, clean: str, mentions: list[tuple[int, int, str]]) -> None:
    """Add the cancers named by an upper-case abbreviation ("relapsed FL", "Ph+ ALL"; diagnosis.yaml
    ``upper_abbreviations``), not one inside a run of upper-case words or used as emphasis ("meet ALL of the
    following"), nor one in brackets right after a cancer named ("Malignant Melanoma (MM)": its abbreviation);
    keeps ``mentions`` in text order."""
    added = False
    for m in rules.upper_abbreviation.finditer(clean):
        s, e = m.span()
        if rules.upper_abbreviation_not_after.match(clean, e) or rules.upper_abbreviation_not_before.search(
            clean, max(0, s - 20), s
        ):
            continue
        if any(a <= s < b for a, b, _ in mentions):
            continue
        cancer = rules.upper_abbreviations[m.group()]
        if clean[:s].rstrip().endswith("(") and any(
            c != cancer and b <= s and not clean[b:s].strip(" (") for _a, b, c in mentions
        ):
            continue  # "Malignant Melanoma (MM)": the abbreviation of the cancer before it
        mentions.append((s, e, cancer))
        added = True
    if added:
        mentions.sort(key=lambda x: x[0])


def coordinated_sites(rules: Rules, pre: str, rx: re.Pattern[str], sites: dict[str, str]) -> list[str]:
    """The site words coordinated in ``pre``, none in or before a negated note ("(not nasopharynx, sinonasal or
    lip), ovarian carcinosarcoma")."""
    close = pre.rfind(")")
    opened = pre.rfind("(", 0, close) if close >= 0 else -1
    start = close + 1 if opened >= 0 and rules.hn_site_negated_before.search(pre, opened, close) else 0
    return [sites[w] for m in rx.finditer(pre, start) if (w := " ".join(m.group(1).split())) in sites]


def site_run_start(rules: Rules, lower: str, start: int, reach: int) -> int:
    """Where the text read for site words coordinated before a mention starting at ``start`` begins: ``reach``
    characters before it, or further back while a list of bare words runs on (diagnosis.yaml ``site_run_entry``)."""
    run = start
    for _ in range(_SITE_ENTRIES):
        m = rules.site_run_entry.search(lower, max(0, run - _SITE_ENTRY), run)
        if m is None:
            break
        run = m.start()
    return min(max(0, start - reach), run)
