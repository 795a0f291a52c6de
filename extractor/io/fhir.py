"""Read an mCODE / FHIR R4 patient Bundle into a :class:`~extractor.models.patient.Patient`.

Resources are validated with fhir.resources' R4B models (FHIR 4.3, the R4 line: R4 JSON reads unchanged for the
resources used here). What is read:

* ``Patient``: ``birthDate``, ``gender`` (female / male; ``other`` / ``unknown`` leave ``sex`` unset; any other
  value is an :class:`InputError`), ``id``.
* ``Condition``: a primary cancer (mCODE primary-cancer-condition profile, or a cancer word in its code) becomes a
  diagnosis, with histology from mCODE's histology-morphology-behavior extension and stage from ``Condition.stage``;
  a secondary cancer (mCODE secondary-cancer-condition, a SNOMED secondary-neoplasm code, or "metasta"/"secondary"
  in its code) adds its site (``bodySite``, else the code) to ``metastatic_sites``; a brain site sets brain
  metastases present, a meningeal one leptomeningeal disease. Other conditions are not read.
* ``Observation`` by LOINC code (the table in ``fhir_codes.yaml``, each code's source cited there): HER2 IHC, ISH
  and ratio (tests of one date merged into one result), ER / PR, ECOG / Karnofsky, stage group, LVEF, QTc and
  labs (value, unit as reported, ``referenceRange`` high / low as ULN / LLN when in the value's unit,
  ``effectiveDateTime`` as the date).
* ``MedicationStatement``, ``MedicationAdministration`` (merged per agent: first to last dose) and ``Procedure``
  (except diagnostic ones) become prior therapies (agent, start, end); ``Medication`` resources name referenced drugs.

Other FHIR resources are ignored and counted (logged at INFO); a resourceType that is no FHIR resource, or a
malformed bundle, raises :class:`InputError` naming the entry (index, resourceType) and the field.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Any, Literal

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import BaseModel, ConfigDict, ValidationError

from extractor.errors import InputError
from extractor.models.patient import (
    BrainMetastasesStatus,
    CardiacStatus,
    DiagnosisRecord,
    HER2Result,
    LabResult,
    Patient,
    PerformanceScore,
    ReceptorResult,
    TherapyRecord,
)
from extractor.vocab import package_yaml

__all__ = ["patient_from_bundle"]

log = logging.getLogger(__name__)

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
READ = frozenset(
    {
        "Patient",
        "Condition",
        "Observation",
        "MedicationStatement",
        "MedicationAdministration",
        "Procedure",
        "Medication",
    }
)
Target = Literal["her2_ihc", "her2_ish", "her2_ish_ratio", "receptor", "performance", "stage", "lvef", "qtc", "lab"]
Result = Literal["positive", "negative", "equivocal"]


class _Loinc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    target: Target
    name: str
    analyte: str | None = None
    receptor: Literal["ER", "PR"] | None = None
    scale: Literal["ECOG", "Karnofsky"] | None = None


class _Codes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    loinc: dict[str, _Loinc]
    snomed_results: dict[str, Result]
    secondary_sites: dict[str, str]
    diagnostic_procedure_categories: list[str]


@cache
def _codes() -> _Codes:
    return package_yaml("extractor.io", "fhir_codes.yaml", _Codes)


def patient_from_bundle(data: Any) -> Patient:
    """The patient in a FHIR R4 ``Bundle`` (parsed JSON); :class:`InputError` naming the entry and field if malformed.

    Resources and Observations it does not read are counted and logged at INFO on ``extractor.io.fhir``.
    """
    patient, ignored = _read_bundle(data)
    if ignored:
        log.info("FHIR bundle: ignored %s", ", ".join(f"{n} {what}" for what, n in sorted(ignored.items())))
    return patient


# ------------------------------------------------------------------------------------------------ parsing


def _read_bundle(data: Any) -> tuple[Patient, Counter[str]]:
    """The patient and what was ignored (``"Encounter"``, ``"Observation (code not mapped)"``, ...) with counts."""
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise InputError("not a FHIR Bundle (resourceType must be 'Bundle')", field="resourceType")
    entries = data.get("entry", [])
    if not isinstance(entries, list):
        raise InputError("Bundle.entry must be a list", field="entry")
    try:
        Bundle.model_validate({k: v for k, v in data.items() if k != "entry"})
    except ValidationError as e:
        err = e.errors()[0]
        raise InputError(f"Bundle: {err['msg']}", field=_loc(err["loc"]) or None) from None
    builder = _Builder()
    parsed: list[tuple[int, str, Any]] = []
    for i, entry in enumerate(entries):
        res = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(res, dict):
            raise InputError(f"entry {i} has no resource object", field=f"entry[{i}].resource")
        rtype = res.get("resourceType")
        if not isinstance(rtype, str) or not rtype:
            raise InputError(f"entry {i}: resource has no resourceType", field=f"entry[{i}].resource.resourceType")
        if rtype not in READ:
            try:
                get_fhir_model_class(rtype)
            except ValueError:  # a misspelt type would silently drop the data
                raise InputError(
                    f"entry {i}: {rtype!r} is not a FHIR R4 resource type", field=f"entry[{i}].resource.resourceType"
                ) from None
            builder.ignored[rtype] += 1
            continue
        try:
            parsed.append((i, rtype, get_fhir_model_class(rtype).model_validate(res)))
        except ValidationError as e:
            err = e.errors()[0]
            where = f"entry[{i}].resource" + (f".{_loc(err['loc'])}" if err["loc"] else "")
            raise InputError(f"entry {i} ({rtype}): {err['msg']}", field=where) from None
    for _, rtype, res in parsed:
        if rtype == "Medication":
            builder.medications[f"Medication/{res.id}"] = _text(res.code)
    for i, rtype, res in parsed:
        if rtype != "Medication":
            getattr(builder, f"add_{rtype}")(i, res)
    return builder.patient(), builder.ignored


def _loc(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _date(value: Any) -> date | None:
    """A FHIR date / dateTime (or a partial ``YYYY`` / ``YYYY-MM`` string, read as its first day) as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        padded = {4: "-01-01", 7: "-01"}.get(len(value), "")
        try:
            return date.fromisoformat((value + padded)[:10])
        except ValueError:
            return None
    return None


