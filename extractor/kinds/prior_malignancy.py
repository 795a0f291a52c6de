"""Kind ``prior_malignancy``: other (second) malignancies and their allowed exceptions.

Reads ``prior_malignancy.yaml``: an item holding a malignancy noun and a lead word ("other", "prior", "history",
...) is searched near each noun for a mention of another malignancy; the look-back window is the first number of
years (or months) from the mention on, and the allowed exceptions are every exception pattern matched outside
the mention, in text order, as written (lower case, spaces collapsed; an abbreviation such as "NMSC" by its
canonical name; "basal cell or squamous cell skin cancer" split into one exception per cell type, "carcinoma in
situ of the breast, oral cavity or cervix" and "carcinoma in situ (e.g., cervix, bladder)" into one per organ).
An exclusion of a myelodysplastic syndrome / AML ("History of MDS or AML") is a prior malignancy too. The
evidence is the whole item.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import Field, PrivateAttr, model_validator

from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import parse_number, phrase_alt, sentence_bounds, word_starts
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["KIND", "PriorMalignancy", "Rules", "extract"]


class PriorMalignancy(CriterionBase):
    """Other (second) malignancies and their allowed exceptions."""

    kind: Literal["prior_malignancy"] = "prior_malignancy"
    within_years: float | None = Field(
        default=None, description="Look-back window in years, e.g. 5 for 'within the past 5 years'."
    )
    exceptions: list[str] = Field(
        default_factory=list,
        description="Allowed exceptions, lower case, e.g. 'non-melanoma skin cancer', "
        "'carcinoma in situ of the cervix'.",
    )


class Rules(RuleFile):
    """``prior_malignancy.yaml``; the exception patterns are joined at load into :attr:`exception_pattern`."""

    nouns: frozenset[str]
    leads: frozenset[str]
    prior_malignancy: Pattern
    window: Pattern
    history_of_cancer: Pattern
    exception_words: frozenset[str]
    exception_starts: tuple[str, ...]
    exception_split: Pattern
    cis_list: Pattern
    cis_organ: Pattern
    organ_names: dict[str, str]
    cis_examples: Pattern
    cis_examples_stop: Pattern
    cis_examples_split: Pattern
    cis_generic: Pattern
    cis_example_organ: Pattern
    cis_example_names: dict[str, str]
    cis_examples_keep: Pattern
    mds_words: frozenset[str]
    mds_history: Pattern
    mds_no_history: Pattern
    hyphen_space: Pattern
    inner_parens: Pattern
    risk_qualifier: Pattern
    therapy_target: Pattern
    pair_split: Pattern
    exception_lead_in: Pattern
    excluded_parens: Pattern
    free_window: Pattern
    taken_back: Pattern
    hyphen_gap: Pattern
    bare_squamous: Pattern
    window_ahead: Pattern
    window_survival: Pattern
    window_one_year: Pattern
    window_before: Pattern
    exclusion_cues: frozenset[str]
    exclusion_cancer: Pattern
    exclusion_generic: Pattern
    therapy_before: Pattern
    exception_own_words: frozenset[str]
    exception_own: Pattern
    exception_own_open: Pattern
    exceptions: dict[str, tuple[Pattern, ...]] = Field(min_length=1)
    _exception_pattern: re.Pattern[str] = PrivateAttr()
    _exception_names: tuple[str, ...] = PrivateAttr()

    @model_validator(mode="after")
    def _join(self) -> Rules:
        # one alternation from a word start, longest pattern first, group e<i> naming its exception; the leading
        # \b and the first words let the scan skip most positions, which is most of its cost
        flat = sorted(
            ((p.pattern, name) for name, pats in self.exceptions.items() for p in pats), key=lambda x: -len(x[0])
        )
        starts = phrase_alt(self.exception_starts)
        try:
            self._exception_pattern = re.compile(
                rf"\b(?={starts})(?:" + "|".join(f"(?P<e{i}>{p})" for i, (p, _) in enumerate(flat)) + ")"
            )
        except re.error as e:
            raise ValueError(f"exception patterns do not join into one: {e}") from None
        self._exception_names = tuple(name for _, name in flat)
        return self

    def exception_of(self, m: re.Match[str]) -> str:
        """The canonical exception a match of :attr:`exception_pattern` names."""
        return self._exception_names[int(str(m.lastgroup)[1:])]

    @property
    def exception_pattern(self) -> re.Pattern[str]:
        """Every exception pattern, one alternation."""
        return self._exception_pattern


RULES = load_rules("prior_malignancy", Rules)

#: where a mention is looked for around a noun (characters before it, after its end)
_BEFORE, _AFTER = 80, 60
#: the largest look-back window read (in the text's unit)
_MAX_WINDOW = 100


def _as_written(e: re.Match[str]) -> list[str]:
    """The exceptions a match names, as written: "basal cell or squamous cell skin cancer" -> "basal cell skin
    cancer", "squamous cell skin cancer"; an abbreviation ("nmsc", "dcis") -> its canonical name."""
    text = RULES.hyphen_space.sub(" ", " ".join(e.group(0).split()))
    if "(" in text:
        text = RULES.inner_parens.sub("", text)
    text = text.replace("\\", "")  # an escaped sign ("=\\< 6")
    if "- " in text:  # "low- risk cancers" (not "low- or intermediate-risk")
        text = RULES.hyphen_gap.sub("-", text)
    if " " not in text and "-" not in text:
        return [RULES.exception_of(e)]
    cis = RULES.cis_list.fullmatch(text)
    if cis is not None:
        return [f"{cis.group('pre')}the {_organ(o.group(0))}" for o in RULES.cis_organ.finditer(cis.group("list"))]
    sp = RULES.exception_split.fullmatch(text)
    if sp is None:
        pair = RULES.pair_split.fullmatch(text)
        if pair is None:
            return [text]
        pre, post = pair.group("pre"), pair.group("post")
        return [f"{pre}{pair.group('a')}{post}", f"{pre}{pair.group('b')}{post}"]
    pre, head = sp.group("pre") or "", sp.group("head")
    return [f"{pre}{sp.group('a')} cell {head}", f"{pre}{sp.group('b')} cell {head}"]


