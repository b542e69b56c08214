"""Reporters. FORMATS maps a --format name to render(results, show_matches, colour) -> str.

`html` is written only to a file (`--output`); sklint check refuses it on stdout (FILE_ONLY)."""
from __future__ import annotations

from typing import Callable, Iterable

from ..model import FileResult
from . import github, html, jsonfmt, junit, sarif, text


def _json(results: Iterable[FileResult], show_matches: bool = False, colour: bool = False) -> str:
    return jsonfmt.render(results, show_matches)


FORMATS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": _json,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
    "html": html.render,
}
FILE_ONLY = frozenset({"html"})
