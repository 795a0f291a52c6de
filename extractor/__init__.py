"""eligibility-extractor: typed, evidence-grounded clinical-trial eligibility criteria.

>>> import extractor
>>> result = extractor.extract("Inclusion Criteria:\\n* ECOG 0-1", trial_id="demo")
>>> [c.kind for c in result.criteria]
['performance_status']
"""

from extractor._version import __version__
from extractor.api import aextract, extract
from extractor.errors import (
    ConfigError,
    ExtractorError,
    GoldError,
    GroundingError,
    InputError,
    LLMError,
    OutputValidationError,
    PromptError,
    TransportError,
    TruncatedOutputError,
)
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
from extractor.segment import segment

__all__ = [
    "HER2", "KINDS", "Age", "Biomarker", "BrainMetastases", "Cardiac", "ConfigError", "Consent", "CriteriaSet",
    "Criterion", "Diagnosis", "Evidence", "ExtractorError", "GoldError", "GroundingError", "HormoneReceptor",
    "Infection", "InputError", "Item", "LLMError", "Lab", "LifeExpectancy", "MeasurableDisease",
    "MetastaticBurden", "Other", "OutputValidationError", "PerformanceStatus", "Pregnancy", "PriorMalignancy",
    "PriorTherapy", "PromptError", "Provenance", "Segmentation", "Sex", "Stage", "TokenUsage",
    "TransportError", "Trial", "TruncatedOutputError", "__version__", "aextract", "extract", "segment",
]
