"""Reports never leak what they flag: the redacted form of a match."""
from __future__ import annotations


def redact(match: str, entity: str | None = None, category: str | None = None) -> str:
    """A form that says what kind of thing was found and how long it was, never its text."""
    if not match:
        return ""
    label = entity or category or "MATCH"
    return f"[{label}:{len(match)} chars]"
