"""Ingest: turn a file into a `Message` of `Part`s, one module per format.

    read_path(path, config) -> Message
    read_bytes(data, name, config, source=None) -> Message

The format is judged by content first (magic bytes, zip member names, OLE streams) and by the
extension second (sniff.py). Each format reader returns the text of one part (a `Doc`); this
module builds the `Message`, reads email attachments, nested messages and zip members
recursively within the limits (`_common.DEFAULT_LIMITS`, overridable by `[tool.sklint.limits]`),
and turns what cannot be read into `Note`s (not-inspected, encrypted, limit-reached,
format-mismatch). A file that cannot be read at all raises `IngestError` with a one-line reason;
no other exception leaves this package.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from ..model import Address, Attachment, Message, Part
from ._common import Ctx, Doc, IngestError, short_reason
from .office import Encrypted, ole_encrypted
from .sniff import EXTENSIONS, KNOWN_EXTS, claims, ext_of, kind_of, sniff

__all__ = ["IngestError", "read_path", "read_bytes"]

FORMAT_LABEL = {
    "eml": "email (.eml)", "msg": "Outlook message (.msg)", "docx": "Word document (.docx)",
    "xlsx": "Excel workbook (.xlsx)", "pptx": "PowerPoint (.pptx)", "odt": "OpenDocument text (.odt)",
    "pdf": "PDF", "rtf": "RTF", "html": "HTML", "csv": "CSV", "text": "plain text", "md": "Markdown",
    "zip": "zip archive", "doc": "legacy Word (.doc)", "xls": "legacy Excel (.xls)",
    "ppt": "legacy PowerPoint (.ppt)", "ole-encrypted": "encrypted Office document",
    "image": "image", "audio": "audio/video", "odf-other": "OpenDocument spreadsheet/presentation",
}
LEGACY_SAVE_AS = {"doc": ".docx", "xls": ".xlsx", "ppt": ".pptx", "odf-other": ".xlsx/.pptx"}


def _reader(fmt: str) -> Callable[..., Doc]:
    if fmt in ("text", "md"):
        from .text import read_text
        return lambda d, n, c, p: read_text(d, n, c, p, "text/markdown" if fmt == "md" else "text/plain")
    if fmt == "csv":
        from .csvfile import read_csv
        return read_csv
    if fmt == "html":
        from .html import read_html
        return read_html
    if fmt == "docx":
        from .docx import read_docx
        return read_docx
    if fmt == "xlsx":
        from .xlsx import read_xlsx
        return read_xlsx
    if fmt == "pptx":
        from .pptx import read_pptx
        return read_pptx
    if fmt == "odt":
        from .odt import read_odt
        return read_odt
    if fmt == "rtf":
        from .rtf import read_rtf
        return read_rtf
    if fmt == "pdf":
        from .pdf import read_pdf
        return read_pdf
    raise IngestError(f"no reader for {fmt}")


ZIP_BASED = ("docx", "xlsx", "pptx", "odt")


def _read_doc(fmt: str, data: bytes, name: str, ctx: Ctx, pid: str) -> Doc:
    """Run one format reader; anything it throws becomes a one-line IngestError."""
    if fmt in ZIP_BASED:
        from .office import check_zip
        check_zip(data, ctx, pid, FORMAT_LABEL[fmt])
    try:
        return _reader(fmt)(data, name, ctx, pid)
    except IngestError:
        raise
    except RecursionError:
        raise IngestError(f"cannot read {FORMAT_LABEL[fmt]}: structure nested too deeply") from None
    except MemoryError:
        raise IngestError(f"cannot read {FORMAT_LABEL[fmt]}: out of memory") from None
    except Exception as exc:  # noqa: BLE001 - the format-reader boundary
        raise IngestError(f"cannot read {FORMAT_LABEL[fmt]}: {short_reason(exc)}") from None


def _part(pid: str, kind: str, doc: Doc, filename: Optional[str] = None) -> Part:
    return Part(id=pid, kind=kind, text=doc.text, media=doc.media, anchors=doc.anchors,
                quoted=doc.quoted, blocks=doc.blocks, filename=filename,
                table_headers=doc.table_headers, places=doc.places)


@dataclass
class _Collected:
    parts: list[Part] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


# -- emails ---------------------------------------------------------------------------------

def _email_content(fmt: str, data: bytes, ctx: Ctx, pid: str, depth: int):
    if fmt == "eml":
        from . import eml
        return eml.read(data, ctx, pid, depth)
    from . import msg
    return msg.read(data, ctx, pid, depth)


def _attachments(content, ctx: Ctx, prefix: str, depth: int, out: _Collected) -> None:
    for att in content.attachments:
        pid = ctx.unique_id(f"{prefix}{att.name}")
        _nested(att.payload, att.name, att.content_type, att.size, ctx, pid, depth + 1, out)


def _nested(payload, name: str, ctype: str, size: int, ctx: Ctx, pid: str, depth: int,
            out: _Collected) -> None:
    """Read one attachment or archive member into parts, with its Attachment entry."""
    max_depth = ctx.limit("max-nesting-depth")
    encrypted = False
    inspected = True
    if depth > max_depth:
        ctx.note(pid, "limit-reached",
                 f"limit-reached: nested deeper than max-nesting-depth ({max_depth}); not inspected")
        out.attachments.append(Attachment(pid, name, ctype, size, False, False))
        return
    if callable(payload):  # a nested message already parsed
        try:
            content = payload(pid)
        except IngestError as exc:
            ctx.note(pid, "not-inspected", f"not-inspected: {exc}")
            out.attachments.append(Attachment(pid, name, ctype or "message/rfc822", size, False, False))
            return
        except Exception as exc:  # noqa: BLE001
            ctx.note(pid, "not-inspected", f"not-inspected: cannot read nested message: {short_reason(exc)}")
            out.attachments.append(Attachment(pid, name, ctype or "message/rfc822", size, False, False))
            return
        out.attachments.append(Attachment(pid, name, ctype or "message/rfc822", size))
        _email_parts(content, ctx, pid, depth, out, nested=True, filename=name)
        return
    data: bytes = payload
    size = len(data)
    if not data:
        out.attachments.append(Attachment(pid, name, ctype, 0))
        ctx.note(pid, "not-inspected", "not-inspected: empty attachment")
        return
    fmt = sniff(data, name)
    ext = ext_of(name)
    if fmt is None:
        ctx.note(pid, "not-inspected", f"not-inspected: not a supported format ({ext or 'no extension'})")
        out.attachments.append(Attachment(pid, name, ctype, size, False, False))
        return
    _mismatch(fmt, ext, ctx, pid)
    try:
        if fmt in ("image", "audio"):
            ctx.note(pid, "not-inspected", f"not-inspected: {'image' if fmt == 'image' else 'audio/video'}")
            inspected = False
        elif fmt in LEGACY_SAVE_AS or fmt == "ole-encrypted":
            if ole_encrypted(data) or fmt == "ole-encrypted":
                raise Encrypted("encrypted Office document")
            ctx.note(pid, "not-inspected",
                     f"not-inspected: {FORMAT_LABEL[fmt]} is not read; save as {LEGACY_SAVE_AS[fmt]}")
            inspected = False
        elif fmt in ("eml", "msg"):
            content = _email_content(fmt, data, ctx, pid, depth)
            out.attachments.append(Attachment(pid, name, ctype, size))
            _email_parts(content, ctx, pid, depth, out, nested=True, filename=name)
            return
        elif fmt == "zip":
            from .archive import read_zip
            out.attachments.append(Attachment(pid, name, ctype, size))
            read_zip(data, name, ctx, pid, depth, out, _nested)
            return
        else:
            doc = _read_doc(fmt, data, name, ctx, pid)
            out.parts.append(_part(pid, "attachment", doc, filename=name))
    except Encrypted:
        encrypted, inspected = True, False
        ctx.note(pid, "encrypted", "encrypted: not inspected")
    except IngestError as exc:
        inspected = False
        ctx.note(pid, "not-inspected", f"not-inspected: {exc}")
    out.attachments.append(Attachment(pid, name, ctype, size, encrypted, inspected))


def _email_parts(content, ctx: Ctx, pid: str, depth: int, out: _Collected, nested: bool,
                 filename: Optional[str] = None) -> None:
    body = content.body
    if nested:
        # the nested message's subject leads its text so it is checked too
        lead = f"Subject: {content.subject}\n\n" if content.subject else ""
        n = len(lead)
        doc = Doc(lead + body.text, body.media, tuple((s + n, e + n) for s, e in body.blocks),
                  tuple((s + n, e + n, h) for s, e, h in body.table_headers), (),
                  tuple((s + n, e + n) for s, e in body.quoted))
        out.parts.append(_part(pid, "attachment", doc, filename=filename))
        _attachments(content, ctx, pid + "/", depth, out)
    else:
        out.parts.append(_part("body", "body", body))
        _attachments(content, ctx, "attachment:", depth, out)


# -- top level ------------------------------------------------------------------------------

def _mismatch(fmt: str, ext: str, ctx: Ctx, pid: str) -> None:
    if ext in KNOWN_EXTS and not claims(fmt, ext):
        if fmt == "ole-encrypted" or (fmt in ("text", "md") and ext in EXTENSIONS["text"] + EXTENSIONS["md"]):
            return
        ctx.note(pid, "format-mismatch",
                 f"format-mismatch: named {ext} but the content is {FORMAT_LABEL.get(fmt, fmt)}; read as that")


def _read(data: bytes, name: str, ctx: Ctx, source: str) -> Message:
    if not data:
        if ext_of(name) in EXTENSIONS["text"] + EXTENSIONS["md"] + EXTENSIONS["csv"]:
            # an empty text file is a file with nothing in it yet, not a broken one
            ctx.note("body", "not-inspected", "not-inspected: the file is empty, nothing to check")
            return Message(source=source, kind="text", parts=(), notes=tuple(ctx.notes))
        raise IngestError("empty file")
    max_bytes = ctx.limit("max-file-bytes")
    if len(data) > max_bytes:
        raise IngestError(f"refused: {len(data)} bytes, above max-file-bytes ({max_bytes})")
    ext = ext_of(name)
    fmt = sniff(data, name)
    if fmt is None:
        claimed = f"claims {ext} but " if ext in KNOWN_EXTS else ""
        raise IngestError(f"not a supported format: {claimed}the content is binary data of no known kind")
    kind = kind_of(fmt)
    _mismatch(fmt, ext, ctx, "body")
    if fmt in ("eml", "msg"):
        content = _email_content(fmt, data, ctx, "body", 0)
        out = _Collected()
        ctx.used_ids.update({"subject", "body", "headers"})
        _email_parts(content, ctx, "body", 0, out, nested=False)
        parts = ([Part("subject", "subject", content.subject)] if content.subject is not None else []) + out.parts
        return Message(source=source, kind="email", parts=tuple(parts), sender=content.sender,
                       to=content.to, cc=content.cc, bcc=content.bcc,
                       headers=tuple(content.headers), attachments=tuple(out.attachments),
                       notes=tuple(ctx.notes), is_email=True)
    if fmt == "zip":
        from .archive import read_zip
        out = _Collected()
        read_zip(data, name, ctx, "attachment:", 0, out, _nested, top=True)
        return Message(source=source, kind="document", parts=tuple(out.parts),
                       attachments=tuple(out.attachments), notes=tuple(ctx.notes))
    if fmt in ("image", "audio"):
        ctx.note("body", "not-inspected", f"not-inspected: {'image' if fmt == 'image' else 'audio/video'}")
        return Message(source=source, kind=kind, parts=(), notes=tuple(ctx.notes))
    if fmt in LEGACY_SAVE_AS or fmt == "ole-encrypted":
        if fmt == "ole-encrypted" or ole_encrypted(data):
            ctx.note("body", "encrypted", "encrypted: not inspected")
        else:
            ctx.note("body", "not-inspected",
                     f"not-inspected: {FORMAT_LABEL[fmt]} is not read; save as {LEGACY_SAVE_AS[fmt]}")
        return Message(source=source, kind=kind, parts=(), notes=tuple(ctx.notes))
    try:
        doc = _read_doc(fmt, data, name, ctx, "body")
    except Encrypted:
        ctx.note("body", "encrypted", "encrypted: not inspected")
        return Message(source=source, kind=kind, parts=(), notes=tuple(ctx.notes))
    return Message(source=source, kind=kind, parts=(_part("body", "body", doc),), notes=tuple(ctx.notes),
                   raw=doc.markup)


def read_bytes(data: bytes, name: str, config, source: Optional[str] = None) -> Message:
    """Read one file's bytes into a Message; IngestError (one line) when it cannot be read."""
    ctx = Ctx(config)
    old = sys.getrecursionlimit()
    try:
        return _read(bytes(data), name, ctx, source or name)
    except IngestError as exc:
        msg = " ".join(str(exc).split()) or "cannot read"
        raise IngestError(msg) from None
    except RecursionError:
        raise IngestError("refused: structure nested too deeply") from None
    except MemoryError:
        raise IngestError("refused: out of memory while reading") from None
    except Exception as exc:  # noqa: BLE001 - never a traceback
        raise IngestError(f"cannot read: {short_reason(exc)}") from None
    finally:
        sys.setrecursionlimit(old)


def read_path(path: Path, config) -> Message:
    path = Path(path)
    try:
        if path.is_dir():
            raise IngestError("is a directory")
        size = path.stat().st_size
        max_bytes = Ctx(config).limit("max-file-bytes")
        if size > max_bytes:
            raise IngestError(f"refused: {size} bytes, above max-file-bytes ({max_bytes})")
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror or type(exc).__name__}") from None
    return read_bytes(data, path.name, config, source=str(path))


# Address is re-exported for readers' convenience
_ = Address