def _clean(text: str) -> str:
    """A SNOMED display without its semantic tag: 'Bone structure (body structure)' -> 'Bone structure'."""
    return re.sub(
        r"\s*\((disorder|body structure|morphologic abnormality|qualifier value|finding)\)$", "", text
    ).strip()


def _text(cc: Any) -> str | None:
    """A CodeableConcept's text, else its first coding's display, else its first code."""
    if cc is None:
        return None
    if cc.text:
        return str(cc.text)
    for coding in cc.coding or []:
        if coding.display:
            return _clean(str(coding.display))
    for coding in cc.coding or []:
        if coding.code:
            return str(coding.code)
    return None


def _codes_of(cc: Any, system: str) -> list[str]:
    return [str(c.code) for c in (cc.coding or []) if c.system == system and c.code] if cc is not None else []


def _profiles(res: Any) -> str:
    return " ".join(str(p) for p in (res.meta.profile or [])) if res.meta is not None else ""


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


# ------------------------------------------------------------------------------------------------ building

_CANCER_WORDS = re.compile(
    r"(?i)cancer|carcinoma|neoplasm|malignan|tumou?r|sarcoma|lymphoma|leuk(a)?emia|melanoma|myeloma|glioma|blastoma"
)
_SECONDARY_WORDS = re.compile(r"(?i)metasta|secondary")
_STAGE = re.compile(r"(?i)\bstage\s+([0IV]{1,4}[A-C]?[1-3]?)\b|^\s*([0IV]{1,4}[A-C]?[1-3]?)\s*$")
_IHC = re.compile(r"^\s*([0-3])\s*\+?\s*$|\b([0-3])\s*\+")
_RESULT_WORDS = re.compile(r"(?i)\b(positive|negative|equivocal)\b")
_RESULTS: dict[str, Result] = {"positive": "positive", "negative": "negative", "equivocal": "equivocal"}
_INTERPRETATION: dict[str, Result] = {"POS": "positive", "NEG": "negative", "IND": "equivocal"}
IHCScore = Literal["0", "1+", "2+", "3+"]
_IHC_SCORES: dict[str, IHCScore] = {"0": "0", "1": "1+", "2": "2+", "3": "3+"}
_SKIP_STATUS = frozenset({"entered-in-error", "cancelled", "not-done", "not-taken", "refuted"})


