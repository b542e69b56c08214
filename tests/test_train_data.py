"""The synthetic training data of models/train/synth.py: names marked where they are, and none of
the names the tradition benchmark measures (issue 16)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "models" / "train"))
sys.path.insert(0, str(ROOT))

import synth  # noqa: E402
from bench.names_by_tradition import NAMES  # noqa: E402


def test_marked_spans_are_whole_names_and_the_benchmark_names_are_left_out():
    rows = list(synth.generate(1500, seed=7))
    held = {p.lower() for ns in NAMES.values() for n in ns for p in re.split(r"[\s-]", n)}
    people = 0
    for row in rows:
        text = row["text"]
        for s, e in row["people"]:
            span = text[s:e]
            assert span and span == span.strip() and not re.search(r"[{}]", span), (text, span)
            # a whole word at each end
            assert (s == 0 or not text[s - 1].isalnum()) and (e == len(text) or not text[e].isalnum()), (text, span)
            assert not {p.lower() for p in re.split(r"[\s-]", span)} & held, span
            people += 1
    empty = sum(1 for r in rows if not r["people"])
    assert people > len(rows) and 0.1 < empty / len(rows) < 0.35
    assert any(r["text"] == r["text"].lower() and r["people"] for r in rows)  # informal, lower case
    assert list(synth.generate(50, seed=7)) == rows[:50]  # seeded


def test_wnut_reader_keeps_person_spans():
    import train
    text, spans = train._join(["Saw", "Aylin", "Demirel", "at", "Leeds", "today", "!"],
                              ["O", "B-person", "I-person", "O", "B-location", "O", "O"])
    assert text == "Saw Aylin Demirel at Leeds today!"
    assert [(text[s:e], t) for s, e, t in spans] == [("Aylin Demirel", "person"), ("Leeds", "location")]
