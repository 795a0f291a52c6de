"""Patient pre-screening: :func:`match` judges a trial's typed criteria for one :class:`~extractor.models.patient.
Patient` (met / not_met / unknown / not_evaluable, each with a reason) and gives the verdict; :func:`rank` orders
many results; :func:`match_many` matches one patient against many trials, judging a recurring criterion once;
:class:`MatchSettings` holds the freshness windows.

One judge per criterion kind (``judges_tumour``, ``judges_history``, ``judges_clinical``), registered by kind name
in ``_base.JUDGES``; a kind without a judge is ``not_evaluable``. Registry fields are reconciled in ``registry``.
"""

from extractor.match.engine import match, match_many, rank
from extractor.match.registry import parse_age, parse_sex
from extractor.match.settings import MatchSettings

__all__ = ["MatchSettings", "match", "match_many", "parse_age", "parse_sex", "rank"]
