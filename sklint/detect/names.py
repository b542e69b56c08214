"""PERSON detection: NER plus name rules (placeholder until built)."""
from __future__ import annotations


def detect_persons(message, ctx):
    return []
