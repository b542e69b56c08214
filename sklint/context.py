"""The message's own context: who is writing to whom, and what is the sender's and the
organisation's own (issue 14). One stage of the pipeline, between detection and the message rules:

    detectors -> Findings -> context -> message rules -> suppression -> reporters

A finding is a disclosure only when it tells someone something they should not have. The
message itself shows five kinds of finding that are not, and each rule's YAML says, under
`contexts`, which of them lower its findings and to what severity (`sklint rules CODE` prints
them; most lower to `info`, which holds no message):

- `correspondent`: a name (or address) of someone the message is from or to, from the From, To,
  Cc, Reply-To and Sender headers (not Bcc: naming one hidden recipient discloses them to the rest) (display names and mailbox words) and, in a reply, the quoted
  attribution lines. Greeting the person you write to is no disclosure to them.
- `signature`: inside the sender's own signature block (after the sign-off, a `-- ` line, or the
  trailing "Name / Role / Organisation / phone / web" block and legal disclaimer), or inside an
  organisation's signature in quoted history.
- `sender-contact`: a phone number or address the writer offers as their own or the
  organisation's ("call me on", "ring us on", "my work mobile is"), outside quoted history.
- `organisation`: the organisation's own contact detail wherever it appears in the message: an
  address at its domains, a phone number, postal address or postcode that its signature gives.
- `in-role`: a person named with a staff or professional role ("Kwame Asante, our Services
  Manager"; "Social Worker Fiona Learmonth"; "my colleague Jess"; "Dr Anand").
- `internal`: in the body of an email whose every recipient is inside the organisation: it does
  not leave the organisation (000 §2 rules 1-2: minimum necessary, need-to-know).

A lowered finding keeps its entity, so it still counts for `sklint fix` and for entity recall;
its message says why it is only informational. The subject line is never `internal` (subject
lines show in previews and logs), and strong identifiers hold even internally where their rule
says so.

The message can also make a finding worse: an identifier or category detail at `warning` is an
`error` in a subject line, or in an email that goes outside the organisation or to personal
webmail (`exposure`). So a finding's severity is decided in two places only: here, by what the
message shows, and then by the organisation's own `severity` settings (suppress.severity_for),
which have the last word.
"""
from __future__ import annotations

import email.utils
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from .model import Address, Finding, Message
from .rules.common import all_recipients, external, is_internal, is_personal_webmail, org_domains
from .suppress import phone_digits

CONTEXTS = ("correspondent", "signature", "sender-contact", "organisation", "in-role", "internal")
REASONS = {
    "correspondent": "a correspondent of this message, so no disclosure to them",
    "signature": "in a signature block: the sender's or an organisation's own details",
    "sender-contact": "offered by the writer as their own or the organisation's contact",
    "organisation": "the organisation's own contact detail",
    "in-role": "named in a staff or professional role",
    "internal": "every recipient is inside the organisation, so it does not leave it",
}

_WORD = re.compile(r"\w+", re.UNICODE)
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame", "lady",
                     "lord", "cllr"})


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).casefold()


def _words(s: str) -> set[str]:
    out = set()
    for w in _WORD.findall(s or ""):
        w = _fold(w)
        out.add(w)
        stripped = w.rstrip("0123456789")
        if stripped and stripped != w:
            out.add(stripped)
    return out


def _mailbox_words(addr: str) -> set[str]:
    local = addr.split("@")[0]
    return _words(re.sub(r"[._\-+]", " ", local))


# -- who writes to whom ------------------------------------------------------------------------

_ATTRIBUTION = re.compile(
    r"^\s*>*\s*On\b.{0,200}?,\s*(?P<who>[^,<>\n]{2,80}?)\s*(?:<(?P<addr>[^<>\s]+@[^<>\s]+)>)?\s*wrote:\s*$",
    re.I | re.M)
_WROTE = re.compile(r"^\s*>*\s*(?P<who>[^\n,<>:]{2,60}?)\s*(?:<(?P<addr>[^<>\s]+@[^<>\s]+)>)?\s*wrote:\s*$",
                    re.I | re.M)
_HDR_LINE = re.compile(r"^\s*>*\s*\*?(?:From|To|Cc):\*?\s*(?P<v>.+)$", re.I | re.M)
_FORWARD = re.compile(r"^\s*(?:fw|fwd)\s*:", re.I)
_FORWARD_MARK = re.compile(r"(?im)^\s*-{2,}\s*forwarded message|^\s*begin forwarded message")


