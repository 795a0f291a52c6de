"""Kind ``metastatic_burden``: number of metastatic lesions and involved organs (oligometastatic definitions).

Reads ``metastatic_burden.yaml``: a count (digits or words, up to 50) followed by a lesion noun ("5 distant
metastases") or an organ noun ("2-3 organ systems"), bounded by a range, a limit word or a comparator before it
(an exclusion states the opposite bound: "more than 5 metastases" -> max_lesions 5). Brain metastases count too
("3 or fewer brain metastases"); measurable / target lesions are left out; a bare "at least one metastatic lesion"
is a presence requirement; "N or more" after a count is a minimum, and a lesion noun may come first ("number of brain
metastases > 10"). A bare "sites" / "lesions" counts in an oligometastatic or progression item, or with an
upper bound in an item naming metastases ("limited to two non-regional sites") or sites of a cancer ("1-4 tumor
sites"). Without a
count, an oligometastatic subject (or high- / low-volume metastatic disease) gives an empty burden criterion. A
counting rule ("... counted as 1 lesion") is the counting note, and so is a limit the counts cannot hold (a peritoneal
cancer index, the share of the liver the tumour occupies).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import Comparator, CriterionBase
from extractor.rules.grammar import any_in, cmp_tail, negate, number_token, number_value, op_of
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["KIND", "MetastaticBurden", "Rules", "extract"]


class MetastaticBurden(CriterionBase):
    """Number of metastatic lesions and involved organs (oligometastatic definitions)."""

    kind: Literal["metastatic_burden"] = "metastatic_burden"
    max_lesions: int | None = Field(default=None, description="Maximum number of metastatic lesions allowed.")
    min_lesions: int | None = Field(default=None, description="Minimum number of lesions required.")
    min_organs: int | None = Field(default=None, description="Minimum number of organs/organ systems.")
    max_organs: int | None = Field(default=None, description="Maximum number of organs/organ systems involved.")
    counting_notes: str | None = Field(
        default=None, description="How lesions are counted, e.g. 'clustered nodes in one field count as one'."
    )


class Rules(RuleFile):
    """``metastatic_burden.yaml``."""

    gate: tuple[str, ...]
    oligo_gate: tuple[str, ...]
    oligo: Pattern
    oligo_strong: Pattern
    oligo_context_before: Pattern
    aside_open: Pattern
    lesion_after: Pattern
    lesion_words: tuple[str, ...]
    generic_gate: tuple[str, ...]
    sites_gate: tuple[str, ...]
    sites: Pattern
    organ_after: Pattern
    range_after: Pattern
    limit_before: Pattern
    lesion_false_friend_before: Pattern
    counted_as_before: Pattern
    history_after: Pattern
    single_as_before: Pattern
    single_not_before: Pattern
    noun_first_gate: tuple[str, ...]
    noun_first_before: Pattern
    noun_first_after: Pattern
    eligible_gate: tuple[str, ...]
    eligible: Pattern
    eq_before: Pattern
    counting_rule_gate: tuple[str, ...]
    counting_rule: Pattern
    cluster: Pattern
    clustered_nodes: tuple[str, ...]
    clustered_nodes_note: str
    pci_gate: tuple[str, ...]
    pci: Pattern
    pci_reach: int
    pci_cmp: Pattern
    pci_note: str
    liver_gate: tuple[str, ...]
    liver: Pattern
    liver_reach: int
    liver_cmp: Pattern
    liver_note: str


RULES = load_rules("metastatic_burden", Rules)

_MAX_COUNT = 50  # a larger number is not a lesion count
_CMP_BEFORE = 30  # characters before a count read for a comparator or limit word
_FF_BEFORE = 25  # characters before a count (or the oligometastatic word) read for false friends
_AS_BEFORE = 25
_NOUN_BEFORE = 40  # characters before a count read for the lesion noun and comparator ("metastases > 10")
_NOTE_MAX = 160

Bound = tuple[float | None, float | None]


def _bounds(lower: str, ns: int, ne: int, n1: float, exclusion: bool) -> Bound:
    """The (min, max) a count states: a range, or one bound from the comparator / limit word before it."""
    r = RULES.range_after.match(lower, ne)
    if r:
        n2 = number_value(r.group("n2"))
        if n2 is not None:
            return min(n1, n2), max(n1, n2)
    back = max(0, ns - _CMP_BEFORE)
    op: Comparator | None
    if RULES.limit_before.search(lower, back, ns):
        op = "<="
    else:
        c = cmp_tail().search(lower, back, ns)
        op = op_of(c.group("cmp")) if c else None
        if c and op in ("<", ">") and RULES.eq_before.search(lower, max(0, c.start() - 3), c.start()):
            op = "<=" if op == "<" else ">="  # "=\\< 4 nodules": the escaped "=<"
    return _op_bounds(op, n1, exclusion)


def _op_bounds(op: Comparator | None, n1: float, exclusion: bool) -> Bound:
    """The (min, max) a comparator states of a count (turned round in an exclusion); none: the count itself."""
    if exclusion and op is not None:
        op = negate(op)
    if op == "<=":
        return None, n1
    if op == "<":
        return None, n1 - 1
    if op == ">=":
        return n1, None
    if op == ">":
        return n1 + 1, None
    return n1, n1


def _span(vals: list[Bound]) -> tuple[int | None, int | None]:
    """The overall (min, max) of several bounds."""
    known_lo = [lo for lo, _ in vals if lo is not None]
    known_hi = [hi for _, hi in vals if hi is not None]
    return (int(min(known_lo)) if known_lo else None), (int(max(known_hi)) if known_hi else None)


def _oligo_subject(lower: str) -> bool:
    """Whether the item's first oligometastatic (or high- / low-volume) mention names the disease state it asks for:
    not a therapy setting or a past one ("radiation for oligometastatic disease"), nor an example or a contrast in
    parentheses ("(e.g. diagnosis, mono- or oligometastatic disease)", "(against the primary oligometastatic ...)")."""
    strong = RULES.oligo_strong.search(lower)
    if strong is None:
        return False
    s = strong.start()
    if RULES.oligo_context_before.search(lower, max(0, s - _FF_BEFORE), s):
        return False
    o = lower.rfind("(", 0, s)
    return o < 0 or ")" in lower[o:s] or RULES.aside_open.match(lower, o + 1) is None


def _eligible(lower: str) -> bool:
    """Whether the item states what is eligible outside parentheses ("(lung nodules <= 1 cm is permitted)" is an
    aside on another finding)."""
    return any(lower.count("(", 0, m.start()) <= lower.count(")", 0, m.start()) for m in RULES.eligible.finditer(lower))


def _cancer_sites(lower: str) -> bool:
    """Whether the item names sites of a cancer ("1-4 tumor sites"): they stand in for the word "metastases"."""
    return any_in(RULES.sites_gate, lower) and RULES.sites.search(lower) is not None


def _counts(ctx: ItemContext, oligo: bool) -> tuple[list[Bound], list[Bound]]:
    """The lesion and organ bounds of every count in the item."""
    lower = ctx.lower
    les: list[Bound] = []
    org: list[Bound] = []
    metastases = any_in(RULES.generic_gate, lower) or _cancer_sites(lower)
    # an exclusion that states what is allowed ("patients with <= 5 foci ... will be eligible") is read as written
    exclusion = ctx.is_exclusion and not (any_in(RULES.eligible_gate, lower) and _eligible(lower))
    noun_first = any_in(RULES.noun_first_gate, lower)
    for m in number_token().finditer(lower):
        r = RULES.range_after.match(lower, m.end())
        tail = r.end() if r else m.end()
        lm = RULES.lesion_after.match(lower, tail)
        organ = lm is None and RULES.organ_after.match(lower, tail) is not None
        if lm is None and not organ:
            # "number of brain metastases > 10": the noun before the comparator and the count
            if noun_first and (
                nf := RULES.noun_first_before.search(lower, max(0, m.start() - _NOUN_BEFORE), m.start())
            ):
                n = number_value(m.group("n"))
                if (
                    n is not None
                    and n <= _MAX_COUNT
                    and (oligo or metastases)
                    and RULES.noun_first_after.match(lower, tail)
                ):
                    les.append(_op_bounds(op_of(nf.group("cmp")), n, exclusion))
            continue  # most numbers count no lesion nor organ: read their value only when one follows
        n = number_value(m.group("n"))
        if n is None or n > _MAX_COUNT:
            continue
        if lm:
            if RULES.lesion_false_friend_before.search(lower, max(0, m.start() - _FF_BEFORE), m.start()):
                continue
            generic = not any(w in lm.group(0) for w in RULES.lesion_words)
            if generic and not oligo and not metastases:
                continue
            before = lower[max(0, m.start() - _AS_BEFORE) : m.start()]
            if RULES.counted_as_before.search(before) or (
                n == 1 and r is None and RULES.single_as_before.search(before)
            ):
                continue  # "counted as 1 lesion", "defined as single lesion"
            if n == 1 and "single" in m.group(0) and RULES.single_not_before.search(before):
                continue  # "no single metastasis measuring > 3 cm", "the single bone metastasis": no count
            if RULES.history_after.match(lower, lm.end()):
                continue  # "> 5 discrete metastatic sites previously": the history, not the limit
            lo, hi = _bounds(lower, m.start(), m.end(), n, exclusion)
            if lm.group("fewer"):
                lo, hi = (None, n) if not exclusion else (n + 1, None)
            elif lm.group("more"):  # "10 or more brain metastases"
                lo, hi = (n, None) if not exclusion else (None, n - 1)
            if generic and not oligo and (hi is None or lo == hi):
                continue  # "at least 2 lesions", "2 new lesions" in an item about metastases: not a burden limit
            les.append((lo, hi))
        elif organ and (oligo or metastases):  # "GVHD in at least 1 organ system" counts no metastatic organ
            org.append(_bounds(lower, m.start(), m.end(), n, exclusion))
    return les, org


def _counting_note(lower: str) -> str | None:
    cm = RULES.cluster.search(lower)
    if cm is None:
        return None
    if all(w in cm.group() for w in RULES.clustered_nodes):
        return RULES.clustered_nodes_note
    return " ".join(cm.group().split())[:_NOTE_MAX]


def _counting_rule(ctx: ItemContext) -> list[MetastaticBurden]:
    """An item stating only how metastases are counted: a criterion without numbers, the rule in its counting note."""
    lower = ctx.lower
    if not any_in(RULES.counting_rule_gate, lower) or RULES.counting_rule.search(lower) is None:
        return []
    return [ctx.make(MetastaticBurden, counting_notes=_counting_note(lower))]


def _limit(
    ctx: ItemContext, mention: Pattern, cmp: Pattern, reach: int, note: str, *, unit: str = ""
) -> list[MetastaticBurden]:
    """A burden limit the counts cannot hold (a peritoneal cancer index, a share of the liver): a criterion without
    numbers, the upper bound (the section applied) in its counting note."""
    lower = ctx.lower
    for m in mention.finditer(lower):
        for c in cmp.finditer(lower, m.end(), min(len(lower), m.end() + reach)):
            op = op_of(c.group("cmp"))
            if c.group("eq") and op in ("<", ">"):
                op = "<=" if op == "<" else ">="
            if op is not None and ctx.is_exclusion:
                op = negate(op)
            if op in ("<", "<="):
                return [ctx.make(MetastaticBurden, counting_notes=f"{note} {op} {c.group('n')}{unit}")]
    return []


def extract(ctx: ItemContext) -> list[MetastaticBurden]:
    """The item's metastatic-burden criterion (at most one)."""
    lower = ctx.lower
    if any_in(RULES.pci_gate, lower) and (
        pci := _limit(ctx, RULES.pci, RULES.pci_cmp, RULES.pci_reach, RULES.pci_note)
    ):
        return pci
    if any_in(RULES.liver_gate, lower) and (
        liver := _limit(ctx, RULES.liver, RULES.liver_cmp, RULES.liver_reach, RULES.liver_note, unit="%")
    ):
        return liver
    oligo = any_in(RULES.oligo_gate, lower) and bool(RULES.oligo.search(lower))
    if not oligo and not any_in(RULES.gate, lower) and not _cancer_sites(lower):
        return []
    les, org = _counts(ctx, oligo)
    if not les and not org and (rule := _counting_rule(ctx)):
        return rule
    if not les and not org and not (oligo and _oligo_subject(lower)):
        return []  # a bare "oligometastatic disease" as the subject, not "radiation for oligometastatic disease"
    presence = [b for b in les + org if b[0] is not None and b[0] <= 1 and b[1] is None]
    if presence and len(presence) == len(les) + len(org):
        # "at least one metastatic lesion": a presence requirement, not a burden limit (with oligometastatic
        # wording the item may still name the disease state)
        if not oligo:
            return []
        les, org = [], []
        if not _oligo_subject(lower):
            return []
    # "at least three bone metastases ..., and at least one ... not irradiated": the presence clause sets no bound
    les = [b for b in les if not (b[0] is not None and b[0] <= 1 and b[1] is None)] or les
    min_l, max_l = _span(les) if les else (None, None)
    min_o, max_o = _span(org) if org else (None, None)
    if min_l is not None and min_l == max_l and len(les) == 1:
        min_l = None  # "limited to 5 metastases" read without a comparator: 5 is the limit
    if min_o is not None and min_o == max_o and len(org) == 1:
        min_o = None
    return [
        ctx.make(
            MetastaticBurden,
            max_lesions=max_l,
            min_lesions=min_l,
            min_organs=min_o,
            max_organs=max_o,
            counting_notes=_counting_note(lower),
        )
    ]


KIND = KindSpec(
    MetastaticBurden,
    extract=extract,
    rule_file=Rules,
    core=True,
    not_compared={
        "counting_notes": "a paraphrase",
    },
)
