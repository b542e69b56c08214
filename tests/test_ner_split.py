"""Cutting the NER's work in two (detect/ner_split.py): seams at word starts, cut texts keep the
whole text's tokens, and the stitched entities are exactly the whole text's. Real model, no
mocks; the corpora are those of tests/test_ner.py."""
from __future__ import annotations

import random

from sklint.detect.ner import NlpEngine
from sklint.detect.ner_split import (SEAM_WORDS, find_seam, plan, receptive_field, seam_window,
                                     stitch)
from test_ner import EDGE_TEXTS, corpus_texts


def _long_texts():
    return [t for t in corpus_texts() + EDGE_TEXTS if len(t) >= 400]


def test_seams_are_word_starts_with_their_context():
    rng = random.Random(3)
    words = ["Kayden", "met", "Chloe.", "\n", "\n\n", "  ", "(aged", "9)", "Leeds,", "\t", "x" * 30]
    for _ in range(200):
        text = " ".join(rng.choice(words) for _ in range(rng.randrange(5, 400)))
        s = find_seam(text, rng.randrange(len(text)))
        if s is None:
            continue
        assert 0 < s < len(text) and text[s - 1].isspace() and not text[s].isspace()
        w = seam_window(text, s)
        if w is None:
            continue
        a, b = w
        assert a == 0 or (text[a - 1].isspace() and not text[a].isspace())
        assert b == len(text) or (text[b - 1].isspace() and not text[b].isspace())
        assert a == 0 or len(text[a:s].split()) == SEAM_WORDS
        assert b == len(text) or len(text[s:b].split()) == SEAM_WORDS
    # a blank line near the middle wins over a nearer space
    text = "word " * 50 + "end.\n\n" + "word " * 55
    s = find_seam(text, len(text) // 2)
    assert text[s - 2:s] == "\n\n"


def test_cut_texts_keep_the_whole_texts_tokens():
    nlp = NlpEngine().nlp

    def tokens(t, off=0):
        return [(tok.idx + off, tok.text, tok.whitespace_, tok.norm_) for tok in nlp.make_doc(t)]

    checked = 0
    for text in _long_texts():
        s = find_seam(text, len(text) // 2)
        w = seam_window(text, s) if s is not None else None
        if w is None:
            continue
        a, b = w
        whole = tokens(text)
        left = tokens(text[:b])
        right = tokens(text[a:], a)
        assert left[:-1] == [t for t in whole if t[0] < left[-1][0]]
        assert left[-1][:3] == next(t for t in whole if t[0] == left[-1][0])[:3]
        assert right == [t for t in whole if t[0] >= a]
        checked += 1
    assert checked > 20


def test_plan_and_assemble_give_the_whole_texts_entities():
    eng = NlpEngine()
    assert receptive_field(eng.nlp) == 4 <= SEAM_WORDS
    cut = again = 0
    for text in _long_texts():
        pieces = [p for _, _, p in eng.pieces([text])]
        whole = eng.piece_entities(pieces)
        for share in (0.2, 0.5, 0.8):
            pl = plan(pieces, share)
            seams = [r for r in pl.recipe if r[0] == "seam"]
            cut += len(seams)
            read = []

            def read_again(p):
                read.append(p)
                return eng.piece_entities([p])[0]

            got = pl.assemble(pieces, eng.piece_entities(pl.mine), eng.piece_entities(pl.theirs),
                              read_again)
            again += len(read)
            assert got == whole
    assert cut > 30 and again < cut / 10


def test_plan_keeps_short_pieces_whole_and_balances():
    pl = plan(["a" * 100, "b" * 100, "c" * 100, "d" * 100], 0.5)
    assert pl.mine == ["a" * 100, "b" * 100] and pl.theirs == ["c" * 100, "d" * 100]
    pl = plan(["Kayden Brooks met Chloe. " * 40], 0.5, may_cut=False)
    assert len(pl.mine) + len(pl.theirs) == 1 and pl.recipe[0][0] in ("mine", "theirs")
    pl = plan(["Kayden Brooks met Chloe. " * 40], 0.5)
    assert pl.recipe[0][0] == "seam"
    assert 300 < len(pl.mine[0]) < 700 and 300 < len(pl.theirs[0]) < 700


def test_stitch_refuses_an_entity_across_the_seam():
    a = [(0, 5, "PERSON"), (10, 20, "ORG")]
    b = [(12, 20, "ORG"), (25, 30, "GPE")]
    assert stitch(a, b, 21) == [(0, 5, "PERSON"), (10, 20, "ORG"), (25, 30, "GPE")]
    assert stitch(a, b, 15) is None  # (10, 20) crosses 15
    assert stitch([(0, 5, "PERSON")], [(3, 9, "PERSON")], 6) is None
