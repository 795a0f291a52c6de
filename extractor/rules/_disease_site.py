"""Disease site and extent: diagnosis (cancer and histology names from ``vocab/cancers.yaml``, one trie regex
each), stage (stages, metastatic, locally advanced, recurrent) and measurable disease."""

from __future__ import annotations

import re
from functools import cache

from extractor.models import Criterion, Diagnosis, MeasurableDisease, Stage
from extractor.rules._common import ItemContext
from extractor.rules._therapy_agents import _key, _trie_regex, find_agents
from extractor.vocab import load

__all__ = ["diagnosis_stage", "measurable_disease"]


@cache
def _vocab() -> tuple[re.Pattern[str], dict[str, tuple[str | None, str | None]], dict[str, str]]:
    """One trie over cancer and histology names: key -> (cancer, histology named inside it)."""
    data = load("cancers")
    hist: dict[str, str] = {}
    for name, aliases in data["histologies"].items():
        for a in [name, *aliases]:
            hist.setdefault(_key(a), name)
    hrx = re.compile(
        r"(?<![a-z0-9])"
        + _trie_regex([a for name, al in data["histologies"].items() for a in [name, *al]])
        + r"(?![a-z0-9])"
    )
    table: dict[str, tuple[str | None, str | None]] = {}
    words: list[str] = []
    for name, aliases in data["cancers"].items():
        for a in [name, *aliases]:
            inner = hrx.search(a.lower())
            table.setdefault(_key(a), (name, hist.get(_key(inner.group())) if inner else None))
            words.append(a)
    for name, aliases in data["histologies"].items():
        for a in [name, *aliases]:
            table.setdefault(_key(a), (None, name))
            words.append(a)
    rx = re.compile(r"(?<![a-z0-9])" + _trie_regex(words) + r"(?![a-z0-9+]|-[a-z])")
    sites: dict[str, str] = dict(data.get("sites") or {})
    return rx, table, sites


# ---------------------------------------------------------------- diagnosis and stage

