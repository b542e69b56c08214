"""sklint.workers: the one way sklint runs work in parallel (the CLI's runner and the service's
NER helper both use it). Real forked processes, no mocks."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from sklint.workers import Workers, can_fork, state

pytestmark = pytest.mark.skipif(not can_fork(), reason="the workers are forked (Linux)")
ROOT = Path(__file__).resolve().parents[1]


class _Held:
    def __init__(self, word: str):
        self.word = word
        self.built_in = os.getpid()


def _read(suffix: str) -> tuple[str, int, int]:
    held = state()
    return held.word + suffix, held.built_in, os.getpid()


def _gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return True
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_tasks_read_the_object_this_process_built():
    held = _Held("shared")
    w = Workers(2, shared=held)
    try:
        pids = w.start()
        assert len(pids) == 2 and os.getpid() not in pids
        got = w.map(_read, ["-a", "-b", "-c"])
        assert [g[0] for g in got] == ["shared-a", "shared-b", "shared-c"]
        assert {g[1] for g in got} == {os.getpid()}  # built here, before the fork: not rebuilt
        assert {g[2] for g in got} <= set(pids)
    finally:
        w.close()
    assert all(_gone(p) for p in pids)
    with pytest.raises(RuntimeError):
        w.submit(_read, "-late")


def test_a_dead_worker_fails_its_futures_instead_of_hanging():
    w = Workers(1, shared=_Held("x"))
    try:
        pid = w.start()[0]
        os.kill(pid, signal.SIGKILL)
        assert _gone(pid)
        with pytest.raises(BrokenProcessPool):
            w.submit(_read, "-after").result(timeout=30)
        assert not w.alive
    finally:
        w.close(kill=True)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_end_when_the_process_that_made_them_is_killed(tmp_path):
    """However the parent ends (here SIGKILL, nothing run at exit), its workers do not stay
    behind holding a copy of the model's memory."""
    script = textwrap.dedent("""
        import os, sys, time
        sys.path.insert(0, sys.argv[1])
        from sklint.workers import Workers
        w = Workers(2, shared=object())
        print(" ".join(map(str, w.start())), flush=True)
        time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script, str(ROOT)], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(x) for x in proc.stdout.readline().split()]
        assert len(pids) == 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert all(_gone(p) for p in pids), "a worker outlived its parent"
    finally:
        if proc.poll() is None:
            proc.kill()


def _slow(seconds: float) -> str:
    time.sleep(seconds)
    return "late"


def _fail(_: str) -> None:
    raise ValueError("the words of the text must not cross back")


def test_a_lane_answers_at_once_and_fails_plainly():
    """The service's helper: one worker on a pipe of its own. Answers come back for the task
    asked about (an older one nobody asked for is passed over); a task's exception comes back
    by type name only; no answer in time is a TimeoutError; a dead worker is BrokenProcessPool."""
    from concurrent.futures import TimeoutError as FutureTimeout

    from sklint.workers import Lane
    lane = Lane(_Held("lane"))
    try:
        pid = lane.start()[0]
        assert pid != os.getpid() and lane.alive
        lane.submit(_read, "-given-up")
        assert lane.submit(_read, "-wanted").result(timeout=30)[0] == "lane-wanted"
        with pytest.raises(RuntimeError) as exc:
            lane.submit(_fail, "x").result(timeout=30)
        assert str(exc.value) == "ValueError"
        with pytest.raises(FutureTimeout):
            lane.submit(_slow, 2.0).result(timeout=0.2)
        os.kill(pid, signal.SIGKILL)
        assert _gone(pid)
        with pytest.raises(BrokenProcessPool):
            lane.submit(_read, "-after").result(timeout=30)
        assert not lane.alive
    finally:
        lane.close(kill=True)
    assert _gone(pid)
