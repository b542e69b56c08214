"""Reading each fixable format into editable groups (see textmap) and writing it back.

Formats: .txt/.md (verbatim text), .html, .csv (cells), .xlsx (cells), .docx (runs, in the body,
tables, headers, footers, footnotes, endnotes and comments, formatting kept) and .eml (subject,
text and HTML bodies, attachments rewritten recursively).

Each format is read with the reader's own grammar from sklint.ingest, so `fix` rewrites what
`check` read: the text decoding (a BOM, UTF-16, a page's declared charset), the CSV fields, a
spreadsheet cell's text and the elements of a Word document. What is here is only what editing
needs on top: the handle of each piece of text (a w:t element, a cell, a span of the source).
"""
from __future__ import annotations

import codecs
import html as _html
import io
import mimetypes
import re
from email import policy
from email.message import EmailMessage
from pathlib import PurePosixPath
from typing import Callable, Optional

from ..ingest.eml import choose_alternative
from ..ingest._common import detect_encoding
from ..ingest.html import BLOCK, HIDDEN, declared_charset
from ..ingest.csvfile import delimiter, fields
from ..ingest.docx import P, SKIP, TBL, TR, row_cells, run_items
from ..ingest.xlsx import cell_text
from .safety import safe_filename
from .textmap import Group, Piece, Segment

FIXABLE = {
    ".txt": "text", ".text": "text", ".md": "text", ".markdown": "text", ".log": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".csv": "csv", ".tsv": "csv",
    ".docx": "docx", ".xlsx": "xlsx", ".eml": "eml",
}


class Unfixable(Exception):
    """A file or attachment sklint fix cannot rewrite; str() is the reason."""


def fmt_of(name: str) -> Optional[str]:
    return FIXABLE.get(PurePosixPath(name.replace("\\", "/")).suffix.lower())


# -- text decoding -----------------------------------------------------------------------------

def decode(data: bytes, declared: Optional[str] = None) -> tuple[str, bytes, str]:
    """(text, bom, encoding) so that bom + text.encode(encoding) gives the file back. A BOM or
    UTF-16 without one is found as sklint check finds it (ingest._common.detect_encoding); 8-bit
    text is decoded whole, as UTF-8 or else cp1252, so that it can be written back as it was."""
    enc, skip = detect_encoding(data)
    if enc:
        return data[skip:].decode(enc, errors="replace"), data[:skip], enc
    if declared:
        try:
            codec = codecs.lookup(declared).name
            return data.decode(codec), b"", codec
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), b"", "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), b"", "cp1252"


def _encode(text: str, enc: str) -> bytes:
    try:
        return text.encode(enc)
    except UnicodeEncodeError:
        return text.encode(enc, errors="xmlcharrefreplace") if enc == "ascii" else text.encode(enc, errors="replace")


class FixDoc:
    """One loaded document. `groups` are keyed like the ingest's part ids."""
    fmt = ""

    def __init__(self) -> None:
        self.groups: list[Group] = []
        self.notes: list[str] = []  # things to tell the user (no personal data)
        self.unfixable: dict[str, str] = {}  # part id -> reason (attachments that cannot be rewritten)

    def all_groups(self) -> list[Group]:
        return list(self.groups)

    def changed(self) -> bool:
        return any(g.changed for g in self.all_groups())

    def to_bytes(self) -> bytes:
        raise NotImplementedError

    def verify(self, data: bytes) -> None:
        """Parse the written bytes again; raise Unfixable when they do not parse."""

    def rename(self, fn: Callable[[str], str]) -> int:
        """Apply `fn` to the file names this document carries (attachments); count changes."""
        return 0

    def properties(self, fn: Callable[[str], str]) -> None:
        """Apply `fn` to document properties that may hold names (docx author, title...)."""


# -- .txt / .md ----------------------------------------------------------------------------------

class TextDoc(FixDoc):
    fmt = "text"

    def __init__(self, data: bytes, key: str = "body", declared: Optional[str] = None):
        super().__init__()
        text, self.bom, self.encoding = decode(data, declared)
        self.piece = Piece(text)
        self.groups = [Group(key, [Segment([self.piece])])]

    def text(self) -> str:
        return self.piece.new_text()

    def to_bytes(self) -> bytes:
        return self.bom + _encode(self.piece.new_text(), self.encoding)


# -- .html ---------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<![^>]*>|<\?[^>]*>"
    r"|<(/?)([A-Za-z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)


