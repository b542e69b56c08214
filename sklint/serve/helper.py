"""The service's second core: a helper process that reads part of each request's NER.

`sklint serve` checks one message at a time, and the NER is most of a check. On a machine with
two or more cores the service forks one helper process once the model is loaded (it shares the
model's memory pages). For a request with at least HELPER_MIN_CHARS characters of text the NER's
pieces are shared: the helper reads the end of the list while this process runs the pattern
detectors and then reads the start; one piece may be cut at a seam (detect/ner_split.py, which
explains why the entities are exactly those of one process). If the helper fails or stops
answering, this process reads its share itself: the answer is the same, only slower.

The helper is a sklint.workers.Lane (the command line's workers are sklint.workers too). Only
entities cross between the processes: the helper gets pieces of text and sends back (start, end,
label) tuples; it logs nothing and exits when the service closes it or exits.
"""
from __future__ import annotations

import logging
import os
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

from ..detect.ner import NlpEngine, gather
from ..detect.ner_split import SEAM_WORDS, Plan, plan, receptive_field
from ..workers import Lane, LaneFuture, can_fork, state

log = logging.getLogger("sklint.serve")

HELPER_MIN_CHARS = 4_000  # less NER text than this is read in this process only
SHARE = 0.5               # the helper's share of the characters when the NER is asked for at once
PREFETCH_SHARE = 0.6      # ...and when it is started before the pattern detectors run here
TIMEOUT = 30.0            # seconds to wait for the helper before reading its share here


def _piece_entities(texts: list[str]) -> list:  # a task, run in the helper
    return state().piece_entities(texts)


class NerHelper:
    """One worker (sklint.workers.Lane, forked once the model is loaded) that runs
    `base.piece_entities` on the texts it is sent. At most one request is outstanding: a newer
    one gives up the older."""

    def __init__(self, base: NlpEngine, timeout: float = TIMEOUT):
        self.base = base
        self.timeout = timeout
        self._lane: Optional[Lane] = None
        self._pid: Optional[int] = None
        self._rid = 0  # requests sent so far
        self._pending: dict[int, LaneFuture] = {}

    @property
    def alive(self) -> bool:
        return self._lane is not None and self._lane.alive

    @property
    def pid(self) -> Optional[int]:
        return self._pid if self._lane is not None else None

    def start(self) -> bool:
        if self.alive:
            return True
        if not can_fork():
            return False
        self.base.nlp  # load the model (and the decoder) here, before the fork, to share them
        self.base.decoder
        self._lane = Lane(self.base)
        self._pid = self._lane.start()[0]
        return True

    def submit(self, texts: list[str]) -> Optional[int]:
        """Send texts to read; the request id to collect, or None if the helper is not there."""
        if not self.alive:
            return None
        self._pending.clear()  # a request given up: the lane passes its answer over
        try:
            fut = self._lane.submit(_piece_entities, texts)
        except BrokenProcessPool:
            self._fail("could not be reached")
            return None
        self._rid += 1
        self._pending[self._rid] = fut
        return self._rid

    def result(self, rid: int) -> Optional[list]:
        """The entities of request `rid`, or None (read them here) if the helper failed."""
        fut = self._pending.pop(rid, None)
        if fut is None:
            return None
        try:
            return fut.result(timeout=self.timeout)
        except FutureTimeout:
            self._fail(f"did not answer within {self.timeout:.0f}s")
        except BrokenProcessPool:
            self._fail("stopped")
        except Exception as exc:  # noqa: BLE001 - reported by type only, never content
            log.warning("NER helper failed on a request (%s); read here instead", type(exc).__name__)
        return None

    def _fail(self, why: str) -> None:
        log.warning("NER helper %s; reading all text in the service process from now on", why)
        self.close(kill=True)

    def close(self, kill: bool = False) -> None:
        lane, self._lane = self._lane, None
        self._pending.clear()
        if lane is not None:
            lane.close(kill=kill)


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
