"""The scoring of `sklint eval`, exactly as shared/spec/corpus-format.md says."""
from __future__ import annotations

from sklint.evaluate import EvalResult, score_document
from sklint.model import FileResult, Finding


def F(part, match, entity=None, category=None, rule="x"):
    return Finding(code="SK100", rule=rule, severity="error", part=part, start=0, end=len(match),
                   match=match, message="", entity=entity, category=category)


GOLD = {
    "entities": [
        {"type": "PERSON", "text": "Kayden Brooks", "part": "body"},
        {"type": "POSTCODE", "text": "LA9 4DH", "part": "body"},
        {"type": "AGE", "text": "aged 13", "part": "subject"},
    ],
    "categories": [{"category": "HEALTH", "part": "body", "evidence": "ADHD"}],
    "rules": {"subject-line-leak": True, "group-send-without-bcc": False},
    "allowed": ["Rachel Dunmore"],
}


def test_half_token_overlap_in_the_same_part():
    res = EvalResult()
    findings = (
        F("body", "Kayden"),  # covers 1 of 2 gold tokens: found (at least half)
        F("body", "Kendal LA9 4DH", "POSTAL_ADDRESS"),  # typed as one with POSTCODE
        F("body", "aged 13", "AGE"),  # wrong part: not the subject's, and a false alarm in body
        F("body", "Rachel", "PERSON"),  # allowed: neither for nor against
        F("body", "has ADHD", category="HEALTH"),
        F("subject", "x", rule="subject-line-leak"),
    )
    findings = (findings[0].with_(entity="PERSON"),) + findings[1:]
    score_document(res, FileResult("d.eml", "email", None, findings), GOLD, "d.eml")
    assert (res.untyped.gold, res.untyped.tp_recall) == (3, 2)
    assert (res.typed.tp_recall) == 2
    # precision: Kayden ok; address: 2 of its 3 tokens lie in the gold postcode -> ok;
    # aged 13 in body: false alarm; Rachel: allowed -> ok
    assert (res.untyped.predicted, res.untyped.tp_precision) == (4, 3)
    assert res.categories.tp_recall == 1 and res.categories.tp_precision == 1
    assert res.rules["subject-line-leak"]["tp"] == 1
    assert res.rules["group-send-without-bcc"]["tn"] == 1
    line = res.summary_line()
    assert line.startswith("entity recall 0.667 precision 0.750 | typed F1 ")
    assert line.endswith("| unread 0/1")


def test_unread_documents_count():
    res = EvalResult()
    score_document(res, FileResult("d.docx", "document", "corrupt"), {"entities": []}, "d.docx")
    assert res.unread == 1 and res.documents == 1
