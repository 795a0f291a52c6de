"""The typed contract: criterion kinds, trial input, segmentation and results."""

from extractor.models.criteria import BASE_FIELDS, Comparator, CriterionBase, Evidence, Polarity
from extractor.models.segmentation import Item, Section, Segmentation  # before the kinds: their rules read items

from extractor.kinds import CRITERION_TYPES, KIND_TYPES, KINDS, Criterion  # noqa: E402,I001
from extractor.kinds.her2 import HER2  # noqa: E402
from extractor.kinds.hormone_receptor import HormoneReceptor  # noqa: E402
from extractor.kinds.biomarker import Biomarker  # noqa: E402
from extractor.kinds.performance_status import PerformanceStatus  # noqa: E402
from extractor.kinds.metastatic_burden import MetastaticBurden  # noqa: E402
from extractor.kinds.brain_metastases import BrainMetastases  # noqa: E402
from extractor.kinds.prior_therapy import PriorTherapy  # noqa: E402
from extractor.kinds.age import Age  # noqa: E402
from extractor.kinds.sex import Sex  # noqa: E402
from extractor.kinds.diagnosis import Diagnosis  # noqa: E402
from extractor.kinds.stage import Stage  # noqa: E402
from extractor.kinds.measurable_disease import MeasurableDisease  # noqa: E402
from extractor.kinds.lab import Lab  # noqa: E402
from extractor.kinds.cardiac import Cardiac  # noqa: E402
from extractor.kinds.life_expectancy import LifeExpectancy  # noqa: E402
from extractor.kinds.pregnancy import Pregnancy  # noqa: E402
from extractor.kinds.prior_malignancy import PriorMalignancy  # noqa: E402
from extractor.kinds.infection import Infection  # noqa: E402
from extractor.kinds.consent import Consent  # noqa: E402
from extractor.kinds.other import Other  # noqa: E402
from extractor.models.records import (  # noqa: E402
    CriteriaSet,
    ErrorInfo,
    OutputRecord,
    Provenance,
    Rejected,
    TokenUsage,
    Trial,
)

__all__ = [
    "BASE_FIELDS",
    "CRITERION_TYPES",
    "HER2",
    "KINDS",
    "KIND_TYPES",
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
]

from extractor.models.gold import GoldText, GoldTrial

__all__ += ["GoldText", "GoldTrial"]
