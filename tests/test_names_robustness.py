"""Hostile input never hangs the PERSON detector: long runs of spaces and tabs, one 8 MB line,
20 MB of text. Each case runs in a child process with a generous timeout (the machine is shared
and loaded, so the limit only catches a hang, a quadratic regex, not a slow run)."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent("""
    import sys
    from sklint.config import Config
    from sklint.detect import DetectContext
    from sklint.detect.names import detect_persons
    from sklint.detect.ner import NlpEngine
    from sklint.model import Message, Part

    case, ner = sys.argv[1], sys.argv[2] == "ner"
    name = "Kayden Brooks met his sister Chloe. "
    if case == "spaces":
        text = name + " " * 1_000_000 + "Dear " + " " * 1_000_000 + "Jess, " + " " * 500_000 + name
    elif case == "tabs":
        text = name + "\\t" * 1_000_000 + "his sister" + " \\t" * 500_000 + "(aged" + "\\t" * 500_000
    elif case == "mixed-runs":
        # every regex that allows spaces between two tokens, given a million spaces there
        text = ("Thanks" + " " * 300_000 + "\\n" + " " * 300_000 + "Priya\\n"
                + "Name:" + " " * 300_000 + "Amira\\n" + " " * 300_000 + "- Siân Rowlands" + " " * 300_000
                + "–\\nmy name is" + " " * 300_000 + "Rubija\\n" + "Tom," + " " * 300_000 + "12"
                + " " * 300_000 + ",\\n")
    elif case == "one-line-8mb":
        text = (name + "Mrs O'Neill (14), Jess, 12, from Penrith; Name: Amira Hussain, "
                "T. Hughes, Tugendhat J. ") * 60_000
        text = text.replace("\\n", " ")[:8_000_000]
    elif case == "text-20mb":
        block = ("Dear Mrs O'Neill,\\n\\nKayden Brooks (9) met his sister Chloe at Hope Street.\\n"
                 "Name,DOB,Postcode\\nHarrison Bell,2013-11-02,LA9 7AZ\\n"
                 "- Siân Rowlands – welcome desk – 07700 900412\\n\\nThanks,\\nPriya\\n\\n")
        text = block * (20_000_000 // len(block))
    elif case == "long-word":
        text = "A" + "a" * 2_000_000 + " Bb-" * 200_000 + "'" * 500_000
    else:
        raise SystemExit("unknown case")
    ctx = DetectContext(config=Config(), registry=None, nlp=NlpEngine(enabled=ner))
    found = detect_persons(Message(source="t", kind="document", parts=(Part("body", "body", text),)), ctx)
    print(len(found), sorted({f.match for f in found})[:20])
""")


def run(case: str, ner: bool, timeout: int) -> str:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, case, "ner" if ner else "rules"],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.parametrize("case", ["spaces", "tabs", "mixed-runs", "long-word"])
def test_whitespace_runs_do_not_hang(case):
    out = run(case, ner=True, timeout=600)
    if case in ("spaces", "tabs"):
        assert "Kayden Brooks" in out


def test_one_8mb_line_does_not_hang():
    out = run("one-line-8mb", ner=False, timeout=900)
    assert "Kayden Brooks" in out


def test_20mb_text_does_not_hang():
    out = run("text-20mb", ner=False, timeout=1200)
    assert "Kayden Brooks" in out and "Harrison Bell" in out