def _is_forward(message: Message, body_text: str) -> bool:
    return bool(_FORWARD.match(message.subject or "")) or bool(_FORWARD_MARK.search(body_text))


def correspondents(message: Message) -> tuple[frozenset[str], frozenset[str]]:
    """The words of the correspondents' display names and mailboxes, and their addresses."""
    words: set[str] = set()
    emails: set[str] = set()
    # not Bcc: a name of one hidden recipient, read by all the others, is a disclosure to them
    addrs = [a for a in (message.sender, *message.to, *message.cc) if a]
    for h in ("reply-to", "sender"):
        v = message.header(h)
        if v:
            for name, mail in email.utils.getaddresses([v]):
                addrs.append(Address(name=name, email=mail.lower()))
    for a in addrs:
        if a.name:
            words |= _words(a.name)
        if a.email:
            emails.add(a.email.lower())
            words |= _mailbox_words(a.email)
    body = message.part("body")
    if body is not None and body.quoted and not _is_forward(message, body.text):
        # a reply: the people of the quoted history are this conversation's correspondents
        for rx in (_ATTRIBUTION, _WROTE):
            for m in rx.finditer(body.text):
                if not _in_ranges(m.start(), body.quoted) or not _NAME_SHAPE.match(m.group("who").strip()):
                    continue
                words |= _words(m.group("who"))
                if m.group("addr"):
                    emails.add(m.group("addr").lower())
                    words |= _mailbox_words(m.group("addr"))
        for m in _HDR_LINE.finditer(body.text):
            if not _in_ranges(m.start(), body.quoted):
                continue
            for name, mail in email.utils.getaddresses([m.group("v")]):
                words |= _words(name)
                if "@" in mail:
                    emails.add(mail.lower())
                    words |= _mailbox_words(mail)
    words -= _TITLES
    return frozenset(words), frozenset(emails)


# an attribution's "who" is a name ("Jo Bell", "Gráinne Ó Briain"), not "my mum" or "She"
_NAME_SHAPE = re.compile(r"^(?!(?:she|he|they|i|we|you|mum|dad|my|his|her|their)\b)"
                         r"[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,3}$", re.I | re.UNICODE)


def _in_ranges(pos: int, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in ranges)


# -- signatures ----------------------------------------------------------------------------------

_VALEDICTION = re.compile(
    r"^(?:thanks(?: again| so much| very much| in advance)?|thank you(?: so much| again)?|many thanks"
    r"|with (?:many )?thanks|best(?: wishes| regards)?|all the best|(?:with )?(?:kind|warm|warmest|"
    r"best|kindest) (?:regards|wishes)|(?:with )?(?:best|warm|warmest|kind) wishes|regards|cheers"
    r"|ta|yours(?: sincerely| faithfully| truly)?|sincerely|take care|speak soon|love|lots of love"
    r"|see you soon|diolch(?: yn fawr)?(?: iawn)?|go raibh maith agat|le gach dea-ghu[ií]|cofion"
    r"(?: gorau)?|rgds|thx|many thanks again)\b", re.I)
_NAMEISH = re.compile(r"^[^\W\d_][\w'’.\-]*$", re.UNICODE)
_NOT_NAME = frozenset({"for", "you", "me", "to", "the", "a", "and", "it", "this", "that", "all",
                       "everyone", "so", "much", "very", "in", "advance", "your", "help",
                       "letting", "know", "again", "of", "with", "from", "on", "at", "we", "i",
                       "our", "be", "is", "are", "will", "if", "as", "but", "not", "have"})
_DASHDASH = re.compile(r"^--$|^-{5,}$")  # on a stripped line: "-- " or a rule of dashes
_PS = re.compile(r"^\s*p\.?\s*s\.?\b", re.I)
_DISCLAIMER = re.compile(
    r"\b(?:confidential|intended (?:only )?for|intended recipient|received (?:it|this)(?: email)? in"
    r" error|registered (?:charity|office|in england)|company (?:limited|no|number)|charity (?:no|number)"
    r"|privacy|disclaimer|views expressed|virus|notify the sender|delete (?:it|this)|unsubscribe"
    r"|limited by guarantee)", re.I)