class _Builder:
    """Accumulates what the resources say, then builds the :class:`Patient`."""

    def __init__(self) -> None:
        self.ignored: Counter[str] = Counter()
        self.medications: dict[str, str | None] = {}
        self.fields: dict[str, Any] = {}
        self.patient_ids: set[str | None] = set()
        self.diagnoses: list[DiagnosisRecord] = []
        self.stage: tuple[date | None, str] | None = None
        self.sites: list[str] = []
        self.her2: dict[date | None, dict[str, Any]] = defaultdict(dict)
        self.receptors: list[ReceptorResult] = []
        self.performance: list[PerformanceScore] = []
        self.labs: list[LabResult] = []
        self.cardiac: dict[str, tuple[date | None, float]] = {}
        self.therapies: list[TherapyRecord] = []
        self.administered: dict[str, list[date]] = defaultdict(list)

    # -------------------------------------------------------------------------- resources

    def add_Patient(self, i: int, res: Any) -> None:  # noqa: N802 (named after the resource type)
        self.patient_ids.add(res.id)
        if len(self.patient_ids) > 1:
            raise InputError(f"entry {i} (Patient): the bundle holds more than one patient", field=f"entry[{i}]")
        self.fields["patient_id"] = res.id
        self.fields["birth_date"] = _date(res.birthDate)
        if res.gender in ("female", "male"):
            self.fields["sex"] = res.gender
        elif res.gender not in (None, "other", "unknown"):  # R4's administrative-gender codes
            raise InputError(
                f"entry {i} (Patient): gender {res.gender!r} is not female, male, other or unknown",
                field=f"entry[{i}].resource.gender",
            )

    def add_Condition(self, i: int, res: Any) -> None:  # noqa: N802
        if _status(res.verificationStatus) in _SKIP_STATUS:
            return
        name = _text(res.code) or ""
        profiles = _profiles(res)
        site_codes = _codes().secondary_sites
        sct = _codes_of(res.code, SNOMED)
        if (
            "secondary-cancer-condition" in profiles
            or any(c in site_codes for c in sct)
            or _SECONDARY_WORDS.search(name)
        ):
            self.sites.append(_site(res, name, [site_codes[c] for c in sct if c in site_codes]))
        elif "primary-cancer-condition" in profiles or _CANCER_WORDS.search(name):
            histology = next(
                (
                    _text(x.valueCodeableConcept)
                    for x in res.extension or []
                    if x.url.endswith("histology-morphology-behavior")
                ),
                None,
            )
            on = _date(res.onsetDateTime) or _date(res.recordedDate)
            self.diagnoses.append(DiagnosisRecord(cancer=name or "cancer", histology=histology, diagnosed_on=on))
            for stage in res.stage or []:
                self._stage(on, _text(stage.summary))
        else:
            self.ignored["Condition (not a cancer)"] += 1

    def add_Observation(self, i: int, res: Any) -> None:  # noqa: N802
        if res.status in _SKIP_STATUS:
            self.ignored[f"Observation ({res.status})"] += 1
            return
        entry = next((_codes().loinc[c] for c in _codes_of(res.code, LOINC) if c in _codes().loinc), None)
        if entry is None:
            self.ignored["Observation (code not mapped)"] += 1
            return
        on = _date(res.effectiveDateTime) or _date(res.effectivePeriod.start if res.effectivePeriod else None)
        if not self._observation(entry, res, on):
            self.ignored[f"Observation {entry.target} (no usable value)"] += 1

    def add_MedicationStatement(self, i: int, res: Any) -> None:  # noqa: N802
        if res.status in _SKIP_STATUS:
            return
        period = res.effectivePeriod
        start = _date(period.start) if period else _date(res.effectiveDateTime)
        end = _date(period.end) if period else None
        self.therapies.append(TherapyRecord(agent=self._drug(i, res), start=start, end=end))

    def add_MedicationAdministration(self, i: int, res: Any) -> None:  # noqa: N802
        if res.status in _SKIP_STATUS:
            return
        period = res.effectivePeriod
        days = [_date(period.start), _date(period.end)] if period else [_date(res.effectiveDateTime)]
        self.administered[self._drug(i, res)].extend(d for d in days if d is not None)

    def add_Procedure(self, i: int, res: Any) -> None:  # noqa: N802
        if res.status in _SKIP_STATUS:
            return
        if any(c in _codes().diagnostic_procedure_categories for c in _codes_of(res.category, SNOMED)):
            self.ignored["Procedure (diagnostic)"] += 1
            return
        period = res.performedPeriod
        start = _date(period.start) if period else _date(res.performedDateTime)
        end = _date(period.end) if period else start
        self.therapies.append(TherapyRecord(agent=_text(res.code) or "procedure", start=start, end=end))

    # -------------------------------------------------------------------------- helpers

    def _drug(self, i: int, res: Any) -> str:
        ref = res.medicationReference
        name = _text(res.medicationCodeableConcept) or (
            (ref.display or self.medications.get(str(ref.reference))) if ref is not None else None
        )
        if not name:
            kind = type(res).__name__
            raise InputError(f"entry {i} ({kind}): no medication named", field=f"entry[{i}].resource.medication[x]")
        return str(name)

    def _stage(self, on: date | None, text: str | None) -> bool:
        m = _STAGE.search(text or "")
        if m is None:
            return False
        if self.stage is None or (on or date.min) >= (self.stage[0] or date.min):
            self.stage = (on, (m.group(1) or m.group(2)).upper())
        return True

    def _observation(self, entry: _Loinc, res: Any, on: date | None) -> bool:
        """Record one mapped Observation; False when it holds no value this reader can use."""
        qty = res.valueQuantity
        value, unit = (_float(qty.value), qty.unit or qty.code) if qty is not None else (None, None)
        if entry.target == "lab":
            if value is None or entry.analyte is None:
                return False
            uln, lln = _range(res, unit)
            self.labs.append(LabResult(analyte=entry.analyte, value=value, unit=unit, uln=uln, lln=lln, measured_on=on))
        elif entry.target in ("lvef", "qtc"):
            if value is None:
                return False
            if entry.target == "qtc" and unit in ("s", "sec"):
                value *= 1000
            self._cardiac(f"{entry.target}", value, on)
            low = _range(res, unit)[1]
            if entry.target == "lvef" and low is not None:
                self._cardiac("lvef_lln", low, on)
        elif entry.target == "performance":
            score = _integer(res)
            if score is None or entry.scale is None:
                return False
            self.performance.append(PerformanceScore(scale=entry.scale, score=score, assessed_on=on))
        elif entry.target == "stage":
            return self._stage(on, _text(res.valueCodeableConcept) or res.valueString)
        elif entry.target == "receptor":
            status = _result(res)
            percent = value if unit == "%" else None
            if (status is None and percent is None) or entry.receptor is None:
                return False
            self.receptors.append(ReceptorResult(receptor=entry.receptor, percent=percent, status=status, tested_on=on))
        else:
            return self._her2(entry.target, res, value, on)
        return True

    def _her2(self, target: str, res: Any, value: float | None, on: date | None) -> bool:
        test = self.her2[on]
        if target == "her2_ihc":
            score = _ihc(res, value)
            if score is None:
                return False
            test["ihc_score"] = score
        elif target == "her2_ish_ratio":
            ratio = value if value is not None else _float(res.valueRatio.numerator.value) if res.valueRatio else None
            if ratio is None:
                return False
            test["ish_ratio"] = ratio
        else:
            status = _result(res)
            if status is None:
                return False
            test["ish_status"] = status
        return True

    def _cardiac(self, key: str, value: float, on: date | None) -> None:
        old = self.cardiac.get(key)
        if old is None or (on or date.min) >= (old[0] or date.min):
            self.cardiac[key] = (on, value)

    def patient(self) -> Patient:
        """The patient the resources describe."""
        for agent, days in self.administered.items():
            self.therapies.append(
                TherapyRecord(agent=agent, start=min(days, default=None), end=max(days, default=None))
            )
        sites = list(dict.fromkeys(self.sites))
        brain = any("brain" in s for s in sites)
        lepto = any("mening" in s for s in sites)
        fields: dict[str, Any] = dict(self.fields)
        if self.stage is not None:
            fields["stage"] = self.stage[1]
        if sites:
            fields |= {"metastatic": True, "metastatic_sites": sites, "organ_count": len(sites)}
        elif self.stage is not None and self.stage[1].startswith("IV"):
            fields["metastatic"] = True
        if brain or lepto:
            fields["brain_metastases"] = BrainMetastasesStatus(present=brain or None, leptomeningeal=lepto or None)
        if self.cardiac:
            fields["cardiac"] = CardiacStatus(
                lvef_percent=_get(self.cardiac, "lvef"),
                lvef_lln_percent=_get(self.cardiac, "lvef_lln"),
                qtc_ms=_get(self.cardiac, "qtc"),
                measured_on=max((d for d, _ in self.cardiac.values() if d is not None), default=None),
            )
        her2 = [HER2Result(tested_on=on, **test) for on, test in self.her2.items() if test]
        return Patient(
            diagnoses=self.diagnoses,
            her2=her2,
            receptors=self.receptors,
            performance=self.performance,
            labs=self.labs,
            therapies=self.therapies or None,
            **fields,
        )


