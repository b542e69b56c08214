"""sensitive-detail-in-email (SK303): special-category or safeguarding detail in an email body
or attachment. Policy 000 §2 rule 4: use email for admin and signposting and the secure notes
system for clinical detail. One finding per part that carries such detail."""
from __future__ import annotations

from ..model import Finding, Message
from .common import make

NAME = "sensitive-detail-in-email"


def check(message: Message, findings: list[Finding], ctx) -> list[Finding]:
    if not message.is_email:
        return []
    rule = ctx.registry.get(NAME)
    out = []
    by_part: dict[str, list[Finding]] = {}
    for f in findings:
        if f.category and f.part != "subject" and f.severity != "info":
            by_part.setdefault(f.part, []).append(f)
    for part, fs in by_part.items():
        cats = sorted({f.category.replace("_", " ").lower() for f in fs})
        first = min(fs, key=lambda f: f.start or 0)
        where = "an attachment" if part.startswith("attachment:") else "the email"
        out.append(make(rule, part, f"{', '.join(cats).capitalize()} detail in {where}: record it in "
                        "the secure notes system and send a reference instead", anchor=first,
                        quoted=all(f.quoted for f in fs)))
    return out
