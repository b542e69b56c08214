"""Derived data kept on disk between runs (issue 17: start time).

The word lists sklint reads at every start (given names, surnames, English words) cost about
0.25 s to build from their packages and 0.05 s to load once built. They are kept in the user
cache folder ($SKLINT_CACHE_DIR, else the platform's; SKLINT_NO_CACHE turns it off) as marshal
data (plain values: nothing is executed on load), under a key made of the packages' versions and
the size and time of the files they are made from, so an upgrade or an edit rebuilds them.
"""
from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path
from typing import Callable, Optional, Sequence

FORMAT = 1


def cache_dir() -> Optional[Path]:
    if os.environ.get("SKLINT_NO_CACHE"):
        return None
    env = os.environ.get("SKLINT_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return Path(platformdirs.user_cache_dir("sklint", appauthor=False))


def disk_cached(name: str, packages: Sequence[str], build: Callable, sources: Sequence[Path] = ()):
    """`build()` (a frozenset, or a tuple of frozensets), from the cache when it is there and
    sound, else built and stored. Any failure to read or write the cache only costs the build."""
    base = cache_dir()
    if base is None:
        return build()
    try:
        from importlib.metadata import version
        stamp = [name, FORMAT] + [version(p) for p in packages] + [
            (str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in sources if f.is_file()]
        key = hashlib.blake2b(repr(stamp).encode("utf-8"), digest_size=10).hexdigest()
    except Exception:  # noqa: BLE001 - no key, no cache
        return build()
    path = base / f"{name}-{key}.marshal"
    try:
        got = marshal.loads(path.read_bytes())
        parts = got if isinstance(got, tuple) else (got,)
        if parts and all(isinstance(x, frozenset) for x in parts):
            return got
    except (OSError, EOFError, ValueError, TypeError):
        pass  # missing or damaged: build it again
    value = build()
    try:
        base.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(value))
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass
    return value
