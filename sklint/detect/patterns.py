"""Identifier detectors driven by rules/identifiers/*.yaml (placeholder until built)."""
from __future__ import annotations


def detect_identifiers(part, ctx):
    return []
