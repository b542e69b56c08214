"""Message-level rules (issue 4) and publication rules (issue 6).

Each module has NAME (or NAMES) and check(message, findings, ctx) -> new findings. The explicit
list below is the whole registry; a grep finds every rule. Rules see the headers, recipients,
parts and every finding; they add findings and never change one (a finding's severity is the
context stage's, sklint/context.py, and the configuration's).
"""
from __future__ import annotations

from ..model import Finding, Message
from . import attachments, group_send, sensitive_detail, subject_line_leak, webmail

MESSAGE_CHECKS = (
    subject_line_leak.check,   # SK301
    group_send.check,          # SK302
    sensitive_detail.check,    # SK303
    attachments.check,         # SK304, SK305
    webmail.check,             # SK306, SK307
)


def apply_message_rules(message: Message, findings: list[Finding], ctx) -> list[Finding]:
    """The message rules' own findings (message rules for an email, publication rules for any
    other document), from the message and its findings."""
    if message.is_email:
        return [f for check in MESSAGE_CHECKS for f in check(message, findings, ctx)]
    from .publication import check_publication
    return check_publication(message, findings, ctx)
