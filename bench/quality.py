"""Every quality figure side by side, from one command.

    .venv/bin/python bench/quality.py                  # all sets and the speed ratio (a few minutes)
    .venv/bin/python bench/quality.py --no-speed       # without bench/run.py
    .venv/bin/python bench/quality.py --no-second-opinion

Runs, each in its own process and each with its own scoring: `sklint eval` on the dev corpus
(../shared/corpus/dev) and on tests/corpus/extra (entity, category and rule figures and the
verdict line), bench/tab.py (TAB PERSON), bench/presidio_synth.py (PERSON), bench/wnut.py
(WNUT-17 dev PERSON), bench/names_by_tradition.py (recall by naming tradition) and
`bench/run.py --quick --text-size 400K` (throughput against Presidio in the same run), and prints
one Markdown table. The README's figures come from here.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def run(args: list[str], timeout: int = 1800) -> str:
    p = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    return p.stdout + p.stderr


def find(pattern: str, text: str, default: str = "?") -> str:
    m = re.search(pattern, text)
    return m.group(1).strip() if m else default


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--no-second-opinion", action="store_true")
    a = ap.parse_args(argv)
    so = ["--no-second-opinion"] if a.no_second_opinion else []
    rows = []
    for name, corpus in (("dev corpus (40)", SHARED / "corpus" / "dev"),
                         ("tests/corpus/extra (57)", ROOT / "tests" / "corpus" / "extra")):
        cfg = []
        if a.no_second_opinion:
            toml = Path("/tmp/sklint-quality-no-second-opinion.toml")
            toml.write_text("[ner]\nsecond-opinion = false\n")
            cfg = ["--config", str(toml)]
        out = run(["-m", "sklint", "eval", *cfg, str(corpus)])
        rows.append((name, find(r"(entity recall .*)", out)))
        rows.append((name + ", verdicts", find(r"verdicts: (.*)", out)))
    out = run(["bench/tab.py", *so])
    rows.append(("TAB (63) PERSON recall / precision",
                 find(r"sklint \([^)]*\)\s+(\S+\s+\S+)", out).replace("  ", " ").replace(" ", " / ", 1)))
    out = run(["bench/presidio_synth.py", "--no-presidio", *so])
    rows.append(("presidio-synth PERSON recall / precision",
                 " / ".join(find(r"sklint\s+PERSON\s+(\S+\s+\S+)", out).split())))
    out = run(["bench/wnut.py", *so])
    rows.append(("WNUT-17 dev PERSON", find(r"(PERSON recall .*?F1 \S+)", out)))
    out = run(["bench/names_by_tradition.py", *so])
    mean = find(r"\*\*mean\*\* \| (\S+) \| (?:\S+) \| (?:\S+)", out)
    rows.append(("names by tradition: mean recall (looked at / kept apart / all), lowest",
                 " / ".join(re.search(r"\*\*mean\*\* \| (\S+) \| (\S+) \| (\S+)", out).groups())
                 + "; " + find(r"lowest: (.*)", out) if mean != "?" else "?"))
    if not a.no_speed:
        out = run(["bench/run.py", "--quick", "--text-size", "400K"], timeout=3600)
        rows.append(("400K text, 2 workers, against Presidio per paragraph",
                     find(r"throughput, one 400K text, 2 workers[^|]*\|([^|]*\|[^|]*\|[^|]*)\|", out)
                     .replace("|", ";")))
        rows.append(("cold `sklint check small.eml`", find(r"cold `sklint check small.eml`\s*\|([^|]*)\|", out)))
    print("| set | figures |")
    print("|---|---|")
    for name, fig in rows:
        cell = " ".join(fig.replace("|", ";").split())
        print(f"| {name} | {cell} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
