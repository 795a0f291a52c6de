"""The typed contract: criterion kinds, trial input, segmentation and results."""

from extractor.kinds import CRITERION_TYPES, KIND_TYPES, KINDS, Criterion
from extractor.kinds.age import Age
from extractor.kinds.biomarker import Biomarker
from extractor.kinds.brain_metastases import BrainMetastases
from extractor.kinds.cardiac import Cardiac
from extractor.kinds.consent import Consent
from extractor.kinds.diagnosis import Diagnosis
from extractor.kinds.her2 import HER2
from extractor.kinds.hormone_receptor import HormoneReceptor
from extractor.kinds.infection import Infection
from extractor.kinds.lab import Lab
from extractor.kinds.life_expectancy import LifeExpectancy
from extractor.kinds.measurable_disease import MeasurableDisease
from extractor.kinds.metastatic_burden import MetastaticBurden
from extractor.kinds.other import Other
from extractor.kinds.performance_status import PerformanceStatus
from extractor.kinds.pregnancy import Pregnancy
from extractor.kinds.prior_malignancy import PriorMalignancy
from extractor.kinds.prior_therapy import PriorTherapy
from extractor.kinds.sex import Sex
from extractor.kinds.stage import Stage
from extractor.models.criteria import BASE_FIELDS, Comparator, CriterionBase, Evidence, Polarity
from extractor.models.records import (
    CriteriaSet,
    ErrorInfo,
    NumberFlag,
    OutputRecord,
    Provenance,
    Rejected,
    TokenUsage,
    Trial,
)
from extractor.models.schemas import SCHEMA_VERSION, json_schema
from extractor.models.segmentation import Item, Section, Segmentation

__all__ = [
    "BASE_FIELDS",
    "CRITERION_TYPES",
    "HER2",
    "KINDS",
    "KIND_TYPES",
    "SCHEMA_VERSION",
    "Age",
    "Biomarker",
    "BrainMetastases",
    "Cardiac",
    "Comparator",
    "Consent",
    "CriteriaSet",
    "Criterion",
    "CriterionBase",
    "Diagnosis",
    "ErrorInfo",
    "Evidence",
    "HormoneReceptor",
    "Infection",
    "Item",
    "Lab",
    "LifeExpectancy",
    "MeasurableDisease",
    "MetastaticBurden",
    "NumberFlag",
    "Other",
    "OutputRecord",
    "PerformanceStatus",
    "Polarity",
    "Pregnancy",
    "PriorMalignancy",
    "PriorTherapy",
    "Provenance",
    "Rejected",
    "Section",
    "Segmentation",
    "Sex",
    "Stage",
    "TokenUsage",
    "Trial",
    "json_schema",
]

from extractor.models.gold import GoldText, GoldTrial

__all__ += ["GoldText", "GoldTrial"]
