"""`.eml` with the standard `email` package (`policy.default`): decoded subject, addresses,
useful headers, the body (text/plain, else the visible text of text/html) with quoted reply
history marked, and the attachments handed back for the dispatcher to read recursively."""
from __future__ import annotations

import email
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Callable, Optional, Union

from ..model import Address
from ._common import Ctx, Doc, IngestError, decode_text, short_reason
from .html import html_text

USEFUL_HEADERS = (
    "subject", "from", "sender", "to", "cc", "bcc", "reply-to", "date", "message-id", "in-reply-to",
    "references", "list-id", "list-unsubscribe", "list-post", "precedence", "x-mailer", "user-agent",
    "auto-submitted", "importance", "x-priority", "sensitivity", "return-path", "delivered-to",
    "x-original-to", "resent-to", "resent-cc", "resent-bcc", "organization", "thread-topic",
    "x-ms-has-attach", "content-type",
)

Payload = Union[bytes, Callable[[str], "EmailContent"]]


@dataclass
class RawAttachment:
    name: str
    content_type: str
    payload: Payload  # bytes, or a callable giving the content of a nested message
    size: int


@dataclass
class EmailContent:
    subject: Optional[str]
    body: Doc
    headers: list[tuple[str, str]] = field(default_factory=list)
    sender: Optional[Address] = None
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    attachments: list[RawAttachment] = field(default_factory=list)


# -- quoted reply history -------------------------------------------------------------------------

_MARKERS = [
    re.compile(r"^\s*-{2,}\s*(Original Message|Forwarded message|Forwarded Message)\s*-*\s*$", re.I),
    re.compile(r"^\s*Begin forwarded message:?\s*$", re.I),
    re.compile(r"^\s*On .{4,300}wrote:\s*$", re.I),
    re.compile(r"^\s*Le .{4,300}a écrit\s*:\s*$", re.I),
    re.compile(r"^\s*Am .{4,300}schrieb.{0,100}:\s*$", re.I),
]
_ON_START = re.compile(r"^\s*On (Mon|Tue|Wed|Thu|Fri|Sat|Sun|\d|[A-Z][a-z]+ \d)", re.I)
_WROTE_END = re.compile(r"wrote:\s*$", re.I)
_HDR_FROM = re.compile(r"^\s*\*?From:\*?\s+\S", re.I)
_HDR_NEXT = re.compile(r"^\s*\*?(Sent|Date|To|Subject|Cc):\*?\s", re.I)
_RULE = re.compile(r"^\s*_{8,}\s*$")


def quoted_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """Lines starting with '>' and everything from the first reply/forward marker onwards."""
    ranges: list[tuple[int, int]] = []
    lines = text.splitlines(keepends=True)
    starts = []
    pos = 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln)
    marker_at: Optional[int] = None
    for i, ln in enumerate(lines):
        body = ln.rstrip("\r\n")
        if body.lstrip().startswith(">"):
            ranges.append((starts[i], starts[i] + len(body)))
            continue
        if marker_at is not None:
            continue
        if any(m.match(body) for m in _MARKERS):
            marker_at = starts[i]
        elif _ON_START.match(body) and len(body) < 300 and any(
                _WROTE_END.search(lines[j]) for j in range(i + 1, min(i + 3, len(lines)))):
            marker_at = starts[i]
        elif i > 0 and (_HDR_FROM.match(body) or _RULE.match(body)):
            nxt = [lines[j] for j in range(i + 1, min(i + 4, len(lines)))]
            if _RULE.match(body):
                if any(_HDR_FROM.match(x) for x in nxt):
                    marker_at = starts[i]
            elif sum(1 for x in nxt if _HDR_NEXT.match(x)) >= 2:
                marker_at = starts[i]
    if marker_at is not None:
        ranges = [r for r in ranges if r[1] <= marker_at] + [(marker_at, len(text))]
    return tuple(merge_ranges(ranges))


def merge_ranges(ranges) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


# -- parsing ---------------------------------------------------------------------------------

def parse(data: bytes) -> EmailMessage:
    try:
        return email.message_from_bytes(data, policy=policy.default)
    except RecursionError:
        raise IngestError("MIME structure nested too deeply to parse") from None


def _header_str(value) -> str:
    try:
        s = str(value)
    except Exception:  # noqa: BLE001 - undecodable header: keep its raw form
        s = getattr(value, "_parse_tree", None) and str(value._parse_tree) or repr(value)
    return " ".join(s.replace("\x00", "").split())


def _addresses(msg: EmailMessage, name: str) -> tuple[Address, ...]:
    out: list[Address] = []
    values = msg.get_all(name) or []
    for v in values:
        try:
            for a in v.addresses:
                out.append(Address(a.display_name or "", (a.addr_spec or "").strip("<>").lower()))
        except Exception:  # noqa: BLE001 - malformed address header: the lenient parser
            for disp, addr in getaddresses([_header_str(v)]):
                if disp or addr:
                    out.append(Address(disp, addr.lower()))
    return tuple(out)


def _safe_name(name: Optional[str]) -> str:
    if not name:
        return ""
    name = re.sub(r"[\x00-\x1f/\\]", "_", str(name)).strip()
    return name[:200]


def _payload_bytes(part: EmailMessage) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        data = None
    if data is None:
        raw = part.get_payload()
        if isinstance(raw, str):
            data = raw.encode("utf-8", "surrogateescape")
        else:
            data = b""
    return data


def _text_of(part: EmailMessage) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:  # noqa: BLE001
        charset = None
    return decode_text(_payload_bytes(part), charset)


