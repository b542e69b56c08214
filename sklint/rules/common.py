"""What the message rules share: who is inside the organisation, what is personal webmail,
and how a rule's finding is built."""
from __future__ import annotations

from typing import Optional, Sequence

from ..model import Address, Finding, Message

# Consumer mailbox providers: an address here belongs to a private individual.
PERSONAL_WEBMAIL = frozenset({
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk", "outlook.com", "outlook.co.uk",
    "live.com", "live.co.uk", "msn.com", "yahoo.com", "yahoo.co.uk", "ymail.com", "rocketmail.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "aol.co.uk", "aim.com", "protonmail.com",
    "proton.me", "pm.me", "gmx.com", "gmx.co.uk", "gmx.net", "mail.com", "zoho.com", "yandex.com",
    "tutanota.com", "fastmail.com", "hushmail.com",
    # UK internet providers' consumer mailboxes
    "btinternet.com", "btopenworld.com", "talktalk.net", "tiscali.co.uk", "sky.com", "virginmedia.com",
    "blueyonder.co.uk", "ntlworld.com", "plus.net", "plusnet.com", "o2.co.uk", "orange.net",
    "wanadoo.co.uk", "freeserve.co.uk", "lineone.net", "supanet.com", "eclipse.co.uk",
})


def is_personal_webmail(domain: str) -> bool:
    domain = domain.lower().strip(".")
    return domain in PERSONAL_WEBMAIL


def org_domains(message: Message, configured: Sequence[str]) -> frozenset[str]:
    """The organisation's own domains: from the config, else the sender's domain when the sender
    writes from an organisation (not personal webmail) account."""
    if configured:
        return frozenset(d.lower() for d in configured)
    if message.sender and message.sender.email and not is_personal_webmail(message.sender.domain):
        return frozenset({message.sender.domain})
    return frozenset()


def is_internal(addr: Address, orgs: frozenset[str]) -> bool:
    d = addr.domain
    return any(d == o or d.endswith("." + o) for o in orgs)


def external(addrs: Sequence[Address], orgs: frozenset[str], sender: Optional[Address]) -> list[Address]:
    me = sender.email if sender else ""
    return [a for a in addrs if a.email and a.email != me and not is_internal(a, orgs)]


def all_recipients(message: Message) -> list[Address]:
    return list(message.to) + list(message.cc) + list(message.bcc)


def make(rule, part: str, message: str, anchor: Optional[Finding] = None,
         severity: Optional[str] = None, quoted: bool = False) -> Finding:
    """A message-rule finding. It points at the part (and at the anchor finding's span when one
    is given); it carries no entity or category, so it is never counted twice."""
    return Finding(
        code=rule.code, rule=rule.name, severity=severity or rule.severity, part=part,
        start=anchor.start if anchor else None, end=anchor.end if anchor else None,
        match=anchor.match if anchor else "", message=message, source="rule",
        quoted=quoted or (anchor.quoted if anchor else False),
    )