_CONFIRMED = re.compile(
    r"(?:histolog|cytolog|patholog)\w*(?:\s*(?:,|or|and|and/or|/)\s*(?:histolog|cytolog|patholog)\w*)*\s+"
    r"(?:\w+\s+)?(?:confirm|prove|document|verif|diagnos|evidence|determin|establish)|"
    r"(?:biopsy|tissue)[\s-](?:proven|confirmed)|confirmed\s+(?:by\s+|on\s+)?(?:histolog|cytolog|patholog|biopsy)|"
    r"(?:histolog|cytolog|patholog)\w*\s+(?:or\s+\w+\s+)?diagnos"
)
_DX_CUE = re.compile(r"diagnos|confirm|proven|documented|histolog|cytolog|patholog|biopsy")
_PRIOR_MALIG = re.compile(
    r"(?:other|second|prior|previous|another|additional|concurrent|secondary|synchronous)\s+(?:\w+\s+)?"
    r"(?:primary\s+)?(?:malignan|cancer|tumou?r|neoplas)|history\s+of\s+(?:a\s+|an\s+|any\s+)?(?:other\s+|invasive\s+)?"
    r"(?:cancer|malignan)|in\s+situ|curatively|non-melanoma|nonmelanoma|skin\s+cancer|within\s+(?:the\s+)?(?:past|last)"
    r"\s+\S+\s+years|disease[\s-]free\s+for|family\s+history|risk\s+of|history\s+of\s+(?:\w+\s+){0,3}"
    r"(?:cancer|malignan|carcinoma)"
)
# "and/or" is read as "and", "/", "or": overlapping alternatives under a repeat backtrack exponentially.
_STAGE = re.compile(
    r"\bstages?\s*(?P<list>(?:[0IV]{1,4}[A-D]?[0-9]?|[0-4][A-D]?)(?![A-Za-z])(?:(?:\s*+(?:-|–|to|/|,|or|and|"
    r"through))++\s*+(?:stage\s*+)?(?:[0IV]{1,4}[A-D]?[0-9]?|[0-4][A-D]?)(?![A-Za-z]))*+)",
    re.IGNORECASE,
)
_STAGE_TOKEN = re.compile(r"[0IVivx]{1,4}[A-Da-d]?[0-9]?|[0-4][A-Da-d]?")
_ARABIC = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}
_METASTATIC = re.compile(
    r"(?<!non-)(?<!non )(?<!oligo-)(?<!oligo )(?<!poly-)\bmetastatic\b"
    r"(?!\s+(?:to\s+the\s+)?(?:brain|cns|bone|liver|lung|progression|lesion|site))|"
    r"\bdistant\s+metasta\w*|\bstage\s+iv\b|"
    r"\bmetastas[ie]s\b(?=\s*(?:disease|$|[,;.]))"
)
_LOCALLY_WORDS = ("locally", "resect", "operab", "amenable", "suitable", "eligible")
_LOCALLY = re.compile(
    r"locally[\s-]+advanced|unresectable|inoperable|non[\s-]?resectable|not\s+(?:be\s+)?(?:amenable|suitable|eligible)"
    r"\s+(?:to|for)\s+(?:curative|radical|complete)?\s*(?:surg|resect|treatment|therap|local)"
)
_RECURRENT = re.compile(r"\brecurrent\b|\brecurred\b|\blocal(?:ly)?\s+recurrence\b|\blocoregional\s+recurrence\b")
_NOT_BEFORE = re.compile(
    r"\b(?:no|non|without|free\s+of|absence\s+of)\b(?:\s+(?:evidence|history|signs?)\s+of)?(?:\s+[\w/-]+){0,3}\s*$"
)
_DX_FF = re.compile(r"(?:criteria\s+(?:in|for)|recist[^.;]{0,30}for|for)\s+$")
_DX_AFTER_FF = re.compile(r"[\s-]*(?:screening|survivors?|risk|specialists?|clinics?|registry|patient\s+advocacy)\b")
_EXTENT_WORDS = ("metasta", "unresect", "inoperab", "locally", "recurr", "advanced")
# an extent word tied to a disease noun ("metastatic cancer", "disease that is unresectable or metastatic")
_EXTENT_NEAR = re.compile(
    r"(?:metastatic|unresectable|inoperable|locally\s+advanced|recurrent|advanced)[\s,/]+(?:(?:and|or|and/or|[\w-]+)[\s,/]+){0,4}?"
    r"(?:disease|cancer|carcinoma|tumou?rs?|malignanc\w*|neoplasm)\b|"
    r"(?:disease|cancer|carcinoma|tumou?r|malignancy)\s+(?:that\s+is|which\s+is|is)\s+(?:[\w-]+[\s,]+){0,3}?"
    r"(?:metastatic|unresectable|inoperable|locally\s+advanced|recurrent)"
)
_THERAPY_BEFORE = re.compile(r"\b(?:therap\w*|treatment|regimens?|lines?|setting|chemotherapy)\s+(?:[\w/-]+\s+){0,4}$")
# An item opening with extent words then a disease noun ("Metastatic and/or locally advanced disease"). Quantifiers
# are possessive and no two alternatives match the same text, so a run of "and/or" or commas is read once (the
# backtracking form took 12 s on "and/or " * 26). The two lookbehinds keep the old reading of a bare run of spaces,
# "/" or "," as the extent run (after leading punctuation, or after a lead-in followed by two or more spaces).
_EXTENT_LEAD = (
    r"(?:(?:patients|participants|subjects)\s++(?:with|must\s++have)|documented|confirmed|evidence\s++of|"
    r"radiolog\w*+|clinical\w*+|histolog\w*+)\s++"
)
_EXTENT_RUN = r"(?:de\s++novo|recurrent|unresectable|inoperable|locally|advanced|metastatic|or|and|[/,\s])++"
_EXTENT_START = re.compile(
    rf"^\W*+(?:(?:{_EXTENT_LEAD})++(?:{_EXTENT_RUN}|(?<=\s\s))|{_EXTENT_RUN}|(?<=[/,\s]))"
    r"(?:disease|cancer|carcinoma|solid\s+tumou?r|malignan)"
)


def _stages(clean: str) -> tuple[list[str], tuple[int, int] | None]:
    out: list[str] = []
    span = None
    for m in _STAGE.finditer(clean):
        for tok in _STAGE_TOKEN.findall(m.group("list")):
            t = tok.upper()
            if t[0].isdigit():
                t = _ARABIC.get(t[0], t[0]) + t[1:]
            if t == "X" or t.startswith(("X",)):
                continue
            if t not in out:
                out.append(t)
        span = span or (m.start(), m.end())
    return out, span


