"""`.csv`: the decoded file verbatim (line and column match the source), with each cell's
offsets recorded under the header of its column."""
from __future__ import annotations

import re
from typing import Iterator

from ._common import Ctx, Doc, clip, decode_text

MAX_CELLS = 500_000


def delimiter(text: str) -> str:
    """The delimiter of a CSV text: the commonest of , ; tab | in its first line (else a comma)."""
    first = text[:65536].split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def fields(text: str, delim: str) -> Iterator[tuple[re.Match, str]]:
    """Every field of a CSV text in order, as (match, the separator after it). A field is quoted
    (groups 1-3: the opening quote with the spaces before it, the value with its "" escapes (it
    may span lines), the closing quote with the spaces after it) or bare (group 4, up to the
    delimiter or a line end). The separator is the delimiter, a line end, a stray character
    (passed over, never looped on) or "" at the end of the text; any but the delimiter ends a
    row. `sklint check` reads CSV through this and `sklint fix` rewrites it through it, so both
    see the same cells."""
    d = re.escape(delim)
    rx = re.compile(rf'([ \t]*")((?:[^"]|"")*)("[ \t]*)|([^{d}\r\n]*)')
    pos, n = 0, len(text)
    while pos <= n:
        m = rx.match(text, pos)
        pos = m.end()
        if pos >= n:
            yield m, ""
            return
        sep = delim if text[pos] == delim else "\r\n" if text.startswith("\r\n", pos) else text[pos]
        yield m, sep
        pos += len(sep)


def read_csv(data: bytes, name: str, ctx: Ctx, pid: str, charset: str | None = None) -> Doc:
    text = clip(decode_text(data, charset), ctx, pid)
    delim = delimiter(text)
    blocks: list[tuple[int, int]] = []
    headers: list[tuple[int, int, str]] = []
    header_row: list[str] | None = None
    row: list[tuple[int, int, str]] = []
    cells = 0
    for m, sep in fields(text, delim):
        g = 2 if m.group(2) is not None else 4
        value = m.group(2).replace('""', '"') if g == 2 else m.group(4)
        row.append((m.start(g), m.end(g), value))
        if sep == delim:
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
    if cells >= MAX_CELLS:
        ctx.note(pid, "limit-reached",
                 f"limit-reached: column headers recorded for the first {MAX_CELLS} cells only")
    return Doc(text, "text/csv", tuple(blocks), tuple(headers))
