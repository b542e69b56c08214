"""`--changed-since REV`: the files changed in git since a revision.

Changed means: differs between REV and the working tree (committed, staged or not yet staged,
renamed or added), or is new and not ignored (untracked). Deleted files are not listed. A range
`A...B` or `A..B` is passed to `git diff` as it is (committed changes only).
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

GIT_TIMEOUT = 120


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("git")
    if exe is None:
        raise RuntimeError("--changed-since needs git, and git is not installed or not on PATH")
    try:
        return subprocess.run([exe, *args], cwd=str(cwd), capture_output=True, timeout=GIT_TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"git {' '.join(args[:2])} took longer than {GIT_TIMEOUT}s") from None
    except OSError as exc:
        raise RuntimeError(f"cannot run git: {exc.strerror}") from None


def _first_line(b: bytes) -> str:
    text = b.decode("utf-8", "replace").strip().splitlines()
    return text[0] if text else ""


def changed_files(rev: str, config) -> set[Path]:
    """Resolved paths of the files changed since `rev` in the repository holding config.root
    (or the current folder). RuntimeError with a one-line reason when that is not a git
    repository or `rev` is not a revision."""
    start = Path(config.root) if getattr(config, "root", None) else Path.cwd()
    if not rev or rev.startswith("-"):
        raise RuntimeError(f"--changed-since: {rev!r} is not a git revision")
    top = _git(["rev-parse", "--show-toplevel"], start)
    if top.returncode != 0:
        raise RuntimeError(f"--changed-since needs a git repository, and {start} is not inside one")
    root = Path(top.stdout.decode("utf-8", "replace").strip()).resolve()
    ranged = ".." in rev
    if not ranged:
        ok = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root)
        if ok.returncode != 0:
            raise RuntimeError(f"--changed-since: {rev!r} is not a revision in {root} "
                               f"(try a branch, tag or commit such as origin/main or HEAD~1)")
    diff = _git(["-c", "core.quotepath=off", "diff", "--name-only", "-z", "--no-renames",
                 "--diff-filter=ACMRT", rev, "--"], root)
    if diff.returncode != 0:
        raise RuntimeError(f"--changed-since: git diff {rev} failed: {_first_line(diff.stderr)}")
    names = [n for n in diff.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    if not ranged:
        new = _git(["ls-files", "-z", "--others", "--exclude-standard"], root)
        if new.returncode == 0:
            names += [n for n in new.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    out = set()
    for n in names:
        p = (root / n)
        if p.exists():
            out.add(p.resolve())
    return out
