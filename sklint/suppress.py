"""Suppression: selection (select/ignore), organisation profile, allowlist, baseline."""
from __future__ import annotations


def apply_suppressions(message, findings, config, registry, path):
    return list(findings)
