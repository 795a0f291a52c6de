"""Matching of predicted to gold criteria: kind, polarity, span overlap, field comparison."""

from __future__ import annotations

from extractor.evals.match import match_trial, normalise_agent
from tests.evals.conftest import crit

TEXT = (
    "Inclusion Criteria:\n* ECOG 0-1\n* Prior trastuzumab and T-DM1\n* Life expectancy >= 12 weeks\n"
    "Exclusion Criteria:\n* ANC < 1.5 x 10^9/L\n* Organ transplant\n"
)


def test_exact_match_is_a_true_positive_with_all_fields_ok() -> None:
    g = [crit("performance_status", TEXT, "ECOG 0-1", scale="ECOG", min=0, max=1)]
    p = [crit("performance_status", TEXT, "ECOG 0-1", scale="ECOG", min=0, max=1)]
    m = match_trial("t", g, p, TEXT)
    assert len(m.pairs) == 1 and not m.missed and not m.spurious
    assert all(c.ok for c in m.pairs[0].checks)
    assert m.pairs[0].iou == 1.0


def test_same_kind_different_polarity_is_a_miss_and_a_spurious() -> None:
    g = [crit("lab", TEXT, "ANC < 1.5 x 10^9/L", "exclusion", analyte="anc", op=">=", value=1.5)]
    p = [crit("lab", TEXT, "ANC < 1.5 x 10^9/L", "inclusion", analyte="anc", op=">=", value=1.5)]
    m = match_trial("t", g, p, TEXT)
    assert not m.pairs
    assert [r.kind for r in m.missed] == ["lab"] and [r.kind for r in m.spurious] == ["lab"]


def test_different_kind_is_not_matched_but_covers_the_span() -> None:
    g = [crit("cardiac", TEXT, "Organ transplant", "exclusion")]
    p = [crit("other", TEXT, "Organ transplant", "exclusion")]
    m = match_trial("t", g, p, TEXT)
    assert not m.pairs and len(m.missed) == 1 and len(m.spurious) == 1
    assert m.covered_spans == m.gold_spans == 1


def test_strict_pairing_needs_half_the_gold_span_inside_its_item() -> None:
    g = [crit("prior_therapy", TEXT, "Prior trastuzumab and T-DM1", agents=["trastuzumab"], requirement="required")]
    half = [crit("prior_therapy", TEXT, "Prior trastuzumab", agents=["trastuzumab"], requirement="required")]
    sliver = [crit("prior_therapy", TEXT, "T-DM1", agents=["trastuzumab"], requirement="required")]
    disjoint = [crit("prior_therapy", TEXT, "ECOG 0-1", agents=["trastuzumab"], requirement="required")]
    m = match_trial("t", g, half, TEXT)
    assert len(m.pairs) == 1 and 0 < m.pairs[0].iou < 1
    m = match_trial("t", g, sliver, TEXT)  # 5 of 27 characters: lenient pairs it, strict does not
    assert not m.pairs and len(m.missed) == 1 and len(m.spurious) == 1
    assert m.lenient["prior_therapy"] == [1, 0, 0]
    m = match_trial("t", g, disjoint, TEXT)
    assert not m.pairs and len(m.missed) == 1 and len(m.spurious) == 1
    assert m.covered_spans == 0 and m.lenient["prior_therapy"] == [0, 1, 1]


def test_a_span_wider_than_the_item_never_pairs() -> None:
    g = [crit("performance_status", TEXT, "ECOG 0-1", scale="ECOG", min=0, max=1)]
    whole = [crit("performance_status", TEXT, TEXT, scale="ECOG", min=0, max=1)]
    two_items = [crit("performance_status", TEXT, "ECOG 0-1\n* Prior", scale="ECOG", min=0, max=1)]
    for pred in (whole, two_items):
        m = match_trial("t", g, pred, TEXT)
        assert not m.pairs and m.covered_spans == 0
        assert m.lenient["performance_status"] == [1, 0, 0]  # the old rule paired them
        assert m.kind_only["performance_status"] == [1, 0, 0]


