"""Other biomarkers: mutations, fusions, expression, thresholds (kind ``biomarker``).

``biomarker``: any other marker named with an alteration or status (mutation, fusion, amplification,
expression, high, positive, wild-type, negative) or a threshold ("PD-L1 TPS >= 50%"); one criterion per marker.
Rule for ``requirement``: the item states the marker *present* ("EGFR mutation", "MSI-H") or *absent*
("EGFR wild-type", "no known EGFR mutation", "BRAF V600E-negative"); present in an inclusion item -> required,
absent in an inclusion item -> excluded, and the reverse in an exclusion item, except that an exclusion item
saying "must not have X" restates the rule (-> excluded). A clause that says the marker is "allowed",
"permitted", "not excluded", "regardless of", "irrespective of", "known or unknown", "positive or negative"
-> allowed. A marker naming a cohort ("the ctDNA positive cohort") is not a requirement of the item.
Marker names used as therapy ("EGFR TKI", "anti-PD-L1", "KRAS G12C inhibitor", "targeting KRAS") are skipped.
``alteration``: the variant as written ("G12C", "V600E", "exon 19 deletion") else the alteration word
("mutation", "fusion", "high", "expression"); absent-marker statements use "mutation" unless a variant is named.
"""

from __future__ import annotations

import re
from functools import cache

from extractor.models import Biomarker, Criterion
from extractor.models.criteria import Requirement
from extractor.rules._common import ItemContext
from extractor.rules._her2_common import (
    ALLOWED,
    ANTI_BEFORE,
    LEAN_CMP,
    MAX_MENTIONS,
    MUST_NOT,
    PAREN,
    alt_regex,
    biomarker_vocab,
)
from extractor.rules._performance_common import sentence_bounds

__all__ = ["extract_biomarkers"]


