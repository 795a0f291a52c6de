"""Cues of the ``therapy`` family: prior-treatment cue words, per-item prefilter flags, skipped sentences,
disease setting and response words."""

from __future__ import annotations

import re

from extractor.rules._therapy_agents import _lex, _trie_regex

_CUE = _lex(
    stems=(
        "prior",
        "previous",
        "pretreated",
        "pre-treated",
        "heavily",
        "received",
        "receives",
        "receiving",
        "treated",
        "treatment with",
        "treatments with",
        "therapy with",
        "therapies with",
        "exposure",
        "exposed",
        "progress",
        "refractory",
        "resistant",
        "relaps",
        "recurr",
        "fail",
        "intoleran",
        "naive",
        "naïve",
        "history",
        "undergone",
        "underwent",
        "within",
        "washout",
        "wash-out",
        "wash out",
        "since",
        "elapsed",
        "last dose",
        "complet",
        "discontinu",
        "following",
        "before",
        "administered",
        "administration",
        "use of",
        "taken",
        "given",
        "recent",
        "treatment-free",
        "interval",
        "pretreatment",
        "maintenance",
        "continuous",
        "duration",
    ),
    words=("had", "line", "lines", "regimen", "regimens", "after", "ago", "used"),
)
_SKIP_SENTENCE = _lex(
    stems=(
        "contracept",
        "pregnan",
        "breastfeed",
        "breast feed",
        "breast-feed",
        "lactat",
        "childbearing",
        "sperm",
        "birth control",
        "abstinen",
        "swallow",
        "grapefruit",
        "hypersensitiv",
        "allergic",
        "allergy",
        "malignanc",
    ),
    words=("willing", "consent"),
)
_STARTED = re.compile(r"\b(?:started|initiated|stable\s+dose|been\s+on|been\s+receiving)\b")
_PROGRESSED = re.compile(r"progress\w*\s+(?:on|after|following|during|despite)|refractory|relapsed\s+after|failed")
_SETTING_ANY = re.compile(
    r"\bany\s+(?:line|setting|treatment\s+setting|disease\s+setting)|regardless\s+of\s+(?:the\s+)?setting"
)
_SETTING_MET = re.compile(
    r"\b(?:metastatic|advanced|recurrent|unresectable|incurable|palliative|non[\s-]?curative)\s+(?:or\s+\w+\s+)?"
    r"(?:[\w/()-]+\s+){0,3}?(?:setting|disease|stage)\b|\bfor\s+(?:the\s+treatment\s+of\s+)?(?:their\s+)?"
    r"(?:(?:locally\s+)?advanced|metastatic|recurrent)\b|\b(?:m(?:bc|crpc|hspc|nsclc|crc))\b|"
    r"\b(?:first|second|third|1st|2nd|3rd|later)[\s-]line\b"
)
_MET_WORDS = (
    "metasta",
    "advanced",
    "recurr",
    "unresect",
    "incurable",
    "palliat",
    "curative",
    "line",
    "mbc",
    "mcrpc",
    "mhspc",
    "mnsclc",
    "mcrc",
)
_SETTING_NEO = re.compile(r"neo[\s-]?adjuvant|\(neo\)\s*-?adjuvant|neo/adjuvant|peri[\s-]?operative|pre[\s-]?operative")
_SETTING_ADJ = re.compile(r"(?<![\w)/-])adjuvant|post[\s-]?operative")
_SETTING_EARLY = re.compile(r"\bearly[\s-](?:stage|breast|disease|setting)|\bcurative[\s-](?:intent|setting)")
_RESPONSE = _lex(
    words=(
        *(f"{a}{r}" for a in ("complete ", "complete or partial ", "partial ") for r in ("response", "remission")),
        "stable disease",
        "disease control",
        "controlled disease",
        "responding",
        "responded",
        "responsive",
        "nonprogressive",
        "non-progressive",
        "clinical benefit",
        "objective response",
        "radiologic response",
        "radiological response",
        "free of progression",
        "free of disease progression",
        "free from progression",
        "free from disease progression",
        "not progressed",
        "not have progressed",
        *(
            f"{n} {e}{d}progression"
            for n in ("without", "no")
            for e in ("", "evidence of ")
            for d in ("", "disease ", "radiographic ", "radiological ")
        ),
    ),
)


def _setting(lower: str, s: int, e: int) -> str | None:
    seg = lower[s:e]
    if ("any " in seg or "regardless" in seg) and _SETTING_ANY.search(seg):
        return "any"
    met = _SETTING_MET.search(seg) if any(w in seg for w in _MET_WORDS) else None
    adjuvant = "adjuvant" in seg or "operative" in seg
    neo = _SETTING_NEO.search(seg) if adjuvant else None
    adj = _SETTING_ADJ.search(seg) if adjuvant else None
    early = _SETTING_EARLY.search(seg) if "early" in seg or "curative" in seg else None
    hits = [(m.start(), name) for m, name in ((met, "metastatic"), (neo, "neoadjuvant"), (adj, "adjuvant")) if m]
    if neo and adj:
        hits = [(min(neo.start(), adj.start()), "early")] + ([(met.start(), "metastatic")] if met else [])
    if not hits:
        return "early" if early else None
    hits.sort()
    return hits[0][1]


# Substring prefilters: which optional cue families can occur in the item at all (cheap, not exact).
_FLAG_WORDS: dict[str, tuple[str, ...]] = {
    "brain": ("brain", "cns", "cerebr", "intracran", "leptomen"),
    "modes": (
        "allow",
        "permi",
        "accept",
        "eligib",
        "except",
        "excluding",
        "other than",
        "apart from",
        "besides",
        "save for",
        "not including",
        "with exception of",
        "prohibit",
        "excluded",
        "may ",
        "can ",
        "could ",
        "ok",
    ),
    "digits": (
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "twelve",
        "single",
        "twenty",
    ),
    "response": ("complete", "partial", "stable", "progress", "control", "respon", "benefit"),
    "lines": ("line", "regimen", "prior", "previous"),
    "setting": (
        "metasta",
        "advanced",
        "recurr",
        "unresect",
        "incurable",
        "palliat",
        "curative",
        "adjuvant",
        "operative",
        "early",
        "setting",
        "mbc",
        "mcrpc",
        "mhspc",
        "mnsclc",
        "mcrc",
        "line",
        "regardless",
    ),
}
_FLAG_RX: dict[str, re.Pattern[str]] = {
    name: re.compile(_trie_regex([w for w in words if not w.isdigit()]) + ("|[0-9]" if name == "digits" else ""))
    for name, words in _FLAG_WORDS.items()
}


class _Flags:
    """Which optional cues occur anywhere in the item, computed on first use (sentences skip searches that
    cannot hit)."""

    __slots__ = ("_lower", "_memo")

    def __init__(self, lower: str) -> None:
        self._lower = lower
        self._memo: dict[str, bool] = {}

    def _get(self, name: str) -> bool:
        v = self._memo.get(name)
        if v is None:
            rx = _SKIP_SENTENCE if name == "skip" else _FLAG_RX[name]
            v = bool(rx.search(self._lower))
            self._memo[name] = v
        return v

    @property
    def skip(self) -> bool:
        return self._get("skip")

    @property
    def brain(self) -> bool:
        return self._get("brain")

    @property
    def modes(self) -> bool:
        return self._get("modes")

    @property
    def digits(self) -> bool:
        return self._get("digits")

    @property
    def response(self) -> bool:
        return self._get("response")

    @property
    def lines(self) -> bool:
        return self._get("lines")

    @property
    def setting(self) -> bool:
        return self._get("setting")