def _get(values: dict[str, tuple[date | None, float]], key: str) -> float | None:
    return values[key][1] if key in values else None


def _status(cc: Any) -> str | None:
    codes = [str(c.code) for c in (cc.coding or [])] if cc is not None else []
    return codes[0] if codes else None


def _site(res: Any, name: str, from_code: list[str]) -> str:
    """A secondary cancer's site: its bodySite, else the site its SNOMED code names, else its code's words."""
    for body in res.bodySite or []:
        text = _text(body)
        if text:
            return re.sub(r"(?i)^structure of |\s*structure$", "", text).strip().lower()
    if from_code:
        return from_code[0]
    m = re.search(r"(?i)\b(?:of|to|in)\s+(?:the\s+)?([a-z ]+?)\s*$", name)
    return (m.group(1) if m else name).lower()


def _range(res: Any, unit: str | None) -> tuple[float | None, float | None]:
    """The first referenceRange's (high, low), each kept only when it is in the value's unit (or names none)."""
    for rr in res.referenceRange or []:
        out: list[float | None] = []
        for q in (rr.high, rr.low):
            q_unit = (q.unit or q.code) if q is not None else None
            ok = q is not None and q.value is not None and (q_unit is None or unit is None or q_unit == unit)
            out.append(_float(q.value) if ok and q is not None else None)
        return out[0], out[1]
    return None, None


