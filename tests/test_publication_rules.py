"""Publication rules (SK401 small-count, SK402 identifiable-quote, SK403 web-form-overcollection):
every example in rules/messages/<name>.yaml, through the real reader, plus the options."""
from __future__ import annotations

import functools

from pathlib import Path

import pytest
import yaml

from sklint.config import Config, from_mapping
from sklint.detect import DetectContext
from sklint.ingest import read_path
from sklint.model import Message, Part
from sklint.registry import load_registry, rules_dir
from sklint.rules.publication import PRESETS, check_publication, small_count_threshold

RULES = {"small-count": "SK401", "identifiable-quote": "SK402", "web-form-overcollection": "SK403"}


def _cases():
    out = []
    for name, code in RULES.items():
        data = yaml.safe_load((rules_dir() / "messages" / f"{name}.yaml").read_text(encoding="utf-8"))
        ext = ".html" if data.get("media") == "html" else ".md"
        for kind in ("fail", "pass"):
            for i, text in enumerate(data["examples"][kind]):
                out.append(pytest.param(code, ext, kind, text, id=f"{code}-{name}-{kind}-{i}"))
    return out


@functools.lru_cache(maxsize=1)
def _engine():
    from sklint.pipeline import Engine
    return Engine(Config())


def _ctx(config: Config | None = None) -> DetectContext:
    return DetectContext(config=config or Config(), registry=load_registry(), nlp=None)


def test_every_publication_rule_has_docs_and_examples():
    reg = load_registry()
    for name, code in RULES.items():
        rule = reg.get(code)
        assert rule is not None and rule.name == name and rule.kind == "publication"
        assert rule.doc.strip() and "§" in rule.doc, f"{name}: doc should cite its policy"
        ex = rule.data.get("examples") or {}
        assert len(ex.get("fail") or []) >= 3 and len(ex.get("pass") or []) >= 3


@pytest.mark.parametrize("code, ext, expect, text", _cases())
def test_publication_example(tmp_path, code, ext, expect, text):
    path = tmp_path / f"example{ext}"
    path.write_text(text, encoding="utf-8")
    message = read_path(path, Config())
    # the whole pipeline: the rules read the detectors' findings (a postcode, for SK401)
    found = [f for f in _engine().check_message(message).findings if f.code == code]
    if expect == "fail":
        assert found, f"{code} should fire on {text!r}"
        for f in found:
            assert f.severity in ("warning", "error") and f.message
            if f.start is not None:
                part = message.part(f.part)
                assert part.text[f.start:f.end] == f.match
    else:
        assert not found, f"{code} should not fire on {text!r}: {[f.match for f in found]}"


def _doc(text: str) -> Message:
    return Message(source="report.md", kind="text", parts=(Part("body", "body", text),))


@pytest.mark.parametrize("opts, expected", [
    ({}, 5), ({"threshold": 3}, 3), ({"preset": "nhs"}, 8), ({"preset": "ons"}, 10),
    ({"preset": "standard"}, 5), ({"preset": "10"}, 10),
])
def test_small_count_threshold_options(opts, expected):
    cfg = from_mapping({"rules": {"small-count": opts}}) if opts else Config()
    assert small_count_threshold(cfg) == expected


def test_small_count_presets_change_what_is_small():
    text = "8 children aged 9 in Appleby joined this year."
    assert not [f for f in check_publication(_doc(text), [], _ctx()) if f.code == "SK401"]
    for preset in ("ons",):
        cfg = from_mapping({"rules": {"small-count": {"preset": preset}}})
        hits = [f for f in check_publication(_doc(text), [], _ctx(cfg)) if f.code == "SK401"]
        assert hits and "fewer than 10" in hits[0].message
    assert PRESETS["nhs"] == 8


def test_small_count_span_covers_count_and_quasi_identifier():
    msg = _doc("In spring, 2 children aged 8 in Appleby started mentoring.")
    (f,) = [f for f in check_publication(msg, [], _ctx()) if f.code == "SK401"]
    assert f.match.startswith("2 children") and "Appleby" in f.match
    assert "age" in f.message and "place" in f.message


def test_small_count_uses_configured_category_terms():
    text = "3 young people with Moebius syndrome came to camp."
    assert not [f for f in check_publication(_doc(text), [], _ctx()) if f.code == "SK401"]
    cfg = from_mapping({"categories": {"health": ["Moebius syndrome"]}})
    assert [f for f in check_publication(_doc(text), [], _ctx(cfg)) if f.code == "SK401"]


def test_identifiable_quote_ignores_staff_named_in_config():
    """The rule reads the name findings: a staff member's name is none (the organisation
    profile allows it), so her quote is no young person's."""
    from sklint.pipeline import Engine
    text = "“Every child deserves a break,” said Priya Raman, 12 years in post."
    cfg = from_mapping({"organisation": {"staff": ["Priya Raman"]}})
    assert [f for f in _engine().check_message(_doc(text)).findings if f.code == "SK402"]
    assert not [f for f in Engine(cfg).check_message(_doc(text)).findings if f.code == "SK402"]


