"""The catalogue's content: complete against the issue's table and traceable to the sources (how it
is loaded and checked: test_load.py, test_checks.py, test_model.py)."""

from __future__ import annotations

import re

import pytest
import yaml

from generator.catalogue.model import SourceRef

from .conftest import IN_CI, ROOT, SEEDS

# The issue's section table, item by item: what it names -> the catalogue item(s) that hold it.
NAMED_IN_ISSUE: dict[str, dict[str, list[str]]] = {
    "A": {
        "employment": ["A01_employment_rate"],
        "unemployment": ["A02_unemployment_rate"],
        "inactivity": ["A03_inactivity_rate"],
        "NVQ2+": ["A04_nvq2_rate"],
        "mental health and employment": ["A10_mh_employment_rate"],
        "benefit receipt": ["A11_ib_mental_health"],
        "National Patient Survey items": [
            "A12_nps_in_paid_work",
            "A13_nps_helped_find_work",
            "A14_nps_wanted_help",
            "A15_nps_unable_to_work",
        ],
        "commissioning-guidance yes/no items": [
            "A16_range_of_opportunities",
            "A17_multi_agency_forum",
            "A18_primary_care_support",
        ],
        "primary-care good-practice checklist": [
            "A19_pc_two_sessions",
            "A20_pc_respond_5_days",
            "A21_pc_joint_working_gps",
            "A22_pc_joint_working_therapists",
            "A23_pc_employer_contact",
            "A24_pc_benefits_advice",
        ],
    },
    "B": {
        "age bands": ["B02_age"],
        "gender": ["B03_gender"],
        "ethnicity": ["B04_ethnicity"],
        "NVQ2+": ["B05_nvq2"],
        "employment status": ["B06_employment_status"],
        "in contact with specialist services": ["B07_specialist_mh_contact"],
        "recency of paid work bands": ["B08_work_recency"],
        "longest job > 1 year": ["B09_job_over_a_year"],
        "benefits": ["B10_benefits"],
        "living situation": ["B11_living_situation"],
        "impairment": ["B12_support_need"],
        "urban/rural": ["B13_geography"],
    },
    "C": {
        "six 1-5 IPS-fidelity-based scales": [
            "C01_paid_employment_focus",
            "C02_user_preference",
            "C03_rapid_job_search",
            "C04_benefits_advice",
            "C05_health_social_care_integration",
            "C06_jobcentre_plus",
        ],
        "two 0-3 audit scales": ["C07_audit_fidelity", "C08_audit_client_feedback"],
        "fidelity assessment": ["C10_last_external_assessment", "C11_accreditation"],
        "self-assessment": ["C12_self_assessment"],
        "training": ["C13_fidelity_training_sessions"],
    },
    "D": {
        "placements by hours band": ["D01_placements"],
        "employed (PSA 16)": ["D03_employed_psa16"],
        "unemployed and seeking work": ["D04_seeking_work"],
        "education/training/volunteering/retirement": ["D05_other_destinations"],
        "care plans with employment actions": ["D06_care_plan_employment"],
        "with retention actions": ["D07_care_plan_retention"],
        "NHS recruits declaring a condition": ["D08_recruits_declaring"],
    },
    "E": {
        "contract value including overheads": ["E02_total_cost"],
        "referrals": ["E03_referrals"],
        "taken on / starters": ["E04_starters"],
        "gained / retained / self-employed": ["E05a_outcome_type"],
        "reasons for not accepting": ["E06_rejection_reasons"],
        "jobs by employment sector": ["E07_jobs_by_sector"],
        "active caseload per employment specialist": ["E09_active_caseload", "E10_specialist_fte"],
        "job entries": ["E12_job_entries"],
        "sustained at 13 weeks": ["E13_sustained_13_weeks"],
        "sustained at 26 weeks": ["E14_sustained_26_weeks"],
        "SWEMWBS at start and end": ["E15_swemwbs_start", "E16_swemwbs_end"],
    },
    "F": {
        "self-employment": ["F02_self_employment_share"],
        "HMRC registration": ["F03_hmrc_registration"],
        "pay bands": ["F04_self_employed_pay"],
        "employment preparation costs": ["F06_prep_cost"],
        "completers": ["F07_prep_completers"],
        "destinations": ["F08_prep_destinations", "F13_sheltered_leavers_destinations"],
        "subsidy": ["F15_subsidy_total"],
        "business plan": ["F17_business_plan"],
        "minimum wage": ["F20_minimum_wage"],
    },
    "G": {
        "001 Box 2 elements": [
            "G28_clinical_employment_leads",
            "G29_evidence_based_specialists",
            "G30_user_employment_schemes",
            "G31_sheltered_work",
            "G32_multi_agency_forum_oversight",
        ],
        "002 six commissioning stages": [
            "G33_stage_platform",
            "G34_stage_current_provision",
            "G35_stage_future_provision",
            "G36_stage_development",
            "G37_stage_transition",
            "G38_stage_monitoring",
        ],
    },
}
# Indicators the issue names that are computed from items rather than entered.
DERIVED_IN_ISSUE = {
    "E": {
        "access": "EX01_access_rate",
        "unit cost": "EX05_cost_per_participant",
        "active caseload per employment specialist": "EX06_caseload_per_specialist",
        "paid work entry": "EX09_paid_work_entry_rate",
    },
}