def _literal_alt(phrases: list[str]) -> str:
    """Alternation whose branches start with a literal (lets ``re`` skip positions fast)."""
    alts = sorted(set(phrases), key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?") for p in alts)


_TOKEN = re.compile(r"(?:[A-Z](?:[A-Z0-9]|-[A-Za-z0-9])|Ki)[A-Za-z0-9α]*(?:[-*:./][A-Za-z0-9]+)*")


@cache
def _marker_res() -> tuple[dict[str, str], re.Pattern[str], tuple[str, ...]]:
    """Symbol lookup (token as written or normalised -> symbol), the multi-word / lower-case name regex and its
    gate words."""
    table: dict[str, list[str]] = biomarker_vocab()["markers"]  # type: ignore[assignment]
    canon: dict[str, str] = {}
    named: list[str] = []
    for sym, syns in table.items():
        for syn in [sym, *syns]:
            canon[_norm(syn)] = sym
            if " " in syn or syn == syn.lower():
                named.append(syn.lower())
            else:
                canon[syn] = canon[syn.upper()] = sym
    tail = r"(?![a-z0-9]|-(?:targeted|directed|like)|[\s-]*2\b)"
    gate: tuple[str, ...] = tuple(biomarker_vocab()["name_gate"])  # type: ignore[arg-type]
    return canon, re.compile(f"(?:{_literal_alt(named)}){tail}"), gate


_GLUED_VARIANT = re.compile(r"[A-Z]\d{2,4}[A-Z]?")


def _lookup(exact: dict[str, str], clean: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Markers named by the token ``clean[start:end]`` (with a lower-case prefix such as c-, g-, d-)."""
    non = start >= 4 and clean[start - 4 : start].lower() == "non-"
    if start > 0 and not non:
        prev = clean[start - 1]
        if prev.isalnum() or prev == "-":
            for back in (1, 2):
                b = start - back
                cand = clean[b:end]
                if b >= 0 and cand in exact and (b == 0 or not clean[b - 1].isalnum()):
                    return [(b, end, exact[cand])]
            return []
    tok = clean[start:end]
    sym = exact.get(tok)
    if sym:
        return [(start, end, sym)]
    if len(tok) <= 24 and any(c.isdigit() for c in tok):
        # a variant glued to the gene: "BRAFV600E", "KRASG12C"
        for cut in range(len(tok) - 2, 2, -1):
            if tok[:cut] in exact and _GLUED_VARIANT.fullmatch(tok, cut):
                return [(start, start + cut, exact[tok[:cut]])]
    if "-" not in tok and "/" not in tok:
        return []
    if "/" not in tok:
        if len(tok) > 40:
            return []
        # longest hyphen-joined prefix that names a marker: "PD-L1-positive", "EGFR-activating"
        parts = tok.split("-")
        for k in range(len(parts) - 1, 0, -1):
            head = "-".join(parts[:k])
            if head in exact:
                return [(start, start + len(head), exact[head])]
        return []
    out: list[tuple[int, int, str]] = []
    pos = start
    for k, part in enumerate(re.split(r"([/-])", tok)):
        if part and part not in ("/", "-"):
            sym = exact.get(part)
            if sym:
                out.append((pos, pos + len(part), sym))
            elif k == 0:
                break
        pos += len(part)
    return out


def _marker_mentions(ctx: ItemContext) -> list[tuple[int, int, str]]:
    """(start, end, symbol) of marker names in the item, in order."""
    canon, named, gate = _marker_res()
    clean = ctx.clean
    found: list[tuple[int, int, str]] = []
    for m in _TOKEN.finditer(clean):
        found.extend(_lookup(canon, clean, m.start(), m.end()))
    low = ctx.lower
    if any(w in low for w in gate):
        for m in named.finditer(low):
            if m.start() > 0 and (low[m.start() - 1].isalnum() or low[m.start() - 1] == "-"):
                continue
            sym = canon.get(_norm(m.group(0)))
            if sym and not any(a <= m.start() < b for a, b, _ in found):
                found.append((m.start(), m.end(), sym))
        found.sort()
    return found


def _norm(s: str) -> str:
    return re.sub(r"[\s-]+", " ", s.lower()).strip()


@cache
def _word_res() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    v = biomarker_vocab()
    alts: list[str] = v["alterations"]  # type: ignore[assignment]
    wild: list[str] = v["wild_type"]  # type: ignore[assignment]
    ther: list[str] = v["therapy_words"]  # type: ignore[assignment]
    alt_re = re.compile(rf"\b(?:{alt_regex(alts)})\b", re.IGNORECASE)
    wild_re = re.compile(rf"(?:\b|-)(?:{alt_regex(wild)})\b", re.IGNORECASE)
    ther_re = re.compile(rf"[\s/-]*(?:\(\w+\)\s*)?(?:{alt_regex(ther)})\b", re.IGNORECASE)
    return alt_re, wild_re, ther_re


_VARIANT = re.compile(
    r"[\s-]*(?:\(?p\.)?(?P<var>[A-Z]\d{1,4}(?:[A-Z]|X|_[A-Z]\d+\w*|fs|del|ins\w*)?(?:/[A-Z]\d{1,4}[A-Z]?)*)\b"
    r"|[\s-]*(?P<exon>exon\s*\d{1,2}(?:\s*(?:skipping|deletions?|insertions?|mutations?|alterations?))?)"
    r"|[\s-]*(?P<itd>ITD|V600E?|V600[EK]?/?[EK]?)",
)
_THRESH = re.compile(
    rf"(?:(?:tps|cps|tc|ic|tumou?r\s+proportion\s+score|combined\s+positive\s+score|score|expression|level|"
    rf"burden|tmb|vaf)\s*(?:\(\w+\)\s*)?(?:of\s+)?)?(?:{LEAN_CMP})\s*\d+(?:[.,]\d+)?\s*(?:%|mut(?:ations)?\s*/\s*mb|"
    rf"muts?/mb|/mb|mutations\s+per\s+megabase)?",
    re.IGNORECASE,
)
_LAB_AFTER = re.compile(r"\s*(?:\(\w+\)\s*)?(?:of\s+)?(?:[<>≤≥=]|&[lg]t;|ml/min|\d)", re.IGNORECASE)


_MUTATION_LIKE = re.compile(r"mutat|variant|alter|aberr|insert|exon|deletion|pathogenic|deleterious|carrier|[A-Z]\d")
_SYMBOLISH = re.compile(r"[A-Z0-9/-]{2,12}")
_CONNECT_TOKEN = re.compile(r"\[s\s*\]|\(s\)|\(\w+\)|[A-Za-z0-9/-]+|\S")
_CONNECT_WORDS = frozenset(
    [
        "s",
        "in",
        "of",
        "or",
        "and",
        "and/or",
        "at",
        "the",
        "following",
        "gene",
        "genes",
        "any",
        "one",
        ":",
        ",",
        "/",
        "(",
    ]
)


def _connect_only(between: str) -> bool:
    """True when ``between`` holds only list glue and other marker symbols ("in any of the following genes: EGFR,")."""
    if len(between) > 150:
        return False
    for tok in _CONNECT_TOKEN.findall(between):
        if tok not in _CONNECT_WORDS and not _SYMBOLISH.fullmatch(tok) and not tok.startswith(("[", "(")):
            return False
    return True


_NEG_NEAR = re.compile(r"\b(?:no|not|negative\s+for)\b(?:(?!\bwith\b)[^.;:,]){0,40}$", re.IGNORECASE)
_NEG_FAR = re.compile(
    r"\b(?:without|absence\s+of|absent|lack\s+of|lacking|must\s+not\s+(?:have|harbou?r|carry)|"
    r"does\s+not\s+(?:have|harbou?r)|do\s+not\s+(?:have|harbou?r)|no\s+known|no\s+documented|not\s+harbou?r\w*|"
    r"no\s+evidence\s+of)\b",
    re.IGNORECASE,
)


_NON_PREFIX = re.compile(r"\bnon[\s-]*[a-z]?$", re.IGNORECASE)
_ABBREV = re.compile(r"\b(?:i\.e|e\.g|vs|etc|approx)\.", re.IGNORECASE)


def _negated_far(pre: str) -> bool:
    """A negation word ("without", "absence of", "no known") earlier in the same clause, at most 150 chars back."""
    window = _ABBREV.sub(lambda m: m.group(0).replace(".", " "), pre[-170:])
    last = None
    for m in _NEG_FAR.finditer(window):
        last = m
    return last is not None and len(window) - last.end() <= 150 and not re.search(r"[.;:]", window[last.end() :])


_PLURAL = re.compile(
    r"(mutation|variant|alteration|aberration|fusion|rearrangement|amplification|deletion|"
    r"insertion|carrier)s\b"
)


_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and/or|or|and)?|and/or|or|and|/)\s*")


def _skip_list(ctx: ItemContext, pos: int, end: int) -> int:
    """Skip "[, or] <marker>" runs after a marker, so "ALK, ROS1 or RET fusion" reaches "fusion"."""
    canon, named, _gate = _marker_res()
    clean = ctx.clean
    while True:
        m = _LIST_SEP.match(clean, pos, end)
        if not m:
            return pos
        mk = _TOKEN.match(clean, m.end(), end)
        if mk and _lookup(canon, clean, mk.start(), mk.end()):
            nxt = mk.end()
        else:
            nm = named.match(ctx.lower, m.end(), end)
            if not nm:
                return pos
            nxt = nm.end()
        p = PAREN.match(clean, nxt, end)
        pos = p.end() if p else nxt
        var = _VARIANT.match(clean, pos, end)
        if var:
            pos = var.end()


def _alteration_after(clean: str, pos: int, end: int) -> str | None:
    alt_re, _w, _t = _word_res()
    window = clean[pos : min(end, pos + 45)]
    close = re.match(r"\s*\)", window)
    if close:
        window = window[close.end() :]
    am = alt_re.search(window)
    if am is None or re.search(r"[.;:,()]|\b(?:and|or|but|who|which|that|with|in|of|for)\b", window[: am.start()]):
        return None
    return am.group(0).lower()


def extract_biomarkers(ctx: ItemContext) -> list[Criterion]:
    clean = ctx.clean
    mentions = _marker_mentions(ctx)
    if not mentions:
        return []
    alt_re, wild_re, ther_re = _word_res()
    mutation_only: list[str] = biomarker_vocab()["mutation_only"]  # type: ignore[assignment]
    out: list[Criterion] = []
    seen: set[str] = set()
    tries: dict[str, int] = {}
    for m_start, m_end, sym in mentions[:MAX_MENTIONS]:
        if sym in seen or tries.get(sym, 0) >= 4:
            continue
        tries[sym] = tries.get(sym, 0) + 1
        end = m_end
        p = PAREN.match(clean, end)
        if p and len(p.group(0)) < 20 and not re.search(r"[<>≥≤=]|\d+\s*%", p.group(0)):
            end = p.end()
        var = _VARIANT.match(clean, end)
        vend = var.end() if var else end
        if ther_re.match(clean, vend) or ANTI_BEFORE.search(clean, max(0, m_start - 25), m_start):
            continue
        if sym == "EGFR" and re.match(
            r"\s*(?:\(\w+\)\s*)?(?:of\s+)?(?:[<>≤≥=]|&[lg]t;)?\s*\d+\s*(?:ml|$|\b)", clean[end : end + 25], re.I
        ):
            continue
        s, e = sentence_bounds(clean, m_start, vend)
        clause = clean[s:e]
        rel = m_start - s
        variant = (var.group("var") or var.group("exon") or var.group("itd")) if var else None
        alteration: str | None = variant.strip() if variant else None
        if alteration is None:
            alteration = _alteration_after(clean, vend, e)
        if alteration is None:
            lend = _skip_list(ctx, vend, e)
            if lend > vend:
                alteration = _alteration_after(clean, lend, e)
        name_low = clean[m_start:m_end].lower()
        suffix = re.match(r"[\s-]*(?:h|high)\b", clean[m_end : m_end + 6], re.IGNORECASE)
        if alteration is None and (suffix or name_low.endswith(("-h", "-high", " high"))):
            alteration = "high"
        if alteration is None and sym == "MMR" and name_low.startswith("d"):
            alteration = "deficient"
        if alteration is None:
            before_alt = None
            for bm in alt_re.finditer(clause, 0, rel):
                before_alt = bm
            if before_alt is not None and _connect_only(clause[before_alt.end() : rel]):
                alteration = before_alt.group(0).lower()
        wm = wild_re.match(clean, vend)
        if wm is None:
            after = clean[vend : min(e, vend + 45)]
            wm2 = wild_re.search(after)
            if wm2 and not re.search(r"[.;:,]|\b(?:and|or|but|who|in|of)\b", after[: wm2.start()]):
                wm = wm2
        seg_end = min(len(clause), rel + 120)
        thr = _THRESH.search(clause, rel, seg_end) if _DIGIT.search(clause, rel, seg_end) else None
        threshold = None
        if (
            thr
            and thr.start() < rel + 80
            and re.search(r"%|/\s*mb|megabase|tps|cps|score|\b(?:tc|ic)\b", thr.group(0), re.I)
        ):
            threshold = thr.group(0).strip()
        absent = wm is not None
        if _norm(name_low) in ("mss", "microsatellite stable", "pmmr", "mismatch repair proficient"):
            absent, alteration = True, ("high" if sym == "MSI" else "deficient")
        if alteration is None and not absent and threshold is None:
            continue
        if _COHORT_LABEL.match(clean, vend) or _COHORT_LABEL.search(clean[vend : vend + 30]):
            continue
        if sym in mutation_only and not (alteration and _MUTATION_LIKE.search(alteration)):
            continue
        pre = clean[s:m_start]
        restated = False
        if _NON_PREFIX.search(pre[-6:]):
            absent = True
        elif _NEG_NEAR.search(pre[-60:]) or _negated_far(pre):
            absent = not absent if wm is None else absent
            # an exclusion item saying "must not have X" restates the rule: X is excluded, not required
            restated = ctx.is_exclusion and bool(MUST_NOT.search(pre))
        if alteration in (None, "negative") and absent:
            alteration = "positive" if sym in _status_markers() else "mutation"
        if alteration in ("positivity",):
            alteration = "positive"
        if alteration:
            alteration = _PLURAL.sub(r"\1", alteration)
        requirement: Requirement
        if ALLOWED.search(clause):
            requirement = "allowed"
        else:
            requirement = "required" if (not absent) != ctx.is_exclusion else "excluded"
            if restated:
                requirement = "excluded"
        seen.add(sym)
        out.append(
            ctx.make(Biomarker, s, e, marker=sym, alteration=alteration, requirement=requirement, threshold=threshold)
        )
    return out


_DIGIT = re.compile(r"\d")
_COHORT_LABEL = re.compile(r"^[\s-]*(?:\w+[\s-]+)?(?:cohort|arm|group|stratum|subgroup)\b", re.IGNORECASE)


@cache
def _status_markers() -> frozenset[str]:
    """Markers whose absence is a status ("PD-L1 negative"), not a missing mutation."""
    names: list[str] = biomarker_vocab()["status_markers"]  # type: ignore[assignment]
    return frozenset(names)
