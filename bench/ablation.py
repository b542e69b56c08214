"""Each kind of PERSON evidence turned off in turn, on every PERSON set: what it is worth.

    .venv/bin/python bench/ablation.py                  # every kind in sklint.detect.names.EVIDENCE
    .venv/bin/python bench/ablation.py --only ner,model

For the baseline and for each kind of evidence (the source a name candidate carries: a title, a
salutation, a relation word, the NER, the learned second opinion, propagation across the
message, ...; and `filter`, the filter of weak evidence), runs bench/tab.py, bench/presidio_synth.py,
bench/wnut.py and bench/names_by_tradition.py with `--without KIND` in their own processes and
prints PERSON F1 on each and the change against the baseline. A kind whose removal raises F1 on
the sets it was not built from is a candidate to go. The TAB judgments and presidio-synth were
looked at while the rules were written; WNUT-17 dev and the kept-apart half of the tradition set
much less so.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _run(args: list[str]) -> str:
    p = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=3600)
    return p.stdout + p.stderr


def _f1(r: float, p: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def figures(without: str) -> dict[str, float]:
    w = ["--without", without] if without else []
    out: dict[str, float] = {}
    m = re.search(r"sklint \([^)]*\)\s+(\S+)\s+(\S+)", _run(["bench/tab.py", *w]))
    out["TAB"] = _f1(float(m.group(1)), float(m.group(2))) if m else float("nan")
    m = re.search(r"sklint\s+PERSON\s+(\S+)\s+(\S+)", _run(["bench/presidio_synth.py", "--no-presidio", *w]))
    out["presidio-synth"] = _f1(float(m.group(1)), float(m.group(2))) if m else float("nan")
    m = re.search(r"F1 (\S+)", _run(["bench/wnut.py", *w]))
    out["WNUT-17 dev"] = float(m.group(1)) if m else float("nan")
    m = re.search(r"\*\*mean\*\* \| (\S+) \| (\S+) \| (\S+)", _run(["bench/names_by_tradition.py", *w]))
    out["traditions (recall, kept apart)"] = float(m.group(2)) if m else float("nan")
    return out


def main(argv=None) -> int:
    from sklint.detect.names import EVIDENCE
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="")
    a = ap.parse_args(argv)
    kinds = [k for k in (a.only.split(",") if a.only else EVIDENCE) if k]
    base = figures("")
    sets = list(base)
    print("| without | " + " | ".join(sets) + " |")
    print("|---|" + "---|" * len(sets))
    print("| (nothing: all on) | " + " | ".join(f"{base[s]:.3f}" for s in sets) + " |", flush=True)
    for k in kinds:
        f = figures(k)
        cells = [f"{f[s]:.3f} ({f[s] - base[s]:+.3f})" for s in sets]
        print(f"| {k} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
