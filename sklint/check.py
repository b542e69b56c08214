"""`sklint check`: discover files, run the pipeline, report, and choose the exit status."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional, Sequence

import click

from .config import Config, ConfigError
from .discover import collect
from .model import SEVERITY_RANK, FileResult, not_fully_read
from .report import FILE_ONLY, FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def exit_code(results: Sequence[FileResult], fail_on: str) -> int:
    """2 when a file could not be read or was not read in full (a limit stopped it: the check is
    incomplete, whatever it found), else 1 when a finding reaches `fail_on`, else 0."""
    if any(r.error or not_fully_read(r) for r in results):
        return EXIT_ERROR
    threshold = SEVERITY_RANK[fail_on]
    for r in results:
        if any(SEVERITY_RANK[f.severity] >= threshold for f in r.findings):
            return EXIT_FINDINGS
    return EXIT_OK


def on_own_terminal(output: Optional[str]) -> bool:
    """Stdout is a person's terminal: not a file, not a pipe, not a CI job."""
    return output is None and sys.stdout.isatty() and not os.environ.get("CI")


def run_check(paths: Sequence[str], config: Config, fmt: str = "text", output: Optional[str] = None,
              show_matches: Optional[bool] = False, jobs: int = 1, baseline: Optional[str] = None,
              changed_since: Optional[str] = None, colour: Optional[bool] = None,
              configs=None) -> int:
    """Check the paths. `config` finds the files (excludes, root); `configs`, when given, is
    each file's own configuration (config.NearestConfig), else `config` serves every file."""
    if fmt not in FORMATS:
        click.echo(f"sklint: unknown format {fmt!r} (choose from {', '.join(FORMATS)})", err=True)
        return EXIT_ERROR
    if fmt in FILE_ONLY and not output:
        click.echo(f"sklint: --format {fmt} writes a review page (with --show-matches, the documents' "
                   f"text); it is never printed. Give a file: --format {fmt} --output report.{fmt}", err=True)
        return EXIT_ERROR
    files, missing = collect(paths, config)
    if not files and not missing and not changed_since:
        click.echo(f"sklint: no files to check in {', '.join(paths)}: nothing there that sklint reads, "
                   "or everything is excluded by the configuration", err=True)
        return EXIT_ERROR
    if changed_since:
        from .gitchanges import changed_files
        try:
            changed = changed_files(changed_since, config)
        except RuntimeError as exc:
            click.echo(f"sklint: {exc}", err=True)
            return EXIT_ERROR
        files = [f for f in files if f.resolve() in changed]
    from .runner import check_files
    try:
        groups = configs.groups(files) if configs is not None else [(config, files)]
    except ConfigError as exc:
        click.echo(f"sklint: {exc}", err=True)
        return EXIT_ERROR
    done: dict[Path, FileResult] = {}
    for cfg, group in groups:  # each file with its own configuration, reported in the order found
        for f, r in zip(group, _check_with_progress(check_files, group, cfg, jobs)):
            done[f] = r
    results = [done[f] for f in files]
    fail_on_of = {str(f): cfg.fail_on for cfg, group in groups for f in group} if len(groups) > 1 else {}
    if not changed_since and files:
        from .suppress import allowlist_entries
        for cfg, group in groups:
            entries = allowlist_entries(cfg)
            hits = set().union(*(done[f].allowed for f in group))
            unused = [e for e in entries if e not in hits]
            if unused:
                shown = ", ".join(unused[:10]) + (f" and {len(unused) - 10} more" if len(unused) > 10 else "")
                where = f" of {cfg.path}" if cfg.path and len(groups) > 1 else ""
                click.echo(f"sklint: {len(unused)} of {len(entries)} allowlist entries{where} "
                           f"matched nothing in the files checked ({shown}); remove them if they are "
                           "stale", err=True)
    if baseline:
        from .baseline import filter_baseline
        try:
            stats: dict = {}
            results = filter_baseline(results, baseline, config, stats)
            if stats.get("unused") and not changed_since:
                click.echo(f"sklint: {baseline}: {stats['unused']} of {stats['entries']} baseline "
                           "entries matched nothing (fixed, moved or renamed); run `sklint baseline` "
                           "again to drop them", err=True)
        except (OSError, ValueError) as exc:
            click.echo(f"sklint: {baseline}: {exc}", err=True)
            return EXIT_ERROR
    results = missing + results
    if colour is None:
        colour = output is None and sys.stdout.isatty()
    own = fmt == "text" and on_own_terminal(output)
    if show_matches is None:  # shown to the person holding the document, hidden anywhere else
        show_matches = own
    if fmt == "text":
        text = FORMATS[fmt](results, show_matches=show_matches, colour=colour, frames=own)
    else:
        text = FORMATS[fmt](results, show_matches=show_matches, colour=colour)
    if output:
        out = Path(output)
        if fmt in FILE_ONLY:  # the page names the files (and with --show-matches holds their text): owner only
            out.touch(mode=0o600, exist_ok=True)
            try:
                out.chmod(0o600)
            except OSError:
                pass
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if fail_on_of:  # each file's findings against its own configuration's fail-on
        codes = [exit_code([r], fail_on_of.get(str(r.path), config.fail_on)) for r in results]
        return EXIT_ERROR if EXIT_ERROR in codes else max(codes, default=EXIT_OK)
    return exit_code(results, config.fail_on)


def _check_with_progress(check_files, files, config: Config, jobs: int) -> list[FileResult]:
    """Run the checks, with a rich progress bar on stderr when it is a terminal (never in CI logs
    or when output is piped)."""
    if len(files) < 2 or not sys.stderr.isatty():
        return check_files(files, config, jobs=jobs)
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)
    console = Console(stderr=True)
    with Progress(TextColumn("sklint"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console, transient=True) as bar:
        task = bar.add_task("checking", total=len(files))
        return check_files(files, config, jobs=jobs, progress=lambda n: bar.advance(task, n))