def test_best_overlap_wins_one_to_one() -> None:
    g = [crit("prior_therapy", TEXT, "Prior trastuzumab and T-DM1", agents=["trastuzumab"], requirement="required")]
    p = [
        crit("prior_therapy", TEXT, "Prior trastuzumab", agents=["trastuzumab"], requirement="required"),
        crit("prior_therapy", TEXT, "Prior trastuzumab and T-DM1", agents=["x"], requirement="excluded"),
    ]
    m = match_trial("t", g, p, TEXT)
    assert [pair.pred.index for pair in m.pairs] == [1]  # full cover beats field agreement
    assert [r.index for r in m.spurious] == [0]


def test_kind_only_counts_ignore_spans() -> None:
    g = [
        crit("performance_status", TEXT, "ECOG 0-1", scale="ECOG"),
        crit("other", TEXT, "Organ transplant", "exclusion"),
    ]
    p = [crit("performance_status", TEXT, "Organ transplant", scale="ECOG"), crit("lab", TEXT, "ECOG 0-1", analyte="x")]
    m = match_trial("t", g, p, TEXT)
    assert m.kind_only == {"lab": [0, 1, 0], "other": [0, 0, 1], "performance_status": [1, 0, 0]}
    assert not m.pairs


def test_adjacent_spans_do_not_overlap() -> None:
    text = "ECOG 0-1ANC"
    g = [crit("lab", text, "ANC", analyte="anc")]
    p = [crit("lab", text, "ECOG 0-1", analyte="anc")]
    assert not match_trial("t", g, p, text).pairs


def test_numeric_tolerance() -> None:
    g = [crit("lab", TEXT, "ANC < 1.5 x 10^9/L", "exclusion", analyte="anc", op=">=", value=1.5)]
    close = [crit("lab", TEXT, "ANC < 1.5 x 10^9/L", "exclusion", analyte="ANC", op=">=", value=1.5000000001)]
    far = [crit("lab", TEXT, "ANC < 1.5 x 10^9/L", "exclusion", analyte="anc", op=">=", value=1.6)]
    assert all(c.ok for c in match_trial("t", g, close, TEXT).pairs[0].checks)
    wrong = match_trial("t", g, far, TEXT).pairs[0].wrong
    assert [(c.field, c.expected, c.got) for c in wrong] == [("lab.value", "1.5", "1.6")]


def test_lab_values_are_compared_as_quantities_with_units() -> None:
    g = [crit("lab", TEXT, "ANC < 1.5 x 10^9/L", "exclusion", analyte="anc", op=">=", value=1.5, unit="x10^9/L")]
    same = [crit("lab", TEXT, "ANC < 1.5 x 10^9/L", "exclusion", analyte="anc", op=">=", value=1500, unit="/mm3")]
    also = [crit("lab", TEXT, "ANC < 1.5 x 10^9/L", "exclusion", analyte="anc", op=">=", value=1.5, unit="G/L")]
    other = [crit("lab", TEXT, "ANC < 1.5 x 10^9/L", "exclusion", analyte="anc", op=">=", value=1.5, unit="/mm3")]
    no_unit = [crit("lab", TEXT, "ANC < 1.5 x 10^9/L", "exclusion", analyte="anc", op=">=", value=1.5)]
    for pred, ok in ((same, True), (also, True), (other, False), (no_unit, False)):
        checks = {c.field: c for c in match_trial("t", g, pred, TEXT).pairs[0].checks}
        assert checks["lab.value"].ok is ok, pred
    assert checks["lab.value"].expected == "1.5 x10^9/L"


