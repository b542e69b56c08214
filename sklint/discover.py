"""Which files to check: paths given, directories walked honouring .gitignore and excludes."""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Iterator, Sequence

from .model import FileResult

SUPPORTED = {
    ".eml", ".msg", ".docx", ".pdf", ".xlsx", ".csv", ".md", ".markdown", ".html", ".htm", ".txt",
    ".pptx", ".odt", ".rtf", ".zip", ".doc", ".xls", ".ppt",
}


class _GitIgnore:
    """One .gitignore file, matched with `pathspec`'s GitIgnoreSpec (git's own rules: globs,
    `**`, negation, directory-only and anchored patterns). `ignored` is None when no pattern of
    this file speaks for the path, so a deeper file's patterns can override a shallower one's."""

    def __init__(self, base: Path, lines: Sequence[str]):
        import pathspec
        self.base = base.resolve()
        self.spec = pathspec.GitIgnoreSpec.from_lines(lines)

    def ignored(self, path: Path, is_dir: bool) -> bool | None:
        try:
            rel = path.resolve().relative_to(self.base).as_posix()
        except ValueError:
            return None
        return self.spec.check_file(rel + "/" if is_dir else rel).include


def is_excluded(path: Path, patterns: Sequence[str], root: Path | None = None) -> bool:
    name = path.name
    rel = path.as_posix()
    if root is not None:
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    for pat in patterns:
        if fnmatch.fnmatch(name, pat) or fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, pat.rstrip("/") + "/*"):
            return True
    return False


def iter_files(paths: Sequence[str], exclude: Sequence[str], root: Path | None = None,
               force: bool = False) -> Iterator[Path]:
    """Files named on the command line are always checked (unless excluded and not `force`);
    folders are walked, honouring .gitignore files and the exclude patterns, in sorted order."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            yield from _walk(path, exclude, root)
        else:
            yield path


def _walk(top: Path, exclude: Sequence[str], root: Path | None) -> Iterator[Path]:
    stack: list[tuple[Path, list[_GitIgnore]]] = [(top, _parent_ignores(top))]
    while stack:
        folder, ignores = stack.pop()
        gi = folder / ".gitignore"
        if gi.is_file():
            try:
                ignores = ignores + [_GitIgnore(folder, gi.read_text(encoding="utf-8", errors="replace").splitlines())]
            except OSError:
                pass
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for e in entries:
            p = Path(e.path)
            is_dir = e.is_dir(follow_symlinks=False)
            if e.is_symlink():
                continue
            if is_excluded(p, exclude, root) or _ignored(ignores, p, is_dir):
                continue
            if is_dir:
                subdirs.append(p)
            elif p.suffix.lower() in SUPPORTED:
                yield p
        for d in reversed(subdirs):
            stack.append((d, ignores))


def _ignored(ignores: list[_GitIgnore], p: Path, is_dir: bool) -> bool:
    verdict = False
    for gi in ignores:
        v = gi.ignored(p, is_dir)
        if v is not None:
            verdict = v
    return verdict


def _parent_ignores(top: Path) -> list[_GitIgnore]:
    """The .gitignore files above `top`, up to the repository root."""
    top = top.resolve()
    chain = []
    for d in top.parents:
        gi = d / ".gitignore"
        if gi.is_file():
            try:
                chain.append(_GitIgnore(d, gi.read_text(encoding="utf-8", errors="replace").splitlines()))
            except OSError:
                pass
        if (d / ".git").exists():
            break
    return list(reversed(chain))


def collect(paths: Sequence[str], config) -> tuple[list[Path], list[FileResult]]:
    """The files to check, and FileResults with an error for paths that do not exist."""
    root = Path(config.root) if config.root else None
    missing = [FileResult(path=p, kind="document", error="no such file or folder")
               for p in paths if not Path(p).exists()]
    files = list(iter_files([p for p in paths if Path(p).exists()],
                            config.exclude + config.extend_exclude, root))
    return files, missing
