"""Suppression (issue 6): selection with ruff's specificity, per-file-ignores, severity
overrides, the organisation profile, the allowlist and inline comments, on real Messages."""
from __future__ import annotations

from pathlib import Path

import pytest

from sklint.config import Config, from_mapping
from sklint.fingerprint import finding_fingerprint
from sklint.model import Finding, Message, Part
from sklint.registry import load_registry
from sklint.suppress import apply_suppressions, drop_allowed, rule_enabled, selector_specificity

REG = load_registry()


def F(code: str, text: str, match: str, entity=None, category=None, severity="warning",
      part="body") -> Finding:
    rule = REG.get(code)
    start = text.find(match) if match else None
    return Finding(code=code, rule=rule.name if rule else code.lower(), severity=severity,
                   part=part, start=start, end=None if start is None else start + len(match),
                   match=match, message="test finding", entity=entity, category=category)


def msg(text: str, source: str = "doc.txt") -> Message:
    return Message(source=source, kind="text", parts=(Part("body", "body", text),))


def apply(config: Config, message: Message, findings, path=None):
    """The profile and allowlist, then selection, directives and severity: the pipeline's order."""
    path = path or message.source
    return apply_suppressions(message, drop_allowed(message, findings, config, path), config, REG, path)


def codes(fs):
    return sorted(f.code for f in fs)


# -- selection --------------------------------------------------------------------------------

def test_specificity_order():
    assert selector_specificity("ALL", "SK101", "person-name") == 0
    assert selector_specificity("SK", "SK101", "person-name") < selector_specificity("SK1", "SK101", "person-name")
    assert selector_specificity("SK1", "SK101", "person-name") < selector_specificity("SK10", "SK101", "person-name")
    assert selector_specificity("SK101", "SK101", "person-name") == selector_specificity("person-name", "SK101", "person-name")
    assert selector_specificity("SK2", "SK101", "person-name") is None
    assert selector_specificity("sk101", "SK101", "person-name") == 100


@pytest.mark.parametrize("cfg, code, on", [
    ({}, "SK101", True),
    ({"select": ["SK2"]}, "SK101", False),
    ({"select": ["SK2"]}, "SK201", True),
    ({"select": ["SK1"], "ignore": ["SK104"]}, "SK104", False),
    ({"select": ["SK1"], "ignore": ["SK104"]}, "SK101", True),
    ({"ignore": ["SK1"], "extend-select": ["SK104"]}, "SK104", True),   # more specific wins
    ({"ignore": ["SK1"], "extend-select": ["SK104"]}, "SK101", False),
    ({"select": ["SK104"], "ignore": ["SK1"]}, "SK104", True),
    ({"select": ["SK1"], "ignore": ["SK1"]}, "SK101", False),            # a tie goes to ignore
    ({"ignore": ["person-name"]}, "SK101", False),
    ({"select": ["ALL"], "ignore": ["SK3"]}, "SK301", False),
])
def test_rule_enabled(cfg, code, on):
    rule = REG.get(code)
    assert rule_enabled(rule.code, rule.name, from_mapping(cfg)) is on


def test_select_keeps_info_notes_unless_named():
    text = "Tom"
    note = Finding("SK901", "not-inspected", "info", "attachment:x.png", None, None, "", "not inspected: image")
    f = F("SK101", text, "Tom", entity="PERSON")
    out = apply(from_mapping({"select": ["SK2"]}), msg(text), [f, note])
    assert codes(out) == ["SK901"]
    out = apply(from_mapping({"ignore": ["SK9"]}), msg(text), [f, note])
    assert codes(out) == ["SK101"]


