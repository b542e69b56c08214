"""personal-webmail-recipient (SK306) and sender-personal-account (SK307).

Policy 000 §7.1: service communications use charity email accounts. Identifying or
special-category content going to, or sent from, a personal webmail account leaves the
organisation's control.
"""
from __future__ import annotations

from ..model import Finding, Message
from ..entities import with_trait
from .common import all_recipients, is_personal_webmail, make



def _sensitive(findings: list[Finding]) -> list[Finding]:
    identifying = with_trait("webmail_identifying")
    return [f for f in findings if f.severity != "info" and (f.category or f.entity in identifying)]


def check(message: Message, findings: list[Finding], ctx) -> list[Finding]:
    if not message.is_email:
        return []
    out = []
    hits = _sensitive(findings)
    if not hits:
        return out
    webmail = sorted({a.domain for a in all_recipients(message) if is_personal_webmail(a.domain)})
    if webmail:
        rule = ctx.registry.get("personal-webmail-recipient")
        out.append(make(rule, "headers", f"Identifying or sensitive content addressed to personal "
                        f"webmail ({', '.join(webmail)}): use the secure system or an organisation "
                        "account"))
    if message.sender and is_personal_webmail(message.sender.domain):
        rule = ctx.registry.get("sender-personal-account")
        out.append(make(rule, "headers", f"Service mail with personal data sent from a personal "
                        f"account ({message.sender.domain}): use your charity email account"))
    return out
