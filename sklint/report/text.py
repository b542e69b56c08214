"""Text report, ruff-like: `path:part:line:col: SK104 uk-phone-number message [match]`."""
from __future__ import annotations

from typing import Iterable

from ..model import FileResult, SEVERITY_RANK, not_fully_read
from .redact import redact

_COLOURS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


def render(results: Iterable[FileResult], show_matches: bool = False, colour: bool = False) -> str:
    lines: list[str] = []
    n_files = n_find = n_err = 0
    by_sev = {"error": 0, "warning": 0, "info": 0}
    for r in results:
        n_files += 1
        if r.error:
            n_err += 1
            lines.append(f"{r.path}: error: {r.error}")
            continue
        for f in r.findings:
            n_find += 1
            by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
            where = f"{r.path}:{f.part}"
            if f.line is not None:
                where += f":{f.line}:{f.column}"
            shown = f.match if show_matches else redact(f.match, f.entity, f.category)
            code = f.code
            if colour:
                where = _BOLD + where + _RESET
                code = _COLOURS.get(f.severity, "") + code + _RESET
            tail = (f" [{shown}]" if show_matches else f" {shown}") if shown else ""
            quoted = " (in quoted reply)" if f.quoted else ""
            sugg = f" -> {f.suggestion}" if f.suggestion and show_matches else ""
            lines.append(f"{where}: {code} {f.rule} {f.severity}: {f.message}{quoted}{tail}{sugg}")
    summary = (f"Checked {n_files} file{'s' if n_files != 1 else ''}: "
               f"{n_find} finding{'s' if n_find != 1 else ''} "
               f"({by_sev['error']} error, {by_sev['warning']} warning, {by_sev['info']} info)")
    if n_err:
        summary += f", {n_err} file{'s' if n_err != 1 else ''} could not be read"
    n_part = sum(1 for r in results if not r.error and not_fully_read(r))
    if n_part:
        summary += f", {n_part} file{'s' if n_part != 1 else ''} not fully read (see limit-reached)"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def worst(results: Iterable[FileResult]) -> int:
    rank = -1
    for r in results:
        for f in r.findings:
            rank = max(rank, SEVERITY_RANK[f.severity])
    return rank
