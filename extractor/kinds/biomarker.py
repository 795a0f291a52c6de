"""Kind ``biomarker``: any other gene, protein or molecular marker (mutations, fusions, expression, MSI, TMB, PD-L1,
ctDNA).

Reads a marker name (``vocab/biomarkers.yaml``) with an alteration or status (mutation, fusion, amplification,
expression, high, positive, wild-type, negative) or a threshold ("PD-L1 TPS >= 50%"); one criterion per marker. Rules
(patterns in ``biomarker.yaml``): ``requirement`` is required when the item states the marker *present* ("EGFR
mutation", "MSI-H") in an inclusion item, excluded when it states it *absent* ("EGFR wild-type", "no known EGFR
mutation", "non-MSI-high"), the reverse in an exclusion item, except that "must not have X" restates the rule
(excluded); a marker a permission covers ("allowed", "regardless of", "positive or negative") -> allowed. Negation,
permission and the restating "must" are the context pass's, read with this kind's own cues (``context:``: a near
negation of a few words, a far one over a list of markers); only the "non-" glued to a name is read here, since the
context pass scopes whole words. ``alteration``: the variant as written ("G12C", "exon 19 deletion") else the alteration
word; absent markers say "mutation" (a status marker: "positive") unless a variant is named. Skipped: therapy names
("EGFR TKI", "anti-PD-L1", "targeting KRAS"), the lab eGFR, a marker naming a cohort ("the ctDNA positive cohort"), and
HER2 without a mutation-type alteration (HER2 status is the ``her2`` kind). An HLA allele is its own marker as written;
a score marker ("Oncotype DX <= 25") takes a unitless cut-off; an exclusion item unable to confirm a marker requires it.
PSMA read from imaging ("PSMA avid disease on PSMA PET/CT") is ``_biomarker_imaging.py``'s.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Literal

from pydantic import Field

from extractor.kinds._biomarker_clauses import clause_requirement
from extractor.kinds._biomarker_cohorts import new_variant
from extractor.kinds._biomarker_imaging import imaging_psma
from extractor.kinds._biomarker_implied import implied_markers
from extractor.kinds._biomarker_leadin import lead_alteration
from extractor.kinds._biomarker_named import named_state
from extractor.kinds._biomarker_prefixed import prefixed
from extractor.kinds._biomarker_repeated import further_variants
from extractor.kinds._biomarker_spelled import collapse_spelled
from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase, Requirement
from extractor.rules.grammar import Sentences, any_in, op_of, phrase_alt, sentence_bounds
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern, RuleFile, load_rules
from extractor.vocab import vocabulary
from extractor.vocab.schemas import Biomarkers

__all__ = ["KIND", "Biomarker", "Rules", "extract"]


class Biomarker(CriterionBase):
    """Any other gene, protein or molecular marker (mutations, fusions, expression, MSI, TMB, PD-L1, ctDNA)."""

    kind: Literal["biomarker"] = "biomarker"
    marker: str = Field(description="Gene or marker symbol in upper case, e.g. EGFR, KRAS, BRCA1, PD-L1, MSI.")
    alteration: str | None = Field(
        default=None, description="Alteration as written, e.g. 'G12C', 'exon 19 deletion', 'fusion', 'high'."
    )
    requirement: Requirement = Field(description="required, excluded or allowed.")
    threshold: str | None = Field(default=None, description="Numeric cut-off as written, e.g. 'TPS >= 50%'.")


@cache
def _vocab() -> Biomarkers:
    return vocabulary(Biomarkers)


def _norm(s: str) -> str:
    """A name for lookup: lower case, each run of spaces and hyphens one space."""
    return " ".join(s.lower().replace("-", " ").split())


@cache
def _name_table() -> tuple[dict[str, str], tuple[str, ...]]:
    """Symbol lookup (token as written, in capitals or normalised -> symbol) and the multi-word / lower-case names
    (lower case), from ``vocab/biomarkers.yaml``."""
    canon: dict[str, str] = {}
    named: list[str] = []
    for sym, syns in _vocab().markers.items():
        for syn in [sym, *syns]:
            canon[_norm(syn)] = sym
            if " " in syn or syn == syn.lower():
                named.append(syn.lower())
            else:
                canon[syn] = canon[syn.upper()] = sym
    return canon, tuple(named)


class Rules(RuleFile):
    """``biomarker.yaml``: name, alteration, negation and threshold patterns."""

    token: Pattern
    token_parts: Pattern
    digit: Pattern
    glued_variant: Pattern
    named: Pattern
    paren: Pattern
    paren_value: Pattern
    paren_class: Pattern
    list_separator: Pattern
    gene_like: Pattern
    fusion_partner: Pattern
    therapy_after: Pattern
    anti_before: Pattern
    lab_markers: tuple[str, ...]
    lab_value_after: Pattern
    cohort_label: Pattern
    variant: Pattern
    alteration: Pattern
    variant_gate: Pattern
    variants_after: Pattern
    variant_before: Pattern
    wild_type: Pattern
    alteration_stop: Pattern
    wild_type_stop: Pattern
    wild_before: Pattern
    altered_before: Pattern
    close_paren: Pattern
    high_after: Pattern
    high_suffixes: tuple[str, ...]
    plus_after: Pattern
    deficient_prefix: dict[str, str]
    deficient_after: Pattern
    other_sense: dict[str, str]
    population_gate: tuple[str, ...]
    population_before: Pattern
    for_population: Pattern
    subgroup_after: Pattern
    ineligible_after: Pattern
    eligible_after: Pattern
    exception_before: Pattern
    exception_population: Pattern
    absent_names: dict[str, str]
    mutation_like: Pattern
    plural: Pattern
    alteration_aliases: dict[str, str]
    alteration_word: Pattern
    connect_token: Pattern
    connect_symbol: Pattern
    connect_words: frozenset[str]
    bare_join: Pattern
    threshold: Pattern
    threshold_unit: Pattern
    threshold_abbrev: Pattern
    non_prefix: Pattern
    written_marker: Pattern
    markdown_escape: Pattern
    named_alterations: dict[str, str]
    unitless_markers: frozenset[str]
    unitless_threshold: Pattern
    unconfirmed_before: Pattern
    qualifier_before: Pattern
    qualified_noun_after: Pattern
    qualifier_words: frozenset[str]
    gene_class_bridge: Pattern
    variant_more: Pattern
    variant_bracket: Pattern
    spelled_name: Pattern
    status_after: Pattern
    implied_variant: Pattern
    testing_before: Pattern
    testing_after: Pattern
    test_asked: Pattern
    burden_unit: Pattern
    burden_markers: frozenset[str]
    alteration_more: Pattern
    other_tail: Pattern
    lead_alteration: Pattern
    lead_negated: Pattern
    psma_imaging: Pattern
    imaging_cutoff: Pattern
    sentences: Sentences = Sentences()

    @classmethod
    def vocabulary(cls) -> dict[str, str]:
        """The shared pieces of ``vocab/biomarkers.yaml``; ``{{names}}``: the multi-word / lower-case marker names
        (any case, hyphen optional)."""
        return {**_vocab().pieces(), "names": phrase_alt(_name_table()[1], hyphen=r"[\s-]?")}


RULES = load_rules("biomarker", Rules)

KIND_NAME = "biomarker"
MAX_MENTIONS = 60  # pathological items (thousands of names) stay linear

Mention = tuple[int, int, str]  # (start, end, symbol)


@cache
def _status_markers() -> frozenset[str]:
    """Markers whose absence is a status ("PD-L1 negative"), not a missing mutation."""
    return frozenset(_vocab().status_markers)


@cache
def _name_gate() -> tuple[str, ...]:
    """The multi-word / lower-case names are looked for only when the lower-cased text holds one of these."""
    return tuple(w.lower() for w in _vocab().name_gate)


def _lookup(exact: dict[str, str], clean: str, start: int, end: int) -> list[Mention]:
    """Markers named by the token ``clean[start:end]`` (with a lower-case prefix such as c-, g-, d-)."""
    non = start >= 4 and clean[start - 4 : start].lower() == "non-"
    if start > 0 and not non:
        prev = clean[start - 1]
        if prev.isalnum() or prev == "-":
            return prefixed(exact, clean, start, end, _token_markers)
    return [(start + s, start + e, sym) for s, e, sym in _token_markers(clean[start:end])]


@lru_cache(maxsize=4096)
def _token_markers(tok: str) -> tuple[Mention, ...]:
    """Markers a token names on its own, offsets into the token (cached: an item's tokens repeat across items)."""
    exact = _name_table()[0]
    sym = exact.get(tok)
    if sym:
        return ((0, len(tok), sym),)
    hla = RULES.written_marker.match(tok) if tok.startswith("HLA") else None
    if hla and tok[hla.end() : hla.end() + 1] in ("", "-"):  # its status may be glued: "HLA-A*02:01-positive"
        return ((0, hla.end(), RULES.markdown_escape.sub("", hla.group(0))),)
    if len(tok) <= 24 and RULES.digit.search(tok):
        # a variant glued to the gene: "BRAFV600E", "KRASG12C"
        for cut in range(len(tok) - 2, 2, -1):
            if tok[:cut] in exact and RULES.glued_variant.fullmatch(tok, cut):
                return ((0, cut, exact[tok[:cut]]),)
    if "-" not in tok and "/" not in tok:
        return ()
    if "/" not in tok:
        if len(tok) > 40:
            return ()
        # longest hyphen-joined prefix that names a marker: "PD-L1-positive", "EGFR-activating"
        parts = tok.split("-")
        for k in range(len(parts) - 1, 0, -1):
            head = "-".join(parts[:k])
            if head in exact:
                return ((0, len(head), exact[head]),)
        # a fusion written with its partner gene first: "EML4-ALK", "KIAA1549-BRAF", "ETV6-NTRK3"
        if len(parts) == 2 and parts[1] in exact and RULES.fusion_partner.fullmatch(parts[0]):
            return ((len(parts[0]) + 1, len(tok), exact[parts[1]]),)
        return ()
    out: list[Mention] = []
    pos = 0
    for k, part in enumerate(RULES.token_parts.split(tok)):
        if part and part not in ("/", "-"):
            sym = exact.get(part)
            if sym:
                out.append((pos, pos + len(part), sym))
            elif k == 0:
                break
        pos += len(part)
    return tuple(out)


def _marker_mentions(ctx: ItemContext) -> list[Mention]:
    """(start, end, symbol) of marker names in the item, in order."""
    canon, named = _name_table()[0], RULES.named
    clean = ctx.clean
    found: list[Mention] = []
    for m in RULES.token.finditer(clean):
        found.extend(_lookup(canon, clean, m.start(), m.end()))
    low = ctx.lower
    if any_in(_name_gate(), low):
        for m in named.finditer(low):
            if m.start() > 0 and (low[m.start() - 1].isalnum() or low[m.start() - 1] == "-"):
                continue
            sym = canon.get(_norm(m.group(0)))
            # a longer name opening with a symbol read as a token replaces it ("BRCA 1 or 2", "BRCA1 and 2")
            found = [f for f in found if not (f[0] == m.start() and f[1] < m.end())] if sym else found
            if sym and not any(a <= m.start() < b for a, b, _ in found):
                found.append((m.start(), m.end(), sym))
        found.sort()
    return found


def _connect_only(between: str) -> bool:
    """True when ``between`` holds only list glue and other marker symbols ("in any of the following genes: EGFR,")."""
    if len(between) > 150:
        return False
    for tok in RULES.connect_token.findall(between):
        if (
            tok not in RULES.connect_words
            and not RULES.connect_symbol.fullmatch(tok)
            and tok not in _name_table()[0]  # a marker name the symbol pattern misses: "CDKN2A/p16"
            and not tok.startswith(("[", "("))
        ):
            return False
    return True


def _skip_list(ctx: ItemContext, pos: int, end: int) -> int:
    """Skip "[, or] <marker>" runs after a marker, so "ALK, ROS1 or RET fusion" reaches "fusion"."""
    canon, named = _name_table()[0], RULES.named
    clean = ctx.clean
    while True:
        m = RULES.list_separator.match(clean, pos, end)
        if not m:
            return pos
        mk = RULES.token.match(clean, m.end(), end)
        if mk is None and clean[m.end() : m.end() + 1] in ("c", "g", "s"):
            # a prefixed name: "EGFR or cMET alteration", "EGFR or c-MET amplification"
            mk = RULES.token.match(clean, m.end() + (2 if clean.startswith("-", m.end() + 1) else 1), end)
        if mk and (_lookup(canon, clean, mk.start(), mk.end()) or RULES.gene_like.fullmatch(mk.group(0))):
            nxt = mk.end()
        else:
            nm = named.match(ctx.lower, m.end(), end)
            if not nm:
                return pos
            nxt = nm.end()
        p = RULES.paren.match(clean, nxt, end)
        pos = p.end() if p else nxt
        var = RULES.variant.match(clean, pos, end)
        if var:
            pos = var.end()


def _alteration_after(clean: str, pos: int, end: int, m_start: int) -> str | None:
    alt_re = RULES.alteration
    window = clean[pos : min(end, pos + 45)]
    close = RULES.close_paren.match(window)
    off = pos
    if close:
        window = window[close.end() :]
        off += close.end()
    am = alt_re.search(window)
    if am is None or RULES.alteration_stop.search(window[: am.start()]):
        return None
    return _qualified(clean, off + am.start(), off + am.end(), m_start if not window[: am.start()].strip() else -1)


def _qualified(clean: str, a_start: int, a_end: int, m_start: int) -> str:
    """The alteration word at ``clean[a_start:a_end]`` with the one qualifier written right before it or, when the
    word follows the marker directly (``m_start`` >= 0), right before the marker: "EGFR sensitizing mutation",
    "activating EGFR mutation" -> "sensitizing mutation", "activating mutation"; a qualifier read as the
    alteration takes the noun after it ("pathogenic or likely pathogenic variant" -> "pathogenic variant")."""
    word = clean[a_start:a_end].lower()
    word = RULES.alteration_aliases.get(word, word)
    if word in RULES.qualifier_words:
        nm = RULES.qualified_noun_after.match(clean, a_end)
        return f"{word} {nm.group('noun').lower()}" if nm else word
    q = RULES.qualifier_before.search(clean, max(0, a_start - 30), a_start)
    if q is None and m_start >= 0:
        q = RULES.qualifier_before.search(clean, max(0, m_start - 30), m_start)
    out = f"{q.group('q').lower()} {word}" if q else word
    # coordinated alteration words, as written: "fusions or rearrangements", "mutation/amplification"
    more = RULES.alteration_more.match(clean, a_end) if a_end < len(clean) and clean[a_end] in " ,/" else None
    return f"{out} {' '.join(more.group(0).lower().split())}".replace(" /", "/") if more else out


def _wild_after_list(ctx: ItemContext, pos: int, end: int) -> re.Match[str] | None:
    """The wild-type word after a list of markers that ends the marker's ("EGFR and ALK mutation-negative")."""
    lend = _skip_list(ctx, pos, end)
    if lend <= pos:
        return None
    after = ctx.clean[lend : min(end, lend + 45)]
    wm = RULES.wild_type.search(after)
    return wm if wm and not RULES.wild_type_stop.search(after[: wm.start()]) else None


def _normal_words(alteration: str) -> str:
    """Each word of the alteration in its normal form ("mutated" -> "mutation", "amplified" -> "amplification")."""
    aliases = RULES.alteration_aliases
    return RULES.alteration_word.sub(lambda w: aliases.get(w.group(0).lower(), w.group(0)), alteration)


def extract(ctx: ItemContext) -> list[Biomarker]:
    """The biomarker criteria of one item."""
    clean = ctx.clean
    mentions = implied_markers(clean, _marker_mentions(ctx), RULES.implied_variant)
    if not mentions and "PSMA" not in clean:
        return []
    alt_re, wild_re, ther_re = RULES.alteration, RULES.wild_type, RULES.therapy_after
    mutation_only = _vocab().mutation_only
    out: list[Biomarker] = []
    # per marker: (sentence start, variant, wild-type) of each criterion made; a marker named again makes another
    # only for another cohort's variant ("Cohort A: KRAS G12C ...; Cohort B: KRAS G12D ...") or the opposite
    # state ("IDH-mutant astrocytoma or IDH-wildtype glioblastoma")
    seen: dict[str, list[tuple[int, str | None, bool]]] = {}
    tries: dict[str, int] = {}
    context = ctx.context
    alias_until, alias_of = 0, ""
    for m_start, m_end, sym in mentions[:MAX_MENTIONS]:
        if tries.get(sym, 0) >= 4 or (m_start < alias_until and sym != alias_of):
            continue  # another marker's name in brackets after a marker is its alias ("ERBB2 (HER2) mutation")
        tries[sym] = tries.get(sym, 0) + 1
        in_alias = m_start < alias_until
        sense = RULES.other_sense.get(sym)
        if sense and sense in ctx.lower:
            continue  # "major molecular response (MMR)" is no mismatch repair
        end = m_end
        p = RULES.paren.match(clean, end)
        if p and len(p.group(0)) < 20 and not RULES.paren_value.search(p.group(0)):
            end = alias_until = p.end()
            alias_of = sym
        elif p and (pc := RULES.paren_class.match(clean, end)) and RULES.alteration.match(clean, pc.end() + 1):
            end = pc.end()  # "BRAF (type I, II, and/or III) mutation"
        var = RULES.variant.match(clean, end)
        if var is None and clean.startswith(")", end):  # "Kirsten rat sarcoma (KRAS) G12C mutation"
            var = RULES.variant.match(clean, end + 1)
        vend = var.end() if var else end
        if ther_re.match(clean, vend) or RULES.anti_before.search(clean, max(0, m_start - 25), m_start):
            continue
        if sym in RULES.lab_markers and RULES.lab_value_after.match(clean[end : end + 25]):
            continue
        s, e = sentence_bounds(clean, m_start, vend, RULES.sentences)
        clause = clean[s:e]
        rel = m_start - s
        variant = (var.group("var") or var.group("exon") or var.group("itd")) if var else None
        alteration: str | None = variant.strip() if variant else None
        if alteration is not None:  # "EGFR L858R or exon 19 deletion", "KRAS G12C or KRAS G12S"
            alteration, vend = further_variants(
                clean, vend, alteration, clean[m_start:m_end], (RULES.variant_more, RULES.variant_bracket)
            )
        if alteration is None and RULES.variant_gate.search(clean, max(s, m_start - 20), min(e, vend + 160)):
            # the variants written after the mutation word, or one before the marker ("G12D mutated KRAS")
            va = RULES.variants_after.match(clean, vend, e)
            vb = RULES.variant_before.search(clean, max(s, m_start - 20), m_start)
            if va is not None:
                alteration = va.group("list")
            elif vb is not None:
                alteration = vb.group("var")
        # a name that states its status ("MSI-H", "dMMR", "mismatch repair deficient") keeps it: a word after it
        # ("MSI-H/dMMR positive tumors", "dMMR, POLE gene mutated") does not replace it
        name_low = clean[m_start:m_end].lower()
        if alteration is None:
            prefix = RULES.deficient_prefix.get(sym)
            if RULES.high_after.match(clean[m_end : m_end + 6]) or name_low.endswith(RULES.high_suffixes):
                alteration = "high"
            elif prefix and (name_low.startswith(prefix) or RULES.deficient_after.match(clean, m_end)):
                alteration = "deficient"
            else:
                status = (RULES.status_after, _status_markers())
                alteration = named_state(
                    clean,
                    (m_start, m_end, end),
                    sym,
                    in_alias,
                    named=RULES.named_alterations,
                    status=status,
                    high=RULES.high_after,
                )
        if alteration is None:
            alteration = _alteration_after(clean, vend, e, m_start)
        if alteration is None and (ab := RULES.altered_before.search(clean, max(s, m_start - 16), m_start)):
            alteration = ab.group("w").lower()  # "mutated KRAS", "mutated RAS, BRAF ..., NF-1 loss"
        if alteration is None and clean.startswith("+", m_end) and RULES.plus_after.match(clean, m_end):
            alteration = "positive"
        if alteration is None:  # a symbol in brackets after its name: "... alpha (PDGFRA) or KIT mutation"
            bracketed = clean.startswith(")", vend) and clean[m_start - 1 : m_start] == "("
            lend = _skip_list(ctx, vend + bracketed, e)
            if lend > vend + bracketed:
                alteration = _alteration_after(clean, lend, e, -1)
        if alteration is None:
            before_alt = None
            for bm in alt_re.finditer(clause, 0, rel):
                if not any(a <= s + bm.start() < b for a, b, _ in mentions):  # "rearranged during transfection"
                    before_alt = bm
            if before_alt is not None:
                # "mutation in a cancer risk gene (ATM, BRCA1, ...)": the genes a class of genes lists
                bridge = RULES.gene_class_bridge.match(clause, before_alt.end(), rel + 12)
                glue = bridge.end() if bridge and bridge.end() <= rel else before_alt.end()
                raw = clause[glue:rel]
                between = collapse_spelled(raw, RULES.spelled_name, _name_table()[0])
                # through spelled-out names, not a word a marker before owns ("ALK translocation, rearranged ...")
                at = s + before_alt.start()
                owned = clause.startswith(",", before_alt.end()) and between != raw
                owned = owned and any(b <= at <= b + 2 for _a, b, _n in mentions)
                if (
                    _connect_only(between)
                    and not owned
                    and not RULES.bare_join.fullmatch(clause, before_alt.end(), rel)
                ):
                    alteration = _qualified(clause, before_alt.start(), before_alt.end(), -1)
        if (
            alteration is None
            and clean.find(" other ", vend, e) >= 0
            and (tail := RULES.other_tail.match(clean, _skip_list(ctx, vend, e), e))
        ):
            alteration = _alteration_after(clean, tail.end(), e, -1)  # "EGFR, ALK, or other actionable alterations"
        if alteration is None and ctx.parent is not None:  # a gene listed under "... in one of the following genes:"
            alteration = lead_alteration(ctx, RULES.lead_alteration, RULES.lead_negated, _qualified)
        wm = wild_re.match(clean, vend)
        if wm is None:
            after = clean[vend : min(e, vend + 45)]
            wm2 = wild_re.search(after)
            if wm2 and not RULES.wild_type_stop.search(after[: wm2.start()]):
                wm = wm2
            else:  # "wild-type RAS", "unmutated IGHV"; a list's: "EGFR and ALK mutation-negative"
                wm = RULES.wild_before.search(clean, max(s, m_start - 16), m_start) or _wild_after_list(ctx, vend, e)
        seg_end = min(len(clause), rel + 120)
        # a threshold belongs to the marker it follows, not to one named after the next marker ("HLA-A*02:06
        # positive and ... NY-ESO-1 (>= 50% tumor cells)")
        for n_start, _n_end, n_sym in mentions:
            if n_start >= s + seg_end:
                break
            if n_sym != sym and n_start >= m_end and not _connect_only(clean[m_end:n_start]):
                seg_end = n_start - s
                break
        threshold = None
        # a threshold has a number and a unit; most clauses have neither after the marker (cheap checks first)
        if RULES.digit.search(clause, rel, seg_end) and RULES.threshold_unit.search(clause, rel, seg_end):
            thr = RULES.threshold.search(clause, rel, seg_end)
            if thr and thr.start() < rel + 80 and RULES.threshold_unit.search(thr.group(0)):
                threshold = " ".join(thr.group(0).split())
                if "(" in threshold:
                    threshold = RULES.threshold_abbrev.sub(r"\g<abbr> ", threshold)
                if sym not in RULES.burden_markers and RULES.burden_unit.search(threshold):
                    threshold = None
        if sym in RULES.unitless_markers:
            threshold = None
            um = RULES.unitless_threshold.search(clause, rel, seg_end) if RULES.digit.search(clause, rel) else None
            if um and um.group("cmp"):
                threshold = f"{op_of(um.group('cmp'))} {um.group('v')}"
            elif um:
                threshold = f"{um.group('lo')}-{um.group('hi')}"
        absent = wm is not None
        absent_as = RULES.absent_names.get(_norm(name_low))
        if absent_as:
            absent, alteration = True, absent_as
        # no alteration: kept only as a permission ("BRAF and NRAS genotype may be known or unknown", "regardless
        # of PD-L1 status")
        if (
            alteration is None
            and not absent
            and threshold is None
            and not (
                context.has("permitted", m_start, m_end, kind=KIND_NAME)
                and RULES.status_after.match(clean, _skip_list(ctx, vend, e))
            )
        ):
            continue
        if RULES.testing_before.search(clean, max(s, m_start - 90), m_start) or (
            "for" in clean[max(s, m_start - 12) : m_start] and RULES.testing_after.match(clean, vend, e)
        ):
            continue  # a sample for testing ("tissue for PD-L1 expression testing", "for testing of PD-L1 ...")
        if RULES.cohort_label.match(clean, vend) or RULES.cohort_label.search(clean[vend : vend + 30]):
            continue
        if sym in mutation_only and not (alteration and RULES.mutation_like.search(alteration)):
            continue
        restated = False
        negated = True
        if RULES.non_prefix.search(clean, max(s, m_start - 6), m_start):
            absent = True
        elif context.has("negated", m_start, m_end, kind=KIND_NAME):
            absent = not absent if wm is None else absent
            # an exclusion item saying "must not have X" restates the rule: X is excluded, not required
            restated = ctx.is_exclusion and context.has("required", m_start, m_end, kind=KIND_NAME)
        else:
            negated = False
        unconfirmed = ctx.is_exclusion and RULES.unconfirmed_before.search(clause, 0, rel) is not None
        if alteration in (None, "negative") and absent:
            alteration = "positive" if sym in _status_markers() else "mutation"
        if alteration:
            alteration = _normal_words(alteration)
            alteration = RULES.plural.sub(r"\1", alteration)
        requirement: Requirement
        if context.has("permitted", m_start, m_end, kind=KIND_NAME):
            requirement = "allowed"
        else:
            requirement = "required" if (not absent) != ctx.is_exclusion else "excluded"
            if restated:
                requirement = "excluded"
            elif unconfirmed and not absent:
                requirement = "required"  # "Inability to confirm ... PIK3CA mutation" excludes the unconfirmed
            else:
                requirement = clause_requirement(ctx, s, e, m_start, vend, rules=RULES, absent=absent) or requirement
        made = seen.setdefault(sym, [])
        if made and not new_variant(made, s, variant):
            # or a gene's opposite state, in its own word and not negated ("IDH-mutant ..., IDH-wildtype ..."; not a
            # status marker: "PSMA-positive lesion and no PSMA-negative lesions")
            wild = wm is not None
            if any(w == wild for _s, _v, w in made) or negated or sym in _status_markers():
                continue
            if not wild and _alteration_after(clean, vend, e, -1) is None:
                continue
        made.append((s, variant, wm is not None))
        out.append(
            ctx.make(Biomarker, s, e, marker=sym, alteration=alteration, requirement=requirement, threshold=threshold)
        )
    img = imaging_psma(ctx, RULES.psma_imaging, RULES.imaging_cutoff, RULES.sentences, KIND_NAME)
    if img and "PSMA" not in seen:  # "PSMA avid disease on PSMA PET/CT"
        out.append(ctx.make(Biomarker, img[0], img[1], **img[2]))
    return out


KIND = KindSpec(
    Biomarker,
    extract=extract,
    rule_file=Rules,
    core=False,
    compare={
        "alteration": Compare("tokens"),
        "threshold": Compare("tokens"),
    },
)