def choose_alternative(subs: list) -> "EmailMessage | None":
    """The alternative read as the body: text/plain, else text/html, else the last one."""
    for pref in ("text/plain", "text/html"):
        for s in subs:
            if s.get_content_type() == pref and not _is_attachment(s):
                return s
    return subs[-1] if subs else None


def _is_attachment(part: EmailMessage) -> bool:
    try:
        disp = part.get_content_disposition()
    except Exception:  # noqa: BLE001
        disp = None
    if disp == "attachment":
        return True
    try:
        fname = part.get_filename()
    except Exception:  # noqa: BLE001
        fname = None
    if fname:
        return True
    return part.get_content_maintype() != "text"


def content(msg: EmailMessage, ctx: Ctx, pid: str, depth: int) -> EmailContent:
    """Everything sklint needs from one parsed email. `pid` names the body part (for notes)."""
    max_depth = ctx.limit("max-nesting-depth")
    max_members = ctx.limit("max-archive-members")
    bodies: list[tuple[str, str]] = []  # (media, text)
    atts: list[RawAttachment] = []
    counter = [0]
    limited = [False]

    def add_attachment(part: EmailMessage) -> None:
        if len(atts) >= max_members:
            if not limited[0]:
                ctx.note(pid, "limit-reached",
                         f"limit-reached: more than max-archive-members ({max_members}) attachments; the rest not inspected")
                limited[0] = True
            return
        counter[0] += 1
        ctype = part.get_content_type()
        try:
            name = _safe_name(part.get_filename())
        except Exception:  # noqa: BLE001
            name = ""
        if ctype == "message/rfc822" and part.is_multipart():
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else None
            if not name and inner is not None:
                subj = _safe_name(_header_str(inner.get("subject", "")))
                name = (subj[:60] + ".eml") if subj else "message.eml"
            name = name or "message.eml"
            if inner is None:
                atts.append(RawAttachment(name, ctype, b"", 0))
                return
            try:
                size = len(_payload_bytes(part)) or len(inner.as_bytes())
            except Exception:  # noqa: BLE001
                size = 0
            atts.append(RawAttachment(name, ctype, lambda p, m=inner: content(m, ctx, p, depth + 1), size))
            return
        data = _payload_bytes(part)
        if not name:
            ext = mimetypes.guess_extension(ctype) or ".bin"
            name = f"attachment-{counter[0]}{ext}"
        atts.append(RawAttachment(name, ctype, data, len(data)))

    def walk(part: EmailMessage, level: int) -> None:
        if level > max_depth:
            ctx.note(pid, "limit-reached",
                     f"limit-reached: MIME parts nested deeper than max-nesting-depth ({max_depth}); the rest not inspected")
            return
        ctype = part.get_content_type()
        if part.is_multipart() and ctype != "message/rfc822":
            subs = part.get_payload()
            if not isinstance(subs, list):
                return
            if ctype == "multipart/alternative":
                choice = choose_alternative(subs)
                if choice is not None:
                    walk(choice, level + 1)
                # attachments hidden inside an alternative branch are still attachments
                for s in subs:
                    if s is not choice and _is_attachment(s) and not s.is_multipart():
                        add_attachment(s)
                return
            for s in subs:
                walk(s, level + 1)
            return
        if ctype == "message/rfc822" or _is_attachment(part):
            add_attachment(part)
            return
        if ctype == "text/html":
            bodies.append(("text/html", _text_of(part)))
        else:
            bodies.append(("text/plain", _text_of(part)))

    walk(msg, depth)

    # body: the text parts joined, each converted and with its quoted ranges shifted
    chunks: list[str] = []
    blocks: list[tuple[int, int]] = []
    quoted: list[tuple[int, int]] = []
    headers_t: list[tuple[int, int, str]] = []
    size = 0
    media = "text/plain"
    for i, (m, text) in enumerate(bodies):
        if i:
            chunks.append("\n\n")
            size += 2
        if m == "text/html":
            media = "text/html" if i == 0 else media
            doc = html_text(text, ctx, pid)
            t = doc.text
            q = list(doc.quoted) + list(quoted_ranges(t))
            blocks += [(s + size, e + size) for s, e in doc.blocks]
            headers_t += [(s + size, e + size, h) for s, e, h in doc.table_headers]
        else:
            t = text
            q = list(quoted_ranges(t))
        quoted += [(s + size, e + size) for s, e in merge_ranges(q)]
        chunks.append(t)
        size += len(t)
    body_text = "".join(chunks)
    limit = ctx.limit("max-part-chars")
    if len(body_text) > limit:
        ctx.note(pid, "limit-reached", f"limit-reached: text cut at max-part-chars ({limit} characters)")
        body_text = body_text[:limit]
    body = Doc(body_text, media, tuple(blocks), tuple(headers_t), (), tuple(quoted))

    subject = None
    if msg.get("subject") is not None:
        subject = _header_str(msg.get("subject"))
    headers: list[tuple[str, str]] = []
    for key in USEFUL_HEADERS:
        try:
            values = msg.get_all(key) or []
        except Exception:  # noqa: BLE001
            values = []
        for v in values:
            headers.append((key, _header_str(v)))
    sender = _addresses(msg, "from")
    return EmailContent(
        subject=subject, body=body, headers=headers, sender=sender[0] if sender else None,
        to=_addresses(msg, "to"), cc=_addresses(msg, "cc"), bcc=_addresses(msg, "bcc"),
        attachments=atts)


def read(data: bytes, ctx: Ctx, pid: str, depth: int = 0) -> EmailContent:
    try:
        msg = parse(data)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise IngestError(f"not a readable email: {short_reason(exc)}") from None
    return content(msg, ctx, pid, depth)
