"""Kind ``comorbidity``: coexisting non-cancer conditions a trial excludes (or requires, or allows).

Reads (``comorbidity.yaml``): the conditions its vocabulary names (one alternation per item, leftmost-longest; named as
written with modifiers such as "drug-induced", plurals singular, abbreviations by their alias: "ILD" -> "interstitial
lung disease"; a list sharing a head word split: "type 1 or type 2 diabetes mellitus"), hypersensitivity, allergy or
intolerance to what the text names ("hypersensitivity to X", one entry per X; also a drug discontinued for toxicity, or
a severe toxicity once had from a named drug), unresolved toxicity of earlier therapy ("toxicity of prior therapy": a
resolution beside a therapy word, or a recovery) and the ability to swallow ("inability to swallow", excluded). Cardiac,
infection and cancer conditions are not in the vocabulary. ``scope`` comes from the cue words of the condition's
sentence (history over current; an unresolved toxicity is current); ``requirement`` is the effective rule: allowed under
an exception, a permission or a permitting lead-in; excluded in an exclusion item, under a negation or a negating
lead-in, or by an inclusion's grade limit; allowed for an inclusion subgroup ("patients with X must ...") or beside a
recovery clause; else required. One criterion per (scope, requirement) group; evidence: the sentences naming it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from extractor.kinds._comorbidity_adjectives import adjective_lists
from extractor.kinds._comorbidity_allergy import allergies
from extractor.kinds._comorbidity_catchall import blank_catchall
from extractor.kinds._comorbidity_causes import caused
from extractor.kinds._comorbidity_clauses import clause_at, clause_bounds
from extractor.kinds._comorbidity_lists import siblings, whole_part
from extractor.kinds._comorbidity_names import had_condition, had_transplant, name_blank
from extractor.kinds._comorbidity_negated import negated_in_permission
from extractor.kinds._comorbidity_nonentries import not_entries
from extractor.kinds._comorbidity_origin import every_origin
from extractor.kinds._comorbidity_permissions import excepts, permit_zone, permitted
from extractor.kinds._comorbidity_qualifiers import paired as _pairs
from extractor.kinds._comorbidity_qualifiers import qualified
from extractor.kinds._comorbidity_senses import other_sense
from extractor.kinds._comorbidity_stopped import stopped
from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase, Requirement
from extractor.rules.drugs import find_agents, is_class
from extractor.rules.grammar import Sentences, any_in, phrase_alt, sentence_bounds, sentence_spans
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["KIND", "Comorbidity", "Rules", "extract"]

KIND_NAME = "comorbidity"
Scope = Literal["current", "history"]


class Comorbidity(CriterionBase):
    """A coexisting medical condition (not cancer, cardiac, infection or brain metastases) excluded or required."""

    kind: Literal["comorbidity"] = "comorbidity"
    conditions: list[str] = Field(
        description="Conditions named, lower case, one entry each, without status words, e.g. "
        "'interstitial lung disease'."
    )
    scope: Scope | None = Field(
        default=None,
        description="history: any past occurrence counts (history of, prior, previous, ever); current: only an "
        "active/uncontrolled/ongoing one; null: not said.",
    )
    requirement: Requirement = Field(description="excluded, required or allowed (the effective rule).")


class Rules(RuleFile):
    """``comorbidity.yaml``: condition phrases and aliases, hypersensitivity objects, toxicity, scope cues."""

    conditions: tuple[str, ...] = Field(min_length=1)
    aliases: dict[str, str]
    word_aliases: dict[str, str]
    condition_wrap: str
    modifiers: str
    coord_before: Pattern
    coord_list: Pattern
    coord_pair: Pattern
    coord_pair_mod: Pattern
    coord_pair_mods: frozenset[str]
    object_lead_with: frozenset[str]
    origin_innate: frozenset[str]
    origin_acquired: frozenset[str]
    coord_list_heads: frozenset[str]
    head_after: Pattern
    exception_stop: Pattern
    exception_list_end: Pattern
    coord_lead: frozenset[str]
    coord_block: frozenset[str]
    coord_heads: frozenset[str]
    not_after: Pattern
    not_before: Pattern
    lab_conditions: frozenset[str]
    lab_item: Pattern
    germline_roots: tuple[str, ...]
    germline_item: Pattern
    other_senses: dict[str, Pattern]
    stopped_for_toxicity: Pattern
    stopped_because: Pattern
    hypersensitivity_words: tuple[str, ...]
    hypersensitivity: Pattern
    object_lead: Pattern
    object_end: Pattern
    object_split: Pattern
    object_lead_words: frozenset[str]
    object_junk: Pattern
    object_excipients_of: Pattern
    object_tail_words: frozenset[str]
    object_drop: frozenset[str]
    object_max_words: int = Field(ge=1)
    pre_objects: tuple[str, ...]
    pre_object: Pattern
    no_bare: tuple[str, ...]
    hypersensitivity_name: str
    hypersensitivity_to: str
    plural_keep: tuple[str, ...]
    toxicity_words: frozenset[str]
    swallow_words: tuple[str, ...]
    reason_before: Pattern
    therapy_objects: frozenset[str]
    object_modifiers: frozenset[str]
    object_study: Pattern
    intolerance_failure: Pattern
    scope_split: Pattern
    scope_pair: frozenset[str]
    scope_split_window: Pattern
    lead_in_negated: Pattern
    grade_limit: Pattern
    subgroup_before: Pattern
    subgroup_after: Pattern
    toxicity: Pattern
    toxicity_resolved: Pattern
    toxicity_therapy: Pattern
    toxicity_recovery: Pattern
    toxicity_weak: tuple[str, ...]
    toxicity_known: Pattern
    drug_toxicity_not: tuple[str, ...]
    drug_toxicity_after: Pattern
    drug_toxicity_before: Pattern
    toxicity_name: str
    toxicity_past: Pattern
    toxicity_unresolved: Pattern
    toxicity_severe: Pattern
    toxicity_immune: Pattern
    toxicity_immune_name: str
    able_to_swallow: Pattern
    swallow_name: str
    absorption_condition: Pattern
    absorption_name: str
    window: Pattern
    scope_cut: Pattern
    current_cue: Pattern
    history_cue: Pattern
    scope_null: Pattern
    not_entry: Pattern
    cause_link: Pattern
    cause_gap: Pattern
    cause_end: Pattern
    cause_in_list: Pattern
    permit_negation_break: Pattern
    cause_words: tuple[str, ...]
    procedure_history: Pattern
    procedure_words: tuple[str, ...]
    lead_in_allowed: Pattern
    permit_words: frozenset[str]
    permit_cue: Pattern
    permit_subject: Pattern
    list_stop: Pattern
    list_sep: Pattern
    list_lead: frozenset[str]
    list_max_words: int = Field(ge=1)
    list_words: Pattern
    list_name: Pattern
    list_block: Pattern
    list_skip: Pattern
    list_cause: Pattern
    chronic_names: frozenset[str]
    chronic_before: Pattern
    site_qualifiers: frozenset[str]
    transplant_had: Pattern
    adjective_head: Pattern
    adjective_names: dict[str, str]
    adjective_fillers: frozenset[str]
    adjective_not_before: Pattern
    adjective_after: Pattern
    adjective_block: frozenset[str]
    adjective_lab: dict[str, frozenset[str]]
    condition_had: Pattern
    sentences: Sentences = Sentences()

    @model_validator(mode="after")
    def _triggered(self) -> Rules:
        """Every phrase holds a trigger at a word start (else the extractor would never run for it)."""
        starts = [_key(t.rstrip("$")) for t in self.triggers]
        for phrase in (*self.conditions, *self.aliases):
            words = " " + _key(phrase)
            if not any(f" {t}" in words for t in starts):
                raise ValueError(f"condition phrase {phrase!r} holds no trigger")
        return self


def _key(phrase: str) -> str:
    return " ".join(phrase.replace("-", " ").split())


RULES = load_rules(KIND_NAME, Rules)


@dataclass(frozen=True, slots=True)
class _Found:
    """One stretch naming condition(s): offsets into the item's clean text, the names, and how it is read."""

    start: int
    end: int
    names: tuple[str, ...]
    how: Literal["condition", "hypersensitivity", "toxicity", "past", "ability", "drug", "stopped", "cause"] = (
        "condition"
    )


