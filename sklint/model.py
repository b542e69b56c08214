"""The small, frozen types every stage of the pipeline passes along. No I/O here.

files -> ingest -> Message(parts) -> detectors -> Findings -> message rules -> suppression -> reporters
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from typing import Optional

_NEWLINE = re.compile("\n")
SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}

ENTITY_TYPES = (
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "POSTAL_ADDRESS", "POSTCODE", "DATE_OF_BIRTH",
    "AGE", "NHS_NUMBER", "NI_NUMBER", "BANK_DETAILS", "CASE_REFERENCE",
)
CATEGORIES = (
    "HEALTH", "SAFEGUARDING", "SEXUAL_ORIENTATION", "RELIGION", "ETHNICITY",
    "POLITICAL_OPINION", "TRADE_UNION", "GENETIC_BIOMETRIC", "CRIMINAL_OFFENCE",
)
# Message kinds of the findings contract (spec/findings-json.md).
KINDS = ("email", "document", "spreadsheet", "web-page", "text")


@dataclass(frozen=True)
class Address:
    """One mailbox from a From/To/Cc/Bcc header."""
    name: str
    email: str  # lower-cased addr-spec, may be "" when the header had no address

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()


@dataclass(frozen=True)
class Part:
    """A piece of text of a message: `subject`, `body`, `attachment:NAME`.

    `text` is the extracted text; offsets of findings index into it (code points).
    `anchors` maps text offsets to source-file positions for text formats whose extracted text
    differs from the file (HTML): sorted tuples (text_offset, source_line, source_col), both
    1-based. Empty means line/column are counted in `text` itself.
    `quoted` holds (start, end) ranges of quoted reply history.
    `blocks` holds (start, end) ranges of block boundaries (paragraphs, table cells) where known.
    """
    id: str
    kind: str  # "subject" | "body" | "attachment"
    text: str
    media: str = "text/plain"  # what the text came from: text/plain, text/html, docx, pdf, ...
    anchors: tuple[tuple[int, int, int], ...] = ()
    quoted: tuple[tuple[int, int], ...] = ()
    blocks: tuple[tuple[int, int], ...] = ()
    filename: Optional[str] = None  # for attachments: the attachment's own file name
    table_headers: tuple[tuple[int, int, str], ...] = ()  # (start, end, column header) per table cell
    places: tuple[tuple[int, str, int], ...] = ()  # (offset, sheet, row) where each spreadsheet row starts
    _newlines: Optional[list[int]] = field(default=None, init=False, compare=False, repr=False)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a text offset, in source-file terms where anchors exist."""
        offset = max(0, min(offset, len(self.text)))
        if self.anchors:
            i = bisect.bisect_right(self.anchors, (offset, 1 << 62, 0)) - 1
            if i >= 0:
                a_off, a_line, a_col = self.anchors[i]
                seg = self.text[a_off:offset]
                nl = seg.count("\n")
                if nl:
                    return a_line + nl, offset - (a_off + seg.rfind("\n") + 1) + 1
                return a_line, a_col + (offset - a_off)
        nls = self._newlines
        if nls is None:  # built once per part: no rescans per finding
            nls = [m.start() for m in _NEWLINE.finditer(self.text)]
            object.__setattr__(self, "_newlines", nls)
        i = bisect.bisect_left(nls, offset)
        line_start = nls[i - 1] + 1 if i else 0
        return i + 1, offset - line_start + 1

    def is_quoted(self, start: int, end: int) -> bool:
        return any(qs <= start and end <= qe for qs, qe in self.quoted)


@dataclass(frozen=True)
class Attachment:
    """What the message says about one attachment, whether or not its text could be read."""
    part_id: str  # "attachment:NAME" (unique within the message)
    filename: str
    content_type: str
    size: int
    encrypted: bool = False
    inspected: bool = True


@dataclass(frozen=True)
class Note:
    """Something the reader could not do: an image not inspected, an encrypted file, a limit hit,
    a file whose extension lied. Reported as an `info` finding."""
    part: str
    code: str  # one of the info rule names: not-inspected, encrypted, limit-reached, format-mismatch
    message: str


@dataclass(frozen=True)
class Message:
    source: str
    kind: str  # one of KINDS
    parts: tuple[Part, ...]
    sender: Optional[Address] = None
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # other useful headers, decoded (name lower-case)
    attachments: tuple[Attachment, ...] = ()
    notes: tuple[Note, ...] = ()
    is_email: bool = False
    # the file's own text when its one part was extracted from markup (an HTML page), read once
    # by ingest: the stages that need the markup (inline directives, the web-form rule) read it
    # here, never the file again. None for every other format.
    raw: Optional[str] = field(default=None, compare=False, repr=False)

    def part(self, part_id: str) -> Optional[Part]:
        for p in self.parts:
            if p.id == part_id:
                return p
        return None

    def header(self, name: str) -> str:
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return ""

    @property
    def subject(self) -> str:
        p = self.part("subject")
        return p.text if p else ""


@dataclass(frozen=True)
class Finding:
    """One thing sklint reports. `match` always holds the real text; reporters redact it."""
    code: str
    rule: str
    severity: str
    part: str
    start: Optional[int]
    end: Optional[int]
    match: str
    message: str
    entity: Optional[str] = None
    category: Optional[str] = None
    suggestion: Optional[str] = None
    confidence: float = 1.0
    quoted: bool = False
    line: Optional[int] = None
    column: Optional[int] = None
    source: str = ""  # which detector: pattern, ner, lexicon, rule, ingest
    # why the message shows this is no disclosure (sklint.context.CONTEXTS), when it does
    context: Optional[str] = None
    # where a person finds it in the document ("page 3", "sheet 'Referrals', cell B4"), and the
    # line of text around it (text, start, end of the match in it): shown on a person's own
    # terminal only, never written by a machine format (sklint.locate)
    where: Optional[str] = None
    frame: Optional[tuple[str, int, int]] = field(default=None, compare=False, repr=False)

    def with_(self, **kw) -> "Finding":
        return replace(self, **kw)


@dataclass(frozen=True)
class Checked:
    """What the pipeline returns for one message (pipeline.Engine.check_message): the message as
    the detectors read it, what to report, and the allowlist entries that allowed something
    (suppress.allowlist_hit names them). Inline directives that silenced nothing are findings."""
    message: Message
    findings: tuple[Finding, ...]
    allowed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FileResult:
    path: str
    kind: str
    error: Optional[str]
    findings: tuple[Finding, ...] = ()
    message: Optional[Message] = field(default=None, compare=False, repr=False)
    # the allowlist entries that allowed something in this file: the caller unions them over
    # the files to name the entries that matched nothing
    allowed: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @classmethod
    def of(cls, path: str, message: Message, checked: "Checked") -> "FileResult":
        """The result of a file read as `message` (whole) and checked as `checked`."""
        return cls(path, message.kind, None, checked.findings, message=message, allowed=checked.allowed)


def not_fully_read(result: "FileResult") -> bool:
    """A limit (size, depth, pages, time) stopped reading some of the file's content."""
    return any(f.rule == "limit-reached" for f in result.findings)