class HtmlText:
    """Text nodes of an HTML source as pieces (decoded), blocks as segments."""

    def __init__(self, source: str):
        self.source = source
        self.nodes: list[tuple[int, int, Piece]] = []
        segments: list[Segment] = [Segment([])]
        pos = 0
        n = len(source)
        while pos < n:
            m = _TOKEN.search(source, pos)
            end = m.start() if m else n
            if end > pos:
                raw = source[pos:end]
                piece = Piece(_html.unescape(raw), True, (pos, end))
                self.nodes.append((pos, end, piece))
                segments[-1].pieces.append(piece)
            if not m:
                break
            pos = m.end()
            tag = (m.group(2) or "").lower()
            if tag and not m.group(1) and tag in HIDDEN and not m.group(3).rstrip().endswith("/"):
                close = re.compile(rf"</{re.escape(tag)}\s*>", re.I).search(source, pos)
                pos = close.end() if close else n
                continue
            if tag in BLOCK and segments[-1].pieces:
                segments.append(Segment([]))
        self.segments = [s for s in segments if s.pieces] or [Segment([Piece("", False)])]

    def changed(self) -> bool:
        return any(p.changed for _, _, p in self.nodes)

    def new_source(self) -> str:
        out = []
        last = 0
        for s, e, p in self.nodes:
            if p.changed:
                out.append(self.source[last:s])
                out.append(_html.escape(p.new_text(), quote=False))
                last = e
        out.append(self.source[last:])
        return "".join(out)


class HtmlDoc(FixDoc):
    fmt = "html"

    def __init__(self, data: bytes, key: str = "body"):
        super().__init__()
        text, self.bom, self.encoding = decode(data, declared_charset(data))
        self.html = HtmlText(text)
        self.groups = [Group(key, self.html.segments)]

    def to_bytes(self) -> bytes:
        return self.bom + _encode(self.html.new_source(), self.encoding)


# -- .csv ------------------------------------------------------------------------------------------

class CsvDoc(FixDoc):
    """The CSV text verbatim, every cell's content a writable piece and the delimiters, quotes and
    line ends read-only, so a replacement never moves a value to another column."""
    fmt = "csv"

    def __init__(self, data: bytes, key: str = "body", declared: Optional[str] = None):
        super().__init__()
        text, self.bom, self.encoding = decode(data, declared)
        self.delim = d = delimiter(text)
        pieces: list[Piece] = []
        for m, sep in fields(text, d):  # the cells as sklint check reads them
            if m.group(2) is not None:
                pieces += [Piece(m.group(1), False), Piece(m.group(2), True, "quoted"), Piece(m.group(3), False)]
            else:
                pieces.append(Piece(m.group(4), True, "bare"))
            if sep:
                pieces.append(Piece(sep, False))
        pieces = [p for p in pieces if p.text or p.writable]
        self.pieces = pieces
        self.groups = [Group(key, [Segment(pieces)], escape=self._escape)]

    def _escape(self, text: str, piece: Piece) -> str:
        if piece.ref == "quoted":
            return text.replace('"', '""')
        for ch in (self.delim, "\r", "\n"):
            text = text.replace(ch, " ")
        return text.replace('"', "'")

    def to_bytes(self) -> bytes:
        return self.bom + _encode("".join(p.new_text() for p in self.pieces), self.encoding)


# -- .xlsx -----------------------------------------------------------------------------------------