@cache
def _condition_rx() -> re.Pattern[str]:
    """Every condition phrase and alias in one alternation (a trie: the longest phrase at a position wins)."""
    names = phrase_alt((*RULES.conditions, *RULES.aliases))
    return re.compile(RULES.condition_wrap.replace("{mod}", RULES.modifiers).replace("{names}", names))


@cache
def _aliases() -> dict[str, tuple[str, ...]]:
    return {_key(k): tuple(n.strip() for n in v.split(";")) for k, v in RULES.aliases.items()}


def _name(text: str) -> tuple[str, ...]:
    """The names a matched phrase stands for: its alias, or the phrase as written with its word aliases."""
    key = _key(text)
    alias = _aliases().get(key)
    if alias is not None:
        return alias
    words = RULES.word_aliases
    return (" ".join(words.get(w, w) for w in " ".join(text.split()).split(" ")),)


def _coordinated(wider: str, name: str, base: str) -> tuple[str, ...]:
    """The part coordinated in ``wider`` (the text before a condition, after the one found before it) that shares
    the condition's head ("type 1 or type 2 diabetes mellitus" -> "type 1 diabetes mellitus"), or nothing; ``base``:
    the name without its modifier."""
    cut = max(0, len(wider) - 40)
    before = wider[cut:]  # the part next to the condition: a short look-back (the comma list below looks further)
    if paired := _pairs(RULES, before, name, base):
        return paired
    m = RULES.coord_before.search(before)
    if m is None:
        return ()
    pre = m.group("pre").split()
    while pre and pre[0] in RULES.coord_lead:
        pre.pop(0)
    words = name.split()
    if not pre or whole_part(RULES, pre) or not RULES.coord_block.isdisjoint(pre) or pre[-1].endswith("-"):
        return ()  # a whole condition, a cardiac or catch-all word, a suspended hyphen: no part of this one
    if len(words) < 2 and words[0] not in RULES.coord_heads:
        return ()
    if pre[0] == words[0] and len(words) > len(pre):
        return _name(" ".join(pre + words[len(pre) :]))
    head = RULES.word_aliases.get(words[-1], words[-1])
    if words[-1] not in RULES.coord_heads:
        return ()
    parts = [" ".join([*pre, head])]
    rest = wider[: cut + m.start("pre")] if head in RULES.coord_list_heads else ""
    while len(parts) < 8 and (c := RULES.coord_list.search(rest)) is not None:
        # a comma list before it ("autoimmune, connective tissue or inflammatory disorders"): one part each
        more = c.group("pre").split()
        while more and more[0] in RULES.coord_lead:
            more.pop(0)
        if not more or whole_part(RULES, more) or not RULES.coord_block.isdisjoint(more):
            break
        parts.insert(0, " ".join([*more, head]))
        rest = rest[: c.start("pre")]
    return tuple(parts)


