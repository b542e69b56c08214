"""The rule registry: every rule sklint knows, found by grep.

Every rule is one YAML file: identifiers in `rules/identifiers/`, categories in
`rules/categories/`, message and publication rules in `rules/messages/` (their Python check lives
in `sklint/rules/`, found by the rule's name), the informational notes in `rules/info/`. Each
YAML rule file has:

    code: SK104                 stable code
    name: uk-phone-number       kebab-case name
    entity: PHONE_NUMBER        or `category: HEALTH`
    kind: message               for rules/messages: message | publication
    severity: warning           info | warning | error
    extends: pattern            pattern | ner | lexicon (identifiers and categories)
    policy: "000 §9 ..."        the policy clause it enforces (shared/policies)
    summary: one line
    doc: what it does / why / example
    examples: {fail: [...], pass: [...]}
    ... detector-specific keys (patterns, context, validator, terms, ...)
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Optional

import yaml


class RegistryError(ValueError):
    """A rule file that cannot be read; the message names it."""


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


def _yaml_load(text: str):
    """Safe YAML, with libyaml's C loader where PyYAML was built with it (about 8 times faster
    than the pure-Python one: the rule files are read at every start)."""
    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


def rules_dir() -> Path:
    """The folder of rule data: $SKLINT_RULES_DIR (a copy with rules of your own), else `rules/`
    in a checkout, else `sklint/ruledata` when installed."""
    env = os.environ.get("SKLINT_RULES_DIR")
    if env:
        return Path(env)
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
    """The rules of one folder, one YAML file each; a file's own `kind` wins over the folder's
    (rules/messages holds message and publication rules)."""
    out = []
    for f in sorted(folder.glob("*.yaml")):
        try:
            data: dict[str, Any] = _yaml_load(f.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise RegistryError(f"{f}: not a readable rule file{where}: "
                                f"{getattr(exc, 'problem', None) or exc}") from None
        if not isinstance(data, dict) or "code" not in data or "name" not in data:
            raise RegistryError(f"{f}: a rule file needs at least `code:` and `name:`")
        out.append(Rule(
            code=data["code"], name=data["name"], severity=data.get("severity", "warning"),
            kind=data.get("kind", kind), policy=data.get("policy", ""), summary=data.get("summary", ""),
            doc=data.get("doc", ""), entity=data.get("entity"), category=data.get("category"),
            data=data,
        ))
    return out


@lru_cache(maxsize=4)
def load_registry(folder: Optional[str] = None) -> Registry:
    base = Path(folder) if folder else rules_dir()
    rules = _load_yaml_rules(base / "identifiers", "identifier")
    rules += _load_yaml_rules(base / "categories", "category")
    rules += _load_yaml_rules(base / "messages", "message")
    rules += _load_yaml_rules(base / "info", "info")
    return Registry(rules)
