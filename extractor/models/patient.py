"""The patient a trial's criteria are checked against (``extractor.match``).

Every patient field is optional: missing data is the normal case, and a criterion whose data is missing (or too old
for the assessment date) comes out ``unknown``, never ``met``. A history list (``therapies``, ``prior_malignancies``,
``active_infections``, ``metastatic_sites``, cardiac ``conditions``) is ``None`` when it was not recorded and ``[]``
when the record says there is none; a list of test results (``her2``, ``receptors``, ``biomarkers``, ``labs``,
``performance``) only says what was tested, so a test that is absent makes its criterion ``unknown``. Dates are ISO
dates; values are as the source reported them, with their unit (the matcher converts units before comparing).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Sex = Literal["female", "male"]
Setting = Literal["metastatic", "advanced", "adjuvant", "neoadjuvant", "early", "maintenance"]
Response = Literal["CR", "PR", "SD", "PD", "NE"]

__all__ = [
    "BrainMetastasesStatus",
    "CardiacStatus",
    "DiagnosisRecord",
    "HER2Result",
    "LabResult",
    "MarkerResult",
    "Patient",
    "PerformanceScore",
    "PriorCancer",
    "ReceptorResult",
    "TherapyRecord",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DiagnosisRecord(_Model):
    """A cancer diagnosis: the cancer (vocabulary name or free text), histology and when it was confirmed."""

    cancer: str = Field(description="e.g. 'breast cancer'; matched through the cancer vocabulary's synonyms.")
    histology: str | None = Field(default=None, description="e.g. 'invasive ductal carcinoma'.")
    histologically_confirmed: bool | None = None
    diagnosed_on: date | None = None


class HER2Result(_Model):
    """One HER2 test: IHC score and/or ISH (ratio, copy number, or the lab's call)."""

    ihc_score: Literal["0", "0+", "1+", "2+", "3+"] | None = Field(default=None, description="'0+' is read as '0'.")
    ish_ratio: float | None = Field(default=None, ge=0, description="HER2/CEP17 ratio.")
    ish_copy_number: float | None = Field(default=None, ge=0, description="Mean HER2 signals per cell.")
    ish_status: Literal["positive", "negative", "equivocal"] | None = None
    tested_on: date | None = None


class ReceptorResult(_Model):
    """A hormone-receptor test (ER, PR or AR): percent of stained cells and/or the lab's call."""

    receptor: Literal["ER", "PR", "AR"]
    percent: float | None = Field(default=None, ge=0, le=100)
    status: Literal["positive", "negative", "low"] | None = None
    tested_on: date | None = None


class MarkerResult(_Model):
    """Any other biomarker: a gene or protein and what was found (or that it was not found)."""

    marker: str = Field(description="e.g. 'PIK3CA', 'BRCA1', 'PD-L1'; matched through the marker vocabulary.")
    alteration: str | None = Field(default=None, description="e.g. 'H1047R', 'germline mutation', 'CPS 10'.")
    present: bool = Field(default=True, description="False for a test that found no alteration (wild type).")
    tested_on: date | None = None


class PerformanceScore(_Model):
    """A performance-status score on one scale."""

    scale: Literal["ECOG", "Karnofsky", "WHO", "Lansky"] = "ECOG"
    score: int = Field(ge=0, le=100)
    assessed_on: date | None = None


class BrainMetastasesStatus(_Model):
    """Brain metastases as the record states them; ``present=False`` means imaging showed none."""

    present: bool | None = None
    treated: bool | None = None
    stable_since: date | None = Field(default=None, description="Date since which imaging shows them stable.")
    symptomatic: bool | None = None
    on_steroids: bool | None = None
    leptomeningeal: bool | None = None


class TherapyRecord(_Model):
    """One prior (or current) anticancer therapy: a drug, a regimen, surgery or radiotherapy."""

    agent: str = Field(description="Drug or treatment as recorded ('T-DXd', 'trastuzumab', 'radiotherapy').")
    setting: Setting | None = None
    line: int | None = Field(default=None, ge=1, description="Line of therapy for advanced disease, if known.")
    start: date | None = None
    end: date | None = Field(default=None, description="Last dose; None with a start date means ongoing.")
    best_response: Response | None = None
    progression_on: date | None = Field(default=None, description="Date of progression on or after it.")


class LabResult(_Model):
    """One lab value with its unit; ``uln``/``lln`` are the reporting lab's normal limits, in the same unit."""

    analyte: str = Field(description="Analyte name or LOINC-mapped name ('ANC', 'bilirubin', 'creatinine clearance').")
    value: float
    unit: str | None = Field(default=None, description="As reported, e.g. '10^9/L', '/mm3', 'mg/dL', 'umol/L'.")
    uln: float | None = None
    lln: float | None = None
    measured_on: date | None = None


class CardiacStatus(_Model):
    """Cardiac function measurements."""

    lvef_percent: float | None = Field(default=None, ge=0, le=100)
    lvef_lln_percent: float | None = Field(default=None, description="The institution's LLN for LVEF.")
    qtc_ms: float | None = Field(default=None, ge=0)
    nyha_class: int | None = Field(default=None, ge=1, le=4)
    conditions: list[str] | None = Field(
        default=None, description="Cardiac history, e.g. 'myocardial infarction'; None: not recorded, []: none."
    )
    measured_on: date | None = None


class PriorCancer(_Model):
    """Another (earlier) malignancy than the one the trial is for."""

    cancer: str
    diagnosed_on: date | None = None
    treatment_ended_on: date | None = None
    in_remission: bool | None = None


class Patient(_Model):
    """One patient, as much as is known. ``assessed_on`` is the date windows and data ages are measured from."""

    patient_id: str | None = None
    assessed_on: date | None = Field(default=None, description="Defaults to today when matching.")
    birth_date: date | None = None
    age_years: float | None = Field(default=None, ge=0, description="Used when birth_date is absent.")
    sex: Sex | None = None
    diagnoses: list[DiagnosisRecord] = Field(default_factory=list)
    stage: str | None = Field(default=None, description="Overall stage as written ('IV', 'IIIB', '0').")
    metastatic: bool | None = None
    locally_advanced: bool | None = None
    recurrent: bool | None = None
    metastatic_sites: list[str] | None = Field(
        default=None, description="Organs with metastases, e.g. 'bone', 'liver'; None: not recorded, []: none."
    )
    lesion_count: int | None = Field(default=None, ge=0, description="Number of metastatic lesions.")
    organ_count: int | None = Field(default=None, ge=0, description="Number of organs with metastases.")
    measurable_disease: Literal["measurable", "evaluable", "none"] | None = Field(
        default=None, description="RECIST: measurable, non-measurable but evaluable, or no evaluable disease."
    )
    her2: list[HER2Result] = Field(default_factory=list, description="HER2 tests; the latest counts.")
    receptors: list[ReceptorResult] = Field(default_factory=list)
    biomarkers: list[MarkerResult] = Field(default_factory=list)
    performance: list[PerformanceScore] = Field(default_factory=list, description="Scores; the latest counts.")
    brain_metastases: BrainMetastasesStatus | None = None
    therapies: list[TherapyRecord] | None = Field(
        default=None, description="Anticancer treatment history; None: not recorded, []: treatment-naive."
    )
    labs: list[LabResult] = Field(default_factory=list)
    cardiac: CardiacStatus | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    active_infections: list[str] | None = Field(
        default=None, description="e.g. 'HIV', 'hepatitis B'; None: not recorded, []: none active."
    )
    prior_malignancies: list[PriorCancer] | None = Field(
        default=None, description="Other cancers than the one the trial is for; None: not recorded, []: none."
    )
    life_expectancy_months: float | None = Field(default=None, ge=0)
    bmi: float | None = Field(default=None, ge=0)
    consented: bool | None = Field(default=None, description="Able and willing to give informed consent.")
