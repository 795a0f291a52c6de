"""Metastases: metastatic burden (lesion and organ counts, oligometastatic disease) and brain metastases
(allowed / conditional / excluded / required, stability window, leptomeningeal disease)."""

from __future__ import annotations

import re

from extractor.models import BrainMetastases, Comparator, Criterion, MetastaticBurden
from extractor.rules._common import ItemContext, negate, op_of
from extractor.rules._therapy_numbers import _CMP_TAIL, _NUMTOK, _WEEKS_PER, _num, _unit_key

__all__ = ["brain_metastases", "metastatic_burden"]

# ---------------------------------------------------------------- metastatic burden

_LESION_AFTER = re.compile(
    r"\s*(?:(?:total|individual|distant|metastatic|extracranial|extra-cranial|separate|discrete|visible|radiographically|"
    r"detectable|sites?\s+of|active|bone|osseous|visceral|body|synchronous|metachronous|new|oligometastatic|"
    r"(?P<fewer>or\s+fewer|"
    r"or\s+less)|\(\w+\))\s+){0,4}"
    r"(?P<u>metastases|metastasis|metastatic\s+(?:lesions?|sites?|deposits?)|lesions?|sites?\s+of\s+(?:metastatic\s+)?"
    r"disease|metastatic\s+tumou?rs|tumou?rs|deposits|mets)\b"
)
_ORGAN_AFTER = re.compile(
    r"\s*(?:(?:different|distinct|separate|involved|distant|metastatic|or\s+fewer)\s+){0,2}"
    r"(?P<u>organs?(?:\s+systems?|\s+sites?)?|organ-systems?|anatomic(?:al)?\s+sites?)\b"
)
_RANGE_AFTER = re.compile(r"\s*(?:-|–|to|or|and)\s*(?P<n2>\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b")
_LIMIT_TAIL = re.compile(r"(?:limited\s+to|maximum(?:\s+of)?|max\.?|up\s+to|total\s+of|no\s+more\s+than)\s*$")
_LESION_FF = re.compile(r"(?:measurable|target|evaluable|biops\w*|brain|cns|intracranial|index|irradiated)\s+$")
_OLIGO_STRONG = re.compile(r"oligo[\s-]?(?:metasta|progress|recurr)\w*|poly[\s-]?metasta\w*")
_OLIGO_CONTEXT_FF = re.compile(r"\b(?:for|to|of|previous|prior|after|in\s+the)\s+(?:\w+\s+){0,2}$")
_OLIGO = re.compile(r"(?:oligo|poly)[\s-]?(?:metasta|progress|recurr)|(?:tumou?r|disease|metastatic)\s+burden")
# the sentence (between "." / ";") that holds a counting rule; it starts only at a sentence start, so a long
# sentence without one is read once (an unanchored "[^.;]*" re-reads it from every character)
_CLUSTER = re.compile(
    r"(?<![^.;])[^.;]*(?:cluster|counted\s+as|count\s+as|considered\s+(?:as\s+)?(?:a\s+)?(?:single|one)|"
    r"defined\s+as\s+(?:a\s+)?single)[^.;]*+"
)


def _bounds(lower: str, ns: int, ne: int, n1: float, exclusion: bool) -> tuple[float | None, float | None, int]:
    r = _RANGE_AFTER.match(lower, ne)
    if r:
        n2 = _num(r.group("n2"))
        if n2 is not None:
            return min(n1, n2), max(n1, n2), r.end()
    back = max(0, ns - 30)
    if _LIMIT_TAIL.search(lower, back, ns):
        op: Comparator | None = "<="
    else:
        c = _CMP_TAIL.search(lower, back, ns)
        op = op_of(c.group("cmp")) if c else None
    if exclusion and op is not None:
        op = negate(op)
    if op is None:
        return n1, n1, ne
    if op == "<=":
        return None, n1, ne
    if op == "<":
        return None, n1 - 1, ne
    if op == ">=":
        return n1, None, ne
    if op == ">":
        return n1 + 1, None, ne
    return n1, n1, ne


