"""Message-level rules (issue 4): each module has CODE, NAME and check(message, findings, ctx).

The explicit registry below is the whole list; a grep finds every rule.
"""
from __future__ import annotations


def apply_message_rules(message, findings, ctx):
    return list(findings)
