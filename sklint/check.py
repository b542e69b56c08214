"""`sklint check`: discover files, run the pipeline, report, and choose the exit status."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional, Sequence

import click

from .config import Config
from .discover import iter_files
from .model import SEVERITY_RANK, FileResult
from .report import FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def exit_code(results: Sequence[FileResult], fail_on: str) -> int:
    if any(r.error for r in results):
        return EXIT_ERROR
    threshold = SEVERITY_RANK[fail_on]
    for r in results:
        if any(SEVERITY_RANK[f.severity] >= threshold for f in r.findings):
            return EXIT_FINDINGS
    return EXIT_OK


def collect(paths: Sequence[str], config: Config) -> tuple[list[Path], list[FileResult]]:
    """The files to check, and FileResults with an error for paths that do not exist."""
    root = Path(config.root) if config.root else None
    missing = [FileResult(path=p, kind="document", error="no such file or folder")
               for p in paths if not Path(p).exists()]
    files = list(iter_files([p for p in paths if Path(p).exists()],
                            config.exclude + config.extend_exclude, root))
    return files, missing


def run_check(paths: Sequence[str], config: Config, fmt: str = "text", output: Optional[str] = None,
              show_matches: bool = False, jobs: int = 1, baseline: Optional[str] = None,
              changed_since: Optional[str] = None, colour: Optional[bool] = None) -> int:
    if fmt not in FORMATS:
        click.echo(f"sklint: unknown format {fmt!r} (choose from {', '.join(FORMATS)})", err=True)
        return EXIT_ERROR
    files, missing = collect(paths, config)
    if changed_since:
        from .gitchanges import changed_files
        try:
            changed = changed_files(changed_since, config)
        except RuntimeError as exc:
            click.echo(f"sklint: {exc}", err=True)
            return EXIT_ERROR
        files = [f for f in files if f.resolve() in changed]
    from .runner import check_files
    results = check_files(files, config, jobs=jobs)
    if baseline:
        from .baseline import filter_baseline
        try:
            results = filter_baseline(results, baseline, config)
        except (OSError, ValueError) as exc:
            click.echo(f"sklint: {baseline}: {exc}", err=True)
            return EXIT_ERROR
    results = missing + results
    if colour is None:
        colour = output is None and sys.stdout.isatty()
    text = FORMATS[fmt](results, show_matches=show_matches, colour=colour)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    return exit_code(results, config.fail_on)