def metastatic_burden(ctx: ItemContext) -> list[Criterion]:
    lower = ctx.lower
    oligo = ("oligo" in lower or "poly" in lower or "burden" in lower) and bool(_OLIGO.search(lower))
    if not oligo and "metasta" not in lower and "organ" not in lower:
        return []
    les: list[tuple[float | None, float | None]] = []
    org: list[tuple[float | None, float | None]] = []
    for m in _NUMTOK.finditer(lower):
        n = _num(m.group("n"))
        if n is None or n > 50:
            continue
        r = _RANGE_AFTER.match(lower, m.end())
        tail = r.end() if r else m.end()
        lm = _LESION_AFTER.match(lower, tail)
        om = _ORGAN_AFTER.match(lower, tail) if not lm else None
        if lm:
            if _LESION_FF.search(lower, max(0, m.start() - 25), m.start()):
                continue
            if "metasta" not in lm.group(0) and "mets" not in lm.group(0) and not oligo:
                continue
            if re.search(r"brain|cns|intracranial", lower[m.start() : lm.end()]):
                continue
            if re.search(r"\bas\s+$", lower[max(0, m.start() - 4) : m.start()]):
                continue  # "counted as 1 lesion"
            lo, hi, _ = _bounds(lower, m.start(), m.end(), n, ctx.is_exclusion)
            if lm.group("fewer"):
                lo, hi = (None, n) if not ctx.is_exclusion else (n + 1, None)
            les.append((lo, hi))
        elif om:
            lo, hi, _ = _bounds(lower, m.start(), m.end(), n, ctx.is_exclusion)
            org.append((lo, hi))
    if not les and not org:
        strong = _OLIGO_STRONG.search(lower) if oligo else None
        if strong is None or _OLIGO_CONTEXT_FF.search(lower, max(0, strong.start() - 25), strong.start()):
            return []  # a bare "oligometastatic disease" as the subject, not "radiation for oligometastatic disease"
    if not oligo and not org and all(lo is not None and hi is None for lo, hi in les):
        return []  # "at least one metastatic lesion": a presence requirement, not a burden limit

    def span(vals: list[tuple[float | None, float | None]]) -> tuple[int | None, int | None]:
        if not vals:
            return None, None
        los = [lo for lo, _ in vals]
        his = [hi for _, hi in vals]
        known_lo = [x for x in los if x is not None]
        known_hi = [x for x in his if x is not None]
        lo = int(min(known_lo)) if known_lo else None
        hi = int(max(known_hi)) if known_hi else None
        return lo, hi

    min_l, max_l = span(les)
    min_o, max_o = span(org)
    if min_l is not None and max_l is not None and min_l == max_l and len(les) == 1:
        min_l = None  # "limited to 5 metastases" read without a comparator: 5 is the limit
    if min_o is not None and max_o is not None and min_o == max_o and len(org) == 1:
        min_o = None
    notes = None
    cm = _CLUSTER.search(lower)
    if cm:
        if "cluster" in cm.group() and "node" in cm.group():
            notes = "clustered lymph nodes in a single radiation field count as one lesion"
        else:
            notes = " ".join(cm.group().split())[:160]
    return [
        ctx.make(
            MetastaticBurden,
            max_lesions=max_l,
            min_lesions=min_l,
            min_organs=min_o,
            max_organs=max_o,
            counting_notes=notes,
        )
    ]


# ---------------------------------------------------------------- brain metastases