def test_per_file_ignores_globs_relative_to_root(tmp_path):
    cfg = from_mapping({"per-file-ignores": {"notes/*.md": ["SK104"], "**/public/*": ["person-name"]}},
                       root=str(tmp_path))
    text = "Call 07700 900123 or Tom"
    fs = [F("SK104", text, "07700 900123", entity="PHONE_NUMBER"), F("SK101", text, "Tom", entity="PERSON")]
    assert codes(apply(cfg, msg(text), fs, str(tmp_path / "notes" / "a.md"))) == ["SK101"]
    assert codes(apply(cfg, msg(text), fs, str(tmp_path / "other" / "a.md"))) == ["SK101", "SK104"]
    assert codes(apply(cfg, msg(text), fs, str(tmp_path / "site" / "public" / "x.txt"))) == ["SK104"]
    neg = from_mapping({"per-file-ignores": {"!site/*": ["SK104"]}}, root=str(tmp_path))
    assert codes(apply(neg, msg(text), fs, str(tmp_path / "notes" / "a.md"))) == ["SK101"]
    assert codes(apply(neg, msg(text), fs, str(tmp_path / "site" / "a.md"))) == ["SK101", "SK104"]


def test_severity_overrides_most_specific_wins():
    text = "Tom 07700 900123"
    fs = [F("SK101", text, "Tom", entity="PERSON"), F("SK104", text, "07700 900123", entity="PHONE_NUMBER")]
    cfg = from_mapping({"severity": {"SK1": "error", "uk-phone-number": "warning"}})
    out = {f.code: f.severity for f in apply(cfg, msg(text), fs)}
    assert out == {"SK101": "error", "SK104": "warning"}


def test_identifier_severity_is_never_info():
    text = "Tom"
    cfg = from_mapping({"severity": {"SK101": "info", "SK905": "warning"}})
    (out,) = apply(cfg, msg(text), [F("SK101", text, "Tom", entity="PERSON")])
    assert out.severity == "warning"


# -- organisation profile ------------------------------------------------------------------------

ORG = {"organisation": {
    "name": "Eden Family Link", "domains": ["edenfamilylink.org.uk"],
    "public-contacts": ["01768 860241", "Hello@EdenFamilyLink.org.uk",
                        "Unit 3, Gilwilly Road, Penrith CA11 9BL"],
    "staff": ["Steve Marr", "Sue Bevan"],
}}


@pytest.mark.parametrize("match, entity, dropped", [
    ("01768 860241", "PHONE_NUMBER", True),
    ("(01768) 860-241", "PHONE_NUMBER", True),
    ("+44 1768 860241", "PHONE_NUMBER", True),
    ("07700 900123", "PHONE_NUMBER", False),
    ("hello@edenfamilylink.org.uk", "EMAIL_ADDRESS", True),
    ("steve.marr@edenfamilylink.org.uk", "EMAIL_ADDRESS", True),   # at the organisation's domain
    ("steve.marr@mail.edenfamilylink.org.uk", "EMAIL_ADDRESS", True),
    ("steve.marr@gmail.com", "EMAIL_ADDRESS", False),
    ("edenfamilylink.org.uk@evil.example", "EMAIL_ADDRESS", False),
    ("CA11 9BL", "POSTCODE", True),
    ("Unit 3, Gilwilly Road, Penrith", "POSTAL_ADDRESS", True),
    ("Unit 3, Gilwilly Road, Penrith CA11 9BL", "POSTAL_ADDRESS", True),
    ("14 Sandpits Road, Ludlow", "POSTAL_ADDRESS", False),
    ("CA11 8RR", "POSTCODE", False),
    ("Steve Marr", "PERSON", True),
    ("Steve", "PERSON", True),
    ("Marr", "PERSON", True),
    ("Mr Marr", "PERSON", True),
    ("Sue Bevan's", "PERSON", True),
    ("Steve Hughes", "PERSON", False),
    ("Tom Hughes", "PERSON", False),
])
def test_organisation_profile(match, entity, dropped):
    text = f"x {match} y"
    out = apply(from_mapping(ORG), msg(text), [F("SK104", text, match, entity=entity)])
    assert (out == []) is dropped


