"""`.msg` (Outlook) with extract-msg, into the same shape as `.eml`: subject, addresses, useful
headers (from the transport headers Outlook keeps, where present), body (plain text, else the
visible text of the HTML body, else RTF), attachments (embedded messages recursively)."""
from __future__ import annotations

import email
import logging
from email import policy
from email.utils import getaddresses

from ..model import Address
from ._common import Ctx, Doc, IngestError, short_reason
from .eml import USEFUL_HEADERS, EmailContent, RawAttachment, _safe_name, merge_ranges, quoted_ranges
from .html import html_text

logging.getLogger("extract_msg").setLevel(logging.CRITICAL)


def _addrs(value) -> tuple[Address, ...]:
    if not value:
        return ()
    out: list[Address] = []
    seen = set()
    for n, a in getaddresses([str(value).replace(";", ",")]):
        key = a.lower() or n
        if (n or a) and key not in seen:
            seen.add(key)
            out.append(Address(n, a.lower()))
    return tuple(out)


def _content(m, ctx: Ctx, pid: str, depth: int) -> EmailContent:
    def get(attr):
        try:
            return getattr(m, attr)
        except Exception:  # noqa: BLE001 - extract-msg raises on odd properties
            return None

    body_text = get("body")
    media = "text/plain"
    quoted = ()
    if isinstance(body_text, bytes):
        body_text = body_text.decode("utf-8", "sklint-cp1252")
    if not body_text:
        html = get("htmlBody")
        if html:
            if isinstance(html, bytes):
                html = html.decode("utf-8", "sklint-cp1252")
            doc = html_text(html, ctx, pid)
            body_text, media = doc.text, "text/html"
            quoted = tuple(merge_ranges(list(doc.quoted) + list(quoted_ranges(doc.text))))
    body_text = (body_text or "").replace("\x00", "").replace("\r\n", "\n")
    if media == "text/plain":
        quoted = quoted_ranges(body_text)
    limit = ctx.limit("max-part-chars")
    if len(body_text) > limit:
        ctx.note(pid, "limit-reached", f"limit-reached: text cut at max-part-chars ({limit} characters)")
        body_text = body_text[:limit]

    headers: list[tuple[str, str]] = []
    hdr = get("header")
    if hdr is not None:
        try:
            parsed = email.message_from_string(str(hdr), policy=policy.default)
            for key in USEFUL_HEADERS:
                for v in parsed.get_all(key) or []:
                    if str(v).strip():
                        headers.append((key, " ".join(str(v).split())))
        except Exception:  # noqa: BLE001
            headers = []
    have = {k for k, _ in headers}
    subject = get("subject")
    for key, attr in (("subject", "subject"), ("from", "sender"), ("to", "to"), ("cc", "cc"),
                      ("bcc", "bcc"), ("date", "date")):
        if key not in have:
            v = get(attr)
            if v:
                headers.append((key, " ".join(str(v).split())))
    sender = _addrs(get("sender"))
    atts: list[RawAttachment] = []
    max_members = ctx.limit("max-archive-members")
    for i, a in enumerate(get("attachments") or [], 1):
        if len(atts) >= max_members:
            ctx.note(pid, "limit-reached",
                     f"limit-reached: more than max-archive-members ({max_members}) attachments; the rest not inspected")
            break
        try:
            name = _safe_name(getattr(a, "longFilename", None) or getattr(a, "shortFilename", None)
                              or getattr(a, "name", None)) or f"attachment-{i}"
            data = a.data
            ctype = getattr(a, "mimetype", None) or ""
        except Exception as exc:  # noqa: BLE001
            ctx.note(pid, "not-inspected", f"not-inspected: attachment {i} could not be read: {short_reason(exc)}")
            continue
        if isinstance(data, (bytes, bytearray)):
            atts.append(RawAttachment(name, str(ctype), bytes(data), len(data)))
        elif data is not None and hasattr(data, "attachments"):  # embedded message
            if not name.lower().endswith((".msg", ".eml")):
                name += ".msg"
            atts.append(RawAttachment(name, "application/vnd.ms-outlook",
                                      lambda p, inner=data: _content(inner, ctx, p, depth + 1), 0))
        else:
            ctx.note(pid, "not-inspected", f"not-inspected: attachment {name} has no readable data")
    return EmailContent(
        subject=(" ".join(str(subject).split()) if subject is not None else None),
        body=Doc(body_text, media, (), (), (), tuple(quoted)), headers=headers,
        sender=sender[0] if sender else None, to=_addrs(get("to")), cc=_addrs(get("cc")),
        bcc=_addrs(get("bcc")), attachments=atts)


def read(data: bytes, ctx: Ctx, pid: str, depth: int = 0) -> EmailContent:
    import extract_msg
    try:
        m = extract_msg.openMsg(data, delayAttachments=False)
    except Exception as exc:  # noqa: BLE001
        raise IngestError(f"not a readable Outlook message: {short_reason(exc)}") from None
    try:
        if not hasattr(m, "body"):
            raise IngestError("an Outlook item that is not a message (calendar, contact, ...)")
        return _content(m, ctx, pid, depth)
    finally:
        try:
            m.close()
        except Exception:  # noqa: BLE001
            pass