_BRAIN = re.compile(
    r"(?:brain|cns|central\s+nervous\s+system|intracranial|intra-cranial|cerebral)\s*(?:\(cns\)\s*)?"
    r"(?:parenchymal\s+)?(?:metasta\w*|mets\b|lesions?|disease|involvement|foci)|"
    r"metasta\w*\s+(?:\w+\s+)?(?:to|in|of|within)\s+(?:the\s+)?(?:brain|cns|central\s+nervous)|"
    r"metastatic\s+brain\s+(?:foci|lesions?|disease|tumou?rs?)|"
    r"(?:brain|cns)\s+(?:or|and|and/or|/)\s+(?:\w+\s+){0,2}?(?:metasta\w*|disease|involvement)"
)
_LEPTO = re.compile(
    r"leptomening\w*|carcinomatous\s+mening\w*|meningeal\s+(?:carcinomatosis|disease|metasta\w*|involvement)|"
    r"lymphomatous\s+meningitis|neoplastic\s+meningitis"
)
_BRAIN_FF = re.compile(
    r"\b(?:biopsy|removal|resection|imaging|mri|scan|ct|evaluation|assessment|screening)\s+(?:\w+\s+){0,3}$|"
    r"\bif\s+(?:known|clinically|suspected|there\s+is)\s+(?:\w+\s+){0,2}$"
)
_NEG_BEFORE = re.compile(
    r"\b(?:no|not|without|free\s+of|absence\s+of|none|nor|neither|exclud\w*)\b(?![^.;]*\b(?:unless|except|however|but)\b)"
)
_ALLOW_CUE = re.compile(
    r"\b(?:eligible|allowed|permitted|may\s+(?:be\s+)?(?:enrol|includ|participat|eligib|allow|permit|enter|consider)\w*|"
    r"can\s+be\s+(?:enrol|includ)\w*|are\s+acceptable|provided|unless|except|if\s+(?:they|the|patients?|participants?|subjects?|"
    r"treated|stable|asymptomatic|clinically|radiolog|neurolog)|however|as\s+long\s+as|acceptable)\b"
)
# (regex, condition named when the text is *positive*, condition required when the text names it as *bad*)
_DESCRIPTORS: tuple[tuple[re.Pattern[str], str | None, str | None], ...] = (
    (
        re.compile(
            r"\buntreated\b|\bnot\s+(?:been\s+)?(?:previously\s+)?treated\b|\bnot\s+received\s+(?:\w+\s+)?"
            r"(?:treatment|therapy)"
        ),
        "untreated",
        "treated",
    ),
    (
        re.compile(
            r"\b(?:previously\s+|adequately\s+|definitively\s+|locally\s+)?treated\b|\bfollowing\s+(?:local\s+)?"
            r"(?:therapy|treatment)|\bafter\s+(?:local\s+|definitive\s+)?(?:therapy|treatment|radiotherapy|"
            r"radiation|surgery|srs)|\bcompleted\s+(?:\w+\s+){0,3}(?:therapy|treatment|radiotherapy|radiation)|"
            r"\bresected\b|\birradiated\b|\bradiosurgery\b|\bsrs\b|\bwbrt\b|\bradiotherapy\b|\bradiation\b|"
            r"\bsurgery\b|\bsurgical\b|\bdirected\s+therapy"
        ),
        "treated",
        None,
    ),
    (re.compile(r"\bactive\b|\bactively\b"), None, "treated+stable"),
    (
        re.compile(
            r"\b(?:unstable|progressive|progressing|progression|growing|uncontrolled|poorly[\s-]controlled|"
            r"not\s+(?:well\s+)?controlled|worsening|enlarging|increasing\s+in\s+size|new\b)"
        ),
        None,
        "stable",
    ),
    (
        re.compile(
            r"\b(?:stable|stability|controlled|no\s+evidence\s+of\s+progression|without\s+(?:evidence\s+of\s+)?"
            r"progression|not\s+progress\w*)"
        ),
        "stable",
        None,
    ),
    (
        re.compile(
            r"\basymptomatic\b|\bno\s+(?:neurologic\w*\s+)?symptoms\b|\bwithout\s+(?:neurologic\w*\s+)?symptoms\b|"
            r"\bneurologically\s+stable"
        ),
        "asymptomatic",
        None,
    ),
    (re.compile(r"(?<!a)symptomatic\b"), None, "asymptomatic"),
    (
        re.compile(
            r"\b(?:off|not\s+(?:be\s+)?(?:on|requir\w*|receiv\w*|using|taking)|no\s+(?:longer\s+)?(?:requir\w*|need\w*)|"
            r"without(?:\s+the\s+need\s+for)?|discontinu\w*|free\s+of|no)\s+(?:\w+\s+){0,6}?(?:steroids?|"
            r"corticosteroids?|dexamethasone)|(?:steroids?|corticosteroids?)\s+(?:\w+\s+){0,2}"
            r"(?:discontinued|tapered|stopped|free)|stable\s+(?:or\s+decreasing\s+)?(?:dose\s+of\s+)?"
            r"(?:steroids?|corticosteroids?)"
        ),
        "off_steroids",
        None,
    ),
    (
        re.compile(
            r"\b(?:requir\w*|need\w*|on|receiving|use\s+of|dependent\s+on|treatment\s+with)\s+(?:\w+\s+){0,3}?"
            r"(?:steroids?|corticosteroids?|dexamethasone)"
        ),
        None,
        "off_steroids",
    ),
)
# a number starts at the head of its digits, and the spaces, range and hyphen before the unit have one reading each
# (overlapping "\s*" read a run of spaces or digits in cubic / quadratic time)
_STABLE_TIME = re.compile(
    r"(?P<n>(?<!\d)\d+(?:\.\d+)?|one|two|three|four|five|six|eight|twelve)\s*+(?>(?:-|–|to)\s*+\d++\s*+)?-?"
    r"(?P<unit>days?|weeks?|wks?|months?)\b"
)
_PERMIT = re.compile(r"eligible|allowed|permitted|may|can|are\s+acceptable|acceptable")
_SUBJECT = re.compile(r"\b(?:patients|participants|subjects|those|individuals)\s+(?:\w+\s+){0,2}?(?:with|who|having)\b")
_CONTINUATION = re.compile(r"\s*(?:are|have|has|is|be|were|had|must|should)\b")
_NOT_ALLOWED_BEFORE = re.compile(r"(?:\bnot\s+(?:be\s+)?|\bin)$")
_INCLUDING = re.compile(r"\b(?:including|includ\w+|regardless|with\s+or\s+without|irrespective)\b")


