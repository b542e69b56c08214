"""Hostile and huge inputs through the real CLI: time is a limit like size. A long text is read
a window at a time and reading stops at [limits] max-check-seconds with a limit-reached finding,
exit status 2 and every other file still checked; a text nobody writes by hand (one word
repeated for megabytes) is read once per distinct window; the kinds of bench/hostile.py, in
small versions, each end with a one-line error or a limit finding, never a traceback.
Times and memory are measured by bench/hostile.py, not asserted here."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sklint.config import Config
from sklint.pipeline import WINDOW_CHARS, Engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import hostile  # noqa: E402

PHONE = "07700 900123"


def long_text(chars: int) -> str:
    """Ordinary sentences, every paragraph different (so no window repeats another)."""
    out, n, i = [], 0, 0
    while n < chars:
        p = (f"Session {i} notes: the group met at the community hall, played two games and "
             f"planned the trip for week {i % 52 + 1}. Volunteers set out {i % 17 + 3} chairs.\n\n")
        out.append(p)
        n += len(p)
        i += 1
    return "".join(out)


def sklint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sklint", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def engine():
    return Engine(Config())


def test_time_limit_stops_a_long_text_says_so_and_checks_the_rest(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text(f"Call Siobhan Quinn on {PHONE} about the trip.\n\n" + long_text(2_000_000)
                   + f"\n\nLast line: ring 07700 900456 after six.\n")
    small = tmp_path / "small.txt"
    small.write_text(f"Please phone Tom Hughes on {PHONE}.\n")
    (tmp_path / "sklint.toml").write_text("[limits]\nmax-check-seconds = 1\n")
    p = sklint("check", "--config", "sklint.toml", "--format", "json", "--show-matches",
               "big.txt", "small.txt", cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    files = {f["path"]: f for f in json.loads(p.stdout)["files"]}
    limits = [x for x in files["big.txt"]["findings"] if x["rule"] == "limit-reached"]
    assert len(limits) == 1 and "were not checked" in limits[0]["message"]
    assert "time limit" in limits[0]["message"]
    matches = [x["match"] for x in files["big.txt"]["findings"]]
    assert PHONE in matches                 # the first window was read
    assert "07700 900456" not in matches    # the last one was not
    assert any(x["rule"] == "uk-phone-number" for x in files["small.txt"]["findings"])
    # the text report says it too
    p = sklint("check", "--config", "sklint.toml", "big.txt", cwd=tmp_path)
    assert p.returncode == 2 and "1 file not fully read" in p.stdout


def test_windows_give_true_offsets(engine):
    text = f"Referral for Amira Hussain, mobile {PHONE}.\n\n" + long_text(WINDOW_CHARS * 2 + 1234) \
        + f"\n\nAt the end: Amira Hussain, NHS number 943 476 5919, mobile 07700 900789.\n"
    res = engine.check_bytes(text.encode(), "long.txt", deadline=float("inf"))
    assert not any(f.rule == "limit-reached" for f in res.findings)
    spans = [f for f in res.findings if f.start is not None]
    assert all(text[f.start:f.end] == f.match for f in spans)
    tail = {f.match for f in spans if f.start > len(text) - 200}
    assert {"943 476 5919", "07700 900789"} <= tail
    lines = {f.match: f.line for f in spans}
    assert lines["943 476 5919"] == text.count("\n", 0, text.index("943 476 5919")) + 1


def test_a_word_repeated_for_megabytes_is_read_once_per_window(engine):
    text = "Aoife " * (3 * WINDOW_CHARS // 6) + f"\nRing {PHONE} tonight.\n"
    calls = []
    real = engine._detect

    def counting(message):
        calls.append(sum(len(p.text) for p in message.parts))
        return real(message)
    engine._detect = counting
    try:
        res = engine.check_bytes(text.encode(), "repeat.txt", deadline=float("inf"))
    finally:
        del engine._detect
    assert not any(f.rule == "limit-reached" for f in res.findings)
    assert len(calls) <= 3  # the first window, the last (shorter) one; the rest are the same text
    phone = [f for f in res.findings if f.match == PHONE]
    assert phone and text[phone[0].start:phone[0].end] == PHONE
    spans = [f for f in res.findings if f.start is not None]
    assert all(text[f.start:f.end] == f.match for f in spans)


SMALL_KINDS = {
    "nested-html.html": lambda: (b"<html><body>" + b"<div>" * 20_000 + b"Siobhan Quinn, 07700 900123"
                                 + b"</div>" * 20_000 + b"</body></html>"),
    "nested-rtf.rtf": lambda: b"{\\rtf1 " + b"{" * 100_000 + b"text" + b"}" * 100_000 + b"}",
    "docx-ratio-bomb.docx": lambda: hostile._swap_member(
        hostile._docx(), "word/document.xml",
        lambda b: b.replace(b"</w:body>", b" " * (30 * 1024 * 1024) + b"</w:body>")),
    "docx-laughs.docx": hostile.billion_laughs_docx,
    "zip-nested.zip": lambda: hostile.nested_zip(30),
    "mime-nested.eml": lambda: hostile.mime_nested(300),
    "self-attached.eml": lambda: hostile.self_attached(30),
    "attachments.eml": lambda: hostile.many_attachments(2_000),
    "truncated.docx": lambda: hostile._docx("Referral for the family")[:900],
    "empty.eml": lambda: b"",
    "nul-bytes.txt": lambda: b"\0" * 100_000,
    "wide-line.csv": lambda: b",".join(b"x%d" % i for i in range(50_000)) + b"\n",
}
LIMITED = {"zip-nested.zip", "mime-nested.eml", "self-attached.eml"}
REFUSED = {"docx-ratio-bomb.docx", "docx-laughs.docx", "truncated.docx", "empty.eml", "nul-bytes.txt"}


def test_hostile_kinds_end_with_a_line_not_a_traceback(tmp_path):
    for name, make in SMALL_KINDS.items():
        (tmp_path / name).write_bytes(make())
    (tmp_path / "fine.txt").write_text(f"Please phone Tom Hughes on {PHONE}.\n")
    p = sklint("check", "--format", "json", "--jobs", "2", ".", cwd=tmp_path)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout
    files = {Path(f["path"]).name: f for f in json.loads(p.stdout)["files"]}
    assert set(files) == set(SMALL_KINDS) | {"fine.txt"}
    for name in REFUSED:
        err = files[name]["error"]
        assert err and "\n" not in err and len(err) < 300, (name, err)
    for name in LIMITED:
        assert any(x["rule"] == "limit-reached" for x in files[name]["findings"]), name
    assert any(x["rule"] == "uk-phone-number" for x in files["fine.txt"]["findings"])
    assert any(x["rule"] == "uk-phone-number" for x in files["nested-html.html"]["findings"])
