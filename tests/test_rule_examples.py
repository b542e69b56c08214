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
    findings = engine.check_message(msg)
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