def test_organisation_profile_never_drops_info_or_categories():
    text = "Steve Marr"
    info = Finding("SK903", "limit-reached", "info", "body", None, None, "Steve Marr", "limit")
    cat = F("SK201", text, "Steve Marr", category="HEALTH", severity="error")
    out = apply(from_mapping(ORG), msg(text), [info, cat])
    assert codes(out) == ["SK201", "SK903"]


# -- allowlist ---------------------------------------------------------------------------------

def test_allowlist_strings_and_regexes():
    text = "Ring 0300 123 4567 or ref AB-1234 or Tom"
    fs = [F("SK104", text, "0300 123 4567", entity="PHONE_NUMBER"),
          F("SK111", text, "AB-1234", entity="CASE_REFERENCE"),
          F("SK101", text, "Tom", entity="PERSON")]
    cfg = from_mapping({"allowlist": ["0300  123 4567"], "allowlist-regex": [r"AB-\d{4}"]})
    assert codes(apply(cfg, msg(text), fs)) == ["SK101"]


def test_allowlist_fingerprints(tmp_path, monkeypatch):
    monkeypatch.setenv("SKLINT_BASELINE_KEY", "k1")
    (tmp_path / ".git").mkdir()
    path = tmp_path / "site" / "a.md"
    text = "Tom and Tom"
    f = F("SK101", text, "Tom", entity="PERSON")
    fp = finding_fingerprint(b"k1", f, path, str(tmp_path))
    cfg = from_mapping({"allowlist-fingerprints": [fp]}, root=str(tmp_path))
    assert apply(cfg, msg(text, str(path)), [f], str(path)) == []
    # the same name in another file is still reported
    other = tmp_path / "site" / "b.md"
    assert apply(cfg, msg(text, str(other)), [f], str(other)) == [f]
    # with another key the fingerprint matches nothing
    monkeypatch.setenv("SKLINT_BASELINE_KEY", "k2")
    assert apply(cfg, msg(text, str(path)), [f], str(path)) == [f]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_allowlist_entries_that_match_nothing_are_named(tmp_path, jobs):
    """The real CLI, in one process and with workers: entries that allowed nothing are named by
    position on stderr (never by their text); the one that was used is not."""
    import subprocess
    import sys
    (tmp_path / "a.txt").write_text("Please call 0300 123 4567 today.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Please call 0300 123 4568 today.\n", encoding="utf-8")
    (tmp_path / "sklint.toml").write_text(
        'allowlist = ["0300 123 4567", "Nobody Here"]\nallowlist-regex = ["ZZ-\\\\d+"]\n',
        encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "sklint", "check", "a.txt", "b.txt", "--jobs", jobs],
                       cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode == 1, r.stderr  # b.txt's number is still reported
    assert "2 of 3 allowlist entries matched nothing" in r.stderr
    assert "(allowlist 2, allowlist-regex 1)" in r.stderr
    assert "Nobody Here" not in r.stderr and "allowlist 1," not in r.stderr
    # all entries used: nothing said
    (tmp_path / "sklint.toml").write_text('allowlist = ["0300 123 4567"]\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "sklint", "check", "a.txt", "--jobs", jobs],
                       cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert "allowlist entries matched nothing" not in r.stderr, r.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_allowlisted_message_rule_finding_counts_as_a_match(tmp_path, jobs, monkeypatch):
    """A fingerprint that allows a message rule's own finding (the subject-line rule here, not
    the name finding under it) removes that finding and is not named as matching nothing: each
    finding passes the allowlist once, and the entries it matched come back with the result."""
    import subprocess
    import sys
    from sklint.config import Config
    from sklint.pipeline import Engine
    mail = (b"From: a@charity.org.uk\nTo: b@charity.org.uk\nSubject: Kofi Mensah referral\n\n"
            b"Hello, see you Tuesday.\n")
    (tmp_path / "m.eml").write_bytes(mail)
    (tmp_path / "other.eml").write_bytes(mail)  # the same words in another file: still reported
    loud = Engine(Config(root=str(tmp_path))).check_path(tmp_path / "m.eml")
    subject = [f for f in loud.findings if f.rule == "subject-line-leak"]
    assert subject and subject[0].match == "Kofi Mensah"
    monkeypatch.setenv("SKLINT_BASELINE_KEY", "k1")
    fp = finding_fingerprint(b"k1", subject[0], str(tmp_path / "m.eml"), str(tmp_path))
    (tmp_path / "sklint.toml").write_text(f'allowlist-fingerprints = ["{fp}"]\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "sklint", "check", "m.eml", "other.eml", "--jobs", jobs,
                        "--format", "json"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert "allowlist entries matched nothing" not in r.stderr, r.stderr
    import json
    rules = {f["path"]: {x["rule"] for x in f["findings"]} for f in json.loads(r.stdout)["files"]}
    assert "subject-line-leak" not in rules["m.eml"] and "person-name" in rules["m.eml"]
    assert "subject-line-leak" in rules["other.eml"]


# -- inline comments ---------------------------------------------------------------------------

MD = """# Report

Tom came to the group.

<!-- sklint: ignore[SK101] -->
Jess came too, with
her brother Sam.

Ali came last. <!-- sklint: ignore[person-name] -->

Mo did not come.

<!-- sklint: ignore[SK104] -->
Nobody here.
"""


def test_markdown_comment_covers_the_next_block(tmp_path):
    p = tmp_path / "r.md"
    p.write_text(MD, encoding="utf-8")
    names = ["Tom", "Jess", "Sam", "Ali", "Mo"]
    fs = [F("SK101", MD, n, entity="PERSON") for n in names]
    out = apply(Config(), msg(MD, str(p)), fs)
    assert sorted(f.match for f in out if f.code == "SK101") == ["Mo", "Tom"]
    unused = [f for f in out if f.code == "SK905"]
    assert len(unused) == 1 and unused[0].severity == "info" and "SK104" in unused[0].message
    assert unused[0].match == ""
    assert MD[unused[0].start:unused[0].end].startswith("<!-- sklint: ignore[SK104]")


def test_ignore_file_in_markdown(tmp_path):
    text = "<!-- sklint: ignore-file -->\nTom\n"
    fs = [F("SK101", text, "Tom", entity="PERSON")]
    assert apply(Config(), msg(text, str(tmp_path / "a.md")), fs) == []
    text2 = "<!-- sklint: ignore-file[SK104] -->\nTom\n"
    out = apply(Config(), msg(text2, str(tmp_path / "a.md")), [F("SK101", text2, "Tom", entity="PERSON")])
    assert codes(out) == ["SK101", "SK905"]  # nothing for SK104 to silence


def test_unused_suppression_can_be_ignored(tmp_path):
    text = "<!-- sklint: ignore[SK104] -->\nNothing.\n"
    assert apply(from_mapping({"ignore": ["SK905"]}), msg(text, str(tmp_path / "a.md")), []) == []


def test_html_comment_covers_the_next_element(tmp_path):
    from sklint.ingest import read_path
    from sklint.pipeline import with_position
    page = ("<!DOCTYPE html>\n<html><body>\n<p>Tom is here.</p>\n"
            "<!-- sklint: ignore[SK101] -->\n<div>\n<p>Jess is here.</p>\n<p>Sam too.</p>\n</div>\n"
            "<p>Ali <!-- sklint: ignore --> and Mo.</p>\n<p>Zed.</p>\n</body></html>\n")
    p = tmp_path / "page.html"
    p.write_text(page, encoding="utf-8")
    m = read_path(p, Config())
    body = m.part("body")
    fs = [F("SK101", body.text, n, entity="PERSON") for n in ("Tom", "Jess", "Sam", "Ali", "Mo", "Zed")]
    out = apply(Config(), m, fs, str(p))
    assert sorted(f.match for f in out) == ["Ali", "Tom", "Zed"]
