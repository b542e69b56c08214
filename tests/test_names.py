"""PERSON detection: NER plus name rules."""
import pytest

from sklint.config import Config
from sklint.detect import DetectContext
from sklint.detect.names import detect_persons
from sklint.detect.ner import NlpEngine
from sklint.model import Message, Part

CTX = DetectContext(config=Config(), registry=None, nlp=NlpEngine())


def persons(text, parts=None, headers=()):
    parts = parts or (Part("body", "body", text, table_headers=headers),)
    msg = Message(source="t", kind="email", parts=tuple(parts))
    return detect_persons(msg, CTX)


def matches(text, **kw):
    return {f.match for f in persons(text, **kw)}


def test_finding_shape():
    f = persons("I spoke to Kayden Brooks today.")[0]
    assert (f.code, f.rule, f.entity, f.severity, f.suggestion) == ("SK101", "person-name", "PERSON", "error", None)
    assert f.source in ("ner", "rule") and f.match == "Kayden Brooks"


@pytest.mark.parametrize("text,name", [
    ("Dear Mrs O'Neill,\n\nThank you.", "Mrs O'Neill"),
    ("Hi Jayden,\n\nSee you soon.", "Jayden"),
    ("He talks about his sister Chloe a lot.", "Chloe"),
    ("We called Mum (Sarah) this morning.", "Sarah"),
    ("Jess, 12, from Penrith said the day was brilliant.", "Jess"),
    ("The letter was signed by T. Hughes on Monday.", "T. Hughes"),
    ("Mr J. Wołąsiewicz was the agent.", "Mr J. Wołąsiewicz"),
    ("Child's name: AMIRA HUSSAIN\nDOB: 14.09.2012", "AMIRA HUSSAIN"),
    ("Thanks to the family of Łukasz Nowak for their support.", "Łukasz Nowak"),
    ("Zoë Hartley was upset again on Tuesday.", "Zoë Hartley"),
    ("On 16 May 2008, Tugendhat J handed down judgment.", "Tugendhat J"),
])
def test_name_rules(text, name):
    assert name in matches(text)


def test_possessive_is_not_part_of_the_name():
    assert "Mia" in matches("We met Mia Johnson last week. Mia's school called.")


def test_propagation_within_the_message():
    subject = Part("subject", "subject", "Referral")
    body = Part("body", "body", "Kayden Brooks is 9. Kayden enjoys football. Mrs Brooks rang.")
    found = {f.match for f in persons("", parts=(subject, body))}
    assert {"Kayden Brooks", "Kayden", "Mrs Brooks"} <= found


def test_table_column_headed_name():
    text = "Name\nAge\nAva Thompson\n11\n"
    headers = ((0, 4, "Name"), (5, 8, "Age"))  # header cells are not values
    assert "Ava Thompson" in matches(text, headers=((12, 24, "Name"), (25, 27, "Age")))


def test_csv_name_column():
    text = "Name,DOB,Postcode\nHarrison Bell,2013-11-02,LA9 7AZ\nLucy Dobson,2012-05-01,LA9 4AB\n"
    assert {"Harrison Bell", "Lucy Dobson"} <= matches(text)


@pytest.mark.parametrize("text", [
    "Coffee morning at St Mary's Church hall, Hope Street, on 1 May.",
    "Visiting Grace Darling Ward at the hospital. Will you come?",
    "Every Penny Counts: our May appeal raised £400.",
    "Mum rang. Dad was at work. Tel: 01539 722810. Driver needed.",
    "His brother has Duchenne and his cousin has Rett syndrome.",
    "SKC-014 and SKC-022 attended the group.",
    "The Designated Safeguarding Lead will call the Children's Hospital.",
])
def test_not_persons(text):
    assert matches(text) == set()


def test_text_longer_than_spacy_max_length():
    text = "Kayden Brooks met his sister Chloe.\n" + "\n" * 1_000_000 + "Chloe Brooks was there."
    found = {f.match for f in persons(text)}
    assert {"Kayden Brooks", "Chloe", "Chloe Brooks"} <= found
