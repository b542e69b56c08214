"""Run the pipeline over many files: in this process, or in `jobs` worker processes that each
load the model once. Results come back in input order, so --jobs N never changes the report."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Optional, Sequence

from .config import Config
from .model import FileResult

_ENGINE = None  # one per worker process, built by _init_worker


def _init_worker(config: Config) -> None:
    global _ENGINE
    from .pipeline import Engine
    _ENGINE = Engine(config)


def _check_one(path: str) -> FileResult:
    assert _ENGINE is not None
    res = _ENGINE.check_path(path)
    return FileResult(res.path, res.kind, res.error, res.findings)  # drop the Message: not picklable cheaply


def check_files(paths: Sequence[Path], config: Config, jobs: int = 1,
                progress: Optional[Callable[[int], None]] = None, engine=None) -> list[FileResult]:
    if jobs <= 0:
        jobs = os.cpu_count() or 1
    jobs = min(jobs, max(1, len(paths)))
    if jobs == 1:
        from .pipeline import Engine
        eng = engine or Engine(config)
        out = []
        for p in paths:
            out.append(eng.check_path(p))
            if progress:
                progress(1)
        return out
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(config,)) as pool:
        out = []
        for res in pool.map(_check_one, [str(p) for p in paths], chunksize=1):
            out.append(res)
            if progress:
                progress(1)
        return out
