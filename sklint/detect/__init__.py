"""Detectors: each looks at one `Part` (or the whole message) and returns `Finding`s.

- patterns.detect_identifiers(part, ctx)  identifiers by regex + validators + context (rules/identifiers)
- names.detect_persons(message, ctx)      PERSON: spaCy NER plus name rules (all parts, NLP once per part)
- categories.detect_categories(part, ctx, persons)  special categories (rules/categories)

`ctx` is a DetectContext: the Config, the lazily loaded NLP engine, the rule registry.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..config import Config
    from ..registry import Registry


@dataclass(frozen=True)
class DetectContext:
    config: "Config"
    registry: "Registry"
    nlp: Any  # sklint.detect.ner.NlpEngine: loads spaCy lazily, once per process
    # kinds of PERSON evidence turned off (names.EVIDENCE), for the ablation bench only
    without: frozenset = frozenset()