def test_web_form_finding_points_at_the_field_label_line(tmp_path):
    page = tmp_path / "signup.html"
    page.write_text("<!DOCTYPE html>\n<html><body>\n<form>\n<p>Name <input name=\"n\"></p>\n"
                    "<label for=\"d\">Date of birth</label>\n<input id=\"d\" name=\"d\" type=\"date\">\n"
                    "</form>\n</body></html>\n", encoding="utf-8")
    from sklint.pipeline import Engine
    res = Engine(Config()).check_path(page)
    hits = [f for f in res.findings if f.code == "SK403"]
    assert len(hits) == 1
    assert hits[0].line == 5  # the label's line in the source file
    assert "date of birth" in hits[0].message


def test_a_page_checked_from_bytes_is_read_once_with_its_markup(tmp_path):
    """The service and `fix` check pages that are not on disk (or no longer are): the web-form
    rule and the inline directives read the markup ingest kept on the message, never the file."""
    from sklint.pipeline import Engine
    page = ("<!DOCTYPE html>\n<html><body>\n<!-- sklint: ignore[SK101] -->\n<p>Zofia Nowak ran "
            "the stall.</p>\n<form>\n<label for=\"d\">Date of birth</label>\n"
            "<input id=\"d\" name=\"d\" type=\"date\">\n</form>\n</body></html>\n").encode()
    bare = Engine(Config()).check_bytes(page.replace(b"<!-- sklint: ignore[SK101] -->\n", b""), "signup.html")
    assert "SK101" in [f.code for f in bare.findings]  # the name is found where no comment says otherwise
    res = Engine(Config()).check_bytes(page, "signup.html")
    assert res.message.raw is not None and "<form>" in res.message.raw
    codes = [f.code for f in res.findings]
    assert "SK403" in codes and "SK101" not in codes, codes
    # the same page from disk, then the file gone before the later stages could read it
    path = tmp_path / "signup.html"
    path.write_bytes(page)
    from sklint.ingest import read_path
    msg = read_path(path, Config())
    path.unlink()
    assert [f.code for f in Engine(Config()).check_message(msg, str(path)).findings] == codes


def test_publication_rules_skip_emails():
    msg = Message(source="x.eml", kind="email", is_email=True,
                  parts=(Part("body", "body", "2 children aged 8 in Appleby came."),))
    assert check_publication(msg, [], _ctx()) == []


@pytest.mark.parametrize("case, code", [
    ("case-29-monitoring-postcodes.txt", "SK401"),
    ("case-31-impact-report-one-quote.md", "SK402"),
    ("case-26-case-study-leaking.txt", "SK402"),
    ("case-35-signup-form.html", "SK403"),
])
def test_dev_cases_of_each_rule(case, code):
    path = _dev() / case
    if not path.is_file():
        pytest.skip(f"dev corpus not present: {path}")
    found = _engine().check_message(read_path(path, Config())).findings
    assert [f for f in found if f.code == code]


@pytest.mark.parametrize("case", ["case-23-impact-report-anonymised.md",
                                  "case-25-case-study-anonymised.md",
                                  "case-37-names-not-people.md", "case-36-events-page.html"])
def test_dev_cases_without_publication_problems(case):
    path = _dev() / case
    if not path.is_file():
        pytest.skip(f"dev corpus not present: {path}")
    found = _engine().check_message(read_path(path, Config())).findings
    assert [f.code for f in found if f.code.startswith("SK4")] == []


def _dev() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "dev"


def test_small_count_takes_its_postcodes_from_the_findings():
    """SK401 reads the postcode findings, not text of its own: the same table row is a small
    count beside a postcode when the detectors found one there, and nothing when they did not
    (an organisation's own postcode, allowed by its profile)."""
    from sklint.model import Finding
    text = "Referrals by area\n  CA11 8RR    2\n"
    doc = Message(source="r.md", kind="document", parts=(Part("body", "body", text),))
    s = text.index("CA11")
    pc = Finding(code="SK110", rule="postcode", severity="warning", part="body", start=s,
                 end=s + 8, match="CA11 8RR", message="Full UK postcode", entity="POSTCODE")
    assert [f.code for f in check_publication(doc, [pc], _ctx())] == ["SK401"]
    assert check_publication(doc, [], _ctx()) == []
    prose = "We saw 2 children from CA11 8RR this term."
    doc = Message(source="r.md", kind="document", parts=(Part("body", "body", prose),))
    s = prose.index("CA11")
    assert [f.code for f in check_publication(doc, [pc.with_(start=s, end=s + 8)], _ctx())] == ["SK401"]
    assert check_publication(doc, [], _ctx()) == []
