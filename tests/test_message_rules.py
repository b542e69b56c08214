"""Every message rule's passing and failing examples (rules/messages/*.yaml), run through the
whole pipeline from raw RFC 822 text, plus the behaviours issue 4 names."""
from __future__ import annotations

from email.message import EmailMessage

import pytest
import yaml

from sklint.config import Config, from_mapping
from sklint.pipeline import Engine
from sklint.registry import load_registry, rules_dir

MESSAGE_RULES = [(r.code, r.name) for r in load_registry().of_kind("message")]


@pytest.fixture(scope="module")
def engine():
    return Engine(Config())


def _examples():
    for code, name, *_ in MESSAGE_RULES:
        data = yaml.safe_load((rules_dir() / "messages" / f"{name}.yaml").read_text(encoding="utf-8"))
        for verdict in ("fail", "pass"):
            for i, text in enumerate(data["examples"][verdict]):
                yield pytest.param(name, verdict, text, id=f"{name}-{verdict}-{i}")


@pytest.mark.parametrize("name,verdict,text", list(_examples()))
def test_message_rule_examples(engine, name, verdict, text):
    res = engine.check_bytes(text.encode("utf-8"), "example.eml")
    assert res.error is None
    fired = [f for f in res.findings if f.rule == name]
    if verdict == "fail":
        assert fired, f"{name} should fire"
    else:
        assert not fired, f"{name} should stay quiet: {[f.message for f in fired]}"


def test_every_message_rule_has_examples():
    for _, name, *_ in MESSAGE_RULES:
        data = yaml.safe_load((rules_dir() / "messages" / f"{name}.yaml").read_text(encoding="utf-8"))
        assert data["examples"]["fail"] and data["examples"]["pass"], name
        assert data["doc"].strip(), name


def _mail(to, cc=(), bcc=(), sender="helen@siblingkinship.org.uk", subject="Hello", body="Hi,\n"):
    m = EmailMessage()
    m["From"] = sender
    m["To"] = ", ".join(to)
    if cc:
        m["Cc"] = ", ".join(cc)
    if bcc:
        m["Bcc"] = ", ".join(bcc)
    m["Subject"] = subject
    m.set_content(body)
    return bytes(m)


def test_group_send_threshold_is_configurable():
    to = ["a@gmail.com", "b@hotmail.com"]
    quiet = Engine(Config()).check_bytes(_mail(to), "m.eml")
    assert not [f for f in quiet.findings if f.rule == "group-send-without-bcc"]
    cfg = from_mapping({"rules": {"group-send-without-bcc": {"min-personal-recipients": 2}}})
    loud = Engine(cfg).check_bytes(_mail(to), "m.eml")
    hits = [f for f in loud.findings if f.rule == "group-send-without-bcc"]
    assert hits and hits[0].part == "headers" and hits[0].start is None


def test_internal_only_send_is_not_a_group_send():
    cfg = from_mapping({"organisation": {"domains": ["siblingkinship.org.uk", "gmail.com"]}})
    res = Engine(cfg).check_bytes(_mail(["a@gmail.com", "b@gmail.com", "c@gmail.com"]), "m.eml")
    assert not [f for f in res.findings if f.rule == "group-send-without-bcc"]


def test_reply_all_to_group_thread_is_caught():
    to = ["a@gmail.com", "b@hotmail.com", "c@yahoo.co.uk", "d@icloud.com"]
    res = Engine(Config()).check_bytes(_mail(to, subject="RE: Sibling group"), "m.eml")
    assert [f for f in res.findings if f.rule == "group-send-without-bcc"]


def test_many_unrelated_organisations_is_a_group_send():
    to = [f"office@school{i}.sch.uk" for i in range(7)]
    res = Engine(Config()).check_bytes(_mail(to), "m.eml")
    assert [f for f in res.findings if f.rule == "group-send-without-bcc"]


def test_public_contacts_never_make_a_message_rule_fire():
    m = EmailMessage()
    m["From"] = "helen@siblingkinship.org.uk"
    m["To"] = "intake@fellsideyoungminds.org.uk"
    m["Subject"] = "Training dates"
    m.set_content("Dates attached.\n")
    m.add_attachment("Questions: 01539 722810.\n".encode(), maintype="text",
                     subtype="plain", filename="dates.txt")
    loud = Engine(Config()).check_bytes(bytes(m), "m.eml")
    assert [f for f in loud.findings if f.rule == "personal-data-in-attachment"]
    cfg = from_mapping({"organisation": {"public-contacts": ["01539 722810"]}})
    quiet = Engine(cfg).check_bytes(bytes(m), "m.eml")
    assert not [f for f in quiet.findings if f.rule in ("personal-data-in-attachment", "unprotected-attachment")]


def test_the_senders_own_name_in_an_attachment_is_not_personal_data():
    m = EmailMessage()
    m["From"] = "Priya Raman <priya@siblingkinship.org.uk>"
    m["To"] = "Gillian Moffat <gillian@lakelandcommunityfund.org.uk>"
    m["Subject"] = "Q2 report"
    m.set_content("Report attached.\n")
    m.add_attachment("Q2 report\n\nPrepared by Priya Raman.\n".encode(),
                     maintype="text", subtype="plain", filename="report.txt")
    res = Engine(Config()).check_bytes(bytes(m), "m.eml")
    assert not [f for f in res.findings if f.rule == "personal-data-in-attachment"]
    m.replace_header("From", "Helen Ashworth <helen@siblingkinship.org.uk>")
    res = Engine(Config()).check_bytes(bytes(m), "m.eml")
    assert [f for f in res.findings if f.rule == "personal-data-in-attachment"]
