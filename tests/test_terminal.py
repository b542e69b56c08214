"""What a person sees on their own terminal (issue 17, items 1 and 5): the flagged words with
their line, where to find them in a document, one entry per problem; and nothing of the kind in a
pipe, a file or CI. Run through the real CLI in a pseudo-terminal."""
from __future__ import annotations

import os
import pty
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import docx
import openpyxl
import pytest


def on_tty(args, cwd, env_extra=None) -> str:
    """Run `sklint ARGS` with stdout and stderr on a pseudo-terminal; return what it printed."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    env.update(env_extra or {})
    env["COLUMNS"] = "200"
    p = subprocess.Popen([sys.executable, "-m", "sklint", *args], stdout=slave, stderr=slave,
                         stdin=subprocess.DEVNULL, cwd=cwd, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    p.wait(timeout=300)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("tty")
    doc = docx.Document()
    doc.add_paragraph("Annual summary")
    doc.add_paragraph("We supported forty families this year.")
    doc.add_paragraph("Tobiah Quennell has epilepsy and his mobile is 07700 900871.")
    doc.save(d / "summary.docx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Referrals"
    ws.append(["Name", "Phone"])
    ws.append([])
    ws.append(["Marisol Okonedo", "07700 900562"])
    wb.save(d / "referrals.xlsx")
    m = EmailMessage()
    m["From"], m["To"] = "Jo Bell <jo@riverbend.org.uk>", "Sam Hale <sam@eastshire.gov.uk>"
    m["Subject"] = "Saturday group"
    m["Date"] = "Mon, 07 Dec 2026 09:00:00 +0000"
    m.set_content("Hi Sam,\n\nAmelie Dunstan-Roe has epilepsy and had a seizure at group.\n\nThanks,\nJo\n")
    (d / "note.eml").write_bytes(bytes(m))
    return d


def test_a_terminal_shows_the_words_their_line_and_where_to_find_them(files):
    out = on_tty(["check", "--no-color", "summary.docx", "referrals.xlsx"], files)
    assert "[Tobiah Quennell]" in out
    assert "paragraph 3" in out
    assert "Tobiah Quennell has epilepsy and his mobile is 07700 900871." in out
    assert "^^^^^^^^^^^^^^^" in out  # the name marked under its line
    assert "sheet 'Referrals', cell A3" in out and "sheet 'Referrals', cell B3" in out


def test_hidden_in_ci_in_a_pipe_and_on_request(files):
    ci = on_tty(["check", "--no-color", "summary.docx"], files, {"CI": "true"})
    piped = subprocess.run([sys.executable, "-m", "sklint", "check", "summary.docx"], cwd=files,
                           capture_output=True, text=True, timeout=300).stdout
    asked = on_tty(["check", "--no-color", "--hide-matches", "summary.docx"], files)
    for out in (ci, piped, asked):
        assert "Quennell" not in out and "07700 900871" not in out and "epilepsy" not in out
        assert "--show-matches" in out  # says how to see them
    shown = subprocess.run([sys.executable, "-m", "sklint", "check", "--show-matches", "summary.docx"],
                           cwd=files, capture_output=True, text=True, timeout=300).stdout
    assert "[Tobiah Quennell]" in shown and "^^^" not in shown  # no frames outside a terminal


def test_two_rules_on_the_same_words_are_one_entry(files):
    out = on_tty(["check", "--no-color", "note.eml"], files)
    lines = [ln for ln in out.splitlines() if "[epilepsy]" in ln]
    assert len(lines) == 1, out
    assert "SK201 health" in lines[0] and "SK303 sensitive-detail-in-email" in lines[0]


def test_the_readme_examples_on_a_terminal():
    root = Path(__file__).resolve().parent.parent
    out = on_tty(["check", "--no-color", "examples/"], root)
    assert "examples/draft-referral.eml:" in out and "examples/funding-report.md:" in out
    framed = [ln for ln in out.splitlines() if ln.lstrip().startswith("|") and "^" in ln]
    assert framed, out  # each problem's words marked under its line
    assert "[PERSON:" not in out  # shown, not redacted, on the person's own screen
