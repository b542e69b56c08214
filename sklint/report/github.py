"""GitHub Actions workflow commands: one `::error|warning|notice file=...,line=...::...` annotation
per finding, so findings show on the pull request's changed lines. Lines are given only for text
formats, where they are the file's own lines; other findings annotate the file."""
from __future__ import annotations

from typing import Iterable

from ..model import FileResult
from ._common import display_path, end_column, has_source_lines, summary_line

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def render(results: Iterable[FileResult], show_matches: bool = False, colour: bool = False) -> str:
    lines: list[str] = []
    n_files = n_find = n_err = 0
    for r in results:
        n_files += 1
        path = display_path(r.path)
        if r.error:
            n_err += 1
            lines.append(f"::error file={_prop(path)},title={_prop('sklint: file could not be read')}"
                         f"::{_data(r.error)}")
            continue
        for f in r.findings:
            n_find += 1
            props = [f"file={_prop(path)}"]
            if has_source_lines(r.path, f):
                props.append(f"line={f.line}")
                props.append(f"col={f.column}")
                ec = end_column(f)
                if ec is not None:
                    props.append(f"endColumn={ec}")
            props.append(f"title={_prop(f'{f.code} {f.rule}')}")
            lines.append(f"::{LEVEL.get(f.severity, 'warning')} {','.join(props)}::"
                         f"{_data(summary_line(f, path, show_matches))}")
    lines.append(f"sklint: checked {n_files} file{'s' if n_files != 1 else ''}: "
                 f"{n_find} finding{'s' if n_find != 1 else ''}"
                 + (f", {n_err} could not be read" if n_err else ""))
    return "\n".join(lines) + "\n"