def _toxic_drugs(low: str, s: int, e: int) -> list[str]:
    """The drugs (not classes) a past or known toxicity of ``low[s:e]`` is attributed to ("Severe previous toxicity
    from cyclophosphamide", "known Grade >= 3 docetaxel-related toxicities", "toxicity when receiving enfortumab
    vedotin")."""
    if not (RULES.toxicity_past.search(low, s, e) or RULES.toxicity_known.search(low, s, e)):
        return []
    out: list[str] = []
    for a in find_agents(low):
        if not s <= a.start < e or is_class(a.name) or a.name.startswith(RULES.drug_toxicity_not) or a.name in out:
            continue
        if RULES.drug_toxicity_after.match(low, a.end) or RULES.drug_toxicity_before.search(
            low, max(s, a.start - 60), a.start
        ):
            out.append(a.name)
    return out


def _toxicity(ctx: ItemContext) -> list[_Found]:
    low = ctx.lower
    m = RULES.toxicity.search(low)
    if m is None:
        return []
    s, e = sentence_bounds(ctx.clean, m.start(), m.end(), RULES.sentences)
    if low.count("(", s, e) > low.count(")", s, e) and (close := low.find(")", e)) != -1:
        e = sentence_bounds(ctx.clean, close, close + 1, RULES.sentences)[1]  # "(chemotherapy; radiotherapy)": one
    if (
        not RULES.toxicity_unresolved.search(low, s, e)
        and RULES.toxicity_severe.search(low, s, e)
        and (drugs := _toxic_drugs(low, s, e))
    ):  # a severe toxicity once had from a named drug: "hypersensitivity to <drug>", the sentence's other names are
        # its manifestations, no entries (GUIDE.md)
        return [_Found(s, e, tuple(RULES.hypersensitivity_to.format(d) for d in drugs), "drug")]
    if RULES.toxicity_past.search(low, s, e) and not RULES.toxicity_unresolved.search(low, s, e):
        # a severe toxicity once had ("history of grade >= 3 immune-related adverse events"): scope history
        immune = RULES.toxicity_immune.search(low, s, e)
        if immune is not None:
            return [_Found(immune.start(), immune.end(), (RULES.toxicity_immune_name,), "past")]
        if RULES.toxicity_severe.search(low, s, e) and RULES.toxicity_therapy.search(low, s, e):
            return [_Found(m.start(), m.end(), (RULES.toxicity_name,), "past")]
    if RULES.toxicity_resolved.search(low, s, e) and (
        RULES.toxicity_therapy.search(low, s, e)
        or (not m.group().startswith(RULES.toxicity_weak) and RULES.toxicity_recovery.search(low, s, e))
    ):  # a grade beside a therapy word, or a toxicity's recovery said ("not recovered from AEs to grade 1")
        return [_Found(m.start(), m.end(), (RULES.toxicity_name,), "toxicity")]
    return []


