"""`.html` (and HTML email bodies): the visible text content. Scripts, styles and comments are
dropped, character references decoded, block elements become line breaks; the whitespace of the
text itself is kept as it is in the source. `anchors` map text offsets back to source line and
column so a finding points at the right line of the file."""
from __future__ import annotations

import html as _html
import re
from html.parser import HTMLParser

from ._common import Ctx, Doc, clip, decode_text

BLOCK = {
    "address", "article", "aside", "blockquote", "br", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
    "thead", "tfoot", "tr", "td", "th", "ul", "title", "caption", "option", "legend", "label",
    "button", "textarea", "select", "body", "html", "head", "center", "menu",
}
HIDDEN = {"script", "style", "template", "noscript", "svg", "math", "object", "iframe"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}


class _Extractor(HTMLParser):
    def __init__(self, max_chars: int):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.size = 0
        self.anchors: list[tuple[int, int, int]] = []
        self.blocks: list[tuple[int, int]] = []
        self.quoted: list[tuple[int, int]] = []
        self.hidden = 0
        self.hidden_tag: list[str] = []
        self.bq_starts: list[int] = []
        self.block_start = 0
        self.max_chars = max_chars
        self.truncated = False
        self.last = "\n"
        self.table_cells: list[tuple[int, int, int, int]] = []  # (table, row, col, start, end)
        self.tables: list[dict] = []
        self.headers: list[tuple[int, int, str]] = []

    # -- output ------------------------------------------------------------------------------
    def _emit(self, text: str, anchor: bool = True) -> None:
        if not text or self.truncated:
            return
        room = self.max_chars - self.size
        if len(text) > room:
            text = text[:room]
            self.truncated = True
        if anchor:
            line, col = self.getpos()
            self.anchors.append((self.size, line, col + 1))
        self.out.append(text)
        self.size += len(text)
        self.last = text[-1]

    def _break(self) -> None:
        if self.size > self.block_start:
            self.blocks.append((self.block_start, self.size))
        if self.last != "\n" and self.size:
            self._emit("\n", anchor=False)
        self.block_start = self.size

    # -- parser callbacks -----------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        if self.hidden:
            if tag == self.hidden_tag[-1] and tag not in VOID:
                self.hidden += 1
                self.hidden_tag.append(tag)
            return
        if tag in HIDDEN:
            self.hidden = 1
            self.hidden_tag = [tag]
            return
        if tag in BLOCK:
            self._break()
        if tag == "blockquote":
            self.bq_starts.append(self.size)
        if tag == "table":
            self.tables.append({"row": -1, "col": 0, "head": {}})
        elif tag == "tr" and self.tables:
            t = self.tables[-1]
            t["row"] += 1
            t["col"] = 0
        elif tag in ("td", "th") and self.tables:
            t = self.tables[-1]
            t["cell"] = (self.size, len(self.out), t["row"], t["col"])
            span = 1
            for k, v in attrs:
                if k == "colspan" and v and v.isdigit():
                    span = max(1, min(int(v), 1000))
            t["col"] += span

    def handle_startendtag(self, tag, attrs):
        if self.hidden:
            return
        if tag in BLOCK:
            self._break()

    def handle_endtag(self, tag):
        if self.hidden:
            if tag == self.hidden_tag[-1]:
                self.hidden -= 1
                self.hidden_tag.pop()
                if not self.hidden:
                    self.hidden_tag = []
            return
        if tag in ("td", "th") and self.tables and "cell" in self.tables[-1]:
            t = self.tables[-1]
            start, idx, row, col = t.pop("cell")
            cell = "".join(self.out[idx:]) if self.size - start < 10000 else ""
            text = cell.strip()
            if row == 0:
                t["head"][col] = text
            elif text and t["head"].get(col):
                lead = len(cell) - len(cell.lstrip())
                s = start + lead
                self.headers.append((s, s + len(text), t["head"][col]))
        if tag == "table" and self.tables:
            self.tables.pop()
        if tag == "blockquote" and self.bq_starts:
            self.quoted.append((self.bq_starts.pop(), self.size))
        if tag in BLOCK:
            self._break()

    def handle_data(self, data):
        if not self.hidden and not (self.last == "\n" and not data.strip()):
            self._emit(data.replace("\x00", " "))

    def handle_entityref(self, name):
        if not self.hidden:
            text = _html.unescape(f"&{name};")
            if text == f"&{name};":
                text = _html.unescape(f"&{name}")
            self._emit(text)

    def handle_charref(self, name):
        if not self.hidden:
            self._emit(_html.unescape(f"&#{name};"))

    def unknown_decl(self, data):
        if data.upper().startswith("CDATA[") and not self.hidden:
            self._emit(data[6:])


def html_to_doc(source: str, max_chars: int) -> tuple[Doc, bool]:
    """Visible text of an HTML string; returns (doc, truncated)."""
    p = _Extractor(max_chars)
    # Feed in slices so a huge page never builds one enormous regex match.
    step = 1 << 20
    for i in range(0, len(source), step):
        p.feed(source[i:i + step])
        if p.truncated:
            break
    p.close()
    p._break()
    text = "".join(p.out)
    return Doc(text, "text/html", tuple(p.blocks), tuple(p.headers), tuple(p.anchors),
               tuple(sorted(p.quoted))), p.truncated


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a <meta> tag in its first 4 KB (check and fix both read it)."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


def read_html(data: bytes, name: str, ctx: Ctx, pid: str, charset: str | None = None,
              keep_anchors: bool = True) -> Doc:
    source = decode_text(data, charset or declared_charset(data))
    limit = ctx.limit("max-part-chars")
    doc, truncated = html_to_doc(source, limit)
    if truncated:
        ctx.note(pid, "limit-reached", f"limit-reached: text cut at max-part-chars ({limit} characters)")
    if not keep_anchors:
        doc.anchors = ()
    doc.markup = source
    return doc


def html_text(source: str, ctx: Ctx, pid: str) -> Doc:
    limit = ctx.limit("max-part-chars")
    doc, truncated = html_to_doc(source, limit)
    if truncated:
        ctx.note(pid, "limit-reached", f"limit-reached: text cut at max-part-chars ({limit} characters)")
    doc.anchors = ()
    return doc


__all__ = ["read_html", "html_text", "html_to_doc", "clip", "declared_charset", "BLOCK", "HIDDEN"]
