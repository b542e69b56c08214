"""The one way sklint runs work in parallel: worker processes that hold what this process holds.

Both the command line (runner.py: files across workers, the NER of one long file across them) and
the service (serve/helper.py: one helper that reads part of each long request's NER) use
`Workers`. Where the platform can fork (Linux), the workers are forked from this process after it
has loaded its models, so they share the model's memory pages instead of each loading a copy;
elsewhere each worker builds its own from `build`.

A task is a module-level function that reads the worker's object with `state()`. Only its
arguments and its answer cross between processes. A worker ignores Ctrl-C (this process decides
what stops) and exits when this process is gone, however it ended.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")

_STATE: Any = None  # in a worker: the object its tasks work with (an Engine, an NlpEngine)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def state() -> Any:
    """The worker's object (inside a task)."""
    if _STATE is None:
        raise RuntimeError("not in a sklint worker")
    return _STATE


def _watch_parent(parent: int) -> None:  # pragma: no cover - runs in the worker
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _init(shared: Any, build: Optional[Callable[[], Any]], parent: int) -> None:  # pragma: no cover
    global _STATE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STATE = shared if shared is not None else build()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="sklint-parent").start()


class Workers:
    """`n` worker processes, each with the object `shared` (forked) or `build()` (elsewhere).

    A Future per task. A worker that dies (the out-of-memory killer, say) breaks the pool: the
    pending and later tasks fail with BrokenProcessPool. `try_submit` and `answer` turn that into
    the work done in this process instead, said once by `on_lost`. close() ends them all.
    """

    def __init__(self, n: int, shared: Any = None, build: Optional[Callable[[], Any]] = None,
                 on_lost: Optional[Callable[[], None]] = None):
        if shared is None and build is None:
            raise ValueError("Workers needs the object to share or a way to build it")
        forking = can_fork()
        ctx = multiprocessing.get_context("fork") if forking else None
        self.n = n
        self.lost = False
        self._on_lost = on_lost or _say_lost
        self._pool: Optional[ProcessPoolExecutor] = ProcessPoolExecutor(
            max_workers=n, mp_context=ctx, initializer=_init,
            initargs=(shared if forking else None, build, os.getpid()))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        if self._pool is None:
            raise RuntimeError("the workers were closed")
        return self._pool.submit(fn, *args)

    def try_submit(self, fn: Callable[..., Any], *args: Any) -> Optional[Future]:
        """A Future, or None when the workers are gone (do the work here: `answer`)."""
        if self._pool is None or self.lost:
            return None
        try:
            return self._pool.submit(fn, *args)
        except BrokenProcessPool:
            self._lose()
            return None

    def answer(self, fut: Optional[Future], here: Callable[[], T]) -> T:
        """The task's answer, or `here()` (the same work in this process) when it had no worker
        or its worker died: the same answer, later."""
        if fut is not None:
            try:
                return fut.result()
            except BrokenProcessPool:
                self._lose()
        return here()

    def _lose(self) -> None:
        if not self.lost:
            self.lost = True
            self._on_lost()

    def map(self, fn: Callable[..., Any], items) -> list:
        return [f.result() for f in [self.submit(fn, x) for x in items]]

    def start(self) -> list[int]:
        """Start every worker now (they start on first use otherwise); their pids."""
        return sorted(set(self.map(_pause_pid, [0.2] * self.n)))

    @property
    def pids(self) -> list[int]:
        procs = getattr(self._pool, "_processes", None) or {}  # the executor's own table
        return sorted(pid for pid, p in procs.items() if p.is_alive())

    @property
    def alive(self) -> bool:
        return self._pool is not None and not getattr(self._pool, "_broken", False) and bool(self.pids)

    def close(self, kill: bool = False) -> None:
        """End the workers: after their current task, or at once with `kill` (one that stopped
        answering)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        procs = list((getattr(pool, "_processes", None) or {}).values())
        if kill:
            for p in procs:
                if p.is_alive():
                    p.terminate()
        pool.shutdown(wait=not kill, cancel_futures=True)
        for p in procs:
            p.join(2)
            if p.is_alive():
                p.kill()
                p.join(2)


def _say_lost() -> None:
    sys.stderr.write("sklint: a worker process stopped (out of memory?); the rest is checked in "
                     "this process, more slowly\n")


def _pause_pid(pause: float) -> int:
    """Keeps one worker busy a moment, so each call of a start() reaches another worker."""
    time.sleep(pause)
    return os.getpid()
