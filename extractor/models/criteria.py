"""The criterion kinds: one pydantic model per kind, joined in the ``Criterion`` discriminated union.

Field descriptions are sent to the LLM as part of the JSON schema: they are written as prompt text.
Conventions shared by every kind:

* ``polarity`` is the section the item sits in (inclusion / exclusion), never re-interpreted.
* The kind's fields state the *effective eligibility rule* a patient must meet, whichever section it was written
  in: the exclusion item "Prior T-DXd" and the inclusion item "No prior T-DXd" are both ``prior_therapy`` with
  ``requirement="excluded"``; the exclusion item "ANC < 1.5 x 10^9/L" is ``lab`` with ``op=">="``, ``value=1.5``;
  "QTcF > 470 ms" under exclusions is ``qtc_max_ms=470``; "age under 21" under exclusions is ``min_years=21``.
* ``evidence`` is the verbatim span of the source text the criterion was read from.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Polarity = Literal["inclusion", "exclusion"]
Comparator = Literal[">=", ">", "<=", "<", "="]
Requirement = Literal["required", "excluded", "allowed"]
Backend = Literal["rules", "llm", "gold"]


class Evidence(BaseModel):
    """A verbatim span of the source text: ``source[start:end] == text``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(description="Verbatim quote from the criteria text, copied exactly (same spelling, case).")
    start: int = Field(ge=0, description="Character offset of the quote's first character in the source text.")
    end: int = Field(ge=0, description="Character offset just past the quote's last character.")

    @model_validator(mode="after")
    def _consistent(self) -> Evidence:
        if self.end < self.start:
            raise ValueError(f"evidence end ({self.end}) is before start ({self.start})")
        if self.end - self.start != len(self.text):
            raise ValueError(f"evidence span length {self.end - self.start} differs from quote length {len(self.text)}")
        return self

    def is_grounded_in(self, source: str) -> bool:
        """True when the quote stands verbatim at its offsets in ``source``."""
        return source[self.start : self.end] == self.text and bool(self.text.strip())


class _CriterionBase(BaseModel):
    """Fields every criterion has."""

    model_config = ConfigDict(extra="forbid")

    polarity: Polarity = Field(description="The section the item sits in: inclusion or exclusion.")
    evidence: Evidence = Field(description="Where in the source text this criterion is stated.")
    cohort: str | None = Field(default=None, description="Cohort, part or arm sub-heading the item belongs to, if any.")
    item: int | None = Field(default=None, ge=0, description="Index of the segmented item it came from.")
    backend: Backend | None = Field(default=None, description="Which backend produced this criterion.")


class HER2(_CriterionBase):
    """HER2 (ERBB2) status the trial requires or excludes."""

    kind: Literal["her2"] = "her2"
    status: Literal["positive", "negative", "low", "ultralow", "any"] = Field(
        description="HER2 category the text names: positive (IHC 3+ or ISH amplified), negative, low "
        "(IHC 1+ or 2+/ISH-), ultralow, or any."
    )
    ihc_scores: list[Literal["0", "1+", "2+", "3+"]] = Field(
        default_factory=list, description='IHC scores the text lists, e.g. ["3+"] or ["1+", "2+"].'
    )
    ish_ratio_min: float | None = Field(
        default=None, description="Minimum HER2/CEP17 ISH ratio, e.g. 2.0 for 'ISH ratio >= 2.0'."
    )
    ish_copy_number_min: float | None = Field(
        default=None, description="Minimum average HER2 gene copy number per cell, e.g. 6.0."
    )
    ish_status: Literal["positive", "negative"] | None = Field(
        default=None, description="ISH result named without numbers: 'ISH+'/'amplified' or 'ISH-'."
    )
    logic: Literal["or", "and"] | None = Field(
        default=None, description="How the IHC and ISH conditions combine ('and/or' counts as or)."
    )
    guideline: str | None = Field(default=None, description="Guideline named, e.g. 'ASCO/CAP 2018'.")


