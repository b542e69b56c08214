"""Shared pieces of the format readers: limits, the reading context, text decoding, and a
builder that joins blocks of text while recording block and table-header offsets."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Optional

from ..model import Note


class IngestError(Exception):
    """A file that could not be read at all; str() is the one-line reason."""


# Defaults sit well above real charity documents (a 20 MB text file, an 8 MB single line and a
# 300-page PDF are all read whole) and well below what would exhaust memory.
DEFAULT_LIMITS = {
    "max-file-bytes": 200 * 1024 * 1024,      # one input file (top level)
    "max-archive-members": 10_000,            # members of one zip / parts of one email
    "max-archive-bytes": 400 * 1024 * 1024,   # total bytes unpacked across one input file
    "max-nesting-depth": 20,                  # zip-in-zip, email-in-email, MIME multipart levels
    "max-part-chars": 64 * 1024 * 1024,       # characters of text kept for one part
    "max-pdf-pages": 5_000,                   # pages read from one PDF
    "max-ratio": 250,                         # unpacked/packed size of one zip member (> 1 MB)
    # seconds of reading and detection for one file (one request in the service's [serve]
    # check-seconds): a long text, read a window of 250,000 characters at a time, stops at the
    # first window after it (about 5 MB of text at 80,000 characters a second on one core)
    "max-check-seconds": 60,
}
RATIO_FLOOR = 1024 * 1024  # members smaller than this are never refused for their ratio


@dataclass
class Doc:
    """The text of one non-container document, before it becomes a Part."""
    text: str
    media: str
    blocks: tuple[tuple[int, int], ...] = ()
    table_headers: tuple[tuple[int, int, str], ...] = ()
    anchors: tuple[tuple[int, int, int], ...] = ()
    quoted: tuple[tuple[int, int], ...] = ()
    places: tuple[tuple[int, str, int], ...] = ()  # (offset, sheet, row): where a spreadsheet row starts
    markup: Optional[str] = None  # the decoded source the text was extracted from (HTML)


@dataclass
class Ctx:
    """State of one read_bytes call: limits, notes, the unpacked-bytes budget, used part ids."""
    config: object
    notes: list[Note] = field(default_factory=list)
    unpacked: int = 0
    used_ids: set[str] = field(default_factory=set)

    def limit(self, key: str) -> int:
        default = DEFAULT_LIMITS[key]
        cfg = self.config
        if cfg is None or not hasattr(cfg, "limit"):
            return default
        try:
            value = cfg.limit(key, default)
        except Exception:  # noqa: BLE001 - a malformed config must not break reading
            return default
        return value if isinstance(value, int) and value > 0 else default

    def note(self, part: str, code: str, message: str) -> None:
        n = Note(part, code, message)
        if n not in self.notes:
            self.notes.append(n)

    def unique_id(self, pid: str) -> str:
        if pid not in self.used_ids:
            self.used_ids.add(pid)
            return pid
        i = 2
        while f"{pid}#{i}" in self.used_ids:
            i += 1
        self.used_ids.add(f"{pid}#{i}")
        return f"{pid}#{i}"

    def spend(self, nbytes: int, part: str) -> bool:
        """Charge unpacked bytes to the budget; False (and a note) when it would be exceeded."""
        limit = self.limit("max-archive-bytes")
        if self.unpacked + nbytes > limit:
            self.note(part, "limit-reached",
                      f"limit-reached: unpacked size would exceed max-archive-bytes ({limit} bytes); not inspected")
            return False
        self.unpacked += nbytes
        return True


def short_reason(exc: BaseException) -> str:
    """One line naming the exception class, never a traceback."""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(msg) > 160:
        msg = msg[:157] + "..."
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


# -- text decoding --------------------------------------------------------------------------

def _cp1252_fallback(exc: UnicodeError):
    """Error handler: bytes that are not UTF-8 are read as cp1252; the five bytes cp1252 leaves
    undefined map to the code point of the same number, so nothing is lost."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    out = []
    for b in bad:
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out), exc.end


codecs.register_error("sklint-cp1252", _cp1252_fallback)

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def detect_encoding(data: bytes) -> tuple[Optional[str], int]:
    """(encoding, BOM length) from a BOM or a UTF-16 NUL pattern; (None, 0) for 8-bit text."""
    for bom, enc in BOMS:
        if data.startswith(bom):
            if enc == "utf-32-le" and len(data) % 4:  # FF FE 00 00 may be UTF-16 LE + NUL
                continue
            return enc, len(bom)
    sample = data[:4096]
    if len(sample) >= 4:
        even = sample[0::2]
        odd = sample[1::2]
        n = len(odd)
        if odd.count(0) > 0.6 * n and even.count(0) < 0.1 * n:
            return "utf-16-le", 0
        if even.count(0) > 0.6 * n and odd.count(0) < 0.1 * n:
            return "utf-16-be", 0
    return None, 0


