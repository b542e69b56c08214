"""The one way sklint runs work in parallel: worker processes that hold what this process holds.

Both the command line (runner.py: files across workers, the NER of one long file across them) and
the service (serve/helper.py: one helper that reads part of each long request's NER) run their
work here. Where the platform can fork (Linux), the workers are forked from this process after it
has loaded its models, so they share the model's memory pages instead of each loading a copy;
elsewhere a pool's workers each build their own from `build` (the service's helper is Linux only).

A task is a module-level function that reads the worker's object with `state()`. Only its
arguments and its answer cross between processes. A worker ignores Ctrl-C (this process decides
what stops) and exits when this process is gone, however it ended.

Two ways to reach them, for two shapes of work: `Workers`, a pool of N for batches (files, the
pieces of a long text; a concurrent.futures pool, whose threads in this process hand the tasks
over), and `Lane`, one worker on a pipe of its own for one request at a time that must not wait
(the service's helper: no thread here, so a task leaves at once even while this process is busy
with its own share of the work).
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, TimeoutError as FutureTimeout
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
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not a handler inherited from a server
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


class LaneFuture:
    """A task sent down a Lane: result(timeout) as a concurrent.futures.Future's."""

    def __init__(self, lane: "Lane", rid: int):
        self._lane, self._rid = lane, rid

    def result(self, timeout: Optional[float] = None) -> Any:
        return self._lane._answer(self._rid, timeout)


class Lane:
    """One worker with the object `shared`, forked, on a duplex pipe: a task is sent at once and
    its answer read when asked for (an older answer nobody asked for is passed over). A worker
    that dies or a pipe that breaks raises BrokenProcessPool; no answer in time, TimeoutError."""

    def __init__(self, shared: Any):
        if not can_fork():
            raise RuntimeError("a Lane is forked (Linux)")
        ctx = multiprocessing.get_context("fork")
        mine, theirs = ctx.Pipe(duplex=True)
        self._proc = ctx.Process(target=_lane_main, args=(theirs, mine, shared, os.getpid()),
                                 name="sklint-worker", daemon=True)
        self._proc.start()
        theirs.close()
        self._conn = mine
        self._rid = 0
        self.lost = False

    def start(self) -> list[int]:
        return [self._proc.pid]

    @property
    def pids(self) -> list[int]:
        return [self._proc.pid] if self._proc.is_alive() else []

    @property
    def alive(self) -> bool:
        return self._conn is not None and not self.lost and self._proc.is_alive()

    def submit(self, fn: Callable[..., Any], *args: Any) -> LaneFuture:
        if self._conn is None:
            raise RuntimeError("the lane was closed")
        self._rid += 1
        try:
            self._conn.send((self._rid, fn, args))
        except (OSError, ValueError):
            self.lost = True
            raise BrokenProcessPool("the worker cannot be reached") from None
        return LaneFuture(self, self._rid)

    def _answer(self, rid: int, timeout: Optional[float]) -> Any:
        conn = self._conn
        if conn is None:
            raise BrokenProcessPool("the lane was closed")
        while True:
            try:
                ready = conn.poll(timeout)
                got, ok, value = conn.recv() if ready else (None, None, None)
            except (EOFError, OSError, ValueError):
                self.lost = True
                raise BrokenProcessPool("the worker stopped") from None
            if not ready:
                raise FutureTimeout()  # (an OSError since Python 3.11: raised outside the try)
            if got != rid:
                continue  # the answer to a task given up
            if not ok:
                raise RuntimeError(value)  # the task's exception, by type name only
            return value

    def close(self, kill: bool = False) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            if not kill:
                try:
                    conn.send(None)
                except (OSError, ValueError):
                    pass
            conn.close()
        if kill and self._proc.is_alive():
            self._proc.terminate()
        self._proc.join(2)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(2)


def _lane_main(conn, parent_end, shared: Any, parent: int) -> None:  # pragma: no cover - the worker
    parent_end.close()
    _init(shared, None, parent)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            break
        if msg is None:
            break
        rid, fn, args = msg
        try:
            answer = (rid, True, fn(*args))
        except Exception as exc:  # noqa: BLE001 - reported by type only, never content
            answer = (rid, False, type(exc).__name__)
        try:
            conn.send(answer)
        except (EOFError, OSError):
            break
    conn.close()


def _say_lost() -> None:
    sys.stderr.write("sklint: a worker process stopped (out of memory?); the rest is checked in "
                     "this process, more slowly\n")


def _pause_pid(pause: float) -> int:
    """Keeps one worker busy a moment, so each call of a start() reaches another worker."""
    time.sleep(pause)
    return os.getpid()
