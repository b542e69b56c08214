"""What each kind of identifier means outside its detector, read from its rule's YAML (`traits:`
in rules/identifiers/*.yaml), so a new entity type is one file (issue 18):

    fingerprint          compact (digits and letters only: numbers, codes) or words
    attachment-personal  on its own it makes an attachment personal data (SK304, SK305)
    webmail-identifying  identifying enough that sending it to personal webmail is SK306/SK307
    fixable              `sklint fix` rewrites it
    placeholder          what `sklint fix` writes where no better replacement applies

Read once per registry (lru_cache); the registry is read from the rule files.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional


@dataclass(frozen=True)
class Traits:
    entity: str
    fingerprint: str = "words"
    attachment_personal: bool = True
    webmail_identifying: bool = False
    fixable: bool = True
    placeholder: str = "[removed]"


@lru_cache(maxsize=4)
def all_traits(folder: Optional[str] = None) -> dict[str, Traits]:
    from .registry import load_registry
    out = {}
    for rule in load_registry(folder).of_kind("identifier"):
        if not rule.entity:
            continue
        t = rule.data.get("traits") or {}
        out[rule.entity] = Traits(
            entity=rule.entity, fingerprint=str(t.get("fingerprint", "words")),
            attachment_personal=bool(t.get("attachment-personal", True)),
            webmail_identifying=bool(t.get("webmail-identifying", False)),
            fixable=bool(t.get("fixable", True)), placeholder=str(t.get("placeholder", "[removed]")))
    return out


@lru_cache(maxsize=64)
def with_trait(name: str, folder: Optional[str] = None) -> frozenset[str]:
    """The entity types whose trait `name` is true (or, for `fingerprint`, is "compact")."""
    if name == "compact":
        return frozenset(e for e, t in all_traits(folder).items() if t.fingerprint == "compact")
    return frozenset(e for e, t in all_traits(folder).items() if getattr(t, name))


@lru_cache(maxsize=4)
def placeholders(folder: Optional[str] = None) -> dict[str, str]:
    return {e: t.placeholder for e, t in all_traits(folder).items()}
