"""The service's second core: a helper process that reads part of each request's NER.

`sklint serve` checks one message at a time, and the NER is most of a check. On a machine with
two or more cores the service forks one helper process once the model is loaded (it shares the
model's memory pages). For a request with at least HELPER_MIN_CHARS characters of text the NER's
pieces are shared: the helper reads the end of the list while this process runs the pattern
detectors and then reads the start; one piece may be cut at a seam (detect/ner_split.py, which
explains why the entities are exactly those of one process). If the helper fails or stops
answering, this process reads its share itself: the answer is the same, only slower.

Only entities cross the pipe: the helper gets pieces of text and sends back (start, end, label)
tuples; it logs nothing and exits when the service closes the pipe or exits.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

from ..detect.ner import NlpEngine, gather
from ..detect.ner_split import SEAM_WORDS, Plan, plan, receptive_field

log = logging.getLogger("sklint.serve")

HELPER_MIN_CHARS = 4_000  # less NER text than this is read in this process only
SHARE = 0.5               # the helper's share of the characters when the NER is asked for at once
PREFETCH_SHARE = 0.6      # ...and when it is started before the pattern detectors run here
TIMEOUT = 30.0            # seconds to wait for the helper before reading its share here


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def _helper_main(conn, parent_end, base: NlpEngine) -> None:  # pragma: no cover - child process
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the service; the pipe then closes
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent_end.close()
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            break
        if msg is None:
            break
        rid, texts = msg
        try:
            conn.send((rid, True, base.piece_entities(texts)))
        except (EOFError, OSError, BrokenPipeError):
            break
        except Exception as exc:  # noqa: BLE001 - reported by type only, never content
            try:
                conn.send((rid, False, type(exc).__name__))
            except (EOFError, OSError):
                break
    conn.close()


class NerHelper:
    """One forked process that runs `base.piece_entities` on the texts it is sent."""

    def __init__(self, base: NlpEngine, timeout: float = TIMEOUT):
        self.base = base
        self.timeout = timeout
        self._proc = None
        self._conn = None
        self._rid = 0

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    @property
    def pid(self) -> Optional[int]:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> bool:
        if self.alive:
            return True
        if not can_fork():
            return False
        self.base.nlp  # load the model (and the decoder) here, before the fork, to share them
        self.base.decoder
        ctx = multiprocessing.get_context("fork")
        parent_end, child_end = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_helper_main, args=(child_end, parent_end, self.base),
                           name="sklint-ner-helper", daemon=True)
        proc.start()
        child_end.close()
        self._proc, self._conn = proc, parent_end
        return True

    def submit(self, texts: list[str]) -> Optional[int]:
        """Send texts to read; the request id to collect, or None if the helper is not there."""
        if not self.alive:
            return None
        self._rid += 1
        try:
            self._conn.send((self._rid, texts))
        except (OSError, ValueError):
            self._fail("could not be reached")
            return None
        return self._rid

    def result(self, rid: int) -> Optional[list]:
        """The entities of request `rid`, or None (read them here) if the helper failed."""
        try:
            while True:
                if not self._conn.poll(self.timeout):
                    self._fail(f"did not answer within {self.timeout:.0f}s")
                    return None
                got_rid, ok, value = self._conn.recv()
                if got_rid != rid:
                    continue  # the answer to a request that was given up
                if not ok:
                    log.warning("NER helper failed on a request (%s); read here instead", value)
                    return None
                return value
        except (EOFError, OSError, ValueError):
            self._fail("stopped")
            return None

    def _fail(self, why: str) -> None:
        log.warning("NER helper %s; reading all text in the service process from now on", why)
        self.close()

    def close(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            try:
                conn.send(None)
            except (OSError, ValueError):
                pass
            conn.close()
        if proc is not None:
            proc.join(2)
            if proc.is_alive():
                proc.terminate()
                proc.join(2)


@dataclass
class _Job:
    texts: list[str]
    pieces: list[tuple[int, int, str]]
    plan: Optional[Plan] = None
    rid: Optional[int] = None


class SplitNlp:
    """An NlpEngine whose entities() shares the pieces with a NerHelper; same entities.

    `prefetch(texts)` (called by Engine.detect before the pattern detectors) sends the helper its
    share at once; the entities() call that follows for the same texts reads the rest here.
    """

    def __init__(self, base: NlpEngine, helper: NerHelper, min_chars: int = HELPER_MIN_CHARS):
        self._base = base
        self._helper = helper
        self.min_chars = min_chars
        self.model_name = base.model_name
        self.enabled = base.enabled
        self._pending: Optional[_Job] = None
        rf = receptive_field(base.nlp)
        self._cut = rf is not None and rf <= SEAM_WORDS

    @property
    def nlp(self):
        return self._base.nlp

    @property
    def helper(self) -> NerHelper:
        return self._helper

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)

    def prefetch(self, texts: Iterable[str]) -> None:
        if self.enabled:
            self._pending = self._start(list(texts), PREFETCH_SHARE)

    def entities(self, texts: Sequence[str], labels: Optional[Iterable[str]] = None
                 ) -> list[list[tuple[int, int, str]]]:
        if not self.enabled:
            return [[] for _ in texts]
        texts = list(texts)
        job, self._pending = self._pending, None
        if job is None or job.texts != texts:
            job = self._start(texts, SHARE)
        return self._finish(job, labels)

    def _start(self, texts: list[str], share: float) -> _Job:
        job = _Job(texts, self._base.pieces(texts))
        if sum(len(p) for _, _, p in job.pieces) < self.min_chars or not self._helper.alive:
            return job
        pl = plan([p for _, _, p in job.pieces], share, may_cut=self._cut)
        if pl.theirs:
            job.rid = self._helper.submit(pl.theirs)
            if job.rid is None:
                return job
        job.plan = pl
        return job

    def _finish(self, job: _Job, labels) -> list[list[tuple[int, int, str]]]:
        base = self._base
        texts = [p for _, _, p in job.pieces]
        if job.plan is None:
            found = base.piece_entities(texts) if texts else []
        else:
            mine = base.piece_entities(job.plan.mine) if job.plan.mine else []
            theirs = self._helper.result(job.rid) if job.rid is not None else []
            if theirs is None:
                theirs = base.piece_entities(job.plan.theirs)
            found = job.plan.assemble(texts, mine, theirs, lambda p: base.piece_entities([p])[0])
        return gather(len(job.texts), job.pieces, found, labels)


def helper_wanted(config) -> bool:
    """[serve] ner-helper (default: on with two or more cores)."""
    opt = config.section("serve").get("ner-helper")
    if opt is None:
        return (os.cpu_count() or 1) >= 2 and can_fork()
    return bool(opt) and can_fork()
