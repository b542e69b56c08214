"""`sklint init FOLDER...`: an organisation profile (`sklint.toml`) from a folder of sent mail or
published documents, shown for review before it is written.

What goes in, and why it holds no client's data:
- `domains`: the domains the mail in the folder is sent from (never personal webmail);
- `name`: a sender display name at those domains that is not a person's ("Furness Young Carers
  Hub"), else the signature line that spells the domain;
- `staff`: the display names of people who send from those domains: senders only, never
  recipients, never a name read in a body;
- `public-contacts`: phone numbers, postal addresses and role mailboxes (hello@, info@, ...) that
  the organisation's own signatures or published pages give, and only when they recur (in two or
  more messages, or on a published page): one client's number in one email never qualifies.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from .config import Config
from .context import _EMAILRX, _ORG_MARK, _PHONE, signatures
from .ingest import IngestError, read_path
from .model import Message
from .rules.common import is_personal_webmail
from .suppress import phone_digits

MAIL_EXT = {".eml", ".msg"}
PAGE_EXT = {".html", ".htm", ".md", ".txt", ".docx", ".pdf", ".odt"}
ROLE_MAILBOXES = frozenset({"hello", "info", "office", "admin", "enquiries", "enquiry", "contact",
                            "news", "newsletter", "bookings", "accounts", "referrals", "volunteers",
                            "volunteering", "fundraising", "donations", "support", "team", "mail"})
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_PERSONISH = re.compile(r"^(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,3}$")


@dataclass
class Profile:
    name: str = ""
    domains: list[str] = field(default_factory=list)
    public_contacts: list[str] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)
    files: int = 0
    unread: list[str] = field(default_factory=list)

    def toml(self, where: str) -> str:
        def arr(xs: list[str]) -> str:
            return "[" + ", ".join(_q(x) for x in xs) + "]"
        return "\n".join([
            f"# Written by `sklint init` from {self.files} file(s) in {where}: review it before use.",
            "# Only the organisation's own details belong here: the domains it sends from, the staff",
            "# who send its mail, and contact details its signatures or published pages repeat.",
            "# Delete any line that is not the organisation's own.",
            "[organisation]",
            f"name = {_q(self.name)}",
            f"domains = {arr(self.domains)}",
            f"public-contacts = {arr(self.public_contacts)}",
            f"staff = {arr(self.staff)}",
            "",
        ])


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _files(paths: Iterable[str]) -> list[Path]:
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += sorted(x for x in p.rglob("*") if x.is_file() and x.suffix.lower() in MAIL_EXT | PAGE_EXT)
        elif p.is_file():
            out.append(p)
    return out


def _is_person(display: str) -> bool:
    return bool(_PERSONISH.match(display.strip())) and not _ORG_MARK.search(display)


def _stem(domain: str) -> str:
    return re.sub(r"[^a-z]", "", domain.split(".")[0].lower())


def _own_signature_text(message: Message) -> list[str]:
    body = message.part("body")
    if body is None or not body.text:
        return []
    return [body.text[s.start:s.end] for s in signatures(body.text, body.quoted) if s.own]


def _trailing_block(message: Message) -> list[str]:
    """A published page's footer: its signature-shaped trailing block."""
    body = message.part("body")
    if body is None or not body.text:
        return []
    return [body.text[s.start:s.end] for s in signatures(body.text, ())]


def build_profile(paths: Iterable[str]) -> Profile:
    prof = Profile()
    config = Config()
    senders: Counter = Counter()
    org_names: Counter = Counter()
    people: dict[str, str] = {}
    phones: Counter = Counter()  # digits -> messages
    phone_text: dict[str, str] = {}
    addrs: Counter = Counter()
    mailboxes: Counter = Counter()
    blocks_by_domain: dict[str, list[str]] = {}
    messages: list[tuple[Message, bool]] = []
    for path in _files(paths):
        try:
            msg = read_path(path, config)
        except IngestError as exc:
            prof.unread.append(f"{path}: {exc}")
            continue
        prof.files += 1
        messages.append((msg, path.suffix.lower() in MAIL_EXT))
        if msg.is_email and msg.sender and msg.sender.email and not is_personal_webmail(msg.sender.domain):
            senders[msg.sender.domain] += 1
    domains = [d for d, _ in senders.most_common() if senders[d] >= max(1, senders.most_common(1)[0][1] // 3)]
    prof.domains = domains
    for msg, is_mail in messages:
        if is_mail:
            if not (msg.is_email and msg.sender and msg.sender.domain in domains):
                continue  # mail received, or sent from elsewhere: nothing of it is the organisation's
            disp = (msg.sender.name or "").strip()
            if disp and _is_person(disp):
                people.setdefault(disp.casefold(), disp)
            elif disp:
                org_names[disp] += 1
            blocks = _own_signature_text(msg)
            weight = 1
        else:
            blocks = _trailing_block(msg)
            weight = 2  # a published page counts as repeated: it is public by being published
        seen_p, seen_a, seen_m = set(), set(), set()
        for b in blocks:
            blocks_by_domain.setdefault(msg.sender.domain if msg.is_email and msg.sender else "", []).append(b)
            for m in _PHONE.finditer(b):
                d = phone_digits(m.group(0))
                if len(d) >= 10 and d not in seen_p:
                    seen_p.add(d)
                    phones[d] += weight
                    phone_text.setdefault(d, m.group(0).strip())
            for line in b.splitlines():
                line = re.sub(r"^\s*(?:>\s*)*", "", line).strip()
                pc = _POSTCODE.search(line)
                if pc and re.search(r"\d", line[:pc.start()]) or pc and "," in line[:pc.start()]:
                    text = line[:pc.end()].strip(" |·•")
                    text = re.split(r"\s*[|·•]\s*", text)[-1] if re.search(r"[|·•]", text) else text
                    if text not in seen_a:
                        seen_a.add(text)
                        addrs[text] += weight
            for m in _EMAILRX.finditer(b):
                e = m.group(0).lower()
                local, _, dom = e.partition("@")
                if dom in domains and local in ROLE_MAILBOXES and e not in seen_m:
                    seen_m.add(e)
                    mailboxes[e] += weight
        body = msg.part("body")
        if body is not None and is_mail and msg.sender and msg.sender.domain in domains:
            for m in _EMAILRX.finditer(body.text):
                e = m.group(0).lower()
                local, _, dom = e.partition("@")
                if dom in domains and local in ROLE_MAILBOXES:
                    mailboxes[e] += 1
    prof.name = _org_name(org_names, domains, blocks_by_domain)
    prof.staff = sorted(people.values())
    prof.public_contacts = ([phone_text[d] for d, n in phones.most_common() if n >= 2]
                            + [a for a, n in addrs.most_common() if n >= 2]
                            + sorted(e for e, n in mailboxes.items() if n >= 1))
    return prof


def _org_name(org_names: Counter, domains: list[str], blocks: dict[str, list[str]]) -> str:
    if org_names:
        return org_names.most_common(1)[0][0]
    for dom in domains:
        stem = _stem(dom)
        if len(stem) < 4:
            continue
        best: Optional[str] = None
        for b in blocks.get(dom, []):
            for line in b.splitlines():
                for seg in re.split(r"\s*[|·•,]\s*", line.strip()):
                    letters = re.sub(r"[^a-z]", "", seg.lower())
                    if letters and (letters.startswith(stem) or stem.startswith(letters)) \
                            and len(letters) >= len(stem) - 2 and (best is None or len(seg) < len(best)):
                        best = seg.strip()
        if best:
            return best
    return ""