class XlsxDoc(FixDoc):
    """Cells as pieces: one segment per row, cells joined with " | ", each sheet headed by its
    name (as sklint reads a workbook)."""
    fmt = "xlsx"

    def __init__(self, data: bytes, key: str = "body"):
        super().__init__()
        import openpyxl
        try:
            self.wb = openpyxl.load_workbook(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001
            raise Unfixable(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
        segments: list[Segment] = []
        for ws in self.wb.worksheets:
            segments.append(Segment([Piece(f"Sheet: {ws.title}", False)]))
            for row in ws.iter_rows():
                cells = list(row)
                while cells and not cell_text(cells[-1].value).strip():
                    cells.pop()
                if not any(cell_text(c.value).strip() for c in cells):
                    continue
                pieces: list[Piece] = []
                for i, c in enumerate(cells):
                    if i:
                        pieces.append(Piece(" | ", False))
                    pieces.append(Piece(cell_text(c.value), True, c))
                segments.append(Segment(pieces))
        self.groups = [Group(key, segments)]

    def to_bytes(self) -> bytes:
        for g in self.groups:
            for p in g.pieces:
                if p.writable and p.changed:
                    cell = p.ref
                    cell.value = p.new_text()
                    cell.number_format = "General"
        out = io.BytesIO()
        self.wb.save(out)
        return out.getvalue()

    def verify(self, data: bytes) -> None:
        import openpyxl
        try:
            openpyxl.load_workbook(io.BytesIO(data)).close()
        except Exception as exc:  # noqa: BLE001
            raise Unfixable(f"the rewritten workbook does not open ({type(exc).__name__})") from None

    def properties(self, fn: Callable[[str], str]) -> None:
        props = self.wb.properties
        for attr in ("creator", "lastModifiedBy", "title", "subject", "description", "keywords"):
            v = getattr(props, attr, None)
            if isinstance(v, str) and v:
                setattr(props, attr, fn(v))


# -- .docx -------------------------------------------------------------------------------------------

# the document's vocabulary (elements, what a run holds besides text) is the reader's,
# sklint.ingest.docx, so check and fix walk the same elements
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_HF = re.compile(r"/word/(header\d*|footer\d*|footnotes|endnotes|comments)\.xml$")


def _docx_paragraph(p, out: list[Segment]) -> None:
    pieces: list[Piece] = []
    nested: list = []
    for text, el in run_items(p):  # the paragraph as sklint check reads it
        if text is None:  # a text box paragraph: a segment of its own
            nested.append(el)
        elif el is not None:
            pieces.append(Piece(text, True, el))
        else:
            pieces.append(Piece(text, False))
    out.append(Segment(pieces or [Piece("", False)]))
    for q in nested:
        _docx_paragraph(q, out)


def _docx_walk(container, out: list[Segment]) -> None:
    for el in container:
        tag = el.tag
        if not isinstance(tag, str) or tag in SKIP:
            continue
        if tag == P:
            _docx_paragraph(el, out)
        elif tag == TBL:
            for tr in el.iterchildren(TR):
                for tc in row_cells(tr):
                    _docx_walk(tc, out)
        else:
            _docx_walk(el, out)


class DocxDoc(FixDoc):
    fmt = "docx"

    def __init__(self, data: bytes, key: str = "body"):
        super().__init__()
        import docx
        try:
            self.document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001
            raise Unfixable(f"not a readable .docx document ({type(exc).__name__})") from None
        segments: list[Segment] = []
        _docx_walk(self.document.element.body, segments)
        self.blob_parts: list[tuple[object, object]] = []  # (part, parsed root) written back as blob
        for part in self.document.part.package.iter_parts():
            if not _HF.search(str(part.partname)):
                continue
            root = getattr(part, "_element", None)
            if root is None:
                from lxml import etree
                parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
                try:
                    root = etree.fromstring(part.blob, parser)
                except etree.XMLSyntaxError:
                    continue
                self.blob_parts.append((part, root))
            _docx_walk(root, segments)
        self.groups = [Group(key, segments)]

    def to_bytes(self) -> bytes:
        for g in self.groups:
            for p in g.pieces:
                if p.writable and p.changed:
                    t = p.ref
                    new = p.new_text()
                    t.text = new
                    if new != new.strip():
                        t.set(XML_SPACE, "preserve")
        if self.blob_parts:
            from lxml import etree
            for part, root in self.blob_parts:
                part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()

    def verify(self, data: bytes) -> None:
        import docx
        try:
            docx.Document(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001
            raise Unfixable(f"the rewritten document does not open ({type(exc).__name__})") from None

    def properties(self, fn: Callable[[str], str]) -> None:
        cp = self.document.core_properties
        for attr in ("author", "last_modified_by", "title", "subject", "comments", "keywords"):
            v = getattr(cp, attr, None)
            if isinstance(v, str) and v:
                new = fn(v)
                if new != v:
                    setattr(cp, attr, new)


# -- .eml ----------------------------------------------------------------------------------------------

def _ingest_safe_name(name: Optional[str]) -> str:
    """The attachment name the ingest uses in part ids (`attachment:NAME`)."""
    if not name:
        return ""
    return re.sub(r"[\x00-\x1f/\\]", "_", str(name)).strip()[:200]


def _is_attachment(part: EmailMessage) -> bool:
    try:
        if part.get_content_disposition() == "attachment":
            return True
        if part.get_filename():
            return True
    except Exception:  # noqa: BLE001
        return True
    return part.get_content_maintype() != "text"


def _part_text(part: EmailMessage) -> tuple[str, str]:
    """(text, charset) of a text leaf."""
    data = part.get_payload(decode=True) or b""
    try:
        charset = part.get_content_charset()
    except Exception:  # noqa: BLE001
        charset = None
    text, _, enc = decode(data, charset)
    return text, enc


def _set_text(part: EmailMessage, text: str, subtype: str, charset: str) -> None:
    cte = (part.get("Content-Transfer-Encoding") or "").strip().lower() or None
    disp = part.get_content_disposition()
    try:
        text.encode(charset)
    except (UnicodeEncodeError, LookupError):
        charset = "utf-8"
    if cte in ("7bit", "8bit") or cte not in ("quoted-printable", "base64"):
        cte = None
    if not text.endswith("\n"):
        text += "\n"
    try:
        part.set_content(text, subtype=subtype, charset=charset, cte=cte, disposition=disp)
    except ValueError:
        part.set_content(text, subtype=subtype, charset="utf-8", disposition=disp)


class _Leaf:
    def __init__(self, part: EmailMessage, media: str):
        self.part = part
        self.media = media
        self.text, self.charset = _part_text(part)
        if media == "text/html":
            self.html: Optional[HtmlText] = HtmlText(self.text)
            self.piece = None
            self.segments = self.html.segments
        else:
            self.html = None
            self.piece = Piece(self.text)
            self.segments = [Segment([self.piece])]

    def changed(self) -> bool:
        return self.html.changed() if self.html is not None else self.piece.changed

    def write(self) -> None:
        if not self.changed():
            return
        new = self.html.new_source() if self.html is not None else self.piece.new_text()
        _set_text(self.part, new, self.part.get_content_subtype(), self.charset)


class _Att:
    def __init__(self, part: EmailMessage, pid: str, name: str, doc: Optional[FixDoc]):
        self.part = part
        self.pid = pid
        self.name = name  # the name as the message gives it
        self.new_name = name
        self.doc = doc
        self.removed: Optional[str] = None  # why it was replaced by a note, when it was


_REMOVED_NOTE = ("This attachment ({name}) was removed by sklint fix: {why}. It held personal data "
                 "that sklint fix cannot rewrite in this format. Share it through the secure system, "
                 "or convert it to a format sklint fix rewrites and fix it again.\n")


class EmlDoc(FixDoc):
    """An email: subject, body leaves (the ones sklint reads form group `body`; the other
    alternatives get groups `body~altN` and are checked separately) and attachments, each
    attachment a FixDoc of its own."""
    fmt = "eml"

    def __init__(self, data: Optional[bytes] = None, msg: Optional[EmailMessage] = None,
                 pid: str = "body", nested: bool = False, used: Optional[set] = None,
                 depth: int = 0, loader=None):
        super().__init__()
        import email
        self.crlf = bool(data and b"\r\n" in data[:4096])
        if msg is None:
            try:
                msg = email.message_from_bytes(data, policy=policy.default)
            except Exception as exc:  # noqa: BLE001
                raise Unfixable(f"not a readable email ({type(exc).__name__})") from None
        self.msg = msg
        self.nested = nested
        self.depth = depth
        self.used = used if used is not None else {"subject", "body", "headers"}
        self.loader = loader
        self.pid = pid
        self.leaves: list[_Leaf] = []
        self.alt_leaves: list[_Leaf] = []
        self.atts: list[_Att] = []
        self.counter = 0
        self._walk(msg, 0)
        self.subject_piece: Optional[Piece] = None
        subject = msg.get("subject")
        body_segments = [s for leaf in self.leaves for s in leaf.segments]
        if nested:
            segs: list[Segment] = []
            if subject is not None:
                self.subject_piece = Piece(" ".join(str(subject).split()))
                segs = [Segment([Piece("Subject: ", False), self.subject_piece]), Segment([Piece("", False)])]
            self.groups = [Group(pid, segs + body_segments)]
        else:
            if subject is not None:
                self.subject_piece = Piece(" ".join(str(subject).split()))
                self.groups.append(Group("subject", [Segment([self.subject_piece])]))
            self.groups.append(Group("body", body_segments or [Segment([Piece("", False)])]))
        for i, leaf in enumerate(self.alt_leaves, 1):
            self.groups.append(Group(f"{pid}~alt{i}", leaf.segments))

    def _unique(self, pid: str) -> str:
        if pid not in self.used:
            self.used.add(pid)
            return pid
        i = 2
        while f"{pid}#{i}" in self.used:
            i += 1
        self.used.add(f"{pid}#{i}")
        return f"{pid}#{i}"

    def _walk(self, part: EmailMessage, level: int) -> None:
        ctype = part.get_content_type()
        if part.is_multipart() and ctype != "message/rfc822":
            subs = part.get_payload()
            if not isinstance(subs, list):
                return
            if ctype == "multipart/alternative":
                choice = choose_alternative(subs)
                if choice is not None:
                    self._walk(choice, level + 1)
                for s in subs:
                    if s is choice:
                        continue
                    if _is_attachment(s) and not s.is_multipart():
                        self._attachment(s)
                    else:
                        self._alt(s)
                return
            for s in subs:
                self._walk(s, level + 1)
            return
        if ctype == "message/rfc822" or _is_attachment(part):
            self._attachment(part)
            return
        self.leaves.append(_Leaf(part, "text/html" if ctype == "text/html" else "text/plain"))

    def _alt(self, part: EmailMessage) -> None:
        """An alternative sklint does not read (the HTML beside a plain body): fixed as well."""
        if part.is_multipart():
            for s in part.get_payload() or []:
                if isinstance(s, EmailMessage):
                    self._alt(s)
            return
        if part.get_content_maintype() == "text" and not _is_attachment(part):
            self.alt_leaves.append(_Leaf(part, "text/html" if part.get_content_type() == "text/html" else "text/plain"))
        elif _is_attachment(part):
            self._attachment(part)

    def _attachment(self, part: EmailMessage) -> None:
        self.counter += 1
        ctype = part.get_content_type()
        try:
            raw_name = part.get_filename()
        except Exception:  # noqa: BLE001
            raw_name = None
        name = _ingest_safe_name(raw_name)
        prefix = (self.pid + "/") if self.nested else "attachment:"
        if ctype == "message/rfc822" and part.is_multipart():
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else None
            if not name and inner is not None:
                subj = _ingest_safe_name(" ".join(str(inner.get("subject", "")).split()))
                name = (subj[:60] + ".eml") if subj else "message.eml"
            name = name or "message.eml"
            pid = self._unique(prefix + name)
            doc = EmlDoc(msg=inner, pid=pid, nested=True, used=self.used, depth=self.depth + 1,
                         loader=self.loader) if inner is not None else None
            self.atts.append(_Att(part, pid, raw_name or "", doc))
            return
        if not name:
            ext = mimetypes.guess_extension(ctype) or ".bin"
            name = f"attachment-{self.counter}{ext}"
        pid = self._unique(prefix + name)
        data = part.get_payload(decode=True) or b""
        doc: Optional[FixDoc] = None
        if data and self.loader is not None:
            try:
                doc = self.loader(data, name, pid, self.used, self.depth + 1)
            except Unfixable as exc:
                self.unfixable[pid] = str(exc)
        elif data:
            self.unfixable[pid] = "no reader"
        self.atts.append(_Att(part, pid, raw_name or "", doc))

    def all_groups(self) -> list[Group]:
        out = list(self.groups)
        for a in self.atts:
            if a.doc is not None:
                out += a.doc.all_groups()
        return out

    def remove(self, pid: str, why: str) -> bool:
        """Replace the attachment `pid` (here or in a nested message) by a short text note
        saying why it was left out. True when it was found."""
        for a in self.atts:
            if a.pid == pid:
                a.removed, a.doc = why, None
                self.notes.append(f"{pid}: left out and replaced by a note: {why}")
                return True
            if isinstance(a.doc, EmlDoc) and a.doc.remove(pid, why):
                self.notes.extend(a.doc.notes[-1:])
                return True
        return False

    def changed(self) -> bool:
        return super().changed() or self._any_removed()

    def _any_removed(self) -> bool:
        return any(a.removed or (isinstance(a.doc, EmlDoc) and a.doc._any_removed()) for a in self.atts)

    def all_unfixable(self) -> dict[str, str]:
        out = dict(self.unfixable)
        for a in self.atts:
            if isinstance(a.doc, EmlDoc):
                out.update(a.doc.all_unfixable())
        return out

    def rename(self, fn: Callable[[str], str]) -> int:
        n = 0
        for a in self.atts:
            if a.name:
                new = safe_filename(fn(a.name))
                if new != a.name:
                    a.new_name = new
                    n += 1
            if isinstance(a.doc, EmlDoc):
                n += a.doc.rename(fn)
        return n

    def _apply(self) -> None:
        if self.subject_piece is not None and self.subject_piece.changed:
            self.msg.replace_header("Subject", self.subject_piece.new_text())
        for leaf in self.leaves + self.alt_leaves:
            leaf.write()
        for a in self.atts:
            if a.removed:  # its name as swept by the fix (a name in a file name is rewritten too)
                name = a.new_name or a.name or "attachment"
                a.part.set_content(_REMOVED_NOTE.format(name=name, why=a.removed), subtype="plain",
                                   disposition="attachment", filename=safe_filename(name + ".removed.txt"))
                continue
            if isinstance(a.doc, EmlDoc):
                a.doc._apply()
                if a.new_name != a.name:
                    _set_filename(a.part, a.new_name)
                continue
            changed = a.doc is not None and a.doc.changed()
            if not changed and a.new_name == a.name:
                continue
            if changed:
                data = a.doc.to_bytes()
                a.doc.verify(data)
                maintype, subtype = a.part.get_content_type().split("/", 1)
                disp = a.part.get_content_disposition() or "attachment"
                a.part.set_content(data, maintype=maintype, subtype=subtype, disposition=disp,
                                   filename=a.new_name or None, cte="base64")
            else:
                _set_filename(a.part, a.new_name)

    def to_bytes(self) -> bytes:
        self._apply()
        pol = policy.default.clone(linesep="\r\n") if self.crlf else policy.default
        return self.msg.as_bytes(policy=pol)

    def verify(self, data: bytes) -> None:
        import email
        try:
            again = email.message_from_bytes(data, policy=policy.default)
            n_in = sum(1 for _ in self.msg.iter_attachments()) if self.msg.is_multipart() else 0
            n_out = sum(1 for _ in again.iter_attachments()) if again.is_multipart() else 0
            str(again.get("subject", ""))
        except Exception as exc:  # noqa: BLE001
            raise Unfixable(f"the rewritten email does not parse ({type(exc).__name__})") from None
        if n_in != n_out:
            raise Unfixable("the rewritten email lost an attachment")
        for part in again.walk():
            fn = part.get_filename()
            if fn and safe_filename(fn) != fn:
                raise Unfixable("an attachment name is still unsafe after the rewrite")


def _set_filename(part: EmailMessage, name: str) -> None:
    if part.get("Content-Disposition") is not None:
        part.set_param("filename", name, header="Content-Disposition")
    else:
        part.add_header("Content-Disposition", "attachment", filename=name)
    if part.get_param("name", header="Content-Type") is not None:
        part.set_param("name", name, header="Content-Type")


# -- loading ------------------------------------------------------------------------------------

def load(data: bytes, name: str, pid: str = "body", used: Optional[set] = None, depth: int = 0) -> FixDoc:
    fmt = fmt_of(name)
    if depth > 10:
        raise Unfixable("nested too deeply")
    if fmt is None:
        ext = PurePosixPath(name.replace("\\", "/")).suffix.lower() or "(no extension)"
        raise Unfixable(f"{ext} files cannot be fixed (sklint fix rewrites .txt, .md, .html, .docx, "
                        ".eml, .csv and .xlsx)")
    if fmt == "text":
        return TextDoc(data, pid)
    if fmt == "html":
        return HtmlDoc(data, pid)
    if fmt == "csv":
        return CsvDoc(data, pid)
    if fmt == "xlsx":
        return XlsxDoc(data, pid)
    if fmt == "docx":
        return DocxDoc(data, pid)
    if fmt == "eml":
        if depth:
            import email
            try:
                msg = email.message_from_bytes(data, policy=policy.default)
            except Exception as exc:  # noqa: BLE001
                raise Unfixable(f"not a readable email ({type(exc).__name__})") from None
            return _AttachedEml(data, msg, pid, used, depth)
        return EmlDoc(data, pid=pid, used=used, loader=load)
    raise Unfixable(f"{fmt} cannot be fixed")


class _AttachedEml(EmlDoc):
    """An .eml file attached to an email (bytes, not message/rfc822): fixed as a nested message."""

    def __init__(self, data: bytes, msg: EmailMessage, pid: str, used, depth: int):
        super().__init__(data=data, msg=msg, pid=pid, nested=True, used=used, depth=depth, loader=load)


__all__ = ["FIXABLE", "FixDoc", "Unfixable", "fmt_of", "load"]