def _find(ctx: ItemContext) -> list[_Found]:
    """Every stretch naming conditions, leftmost-longest, non-overlapping."""
    low = ctx.lower
    found: list[_Found] = []
    for m in _condition_rx().finditer(low):
        if RULES.not_after.match(low, m.end()) or RULES.not_before.search(low, max(0, m.start() - 100), m.start()):
            continue
        mod = " ".join(m.group("mod").split()) + " " if m.group("mod") else ""
        names = tuple(mod + n for n in _name(m.group("name")))
        start, names = qualified(RULES, low, m.start(), mod, names)  # "chronic pancreatitis", "rectal bleeding"
        if other_sense(RULES, low, names[0], m.group("name")):
            continue  # a lab item's Gilbert's, a gene carried, "TBI" beside irradiation: not a comorbidity
        prev_end = found[-1].end if found else 0
        before = low[max(0, start - 90, prev_end) : start]
        coordinated = (
            _coordinated(before, names[0], _name(m.group("name"))[0])
            if " or " in before or " and " in before or "/" in before[-3:]
            else ()
        )
        if bare := every_origin(RULES, mod.strip(), coordinated, names):
            coordinated, names = (), bare  # "congenital or acquired immunodeficiency": one entry, every form
        end = m.end()
        more: tuple[str, ...] = ()
        words = names[-1].split()
        if words[-1] in RULES.coord_list_heads and (h := RULES.head_after.match(low, end)) is not None:
            # a second generic head after it ("autoimmune disease or syndrome"): the modifier names both
            end, more = h.end(), (" ".join([*words[:-1], h.group("head")]),)
        found.append(_Found(start, end, (*coordinated, *names, *more)))
    if any_in(RULES.hypersensitivity_words, low):
        found.extend(_Found(s, e, n, "hypersensitivity") for s, e, n in allergies(RULES, low, [f.start for f in found]))
    if not RULES.toxicity_words.isdisjoint(ctx.words):
        found.extend(_toxicity(ctx))
        found.extend(
            _Found(m.start("obj"), m.end(), (RULES.hypersensitivity_to.format(m.group("obj")),), "hypersensitivity")
            for m in RULES.stopped_for_toxicity.finditer(low)
            if not m.group("of") or any(a.start == m.start("obj") for a in find_agents(low))
        )
    if "discontinu" in low or "stopped" in low:
        found.extend(_Found(s, e, n, "stopped") for s, e, n in stopped(RULES, ctx.clean, low, ctx.is_exclusion))
    if "absorption" in low and (a := RULES.absorption_condition.search(low)) is not None:
        found.append(_Found(a.start(), a.end(), (RULES.absorption_name,)))
    if any_in(RULES.swallow_words, low) and (a := RULES.able_to_swallow.search(low)) is not None:
        found.append(_Found(a.start(), a.end(), (RULES.swallow_name,), "ability"))
    if not RULES.adjective_names.keys().isdisjoint(ctx.words) and not RULES.lab_item.search(low):
        # "medical, psychiatric, or other conditions" (not a lab item's "metabolic disorder such as Gilbert's")
        found.extend(_Found(s, e, n) for s, e, n in adjective_lists(RULES, low, found))
    anchors = [(f.start, f.end) for f in found if f.how == "condition"]
    if anchors:  # the unrecognised entries of a list holding a condition
        found.extend(_Found(s, e, (n,)) for s, e, n in siblings(RULES, low, anchors, [(f.start, f.end) for f in found]))
    out: list[_Found] = []
    for f in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if out and f.start < out[-1].end:
            continue
        out.append(f)
    zones = caused(RULES, low, [(f.start, f.end) for f in out if f.how == "condition"])  # a condition's causes
    gone = not_entries(RULES, low)  # "in the absence of X", "steroids for prophylaxis (e.g., contrast allergy)"
    out = [f for f in out if not any(s <= f.start < e for s, e in (*gone, *(zones if f.how == "condition" else ())))]
    return out + [_Found(s, e, (), "cause") for s, e in zones]  # no entries; their words blanked for the scope