def decode_text(data: bytes, declared: Optional[str] = None) -> str:
    """Decode text bytes: BOM / UTF-16 first, then a declared charset, then UTF-8 with cp1252 for
    the bytes that are not UTF-8. The BOM itself is dropped."""
    enc, skip = detect_encoding(data)
    if enc:
        return data[skip:].decode(enc, errors="replace")
    if declared:
        try:
            codec = codecs.lookup(declared).name
        except (LookupError, ValueError):  # unknown, or not a name at all (a NUL in it)
            codec = None
        if codec and codec not in ("utf-8", "ascii", "us-ascii"):
            try:
                return data.decode(codec)
            except (ValueError, LookupError):  # UnicodeError is a ValueError
                pass
    return data.decode("utf-8", errors="sklint-cp1252")


_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def looks_textual(data: bytes) -> bool:
    """True when the bytes read as text (not binary junk)."""
    if not data:
        return False
    enc, skip = detect_encoding(data)
    if enc:
        try:
            text = data[skip:skip + 65536].decode(enc, errors="strict") if len(data) <= skip + 65536 \
                else data[skip:skip + 65536 - (65536 % 4)].decode(enc, errors="ignore")
        except UnicodeDecodeError:
            return False
        bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v\x1b")
        return bad <= max(2, len(text) // 100)
    sample = data[:65536]
    bad = len(_CONTROL.findall(sample))
    if bad > max(2, len(sample) // 100):
        return False
    # Mostly-invalid UTF-8 with many high bytes and few letters is likely binary.
    text = sample.decode("utf-8", errors="replace")
    if text.count("\ufffd") > len(sample) // 4 and len(sample) > 64:
        printable = sum(1 for b in sample if 32 <= b < 127 or b in (9, 10, 13))
        return printable > 0.7 * len(sample)
    return True


# -- building text from blocks ----------------------------------------------------------------

class TextBuilder:
    """Joins blocks with a separator and records (start, end) of each block and the column
    header of each table cell. No block ever runs into the next."""

    def __init__(self, max_chars: int, sep: str = "\n"):
        self.chunks: list[str] = []
        self.size = 0
        self.blocks: list[tuple[int, int]] = []
        self.headers: list[tuple[int, int, str]] = []
        self.places: list[tuple[int, str, int]] = []
        self.max_chars = max_chars
        self.sep = sep
        self.truncated = False

    def add(self, text: str, header: Optional[str] = None, extra_headers: tuple[str, ...] = (),
            sep: Optional[str] = None) -> Optional[tuple[int, int]]:
        if self.truncated:
            return None
        text = text.replace("\x00", "")
        if self.chunks:
            s = self.sep if sep is None else sep
            self.chunks.append(s)
            self.size += len(s)
        room = self.max_chars - self.size
        if len(text) > room:
            text = text[:max(room, 0)]
            self.truncated = True
        start = self.size
        self.chunks.append(text)
        self.size += len(text)
        end = self.size
        if text:
            self.blocks.append((start, end))
            for h in ((header,) if header else ()) + tuple(extra_headers):
                if h:
                    self.headers.append((start, end, h))
        return start, end

    def text(self) -> str:
        return "".join(self.chunks)

    def doc(self, media: str) -> Doc:
        return Doc(self.text(), media, tuple(self.blocks), tuple(self.headers), places=tuple(self.places))


def clip(text: str, ctx: Ctx, pid: str) -> str:
    """Cut a part's text to max-part-chars, with a note when that happens."""
    limit = ctx.limit("max-part-chars")
    if len(text) > limit:
        ctx.note(pid, "limit-reached",
                 f"limit-reached: text cut at max-part-chars ({limit} characters) of {len(text)}")
        return text[:limit]
    return text


def table_cells(rows: list[list[str]], builder: TextBuilder) -> None:
    """Add a table to the builder: one block per non-empty cell, each cell under the header of
    its column (first row), and, for two-column label/value tables, under its row label."""
    if not rows:
        return
    header = [c.strip() for c in rows[0]]
    two_col = max(len(r) for r in rows) == 2
    for ri, row in enumerate(rows):
        for ci, cell in enumerate(row):
            if not cell.strip():
                continue
            col_head = header[ci] if ri > 0 and ci < len(header) else None
            extra: tuple[str, ...] = ()
            if two_col and ci == 1 and row[0].strip():
                extra = (row[0].strip(),)
            builder.add(cell, col_head, extra)