def test_false_is_a_value_and_none_is_not() -> None:
    g = [crit("stage", TEXT, "Organ transplant", "exclusion", metastatic=False)]
    unset = [crit("stage", TEXT, "Organ transplant", "exclusion")]
    true = [crit("stage", TEXT, "Organ transplant", "exclusion", metastatic=True)]
    same = [crit("stage", TEXT, "Organ transplant", "exclusion", metastatic=False)]
    assert [c.ok for c in match_trial("t", g, unset, TEXT).pairs[0].checks] == [False]
    assert [c.ok for c in match_trial("t", g, true, TEXT).pairs[0].checks] == [False]
    assert [c.ok for c in match_trial("t", g, same, TEXT).pairs[0].checks] == [True]
    assert not match_trial("t", unset, unset, TEXT).pairs[0].checks  # unset on both sides: not compared


def test_every_field_of_every_kind_is_compared_unless_listed() -> None:
    from extractor.evals.match import COMPARED_FIELDS, NOT_COMPARED
    from extractor.models import BASE_FIELDS, KIND_TYPES

    for kind, model in KIND_TYPES.items():
        compared = {s.name for s in COMPARED_FIELDS[kind]}
        expected = set(model.model_fields) - BASE_FIELDS - set(NOT_COMPARED.get(kind, ()))
        assert compared == expected, kind
    assert {s.name: s.how for s in COMPARED_FIELDS["brain_metastases"]}["conditions"] == "set"
    assert {s.name: s.how for s in COMPARED_FIELDS["pregnancy"]}["pregnancy_excluded"] == "bool"


def test_life_expectancy_tolerance_is_absolute_0_3_months() -> None:
    g = [crit("life_expectancy", TEXT, "Life expectancy >= 12 weeks", min_months=2.77)]
    ok = [crit("life_expectancy", TEXT, "Life expectancy >= 12 weeks", min_months=3)]
    bad = [crit("life_expectancy", TEXT, "Life expectancy >= 12 weeks", min_months=3.2)]
    assert match_trial("t", g, ok, TEXT).pairs[0].checks[0].ok
    assert not match_trial("t", g, bad, TEXT).pairs[0].checks[0].ok


def test_agent_sets_are_normalised() -> None:
    g = [
        crit(
            "prior_therapy",
            TEXT,
            "Prior trastuzumab and T-DM1",
            agents=["trastuzumab", "trastuzumab emtansine"],
            requirement="required",
        )
    ]
    p = [
        crit(
            "prior_therapy",
            TEXT,
            "Prior trastuzumab and T-DM1",
            agents=["T-DM1", " Trastuzumab "],
            requirement="required",
        )
    ]
    checks = {c.field: c.ok for c in match_trial("t", g, p, TEXT).pairs[0].checks}
    assert checks == {"prior_therapy.agents": True, "prior_therapy.requirement": True}
    assert normalise_agent("Taxanes") == "taxane"
    assert normalise_agent("Enhertu") == normalise_agent("T-DXd") == "trastuzumab deruxtecan"
    assert normalise_agent("Anti-HER2  therapy") == normalise_agent("anti-HER2 agents") == "anti-her2"
    assert normalise_agent("hormonal therapy") == normalise_agent("Endocrine therapy")
    assert normalise_agent("chemotherapy") != normalise_agent("radiotherapy")
    assert normalise_agent("anti-cancer therapy") == normalise_agent("anticancer therapy")
    assert normalise_agent("anti-PD-1 antibody") != normalise_agent("anti-PD-L1 antibody")
    assert normalise_agent("EGFR TKIs") == normalise_agent("EGFR tyrosine kinase inhibitor")
    assert normalise_agent("abiraterone acetate") == normalise_agent("Abiraterone")
    assert normalise_agent("biological therapy") == normalise_agent("biologic therapy")
    assert normalise_agent("SARS-CoV-2 vaccine") == normalise_agent("COVID-19 vaccine")
    assert normalise_agent("thyroxine") == normalise_agent("levothyroxine")
    assert normalise_agent("low-molecular-weight heparin") == normalise_agent("low molecular weight heparin")
    assert normalise_agent("systemic steroids") == normalise_agent("systemic corticosteroids")
    assert normalise_agent("systemic corticosteroids") != normalise_agent("corticosteroids")
    assert normalise_agent("G-CSF") != normalise_agent("GM-CSF")