def _sentences(clean: str, found: list[_Found]) -> list[tuple[int, int]]:
    """The sentence of each stretch found (one split of the item, so that stretches of one sentence agree)."""
    spans = sentence_spans(clean, RULES.sentences) or [(0, len(clean))]
    out = []
    for f in found:
        k = max(0, bisect_right([a for a, _ in spans], f.start) - 1)
        a, b = spans[k]
        out.append((a, max(b, f.end)))
    return out


def _scope_end(low: str, last: int, e: int) -> int:
    """Where the cue words of a sentence stop speaking of its conditions (``last``: the end of the last one): at a
    coordinated verb phrase after them ("immunodeficiency or is receiving steroids within 7 days", "dyspnea at rest
    or requiring oxygen"), else at the sentence end ``e``."""
    cut = RULES.scope_cut.search(low, last, e) if " or " in low[last:e] or " and " in low[last:e] else None
    return cut.start() if cut is not None else e


def _scope(low: str, s: int, e: int, blanks: list[tuple[int, int]]) -> Scope | None:
    """What the sentence ``low[s:e]`` says of when its conditions count (history over current)."""
    text = blank_catchall(RULES, low[s:e])  # before the names are blanked: its lookahead reads them
    # the names found ("active substances") and a toxicity's sentence ("prior therapy") say nothing of scope
    for a, b in blanks:
        if s <= a < e:
            text = text[: a - s] + " " * (min(b, e) - a) + text[min(b, e) - s :]
    windows = list(RULES.window.finditer(text))
    for w in windows:
        text = text[: w.start()] + " " * (w.end() - w.start()) + text[w.end() :]
    if any_in(RULES.procedure_words, text):
        # a procedure's history cue ("history of major surgical resection ..., or a chronic condition") is not theirs
        for m in RULES.procedure_history.finditer(text):
            text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    if RULES.history_cue.search(text):
        return "history"
    if windows or RULES.current_cue.search(text):
        return "current"
    return None


@cache
def _cue_words() -> frozenset[str]:
    """The longest word of each literal context cue of the kind: an item with none of them needs no context pass."""
    return frozenset(
        max(w.split(), key=len) for rule in RULES.context if rule.category != "pseudo" for w in rule.literals
    )