def _organ(name: str) -> str:
    """An organ by its canonical name ("cervical" -> "cervix")."""
    name = " ".join(name.split())
    return RULES.organ_names.get(name, name)


_Spans = list[tuple[int, int]]


def _cis_examples(low: str, end: int, found: list[re.Match[str]]) -> tuple[list[tuple[int, str]], _Spans, bool]:
    """The in-situ exceptions the examples after a generic carcinoma in situ ending at ``end`` name, each with its
    position ("(e.g., breast carcinoma, cervical cancer in situ)" -> breast, cervix; "in situ cancers, such as,
    bladder, gastric, ... melanoma" -> ..., "melanoma in situ"), and the spans they replace: those examples and what
    follows an exclusion ("but excluding ..."); an example an exception pattern matches that is no in-situ form
    ("non-invasive bladder cancer") or names more than its organ ("ductal carcinoma in situ") is kept as matched;
    and whether the organs share the generic head ("in situ cancers of cervix, breast, or skin": no class entry)."""
    px = RULES.cis_examples.match(low, end)
    if px is None:
        return [], [], False
    body_start = px.start("body")
    stop = RULES.cis_examples_stop.search(low, body_start, px.end("body"))
    body_end = stop.start() if stop is not None else px.end("body")
    organs: list[tuple[int, str]] = []
    spans = [(body_end, px.end())]
    pos = body_start
    for piece in RULES.cis_examples_split.split(low[body_start:body_end]):
        at = low.find(piece, pos, body_end) if piece else -1
        if at < 0:
            continue
        pos = at + len(piece)
        inside = [e for e in found if at <= e.start() < pos]
        o = RULES.cis_example_organ.search(piece)
        plain = all("situ" in e.group(0) and not RULES.cis_examples_keep.match(e.group(0)) for e in inside)
        if o is not None and plain:
            word = " ".join(o.group(0).split())
            name = RULES.cis_example_names.get(word) or f"carcinoma in situ of the {_organ(word)}"
            organs.append((at, name))
            spans.append((at, pos))
    return organs, (spans if organs else []), px.group("of") is not None


