"""personal-data-in-attachment (SK304) and unprotected-attachment (SK305).

Policy 000 §7.4 keeps attachments minimal; §7.3 and 003 §6.4 ask for personal data to travel
encrypted or password protected. An attachment sklint could read is, by that fact, not
encrypted; an encrypted one is reported by ingest as `encrypted: not inspected`.
"""
from __future__ import annotations

from ..model import Finding, Message
from ..entities import with_trait
from .common import all_recipients, external, make, org_domains

NAMES = ("personal-data-in-attachment", "unprotected-attachment")


def _correspondents(message: Message) -> set[str]:
    """The display names of the message's own sender and recipients: a report's author or the
    funder it is addressed to, named in the attachment, are people in their working role."""
    names = set()
    for a in (message.sender, *message.to, *message.cc):
        if a and a.name and " " in a.name.strip():
            names.add(" ".join(a.name.split()).casefold())
    return names


def check(message: Message, findings: list[Finding], ctx) -> list[Finding]:
    if not message.is_email:
        return []
    personal = ctx.registry.get("personal-data-in-attachment")
    unprotected = ctx.registry.get("unprotected-attachment")
    opts = ctx.config.rule_options("personal-data-in-attachment")
    minimum = int(opts.get("min-identifiers", 1))
    orgs = org_domains(message, ctx.config.organisation.domains)
    outside = external(all_recipients(message), orgs, message.sender)
    in_role = _correspondents(message)
    out = []
    by_part: dict[str, list[Finding]] = {}
    for f in findings:
        if f.part.startswith("attachment:") and f.entity in with_trait("attachment_personal") and f.severity != "info":
            if f.entity == "PERSON" and " ".join(f.match.split()).casefold() in in_role:
                continue
            by_part.setdefault(f.part, []).append(f)
    for part, fs in by_part.items():
        if len(fs) < minimum:
            continue
        kinds = sorted({f.entity.replace("_", " ").lower() for f in fs})
        first = min(fs, key=lambda f: f.start or 0)
        name = part.split(":", 1)[1]
        out.append(make(personal, part, f"Attachment {name} carries {len(fs)} identifier"
                        f"{'s' if len(fs) != 1 else ''} ({', '.join(kinds)}): send only what the "
                        "recipient needs, pseudonymised where possible", anchor=first))
        if outside or not orgs:
            out.append(make(unprotected, part, f"Attachment {name} carries personal data and is not "
                            "encrypted or password protected; protect it and send the password "
                            "separately, or share a restricted link", anchor=first))
    return out
