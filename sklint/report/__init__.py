"""Reporters. FORMATS maps a --format name to render(results, show_matches, colour) -> str."""
from __future__ import annotations

from typing import Callable, Iterable

from ..model import FileResult
from . import jsonfmt, text


def _json(results: Iterable[FileResult], show_matches: bool = False, colour: bool = False) -> str:
    return jsonfmt.render(results, show_matches)


FORMATS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": _json,
}