class HormoneReceptor(_CriterionBase):
    """Oestrogen / progesterone receptor status."""

    kind: Literal["hormone_receptor"] = "hormone_receptor"
    receptors: list[Literal["ER", "PR", "HR", "AR"]] = Field(
        description="Receptors named: ER, PR, HR (hormone receptor, ER and/or PR), AR."
    )
    status: Literal["positive", "negative", "low", "any", "known"] = Field(
        description="Status required: positive, negative, low, any, or known (status must be known)."
    )
    min_percent: float | None = Field(default=None, description="Minimum % of stained cells, e.g. 1 or 10.")


class Biomarker(_CriterionBase):
    """Any other gene, protein or molecular marker (mutations, fusions, expression, MSI, TMB, PD-L1, ctDNA)."""

    kind: Literal["biomarker"] = "biomarker"
    marker: str = Field(description="Gene or marker symbol in upper case, e.g. EGFR, KRAS, BRCA1, PD-L1, MSI.")
    alteration: str | None = Field(
        default=None, description="Alteration as written, e.g. 'G12C', 'exon 19 deletion', 'fusion', 'high'."
    )
    requirement: Requirement = Field(description="required, excluded or allowed.")
    threshold: str | None = Field(default=None, description="Numeric cut-off as written, e.g. 'TPS >= 50%'.")


class PerformanceStatus(_CriterionBase):
    """Performance status range."""

    kind: Literal["performance_status"] = "performance_status"
    scale: Literal["ECOG", "Karnofsky", "WHO", "Lansky"] = Field(description="Scale named in the text.")
    min: int | None = Field(default=None, description="Lowest allowed score (ECOG 0-1 -> 0).")
    max: int | None = Field(default=None, description="Highest allowed score (ECOG 0-1 -> 1; KPS >= 70 -> None).")


class MetastaticBurden(_CriterionBase):
    """Number of metastatic lesions and involved organs (oligometastatic definitions)."""

    kind: Literal["metastatic_burden"] = "metastatic_burden"
    max_lesions: int | None = Field(default=None, description="Maximum number of metastatic lesions allowed.")
    min_lesions: int | None = Field(default=None, description="Minimum number of lesions required.")
    min_organs: int | None = Field(default=None, description="Minimum number of organs/organ systems.")
    max_organs: int | None = Field(default=None, description="Maximum number of organs/organ systems involved.")
    counting_notes: str | None = Field(
        default=None, description="How lesions are counted, e.g. 'clustered nodes in one field count as one'."
    )


class BrainMetastases(_CriterionBase):
    """Which patients with brain (CNS) metastases may enrol, and leptomeningeal disease."""

    kind: Literal["brain_metastases"] = "brain_metastases"
    allowed: Literal["excluded", "allowed", "conditional", "required"] = Field(
        description="excluded: no brain metastases; allowed: any; conditional: allowed only if the conditions "
        "hold; required: the trial needs brain metastases."
    )
    conditions: list[Literal["treated", "stable", "asymptomatic", "off_steroids", "untreated"]] = Field(
        default_factory=list, description="Conditions under which brain metastases are allowed."
    )
    stable_weeks_min: float | None = Field(
        default=None, description="Weeks of stability (or since treatment) required, e.g. 4."
    )
    leptomeningeal: Literal["excluded", "allowed"] | None = Field(
        default=None, description="Whether leptomeningeal disease / carcinomatous meningitis is allowed."
    )


