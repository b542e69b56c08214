"""Which format a file is: by content first (magic bytes, zip member names, OLE streams), by
extension second. Returns a format key; `None` means no supported format."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath
from typing import Optional

from ._common import looks_textual

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# format key -> extensions that honestly claim it
EXTENSIONS = {
    "eml": (".eml", ".mht", ".mhtml"), "msg": (".msg",), "docx": (".docx", ".docm", ".dotx"),
    "xlsx": (".xlsx", ".xlsm", ".xltx"), "pptx": (".pptx", ".pptm", ".ppsx"), "odt": (".odt",),
    "pdf": (".pdf",), "rtf": (".rtf",), "html": (".html", ".htm", ".xhtml"), "csv": (".csv", ".tsv"),
    "text": (".txt", ".text", ".log"), "md": (".md", ".markdown"), "zip": (".zip",),
    "doc": (".doc", ".dot"), "xls": (".xls",), "ppt": (".ppt", ".pps"),
    "ole-encrypted": (".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".pptm", ".doc", ".xls", ".ppt"),
    "image": (".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp", ".heic", ".heif", ".ico"),
    "audio": (".mp3", ".wav", ".m4a", ".ogg", ".flac", ".aac", ".amr", ".mp4", ".mov", ".avi", ".webm", ".3gp"),
    "odf-other": (".ods", ".odp", ".odg"),
}
TEXT_FAMILY = ("eml", "html", "csv", "text", "md")
KNOWN_EXTS = {ext for exts in EXTENSIONS.values() for ext in exts}

KIND = {"eml": "email", "msg": "email", "xlsx": "spreadsheet", "csv": "spreadsheet",
        "html": "web-page", "text": "text", "md": "text"}


def kind_of(fmt: str) -> str:
    return KIND.get(fmt, "document")


def ext_of(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def ext_format(ext: str) -> Optional[str]:
    for fmt, exts in EXTENSIONS.items():
        if fmt != "ole-encrypted" and ext in exts:
            return fmt
    return None


def claims(fmt: str, ext: str) -> bool:
    return ext in EXTENSIONS.get(fmt, ())


_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{0,60}:[ \t]*\S", re.M)
_EMAIL_HEADERS = re.compile(
    rb"^(from|to|subject|date|received|return-path|message-id|mime-version|content-type|"
    rb"delivered-to|x-[a-z0-9-]+):", re.I | re.M)


def _looks_email(data: bytes) -> bool:
    head = data[:8192].lstrip()
    if head.startswith(b"From ") and b"\n" in head:  # mbox separator line
        head = head.split(b"\n", 1)[1]
    first = head.split(b"\n", 1)[0]
    if not _HEADER_LINE.match(first):
        return False
    block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    names = {m.group(1).lower() for m in _EMAIL_HEADERS.finditer(block)}
    return len(names & {b"from", b"to", b"subject", b"date", b"received", b"message-id",
                        b"mime-version", b"content-type", b"return-path"}) >= 2


def _looks_html(data: bytes) -> bool:
    head = data[:4096].lstrip().lower()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    return head.startswith((b"<!doctype html", b"<html")) or \
        (head.startswith(b"<") and b"<body" in data[:65536].lower())


def _zip_format(data: bytes) -> str:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except Exception:  # noqa: BLE001 - a damaged zip: let the zip reader report it
        return "zip"
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names or any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n.startswith("ppt/") for n in names):
            return "pptx"
    if "mimetype" in names:
        try:
            info = zf.getinfo("mimetype")
            mt = zf.read("mimetype")[:100] if info.file_size < 200 and not info.flag_bits & 1 else b""
        except Exception:  # noqa: BLE001
            mt = b""
        if mt.startswith(b"application/vnd.oasis.opendocument.text"):
            return "odt"
        if mt.startswith(b"application/vnd.oasis.opendocument"):
            return "odf-other"
    return "zip"


def _ole_format(data: bytes) -> Optional[str]:
    import olefile
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # noqa: BLE001
        return None
    try:
        streams = {"/".join(s) for s in ole.listdir(streams=True, storages=True)}
    finally:
        ole.close()
    top = {s.split("/")[0] for s in streams}
    if "EncryptionInfo" in top and "EncryptedPackage" in top:
        return "ole-encrypted"
    if any(s.startswith("__substg1.0_") or s.startswith("__properties_version1.0") for s in top):
        return "msg"
    if "WordDocument" in top:
        return "doc"
    if "Workbook" in top or "Book" in top:
        return "xls"
    if "PowerPoint Document" in top:
        return "ppt"
    return None


def _media_format(data: bytes) -> Optional[str]:
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00",
                        b"MM\x00*", b"\x00\x00\x01\x00")):
        return "image"
    if data.startswith(b"BM") and len(data) > 26 and data[6:10] == b"\x00\x00\x00\x00":
        return "image"
    if data.startswith(b"RIFF") and data[8:12] in (b"WEBP",):
        return "image"
    if data.startswith(b"RIFF") and data[8:12] in (b"WAVE", b"AVI "):
        return "audio"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
            return "image"
        return "audio"
    if data.startswith((b"ID3", b"OggS", b"fLaC", b"#!AMR", b"\x1aE\xdf\xa3")) or \
            (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0 and not looks_textual(data[:512])):
        return "audio"
    return None


def sniff(data: bytes, name: str) -> Optional[str]:
    """The format of `data` judged by its content, using the name only to choose among text
    formats (and for text that is email- or HTML-shaped)."""
    ext = ext_of(name)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_format(data)
    if data.startswith(OLE_MAGIC):
        return _ole_format(data)
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    media = _media_format(data)
    if media:
        return media
    if not looks_textual(data):
        return None
    # Some text. A text-family extension is trusted; otherwise judge by the content.
    efmt = ext_format(ext)
    if efmt in TEXT_FAMILY:
        return efmt
    if _looks_email(data):
        return "eml"
    if _looks_html(data):
        return "html"
    return "text"
