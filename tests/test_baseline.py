"""Baselines (issue 6): keyed fingerprints only; `sklint baseline` refuses without the key;
`--baseline` reports only new findings, survives edits and does not silence another file."""
from __future__ import annotations

import json
import re

import pytest

from _ci_helpers import EMAIL_A, KEY, PHONE_A, build_repo, json_findings, run
from sklint.fingerprint import fingerprint, normalise_value, relative_path


@pytest.fixture
def repo(tmp_path):
    return build_repo(tmp_path / "repo")


def test_baseline_refuses_without_key(repo):
    r = run(["baseline", ".", "-o", ".sklint-baseline.json"], repo, key=None)
    assert r.returncode == 2
    assert "SKLINT_BASELINE_KEY" in r.stderr and "Traceback" not in r.stderr
    assert not (repo / ".sklint-baseline.json").exists()


def test_baseline_file_holds_keyed_hashes_only(repo):
    r = run(["baseline", ".", "-o", ".sklint-baseline.json"], repo)
    assert r.returncode == 0, r.stderr
    raw = (repo / ".sklint-baseline.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    assert data["format"] == "sklint-baseline" and data["fingerprints"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", fp) for fp in data["fingerprints"])
    for secret in (PHONE_A, PHONE_A.replace(" ", ""), EMAIL_A, "news.md", "contact.html", KEY):
        assert secret not in raw


def test_check_with_baseline_reports_only_new_findings(repo):
    assert run(["baseline", ".", "-o", ".sklint-baseline.json"], repo).returncode == 0
    r = run(["check", "--format", "json", "--baseline", ".sklint-baseline.json", "."], repo)
    assert r.returncode == 0, r.stdout
    assert all(f["severity"] == "info" for _, f in json_findings(r.stdout))
    # moving the accepted number down the file (an edit above it) keeps it accepted
    news = repo / "site" / "news.md"
    news.write_text("Intro paragraph added later.\n\n" + news.read_text(encoding="utf-8"), encoding="utf-8")
    r = run(["check", "--format", "json", "--baseline", ".sklint-baseline.json", "."], repo)
    assert r.returncode == 0, r.stdout
    # the same number in another file is new there
    (repo / "site" / "copy.md").write_text(f"Also {PHONE_A}\n", encoding="utf-8")
    # and a new number in a baselined file is new
    news.write_text(news.read_text(encoding="utf-8") + "\nNew: 07700 900999\n", encoding="utf-8")
    r = run(["check", "--format", "json", "--show-matches", "--baseline", ".sklint-baseline.json", "."], repo)
    assert r.returncode == 1
    new = [(p, f["match"]) for p, f in json_findings(r.stdout) if f["code"] == "SK104"]
    assert sorted(new) == sorted([("site/copy.md", PHONE_A), ("site/news.md", "07700 900999")])


def test_baseline_needs_the_same_key(repo):
    assert run(["baseline", ".", "-o", "bl.json"], repo).returncode == 0
    r = run(["check", "--baseline", "bl.json", "."], repo, key="another-key")
    assert r.returncode == 2 and "different SKLINT_BASELINE_KEY" in r.stderr
    r = run(["check", "--baseline", "bl.json", "."], repo, key=None)
    assert r.returncode == 2 and "SKLINT_BASELINE_KEY" in r.stderr


def test_baseline_file_errors(repo):
    (repo / "bad.json").write_text("{not json", encoding="utf-8")
    r = run(["check", "--baseline", "bad.json", "."], repo)
    assert r.returncode == 2 and "not a sklint baseline" in r.stderr
    r = run(["check", "--baseline", "missing.json", "."], repo)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_fingerprint_properties(tmp_path):
    k = b"key"
    a = fingerprint(k, "site/a.md", "SK104", "07700 900123", "PHONE_NUMBER")
    assert a == fingerprint(k, "site/a.md", "SK104", "07700900123", "PHONE_NUMBER")
    assert a == fingerprint(k, "site/a.md", "sk104", "+44 7700 900123", "PHONE_NUMBER")
    assert a != fingerprint(k, "site/b.md", "SK104", "07700 900123", "PHONE_NUMBER")
    assert a != fingerprint(k, "site/a.md", "SK105", "07700 900123", "PHONE_NUMBER")
    assert a != fingerprint(b"other", "site/a.md", "SK104", "07700 900123", "PHONE_NUMBER")
    assert "900123" not in a
    assert normalise_value("Tom  Hughes's", "PERSON") == normalise_value("tom hughes", "PERSON")
    (tmp_path / ".git").mkdir()
    (tmp_path / "x").mkdir()
    assert relative_path(tmp_path / "x" / "a.md", str(tmp_path)) == "x/a.md"
    assert relative_path(tmp_path / "x" / "a.md") == "x/a.md"


def test_unused_baseline_entries_are_reported(repo):
    assert run(["baseline", ".", "-o", ".sklint-baseline.json"], repo).returncode == 0
    r = run(["check", "--baseline", ".sklint-baseline.json", "."], repo)
    assert "baseline entries matched nothing" not in r.stderr
    news = repo / "site" / "news.md"
    news.write_text(news.read_text(encoding="utf-8").replace(PHONE_A, "the office"), encoding="utf-8")
    r = run(["check", "--baseline", ".sklint-baseline.json", "."], repo)
    assert re.search(r"\d+ of \d+ baseline entries matched nothing", r.stderr), r.stderr
    assert PHONE_A not in r.stderr