def _histology(
    hists: list[tuple[int, int, str]], span: tuple[int, int], n_names: int, spans: list[tuple[int, int]]
) -> str | None:
    """The histology named with a cancer: inside or next to its mention, no other cancer in between (any in the
    item when it names one cancer)."""
    best = None
    for s, e, h in hists:
        gap = max(s - span[1], span[0] - e, 0)
        lo, hi = min(e, span[1]), max(s, span[0])
        if any(lo <= a and b <= hi for a, b in spans if (a, b) != span):
            continue
        if e <= span[0] and gap > 3:  # before the mention only when it qualifies it ("squamous NSCLC")
            continue
        if gap <= 30 and (best is None or gap < best[0]):
            best = (gap, h)
    if best is not None:
        return best[1]
    return hists[0][2] if hists and n_names == 1 else None


def diagnosis_stage(ctx: ItemContext) -> list[Criterion]:
    lower = ctx.lower
    rx, table, sites = _vocab()
    mentions: list[tuple[int, int, str]] = []
    hists: list[tuple[int, int, str]] = []
    for m in rx.finditer(lower):
        c, h = table.get(_key(m.group()), (None, None))
        if c:
            mentions.append((m.start(), m.end(), c))
        if h:
            hists.append((m.start(), m.end(), h))
    if (
        not mentions
        and not hists
        and "stage" not in lower
        and not _EXTENT_START.match(lower)
        and (not any(w in lower for w in _EXTENT_WORDS) or not _EXTENT_NEAR.search(lower))
    ):
        return []
    out: list[Criterion] = []
    any_dx = bool(mentions or hists)
    malig = any_dx and bool(_PRIOR_MALIG.search(lower))
    confirmed = True if any_dx and _CONFIRMED.search(lower) else None
    dx_cue = any_dx and bool(_DX_CUE.search(lower))
    agents = find_agents(lower) if mentions else []
    names: list[str] = []
    where: dict[str, tuple[int, int]] = {}
    if any_dx and not malig:
        for s, _e, c in mentions:
            if c is None:
                continue
            if any(a.end <= s for a in agents) and not dx_cue:
                continue  # "prior chemotherapy for metastatic breast cancer": a therapy setting
            if _THERAPY_BEFORE.search(lower, max(0, s - 60), s) and not dx_cue:
                continue
            if ctx.is_exclusion and s > 60 and not dx_cue:
                continue
            if (
                _DX_FF.search(lower, max(0, s - 40), s)
                or (not dx_cue and s > (80 if ctx.is_exclusion else 130))
                or _DX_AFTER_FF.match(lower, _e)
            ):
                continue
            # "breast, ovarian or prostate cancer": bare site words coordinated before the mention
            pre = lower[max(0, s - 60) : s]
            for w in re.findall(r"([a-z]+)\s*(?:,|\bor\b|\band\b|and/or|/)\s*", pre):
                if w in sites and sites[w] not in names and sites[w] != c:
                    names.append(sites[w])
                    where[sites[w]] = (s, _e)
            if c not in names:
                names.append(c)
                where[c] = (s, _e)
        if not names and hists and confirmed and not agents:
            s, _e, h = hists[0]
            pre = lower[max(0, s - 50) : s]
            for w in re.findall(r"([a-z]+)\s*(?:,|\bor\b|\band\b|and/or|/|$)\s*", pre):
                if w in sites and sites[w] not in names:
                    names.append(sites[w])
                    where[sites[w]] = (s, _e)
            if not names and h:
                names.append(h)
                where[h] = (s, _e)
    for c in names[:10]:
        out.append(
            ctx.make(
                Diagnosis,
                cancer=c,
                histology=_histology(hists, where[c], len(names), [(a, b) for a, b, _ in mentions]),
                histologically_confirmed=confirmed,
            )
        )
    # stage
    stages, _span = _stages(ctx.clean) if "stage" in lower else ([], None)
    met = _METASTATIC.search(lower) if "metasta" in lower or "stage iv" in lower else None
    loc = _LOCALLY.search(lower) if any(w in lower for w in _LOCALLY_WORDS) else None
    rec = _RECURRENT.search(lower) if "recur" in lower else None
    if not (stages or met or loc or rec):
        return out
    if not names and "malignan" in lower and _PRIOR_MALIG.search(lower):
        return out
    if stages and not names and _span and _THERAPY_BEFORE.search(lower, max(0, _span[0] - 50), _span[0]):
        stages = []  # "systemic therapy for Stage I-III disease": a therapy setting
        if not (met or loc or rec):
            return out
    if not stages:
        first = min(m.start() for m in (met, loc, rec) if m is not None)
        if not names and not _EXTENT_START.match(lower) and not _EXTENT_NEAR.search(lower, max(0, first - 60)):
            return out
        if any(a.end <= first for a in (agents or find_agents(lower[:first]))) and not names:
            return out
        if _THERAPY_BEFORE.search(lower, max(0, first - 50), first) and not names:
            return out

    def flag(m: re.Match[str] | None) -> bool | None:
        if m is None:
            return None
        return not _NOT_BEFORE.search(lower, max(0, m.start() - 40), m.start())

    out.append(ctx.make(Stage, stages=stages, metastatic=flag(met), locally_advanced=flag(loc), recurrent=flag(rec)))
    return out


