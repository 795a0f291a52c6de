"""Name lookups for the judges, built on the shared vocabularies: drugs and classes (``extractor.rules.drugs``),
cancers and histologies, analytes, biomarkers, infections (the ``infection`` kind's patterns), plus the matcher's
own ``knowledge.yaml`` (cancer parents, local therapies, metastatic-site words)."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from extractor.kinds.infection import RULES as INFECTION_RULES
from extractor.rules.drugs import agent_classes, agent_key, find_agents
from extractor.vocab import load, read_yaml, vocabulary
from extractor.vocab.schemas import Biomarkers, Cancers, Drugs

__all__ = [
    "agent_terms",
    "analyte_key",
    "ancestors",
    "cancer_matches",
    "canonical_cancer",
    "canonical_histology",
    "criterion_agent_matches",
    "in_family",
    "infection_names",
    "knowledge",
    "marker_family",
    "marker_key",
    "named_infections",
    "site_of",
]


@cache
def knowledge() -> dict[str, Any]:
    """``extractor/match/knowledge.yaml``."""
    text = resources.files("extractor.match").joinpath("knowledge.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = read_yaml(text)
    return data


@lru_cache(maxsize=1 << 16)
def _norm(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split())


# --- drugs -----------------------------------------------------------------------------------------------------


@cache
def _class_names() -> frozenset[str]:
    return frozenset(vocabulary(Drugs).classes)


@cache
def _canonical_class(name: str) -> str:
    """A drug's class as the lexicon names it ('topoisomerase inhibitor' -> 'topoisomerase i inhibitor'), when the
    lexicon's match covers the whole name: a phrase that only contains a class word ('neurotoxic chemotherapy')
    stays itself, so it matches a therapy by its own name only, not every chemotherapy."""
    if name in _class_names():
        return name
    found = find_agents(name)
    if len(found) != 1 or found[0].name not in _class_names():
        return name
    whole = found[0].start == 0 and found[0].end >= len(name.rstrip(" s"))
    return found[0].name if whole else name


@cache
def agent_terms(agent: str) -> frozenset[str]:
    """Everything a patient's recorded therapy counts as: its own name, its generic name(s), their classes, the
    classes' lexicon names, and 'anticancer therapy' (plus 'systemic therapy' unless it is local: radiotherapy,
    surgery), except for a concomitant medication or supportive care (a contraceptive pill, warfarin)."""
    lower = _norm(agent)
    names = [a.name for a in find_agents(lower) if not a.neg] or [lower]
    terms = {*names, lower}  # the recorded name itself too: a phrase criterion matches it by exact name
    for n in names:
        for cls in agent_classes(n):
            terms.update((cls, _canonical_class(cls)))
    if _non_anticancer(terms):  # a contraceptive pill or warfarin recorded for a washout is no cancer therapy
        return frozenset(terms)
    local = set(knowledge()["local_therapies"])
    terms.add("anticancer therapy")
    if not terms & local:
        terms.add("systemic therapy")
    return frozenset(terms)


_NON_ANTICANCER = frozenset({"concomitant medication", "supportive care"})


def _non_anticancer(terms: set[str]) -> bool:
    """Whether a recorded therapy is, by the drug lexicon's classes (followed upwards: warfarin -> anticoagulant ->
    concomitant medication), a concomitant medication or supportive care rather than a cancer therapy."""
    seen, todo = set(), list(terms)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(agent_classes(name))
    return bool(seen & _NON_ANTICANCER)


_CLASS_WORDS = re.compile(
    r"\b(?:inhibitors?|conjugates?|tkis?|therapy|therapies|chemotherap(?:y|ies)|agents?|antibod(?:y|ies)|drugs?)\b"
)


@cache
def _class_like_entry(name: str) -> tuple[str, ...]:
    """The classes of a drug-lexicon entry that names a class in other words ('her2-targeted tyrosine kinase
    inhibitor' -> anti-her2 therapy, tyrosine kinase inhibitor); () for a real drug or an unknown name."""
    spec = vocabulary(Drugs).drugs.get(name)
    if spec is None or not _CLASS_WORDS.search(name):
        return ()
    return tuple(_canonical_class(c) for c in spec.classes)


# words a class phrase may carry around the lexicon's names without narrowing them ("anti-her2 adc therapy")
_FILLER = frozenset("therapy therapies agent agents drug drugs treatment treatments regimen regimens".split())
# a target named before a class ("her2-targeted adc"): read as that target's therapy class
_TARGETED = re.compile(r"^(\S+?)-(?:targeted|targeting|directed)$")


@cache
def _class_parts(name: str) -> tuple[str, ...]:
    """The lexicon classes a phrase is made of when they (with a target modifier and filler words) cover it whole:
    'anti-her2 adc' -> (anti-her2 therapy, antibody-drug conjugate); 'her2-targeted antibody drug conjugate' ->
    (anti-her2 therapy, antibody-drug conjugate); () when any other word is left ('neurotoxic chemotherapy')."""
    found = [a for a in find_agents(name) if not a.neg]
    parts, pos = [], 0
    for a in found:
        if a.name not in _class_names():
            return ()
        for word in name[pos : a.start].split():
            if word in _FILLER:
                continue
            target = _TARGETED.match(word)
            cls = _canonical_class(f"anti-{target.group(1)} therapy") if target else None
            if cls is None or cls not in _class_names():
                return ()
            parts.append(cls)
        parts.append(a.name)
        pos = a.end
    if any(w not in _FILLER for w in name[pos:].split()):
        return ()
    return tuple(parts) if len(parts) > 1 else ()


@lru_cache(maxsize=1 << 16)
def criterion_agent_matches(criterion_agent: str, terms: frozenset[str]) -> bool:
    """True when a criterion's agent (generic name or class) names a therapy with these :func:`agent_terms`; a
    phrase made of several classes ('anti-her2 adc') needs all of them."""
    name = _norm(criterion_agent)
    if name in terms or _canonical_class(name) in terms:
        return True
    classes = _class_like_entry(name) or _class_parts(name)
    if classes:
        return all(c in terms for c in classes)
    head = _unqualified(name)
    if head is None or not (head in terms or _canonical_class(head) in terms):
        return False
    local = set(knowledge()["local_routes"])  # "systemic corticosteroids" is not an inhaled one
    return not ("systemic" in name.split() and any(w in local for t in terms for w in t.split()))


@cache
def _unqualified(name: str) -> str | None:
    """The class a qualified criterion agent narrows ('systemic corticosteroids' -> 'corticosteroids'; 'strong cyp3a4
    inhibitor'), when every word before it is a ``knowledge.yaml`` qualifier; else None."""
    words = name.split()
    qualifiers = set(knowledge()["qualifiers"])
    n = 0
    while n < len(words) - 1 and words[n] in qualifiers:
        n += 1
    return " ".join(words[n:]) if n else None


# --- cancers ---------------------------------------------------------------------------------------------------


@cache
def _cancer_index() -> tuple[dict[str, str], dict[str, str]]:
    voc = vocabulary(Cancers)
    cancers = {agent_key(a): k for k, aliases in voc.cancers.items() for a in (k, *aliases)}
    hist = {agent_key(a): k for k, aliases in voc.histologies.items() for a in (k, *aliases)}
    return cancers, hist


@cache
def canonical_cancer(text: str) -> str:
    """The cancer vocabulary's name for ``text``, else the name ``knowledge.yaml``'s ``aliases`` give it ('basal cell
    carcinoma of the skin' -> 'basal cell carcinoma'), else the lower-cased text itself."""
    norm = _norm(text)
    found = _cancer_index()[0].get(agent_key(norm))
    if found is not None:
        return found
    aliases: dict[str, str] = knowledge().get("aliases") or {}
    return aliases.get(norm, norm)


@cache
def canonical_histology(text: str) -> str:
    """The histology vocabulary's name for ``text`` (lower-cased text when it has none)."""
    return _cancer_index()[1].get(agent_key(_norm(text)), _norm(text))


def ancestors(cancer: str) -> set[str]:
    """A canonical cancer name and every more general cancer it counts as (``knowledge.yaml`` parents)."""
    parents: dict[str, list[str]] = knowledge()["parents"]
    seen, todo = {cancer}, [cancer]
    while todo:
        for p in parents.get(todo.pop(), []):
            if p not in seen:
                seen.add(p)
                todo.append(p)
    return seen


def cancer_matches(patient_cancer: str, criterion_cancer: str) -> bool | None:
    """True when the patient's cancer is (or falls under) the criterion's cancer; False when it is another known
    cancer; None when the patient's cancer is not in the vocabulary and differs from the criterion's."""
    p, c = canonical_cancer(patient_cancer), canonical_cancer(criterion_cancer)
    if c in ancestors(p):
        return True
    k = knowledge()
    if c in k["general"]:
        return c != "solid tumor" or not any(x in k["not_solid"] for x in ancestors(p))
    known = set(vocabulary(Cancers).cancers) | set(k["parents"])
    return False if p in known else None


# --- analytes, markers, infections, sites ---------------------------------------------------------------------


@cache
def _analyte_index() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, spec in load("analytes").items():
        for name in [key, key.replace("_", " "), *spec.get("names", []), *spec.get("abbrev", [])]:
            out.setdefault(_norm(name), key)
    return out


@cache
def analyte_key(name: str) -> str:
    """The canonical analyte of a lab name ('ANC' -> 'anc', 'bilirubin' -> 'total_bilirubin'); lower-cased name
    with spaces and hyphens as underscores when the vocabulary lacks it ('CA-125' -> 'ca_125', as the rules and the
    gold write analytes outside the schema's list)."""
    n = _norm(name)
    idx = _analyte_index()
    return idx.get(n) or idx.get(n.rstrip("s")) or re.sub(r"[\s-]+", "_", n)


@cache
def _marker_index() -> dict[str, str]:
    voc = vocabulary(Biomarkers)
    out = {agent_key(a): k for k, aliases in voc.markers.items() for a in (k, *aliases)}
    for k, aliases in voc.hormone_receptors.items():
        out.update({agent_key(a): k for a in (k, *aliases)})
    return out


@cache
def marker_key(name: str) -> str:
    """The biomarker vocabulary's symbol for a marker name ('K-RAS' -> 'KRAS')."""
    return _marker_index().get(agent_key(name), agent_key(name).upper())


_MEMBERS = re.compile(r"^(?P<base>[A-Z][A-Z0-9-]*?[A-Z])(?P<first>\d)(?P<rest>(?:\s*[/,-]\s*(?:(?P=base))?\d)+)$")


@cache
def _vocab_members() -> dict[str, frozenset[str]]:
    """Family marker -> the numbered members its vocabulary aliases spell out ('BRCA1/2' -> BRCA1, BRCA2;
    'FGFR1-4' -> FGFR1..FGFR4)."""
    out: dict[str, set[str]] = {}
    for key, aliases in vocabulary(Biomarkers).markers.items():
        for alias in aliases:
            m = _MEMBERS.match(alias.upper().replace(" ", ""))
            if m is None or m.group("base") != key.upper():
                continue
            digits = [int(d) for d in re.findall(r"\d", m.group("first") + m.group("rest"))]
            if "-" in m.group("rest") and len(digits) == 2:
                digits = list(range(digits[0], digits[1] + 1))
            out.setdefault(key, set()).update(f"{key}{d}" for d in digits)
    return {k: frozenset(v) for k, v in out.items()}


@cache
def marker_family(criterion_marker: str) -> frozenset[str]:
    """The marker symbols a criterion's marker is met by: itself and, for a gene family name, its numbered
    members: those the biomarker vocabulary spells out ('BRCA' -> BRCA1, BRCA2), else any 'marker + digits'."""
    key = marker_key(criterion_marker)
    members = _vocab_members().get(key)
    if members is not None:
        return frozenset({key, *members})
    numbered = {k for k in _marker_index().values() if re.fullmatch(re.escape(key) + r"\d+", k)}
    return frozenset({key, *numbered})


def in_family(patient_marker: str, family: frozenset[str], criterion_marker: str) -> bool:
    """True when a patient's marker is one the criterion's marker (with its :func:`marker_family`) names."""
    key = marker_key(patient_marker)
    base = marker_key(criterion_marker)
    return key in family or (base not in _vocab_members() and re.fullmatch(re.escape(base) + r"\d+", key) is not None)


@cache
def named_infections(text: str) -> frozenset[str]:
    """The infections of the ``infection`` kind a text names ('HIV' -> hiv), without the fallbacks of
    :func:`infection_names` (empty when it names none: 'liver metastases')."""
    norm = _norm(text)
    return frozenset(
        name
        for name, rule in INFECTION_RULES.infections.items()
        if name != INFECTION_RULES.generic and (name == norm or rule.pattern.search(text))
    )


@cache
def infection_names(text: str) -> frozenset[str]:
    """The infection names of the ``infection`` kind a patient's infection text names ('HBV' -> hepatitis b), or
    the lower-cased text itself when it names none; an infection also counts as the general ones covering it."""
    found = set(named_infections(text))
    if not found:
        found = {_norm(text)}
    for general, covered in INFECTION_RULES.covered_by.items():
        if found & set(covered):
            found.add(general)
    if found & {"hepatitis a", "hepatitis b", "hepatitis c"}:
        found.add("viral hepatitis")
    found.add(INFECTION_RULES.generic)  # whatever it is, it is an active infection
    return frozenset(found)


@cache
def site_of(text: str) -> str | None:
    """The organ a site or condition text names ('hepatic metastases' -> 'liver'), or None."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    for organ, names in knowledge()["sites"].items():
        if words & set(names):
            return str(organ)
    return None