def test_every_item_named_in_the_issue_is_in_its_section(catalogue):
    """Each thing the issue's table names is an item of the section the table puts it in."""
    for letter, named in NAMED_IN_ISSUE.items():
        ids = {i.id for i in catalogue.section(letter).items}
        for what, wanted in named.items():
            missing = [w for w in wanted if w not in ids]
            assert not missing, f"section {letter}: {what!r} -> {missing} not in the section"
    for letter, named in DERIVED_IN_ISSUE.items():
        ids = {d.id for d in catalogue.section(letter).derived}
        for what, wanted in named.items():
            assert wanted in ids, f"section {letter}: derived {what!r} ({wanted}) missing"


def test_age_bands_include_under_18_and_over_65(catalogue):
    """004's minimum breakdown: age including people under 18 and above 65."""
    codes = {c.code for c in catalogue.breakdowns[catalogue.item_index["B02_age"].breakdown].categories}
    assert {"under_18", "over_65"} <= codes


def test_section_c_scales_have_every_point_worded(catalogue):
    """Six 1-5 scales and two 0-3 scales, each point with its wording."""
    points = [
        [p.value for p in catalogue.scales[catalogue.item_index[i].scale].points]
        for i in NAMED_IN_ISSUE["C"]["six 1-5 IPS-fidelity-based scales"]
    ]
    assert points == [[1, 2, 3, 4, 5]] * 6
    audits = [
        [p.value for p in catalogue.scales[catalogue.item_index[i].scale].points]
        for i in NAMED_IN_ISSUE["C"]["two 0-3 audit scales"]
    ]
    assert audits == [[0, 1, 2, 3]] * 2
    for s in catalogue.scales.values():
        assert all(len(p.label) > 1 for p in s.points)


def test_building_blocks_are_five_groups_in_g(catalogue):
    """004's five building blocks are five groups of yes/no positive indicators in section G."""
    g = catalogue.section("G")
    blocks = [grp for grp in g.groups if all(i.source.document == "004" for i in grp.items)]
    assert len(blocks) == 5
    for grp in blocks:
        assert sum(i.value_type == "yes_no" for i in grp.items) >= 3


def test_every_item_has_a_source_in_the_documents(catalogue):
    for _, item in catalogue.items():
        assert item.source.document in catalogue.documents


# -- provenance: every quoted passage can be found in its document ----------------------------
OCR_FIXES = {"é6mths": "6mths", "<shrs": "<5hrs", "»16hrs": ">16hrs", " 5o.": " 50.", " 5o ": " 50 "}


def _normalise(text: str) -> str:
    for bad, good in OCR_FIXES.items():
        text = text.replace(bad, good)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("£", "")
    text = re.sub(r"[*¹²³⁴⁵⁶⁷]", "", text)
    text = re.sub(r"-\s+", "-", text)  # words split across lines: "part-\ntime"
    return re.sub(r"\s+", " ", text).strip().lower()


def _all_sources(catalogue) -> list[tuple[str, SourceRef]]:
    out = []
    for s in catalogue.scales.values():
        if s.source:
            out.append((f"scale {s.id}", s.source))
    for b in catalogue.breakdowns.values():
        out.append((f"breakdown {b.id}", b.source))
    for sec in catalogue.sections.values():
        out.extend((f"section {sec.section}", r) for r in sec.sources)
        for i in sec.items:
            out.append((i.id, i.source))
            out.extend((f"{i.id}/{b.id}", b.source) for b in i.benchmarks)
        for d in sec.derived:
            out.append((d.id, d.source))
            out.extend((f"{d.id}/{b.id}", b.source) for b in d.benchmarks)
    return out


