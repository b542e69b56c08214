"""The rule registry: every rule sklint knows, found by grep.

Identifier and category rules are data (`rules/identifiers/*.yaml`, `rules/categories/*.yaml`);
message, publication and info rules are listed in MESSAGE_RULES / INFO_RULES below with their
Python check living in `sklint/rules/<name>.py`. Each YAML rule file has:

    code: SK104                 stable code
    name: uk-phone-number       kebab-case name
    entity: PHONE_NUMBER        or `category: HEALTH`
    severity: warning           info | warning | error
    extends: pattern            pattern | ner | lexicon
    policy: "000 §9 ..."        the policy clause it enforces (shared/policies)
    summary: one line
    doc: what it does / why / example
    examples: {fail: [...], pass: [...]}
    ... detector-specific keys (patterns, context, validator, terms, ...)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Optional

import yaml


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    kind: str  # identifier | category | message | publication | info
    policy: str
    summary: str
    doc: str = ""
    entity: Optional[str] = None
    category: Optional[str] = None
    data: dict = field(default_factory=dict, compare=False, hash=False)  # the whole YAML mapping

    @property
    def contexts(self) -> dict[str, str]:
        """Where this rule's findings are no disclosure, and the severity they get there
        (`contexts:` in the rule's YAML; see sklint/context.py)."""
        return dict(self.data.get("contexts") or {})


# Message-level rules (issue 4) and publication rules (issue 6): code, name, severity, policy, summary.
MESSAGE_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("SK301", "subject-line-leak", "error",
     "000 §7.3: do not include sensitive clinical/safeguarding details in subject lines",
     "An identifier or sensitive-category detail in the subject line"),
    ("SK302", "group-send-without-bcc", "error",
     "000 §7.3: use BCC for group emails/newsletters",
     "A group send puts recipients who do not know each other in To or Cc"),
    ("SK303", "sensitive-detail-in-email", "error",
     "000 §2 rule 4: no sensitive detail by default in email; use the secure notes system for clinical detail",
     "Special-category or safeguarding detail in an email body or attachment"),
    ("SK304", "personal-data-in-attachment", "warning",
     "000 §7.4: if using attachments, keep minimal information (and §2 rule 1, minimum necessary)",
     "An attachment carries direct identifiers"),
    ("SK305", "unprotected-attachment", "warning",
     "000 §7.3: consider password-protecting attachments containing personal data; 003 §6.4: share securely",
     "An attachment with personal data is not encrypted or password protected"),
    ("SK306", "personal-webmail-recipient", "error",
     "000 §7.1: use charity email accounts for service communications; §7.3: double-check addresses",
     "Identifying or special-category content addressed to a personal webmail account"),
    ("SK307", "sender-personal-account", "error",
     "000 §7.1: use charity email accounts for service communications",
     "Service mail with personal data sent from a personal webmail account"),
)
PUBLICATION_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("SK401", "small-count", "warning",
     "000 §9: aggregate results (counts/percentages); small counts beside a place or condition identify people",
     "A count below the disclosure threshold beside a quasi-identifier"),
    ("SK402", "identifiable-quote", "warning",
     "000 §9: remove direct identifiers; explicit consent for any story that could identify someone",
     "A quote attributed to a named or closely described young person"),
    ("SK403", "web-form-overcollection", "warning",
     "000 §6: collect only what is needed at sign-up; avoid collecting mentoring/counselling history via web forms",
     "A web form asks for date of birth, medical or counselling history"),
)
INFO_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("SK901", "not-inspected", "info", "000 §2 rule 1: know what you are sharing",
     "A part holds no text sklint can read (an image, audio, a legacy Office file)"),
    ("SK902", "encrypted", "info", "003 §6.4: encrypted or password protected",
     "An encrypted part was recognised as protected and not inspected"),
    ("SK903", "limit-reached", "info", "000 §2 rule 1: know what you are sharing",
     "A reading limit stopped part of a file being read"),
    ("SK904", "format-mismatch", "info", "000 §2 rule 1: know what you are sharing",
     "The file's content is not what its extension says; it was read by its content"),
    ("SK905", "unused-suppression", "info", "sklint configuration hygiene",
     "A suppression that silenced nothing"),
)


def _yaml_load(text: str):
    """Safe YAML, with libyaml's C loader where PyYAML was built with it (about 8 times faster
    than the pure-Python one: the rule files are read at every start)."""
    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


def rules_dir() -> Path:
    """The folder of rule data: `rules/` in a checkout, `sklint/ruledata` when installed."""
    here = Path(__file__).resolve().parent
    checkout = here.parent / "rules"
    if (checkout / "identifiers").is_dir():
        return checkout
    return Path(str(resources.files("sklint") / "ruledata"))


class Registry:
    """All rules by code and by name."""

    def __init__(self, rules: list[Rule]):
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: r.code))
        self.by_code = {r.code: r for r in self.rules}
        self.by_name = {r.name: r for r in self.rules}
        if len(self.by_code) != len(self.rules) or len(self.by_name) != len(self.rules):
            raise ValueError("duplicate rule code or name")

    def get(self, key: str) -> Optional[Rule]:
        return self.by_code.get(key.upper()) or self.by_name.get(key)

    def for_entity(self, entity: str) -> Rule:
        for r in self.rules:
            if r.entity == entity:
                return r
        raise KeyError(entity)

    def for_category(self, category: str) -> Rule:
        for r in self.rules:
            if r.category == category:
                return r
        raise KeyError(category)

    def of_kind(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)


def _load_yaml_rules(folder: Path, kind: str) -> list[Rule]:
    out = []
    for f in sorted(folder.glob("*.yaml")):
        data: dict[str, Any] = _yaml_load(f.read_text(encoding="utf-8"))
        out.append(Rule(
            code=data["code"], name=data["name"], severity=data.get("severity", "warning"),
            kind=kind, policy=data.get("policy", ""), summary=data.get("summary", ""),
            doc=data.get("doc", ""), entity=data.get("entity"), category=data.get("category"),
            data=data,
        ))
    return out


@lru_cache(maxsize=4)
def load_registry(folder: Optional[str] = None) -> Registry:
    base = Path(folder) if folder else rules_dir()
    rules = _load_yaml_rules(base / "identifiers", "identifier")
    rules += _load_yaml_rules(base / "categories", "category")
    for kind, table in (("message", MESSAGE_RULES), ("publication", PUBLICATION_RULES),
                        ("info", INFO_RULES)):
        for code, name, sev, policy, summary in table:
            doc = ""
            p = base / "messages" / f"{name}.yaml"
            data: dict = {}
            if p.is_file():
                data = _yaml_load(p.read_text(encoding="utf-8")) or {}
                doc = data.get("doc", "")
            rules.append(Rule(code, name, sev, kind, policy, summary, doc, data=data))
    return Registry(rules)