def _exception_span(ctx: ItemContext, f: _Found, found: list[_Found]) -> tuple[int, int] | None:
    """The words an exception cue covering ``f`` speaks of ("excluding baseline cataracts", "with the exception of
    mild dementia that ..."), whose cue words alone say the admitted condition's scope, or None."""
    low = ctx.lower
    for c in ctx.context.cues("exception", kind=KIND_NAME):
        if c.covers(f.start, f.end) and excepts(RULES, low, c.cue_end, f.start):
            end = max(c.scope_end, f.end)
            last = max(
                g.end for g in found if g is f or (c.covers(g.start, g.end) and excepts(RULES, low, c.cue_end, g.start))
            )
            stop = RULES.exception_stop.search(low, last, end)  # its clause ends at a break after its last condition
            return c.cue_end, stop.start() if stop is not None else end
    return None


def _requirement(
    ctx: ItemContext,
    f: _Found,
    sentence: tuple[int, int],
    toxicity: bool,
    *,
    zones: dict[tuple[int, int], tuple[int, int] | None],
    grades: dict[tuple[int, int], bool],
) -> Requirement:
    sentence_start, sentence_end = sentence
    if f.how in ("toxicity", "past", "ability", "drug", "stopped"):
        return "excluded"
    low = ctx.lower
    if not RULES.permit_words.isdisjoint(ctx.words) or "t excluded" in low or "t be excluded" in low:
        if sentence not in zones:
            zones[sentence] = permit_zone(RULES, low, sentence_start, sentence_end)
        zone = zones[sentence]
        inside = zone is not None and zone[0] <= f.start < zone[1]
        if inside and not ctx.context.has("negated", f.start, f.end, kind=KIND_NAME):
            return "allowed"
    if ctx.is_exclusion and _cue_words().isdisjoint(ctx.words) and not ctx.lead_in:
        return "excluded"  # no cue and no lead-in: the context pass cannot change it
    context = ctx.context
    for c in context.cues("exception", kind=KIND_NAME):
        # covered, and not by a cue closed in parentheses before it ("(excluding vascular access) or injury")
        if c.covers(f.start, f.end) and excepts(RULES, low, c.cue_end, f.start):
            return "allowed"
    if permitted(context, low, KIND_NAME, f.start, f.end):
        negated = negated_in_permission(
            RULES, context, low, kind=KIND_NAME, sentence_start=sentence_start, span=(f.start, f.end)
        )
        return "excluded" if negated else "allowed"  # "but without X, are eligible": X excluded
    if ctx.lead_in.rstrip().endswith(":"):  # a lead-in, not a sibling the segmenter nested
        if RULES.lead_in_allowed.search(ctx.lead_in):
            return "allowed"  # a child of "The following are allowed:"
        if RULES.lead_in_negated.search(ctx.lead_in):
            return "excluded"  # a child of "Patients must not have any of the following:"
    if ctx.is_exclusion or context.has("negated", f.start, f.end, kind=KIND_NAME):
        return "excluded"
    if any(sentence_start <= c.cue_start and c.cue_end <= f.start for c in context.cues("negated", kind=KIND_NAME)):
        return "excluded"  # "must not have a history of X ..., or has current X": a negation earlier in the sentence
    if toxicity:
        return "allowed"  # beside "recovered from toxicity": the grades let it in
    if sentence not in grades:  # once per sentence: a long list of conditions stays linear
        grades[sentence] = RULES.grade_limit.search(low, sentence_start, sentence_end) is not None
    if grades[sentence]:
        return "excluded"  # "diarrhea < grade 2": the higher grades are excluded
    if RULES.subgroup_before.search(low, max(sentence_start, f.start - 60), f.start) and RULES.subgroup_after.search(
        low, f.end, sentence_end
    ):
        return "allowed"  # "patients with a known seizure disorder must be stable": they may take part
    return "required"


