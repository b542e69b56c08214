"""`.csv`: the decoded file verbatim (line and column match the source), with each cell's
offsets recorded under the header of its column."""
from __future__ import annotations

import re

from ._common import Ctx, Doc, clip, decode_text

MAX_CELLS = 500_000


def _delimiter(text: str) -> str:
    first = text[:65536].split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes, name: str, ctx: Ctx, pid: str, charset: str | None = None) -> Doc:
    text = clip(decode_text(data, charset), ctx, pid)
    delim = _delimiter(text)
    d = re.escape(delim)
    # one field: quoted (with "" escapes, may span lines) or bare up to the delimiter / line end
    field_re = re.compile(rf'[ \t]*"((?:[^"]|"")*)"[ \t]*|([^{d}\r\n]*)')
    blocks: list[tuple[int, int]] = []
    headers: list[tuple[int, int, str]] = []
    header_row: list[str] | None = None
    pos, n = 0, len(text)
    row: list[tuple[int, int, str]] = []
    cells = 0
    while pos <= n:
        m = field_re.match(text, pos)
        if m.group(1) is not None:
            s, e = m.start(1), m.end(1)
            value = m.group(1).replace('""', '"')
        else:
            s, e = m.start(2), m.end(2)
            value = m.group(2)
        row.append((s, e, value))
        pos = m.end()
        if pos < n and text[pos] == delim:
            pos += 1
            continue
        # end of row
        if header_row is None:
            header_row = [v.strip() for _, _, v in row]
            for s2, e2, v in row:
                if e2 > s2:
                    blocks.append((s2, e2))
        else:
            for ci, (s2, e2, v) in enumerate(row):
                if e2 > s2 and cells < MAX_CELLS:
                    cells += 1
                    blocks.append((s2, e2))
                    if ci < len(header_row) and header_row[ci]:
                        headers.append((s2, e2, header_row[ci]))
        row = []
        if pos >= n:
            break
        if text.startswith("\r\n", pos):
            pos += 2
        elif text[pos] in "\r\n":
            pos += 1
        else:  # stray quote or other oddity: skip one character, never loop
            pos += 1
    if cells >= MAX_CELLS:
        ctx.note(pid, "limit-reached",
                 f"limit-reached: column headers recorded for the first {MAX_CELLS} cells only")
    return Doc(text, "text/csv", tuple(blocks), tuple(headers))
