"""The typed contract: criterion kinds, trial input, segmentation and results."""

from extractor.models.criteria import (
    BASE_FIELDS,
    CRITERION_TYPES,
    HER2,
    KIND_TYPES,
    KINDS,
    Age,
    Biomarker,
    BrainMetastases,
    Cardiac,
    Comparator,
    Consent,
    Criterion,
    CriterionBase,
    Diagnosis,
    Evidence,
    HormoneReceptor,
    Infection,
    Lab,
    LifeExpectancy,
    MeasurableDisease,
    MetastaticBurden,
    Other,
    PerformanceStatus,
    Polarity,
    Pregnancy,
    PriorMalignancy,
    PriorTherapy,
    Sex,
    Stage,
)
from extractor.models.records import (
    CriteriaSet,
    ErrorInfo,
    Item,
    Provenance,
    Rejected,
    Section,
    Segmentation,
    TokenUsage,
    OutputRecord,
    Trial,
)

__all__ = [
    "BASE_FIELDS", "CRITERION_TYPES", "HER2", "KINDS", "KIND_TYPES", "Age", "Biomarker", "BrainMetastases",
    "Cardiac", "Comparator", "Consent", "CriteriaSet", "Criterion", "CriterionBase", "Diagnosis", "Evidence",
    "HormoneReceptor", "Infection", "Item", "Lab", "LifeExpectancy", "MeasurableDisease", "MetastaticBurden",
    "Other", "PerformanceStatus", "Polarity", "Pregnancy", "PriorMalignancy", "PriorTherapy", "Provenance",
    "ErrorInfo", "OutputRecord", "Rejected", "Section", "Segmentation", "Sex", "Stage", "TokenUsage", "Trial",
]

from extractor.models.gold import GoldText, GoldTrial

__all__ += ["GoldText", "GoldTrial"]
