"""`sklint baseline PATH... -o .sklint-baseline.json` records the fingerprints of today's findings;
`sklint check --baseline FILE` then reports only findings that are not in it.

The file holds keyed hashes only (see sklint/fingerprint.py): no paths, no matched text, no line
numbers. It is safe to commit; without SKLINT_BASELINE_KEY it reveals nothing and matches nothing.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional, Sequence

import click

from . import __version__
from .fingerprint import KEY_ENV, MissingKeyError, finding_fingerprint, key_id, require_key
from .model import FileResult

FORMAT = "sklint-baseline"
FORMAT_VERSION = 1


def fingerprints_of(results: Sequence[FileResult], key: bytes, root: Optional[str]) -> list[str]:
    fps = set()
    for r in results:
        if r.error:
            continue
        for f in r.findings:
            if f.severity == "info":
                continue  # info notes never fail a build; nothing to accept
            fps.add(finding_fingerprint(key, f, r.path, root))
    return sorted(fps)


def baseline_document(fps: Sequence[str], key: bytes) -> dict:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "sklint_version": __version__,
        "algorithm": "hmac-sha256(path-relative-to-repository, rule-code, normalised-value)",
        "key_id": key_id(key),
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "fingerprints": list(fps),
    }


def read_baseline(path: str | Path, key: bytes) -> set[str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a sklint baseline (invalid JSON: {exc.msg})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a sklint baseline (make one with `sklint baseline PATH... -o FILE`)")
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"baseline version {data.get('version')!r} is not supported "
                         f"(this sklint reads version {FORMAT_VERSION})")
    fps = data.get("fingerprints")
    if not isinstance(fps, list) or not all(isinstance(x, str) for x in fps):
        raise ValueError("baseline 'fingerprints' must be a list of strings")
    if data.get("key_id") and data["key_id"] != key_id(key):
        raise ValueError(f"this baseline was made with a different {KEY_ENV}; use the same secret "
                         f"as when it was made, or make a new baseline")
    return set(fps)


def filter_baseline(results: Sequence[FileResult], baseline_path: str, config,
                    stats: Optional[dict] = None) -> list[FileResult]:
    """The results without the findings whose fingerprints are in the baseline. Raises
    ValueError (shown by `sklint check` with exit status 2) when the key is missing, the file
    is not a baseline or was made with another key."""
    try:
        key = require_key()
    except MissingKeyError as exc:
        raise ValueError(f"--baseline needs the key it was made with: {exc}") from None
    known = read_baseline(baseline_path, key)
    used: set = set()
    out = []
    for r in results:
        if r.error or not r.findings:
            out.append(r)
            continue
        kept = []
        for f in r.findings:
            if f.severity != "info":
                fp = finding_fingerprint(key, f, r.path, config.root)
                if fp in known:
                    used.add(fp)
                    continue
            kept.append(f)
        out.append(FileResult(r.path, r.kind, r.error, tuple(kept), r.message))
    if stats is not None:
        stats["entries"] = len(known)
        stats["unused"] = len(set(known) - used)
    return out


@click.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output", "-o", default=".sklint-baseline.json", show_default=True,
              type=click.Path(dir_okay=False), help="Where to write the baseline.")
@click.option("--config", "config_path", type=click.Path(), help="Use this config file.")
@click.option("--jobs", "-j", type=int, default=1, show_default=True,
              help="Worker processes (0 = one per core).")
def baseline(paths, output, config_path, jobs):
    """Record today's findings so that `sklint check --baseline FILE` reports only new ones.

    Needs SKLINT_BASELINE_KEY (a secret; the file stores keyed hashes only).
    """
    from .discover import collect
    from .config import ConfigError, load_for
    from .runner import check_files
    try:
        key = require_key()
    except MissingKeyError as exc:
        click.echo(f"sklint baseline: refusing to write a baseline: {exc}", err=True)
        sys.exit(2)
    if not paths:
        paths = (".",)
    try:
        config = load_for(config_path, paths)
    except ConfigError as exc:
        click.echo(f"sklint baseline: {exc}", err=True)
        sys.exit(2)
    files, missing = collect(paths, config)
    if missing:
        for m in missing:
            click.echo(f"sklint baseline: {m.path}: {m.error}", err=True)
        sys.exit(2)
    from .config import nearest
    done = {}
    for cfg, group in nearest(config_path).groups(files):  # each file with its own config
        done.update(zip(group, check_files(group, cfg, jobs=jobs)))
    results = [done[f] for f in files]
    unread = [r for r in results if r.error]
    for r in unread:
        click.echo(f"sklint baseline: {r.path}: error: {r.error}", err=True)
    fps = fingerprints_of(results, key, config.root)
    Path(output).write_text(json.dumps(baseline_document(fps, key), indent=2) + "\n",
                            encoding="utf-8")
    click.echo(f"sklint baseline: wrote {len(fps)} fingerprint{'s' if len(fps) != 1 else ''} "
               f"from {len(results)} file{'s' if len(results) != 1 else ''} to {output}", err=True)
    sys.exit(2 if unread else 0)
