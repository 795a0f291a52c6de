"""eligibility-extractor: typed, evidence-grounded clinical-trial eligibility criteria.

>>> import extractor
>>> result = extractor.extract("Inclusion Criteria:\\n* ECOG 0-1", trial_id="demo")
>>> [c.kind for c in result.criteria]
['performance_status']

Many trials, resumably, into one output file: ``extractor.extract_many(inputs, "out.jsonl")`` (returns a
:class:`RunSummary`); read it back with ``extractor.read_records("out.jsonl")``. Pre-screen a patient
against a trial's criteria: ``extractor.match(patient, criteria_set)`` (a :class:`MatchResult`).
"""

from extractor._version import __version__
from extractor.api import aextract, extract
from extractor.batch.models import DryRunReport, RunSummary
from extractor.errors import (
    ConfigError,
    ContextLengthError,
    ExtractorError,
    GoldError,
    InputError,
    LLMError,
    OutputValidationError,
    PromptError,
    TransportError,
    TrialTimeoutError,
    TruncatedOutputError,
)
from extractor.llm.config import LLMConfig
from extractor.match import MatchSettings, match
from extractor.models import (
    HER2,
    KINDS,
    Age,
    Biomarker,
    BrainMetastases,
    Cardiac,
    Consent,
    CriteriaSet,
    Criterion,
    Diagnosis,
    Evidence,
    HormoneReceptor,
    Infection,
    Item,
    Lab,
    LifeExpectancy,
    MeasurableDisease,
    MetastaticBurden,
    Other,
    OutputRecord,
    PerformanceStatus,
    Pregnancy,
    PriorMalignancy,
    PriorTherapy,
    Provenance,
    Segmentation,
    Sex,
    Stage,
    TokenUsage,
    Trial,
)
from extractor.models.match import MatchResult
from extractor.models.patient import Patient
from extractor.run import estimate_many, extract_many, read_records
from extractor.segment import segment

__all__ = [
    "HER2",
    "KINDS",
    "Age",
    "Biomarker",
    "BrainMetastases",
    "Cardiac",
    "ConfigError",
    "Consent",
    "ContextLengthError",
    "CriteriaSet",
    "Criterion",
    "Diagnosis",
    "DryRunReport",
    "Evidence",
    "ExtractorError",
    "GoldError",
    "HormoneReceptor",
    "Infection",
    "InputError",
    "Item",
    "LLMConfig",
    "LLMError",
    "Lab",
    "LifeExpectancy",
    "MatchResult",
    "MatchSettings",
    "MeasurableDisease",
    "MetastaticBurden",
    "Other",
    "OutputRecord",
    "OutputValidationError",
    "Patient",
    "PerformanceStatus",
    "Pregnancy",
    "PriorMalignancy",
    "PriorTherapy",
    "PromptError",
    "Provenance",
    "RunSummary",
    "Segmentation",
    "Sex",
    "Stage",
    "TokenUsage",
    "TransportError",
    "Trial",
    "TrialTimeoutError",
    "TruncatedOutputError",
    "__version__",
    "aextract",
    "estimate_many",
    "extract",
    "extract_many",
    "match",
    "read_records",
    "segment",
]
