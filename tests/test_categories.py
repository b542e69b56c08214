"""Special-category detection (sklint/detect/categories.py, rules/categories/*.yaml).

Unit tests call the detector on Parts; the policy and corpus tests run the whole pipeline over
real files (the five published policies, the dev corpus hard negatives)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sklint.config import Config
from sklint.detect import DetectContext
from sklint.detect.ner import NlpEngine
from sklint.detect.categories import detect_categories, sentences
from sklint.model import CATEGORIES, SEVERITY_RANK, Finding, Part
from sklint.pipeline import Engine
from sklint.registry import load_registry

SHARED = Path(__file__).resolve().parents[2] / "shared"
POLICIES = sorted((SHARED / "policies").glob("*.txt"))
DEV = SHARED / "corpus" / "dev"

CODES = {
    "SK201": ("health", "HEALTH"), "SK202": ("safeguarding", "SAFEGUARDING"),
    "SK203": ("sexual-orientation", "SEXUAL_ORIENTATION"), "SK204": ("religion", "RELIGION"),
    "SK205": ("ethnicity", "ETHNICITY"), "SK206": ("political-opinion", "POLITICAL_OPINION"),
    "SK207": ("trade-union", "TRADE_UNION"), "SK208": ("genetic-biometric", "GENETIC_BIOMETRIC"),
    "SK209": ("criminal-offence", "CRIMINAL_OFFENCE"),
}


_NLP = NlpEngine()  # the real pipeline, loaded at first use: the parse tells who harm is done to


def _ctx(config: Config | None = None, without=frozenset()) -> DetectContext:
    return DetectContext(config=config or Config(), registry=load_registry(), nlp=_NLP, without=without)


def cats(text: str, kind: str = "body", persons=(), config: Config | None = None,
         without=frozenset()) -> set[str]:
    part = Part(kind if kind != "attachment" else "attachment:x.txt", kind, text)
    return {f.category for f in detect_categories(part, _ctx(config, without), list(persons))}


# -- the rule files ---------------------------------------------------------------------------

def test_one_rule_file_per_category_with_fixed_codes():
    reg = load_registry()
    rules = reg.of_kind("category")
    assert {r.code: (r.name, r.category) for r in rules} == CODES
    assert {r.category for r in rules} == set(CATEGORIES)
    for r in rules:
        assert r.severity in ("warning", "error")
        assert r.data.get("extends") == "lexicon"
        assert r.policy and r.summary and r.doc
        assert r.data.get("terms") or r.data.get("patterns")
        ex = r.data.get("examples") or {}
        assert ex.get("fail") and ex.get("pass")
        for pat in r.data.get("patterns") or ():
            re.compile(pat["pattern"] if isinstance(pat, dict) else pat)


@pytest.mark.parametrize("rule", load_registry().of_kind("category"), ids=lambda r: r.name)
def test_examples_on_the_detector_alone(rule):
    ex = rule.data["examples"]
    for text in ex["fail"]:
        assert rule.category in cats(text), f"{rule.code} should fire on {text!r}"
    for text in ex["pass"]:
        assert rule.category not in cats(text), f"{rule.code} should not fire on {text!r}"


# -- findings ---------------------------------------------------------------------------------

def test_finding_carries_its_evidence_span():
    text = "Kayden has a diagnosis of ADHD and takes methylphenidate."
    (f, *_rest) = detect_categories(Part("body", "body", text), _ctx())
    assert f.code == "SK201" and f.rule == "health" and f.category == "HEALTH"
    assert f.source == "lexicon" and f.severity in ("warning", "error")
    assert f.entity is None
    assert text[f.start:f.end] == f.match
    assert "ADHD" in f.match
    assert f.match not in f.message  # messages never repeat the sensitive text


def test_trigger_phrase_evidence_runs_on_to_what_it_governs():
    text = "Poppy, now seven years old, was diagnosed with acute lymphoblastic leukaemia last spring."
    (f,) = [f for f in detect_categories(Part("body", "body", text), _ctx())]
    assert f.match == "diagnosed with acute lymphoblastic leukaemia"


# -- individual anchors -----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Her brother Finley has severe epilepsy.",                 # possessive kinship
    "He has epilepsy and carries buccal midazolam.",           # pronoun
    "SKC-031 has epilepsy.",                                   # SKC code
    "Ruby (12) has epilepsy.",                                 # name with age
    "Mum has epilepsy and cannot drive.",                      # informal kinship
    "Mrs Hughes has epilepsy.",                                # title and surname
    "Rhys Morgan,2012-08-15,LA9 4PU,Epilepsy – care plan in folder",  # a table row
])
def test_anchored_health_is_reported(text):
    assert "HEALTH" in cats(text)


def test_person_findings_are_anchors():
    text = "Ellie has epilepsy."
    assert "HEALTH" not in cats("The child has epilepsy.")
    person = Finding("SK101", "person-name", "warning", "body", 0, 5, "Ellie", "", entity="PERSON")
    assert "HEALTH" in cats(text, persons=[person])


def test_neighbouring_sentence_anchor_needs_a_specific_form():
    # a plain term with an individual only in the next sentence is not enough ...
    assert "HEALTH" not in cats("Asthma is common. She is doing well at school.")
    # ... a specific event form is
    assert "HEALTH" in cats("Diagnosed with asthma last winter. She is doing well at school.")


# -- generic, aggregate, negation, hypothetical ------------------------------------------------

@pytest.mark.parametrize("text", [
    "Abuse can take many forms, including physical, emotional and sexual abuse.",
    "12 young people reported anxiety at the start of mentoring.",
    "12 of the 34 have a brother or sister with a life-limiting condition.",
    "54% have a sibling with autism.",
    "Three safeguarding concerns were raised in the quarter.",
    "No safeguarding concerns were raised.",
    "There are no safeguarding concerns about him.",
    "He has no history of self-harm.",
    "If a child discloses abuse, stay calm and listen.",
    "Has your child ever self-harmed or talked about suicide? Please give details.",
    "The volunteer's enhanced DBS certificate needs renewing this autumn.",
    "The annual safeguarding refresher is on Tuesday 29 April.",
    "We support young people who have a brother or sister with a disability or serious illness.",
    "Mentors should never promise that a disclosure will stay secret.",
    "Daniel is away at a conference on suicide prevention next week.",
    "Staff may be accompanied by a colleague or trade union representative.",
    "Family's religion or belief: No religion / Christian / Muslim / Hindu / Sikh / Jewish",
    "Child's ethnic background: White British / Mixed / Asian or Asian British / Prefer not to say",
])
def test_generic_aggregate_negated_hypothetical_text_is_quiet(text):
    assert cats(text) == set()


# -- subject lines ----------------------------------------------------------------------------

@pytest.mark.parametrize("subject, category", [
    ("New referral – sister of boy with muscular dystrophy, Keswick", "HEALTH"),
    ("Safeguarding referral – Tomasz Wojcik DOB 17/8/2012", "SAFEGUARDING"),
    ("RE: Safeguarding concern – case ref EV-2026-0274", "SAFEGUARDING"),
    ("Counselling notes – Ines Carvalho 04/06", "HEALTH"),
    ("Re: O. Adeyemi – brother's autism & Fragile X results", "GENETIC_BIOMETRIC"),
])
def test_subject_line_carries_a_category_on_its_own(subject, category):
    assert category in cats(subject, kind="subject")


@pytest.mark.parametrize("subject", [
    "DBS renewals and induction training dates",
    "Safeguarding policy review – draft for trustees",
    "Referral",
    "Young Carers Group – Friday 13 June",
])
def test_admin_subject_lines_are_quiet(subject):
    assert cats(subject, kind="subject") == set()


# -- quoted history, sentences, config ---------------------------------------------------------

def test_quoted_reply_lines_are_read_as_prose():
    text = ("Thanks.\n\n> On Tue, Claire wrote:\n>> I visited Mia and her mum at home. Stacey seemed low -\n"
            ">> she mentioned she stopped taking her antidepressants last week.\n")
    assert "HEALTH" in cats(text)


def test_sentences_split_paragraphs_and_keep_wrapped_lines_together():
    text = "First line of a long sentence that wraps\nonto the next line. Second one.\n\nThird"
    segs = [text[a:b].strip() for a, b in sentences(text)]
    assert segs == ["First line of a long sentence that wraps\nonto the next line.", "Second one.", "Third"]


def test_config_category_terms_add_terms():
    # (a bare gene name: "... disease" itself is now caught by the head-noun pattern)
    text = "Her brother has CLN2."
    assert "HEALTH" not in cats(text)
    cfg = Config(category_terms=(("HEALTH", ("CLN2",)),))
    assert "HEALTH" in cats(text, config=cfg)


def test_case_sensitive_party_and_union_names():
    assert cats("He said labour costs went up and the greens were muddy.") == set()
    assert "POLITICAL_OPINION" in cats("He told us he is a member of the Labour Party.")
    assert cats("They sang in unison at the end of the session.") == set()
    assert "TRADE_UNION" in cats("Daniel is a UNISON member.")


# -- whole pipeline on real documents ---------------------------------------------------------

@pytest.fixture(scope="module")
def engine():
    return Engine(Config())


@pytest.mark.skipif(len(POLICIES) != 5, reason="the five published policies are not here")
def test_the_five_policies_stay_quiet(engine):
    """Issue 3, done when: at most 2 category findings at warning or above, all together."""
    found = []
    for path in POLICIES:
        res = engine.check_path(path)
        assert res.error is None, res.error
        found += [(path.name, f.category, f.match) for f in res.findings
                  if f.category and SEVERITY_RANK[f.severity] >= SEVERITY_RANK["warning"]]
    assert len(found) <= 2, found


HARD_NEGATIVES = [
    "case-05-newsletter-bcc.eml", "case-09-admin-room-booking.eml",
    "case-10-admin-dbs-renewal.eml", "case-14-funder-update-alternative.eml",
    "case-18-anonymised-csv.eml", "case-21-anonymised-report-docx.eml",
    "case-23-impact-report-anonymised.md", "case-25-case-study-anonymised.md",
    "case-27-board-minutes-anonymised.docx", "case-29-monitoring-postcodes.txt",
    "case-33-team-page.html", "case-35-signup-form.html", "case-36-events-page.html",
    "case-37-names-not-people.md", "case-40-safeguarding-handout.docx",
]


@pytest.mark.skipif(not DEV.is_dir(), reason="dev corpus not here")
@pytest.mark.parametrize("name", HARD_NEGATIVES)
def test_dev_corpus_hard_negatives_have_no_category(engine, name):
    res = engine.check_path(DEV / name)
    assert res.error is None, res.error
    assert [(f.part, f.category, f.match) for f in res.findings if f.category] == []


@pytest.mark.skipif(not DEV.is_dir(), reason="dev corpus not here")
def test_dev_corpus_category_pairs(engine):
    """Category F1 on the dev corpus (pairs of part and category), issue 3 target 0.85."""
    tp = fp = fn = 0
    for gold_path in sorted(DEV.glob("*.gold.json")):
        doc = next(p for p in DEV.glob(gold_path.name.replace(".gold.json", ".*"))
                   if not p.name.endswith(".gold.json"))
        gold = {(c["part"], c["category"]) for c in json.loads(gold_path.read_text())["categories"]}
        got = {(f.part, f.category) for f in engine.check_path(doc).findings if f.category}
        tp += len(gold & got)
        fp += len(got - gold)
        fn += len(gold - got)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert 2 * precision * recall / (precision + recall) >= 0.85, (tp, fp, fn)


# -- generalisation: kinds of detail beyond the dev corpus ------------------------------------

@pytest.mark.parametrize("text, category", [
    # ethnicity: ethnic groups, national origin in a person's shape, compound descriptors
    ("The family are Pashtun and moved from Kandahar to Coventry last spring.", "ETHNICITY"),
    ("Mum is Ghanaian and Dad is of Irish descent.", "ETHNICITY"),
    ("Dilan is a Turkish Kurd who came to the UK with his aunt.", "ETHNICITY"),
    ("Ethnic group: Gypsy or Irish Traveller", "ETHNICITY"),
    # religion: denominations, plurals, practice, places of worship as somewhere a person goes
    ("The family are Sunni Muslims and Hamid goes to madrasa after school.", "RELIGION"),
    ("Her nan takes her to the Ethiopian Orthodox church in Brixton most Sundays.", "RELIGION"),
    ("He only eats halal, so please order him the chicken wrap.", "RELIGION"),
    # health: named syndromes, procedures, abbreviations in context, medicine stems, counselling
    ("Her brother has Pierre Robin syndrome and is fed by a tube at night.", "HEALTH"),
    ("Grandad had a double heart bypass last winter.", "HEALTH"),
    ("Dad's MND diagnosis came through in January.", "HEALTH"),
    ("Mum has been prescribed duloxetine for her back pain.", "HEALTH"),
    ("She sees a counsellor at school every Wednesday.", "HEALTH"),
    # safeguarding: suicide risk in plain words
    ("He told his mentor he has been thinking about taking his dad's pills.", "SAFEGUARDING"),
    ("She said she wants to die and has written a note.", "SAFEGUARDING"),
    # criminal offences: cautions, youth justice
    ("Her stepdad received a police caution for common assault in 2021.", "CRIMINAL_OFFENCE"),
    ("Kai has been working with the youth offending team since March.", "CRIMINAL_OFFENCE"),
    # trade union: joining a named union
    ("Nadia joined Unison after her hours were cut.", "TRADE_UNION"),
])
def test_broader_kinds_are_reported(text, category):
    assert category in cats(text)


@pytest.mark.parametrize("text", [
    "We welcome Kurdish, Arabic and Dari speakers; interpreters are booked for every session.",
    "He is learning Tamil at Saturday school.",
    "The Syrian supper club meets at the community centre on Fridays.",
    "Faith leaders from the mosque, the gurdwara and the parish church spoke at the vigil.",
    "Our Christmas party is in the Baptist church hall on Mill Lane.",
    "She stressed that the deadline for the grant report is Friday.",
    "He tagged the group in the photos from the fun day.",
    "Please treat the pilot figures with caution.",
    "Sign up for our Tuesday MS Teams catch-up.",
    "The session will explain how to support a young person who talks about suicide.",
    "Ifeoma and Paloma will run the craft table.",
    "Depression and anxiety are common among young carers, the research shows.",
])
def test_broader_lexicons_stay_quiet_on_everyday_and_generic_text(text):
    assert cats(text) == set()


# -- filled-in form fields --------------------------------------------------------------------

def test_a_filled_in_field_is_about_the_form_subject():
    assert "ETHNICITY" in cats("Referral\nName\nJ. Doe\nEthnicity\nBlack African\nSchool\nSt Anne's")
    assert "RELIGION" in cats("Religion: Sikh")


def test_a_blank_forms_options_are_not_values():
    options = "Ethnicity\nWhite British\nBlack Caribbean\nIndian\nPrefer not to say\nReligion\nMuslim\nSikh\nOther"
    assert cats(options) == set()
    assert cats("Ethnicity: White British / Black Caribbean / Indian / Other") == set()


# -- same-sex partners: the holder's sex from the quote's attribution or pronouns ------------

@pytest.mark.parametrize("text", [
    '"My husband does all the cooking," Gareth laughs. Gareth is 58 and he runs our allotment club. He grows enormous leeks.',
    '"My wife thinks I am mad," she says of her marathon plans.',
    "Tomasz's husband drove the minibus. Tomasz has been with us since 2021 and he leads the choir. He is brilliant.",
])
def test_a_same_sex_partner_is_inferred_when_the_holders_sex_is_clear(text):
    assert "SEXUAL_ORIENTATION" in cats(text)


@pytest.mark.parametrize("text", [
    '"My husband does all the cooking," Gwen laughs. Gwen is 58 and she runs our allotment club. She grows leeks.',
    '"My wife thinks I am mad," he says.',
    "Sam's husband drove the minibus.",                 # holder's sex unknown: nothing inferred
    "Thanks to my husband for all his help with the raffle.",  # no attribution
])
def test_no_same_sex_inference_without_a_clear_mismatch(text):
    assert "SEXUAL_ORIENTATION" not in cats(text)


def test_a_table_row_that_names_a_person_anchors_its_other_cells():
    from sklint.ingest import read_bytes
    from sklint.pipeline import Engine
    from sklint.config import Config
    eng = Engine(Config())
    named = b"Name,Group,Notes\nMarta Nowicka,Tuesday,Coeliac disease - gluten free snacks\nOwen Price,Tuesday,None\n"
    res = eng.check_message(read_bytes(named, "list.csv", Config())).findings
    assert [f for f in res if f.category == "HEALTH"]
    counts = b"Group,Children,Notes\nTuesday,12,Coeliac disease - gluten free snacks for 2\nThursday,9,None\n"
    res = eng.check_message(read_bytes(counts, "groups.csv", Config())).findings
    assert not [f for f in res if f.category == "HEALTH"]


def test_long_parts_are_read_in_windows_with_the_same_findings(monkeypatch):
    from sklint.config import Config
    from sklint.detect import categories
    from sklint.model import Part
    from sklint.pipeline import Engine
    paras = [
        "Kieran told his mentor that his stepdad hits him when he has been drinking.",
        "The group met on Tuesday and made kites; everyone took one home.",
        "Maya has a diagnosis of epilepsy and takes sodium valproate twice a day.",
        "Twelve young people said they felt less alone after six sessions.",
        "Her dad was arrested last month for assault and is on police bail.",
    ]
    text = "\n\n".join(paras[i % len(paras)] + f" (note {i})" for i in range(600))
    part = Part("body", "body", text)
    eng = Engine(Config())
    whole = categories.detect_categories(part, eng.ctx, [])
    monkeypatch.setattr(categories, "WINDOW_CHARS", 4000)
    windowed = categories.detect_categories(part, eng.ctx, [])
    key = lambda fs: sorted((f.category, f.start, f.end, f.match) for f in fs)
    assert key(windowed) == key(whole) and len(whole) > 300
    assert all(text[f.start:f.end] == f.match for f in windowed)


# -- an identifier of one person anchors the sentence (issue 16: detectors stand on their own) ----

@pytest.mark.parametrize("text", [
    "Referral, mobile 07700 900123: has type 1 diabetes.",
    "NHS number 943 476 5919 - diagnosed with epilepsy last spring.",
    "DOB 14/09/2012, on the waiting list for an autism assessment.",
])
def test_health_beside_a_personal_identifier_is_reported_without_a_name(text):
    from sklint.pipeline import Engine
    res = Engine(Config()).check_bytes(text.encode(), "note.txt")
    assert "health" in {f.rule for f in res.findings}, [(f.rule, f.match) for f in res.findings]


def test_an_organisation_number_is_no_anchor():
    from sklint.pipeline import Engine
    text = "Worried about diabetes? Ring the helpline on 0161 496 0000 for advice."
    res = Engine(Config()).check_bytes(text.encode(), "leaflet.txt")
    assert "health" not in {f.rule for f in res.findings}


# -- lay words and harm read from the parse (issue 16) ------------------------------------------

@pytest.mark.parametrize("text, category", [
    ("Tasha has been on tablets for her nerves since Christmas.", "HEALTH"),
    ("Kai is in for an op on Thursday so he won't be at group.", "HEALTH"),
    ("Priya is expecting again, about 12 weeks.", "HEALTH"),
    ("Dad's drinking has got worse and the kids are scared of him.", "HEALTH"),
    ("Her step-dad got sent down last month so things are tense at home.", "CRIMINAL_OFFENCE"),
    ("Jordan's dad is inside again, due out in spring.", "CRIMINAL_OFFENCE"),
    ("Mo has been cutting again, the school nurse saw the marks on her arms.", "SAFEGUARDING"),
])
def test_lay_words_for_health_prison_and_self_harm(text, category):
    assert category in cats(text)


@pytest.mark.parametrize("text", [
    "Leah told me her uncle touches her when he babysits.",
    "His step-dad regularly hurts his little brother.",
    "She said her mum's partner bit her during the row.",
])
def test_harm_done_by_one_person_to_another_is_read_from_the_parse(text):
    assert "SAFEGUARDING" in cats(text)
    assert "SAFEGUARDING" not in cats(text, without=frozenset({"parse"}))


@pytest.mark.parametrize("text", [
    "She touched the screen and the video started.",
    "Coach touched him on the shoulder to say well done.",
    "He kicked the ball over the fence and we lost it.",
    "If someone hurts you, tell an adult you trust.",
    "He was inside the sports hall when the alarm went off.",
])
def test_harm_verbs_about_things_or_hypotheticals_are_quiet(text):
    assert "SAFEGUARDING" not in cats(text) and "CRIMINAL_OFFENCE" not in cats(text)
