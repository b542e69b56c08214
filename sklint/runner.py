"""Run the pipeline over many files: in this process, or in `jobs` worker processes that each
hold the model. Results come back in input order, so --jobs N never changes the report.

With jobs > 1 one long text also uses every core. A file of at least SPLIT_FILE_BYTES is read
here; if a part has at least SPLIT_CHARS characters, the detectors run here while the spaCy NER
(most of the cost) runs in the workers, one piece per task: the very pieces NlpEngine.entities
cuts (ner.split_chunks), started before the detectors ask for them (PoolNlp.prefetch). The
findings are identical to one process (tests/test_runner_split.py), because every detector still
sees the whole message; only where the NER runs changes.

`Runner(chunked=True)` goes further and runs all the detectors on chunks of the text in the
workers (cut on the NER's piece boundaries, offsets shifted back, rules and suppression here).
That is faster but only exact for detectors that look at one paragraph at a time: the PERSON
detector (detect/names.py) uses message-wide evidence (words seen in lower case, NER votes,
names propagated across the text), so it is off by default.

The workers are sklint.workers': forked from this process after it has loaded the models, so
they share the model's memory pages instead of each loading a copy.
"""
from __future__ import annotations

import functools
import os
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Callable, Optional, Sequence

from .config import Config
from .model import FileResult, Finding, Message
from .split import SPLIT_CHARS, shift, split_tasks
from .workers import Workers, can_fork, state

SPLIT_FILE_BYTES = 50_000   # files this big on disk are read here, to be split if their text is


# -- worker side: tasks run by sklint.workers, each on its worker's Engine -------------------
def _check_one(path: str) -> FileResult:
    return state().check_path(path)


def _check_message(message: Message, shown: str) -> FileResult:
    """A message already read by the main process (large on disk, small parts)."""
    return FileResult.of(shown, message, state().check_message(message, shown))


def _detect(message: Message, keep: Optional[str]) -> list[Finding]:
    """The detectors on one sub-message; only the findings of part `keep` when given."""
    found = state().detect(message)
    if keep is None:
        return found
    return [f for f in found if f.part == keep]


def _ner(pieces: list[str]) -> list[list[tuple[int, int, str]]]:
    """NER on pieces already cut by ner.split_chunks (so the worker does not cut them again)."""
    return state().nlp.entities(pieces)


# made up, touching every detector once so each loads what it loads
_WARM_TEXT = ("Dear Priya,\n\nTomasz Wojcik (DOB 12/09/2012, aged 12) of 4 Orchard Lane, Penrith "
              "CA11 7QX, told his mentor he has asthma. Call Gemma on 07700 900412.\n")


def _check_warm(pause: float) -> int:
    """Load whatever the detectors load (model, lexicons) in this worker; returns the pid."""
    state().check_bytes(_WARM_TEXT.encode(), "warm.txt")
    time.sleep(pause)  # keeps this worker busy so the other warm-up calls reach the others
    return os.getpid()


def place(message: Message, findings: list[Finding]) -> list[Finding]:
    """Line, column, quoted and where-to-find of each finding: pipeline.with_position (a part
    keeps its line starts once computed, so a long part costs a bisect per finding)."""
    from .pipeline import with_position
    return [with_position(message, f) for f in findings]


class PoolNlp:
    """An NlpEngine whose entities() runs in the pool's workers, piece by piece.

    The pieces are exactly those NlpEngine.entities cuts (ner.split_chunks), each analysed on its
    own as it would be in one process, so the entities are the same; only where they are computed
    changes. prefetch() starts the NER of a message's parts before the detectors ask for it, so
    this process runs the pattern, name-rule and category detectors while the workers run NER.
    """

    def __init__(self, base, pool: Workers):
        self._base = base
        self._pool = pool
        self._pending: dict[str, list[tuple[int, Future]]] = {}
        self.model_name = base.model_name
        self.enabled = base.enabled

    @property
    def nlp(self):  # a detector that wants the spaCy pipeline itself gets this process's copy
        return self._base.nlp

    def __getattr__(self, name):
        return getattr(self._base, name)

    def _submit(self, text: str) -> list[tuple[int, str, Optional[Future]]]:
        from .detect.ner import split_chunks
        return [(off, piece, self._pool.try_submit(_ner, [piece])) for off, piece in split_chunks(text)]

    def prefetch(self, texts) -> None:
        if not self.enabled:
            return
        for t in texts:
            if t and t.strip() and t not in self._pending:
                self._pending[t] = self._submit(t)

    def entities(self, texts, labels=None):
        if not self.enabled:
            return [[] for _ in texts]
        wanted = set(labels) if labels is not None else None
        jobs = []
        for t in texts:
            if not t or not t.strip():
                jobs.append([])
            else:
                jobs.append(self._pending.get(t) or self._submit(t))
        out = []
        for futs in jobs:
            ents = []
            for off, piece, fut in futs:
                got = self._pool.answer(fut, lambda piece=piece: self._base.entities([piece]))
                ents += [(off + s, off + e, label) for s, e, label in got[0]
                         if wanted is None or label in wanted]
            out.append(ents)
        return out

    def clear(self) -> None:
        for futs in self._pending.values():
            for _, _, f in futs:
                if f is not None:
                    f.cancel()
        self._pending.clear()


