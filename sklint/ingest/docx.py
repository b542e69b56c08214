"""`.docx` with python-docx: body paragraphs and tables in document order (each table cell its own
block, recorded under its column header), then headers and footers, footnotes, endnotes and
comments. Blocks are joined with "\\n" so no string crosses a paragraph or cell boundary.

python-docx parses with lxml and `resolve_entities=False`; on top of that `office.check_zip`
refuses any part that declares a DOCTYPE, so neither entity expansion nor external entities can
happen (tests/test_ingest_hostile.py checks both)."""
from __future__ import annotations

import io
from typing import Iterator, Optional

from lxml import etree

from ._common import Ctx, Doc, TextBuilder, table_cells
from .office import safe_xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
P, TBL, TR, TC, T = (f"{{{W}}}{t}" for t in ("p", "tbl", "tr", "tc", "t"))
SKIP = {f"{{{W}}}{t}" for t in ("delText", "instrText", "rPr", "pPr", "tblPr", "trPr", "tcPr",
                                 "sectPr", "fldData")} | {f"{{{MC}}}Fallback"}
# what a run holds besides its text (w:t), as sklint reads it
RUN_TEXT = {f"{{{W}}}tab": "\t", f"{{{W}}}ptab": "\t", f"{{{W}}}br": "\n", f"{{{W}}}cr": "\n",
            f"{{{W}}}noBreakHyphen": "-", f"{{{W}}}sym": " "}
_SPAN = f"{{{W}}}gridSpan"
_VAL = f"{{{W}}}val"


def run_items(el) -> Iterator[tuple[Optional[str], object]]:
    """What a paragraph holds, in order: (text, its w:t element) for text, (text, None) for a tab,
    a break or another character a run holds (RUN_TEXT), and (None, paragraph) for a paragraph
    inside it (a text box). `sklint check` reads a paragraph through this and `sklint fix` edits
    the w:t elements it yields."""
    stack = [iter(el)]  # depth first, without recursion: a hostile file may nest deeply
    while stack:
        for ch in stack[-1]:
            tag = ch.tag
            if not isinstance(tag, str) or tag in SKIP:
                continue
            if tag == T:
                yield ch.text or "", ch
            elif tag in RUN_TEXT:
                yield RUN_TEXT[tag], None
            elif tag == P:
                yield None, ch
            else:
                stack.append(iter(ch))
                break
        else:
            stack.pop()


def row_cells(tr) -> Iterator[object]:
    """The cells of a table row, including those inside a content control, not those of a table
    nested in a cell."""
    for tc in tr.iter(TC):
        parent = tc.getparent()
        if parent is tr or parent.tag == f"{{{W}}}sdtContent":
            yield tc


def _para_text(p) -> str:
    out: list[str] = []
    for text, el in run_items(p):
        if text is None:  # a paragraph inside a text box: its own line
            out.append("\n")
            out.append(_para_text(el))
        else:
            out.append(text)
    return "".join(out)


def _walk(container, b: TextBuilder) -> None:
    """Paragraphs and tables of a body, header, footer, cell, footnote... in order."""
    for el in container:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if tag == P:
            b.add(_para_text(el))
        elif tag == TBL:
            _table(el, b)
        elif tag in SKIP:
            continue
        else:  # w:sdt, w:sdtContent, w:customXml, w:footnote, w:comment, w:ins, ...
            _walk(el, b)
        if b.truncated:
            return


def _table(tbl, b: TextBuilder) -> None:
    rows: list[list[str]] = []
    nested = []
    for tr in tbl.iterchildren(TR):
        row: list[str] = []
        for tc in row_cells(tr):
            paras = []
            for ch in tc:
                if ch.tag == P:
                    paras.append(_para_text(ch))
                elif ch.tag == TBL:
                    nested.append(ch)
                elif isinstance(ch.tag, str) and ch.tag not in SKIP:
                    sub = TextBuilder(1 << 30)
                    _walk(ch, sub)
                    paras.append(sub.text())
            row.append("\n".join(p for p in paras if p.strip()) if any(p.strip() for p in paras) else "")
            span = tc.find(f"{{{W}}}tcPr/{_SPAN}")
            if span is not None:
                try:
                    extra = min(int(span.get(_VAL, "1")), 64) - 1
                except ValueError:
                    extra = 0
                row.extend([""] * max(extra, 0))
        rows.append(row)
    table_cells(rows, b)
    for t in nested:
        _table(t, b)


def read_docx(data: bytes, name: str, ctx: Ctx, pid: str) -> Doc:
    import docx  # python-docx
    document = docx.Document(io.BytesIO(data))
    b = TextBuilder(ctx.limit("max-part-chars"))
    _walk(document.element.body, b)
    seen = set()
    for section in document.sections:
        for hf in (section.header, section.first_page_header, section.even_page_header,
                   section.footer, section.first_page_footer, section.even_page_footer):
            try:
                if hf.is_linked_to_previous:
                    continue
                el = hf._element
            except Exception:  # noqa: BLE001 - a header python-docx cannot resolve
                continue
            if id(el) in seen:
                continue
            seen.add(id(el))
            _walk(el, b)
    # footnotes, endnotes, comments: parts python-docx does not expose; parse them safely
    for part in document.part.package.parts:
        pname = str(part.partname)
        if pname.rsplit("/", 1)[-1] in ("footnotes.xml", "endnotes.xml", "comments.xml"):
            root = safe_xml(part.blob)
            for note in root:
                if note.get(f"{{{W}}}type") in ("separator", "continuationSeparator",
                                                "continuationNotice"):
                    continue
                _walk(note, b)
    if b.truncated:
        ctx.note(pid, "limit-reached",
                 f"limit-reached: text cut at max-part-chars ({b.max_chars} characters)")
    return b.doc("docx")


__all__ = ["read_docx", "etree", "W", "MC", "P", "TBL", "TR", "TC", "T", "SKIP", "RUN_TEXT", "run_items",
           "row_cells"]