class PriorTherapy(_CriterionBase):
    """Prior treatment required, excluded or allowed, with lines, settings, durations and washouts."""

    kind: Literal["prior_therapy"] = "prior_therapy"
    agents: list[str] = Field(
        default_factory=list,
        description="Lower-case generic drug names or classes, e.g. trastuzumab, trastuzumab deruxtecan, taxane, "
        "anti-her2 therapy, chemotherapy, endocrine therapy, radiotherapy, surgery, systemic therapy.",
    )
    requirement: Requirement = Field(description="required, excluded or allowed.")
    setting: Literal["metastatic", "adjuvant", "neoadjuvant", "early", "any"] | None = Field(
        default=None, description="Disease setting of the prior therapy, if stated."
    )
    min_lines: int | None = Field(default=None, description="Minimum number of prior lines.")
    max_lines: int | None = Field(default=None, description="Maximum number of prior lines.")
    min_duration_months: float | None = Field(default=None, description="Minimum treatment duration, months.")
    within_weeks: float | None = Field(
        default=None, description="Time window in weeks, e.g. washout 'within 3 weeks before first dose' -> 3."
    )
    response_required: bool | None = Field(
        default=None, description="True when a response / disease control on that therapy is required."
    )


class Age(_CriterionBase):
    """Age limits in years."""

    kind: Literal["age"] = "age"
    min_years: float | None = Field(default=None, description="Minimum age in years (>= 18 -> 18).")
    max_years: float | None = Field(default=None, description="Maximum age in years.")


class Sex(_CriterionBase):
    """Sex or gender required."""

    kind: Literal["sex"] = "sex"
    sex: Literal["female", "male", "all"] = Field(description="female, male or all.")


class Diagnosis(_CriterionBase):
    """Cancer diagnosis, histology and its confirmation."""

    kind: Literal["diagnosis"] = "diagnosis"
    cancer: str = Field(description="Lower-case cancer type, e.g. 'breast cancer', 'non-small cell lung cancer'.")
    histology: str | None = Field(default=None, description="Histological subtype, e.g. 'adenocarcinoma'.")
    histologically_confirmed: bool | None = Field(
        default=None, description="True when histological or cytological confirmation is required."
    )


class Stage(_CriterionBase):
    """Disease stage / extent."""

    kind: Literal["stage"] = "stage"
    stages: list[str] = Field(default_factory=list, description="Stages named, e.g. ['IIIB', 'IV'].")
    metastatic: bool | None = Field(default=None, description="True when metastatic disease is named.")
    locally_advanced: bool | None = Field(
        default=None, description="True when locally advanced / unresectable / inoperable disease is named."
    )
    recurrent: bool | None = Field(default=None, description="True when recurrent disease is named.")


class MeasurableDisease(_CriterionBase):
    """Measurable / evaluable disease requirement."""

    kind: Literal["measurable_disease"] = "measurable_disease"
    level: Literal["measurable", "measurable_or_evaluable", "evaluable", "non_measurable"] = Field(
        description="What disease must be present: measurable, measurable or evaluable, evaluable, non-measurable."
    )
    standard: str | None = Field(default=None, description="Response criteria named, e.g. 'RECIST 1.1', 'RANO'.")


class Lab(_CriterionBase):
    """A laboratory threshold (one analyte, one comparator)."""

    kind: Literal["lab"] = "lab"
    analyte: str = Field(
        description="Normalised analyte: anc, platelets, hemoglobin, wbc, lymphocytes, total_bilirubin, "
        "direct_bilirubin, ast, alt, alkaline_phosphatase, albumin, creatinine, creatinine_clearance, egfr, "
        "inr, aptt, pt, potassium, magnesium, calcium, glucose, hba1c, lipase, amylase, tsh, ldh, psa; or "
        "organ_function / marrow_function / liver_function / renal_function when no number is given."
    )
    op: Comparator | None = Field(default=None, description="Comparator: >=, >, <=, <, =.")
    value: float | None = Field(default=None, description="Threshold value in the stated unit (1.5 for 1.5 x 10^9/L).")
    unit: str | None = Field(default=None, description="Unit as normalised text, e.g. 'x10^9/L', 'g/dL', 'mL/min'.")
    uln_multiple: float | None = Field(default=None, description="Multiple of the upper limit of normal, e.g. 2.5.")
    condition: str | None = Field(
        default=None,
        description="Population the threshold applies to, e.g. \"gilbert's syndrome\", 'liver metastases'.",
    )