@pytest.fixture
def seed_texts(catalogue) -> dict[str, str]:
    """The source documents' text, normalised, by code (fails in CI, skips locally, without them)."""
    if not SEEDS.is_dir():
        msg = f"source documents not found at {SEEDS}"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    return {
        code: _normalise((SEEDS / doc.file).read_text(encoding="utf-8"))
        for code, doc in catalogue.documents.items()
    }


def test_every_quoted_passage_is_in_its_document(catalogue, seed_texts):
    """Provenance: each `passage` appears in the cited seed text (after OCR fixes)."""
    texts = seed_texts
    missing = [
        f"{where}: [{ref.document}] {ref.passage[:70]!r}"
        for where, ref in _all_sources(catalogue)
        if _normalise(ref.passage) not in texts[ref.document]
    ]
    assert not missing, "passages not found in their documents:\n" + "\n".join(missing)


def test_every_question_to_ask_quotes_the_passages_its_why_rests_on(catalogue, request):
    """Provenance of data/questions.yaml: each question cites at least one passage, each passage
    is in the document it names, and the document is one of the catalogue's."""
    questions = yaml.safe_load((ROOT / "data" / "questions.yaml").read_text(encoding="utf-8"))
    assert questions and all(q.get("passages") for q in questions), "a question without passages"
    assert {p["document"] for q in questions for p in q["passages"]} <= set(catalogue.documents)
    texts = request.getfixturevalue("seed_texts")  # after the checks that need no documents
    missing = [
        f"{q['id']}: [{p['document']}] {p['passage'][:70]!r}"
        for q in questions
        for p in q["passages"]
        if _normalise(p["passage"]) not in texts[p["document"]]
    ]
    assert not missing, "passages not found in their documents:\n" + "\n".join(missing)


def test_every_glossary_term_cites_a_passage_that_is_in_its_document(catalogue, request):
    """Provenance of data/glossary.yaml: a term from the source documents names a passage found
    in the document it names (the meaning is ours)."""
    from generator.site.glossary import load

    terms = load(ROOT / "data" / "glossary.yaml").terms
    cited = [t for t in terms if t.source]
    assert len(cited) >= 10 and {t.source.document for t in cited} <= set(catalogue.documents)
    texts = request.getfixturevalue("seed_texts")
    missing = [
        f"{t.term}: [{t.source.document}] {t.source.passage!r}"
        for t in cited
        if _normalise(t.source.passage) not in texts[t.source.document]
    ]
    assert not missing, "passages not found in their documents:\n" + "\n".join(missing)


def test_cost_per_job_outcome_is_judged_as_the_source_words_it(catalogue, seed_texts):
    """004 gives £2,818-£4,024 as a band a cost should be "within or close to" and calls a cost
    "significantly above" it negative: no hard maximum, and the passage is the document's."""
    cost = next(
        d for s in catalogue.sections.values() for d in s.derived if d.id == "EX04_cost_per_job_outcome"
    )
    kinds = {b.kind: b for b in cost.benchmarks}
    assert "maximum" not in kinds and (kinds["band"].low, kinds["band"].high) == (2818, 4024)
    text = seed_texts["004"]
    assert _normalise("A cost within or close to this suggests a positive answer") in text
    assert _normalise("A cost significantly above that indicated above suggests a negative answer") in text
    assert _normalise(kinds["band"].source.passage) in text


def test_a_range_a_source_only_reports_is_never_judged(catalogue):
    """004 reports NDTi's spreads ("between a typical range of 13% and 63%"; best-practice sites
    "between a typical range of 30% and 56%"): they are shown for context, never judged
    (methods page), so every benchmark whose passage reports a typical range is a typical_range."""
    reported = [
        (b.id, b.kind)
        for s in catalogue.sections.values()
        for entry in (*s.derived, *(i for g in s.groups for i in g.items))
        for b in entry.benchmarks
        if "typical range" in b.source.passage.lower() and b.low is not None  # a range, not its mean
    ]
    assert len(reported) >= 2 and all(kind == "typical_range" for _, kind in reported), reported
