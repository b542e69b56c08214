"""Editable text of a document, independent of its format.

A document is a set of groups (one per part sklint reads: `subject`, `body`, `attachment:NAME`).
A group is a list of segments (paragraphs, table cells, HTML blocks, CSV rows...) joined with
"\\n"; a segment is a list of pieces (a docx `w:t`, an HTML text node, a CSV cell). Some pieces
are read-only (a tab, a delimiter). Replacing a span puts the new text in the first writable piece
it touches and deletes the rest of the span from the other pieces, so runs, nodes and cells keep
their formatting and structure.

Findings index the text of a Part as the ingest produced it. When the group's own text is the
same, offsets map directly; otherwise each finding is placed by searching for its text, scored
by the surrounding context.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional


@dataclass
class Piece:
    text: str
    writable: bool = True
    ref: Any = None  # the format's handle (an lxml element, a cell...)
    edits: list[tuple[int, int, str]] = field(default_factory=list)

    def new_text(self) -> str:
        t = self.text
        for s, e, r in sorted(self.edits, key=lambda x: (x[0], x[1]), reverse=True):
            t = t[:s] + r + t[e:]
        return t

    @property
    def changed(self) -> bool:
        return bool(self.edits) and self.new_text() != self.text


@dataclass
class Segment:
    pieces: list[Piece]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    def new_text(self) -> str:
        return "".join(p.new_text() for p in self.pieces)


class Group:
    """The segments of one part, with offsets into their "\\n"-joined text."""

    def __init__(self, key: str, segments: list[Segment], escape: Optional[Callable[[str, Piece], str]] = None):
        self.key = key
        self.segments = segments
        self.escape = escape  # adapts replacement text to a piece (CSV quoting)
        self._index()
        self.claimed: list[tuple[int, int]] = []

    def _index(self) -> None:
        self.starts: list[int] = []
        self.pieces: list[Piece] = []
        parts: list[str] = []
        pos = 0
        for i, seg in enumerate(self.segments):
            if i:
                parts.append("\n")
                pos += 1
            for p in seg.pieces:
                self.starts.append(pos)
                self.pieces.append(p)
                parts.append(p.text)
                pos += len(p.text)
        self.text = "".join(parts)

    def new_text(self) -> str:
        return "\n".join(s.new_text() for s in self.segments)

    @property
    def changed(self) -> bool:
        return any(p.changed for p in self.pieces)

    # -- placing findings ------------------------------------------------------------------
    def locate(self, part_text: str, start: int, end: int) -> Optional[tuple[int, int]]:
        """Where the span [start, end) of `part_text` is in this group's text."""
        match = part_text[start:end]
        if not match.strip():
            return None
        if part_text == self.text or self.text[start:end] == match and _ctx_equal(part_text, self.text, start, end):
            return start, end
        cands = find_all(self.text, match)
        if not cands:
            return None
        before = _norm(part_text[max(0, start - 60):start])
        after = _norm(part_text[end:end + 60])
        rel = start / max(1, len(part_text))

        def score(c: tuple[int, int]):
            b = _norm(self.text[max(0, c[0] - 80):c[0]])
            a = _norm(self.text[c[1]:c[1] + 80])
            ctx = _common_suffix(b, before) + _common_prefix(a, after)
            free = 0 if self._overlaps(*c) else 1
            return (free, ctx, -abs(c[0] / max(1, len(self.text)) - rel))
        return max(cands, key=score)

    def _overlaps(self, s: int, e: int) -> bool:
        return any(s < ce and cs < e for cs, ce in self.claimed)

    # -- applying ----------------------------------------------------------------------------
    def replace(self, s: int, e: int, repl: str) -> bool:
        """Replace [s, e) of the group text; False when it overlaps an earlier replacement."""
        if e <= s or self._overlaps(s, e):
            return False
        i = max(0, bisect.bisect_right(self.starts, s) - 1)
        touched: list[tuple[Piece, int, int]] = []
        while i < len(self.pieces):
            ps = self.starts[i]
            p = self.pieces[i]
            pe = ps + len(p.text)
            if ps >= e:
                break
            lo, hi = max(s, ps), min(e, pe)
            if lo < hi or (lo == hi == s and not touched and p.writable and len(p.text) == 0):
                touched.append((p, lo - ps, hi - ps))
            i += 1
        writable = [t for t in touched if t[0].writable]
        if not writable:
            return False
        for n, (p, ls, le) in enumerate(writable):
            text = repl if n == 0 else ""
            if text and self.escape is not None:
                text = self.escape(text, p)
            p.edits.append((ls, le, text))
        self.claimed.append((s, e))
        return True


def _ctx_equal(a: str, b: str, s: int, e: int) -> bool:
    return a[max(0, s - 20):e + 20] == b[max(0, s - 20):e + 20]


def _norm(t: str) -> str:
    return " ".join(t.split())


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def flex_pattern(match: str) -> re.Pattern[str]:
    """`match` with any run of whitespace matching any whitespace, word-bounded at word ends."""
    words = match.split()
    body = r"\s+".join(re.escape(w) for w in words)
    if words and re.match(r"\w", words[0]):
        body = r"(?<!\w)" + body
    if words and re.search(r"\w$", words[-1]):
        body = body + r"(?!\w)"
    return re.compile(body)


def find_all(text: str, match: str) -> list[tuple[int, int]]:
    pat = flex_pattern(match)
    out = [(m.start(), m.end()) for m in pat.finditer(text)]
    if not out:
        pat = re.compile(flex_pattern(match).pattern, re.IGNORECASE)
        out = [(m.start(), m.end()) for m in pat.finditer(text)]
    return out


def sweep(group: Group, pairs: list[tuple[str, str]]) -> int:
    """Replace every whole-word occurrence of each known string (longest first). For text no part
    covers (an HTML alternative, a docx field sklint did not read) so it stays consistent."""
    n = 0
    for surface, repl in sorted(pairs, key=lambda x: -len(x[0])):
        if not surface.strip():
            continue
        for m in flex_pattern(surface).finditer(group.text):
            if group.replace(m.start(), m.end(), repl):
                n += 1
    return n


def sweep_string(text: str, pairs: list[tuple[str, str]]) -> str:
    """The same on a lone string (a file name, a document property)."""
    g = Group("", [Segment([Piece(text)])])
    sweep(g, pairs)
    return g.new_text()