def brain_metastases(ctx: ItemContext) -> list[Criterion]:
    lower = ctx.lower
    if not any(w in lower for w in ("brain", "cns", "central nervous", "cranial", "cerebr", "mening")):
        return []
    bm = [m for m in _BRAIN.finditer(lower) if not _BRAIN_FF.search(lower, max(0, m.start() - 40), m.start())]
    lm = _LEPTO.search(lower)
    if not bm and not lm:
        return []
    lepto: str | None = None
    if lm:
        neg_l = bool(_NEG_BEFORE.search(lower, max(0, lm.start() - 40), lm.start()))
        allowed_l = bool(re.search(r"allowed|permitted|eligible", lower[lm.end() : lm.end() + 60])) and not re.search(
            r"not\s+(?:be\s+)?(?:allowed|permitted|eligible)", lower[lm.end() : lm.end() + 60]
        )
        if ctx.is_exclusion or neg_l:
            lepto = "excluded"
        elif allowed_l or not bm:
            lepto = "allowed"
    if not bm:
        return [ctx.make(BrainMetastases, allowed="allowed", leptomeningeal=lepto)]
    first = bm[0]
    # split at the first allowance cue: before it the text names what is bad (in exclusions), after it what is ok
    cue = _ALLOW_CUE.search(lower, first.start())
    disallowed = False
    while cue and _NOT_ALLOWED_BEFORE.search(lower, max(0, cue.start() - 8), cue.start()):
        disallowed = True
        cue = _ALLOW_CUE.search(lower, cue.end())
    cut = len(lower)
    sent = max(lower.rfind(". ", 0, first.start()), lower.rfind(";", 0, first.start())) + 1
    before = _ALLOW_CUE.search(lower, sent, first.start())
    if (
        before
        and _PERMIT.match(before.group())
        and not _NOT_ALLOWED_BEFORE.search(lower, max(0, before.start() - 8), before.start())
    ):
        cue, cut = (
            before,
            sent,
        )  # "Subjects are eligible if CNS metastases are treated ...": the whole sentence is positive
    elif cue:
        stop = max(lower.rfind(". ", 0, cue.start()), lower.rfind(";", 0, cue.start()))
        cut = stop + 1 if stop > first.end() else cue.start()
    head = lower[:cut]
    tail = lower[cut:]
    neg = disallowed or bool(_NEG_BEFORE.search(lower, max(0, first.start() - 40), first.start()))
    conds: list[str] = []

    def add(c: str) -> None:
        for part in c.split("+"):
            if part not in conds:
                conds.append(part)

    bad_side = ctx.is_exclusion or neg
    same_sentence = cue is not None and cut == cue.start()
    permissive = (
        same_sentence
        and cue is not None
        and bool(_PERMIT.match(cue.group()))
        and "(" not in lower[first.end() : cue.start()]
        and bool(_SUBJECT.search(lower, max(0, first.start() - 60), first.start()))
    )
    if ctx.is_exclusion and not disallowed and (permissive or _CONTINUATION.match(ctx.clean)):
        bad_side = neg  # "participants with untreated, asymptomatic CNS metastases may be enrolled" / "are stable ..."
    # the window around the first mention (its qualifiers) is read as bad or good by section / negation
    near = head[max(0, first.start() - 80) :]
    for rx, good, bad in _DESCRIPTORS:
        if rx.search(near):
            if bad_side and bad:
                add(bad)
            elif not bad_side and good:
                add(good)
    if cue:
        for rx, good, _bad in _DESCRIPTORS:
            if good and good != "untreated" and rx.search(tail):
                add(good)
    # stability window
    weeks = None
    base = 0 if _CONTINUATION.match(ctx.clean) else max(0, first.start() - 60)
    sm = re.search(r"stab|progress|treat|therapy|radi|surg|srs", lower[base:])
    if sm:
        for tm in _STABLE_TIME.finditer(lower, base + sm.start()):
            ctx_before = lower[max(0, tm.start() - 40) : tm.start()]
            if re.search(r"steroid|dexameth|anticonvuls", ctx_before) and "stab" not in ctx_before:
                continue
            if re.search(
                r"\b(?:within|registration|enrol\w*|prior\s+to\s+screening)\b", lower[tm.end() : tm.end() + 3]
            ):
                continue
            n = _num(tm.group("n"))
            if n is not None:
                weeks = round(n * _WEEKS_PER[_unit_key(tm.group("unit"))], 2)
            break
    if bad_side and not conds:
        allowed = "excluded"
    elif conds == ["untreated"]:
        allowed = "allowed"
    elif conds:
        allowed = "conditional"
    elif not ctx.is_exclusion and ((cue and not neg) or _INCLUDING.search(lower, max(0, first.start() - 40))):
        allowed = "allowed"
    elif not ctx.is_exclusion:
        allowed = "required"  # an inclusion item naming brain metastases without allowing words: the cohort needs them
    else:
        allowed = "allowed"
    if allowed in ("excluded", "allowed", "required") and "untreated" not in conds:
        weeks = None if allowed == "excluded" else weeks
    return [
        ctx.make(
            BrainMetastases,
            allowed=allowed,
            conditions=conds,
            stable_weeks_min=weeks,
            leptomeningeal=lepto,
        )
    ]
