"""Where a person finds a finding in the file they are holding (issue 17).

`line:col` means something in a text file; in a Word document, a PDF or a spreadsheet a person
needs "paragraph 12", "page 3" or "sheet 'Referrals', cell B4", and the words around the match to
search for. `describe(part, finding)` adds both to a finding at the pipeline stage that gives it
its line and column. Only the text report, on a person's own terminal (or with --show-matches),
prints them; no machine format writes them.
"""
from __future__ import annotations

import bisect
from typing import Optional

from .model import Finding, Part

FRAME_CHARS = 160  # the most of a line shown around a finding
_SEP = " | "  # spreadsheet cells on a row (ingest/xlsx.py)


def _column_letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def place(part: Part, start: int) -> Optional[str]:
    """A place in the document's own terms, or None where line and column say it (text, email)."""
    media = part.media
    if media == "pdf":
        return f"page {bisect.bisect_left(_page_breaks(part), start) + 1}"
    if media == "xlsx" and part.places:
        i = bisect.bisect_right(part.places, (start, "\uffff", 1 << 30)) - 1
        if i >= 0:
            row_at, sheet, row = part.places[i]
            col = part.text.count(_SEP, row_at, start)
            return f"sheet '{sheet}', cell {_column_letters(col)}{row}"
        return None
    if media in ("docx", "odt", "rtf", "pptx"):
        cells = part.table_headers  # in text order; a cell's first entry is its column's header
        i = bisect.bisect_right(cells, (start, 1 << 62, "")) - 1  # the last cell starting here or before
        if i >= 0:
            while i > 0 and cells[i - 1][0] == cells[i][0]:
                i -= 1  # that cell's first entry: its column's header
            if start < cells[i][1]:
                return f"table, column '{cells[i][2]}'"
        line = part.line_col(start)[0]  # one paragraph or cell a line (a cached index: a bisect)
        return f"{'slide text' if media == 'pptx' else 'paragraph'} {line}"
    return None


def _page_breaks(part: Part) -> list[int]:
    """Offsets of the form feeds between a PDF's pages, found once per part."""
    got = getattr(part, "_page_breaks", None)
    if got is None:
        text, got, i = part.text, [], part.text.find("\f")
        while i >= 0:
            got.append(i)
            i = text.find("\f", i + 1)
        object.__setattr__(part, "_page_breaks", got)
    return got


def frame(part: Part, start: int, end: int) -> tuple[str, int, int]:
    """The line holding [start, end), at most FRAME_CHARS of it around the match, and where the
    match sits in that text."""
    text = part.text
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", start)
    le = len(text) if le < 0 else le
    end = min(end, le)
    if le - ls > FRAME_CHARS:
        room = max(0, FRAME_CHARS - (end - start))
        ls2 = max(ls, start - room // 2)
        le = min(le, max(end, ls2 + FRAME_CHARS))
        ls = ls2
    return text[ls:le].replace("\t", " ").replace("\f", " "), start - ls, end - ls


def describe(part: Part, f: Finding) -> Finding:
    if f.start is None or f.end is None:
        return f
    return f.with_(where=place(part, f.start), frame=frame(part, f.start, f.end))