# Words and marks that name an organisation ("Trust", "Ltd", a website, a charity number).
_ORG_WORDS = (r"registered charity|charity (?:no|number|reg)|company (?:no|number)|ltd|limited|plc|cic"
              r"|council|nhs|trust|school|academy|college|university|centre|center|surgery|practice|hub"
              r"|foundation|charity|association|society|service|services|partnership|www\.|https?://|\.org"
              r"|\.gov|\.nhs|\.sch|\.ac\.uk|\.co\.uk")
# ... or, in a signature, its phone labels too ("Tel", "Mobile"), which a person's form also has.
_ORG_MARK = re.compile(r"\b(?:" + _ORG_WORDS + r"|tel\b|t:|m:|mob\b|mobile\b|phone\b|ffôn)", re.I)
_ORG_STRONG = re.compile(r"\b(?:" + _ORG_WORDS + r")", re.I)
_PHONE = re.compile(r"(?:\+44\s?\(0\)\s?|\+44\s?|\b0)\d[\d \-]{8,12}\d\b")
_EMAILRX = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_HEADER_BLOCK = re.compile(r"^\s*>*\s*(?:-{2,}\s*(?:original|forwarded) message|begin forwarded"
                           r"|on\b.{4,300}wrote:\s*$|\*?from:\*?\s)", re.I)


@dataclass(frozen=True)
class Signature:
    start: int
    end: int
    own: bool  # the sender's own (in the unquoted text), else an organisation's in quoted history


