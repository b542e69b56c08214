"""Text report, ruff-like: `path:part:line:col: SK104 uk-phone-number message [match]`.

Two rules that fire on the same words are one problem: they are printed as one entry naming both
(`SK201 health, SK303 sensitive-detail-in-email error: ...`). On a person's own terminal
(`frames=True`: stdout a TTY, no CI, matches shown) each entry also shows where a person finds it
in a document ("paragraph 7", "page 3", "sheet 'Referrals', cell B4") and its line with the
flagged words marked, as rustc and ruff print a code frame.
"""
from __future__ import annotations

from typing import Iterable

from ..model import FileResult, Finding, SEVERITY_RANK, not_fully_read
from .redact import redact

_COLOURS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def group(findings: Iterable[Finding]) -> list[list[Finding]]:
    """Findings on the same words of the same part (same start and end) together, in order; the
    most severe first within a group."""
    out: list[list[Finding]] = []
    index: dict[tuple, int] = {}
    for f in findings:
        key = (f.part, f.start, f.end) if f.start is not None else None
        if key is not None and key in index:
            out[index[key]].append(f)
            continue
        if key is not None:
            index[key] = len(out)
        out.append([f])
    for g in out:
        g.sort(key=lambda f: -SEVERITY_RANK[f.severity])
    return out


def _frame_lines(f: Finding, colour: bool) -> list[str]:
    if not f.frame:
        return []
    text, a, b = f.frame
    gutter = str(f.line) if f.line is not None else ""
    pad = " " * len(gutter)
    mark = " " * len(text[:a]) + "^" * max(1, len(text[a:b]))
    if colour:
        mark = _COLOURS.get(f.severity, "") + mark + _RESET
        gutter, pad = _DIM + gutter, _DIM + pad
        bar = " |" + _RESET
    else:
        bar = " |"
    return [f"  {gutter}{bar} {text}", f"  {pad}{bar} {mark}"]


def render(results: Iterable[FileResult], show_matches: bool = False, colour: bool = False,
           frames: bool = False) -> str:
    lines: list[str] = []
    n_files = n_find = n_err = 0
    by_sev = {"error": 0, "warning": 0, "info": 0}
    hidden = False
    for r in results:
        n_files += 1
        if r.error:
            n_err += 1
            lines.append(f"{r.path}: error: {r.error}")
            continue
        for g in group(r.findings):
            f = g[0]
            n_find += 1
            by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
            where = f"{r.path}:{f.part}"
            if f.line is not None:
                where += f":{f.line}:{f.column}"
            shown = f.match if show_matches else redact(f.match, f.entity, f.category)
            hidden = hidden or (bool(shown) and not show_matches)
            codes = ", ".join(dict.fromkeys(f"{x.code} {x.rule}" for x in g))
            message = "; ".join(dict.fromkeys(x.message for x in g))
            if colour:
                where = _BOLD + where + _RESET
                codes = _COLOURS.get(f.severity, "") + codes + _RESET
            tail = (f" [{shown}]" if show_matches else f" {shown}") if shown else ""
            quoted = " (in quoted reply)" if f.quoted else ""
            sugg = next((x.suggestion for x in g if x.suggestion), None)
            sugg = f" -> {sugg}" if sugg and show_matches else ""
            lines.append(f"{where}: {codes} {f.severity}: {message}{quoted}{tail}{sugg}")
            if frames and show_matches:
                if f.where:
                    lines.append(f"  in {f.part if f.part != 'body' else 'the document'}, {f.where}")
                lines.extend(_frame_lines(f, colour))
    summary = (f"Checked {n_files} file{'s' if n_files != 1 else ''}: "
               f"{n_find} finding{'s' if n_find != 1 else ''} "
               f"({by_sev['error']} error, {by_sev['warning']} warning, {by_sev['info']} info)")
    if n_err:
        summary += f", {n_err} file{'s' if n_err != 1 else ''} could not be read"
    n_part = sum(1 for r in results if not r.error and not_fully_read(r))
    if n_part:
        summary += f", {n_part} file{'s' if n_part != 1 else ''} not fully read (see limit-reached)"
    lines.append(summary)
    if hidden:
        lines.append("The flagged words are hidden (this output may be a file, a pipe or a CI log); "
                     "on your own screen add --show-matches to see them.")
    return "\n".join(lines) + "\n"


def worst(results: Iterable[FileResult]) -> int:
    rank = -1
    for r in results:
        for f in r.findings:
            rank = max(rank, SEVERITY_RANK[f.severity])
    return rank