def _exceptions(low: str, words: frozenset[str], skip: tuple[int, int]) -> list[str]:
    """The allowed exceptions the text names outside the mention at ``skip``, in text order, as written."""
    exceptions: list[str] = []
    seen: set[str] = set()
    if not RULES.exception_words.isdisjoint(words):
        # "carcinoma in situ (excluding carcinoma in situ of the bladder)": what a parenthesis right after an exception
        # takes back is no exception
        found = list(RULES.exception_pattern.finditer(low))
        ends = {e.end() for e in found}
        aside = [
            (m.start(), m.end())
            for m in (RULES.excluded_parens.finditer(low) if "(" in low else ())
            if m.start() in ends or m.start() - 1 in ends
        ]
        if "basal" in words and "squamous" in words:
            # "skin basal cell carcinoma, squamous cell carcinoma, or ...": a bare squamous cell carcinoma beside it
            found.extend(
                b for b in RULES.bare_squamous.finditer(low) if not any(e.start() <= b.start() < e.end() for e in found)
            )
            found.sort(key=lambda e: e.start())
        named: list[tuple[int, list[str]]] = []
        broad = False  # a generic carcinoma in situ named before
        for e in found:
            if skip[0] <= e.start() < skip[1] or any(a <= e.start() < b for a, b in aside):
                continue
            # "carcinoma in situ, excluding carcinoma in situ of the bladder": the narrower one is taken back
            if broad and RULES.taken_back.search(low, max(0, e.start() - 30), e.start()):
                continue
            if "risk of" in e.group(0) and RULES.risk_qualifier.search(low, max(0, e.start() - 40), e.start()):
                continue
            # a bare prostate cancer a therapy is for ("hormonal therapy for ... (e.g., breast cancer, prostate cancer))
            bare = e.re is RULES.exception_pattern and RULES.exception_of(e) == "prostate cancer"
            if bare and RULES.therapy_target.search(low, max(0, e.start() - 75), e.start()):
                continue
            names = _as_written(e)
            if len(names) == 1 and RULES.cis_generic.fullmatch(names[0]):
                broad = True
                organs, spans, shared = _cis_examples(low, e.end(), found)
                if organs:
                    aside.extend(spans)
                    if not shared:
                        named.append((e.start(), names))
                    named.extend((at, [name]) for at, name in organs)
                    continue
            named.append((e.start(), names))
        for _, names in named:
            for name in names:
                # "carcinoma in situ" and "cancer in situ" name one exception, so do "nonmelanoma skin cancer" and
                # its abbreviation "(NMSC)" read as "non-melanoma skin cancer"
                key = name.replace("cancers", "carcinoma").replace("cancer", "carcinoma").rstrip("s")
                key = key.replace("non-", "non").replace("non ", "non")
                if key not in seen:
                    seen.add(key)
                    exceptions.append(name)
    return exceptions


def _free_window(low: str) -> float | None:
    """The years the exception a lead-in's child names must have been free of disease ("with no known active disease
    >= 5 years", "in remission for >= 2 years"): a window, read right after its cue."""
    for cue in RULES.free_window.finditer(low):
        y = RULES.window.match(low, cue.end())
        if y is None or RULES.window_survival.search(low, max(0, y.start() - 45), y.start()):
            continue
        if (years := _years(y)) is not None:
            return years
    return None


def _years(y: re.Match[str]) -> float | None:
    """The window in years a ``window`` match states (its number and unit), or None when out of range."""
    n = parse_number(y.group("n"))
    if n is None or not 0 < n <= _MAX_WINDOW:
        return None
    return n if y.group("u").startswith("y") else round(n / 12, 2)


def _exception_child(ctx: ItemContext) -> list[PriorMalignancy]:
    """A child bullet under a lead-in that lists the allowed exceptions of another malignancy ("Prior malignancy,
    except:" above "- Non-melanoma skin cancer considered cured"), or an item that states allowed exceptions by itself
    (an exclusion "Note: Subjects with basal cell carcinoma of the skin ... are not excluded"): the exceptions it
    names."""
    lead = ctx.lead_in
    if not lead or not RULES.exception_lead_in.search(lead) or RULES.prior_malignancy.search(lead) is None:
        return _exception_own(ctx)
    exceptions = _exceptions(ctx.lower, ctx.words, (0, 0))
    if not exceptions:
        return []
    within = _free_window(ctx.lower)
    return [ctx.make(PriorMalignancy, None, None, within_years=within, exceptions=exceptions)]