def _result(res: Any) -> Result | None:
    """positive / negative / equivocal from the SNOMED value, the value's words or the interpretation code."""
    cc = res.valueCodeableConcept
    for code in _codes_of(cc, SNOMED):
        if code in _codes().snomed_results:
            return _codes().snomed_results[code]
    m = _RESULT_WORDS.search(" ".join(filter(None, [_text(cc), res.valueString])))
    if m:
        return _RESULTS[m.group(1).lower()]
    for interp in res.interpretation or []:
        for coding in interp.coding or []:
            if str(coding.code) in _INTERPRETATION:
                return _INTERPRETATION[str(coding.code)]
    return None


def _ihc(res: Any, value: float | None) -> IHCScore | None:
    if value is None and res.valueInteger is not None:
        value = float(res.valueInteger)
    text = " ".join(filter(None, [_text(res.valueCodeableConcept), res.valueString]))
    m = _IHC.search(text)
    digit = (
        (m.group(1) or m.group(2)) if m else (str(int(value)) if value is not None and value in (0, 1, 2, 3) else None)
    )
    return _IHC_SCORES.get(digit or "")


def _integer(res: Any) -> int | None:
    if res.valueInteger is not None:
        return int(res.valueInteger)
    if res.valueQuantity is not None and res.valueQuantity.value is not None:
        return int(res.valueQuantity.value)
    m = re.search(r"\b(\d{1,3})\b", " ".join(filter(None, [_text(res.valueCodeableConcept), res.valueString])))
    return int(m.group(1)) if m else None
