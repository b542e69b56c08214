"""Pieces the SARIF, GitHub, JUnit and HTML reporters share: never print a match by default."""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Optional

from ..model import Finding
from .redact import redact

# Formats whose extracted text keeps the file's own lines, so line/column point into the file.
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".csv", ".html", ".htm"}
# Where each rule is documented (`sklint rules CODE` prints the same text).
DOCS_URL = "https://github.com/sklint/sklint/blob/main/docs/rules.md"


def rule_url(code: str) -> str:
    return f"{DOCS_URL}#{code.lower()}"


def shown(f: Finding, show_matches: bool) -> str:
    return f.match if show_matches else redact(f.match, f.entity, f.category)


def safe_message(f: Finding, show_matches: bool) -> str:
    """The finding's message, with the match replaced if a detector ever put it in there."""
    msg = f.message or ""
    if not show_matches and f.match and len(f.match.strip()) >= 2 and f.match in msg:
        msg = msg.replace(f.match, redact(f.match, f.entity, f.category))
    return msg


def is_text_format(path: str) -> bool:
    return Path(path).suffix.lower() in TEXT_SUFFIXES


def has_source_lines(path: str, f: Finding) -> bool:
    """Line/column are the source file's own for text formats (the body of .txt/.md/.csv/.html)."""
    return f.line is not None and is_text_format(path) and f.part == "body"


def display_path(path: str) -> str:
    """A relative, forward-slash path where possible (what CI annotations expect)."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            pass
    s = PurePosixPath(*p.parts).as_posix() if p.parts else str(path)
    while s.startswith("./"):
        s = s[2:]
    return s.replace(os.sep, "/")


def summary_line(f: Finding, path: str, show_matches: bool) -> str:
    tail = shown(f, show_matches)
    where = "" if f.part == "body" else f" (in {f.part})"
    quoted = " (in quoted reply)" if f.quoted else ""
    if tail and show_matches:
        tail = f"[{tail}]"
    return f"{safe_message(f, show_matches)}{where}{quoted}" + (f" {tail}" if tail else "")


def end_column(f: Finding) -> Optional[int]:
    if f.column is None or f.start is None or f.end is None or "\n" in (f.match or ""):
        return None
    return f.column + (f.end - f.start)
