"""Typed schemas of the shared vocabulary files: each ``vocab/<name>.yaml`` is validated at load (a misspelt or
unknown key fails with the file and the key). A kind's own rule data lives in ``extractor/kinds/<kind>.yaml``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from extractor.rules.ruledata import ContextRule

__all__ = ["SCHEMAS"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Comparators(RootModel[dict[Literal[">=", ">", "<=", "<", "="], list[str]]]):
    """Comparator phrases (symbols, digraphs, words) per canonical operator."""


class Numbers(RootModel[dict[str, int]]):
    """Number words -> value ("twelve" -> 12)."""


class MolarMasses(RootModel[dict[str, float]]):
    """Analyte -> molar mass in g/mol (mg/dL <-> umol/L conversions)."""


class Units(_Strict):
    """Unit spellings (regexes over lower-cased text) -> canonical units."""

    counts: dict[str, list[str]]
    superscripts: dict[str, str]
    units: dict[str, list[str]]


class Analyte(_Strict):
    """One lab analyte: its names, abbreviations and how it is bounded."""

    names: list[str] = Field(min_length=1)
    abbrev: list[str] = Field(default_factory=list)
    bound: Literal["lower", "upper"] | None = None
    cells: bool = False
    percent: bool = False
    units: list[str] = Field(default_factory=list)
    unit_required: list[str] = Field(default_factory=list)
    needs_unit: list[str] = Field(default_factory=list)


class Analytes(RootModel[dict[str, Analyte]]):
    """Canonical analyte -> its spellings."""


class Drug(_Strict):
    classes: list[str]
    aliases: list[str]


class DrugPhrases(_Strict):
    """Regex pieces of the coordinated phrases the drug lexicon reads (``extractor.rules.drugs``)."""

    coordination: str = Field(description="A bare word before a coordinator ('PD-1, PD-L1, or' before a head).")
    heads: list[str] = Field(description="Head-word starts that also apply to the coordinated words before them.")
    paired_head: str = Field(description="The other head after an inhibitor/inducer ('inhibitors or inducers').")
    pairs: dict[str, str] = Field(description="Head word -> its paired head word.")
    cyp_separator: str
    cyp_strength: str
    cyp_enzyme: str = Field(description="One cytochrome P450 enzyme; group 1 is its name ('3a4').")
    cyp_head: str
    cyp_sensitive: str = Field(
        default="(?!)", description="A word that narrows a substrate head only ('sensitive CYP3A4 substrates')."
    )
    cyp_metabolized: str = Field(
        default="(?!)", description="Words before an enzyme that make its drugs substrates ('metabolized by')."
    )
    transporter: str = Field(
        default="(?!)", description="One drug transporter written in a P450 phrase's place ('P-gp', 'BCRP'), no group."
    )


class Drugs(_Strict):
    """Drugs (generic name -> classes, aliases), class names, generic-name suffixes, negated and pattern phrases,
    and the pieces of the coordinated phrases."""

    drugs: dict[str, Drug]
    prompt_classes: list[str]
    classes: dict[str, list[str]]
    generic_suffixes: list[str]
    negated: dict[str, list[str]]
    patterns: dict[str, list[str]]
    phrases: DrugPhrases

    @model_validator(mode="after")
    def _prompt_classes_known(self) -> Drugs:
        unknown = [c for c in self.prompt_classes if c not in self.classes]
        if unknown:
            raise ValueError(f"prompt_classes not in classes: {', '.join(unknown)}")
        return self


class Cancers(_Strict):
    """Cancer names, organ sites -> cancer, histologies."""

    cancers: dict[str, list[str]]
    sites: dict[str, str]
    histologies: dict[str, list[str]]


class Biomarkers(_Strict):
    """HER2 and hormone-receptor names, guidelines, other markers and alteration words, and the regex pieces the
    rule files of the kinds her2, hormone_receptor and biomarker share (:meth:`pieces`)."""

    her2_names: list[str]
    guidelines: dict[str, list[str]]
    hormone_receptors: dict[str, list[str]]
    triple_negative: list[str]
    markers: dict[str, list[str]]
    alterations: list[str]
    wild_type: list[str]
    therapy_words: list[str]
    mutation_only: list[str]
    name_gate: list[str]
    status_markers: list[str]
    fragments: dict[str, str] = Field(
        default_factory=dict,
        description="Named regex pieces the three kinds' rule files share (as {{name}}); a piece may use {{list}} "
        "for a phrase list of this file, and the grammar macros.",
    )

    @model_validator(mode="after")
    def _fragments_compile(self) -> Biomarkers:
        import re

        from extractor.rules.grammar import expand_macros

        lists = self._lists()
        for name, piece in self.fragments.items():
            try:
                re.compile(expand_macros(piece, lists))
            except KeyError as e:
                raise ValueError(f"fragment {name!r}: {str(e).strip(chr(34) + chr(39))}") from None
            except re.error as e:
                raise ValueError(f"fragment {name!r} does not compile: {e}") from None
        return self

    @staticmethod
    def alternation(phrases: list[str]) -> str:
        """How this file's phrases match: a phrase written with a capital case-sensitively ("ER", "MET"), the others
        in any case; a hyphen is optional."""
        from extractor.rules.grammar import phrase_alt

        return phrase_alt(phrases, keep_case=True, hyphen=r"[\s-]?")

    def _lists(self) -> dict[str, str]:
        return {
            name: self.alternation(value)
            for name in type(self).model_fields
            if isinstance(value := getattr(self, name), list)
        }

    def pieces(self) -> dict[str, str]:
        """The named regex pieces a kind's ``RuleFile.vocabulary()`` passes on: each phrase list as its
        :meth:`alternation`, and each fragment, its ``{{names}}`` filled in."""
        from extractor.rules.grammar import expand_macros

        lists = self._lists()
        return {**lists, **{name: expand_macros(piece, lists) for name, piece in self.fragments.items()}}


class Scales(_Strict):
    """Performance-status scale names and sex words."""

    scales: dict[Literal["ECOG", "Karnofsky", "Lansky", "WHO"], list[str]]
    generic: list[str]
    sex: dict[Literal["female", "male"], list[str]]
    sex_all: list[str]


class Context(_Strict):
    """ConText cues for every kind (``extractor.rules.context``)."""

    rules: tuple[ContextRule, ...]


SCHEMAS: dict[str, type[BaseModel]] = {
    "comparators": Comparators,
    "numbers": Numbers,
    "molar_masses": MolarMasses,
    "units": Units,
    "analytes": Analytes,
    "drugs": Drugs,
    "cancers": Cancers,
    "biomarkers": Biomarkers,
    "scales": Scales,
    "context": Context,
}
"""Vocabulary file name -> its schema (a test checks every file in ``vocab/`` has one and validates)."""
