"""Never write outside the output folder: safe file names and contained output paths."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Optional

_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
            *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10)),
            "COM\u00b9", "COM\u00b2", "COM\u00b3", "LPT\u00b9", "LPT\u00b2", "LPT\u00b3"}
_BAD = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\/]')


class UnsafePath(Exception):
    pass


def safe_filename(name: str, fallback: str = "attachment") -> str:
    """One path component that is safe on Windows, macOS and Linux: no directories (`../`,
    absolute paths and drive letters dropped), no control or reserved characters, no device
    names (CON, NUL, COM1...), no leading dots, at most 200 characters."""
    name = str(name).replace("\\", "/")
    name = name.rsplit("/", 1)[-1]
    name = PureWindowsPath(name).name if re.match(r"^[A-Za-z]:", name) else name
    name = _BAD.sub("_", name).strip().strip(".").strip()
    if not name:
        name = fallback
    stem = name.split(".", 1)[0].rstrip(" ").upper()
    if stem in _DEVICES:
        name = "_" + name
    if len(name) > 200:
        p = PurePosixPath(name)
        ext = p.suffix[:20]
        name = name[: 200 - len(ext)] + ext
    return name


def safe_relpath(rel: str) -> PurePosixPath:
    """A relative path whose every component is safe; `..`, `.` and empty components dropped."""
    parts = []
    for comp in str(rel).replace("\\", "/").split("/"):
        if comp in ("", ".", ".."):
            continue
        parts.append(safe_filename(comp, "_"))
    if not parts:
        raise UnsafePath(f"{rel!r}: no usable file name")
    return PurePosixPath(*parts)


def is_within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def contained(out_dir: Path, rel: PurePosixPath) -> Path:
    """out_dir / rel, refusing anything (a symlink on the way) that resolves outside out_dir."""
    target = out_dir.joinpath(*rel.parts)
    if not is_within(target, out_dir):
        raise UnsafePath(f"{rel}: would be written outside {out_dir}")
    return target


def write_atomic(target: Path, data: bytes, mode: Optional[int] = None, root: Optional[Path] = None) -> None:
    """Write via a temporary file in the same folder and rename into place."""
    if root is not None and not is_within(target.parent, root) and target.parent.resolve() != root.resolve():
        raise UnsafePath(f"{target}: outside {root}")
    target.parent.mkdir(parents=True, exist_ok=True)
    if root is not None and not is_within(target.parent, root):
        raise UnsafePath(f"{target}: outside {root}")
    if target.is_symlink():
        raise UnsafePath(f"{target}: is a symbolic link; not overwritten")
    fd, tmp = tempfile.mkstemp(prefix=".sklint-fix-", dir=str(target.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m