def _exception_own(ctx: ItemContext) -> list[PriorMalignancy]:
    """An item that names allowed exceptions by itself: an exclusion item, or one opening with "Note" / "Exception",
    that says they are allowed ("are not excluded", "does not apply", "adequately treated ...")."""
    words = ctx.words
    if RULES.exception_own_words.isdisjoint(words) or RULES.exception_words.isdisjoint(words):
        return []
    low = ctx.lower
    if not ctx.is_exclusion and not RULES.exception_own_open.match(low):
        return []
    cue = RULES.exception_own.search(low)
    if cue is None:
        return []
    # the exceptions of the sentence (or parenthesis) that says they are allowed: "Proven multicentric carcinoma
    # (invasive cancer or DCIS) ... (Patients with multifocal carcinoma are eligible.)" allows no DCIS
    start, end = sentence_bounds(ctx.clean, cue.start(), cue.end())
    paren = low.rfind("(", start, cue.start())
    if paren >= 0 and ")" not in low[paren : cue.start()]:
        start = paren
    exceptions = _exceptions(low[start:end], words, (0, 0))
    if not exceptions:
        return []
    return [ctx.make(PriorMalignancy, None, None, exceptions=exceptions)]


def extract(ctx: ItemContext) -> list[PriorMalignancy]:
    """The item's prior-malignancy criterion (at most one)."""
    words = ctx.words
    nouns = words & RULES.nouns
    if not nouns:
        if not RULES.mds_words.isdisjoint(words) and (
            RULES.mds_history.search(ctx.lower) if ctx.is_exclusion else RULES.mds_no_history.search(ctx.lower)
        ):
            return [ctx.make(PriorMalignancy, None, None)]
        return _exception_child(ctx)
    lead = not RULES.leads.isdisjoint(words)
    if not lead and not ctx.is_exclusion:
        return _exception_child(ctx)
    low = ctx.lower
    m = None
    if lead:
        for pos, word in word_starts(low, nouns):
            m = RULES.prior_malignancy.search(low, max(0, pos - _BEFORE), min(len(low), pos + len(word) + _AFTER))
            if m is not None:
                break
    if m is None and ctx.is_exclusion:
        if "history" in words:
            m = RULES.history_of_cancer.search(low)
        if m is None and not RULES.exclusion_cues.isdisjoint(words):
            m = RULES.exclusion_cancer.search(low)
            # a treatment named before it is the fact ("Prior treatment for pancreatic cancer in the past 2 years")
            if m is not None and RULES.therapy_before.search(low, 0, m.start()):
                m = None
        if m is None:
            m = RULES.exclusion_generic.search(low)
            if m is not None and RULES.therapy_before.search(low, 0, m.start()):
                m = None
    if m is None:
        return _exception_child(ctx)
    within: float | None = None
    y = RULES.window.search(low, m.start())
    if y is not None and RULES.window_survival.search(low, max(0, y.start() - 45), y.start()):
        y = None  # a life expectancy, not a look-back window
    elif y is not None and not RULES.window_ahead.search(low, max(0, y.start() - 12), y.start()):
        within = _years(y)
    elif y is None and "year" in low and RULES.window_one_year.search(low, m.start()):
        within = 1.0
    if y is None and within is None and "(" in low[: m.start()]:
        y = RULES.window_before.search(low[: m.start()], max(0, m.start() - 80))
        within = _years(y) if y is not None else None
    exceptions = _exceptions(low, words, (m.start(), m.end()))
    return [ctx.make(PriorMalignancy, None, None, within_years=within, exceptions=exceptions)]


KIND = KindSpec(
    PriorMalignancy,
    extract=extract,
    rule_file=Rules,
    core=False,
    compare={
        "exceptions": Compare("phrases"),
    },
)