def test_lists_compare_as_sets_and_unset_fields_are_not_compared() -> None:
    g = [crit("her2", TEXT, "ECOG 0-1", status="low", ihc_scores=["1+", "2+"])]
    p = [crit("her2", TEXT, "ECOG 0-1", status="low", ihc_scores=["2+", "1+"])]
    checks = match_trial("t", g, p, TEXT).pairs[0].checks
    assert {c.field for c in checks} == {"her2.status", "her2.ihc_scores"}
    assert all(c.ok for c in checks)


def test_other_is_matched_without_field_comparison() -> None:
    g = [crit("other", TEXT, "Organ transplant", "exclusion", category="transplant")]
    p = [crit("other", TEXT, "Organ transplant", "exclusion", category="something else")]
    m = match_trial("t", g, p, TEXT)
    assert len(m.pairs) == 1 and m.pairs[0].checks == []


def test_diagnosis_fuzzy_token_overlap() -> None:
    g = [crit("diagnosis", TEXT, "ECOG 0-1", cancer="breast cancer")]
    same = [crit("diagnosis", TEXT, "ECOG 0-1", cancer="metastatic breast carcinoma")]
    other = [crit("diagnosis", TEXT, "ECOG 0-1", cancer="lung cancer")]
    assert match_trial("t", g, same, TEXT).pairs[0].checks[0].ok
    assert not match_trial("t", g, other, TEXT).pairs[0].checks[0].ok


def test_an_organ_adjective_is_its_noun_in_free_phrases() -> None:
    g = [crit("prior_malignancy", TEXT, "ECOG 0-1", exceptions=["cervical cancer in situ"])]
    same = [crit("prior_malignancy", TEXT, "ECOG 0-1", exceptions=["carcinoma in situ of the cervix"])]
    other = [crit("prior_malignancy", TEXT, "ECOG 0-1", exceptions=["carcinoma in situ of the bladder"])]
    assert match_trial("t", g, same, TEXT).pairs[0].checks[0].ok
    assert not match_trial("t", g, other, TEXT).pairs[0].checks[0].ok


def test_greedy_pairs_best_field_agreement_first_and_is_deterministic() -> None:
    g = [
        crit("lab", TEXT, "ANC < 1.5 x 10^9/L", "exclusion", analyte="anc", op=">=", value=1.5),
        crit("lab", TEXT, "ANC < 1.5", "exclusion", analyte="anc", op=">=", value=1500),
    ]
    p = [
        crit("lab", TEXT, "ANC < 1.5 x 10^9/L", "exclusion", analyte="anc", op=">=", value=1500),
        crit("lab", TEXT, "ANC < 1.5 x 10^9/L", "exclusion", analyte="anc", op=">=", value=1.5),
    ]
    first = match_trial("t", g, p, TEXT)
    assert [(pr.gold.index, pr.pred.index) for pr in first.pairs] == [(0, 1), (1, 0)]
    assert all(not pr.wrong for pr in first.pairs)
    assert match_trial("t", g, p, TEXT) == first


def test_grounding_counts_predictions_verbatim_at_their_offsets() -> None:
    g = [crit("performance_status", TEXT, "ECOG 0-1", scale="ECOG")]
    good = crit("performance_status", TEXT, "ECOG 0-1", scale="ECOG")
    shifted = good.model_copy(update={"evidence": good.evidence.model_copy(update={"start": 0, "end": 8})})
    m = match_trial("t", g, [good, shifted], TEXT)
    assert (m.predicted, m.grounded) == (2, 1)
    assert [r.index for r in m.ungrounded] == [1]
