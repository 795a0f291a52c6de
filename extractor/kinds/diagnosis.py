"""Kind ``diagnosis``: cancer diagnosis, histology and its confirmation.

Names come from ``vocab/cancers.yaml`` (a cancer alias naming a histology gives both); ``diagnosis.yaml`` holds the
patterns read around them. A cancer named early (or anywhere with a cue: "histologically confirmed", "diagnosis of")
is the diagnosis; a therapy setting, "criteria for", "cancer screening", another malignancy, a relative's are not; an
exclusion gives one only where it turns the trial's round. Bare sites coordinated before a mention add their cancers;
in an inclusion "patients with <cancer>" and mentions chained to one taken count wherever they stand (not in one
group's rule). Helpers ``_diagnosis_*``; the ``stage`` kind also uses :func:`read_diagnosis`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from extractor.kinds._diagnosis_bracket import bracket_histologies
from extractor.kinds._diagnosis_either import either_way
from extractor.kinds._diagnosis_examples import condition_before, examples_end
from extractor.kinds._diagnosis_excluded import excluded_mentions, outside, variant_excluded_here
from extractor.kinds._diagnosis_fallback import generic_reading, sole_histology
from extractor.kinds._diagnosis_heads import site_histology
from extractor.kinds._diagnosis_histology import histology_diagnosis
from extractor.kinds._diagnosis_inverted import inverted_names, own_variant
from extractor.kinds._diagnosis_lists import (
    chained,
    coordinated_sites,
    head_and_neck_sites,
    list_entries,
    planned_treatment,
    site_run_start,
    stage_run_start,
    upper_abbreviations,
)
from extractor.kinds._diagnosis_organs import of_the_organs, sites_after
from extractor.kinds._diagnosis_others import group_rule, relatives_mention
from extractor.kinds._diagnosis_shared import qualifier, shared_histology
from extractor.kinds._diagnosis_site_tumour import drop_site_tumours
from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase
from extractor.rules.drugs import Agent, agent_key, find_agents, name_alt
from extractor.rules.grammar import any_in
from extractor.rules.prefilter import Prefiltered
from extractor.rules.ruledata import Pattern, RuleFile, load_rules
from extractor.vocab import vocabulary
from extractor.vocab.schemas import Cancers

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["KIND", "Diagnosis", "DiagnosisReading", "Rules", "extract", "prior_malignancy", "read_diagnosis"]
__all__ += ["therapy_before"]


class Diagnosis(CriterionBase):
    """Cancer diagnosis, histology and its confirmation."""

    kind: Literal["diagnosis"] = "diagnosis"
    cancer: str = Field(description="Lower-case cancer type, e.g. 'breast cancer', 'non-small cell lung cancer'.")
    histology: str | None = Field(default=None, description="Histological subtype, e.g. 'adenocarcinoma'.")
    histologically_confirmed: bool | None = Field(
        default=None, description="True when histological or cytological confirmation is required."
    )


class Rules(RuleFile):
    """``diagnosis.yaml``."""

    name_start: str
    name_before: str
    name_end: str
    plural_min: int
    histology_end: str
    confirmation_roots: tuple[str, ...]
    confirmed: Pattern
    confirmed_gate: tuple[str, ...]
    examples_gate: tuple[str, ...]
    examples_after: Pattern
    diagnosis_cue: Pattern
    patients_with_gate: tuple[str, ...]
    patients_with_before: Pattern
    chained_after: Pattern
    chained_qualified: Pattern
    prior_malignancy: tuple[Pattern, ...]
    in_situ: Pattern
    in_situ_cued: Pattern
    history_of: Pattern
    history_negated: Pattern
    negated_history_before: Pattern
    negated_history_gate: tuple[str, ...]
    exclusion_inverted: Pattern
    false_friend_before: Pattern
    condition_gate: tuple[str, ...]
    condition_before: Pattern
    false_friend_after: Pattern
    planned_gate: tuple[str, ...]
    planned_before: Pattern
    therapy_before: Pattern
    agent_qualifier_after: Pattern
    site_list: Pattern
    site_run_entry: Pattern
    site_list_histology: Pattern
    of_the_site: Pattern
    site_after: Pattern
    histology_qualifier: Pattern
    site_qualifier_head: Pattern
    shared_site_unit: Pattern
    shared_site_qualifier: Pattern
    shared_histology_between: Pattern
    carried_histologies: frozenset[str]
    site_before_histology: Pattern
    histology_head_after: Pattern
    histology_excluded_before: Pattern
    histology_either: Pattern
    histology_bracket: Pattern
    histology_bracket_separator: Pattern
    histology_bracket_min: int
    qualifier_list_before: Pattern
    excluded_variant_gate: tuple[str, ...]
    excluded_variant_before: Pattern
    own_variant: Pattern
    excluded_after: Pattern
    excluded_mention_gate: tuple[str, ...]
    excluded_mention_after: Pattern
    excluded_chain: Pattern
    examples_follow: Pattern
    generic_site_gate: tuple[str, ...]
    generic_site: Pattern
    generic_site_word: Pattern
    list_comma_before: Pattern
    hn_site_gate: tuple[str, ...]
    hn_site: Pattern
    hn_site_negated_before: Pattern
    upper_abbreviations: dict[str, str]
    upper_only_aliases: frozenset[str]
    upper_abbreviation: Pattern
    upper_abbreviation_not_after: Pattern
    upper_abbreviation_not_before: Pattern
    stage_run_gate: tuple[str, ...]
    stage_run_words: tuple[str, ...]
    stage_run: Pattern
    stage_run_head: Pattern
    list_entry_before: str
    list_entry_after: str
    list_separator: Pattern
    list_end: Pattern
    generic_cancer_gate: tuple[str, ...]
    generic_cancer: Pattern
    generic_cancer_negated: Pattern
    generic_cancer_name: str
    context_only: Pattern
    relative: Pattern
    group_rule: Pattern
    histology_opens: Pattern
    histology_opens_after: Pattern
    histology_word_after: Pattern
    site_tumours: frozenset[str]


RULES = load_rules("diagnosis", Rules)

# each searched only when the literals it needs are in the item
_PRIOR_MALIGNANCY = tuple(map(Prefiltered, RULES.prior_malignancy))
_IN_SITU = Prefiltered(RULES.in_situ)

_MAX_NAMES = 20  # basket lists name many
_FF_BEFORE = 60  # characters before a mention read for "criteria for", "other than"
_THERAPY_BEFORE = 60  # characters before a mention read for a therapy word
_NEGATED_BEFORE = 100  # ... for a negated history of it (or of a cancer coordinated before it)
_SITES_BEFORE = 60  # characters before a mention read for coordinated site words
_EARLY = 130  # without a diagnosis cue, a mention must start within this many characters (inclusion) ...
_EARLY_EXCLUSION = 60  # ... or these (exclusion)
_HISTOLOGY_GAP = 30  # a histology is read with a cancer within this many characters
_HISTOLOGY_BEFORE_GAP = 3  # ... or right before it ("squamous NSCLC")
_EXCLUDED = 60  # characters before a histology read for an exclusion of it ("except ...")

Span = tuple[int, int]
Mention = tuple[int, int, str]


@dataclass(frozen=True)
class _Vocab:
    table: dict[str, tuple[str | None, str | None]]  # name key -> (cancer, histology it names)
    sites: dict[str, str]  # bare site word -> cancer
    after_break: re.Pattern[str]  # the names after the character before them (group 1): see _names
    entry: re.Pattern[str]  # a bare site word as a list entry (groups e, site): see list_entries


@cache
def _vocab() -> _Vocab:
    data = vocabulary(Cancers)
    hist_names = [a for name, al in data.histologies.items() for a in [name, *al]]
    hist: dict[str, str] = {}
    for name, aliases in data.histologies.items():
        for a in [name, *aliases]:
            hist.setdefault(agent_key(a), name)
    hrx = re.compile(RULES.name_start + name_alt(hist_names) + RULES.histology_end)
    table: dict[str, tuple[str | None, str | None]] = {}
    words: list[str] = []
    for name, aliases in data.cancers.items():
        for a in [name, *aliases]:
            inner = hrx.search(a.lower())
            table.setdefault(agent_key(a), (name, hist.get(agent_key(inner.group())) if inner else None))
            words.append(a)
    for name, aliases in data.histologies.items():
        for a in [name, *aliases]:
            table.setdefault(agent_key(a), (None, name))
            words.append(a)
    # names match as in the drug lexicon: a space / hyphen run inside a name matches any run of them, or none
    after_break = re.compile(RULES.name_before + "(" + name_alt(words) + ")" + RULES.name_end)
    alt = name_alt(list(data.sites))
    entry = re.compile(RULES.list_entry_before + "(?P<site>" + alt + ")" + RULES.list_entry_after)
    return _Vocab(table, dict(data.sites), after_break, entry)


@dataclass
class DiagnosisReading:
    """What an item says of its diagnosis: the cancer and histology mentions, the cancers that are the trial's
    diagnosis (``names``, each with the mention it came from), whether confirmation is required, and the agents
    (drugs) it names."""

    lower: str = ""
    mentions: list[Mention] = field(default_factory=list)
    hists: list[Mention] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    where: dict[str, Span] = field(default_factory=dict)
    confirmed: bool | None = None
    examples_from: int | None = None  # mentions from here are examples of a confirmed head ("including: ...")
    examples_to: int = 0  # ... up to here (the sentence's end; the clause's without a colon after the cue)
    listed: set[str] = field(default_factory=set)  # sites listed before a mention, not sharing its histology
    generic: Span | None = None  # a confirmed cancer of no named type, in an item naming none
    excluded: set[Span] = field(default_factory=set)  # mentions an inclusion says are excluded
    _agents: list[Agent] | None = field(default=None, repr=False)

    @property
    def agents(self) -> list[Agent]:
        """The agents (drugs) the item names, found on first use; none without a cancer mention."""
        if self._agents is None:
            self._agents = find_agents(self.lower) if self.mentions else []
        return self._agents


def prior_malignancy(lower: str, history: bool = True) -> bool:
    """The item speaks of another (prior, second, concurrent) malignancy (with ``history``, "history of" one too)."""
    return (
        any(rx.search(lower) for rx in _PRIOR_MALIGNANCY)
        or bool(_IN_SITU.search(lower))
        or (history and bool(RULES.history_of.search(lower)))
    )


def _another_malignancy(ctx: ItemContext) -> bool:
    """The item is about another malignancy: "history of <a named cancer>" is one only in an exclusion or after a
    negation (an inclusion's "History of breast cancer" is the diagnosis)."""
    lower = ctx.lower
    if any(rx.search(lower) for rx in _PRIOR_MALIGNANCY):
        return True
    if _IN_SITU.search(lower) and (ctx.is_exclusion or not RULES.in_situ_cued.search(lower)):
        return True  # "carcinoma in situ" is an exception of another malignancy, unless it is the diagnosis stated
    if not RULES.history_of.search(lower):
        return False
    return ctx.is_exclusion or bool(RULES.history_negated.search(lower))


def therapy_before(lower: str, start: int, end: int) -> bool:
    """A therapy word stands right before ``end`` (read from ``start``): a therapy setting."""
    return bool(RULES.therapy_before.search(lower, start, end))


def _names(lower: str, vocab: _Vocab) -> list[tuple[int, int, str]]:
    """The cancer and histology names in ``lower`` (what a scan with ``name_start`` in front of the names finds):
    each after a non-word character, the text read with a space in front (one scan, one pattern). A pattern
    opening with that character lets the regex engine skip ahead to the next one; a lookbehind in front makes it
    try every offset (a scan about 1.4 times as long). A name at offset 0 keeps its whole match (a plural "s")."""
    found = []
    for m in vocab.after_break.finditer(" " + lower):
        if m.start() == 0:
            found.append((0, m.end() - 1, lower[: m.end() - 1]))
        else:
            found.append((m.start(1) - 1, m.end(1) - 1, m.group(1)))
    return found


def _lookup(table: dict[str, tuple[str | None, str | None]], key: str) -> tuple[str | None, str | None]:
    """The (cancer, histology) a matched name stands for; a plural ("lymphomas") as its singular when that is a name of
    more than ``plural_min`` letters (diagnosis.yaml ``name_end``)."""
    found = table.get(key)
    if found is None and key.endswith("s") and len(key) > RULES.plural_min:
        found = table.get(key[:-1])
    return found or (None, None)


def _read(ctx: ItemContext) -> DiagnosisReading:
    lower = ctx.lower
    vocab = _vocab()
    mentions: list[Mention] = []
    hists: list[Mention] = []
    for s, e, name in _names(lower, vocab):
        if name in RULES.upper_only_aliases and (
            not ctx.clean[s:e].isupper() or (lower[s - 1 : s] == "(" and lower[e : e + 1] == ")")
        ):
            continue  # "1,500/mcL" is microlitres, not MCL; "end of consolidation (EOC)" defines another word
        c, h = _lookup(vocab.table, agent_key(name))
        if c:
            mentions.append((s, e, c))
        if h:
            hists.append((s, e, h))
    clean = ctx.clean
    if any_in(RULES.upper_abbreviations, clean):
        upper_abbreviations(RULES, clean, mentions)
    hn_sites = not ctx.is_exclusion and any_in(RULES.hn_site_gate, lower)
    generic = not ctx.is_exclusion and any_in(RULES.generic_site_gate, lower)
    if not mentions and not hists and not hn_sites and not generic:
        blank = DiagnosisReading() if ctx.is_exclusion or _another_malignancy(ctx) else None
        return blank or generic_reading(RULES, DiagnosisReading(lower))
    if hists:
        either_way(RULES.histology_either, lower, hists)  # "squamous or non-squamous NSCLC": any histology
        site_histology(RULES, lower, mentions, hists, vocab.sites)  # "Uterine serous cancer"
    if hists or " of the " in lower:
        of_the_organs(RULES, lower, mentions, hists, vocab.sites)
    out = DiagnosisReading(lower, mentions, hists)
    if any_in(RULES.confirmed_gate, lower) and (conf := RULES.confirmed.search(lower)):
        out.confirmed = True
        if mentions and any_in(RULES.examples_gate, lower):
            # "histologically confirmed solid tumor, including but not limited to: lung cancer; ...": the listed
            # examples carry no confirmation of their own
            stop = lower.find(". ", conf.end())
            ex = RULES.examples_after.search(lower, max(conf.end(), mentions[0][1]), len(lower) if stop < 0 else stop)
            if ex is not None and mentions[0][0] < ex.start():
                out.examples_from = ex.end()
                # "confirmed EOC, including primary peritoneal and fallopian tube carcinoma; gastric cancer; ...":
                # without a colon the examples end with their clause
                end = len(lower) if stop < 0 else stop
                semi = -1 if ex.group().endswith(":") else lower.find(";", ex.end(), end)
                out.examples_to = end if semi < 0 else semi
    if _another_malignancy(ctx):
        return out
    names, where = out.names, out.where
    if not ctx.is_exclusion:
        out.excluded = excluded_mentions(RULES, lower, mentions)  # "Patients with uveal melanoma are not eligible"
    dx_cue = bool(RULES.diagnosis_cue.search(lower))
    early = _EARLY_EXCLUSION if ctx.is_exclusion else _EARLY
    cued = not ctx.is_exclusion  # the two cues below read inclusions only
    with_gate = cued and any_in(RULES.patients_with_gate, lower)
    last_end = -1  # end of the last mention taken (inclusions only)
    examples_to = -1  # ... and of the examples listed after one ("solid tumors including: ...")
    has_history = any_in(RULES.negated_history_gate, lower)
    stage_gate = cued and any_in(RULES.stage_run_gate, lower)

    def setting(s: int) -> bool:
        """A therapy setting before ``s``: "prior chemotherapy for metastatic breast cancer" (not "untreated")."""
        return therapy_before(lower, max(0, s - _THERAPY_BEFORE), s) or any(
            a.end <= s and not a.neg and (ctx.is_exclusion or not RULES.agent_qualifier_after.match(lower, a.end))
            for a in out.agents
        )

    for s, e, c in mentions:
        if (s, e) in out.excluded:
            continue
        planned = cued and planned_treatment(RULES, lower, s)  # "undergoing lobectomy for lung carcinoma"
        if (
            not (dx_cue or planned)
            # "in patients with HER2-amplified breast cancer": the patients' disease wherever it stands
            and not (
                with_gate
                and RULES.patients_with_before.search(lower, max(0, s - _THERAPY_BEFORE), s)
                and not RULES.excluded_after.match(lower, e)
            )
            # "... colorectal cancer and HER2-mutant breast cancer": coordinated with a mention taken
            and not (last_end >= 0 and chained(RULES, lower, last_end, s))
            and not (s < examples_to and not RULES.excluded_after.match(lower, e))
            and (s > early or setting(s))
            # "Advanced (not amenable to curative surgery) or metastatic (AJCC stage IV) RCC": the stage words it heads
            and not (stage_gate and (run := stage_run_start(RULES, lower, s)) >= 0 and not setting(run))
        ):
            continue
        if (not planned and RULES.false_friend_before.search(lower, max(0, s - _FF_BEFORE), s)) or (
            RULES.false_friend_after.match(lower, e)
        ):
            continue
        if condition_before(RULES, lower, s) or relatives_mention(RULES, lower, s):
            continue  # a relative's; "If hepatic involvement by lymphoma: ...", "For patients with NSCLC, ..."
        if has_history and RULES.negated_history_before.search(lower, max(0, s - _NEGATED_BEFORE), s):
            continue  # "No history of myelodysplastic syndrome": a cancer the patient must not have had
        # "breast, ovarian or prostate cancer": bare site words coordinated before the mention
        pre = lower[site_run_start(RULES, lower, s, _SITES_BEFORE) : s]
        for site in coordinated_sites(RULES, pre, RULES.site_list, vocab.sites):
            if site not in names and site != c:
                names.append(site)
                where[site] = (s, e)
                if RULES.list_comma_before.search(pre):
                    out.listed.add(site)  # "..., Colorectal, Esophageal Squamous Cell Carcinoma"
        if c not in names:
            names.append(c)
            where[c] = (s, e)
        if cued:
            last_end = e
            examples_to = max(examples_to, examples_end(RULES, lower, e))
    if hn_sites:
        head_and_neck_sites(RULES, lower, names, where, vocab.sites)
    if names and cued:
        named = [(a, b) for a, b, _c in (*mentions, *hists)]
        taken = [(a, b) for a, b, c in mentions if c in names]
        list_entries(
            RULES,
            lower,
            vocab.entry,
            taken=taken,
            named=named,
            names=names,
            where=where,
            sites=vocab.sites,
            listed=out.listed,
        )
    if generic:
        until = len(lower) if dx_cue else _EARLY
        _generic_sites(lower, names, where, vocab.sites, named=[*mentions, *hists], until=until)
    histology_diagnosis(RULES, out, vocab.sites, cued=cued)
    drop_site_tumours(RULES, out)
    return out if names or not cued else generic_reading(RULES, out)


def _generic_sites(
    lower: str, names: list[str], where: dict[str, Span], sites: dict[str, str], *, named: list[Mention], until: int
) -> None:
    """Organs listed after a generic head ("cancers of the stomach, esophagus, appendix, small bowel, and ampulla",
    "Tumor site: esophagus, gastroesophageal junction, or stomach"): one cancer each, sharing the list's span; none
    after a negation in its sentence, nor in a cancer or histology named (``named``: "neuroendocrine tumor of
    pancreatic, ... origin"); only early in the item (before ``until``) without a diagnosis cue, as other
    mentions."""
    for m in RULES.generic_site.finditer(lower, 0, until):
        if any(a <= m.start() < b for a, b, _n in named):
            continue
        w = RULES.generic_site_word.match(lower, m.end())
        if w is None:
            continue
        word = " ".join(w.group(1).split())
        end = w.end()
        if word not in sites and " " in word:
            word = word.split()[0]  # "small, ..." read as its first word
            end = w.start() + len(word)
        if word not in sites:
            continue
        sentence = max(lower.rfind(". ", 0, m.start()), 0)
        if RULES.hn_site_negated_before.search(lower, sentence, m.start()):
            continue
        found = [(end, sites[word]), *sites_after(RULES, lower, end, sites)]
        span = (m.start(), found[-1][0])
        for _end, c in found:
            if c not in names:
                names.append(c)
                where[c] = span


_LAST: list[tuple[ItemContext, DiagnosisReading]] = []  # one-entry memo: diagnosis and stage read the same item


def read_diagnosis(ctx: ItemContext) -> DiagnosisReading:
    """The item's diagnosis reading (computed once per item)."""
    if _LAST and _LAST[0][0] is ctx:
        return _LAST[0][1]
    reading = _read(ctx)
    _LAST[:] = [(ctx, reading)]
    return reading


def _histology(lower: str, hists: list[Mention], span: Span, names: list[str], mentions: list[Mention]) -> str | None:
    """The histology named with a cancer: inside or next to its mention, no other cancer in between (any in the
    item when it names one cancer); not one named as excluded ("except uveal melanoma")."""
    hists = [h for h in hists if not RULES.histology_excluded_before.search(lower, max(0, h[0] - _EXCLUDED), h[0])]
    best: tuple[int, str] | None = None
    for s, e, h in hists:
        gap = max(s - span[1], span[0] - e, 0)
        lo, hi = min(e, span[1]), max(s, span[0])
        # another cancer in between, or the histology is part of another cancer's name ("pancreatic adenocarcinoma")
        if any((lo <= a and b <= hi) or (a <= s and e <= b) for a, b, _c in mentions if (a, b) != span):
            continue
        # after the mention, not when it qualifies the next one ("endometrial cancer or squamous NSCLC")
        if s >= span[1] and any(a >= e and not lower[e:a].strip(" -") for a, _b, _c in mentions):
            continue
        # before the mention only when it qualifies it ("squamous NSCLC"; not "(squamous), thymic carcinoma")
        if e <= span[0] and (gap > _HISTOLOGY_BEFORE_GAP or lower[e : span[0]].strip(" -")):
            continue
        if gap <= _HISTOLOGY_GAP and (best is None or gap < best[0]):
            best = (gap, h)
    if best is not None:
        if (span[0], span[1], best[1]) in hists and (
            (q := RULES.qualifier_list_before.search(lower, max(0, span[0] - _SITES_BEFORE), span[0]))
            and q.group("w") not in _vocab().sites  # "esophageal or gastroesophageal adenocarcinoma" lists sites
        ):
            return None  # "cutaneous, uveal, acral, or mucosal melanoma": the last of a list of alternatives
        return best[1]
    return sole_histology(hists, mentions, names, lower, span)


def extract(ctx: ItemContext) -> list[Diagnosis]:
    """The item's diagnoses (at most ten)."""
    dx = read_diagnosis(ctx)
    names = dx.names
    if names and (RULES.context_only.match(dx.lower) or group_rule(RULES, dx.lower, ctx.is_exclusion)):
        return []  # "Measurable disease per Lugano criteria for lymphoma": the cancer is context (diagnosis.yaml)
    no_histology = False  # "histologies other than ..." lists the ones allowed
    if ctx.is_exclusion and (names or dx.mentions):
        if names and (inverted := RULES.exclusion_inverted.search(dx.lower)) is not None:
            names, no_histology = inverted_names(dx.lower, inverted, names, dx.where)
        else:
            # "De novo small cell neuroendocrine prostate cancer will not be allowed": a variant of the trial's
            # cancer is excluded, the cancer stays the diagnosis; else an exclusion states none (diagnosis.yaml)
            return _variant_excluded(ctx, dx)
    if not names and dx.generic is not None:
        return [ctx.make(Diagnosis, cancer=RULES.generic_cancer_name, histologically_confirmed=dx.confirmed)]
    sites = _vocab().sites

    hists = outside(dx.hists, dx.excluded)  # not one of a cancer the item excludes

    def hist(c: str) -> str | None:
        found = _histology(dx.lower, hists, dx.where[c], names, dx.mentions)
        return bracket_histologies(RULES, dx.lower, dx.where[c][1], (dx.mentions, hists), found)

    return [
        ctx.make(
            Diagnosis,
            cancer=c,
            histology=None
            if no_histology or c in dx.listed or variant_excluded_here(RULES, dx.lower, dx.where[c])
            else shared_histology(RULES, dx.lower, (dx.mentions, hists), dx.where[c][0], found=hist(c), sites=sites)
            or qualifier(RULES, dx.lower, dx.where[c][0], _SITES_BEFORE),
            histologically_confirmed=None
            if dx.examples_from is not None and dx.examples_from <= dx.where[c][0] < dx.examples_to
            else dx.confirmed,
        )
        for c in names[:_MAX_NAMES]
    ]


def _variant_excluded(ctx: ItemContext, dx: DiagnosisReading) -> list[Diagnosis]:
    """An exclusion naming a histologic variant right before its first cancer mention ("small cell neuroendocrine
    prostate cancer", "squamous cell histology for NSCLC"): that cancer, the trial's own, as its diagnosis."""
    lower = dx.lower
    if not dx.mentions or not any_in(RULES.excluded_variant_gate, lower) or _another_malignancy(ctx):
        return []
    s, _end, c = dx.mentions[0]
    if s > _EARLY or not RULES.excluded_variant_before.search(lower, max(0, s - _SITES_BEFORE), s):
        c = own_variant(RULES.own_variant, lower, _vocab().sites, _EARLY) or ""  # "... of the pancreas"
    return [ctx.make(Diagnosis, cancer=c, histologically_confirmed=dx.confirmed)] if c else []


KIND = KindSpec(
    Diagnosis,
    extract=extract,
    rule_file=Rules,
    core=False,
    compare={
        "cancer": Compare("tokens"),
        "histology": Compare("tokens"),
    },
)
