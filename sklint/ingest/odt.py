"""`.odt` with odfpy: paragraphs and headings in order, tables cell by cell under their column
header. (office.check_zip has already refused DOCTYPE declarations and zip bombs.)"""
from __future__ import annotations

import io

from ._common import Ctx, Doc, TextBuilder, table_cells

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _text(el) -> str:
    out: list[str] = []

    def rec(node) -> None:
        for ch in node.childNodes:
            if ch.nodeType == ch.TEXT_NODE:
                out.append(str(ch.data))
            elif ch.nodeType == ch.ELEMENT_NODE:
                q = ch.qname
                if q == (TEXT_NS, "s"):
                    try:
                        n = int(ch.getAttribute("c") or 1)
                    except (ValueError, TypeError):
                        n = 1
                    out.append(" " * min(n, 1000))
                elif q == (TEXT_NS, "tab"):
                    out.append("\t")
                elif q == (TEXT_NS, "line-break"):
                    out.append("\n")
                elif q in ((TEXT_NS, "note"),):
                    rec(ch)
                else:
                    rec(ch)

    rec(el)
    return "".join(out)


def _walk(node, b: TextBuilder) -> None:
    for ch in node.childNodes:
        if ch.nodeType != ch.ELEMENT_NODE:
            continue
        q = ch.qname
        if q in ((TEXT_NS, "p"), (TEXT_NS, "h")):
            b.add(_text(ch))
        elif q == (TABLE_NS, "table"):
            rows = []
            for r in ch.getElementsByType(_row_type()):
                row = []
                for c in r.childNodes:
                    if c.nodeType == c.ELEMENT_NODE and c.qname == (TABLE_NS, "table-cell"):
                        row.append("\n".join(_text(p) for p in c.childNodes
                                             if p.nodeType == p.ELEMENT_NODE))
                rows.append(row)
            table_cells(rows, b)
        else:
            _walk(ch, b)
        if b.truncated:
            return


def _row_type():
    from odf.table import TableRow
    return TableRow


def read_odt(data: bytes, name: str, ctx: Ctx, pid: str) -> Doc:
    from odf.opendocument import load
    doc = load(io.BytesIO(data))
    b = TextBuilder(ctx.limit("max-part-chars"))
    _walk(doc.text, b)
    if b.truncated:
        ctx.note(pid, "limit-reached", f"limit-reached: text cut at max-part-chars ({b.max_chars} characters)")
    return b.doc("odt")
