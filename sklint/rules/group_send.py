"""group-send-without-bcc (SK302): a group send whose recipients can see each other.

Policy 000 §7.3: use BCC for group emails and newsletters. A recipient count alone is not the
rule: what matters is whether people who do not know each other see each other's addresses.
- private individuals (personal webmail addresses) outside the organisation in To/Cc: each is
  a separate household, so a few of them together is a group send (`min-personal-recipients`);
- many unrelated external organisations in To/Cc (`min-external-domains`), while a handful of
  professionals who work together on a case is fine;
- a newsletter-like message (List-Unsubscribe, bulk precedence, "newsletter", "unsubscribe") or
  an invitation to many families ("Dear parents", "Hi all") with private recipients in To/Cc;
- internal-only sends (the organisation's domains) never count.
Reply-all to such a thread is caught the same way, since the recipients are still visible.
"""
from __future__ import annotations

import re

from ..model import Finding, Message
from .common import external, is_personal_webmail, make, org_domains

NAME = "group-send-without-bcc"
_GROUP_GREETING = re.compile(
    r"^\s*(?:dear|hi|hello|good (?:morning|afternoon|evening))\s+(?:all|everyone|everybody|"
    r"parents|families|carers|parents and carers|parents/carers|volunteers|team|friends|"
    r"supporters|members)\b", re.I | re.M)
_NEWSLETTER = re.compile(r"\b(?:newsletter|unsubscribe|mailing list)\b", re.I)


def check(message: Message, findings: list[Finding], ctx) -> list[Finding]:
    if not message.is_email:
        return []
    rule = ctx.registry.get(NAME)
    opts = ctx.config.rule_options(NAME)
    min_personal = int(opts.get("min-personal-recipients", 3))
    min_domains = int(opts.get("min-external-domains", 6))
    orgs = org_domains(message, ctx.config.organisation.domains)
    visible = external(list(message.to) + list(message.cc), orgs, message.sender)
    if not visible:
        return []
    personal = [a for a in visible if is_personal_webmail(a.domain)]
    org_parties = {a.domain for a in visible if not is_personal_webmail(a.domain)}
    body = message.part("body")
    head = body.text[:400] if body else ""
    bulk = bool(message.header("list-unsubscribe") or message.header("list-id")
                or message.header("precedence").lower() in ("bulk", "list")
                or _NEWSLETTER.search(message.subject) or (body and _NEWSLETTER.search(body.text)))
    greeting = bool(_GROUP_GREETING.search(head))
    reasons = []
    if len(personal) >= min_personal:
        reasons.append(f"{len(personal)} private individuals' addresses")
    elif len(org_parties) >= min_domains:
        reasons.append(f"recipients at {len(org_parties)} unrelated organisations")
    elif (bulk or greeting) and len(personal) >= 2:
        reasons.append(f"a {'newsletter' if bulk else 'message to a group'} with "
                       f"{len(personal)} private addresses")
    if not reasons:
        return []
    where = "To/Cc" if message.cc and message.to else ("Cc" if message.cc and not any(
        a in visible for a in message.to) else "To")
    return [make(rule, "headers", f"Group send: {reasons[0]} visible to each other in {where}; "
                 "put the recipients in Bcc or use the newsletter tool")]