# -- the runner -------------------------------------------------------------------------------
class Runner:
    """Checks files with one in-process Engine (jobs == 1) or a pool of `jobs` worker processes.

    Reusable: the pool (and the models its workers load) lives until close(), so a long-lived
    caller (a benchmark, a service) pays the start-up once. `check_files` below is the one-shot
    form the CLI uses.
    """

    def __init__(self, config: Config, jobs: int = 1, engine=None,
                 split_chars: int = SPLIT_CHARS, chunked: bool = False):
        if jobs <= 0:
            jobs = os.cpu_count() or 1
        self.config = config
        self.jobs = jobs
        self.split_chars = split_chars
        self.chunked = chunked
        self._engine = engine
        self._pool_engine = None
        self._pool: Optional[Workers] = None

    # lazily built pieces
    @property
    def engine(self):
        if self._engine is None:
            from .pipeline import Engine
            self._engine = Engine(self.config)
        return self._engine

    @property
    def pool(self) -> Workers:
        if self._pool is None:
            from .pipeline import Engine
            if can_fork():
                # Load the models once, here, and fork the workers from this process: they share
                # the model's pages instead of each loading (and holding) its own copy, and this
                # process needs the engine anyway for the message rules of split files.
                eng = self.engine
                eng.check_bytes(_WARM_TEXT.encode(), "warm.txt")
                self._pool = Workers(self.jobs, shared=eng)
            else:
                self._pool = Workers(self.jobs, build=functools.partial(Engine, self.config))
        return self._pool

    def warm(self) -> None:
        """Start the workers and let each load its models (benchmarks call this first)."""
        if self.jobs > 1:
            self.pool.map(_check_warm, [0.3] * self.jobs)
        else:
            self.engine.check_bytes(_WARM_TEXT.encode(), "warm.txt")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> "Runner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # checking
    def check_files(self, paths: Sequence[Path], progress: Optional[Callable[[int], None]] = None
                    ) -> list[FileResult]:
        paths = list(paths)
        if self.jobs == 1 or (len(paths) == 1 and not _large(paths[0])):
            out = []
            for p in paths:
                out.append(self.engine.check_path(p))
                if progress:
                    progress(1)
            return out
        # small files go to the workers whole, first, so they start now
        pending = [(p, None if _large(p) else self.pool.try_submit(_check_one, str(p))) for p in paths]
        out = []
        for p, fut in pending:
            if _large(p):
                out.append(self.check_large(p))
            else:
                out.append(self.pool.answer(fut, lambda p=p: self.engine.check_path(p)))
            if progress:
                progress(1)
        return out

    def check_large(self, path: Path, display: Optional[str] = None) -> FileResult:
        """Read a file here and spread its long parts over the workers."""
        from .ingest import IngestError, read_path
        from .pipeline import _kind_guess
        shown = display or str(path)
        started = time.monotonic()
        try:
            message = read_path(Path(path), self.config)
        except IngestError as exc:
            return FileResult(path=shown, kind=_kind_guess(str(path)), error=str(exc))
        return self.check_message(message, shown, self.engine.deadline(started))

    def check_message(self, message: Message, shown: str, deadline: Optional[float] = None) -> FileResult:
        long_part = any(len(p.text) >= self.split_chars for p in message.parts)
        if deadline is None:
            deadline = self.engine.deadline()
        if self.jobs == 1:
            return FileResult.of(shown, message, self.engine.check_message(message, shown, deadline))
        if not long_part:
            return self.pool.answer(
                self.pool.try_submit(_check_message, message, shown),
                lambda: FileResult.of(shown, message, self.engine.check_message(message, shown)))
        if not self.chunked:
            return self._check_pool_ner(message, shown, deadline)
        tasks = split_tasks(message, self.jobs, self.split_chars)
        futures = [(self.pool.try_submit(_detect, m, keep), m, keep, off) for m, keep, off in tasks]
        found: list[Finding] = []
        for fut, m, keep, off in futures:
            got = self.pool.answer(fut, functools.partial(self._detect_here, m, keep))
            found += [shift(f, off) for f in got]
        from .pipeline import resolve_overlaps
        found = place(message, resolve_overlaps(found))
        checked = self.engine.check_message(message, shown, detected=(message, found))
        return FileResult.of(shown, message, checked)

    def _detect_here(self, message: Message, keep: Optional[str]) -> list[Finding]:
        return [f for f in self.engine.detect(message) if keep is None or f.part == keep]

    def _check_pool_ner(self, message: Message, shown: str, deadline: Optional[float] = None
                        ) -> FileResult:
        """The detectors here, their NER in the workers (started by Engine.detect before the
        detectors run, a window ahead for a long message)."""
        from .pipeline import Engine
        base = self.engine
        if self._pool_engine is None:
            self._pool_engine = Engine(self.config, registry=base.registry,
                                       nlp=PoolNlp(base.nlp, self.pool))
        eng = self._pool_engine
        try:
            read, found = eng.read_within(message, deadline)
            checked = eng.check_message(message, shown, detected=(read, place(message, found)))
        finally:
            eng.nlp.clear()
        return FileResult.of(shown, message, checked)


def _large(path) -> bool:
    try:
        return Path(path).stat().st_size >= SPLIT_FILE_BYTES
    except OSError:
        return False


def check_files(paths: Sequence[Path], config: Config, jobs: int = 1,
                progress: Optional[Callable[[int], None]] = None, engine=None) -> list[FileResult]:
    """Check the files: one FileResult each, in input order."""
    if jobs <= 0:
        jobs = os.cpu_count() or 1
    paths = list(paths)
    if not any(_large(p) for p in paths):
        jobs = min(jobs, max(1, len(paths)))
    with Runner(config, jobs, engine) as runner:
        return runner.check_files(paths, progress)