class Cardiac(_CriterionBase):
    """Cardiac function: LVEF, QTc, NYHA class, cardiac history."""

    kind: Literal["cardiac"] = "cardiac"
    lvef_min_percent: float | None = Field(default=None, description="Minimum LVEF in percent, e.g. 50.")
    lvef_lln: bool | None = Field(default=None, description="True when LVEF must be >= the institutional LLN.")
    qtc_max_ms: float | None = Field(default=None, description="Maximum QTc in ms, e.g. 470.")
    nyha_max: int | None = Field(default=None, description="Highest NYHA class allowed (excluding III/IV -> 2).")
    conditions: list[str] = Field(
        default_factory=list, description="Cardiac conditions named, lower case, e.g. 'myocardial infarction'."
    )


class LifeExpectancy(_CriterionBase):
    """Minimum life expectancy."""

    kind: Literal["life_expectancy"] = "life_expectancy"
    min_months: float = Field(description="Minimum life expectancy in months (12 weeks -> 2.77; 1 year -> 12).")


class Pregnancy(_CriterionBase):
    """Pregnancy, breastfeeding and contraception."""

    kind: Literal["pregnancy"] = "pregnancy"
    pregnancy_excluded: bool | None = Field(default=None, description="True when pregnant patients are excluded.")
    breastfeeding_excluded: bool | None = Field(default=None, description="True when breastfeeding is excluded.")
    contraception_required: bool | None = Field(default=None, description="True when contraception is required.")
    negative_test_required: bool | None = Field(default=None, description="True when a negative test is required.")


class PriorMalignancy(_CriterionBase):
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


class Infection(_CriterionBase):
    """Infections such as HIV, hepatitis B/C, tuberculosis, active infection requiring therapy."""

    kind: Literal["infection"] = "infection"
    infections: list[str] = Field(
        default_factory=list,
        description="Lower-case infections: hiv, hepatitis b, hepatitis c, tuberculosis, covid-19, active infection.",
    )


class Consent(_CriterionBase):
    """Informed consent and willingness / ability to comply."""

    kind: Literal["consent"] = "consent"


class Other(_CriterionBase):
    """Anything no other kind fits. Its evidence holds the verbatim text."""

    kind: Literal["other"] = "other"
    category: str | None = Field(default=None, description="Optional short topic, e.g. 'comorbidity', 'surgery'.")


Criterion = Annotated[
    HER2
    | HormoneReceptor
    | Biomarker
    | PerformanceStatus
    | MetastaticBurden
    | BrainMetastases
    | PriorTherapy
    | Age
    | Sex
    | Diagnosis
    | Stage
    | MeasurableDisease
    | Lab
    | Cardiac
    | LifeExpectancy
    | Pregnancy
    | PriorMalignancy
    | Infection
    | Consent
    | Other,
    Field(discriminator="kind"),
]

CRITERION_TYPES: tuple[type[_CriterionBase], ...] = (
    HER2,
    HormoneReceptor,
    Biomarker,
    PerformanceStatus,
    MetastaticBurden,
    BrainMetastases,
    PriorTherapy,
    Age,
    Sex,
    Diagnosis,
    Stage,
    MeasurableDisease,
    Lab,
    Cardiac,
    LifeExpectancy,
    Pregnancy,
    PriorMalignancy,
    Infection,
    Consent,
    Other,
)

KINDS: tuple[str, ...] = tuple(t.model_fields["kind"].default for t in CRITERION_TYPES)
KIND_TYPES: dict[str, type[_CriterionBase]] = dict(zip(KINDS, CRITERION_TYPES, strict=True))
BASE_FIELDS: frozenset[str] = frozenset(_CriterionBase.model_fields) | {"kind"}

CriterionBase = _CriterionBase