def _lines(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    out, pos = [], start
    for ln in text[start:end].splitlines(keepends=True):
        body = ln.rstrip("\r\n")
        out.append((pos, pos + len(body), re.sub(r"^\s*(?:>\s*)+", "", body).strip()))
        pos += len(ln)
    return out


def _n_words(s: str) -> int:
    return len(s.split())


def _is_valediction(line: str) -> bool:
    if _n_words(line) > 6:
        return False
    m = _VALEDICTION.match(line)
    if not m:
        return False
    rest = line[m.end():].strip(" ,.!-–—/:;")
    if not rest:
        return True
    # "Cheers, Tom", "Thanks, Jo Bell", "Diolch / Thanks," -- a few name-like words, no sentence
    toks = [t.strip(",.!") for t in re.split(r"[\s/]+", rest) if t.strip(",.!")]
    if len(toks) > 3:
        return False
    return all(_NAMEISH.match(t) and t.casefold() not in _NOT_NAME
               or _VALEDICTION.match(t) for t in toks)


def _contactish(s: str) -> int:
    return len(_ORG_MARK.findall(s)) + len(_PHONE.findall(s)) + len(_EMAILRX.findall(s))


def _sig_line(s: str) -> bool:
    return _n_words(s) <= 16 or _contactish(s) >= 2 or bool(_DISCLAIMER.search(s))


def _extent(lines: list[tuple[int, int, str]], i: int) -> int:
    """The index after the last line of a signature that starts at line i: signature-like lines
    (short ones, disclaimers), up to a P.S. or a line of prose."""
    j = i + 1
    while j < len(lines):
        s = lines[j][2]
        if _PS.match(s):
            break
        if s and _n_words(s) > 14 and not _DISCLAIMER.search(s) and not _ORG_MARK.search(s):
            # prose: a disclaimer paragraph goes on across its wrapped lines
            prev = lines[j - 1][2]
            if not (_DISCLAIMER.search(prev) and not prev.endswith(".")):
                break
        j += 1
    return j


def _segment_signature(text: str, start: int, end: int) -> Optional[tuple[int, int]]:
    lines = _lines(text, start, end)
    if not lines:
        return None
    sig_at = None
    for i in range(1, len(lines)):
        if _DASHDASH.match(lines[i][2]):
            sig_at = i
            break
    if sig_at is None:
        for i in range(len(lines) - 1, -1, -1):
            if _is_valediction(lines[i][2]):
                sig_at = i
                break
    if sig_at is not None:
        j = _extent(lines, sig_at)
        return lines[sig_at][0], lines[j - 1][1]
    # no sign-off: the trailing block of short lines with contact details
    k = len(lines)
    while k > 0 and not lines[k - 1][2]:
        k -= 1
    first = k
    while first > 0 and lines[first - 1][2]:
        first -= 1
    block = [s for _, _, s in lines[first:k]]
    if block and all(_sig_line(s) for s in block) and any(_contactish(s) for s in block) \
            and (len(block) >= 2 or _contactish(block[0]) >= 2):
        return lines[first][0], lines[k - 1][1]
    return None


def _segments(text: str, quoted: Sequence[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """The unquoted text before the history, then each quoted message (split at its header
    block or attribution line)."""
    own_end = quoted[0][0] if quoted else len(text)
    segs = [(0, own_end, True)]
    if not quoted:
        return segs
    cuts = []
    for s, e in quoted:
        cuts += [ls for ls, _, ln in _lines(text, s, e) if _HEADER_BLOCK.match(ln)]
    bounds = sorted(set([own_end] + cuts + [len(text)]))
    for a, b in zip(bounds, bounds[1:]):
        if b > a:
            segs.append((a, b, False))
    return segs


def signatures(text: str, quoted: Sequence[tuple[int, int]] = (),
               document: bool = False) -> tuple[Signature, ...]:
    """The signature blocks of a message's body. In a document (not an email) a trailing block
    counts only when it names an organisation or a role, and a letterhead (the leading block of
    short lines giving an organisation's contact details) counts too."""
    out = []
    for s, e, own in _segments(text, quoted):
        span = _segment_signature(text, s, e)
        if span is None:
            continue
        block = text[span[0]:span[1]]
        if document:
            # a document's closing block: after its prose, naming an organisation or a role
            if not any(_n_words(ln) > 14 for ln in text[s:span[0]].splitlines()):
                continue
            if not (_org_named(block) or _role_line(block)):
                continue
        elif not (own or _ORG_MARK.search(block) or _role_line(block)):
            continue
        out.append(Signature(span[0], span[1], own))
    if document:
        head = _letterhead(text)
        if head is not None:
            out.insert(0, Signature(head[0], head[1], True))
    return tuple(out)


# A person's form fields: a block holding them is a record about someone, never a letterhead.
_FORM_FIELD = re.compile(r"(?im)^\s*(?:(?:full |first |last |child'?s |client |parent'?s )?name|d\.?o\.?b\.?"
                         r"|date of birth|age|nhs(?: no| number)?|ni number|gender|ethnicity|diagnosis)\s*:")


def _org_named(block: str) -> bool:
    """An organisation is named in the block (outside its email addresses)."""
    return bool(_ORG_STRONG.search(_EMAILRX.sub(" ", block)))


def _heading_line(s: str) -> bool:
    """A line of a letterhead: a few words, not a sentence ("The Office,", "Tel: 01539 720418")."""
    return _n_words(s) <= 8 and not re.search(r"[a-z]{2}[.!?]$", s)


def _letterhead(text: str, limit: int = 40) -> Optional[tuple[int, int]]:
    """The leading lines of a document before its first line of prose (short lines, no sentence),
    when they give contact details and name an organisation (a website, "Trust", "Ltd", a charity number) and hold no
    person's form fields."""
    lines = _lines(text, 0, min(len(text), 4000))[:limit]
    k = 0
    while k < len(lines) and (not lines[k][2] or _heading_line(lines[k][2])):
        k += 1
    if k == len(lines) or _n_words(lines[k][2]) <= 14:
        return None  # no prose after it: a short note or a list, not a letterhead
    while k > 0 and not lines[k - 1][2]:
        k -= 1
    if k == 0:
        return None
    block = text[lines[0][0]:lines[k - 1][1]]
    if not _contactish(block) or not _org_named(block) or _FORM_FIELD.search(block):
        return None
    return lines[0][0], lines[k - 1][1]


# -- roles ---------------------------------------------------------------------------------------

_ROLE = (r"(?:manager|officer|co-?ordinator|lead|leader|worker|caseworker|director|chair(?:man|person|woman)?"
         r"|vice[- ]chair|trustee|treasurer|secretary|counsell?or|therapist|psychologist|psychiatrist"
         r"|nurse|health visitor|gp|doctor|paediatrician|consultant|teacher|headteacher|head teacher"
         r"|head of [\w ]{2,30}?|senco|dsl|practitioner|advis[eo]r|administrator|clerk|receptionist"
         r"|ceo|chief executive|founder|fundraiser|engineer|solicitor|councillor|mp|chaplain|vicar"
         r"|inspector|constable|sergeant|midwife|dietitian|physiotherapist|social worker|colleague"
         r"|supervisor|assistant|specialist|accountant|auditor|architect|librarian|caretaker"
         r"|senior [\w]+|deputy [\w]+|principal|tutor|lecturer|mentor coordinator)")
_ROLE_AFTER = re.compile(
    r"^\s*(?:,|\(|-|–|—|\||\bis\b|\bas\b)\s*(?:(?:our|the|a|an|their|my|your|his|her|new|acting|interim)\s+)*"
    r"(?:[\w'’-]+\s+){0,3}?" + _ROLE + r"\b", re.I)
_ROLE_BEFORE = re.compile(
    r"\b" + _ROLE + r"\s*(?:,|:|-|–)?\s*(?:(?:is|was)\s+)?$", re.I)
# the role alone on the next line, or followed by the role-holder's contact labels or employer
# ("Project Manager", "Designated Safeguarding Lead Email: ...", "Family Worker, Riverbend"),
# never a field label ("Social worker: Fiona Grant" names someone else)
_ROLE_NEXT_LINE = re.compile(
    r"^(?:[ \t]*\n)?[ \t]*(?:[\w'’-]+[ \t]+){0,3}?" + _ROLE +
    r"\b[ \t]*(?:$|\n|,|[|–—-][ \t]|(?:e-?mail|email|tel|phone|mobile|mob|m|t|e)\b[ \t]*:)", re.I)
_ROLE_LINE = re.compile(r"(?im)^\s*(?:>\s*)*(?:[\w'’&-]+\s+){0,4}?" + _ROLE + r"\b[^\n]{0,60}$")


def _role_line(block: str) -> bool:
    return bool(_ROLE_LINE.search(block))


def in_role(text: str, start: int, end: int, match: str) -> bool:
    words = match.split()
    if words and _fold(words[0].rstrip(".")) in ("dr", "prof", "cllr"):
        return True
    after = text[end:end + 120]
    line, _, rest = after.partition("\n")
    if _ROLE_AFTER.match(line):
        return True
    # a name that ends its line, with the role on the next line ("Name" / "Project Manager"),
    # as in signatures, letters and contact blocks
    if not line.strip(" \t,:") and _ROLE_NEXT_LINE.match(rest):
        return True
    before = text[max(0, start - 50):start].rsplit("\n", 1)[-1]
    before = re.sub(r"\b(?:mr|mrs|ms|miss|mx|dr)\.?\s*$", "", before, flags=re.I)
    return bool(_ROLE_BEFORE.search(before))


# -- the stage -----------------------------------------------------------------------------------

def _norm(s: str) -> str:
    return " ".join(_WORD.findall(_fold(s)))


@dataclass(frozen=True)
class MessageContext:
    words: frozenset[str]
    emails: frozenset[str]
    domains: frozenset[str]
    internal: bool
    signatures: dict
    own_phones: frozenset[str]
    own_text: str  # the signature blocks' text, normalised, for addresses and postcodes


def message_context(message: Message, configured_domains: Sequence[str] = ()) -> MessageContext:
    words, emails = correspondents(message)
    domains = org_domains(message, configured_domains)
    recipients = [a for a in all_recipients(message) if a.email]
    internal = bool(domains) and bool(recipients) and all(is_internal(a, domains) for a in recipients)
    sigs: dict[str, tuple[Signature, ...]] = {}
    phones: set[str] = set()
    texts: list[str] = []
    body = message.part("body")
    if body is not None and body.text:
        sigs["body"] = signatures(body.text, body.quoted, document=not message.is_email)
        for s in sigs["body"]:
            block = body.text[s.start:s.end]
            phones |= {phone_digits(m.group(0)) for m in _PHONE.finditer(block)}
            texts.append(_norm(block))
    return MessageContext(words=words, emails=emails, domains=domains, internal=internal,
                          signatures=sigs, own_phones=frozenset(p for p in phones if len(p) >= 9),
                          own_text=" | ".join(texts))


def _names_correspondent(match: str, words: frozenset[str]) -> bool:
    """Every word of the name is a correspondent's word; an initial ("Daniel O.") stands for
    any correspondent word it begins."""
    toks = _words(re.sub(r"['’]s\b", "", match)) - _TITLES
    if not toks:
        return False
    full = [t for t in toks if len(t) > 1]
    if not full or not all(t in words for t in full):
        return False
    initials = {w[0] for w in words}
    return all(t in initials for t in toks if len(t) == 1)


# "call me on", "my work mobile is", "ring us on", "text the mentoring phone on": a number the
# writer offers as their own or the organisation's
_OWN_CONTACT = re.compile(
    r"(?:\b(?:call|ring|phone|text|contact|reach|email|e-mail|message|whatsapp)\s+(?:me|us|the\s+(?:office|team|"
    r"helpline|[\w ]{0,25}?(?:phone|line|number|mobile|inbox)))\b[^.\n]{0,20}?\b(?:on|at)\s*:?\s*"
    r"|\b(?:my|our)\s+(?:[\w-]+\s+){0,2}(?:mobile|number|phone|line|landline|email|address|helpline)"
    r"(?:\s+number)?\s*(?:is|:)\s*"
    r"|\b(?:i'm|i am|we're|we are)\b[^.\n]{0,40}?\bon\s+)$", re.I)


def _offered(text: str, start: int) -> bool:
    return bool(_OWN_CONTACT.search(text[max(0, start - 80):start]))


def finding_contexts(f: Finding, message: Message, mc: MessageContext):
    """The contexts that apply to this finding, in CONTEXTS order (lazily: the first that the
    rule lowers is taken)."""
    if f.start is None or not f.match:
        return
    part = message.part(f.part)
    if part is None:
        return
    if f.entity == "PERSON" and _names_correspondent(f.match, mc.words):
        yield "correspondent"
    if f.entity == "EMAIL_ADDRESS" and f.match.strip("<>.,;: ").lower() in mc.emails:
        yield "correspondent"
    if any(s.start <= f.start and f.end <= s.end for s in mc.signatures.get(f.part, ())):
        yield "signature"
    if f.entity == "EMAIL_ADDRESS":
        dom = f.match.strip("<>.,;: ").lower().rpartition("@")[2]
        if any(dom == d or dom.endswith("." + d) for d in mc.domains):
            yield "organisation"
    if f.entity == "PHONE_NUMBER" and phone_digits(f.match) in mc.own_phones:
        yield "organisation"
    if f.entity in ("PHONE_NUMBER", "EMAIL_ADDRESS") and f.part != "subject" \
            and not part.is_quoted(f.start, f.end) and _offered(part.text, f.start):
        yield "sender-contact"
    if f.entity in ("POSTAL_ADDRESS", "POSTCODE") and mc.own_text:
        n = _norm(f.match)
        if n and f" {n} " in f" {mc.own_text} ":
            yield "organisation"
    if f.entity == "PERSON" and in_role(part.text, f.start, f.end, f.match):
        yield "in-role"
    if mc.internal and f.part == "body":
        yield "internal"


def exposure(message: Message, findings: list[Finding], config) -> list[Finding]:
    """Severity rises with exposure: the same identifier or category detail at `warning` is an
    `error` in a subject line, to an external recipient, or to personal webmail."""
    if not message.is_email:
        return findings
    orgs = org_domains(message, config.organisation.domains)
    recipients = all_recipients(message)
    exposed = bool(external(recipients, orgs, message.sender)) or any(
        is_personal_webmail(a.domain) for a in recipients)
    out = []
    for f in findings:
        if (f.entity or f.category) and f.severity == "warning" and (f.part == "subject" or exposed):
            f = f.with_(severity="error")
        out.append(f)
    return out


def apply_context(message: Message, findings: Iterable[Finding], registry, config) -> list[Finding]:
    """Lower the findings the message shows are no disclosure, as each rule's `contexts` says;
    then raise those it exposes (`exposure`)."""
    return exposure(message, _lowered(message, findings, registry, config), config)


def _lowered(message: Message, findings: Iterable[Finding], registry, config) -> list[Finding]:
    findings = list(findings)
    mc = message_context(message, config.organisation.domains)
    out = []
    for f in findings:
        if f.severity == "info" or not (f.entity or f.category):
            out.append(f)
            continue
        rule = registry.get(f.code)
        lowered = (rule.contexts if rule is not None else {}) or {}
        if not lowered:
            out.append(f)
            continue
        why = next((c for c in finding_contexts(f, message, mc) if c in lowered), None)
        if why is None:
            out.append(f)
            continue
        sev = lowered[why]
        out.append(f.with_(severity=sev, context=why,
                           message=f"{f.message} ({sev}: {REASONS[why]})"))
    return out