def extract(ctx: ItemContext) -> list[Comorbidity]:
    """The comorbidity criteria of one item: one per (scope, requirement) group of the conditions it names."""
    found = _find(ctx)
    if not found:
        return []
    bounds = _sentences(ctx.clean, found)
    # blanked for the scope reading: a toxicity's sentence, a drug toxicity's nothing (its cue words speak of it),
    # else the names
    blanks = [
        b if f.how == "toxicity" else (f.start, f.start) if f.how == "drug" else name_blank(RULES, ctx.lower, f)
        for f, b in zip(found, bounds, strict=True)
    ]
    toxicity = any(f.how == "toxicity" for f in found)
    past = {b for f, b in zip(found, bounds, strict=True) if f.how == "past"}  # sentences of a toxicity once had
    scopes: dict[tuple[int, int], Scope | None] = {}
    zones: dict[tuple[int, int], tuple[int, int] | None] = {}  # the permission zone of each sentence read
    grades: dict[tuple[int, int], bool] = {}  # whether each sentence read limits a grade
    groups: dict[tuple[Scope | None, Requirement], tuple[list[str], list[tuple[int, int]]]] = {}
    seen: list[tuple[frozenset[str], tuple[Scope | None, Requirement]]] = []
    had: set[tuple[int, int]] = set()  # sentences where a condition the patient has had is named (and what follows)
    by_sentence: dict[
        int, list[tuple[int, int, frozenset[str]]]
    ] = {}  # the named stretches of each sentence, built once
    clauses: dict[int, list[int]] = {}  # and its clause bounds
    for f, (s, e) in zip(found, bounds, strict=True):
        if f.how == "cause":
            continue
        scope: Scope | None
        if f.how == "toxicity":
            scope = "current"  # a toxicity not yet resolved is a current condition (GUIDE.md)
        elif f.how in ("past", "stopped"):
            scope = "history"  # a severe toxicity once had, a therapy stopped for one
        else:
            stretches = by_sentence.get(s) or by_sentence.setdefault(
                s,
                [
                    (g.start, g.end, frozenset(" ".join(g.names).split()))
                    for g, (gs, _) in zip(found, bounds, strict=True)
                    if gs == s and g.how != "cause"
                ],
            )
            cuts = clauses.get(s) or clauses.setdefault(s, clause_bounds(RULES, ctx.lower, (s, e), stretches))
            cs, ce = clause_at(cuts, f.start)  # its clause ("X or history of Y")
            if (cs, ce) not in scopes:
                last = max(b for a, b, _ in stretches if cs <= a < ce)
                scopes[cs, ce] = _scope(ctx.lower, cs, _scope_end(ctx.lower, last, ce), blanks)
            scope = scopes[cs, ce]
        if scope is None and (s, e) not in had and had_condition(RULES, ctx.lower, f.start):
            had.add((s, e))
        if scope is None and ((s, e) in had or had_transplant(RULES, ctx.lower, f.start, f.names)):
            scope = "history"  # "has had an organ transplant", "not have had radiation pneumonitis or colitis"
        beside = toxicity or (s, e) in past
        key = (scope, _requirement(ctx, f, (s, e), beside, zones=zones, grades=grades))
        span = (
            _exception_span(ctx, f, found)
            if key[1] == "allowed" and f.how in ("condition", "hypersensitivity")
            else None
        )
        if span is not None:
            key = (_scope(ctx.lower, *span, blanks), "allowed")  # the exception's own words say its scope
        if beside and key[1] == "allowed":
            continue  # a grade the recovery clause lets in ("except alopecia and grade 2 neuropathy"): no comorbidity
        words = frozenset(" ".join(f.names).replace("-", " ").split())
        if any(key != k and words <= w and (key[1] != "allowed" or k[1] == "allowed") for w, k in seen):
            continue  # a condition restated in another group ("seizure disorder ... if seizures are controlled")
        seen.append((words, key))
        names, where = groups.setdefault(key, ([], []))
        names.extend(n for n in f.names if _key(n) not in {_key(m) for m in names})
        where.append((s, e))
    out: list[Comorbidity] = []
    bare = RULES.hypersensitivity_name
    for (scope, requirement), (names, where) in groups.items():
        if bare in names and any(n.startswith(bare + " ") for n in names):
            names.remove(bare)
        # one group: on to the item's end (what follows defines or qualifies it: "infertility; infertility is
        # defined as ..."); several: each its own sentences
        start, end = where[0][0], max(e for _, e in where) if len(groups) > 1 else len(ctx.clean)
        out.append(ctx.make(Comorbidity, start, end, conditions=names, scope=scope, requirement=requirement))
    return out


KIND = KindSpec(
    Comorbidity,
    extract=extract,
    rule_file=Rules,
    core=False,
    compare={"conditions": Compare("phrases")},
)
