"""Rule family ``therapy``: prior_therapy from real corpus / seed phrasings (ids cite the source trial)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.models import PriorTherapy
from extractor.rules import therapy
from extractor.rules._common import ItemContext
from extractor.segment import segment
from tests.rules._support import BASE_FIELDS, as_dicts, run_family


def _run(section: str, text: str) -> tuple[str, list[dict[str, Any]]]:
    source, found = run_family(therapy.extract, text, exclusion=section == "exc")
    assert {c.kind for c in found} <= {"prior_therapy"}
    return source, as_dicts(found, BASE_FIELDS | {"kind"})


def _pt(agents: list[str], requirement: str, **kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"requirement": requirement, **kw}
    if agents:
        d["agents"] = agents
    return d


CASES = [
    # seeds
    pytest.param(
        "inc",
        "Patients with HER2+ inoperable locally advanced or metastatic breast cancer who previously "
        "received taxanes and trastuzumab;",
        [_pt(["taxane", "trastuzumab"], "required")],
        id="seed-001",
    ),
    pytest.param(
        "exc",
        "History of local breast radiotherapy after diagnosis;",
        [_pt(["radiotherapy"], "excluded")],
        id="seed-003-radiotherapy",
    ),
    pytest.param(
        "exc",
        "Have undergone a major breast cancer-free surgical procedure within 4 weeks before "
        "randomization, or the patient has not fully recovered from such a surgical procedure;",
        [_pt(["major surgery"], "excluded", within_weeks=4.0)],
        id="seed-003-surgery",
    ),
    pytest.param(
        "inc",
        "Patient must have received continuous anti-HER2 targeted therapy (including Trastuzumab, "
        "Trastuzumab/Pertuzumab, Trastuzumab-Deruxtecan or T-DM1) treatment for at least 2 years in any line "
        "setting, for their locally advanced inoperable or metastatic HER2 + breast cancer (prior treatment "
        "interruption of 3 months maximum is allowed), with complete response or partial response at last "
        "radiological assessment",
        [
            _pt(
                ["anti-her2 therapy", "trastuzumab", "pertuzumab", "trastuzumab deruxtecan", "trastuzumab emtansine"],
                "required",
                setting="any",
                min_duration_months=24.0,
                response_required=True,
            )
        ],
        id="seed-002",
    ),
    # lines
    pytest.param(
        "inc",
        "Patients must have received (or been intolerant to or ineligible for) at least 1 prior line "
        "of chemotherapy and received no more than 2 prior lines of systemic treatments for treatment of "
        "unresectable and/or metastatic disease.",
        [_pt(["chemotherapy", "systemic therapy"], "required", setting="metastatic", min_lines=1, max_lines=2)],
        id="NCT04429542",
    ),
    pytest.param(
        "inc",
        "Arm C: Patients with relapsed advanced or metastatic cSCC who have received no more than 2 "
        "prior lines of systemic therapy",
        [_pt(["systemic therapy"], "allowed", max_lines=2)],
        id="NCT05479812",
    ),
    pytest.param(
        "inc",
        "Patients must have received 1-3 prior systemic therapies",
        [_pt(["systemic therapy"], "required", min_lines=1, max_lines=3)],
        id="NCT04633239",
    ),
    pytest.param(
        "inc",
        "Monotherapy Cohort M5:        Has metastatic uveal melanoma, and has received ≤ 2 prior lines "
        "of prior systemic therapy.",
        [_pt(["systemic therapy"], "allowed", max_lines=2)],
        id="NCT04130516",
    ),
    pytest.param(
        "inc",
        "Has received at least one prior line of therapy with progression or intolerance",
        [_pt([], "required", min_lines=1)],
        id="NCT04511039",
    ),
    pytest.param(
        "inc",
        "Patients must have had at least one prior line of cytotoxic chemotherapy",
        [_pt(["chemotherapy"], "required", min_lines=1)],
        id="NCT04585958",
    ),
    pytest.param(
        "inc",
        "Module B arm 1: patients who have progressed on ≤ 2 prior lines of endocrine therapy, "
        "including a prior CDK4/6 inhibitor.",
        [_pt(["endocrine therapy", "cdk4/6 inhibitor"], "required", max_lines=2)],
        id="NCT05573126",
    ),
    pytest.param(
        "inc",
        "no more than 2 prior line of cytotoxic chemotherapy in the metastatic setting allowed",
        [_pt(["chemotherapy"], "allowed", setting="metastatic", max_lines=2)],
        id="NCT05095207",
    ),
    # washouts (days / 7; comparators; exclusion polarity -> excluded)
    pytest.param(
        "exc", "Major surgery within 4 weeks", [_pt(["major surgery"], "excluded", within_weeks=4.0)], id="NCT02366819"
    ),
    pytest.param(
        "exc",
        "Major surgery within 4 weeks of start of repotrectinib treatment. Radiation therapy (except "
        "palliative to relieve bone pain) within 2 weeks of study entry.",
        [_pt(["major surgery"], "excluded", within_weeks=4.0), _pt(["radiotherapy"], "excluded", within_weeks=2.0)],
        id="NCT03093116",
    ),
    pytest.param(
        "exc",
        "Patients receiving any systemic chemotherapy or radiotherapy (except for palliative reasons) "
        "within 3 weeks prior to study treatment.",
        [_pt(["chemotherapy", "radiotherapy"], "excluded", within_weeks=3.0)],
        id="NCT03786796",
    ),
    pytest.param(
        "exc",
        "Received a live vaccine within 30 days of planned start of study medication",
        [_pt(["live vaccine"], "excluded", within_weeks=4.29)],
        id="NCT02332668",
    ),
    pytest.param(
        "exc",
        "Major surgery ≤ 1 week prior to starting study drug.",
        [_pt(["major surgery"], "excluded", within_weeks=1.0)],
        id="NCT06216938",
    ),
    pytest.param(
        "exc",
        "Treatment with investigational therapy within 28 days prior to initiation of study treatment",
        [_pt(["investigational agent"], "excluded", within_weeks=4.0)],
        id="NCT05200559",
    ),
    pytest.param(
        "inc",
        "Participants must be ≥2 weeks since any major surgery (excluding vascular access placement, "
        "mediastinoscopy, or biopsies performed by an interventional service)",
        [_pt(["major surgery"], "excluded", within_weeks=2.0)],
        id="NCT03586453",
    ),
    # required / excluded / allowed wording
    pytest.param(
        "inc",
        "Prior treatment with T-DXd (discontinued for progression and/or intolerance), which does not "
        "have to be the treatment immediately prior to enrollment on trial.",
        [_pt(["trastuzumab deruxtecan"], "required")],
        id="NCT06263543",
    ),
    pytest.param(
        "inc",
        "No prior radiation therapy or systemic treatment is allowed for patients undergoing resection "
        "of stage I, II, or III colon cancer.",
        [_pt(["radiotherapy", "systemic therapy"], "excluded")],
        id="NCT02172651-no",
    ),
    pytest.param(
        "inc",
        "Prior systemic treatment or radiation therapy is allowed for patients with resectable liver metastases.",
        [_pt(["systemic therapy", "radiotherapy"], "allowed")],
        id="NCT02172651-allowed",
    ),
    pytest.param(
        "inc",
        "No prior treatment with PD-1 or PD-L1 inhibitors in the metastatic/advanced setting.",
        [_pt(["pd-1/pd-l1 inhibitor"], "excluded", setting="metastatic")],
        id="NCT04981509",
    ),
    pytest.param(
        "exc",
        "Prior therapy with an anti-PD-1, anti-PD-L-1, or anti-PD-L2 agent.",
        [_pt(["pd-1 inhibitor", "pd-l1 inhibitor", "pd-l2 inhibitor"], "excluded")],
        id="NCT06385262",
    ),
    pytest.param(
        "exc",
        "Prior therapy with PD-1, PD-L1, or CTLA-4 inhibitors, or any other antibody or drug specifically targeting "
        "T-cell co-stimulation or immune checkpoint pathways.",
        [_pt(["pd-1 inhibitor", "pd-l1 inhibitor", "ctla-4 inhibitor"], "excluded")],
        id="NCT04840589",
    ),
    pytest.param(
        "exc",
        "Use of systemic corticosteroids within 15 days or other immunosuppressive drugs within 30 days prior to start "
        "of the study, with the exception of corticosteroids as replacement therapy up to an equivalent of prednisone "
        "10 mg/day, which are allowed.",
        [
            _pt(["corticosteroid"], "excluded", within_weeks=2.14),
            _pt(["immunosuppressive therapy"], "excluded", within_weeks=4.29),
            _pt(["corticosteroid", "prednisone"], "allowed"),
        ],
        id="NCT06090266",
    ),
    pytest.param(
        "exc",
        "Has received four or more systemic anticancer regimens for mCRPC.",
        [_pt(["systemic therapy"], "allowed", setting="metastatic", max_lines=3)],
        id="NCT03574571",
    ),
    pytest.param(
        "exc",
        "Participants who have had chemotherapy, immune therapy, other investigational therapy, or major surgery "
        "within 4 weeks (6 weeks for nitrosoureas or mitomycin C) prior to the first dose of study medication.",
        [
            _pt(
                ["chemotherapy", "immunotherapy", "investigational agent", "major surgery"],
                "excluded",
                within_weeks=4.0,
            ),
            _pt(["nitrosourea", "mitomycin"], "excluded", within_weeks=6.0),
        ],
        id="NCT03675893",
    ),
    pytest.param(
        "inc",
        "There should be a minimum of 4 weeks from any prior chemotherapy (except for the nitrosoureas and mitomycin "
        "C, requiring a minimum of 6 weeks), immunotherapy and/or radiation.",
        [
            _pt(["chemotherapy", "immunotherapy", "radiotherapy"], "excluded", within_weeks=4.0),
            _pt(["nitrosourea", "mitomycin"], "excluded", within_weeks=6.0),
        ],
        id="NCT06634875",
    ),
    pytest.param(
        "inc",
        "KRAS mutations of any variant except previously treated with any KRAS inhibitor",
        [_pt(["kras inhibitor"], "excluded")],
        id="NCT06704724",
    ),
    pytest.param(
        "inc",
        "Participants in Cohort B must have received at least 4 weeks of either abiraterone or enzalutamide treatment "
        "(but not both)",
        [_pt(["abiraterone", "enzalutamide"], "required", min_duration_months=0.92)],
        id="NCT02861573",
    ),
    pytest.param(
        "inc",
        "be venetoclax naive (required for dose expansion) or",
        [_pt(["venetoclax"], "excluded")],
        id="NCT03331198",
    ),
    # clauses: "allowed, but no prior X"; "as long as ... has not received"; negated line limits
    pytest.param(
        "exc",
        "Prior tamoxifen for history of ductal breast carcinoma in situ (DCIS) allowed, but no prior aromatase "
        "inhibitor, no prior chemotherapy and no prior HER2-targeted therapy",
        [_pt(["tamoxifen"], "allowed"), _pt(["aromatase inhibitor", "chemotherapy", "anti-her2 therapy"], "excluded")],
        id="NCT04553770-but",
    ),
    pytest.param(
        "exc",
        "Prior history of DCIS is allowed as long as patient has not received an aromatase inhibitor, has not "
        "received ipsilateral breast/chest radiation",
        [_pt(["aromatase inhibitor", "radiotherapy"], "excluded")],
        id="NCT04553770-as-long-as",
    ),
    pytest.param(
        "inc",
        "Participants must have not received more than 3 lines of systemic therapies including up to 1 line of "
        "cytotoxic chemotherapy for visceral disease in advanced or metastatic setting",
        [_pt(["systemic therapy", "chemotherapy"], "allowed", setting="metastatic", max_lines=3)],
        id="NCT04606446",
    ),
    pytest.param(
        "inc",
        "Participant has completed any radiotherapy (including stereotactic radiosurgery) at least 14 days prior to "
        "the start of study intervention administration.",
        [_pt(["radiotherapy"], "excluded", within_weeks=2.0)],
        id="NCT05382559",
    ),
    pytest.param(
        "inc",
        "Must be treatment naïve or have had treatment no less than 6 months prior to enrollment",
        [_pt(["systemic therapy"], "excluded", within_weeks=26.07)],
        id="NCT04513028",
    ),
    pytest.param(
        "inc",
        "Arm 1: Must be treatment naive (no prior cancer directed therapy)",
        [_pt(["systemic therapy"], "excluded")],
        id="NCT05170399",
    ),
    pytest.param(
        "exc",
        "Prior exposure to Ceralasertib",
        [_pt(["ceralasertib"], "excluded")],
        id="NCT04090567-unknown-drug-name",
    ),
    pytest.param(
        "exc",
        "Receipt of chemotherapy within 21 days prior to enrollment; hormonal therapy (not including LHRH analogs) "
        "within 7 days prior to enrollment; palliative radiation therapy within 7 days prior to enrollment",
        [
            _pt(["chemotherapy"], "excluded", within_weeks=3.0),
            _pt(["endocrine therapy"], "excluded", within_weeks=1.0),
            _pt(["androgen deprivation therapy"], "allowed", within_weeks=1.0),
            _pt(["radiotherapy"], "excluded", within_weeks=1.0),
        ],
        id="NCT04662580",
    ),
]


@pytest.mark.parametrize(("section", "text", "expected"), CASES)
def test_prior_therapy(section: str, text: str, expected: list[dict[str, Any]]) -> None:
    _source, got = _run(section, text)
    assert got == expected


NEGATIVES = [
    pytest.param("exc", "Hypersensitivity to pembrolizumab or any of its excipients", id="NCT03428802"),
    pytest.param(
        "exc",
        "Patients who have not recovered from adverse events due to prior systemic anti-cancer therapy (i.e., have "
        "residual toxicities  > grade 1 of the Common Terminology Criteria for Adverse Events  [CTCAE ] v5) or "
        "baseline",
        id="NCT04981509",
    ),
    pytest.param(
        "exc",
        "Consumed grapefruit, grapefruit products, Seville oranges, or star fruit within 7 days of starting venetoclax",
        id="NCT04169737",
    ),
    pytest.param(
        "exc",
        "Has any history of interstitial lung disease (ILD) (including pulmonary fibrosis or severe "
        "radiation pneumonitis), has current ILD/pneumonitis, or is suspected to have such disease by "
        "imaging at screening.",
        id="NCT03260491",
    ),
    pytest.param("inc", "Patient is not a candidate for potentially curative surgery or radiation.", id="NCT03476681"),
    pytest.param(
        "inc",
        "Female participant is not a woman of childbearing potential (WOCBP) or is a WOCBP who is "
        "abstinent from heterosexual intercourse or using contraception during the intervention period and "
        "for at least 120 days after the last dose of study intervention.",
        id="NCT02332668-contraception",
    ),
    pytest.param(
        "exc",
        "Any unresolved toxicities from prior therapy, including commercial osimertinib, greater than "
        "Common Terminology Criteria for Adverse Events (CTCAE) grade 1 at the time of starting study "
        "treatment",
        id="NCT03586453-toxicity",
    ),
    pytest.param(
        "inc", "Absolute neutrophil count (ANC) ≥ 1000/mm\\^3 (≤ 15 days prior to registration)", id="NCT06639074"
    ),
]


@pytest.mark.parametrize(("section", "text"), NEGATIVES)
def test_false_friends(section: str, text: str) -> None:
    _source, got = _run(section, text)
    assert got == []


_WORDS = [
    "prior",
    "no",
    "within",
    "weeks",
    "2",
    "≥",
    "\\>=",
    "chemotherapy",
    "T-DXd",
    "lines",
    "except",
    "allowed",
    "(",
    ")",
    ";",
    ".",
    "not",
    "more than",
    "trastuzumab",
    "radiotherapy",
    "days",
    "metastatic",
    "naive",
    "\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS) | st.text(max_size=8), max_size=40), st.booleans())
def test_property_never_raises_and_grounded(words: list[str], exclusion: bool) -> None:
    head = "Exclusion Criteria:" if exclusion else "Inclusion Criteria:"
    seg = segment(f"{head}\n* " + " ".join(words))
    for item in seg.items:
        for c in therapy.extract(ItemContext(item=item, source=seg.text)):
            assert c.evidence.is_grounded_in(seg.text)


def test_evidence_is_the_clause() -> None:
    source, _ = _run(
        "exc",
        "Major surgery within 4 weeks of start of repotrectinib treatment. Radiation therapy "
        "(except palliative to relieve bone pain) within 2 weeks of study entry.",
    )
    seg = segment(source)
    ctx = ItemContext(item=seg.items[0], source=seg.text)
    first, second = therapy.extract(ctx)
    assert first.evidence.text == "Major surgery within 4 weeks of start of repotrectinib treatment."
    assert second.evidence.text.startswith("Radiation therapy")


def test_escaped_comparator_and_hard_wrap() -> None:
    text = "Exclusion Criteria:\n\n* Chemotherapy \\< 3 weeks\n  prior to first dose of study drug"
    seg = segment(text)
    got = therapy.extract(ItemContext(item=seg.items[0], source=seg.text))
    assert all(isinstance(c, PriorTherapy) for c in got)
    assert [(c.agents, c.requirement, c.within_weeks) for c in got if isinstance(c, PriorTherapy)] == [
        (["chemotherapy"], "excluded", 3.0)
    ]


def test_word_numbers() -> None:
    _source, got = _run("inc", "Patients must have received no more than two prior regimens for metastatic disease")
    assert got == [_pt([], "allowed", setting="metastatic", max_lines=2)]


@pytest.mark.parametrize(
    "text", ["", "   ", "\\", "((((", "within within 3 3 weeks weeks", "no more than - prior lines", "T-DXd" * 50]
)
def test_never_raises(text: str) -> None:
    seg = segment("Exclusion Criteria:\n* " + text)
    for item in seg.items:
        for c in therapy.extract(ItemContext(item=item, source=seg.text)):
            assert c.evidence.is_grounded_in(seg.text)
