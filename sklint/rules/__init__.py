"""Message-level rules (issue 4) and publication rules (issue 6).

Each module has NAME (or NAMES) and check(message, findings, ctx) -> new findings. The explicit
list below is the whole registry; a grep finds every rule. Rules see the headers, recipients,
parts and every finding, and may raise the severity of findings by exposure.
"""
from __future__ import annotations

from ..model import Finding, Message
from . import attachments, group_send, sensitive_detail, subject_line_leak, webmail
from .common import all_recipients, is_personal_webmail, org_domains, external

MESSAGE_CHECKS = (
    subject_line_leak.check,   # SK301
    group_send.check,          # SK302
    sensitive_detail.check,    # SK303
    attachments.check,         # SK304, SK305
    webmail.check,             # SK306, SK307
)


def escalate(message: Message, findings: list[Finding], ctx) -> list[Finding]:
    """Severity rises with exposure: the same identifier or category detail is an error in a
    subject line, to an external recipient, or to personal webmail."""
    if not message.is_email:
        return findings
    orgs = org_domains(message, ctx.config.organisation.domains)
    recipients = all_recipients(message)
    exposed = bool(external(recipients, orgs, message.sender)) or any(
        is_personal_webmail(a.domain) for a in recipients)
    out = []
    for f in findings:
        if (f.entity or f.category) and f.severity == "warning" and (f.part == "subject" or exposed):
            f = f.with_(severity="error")
        out.append(f)
    return out


def apply_message_rules(message: Message, findings: list[Finding], ctx
                        ) -> tuple[list[Finding], list[Finding]]:
    """(the findings, escalated where the message makes them worse; the message rules' own
    findings)."""
    findings = escalate(message, list(findings), ctx)
    new: list[Finding] = []
    if message.is_email:
        for check in MESSAGE_CHECKS:
            new += check(message, findings, ctx)
    else:
        from .publication import check_publication
        new += check_publication(message, findings, ctx)
    return findings, new
