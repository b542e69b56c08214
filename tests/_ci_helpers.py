"""Helpers for the CI-gate tests (issue 6): a fixture repository built in tmp_path and a way to
run the real CLI in a subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DEV = SHARED / "corpus" / "dev"
SARIF_SCHEMA = SHARED / "spec" / "sarif-schema-2.1.0.json"
KEY = "test-key-5b1f0c1d9a7e4e2b8c6d"

# Identifiers the pattern detectors find reliably (fictional: Ofcom drama numbers, example.org).
PHONE_A = "07700 900123"
PHONE_B = "07700 900456"
EMAIL_A = "kayden.brooks@example.org"

PYPROJECT = """\
[project]
name = "fixture-site"
version = "0"

[tool.sklint]
fail-on = "warning"
extend-exclude = ["drafts/*"]
per-file-ignores = {"notes/*.md" = ["SK104"]}
allowlist = ["0300 123 4567"]

[tool.sklint.organisation]
name = "Fixture Family Link"
domains = ["fixturelink.org.uk"]
public-contacts = ["01768 860241", "hello@fixturelink.org.uk"]
staff = ["Priya Raman"]
"""


def run(args: list[str], cwd: Path, key: Optional[str] = KEY, timeout: int = 600,
        env_extra: Optional[dict] = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SKLINT_BASELINE_KEY"}
    env["PYTHONIOENCODING"] = "utf-8"
    if key is not None:
        env["SKLINT_BASELINE_KEY"] = key
    if env_extra:
        env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "sklint", *args], cwd=str(cwd), env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    return subprocess.run(["git", *args], cwd=str(cwd), env=env, check=True, capture_output=True,
                          text=True).stdout


def make_docx(path: Path, paragraphs: list[str]) -> None:
    import docx
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(str(path))


def build_repo(root: Path, commit: bool = True) -> Path:
    """A small charity site: pyproject config, Markdown, HTML and a .docx, under git."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "site").mkdir()
    (root / "notes").mkdir()
    (root / "drafts").mkdir()
    (root / "site" / "news.md").write_text(
        "# News\n\n"
        f"Call the office on 01768 860241 or email hello@fixturelink.org.uk.\n\n"
        f"Parent contact for the trip: {PHONE_A}.\n\n"
        "<!-- sklint: ignore[SK104] -->\n"
        f"Reviewed: the minibus driver's number {PHONE_B} is on the public timetable.\n\n"
        "<!-- sklint: ignore[SK111] -->\n"
        "Nothing to see in this paragraph.\n", encoding="utf-8")
    (root / "site" / "contact.html").write_text(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Contact</title></head><body>\n"
        "<h1>Contact us</h1>\n"
        f"<p>Write to {EMAIL_A} about the Saturday club.</p>\n"
        "<!-- sklint: ignore[SK104] -->\n"
        f"<p>Out-of-hours line: {PHONE_B}</p>\n"
        "<p>Office: 01768 860241</p>\n"
        "</body></html>\n", encoding="utf-8")
    (root / "notes" / "minutes.md").write_text(
        f"Call back on {PHONE_A} on Monday.\n", encoding="utf-8")
    (root / "drafts" / "draft.md").write_text(f"Draft: {PHONE_A}\n", encoding="utf-8")
    make_docx(root / "site" / "report.docx", ["Annual report", f"Contact Kayden's mum on {PHONE_A}."])
    if commit:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
    return root


def json_findings(stdout: str) -> list[tuple[str, dict]]:
    data = json.loads(stdout)
    return [(f["path"], x) for f in data["files"] for x in f["findings"]]
