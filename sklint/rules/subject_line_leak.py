"""subject-line-leak (SK301): an identifier or sensitive-category detail in the subject line.

Subject lines are shown in notification previews, inbox lists and server logs and are never
encrypted, so policy 000 §7.3 keeps sensitive detail out of them. RE:/FW: chains and RFC 2047
encoded subjects are decoded by ingest; detection ran on the whole subject.
"""
from __future__ import annotations

from ..model import Finding, Message
from .common import make

NAME = "subject-line-leak"


def check(message: Message, findings: list[Finding], ctx) -> list[Finding]:
    if not message.is_email:
        return []
    rule = ctx.registry.get(NAME)
    leaks = [f for f in findings if f.part == "subject" and (f.entity or f.category)
             and f.severity != "info"]
    if not leaks:
        return []
    kinds = sorted({(f.entity or f.category).replace("_", " ").lower() for f in leaks})
    first = min(leaks, key=lambda f: f.start or 0)
    return [make(rule, "subject", f"Subject line carries {', '.join(kinds)}; keep the subject "
                 "neutral (e.g. 'Referral' or an SKC code)", anchor=first)]
