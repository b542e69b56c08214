"""Every YAML rule's `examples` (rules/identifiers and rules/categories, whoever wrote them) run
through the full pipeline: each `fail` example yields a finding with the rule's code, each
`pass` example yields none."""
from __future__ import annotations

import pytest

from sklint.config import Config
from sklint.model import Message, Part
from sklint.pipeline import Engine
from sklint.registry import load_registry


def _cases():
    out = []
    for rule in load_registry().rules:
        if rule.kind not in ("identifier", "category"):
            continue
        examples = rule.data.get("examples") or {}
        for i, text in enumerate(examples.get("fail") or []):
            out.append(pytest.param(rule.code, "fail", text, id=f"{rule.code}-{rule.name}-fail-{i}"))
        for i, text in enumerate(examples.get("pass") or []):
            out.append(pytest.param(rule.code, "pass", text, id=f"{rule.code}-{rule.name}-pass-{i}"))
    return out


@pytest.fixture(scope="module")
def engine():
    return Engine(Config())


def test_every_yaml_rule_has_examples():
    for rule in load_registry().rules:
        if rule.kind in ("identifier", "category"):
            ex = rule.data.get("examples") or {}
            assert ex.get("fail") and ex.get("pass"), f"{rule.code} {rule.name} lacks examples"
            assert rule.severity in ("warning", "error"), f"{rule.code} severity {rule.severity}"
            assert rule.policy, f"{rule.code} cites no policy"


@pytest.mark.parametrize("code, expect, text", _cases())
def test_rule_example(engine, code, expect, text):
    msg = Message(source="example", kind="text", parts=(Part("body", "body", text),))
    findings = engine.check_message(msg).findings
    hits = [f for f in findings if f.code == code]
    if expect == "fail":
        assert hits, f"{code} should fire on {text!r}; got {[(f.code, f.match) for f in findings]}"
    else:
        assert not hits, f"{code} should not fire on {text!r}; got {[(f.code, f.match) for f in hits]}"


def test_each_rule_is_one_yaml_file_holding_its_code():
    """Issue 18: a rule is one YAML file; grep finds each code in exactly one of them, and the
    registry is built from those files alone."""
    import re
    from sklint.registry import rules_dir
    files = sorted(rules_dir().rglob("*.yaml"))
    codes: dict[str, list[str]] = {}
    for f in files:
        for code in re.findall(r"(?m)^code:\s*(SK\d{3})\s*$", f.read_text(encoding="utf-8")):
            codes.setdefault(code, []).append(f.relative_to(rules_dir()).as_posix())
    reg = load_registry()
    assert set(codes) == {r.code for r in reg.rules}
    assert all(len(v) == 1 for v in codes.values()), {k: v for k, v in codes.items() if len(v) > 1}
    for kind in ("message", "publication", "info"):
        assert reg.of_kind(kind), kind
    src = (rules_dir().parent / "sklint" / "registry.py")
    if src.is_file():
        assert not re.search(r'"SK\d{3}"', src.read_text(encoding="utf-8")), "a code hard-wired in registry.py"


def test_a_new_entity_type_is_one_file(tmp_path):
    """Issue 18: a new identifier, its entity type and what it means elsewhere (fingerprints,
    attachments, webmail, fix) come from one YAML file dropped into a copy of the rules
    (SKLINT_RULES_DIR); nothing in sklint's code names it."""
    import json
    import os
    import shutil
    import subprocess
    import sys
    from email.message import EmailMessage
    from pathlib import Path
    from sklint.registry import rules_dir
    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules)
    fixture = Path(__file__).parent / "fixtures" / "new-entity" / "passport-number.yaml"
    shutil.copy(fixture, rules / "identifiers" / fixture.name)
    env = {**os.environ, "SKLINT_RULES_DIR": str(rules), "SKLINT_REGISTER_KEY": "k-0123456789abcdef0123",
           "SKLINT_DATA_DIR": str(tmp_path / "data"), "SKLINT_REVEAL_PASSPHRASE": ""}
    m = EmailMessage()
    m["From"], m["To"] = "Jo Bell <jo@riverbend.org.uk>", "Sam <sam.hale@gmail.com>"
    m["Subject"], m["Date"] = "Trip", "Mon, 07 Dec 2026 09:00:00 +0000"
    m.set_content("Hello,\n\nFor the trip form: passport number 120345678.\n")
    m.add_attachment(b"Passport number 987654321 for the booking.\n", maintype="text", subtype="plain",
                     filename="booking.txt")
    src = tmp_path / "in"
    src.mkdir()
    (src / "trip.eml").write_bytes(bytes(m))
    r = subprocess.run([sys.executable, "-m", "sklint", "check", "--format", "json", "--show-matches",
                        str(src / "trip.eml")], capture_output=True, text=True, env=env, timeout=300)
    found = json.loads(r.stdout)["files"][0]["findings"]
    codes = {(f["code"], f["part"]) for f in found}
    assert ("SK190", "body") in codes and ("SK190", "attachment:booking.txt") in codes, codes
    rules_fired = {f["rule"] for f in found}
    assert "personal-data-in-attachment" in rules_fired  # attachment-personal: true
    assert "personal-webmail-recipient" in rules_fired  # webmail-identifying: true
    r = subprocess.run([sys.executable, "-m", "sklint", "fix", str(src), "--output", str(tmp_path / "out")],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    out = (tmp_path / "out" / "trip.eml").read_text(encoding="utf-8", errors="replace")
    assert "120345678" not in out and "[passport number removed]" in out
    # and without the file, nothing knows it
    del env["SKLINT_RULES_DIR"]
    r = subprocess.run([sys.executable, "-m", "sklint", "check", "--format", "json", str(src / "trip.eml")],
                       capture_output=True, text=True, env=env, timeout=300)
    assert "SK190" not in r.stdout