# ---------------------------------------------------------------- measurable disease

_STANDARD: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\birecist"), "iRECIST"),
    (re.compile(r"\bmrecist"), "mRECIST"),
    (re.compile(r"\brecist\b[^.;]{0,25}?1\.0\b"), "RECIST 1.0"),
    (re.compile(r"\brecist|response\s+evaluation\s+criteria\s+in\s+solid\s+tumou?rs?"), "RECIST 1.1"),
    (re.compile(r"\brecil\b"), "RECIL"),
    (re.compile(r"\brano[\s-]?bm\b"), "RANO-BM"),
    (re.compile(r"\brano\b"), "RANO"),
    (re.compile(r"\bpcwg\s*-?\s*3"), "PCWG3"),
    (re.compile(r"\bpcwg\s*-?\s*2"), "PCWG2"),
    (re.compile(r"\blugano\b"), "Lugano"),
    (re.compile(r"\bimwg\b"), "IMWG"),
    (re.compile(r"\biwcll\b"), "iwCLL"),
    (re.compile(r"\bgcig\b"), "GCIG"),
    (re.compile(r"\bchoi\b"), "Choi"),
)
_MEAS_BOTH = re.compile(
    r"measurable\s*(?:disease\s+|lesions?\s+)?(?:\([^)]{0,40}\)\s*)?(?:and/or|or|and|/)\s*"
    r"(?:non[\s-]?measurable|evaluable|assessable)|"
    r"(?:evaluable|assessable)\s*(?:disease\s+)?(?:and/or|or|/)\s*measurable|"
    r"non[\s-]?measurable\s*(?:disease\s+)?(?:and/or|or|/)\s*measurable|measurable\s+or\s+non[\s-]?measurable"
)
_NONMEAS = re.compile(r"non[\s-]?measurable|not\s+measurable|unmeasurable")
_MEAS = re.compile(
    r"(?<!non-)(?<!non )(?<!un)measurable(?!\s+residual)|(?:can|could)\s+be\s+(?:accurately\s+)?measured"
)
_EVAL = re.compile(r"(?<!non-)(?<!non )evaluable\s+(?:disease|lesion|tumou?r|site)|(?<!non-)assessable\s+disease")
_MEAS_NEG = re.compile(r"\b(?:no|without|lack\s+of|absence\s+of|not\s+have)\s+(?:\w+\s+){0,2}$")


def measurable_disease(ctx: ItemContext) -> list[Criterion]:
    lower = ctx.lower
    if "measurab" not in lower and "evaluable" not in lower and "assessable" not in lower and "measured" not in lower:
        return []
    both = _MEAS_BOTH.search(lower)
    non = _NONMEAS.search(lower)
    meas = _MEAS.search(lower)
    ev = _EVAL.search(lower)
    level: str | None = None
    m = None
    if both:
        level, m = "measurable_or_evaluable", both
    elif non and not meas:
        level, m = ("measurable" if ctx.is_exclusion else "non_measurable"), non
    elif meas:
        negated = bool(_MEAS_NEG.search(lower, max(0, meas.start() - 30), meas.start()))
        if ctx.is_exclusion and not negated and "only" not in lower:
            return []
        level, m = ("non_measurable" if negated and not ctx.is_exclusion else "measurable"), meas
    elif ev:
        level, m = "evaluable", ev
    if level is None or m is None:
        return []
    if "residual disease" in lower and "recist" not in lower:
        return []
    standard = next((name for rx, name in _STANDARD if rx.search(lower)), None)
    return [ctx.make(MeasurableDisease, level=level, standard=standard)]
