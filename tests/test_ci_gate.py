"""The CI gate end to end (issue 6): a fixture repository with a pyproject config, Markdown, HTML
and a .docx under git, checked by the real CLI in a subprocess. Assertions name files, codes and
lines, never how many findings the detectors produce."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from _ci_helpers import DEV, PHONE_A, REPO, build_repo, git, json_findings, run


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_repo(tmp_path_factory.mktemp("ci") / "site-repo")


@pytest.fixture(scope="module")
def default_run(site):
    r = run(["check", "--format", "json", "--show-matches", "."], site)
    assert r.returncode in (0, 1), r.stderr
    return r, json_findings(r.stdout)


def _at(findings, path, code=None):
    return [f for p, f in findings if p.endswith(path) and (code is None or f["code"] == code)]


def test_default_run_fails_on_a_new_leak(default_run):
    r, fs = default_run
    assert r.returncode == 1
    phones = _at(fs, "site/news.md", "SK104")
    assert [f["line"] for f in phones] == [5]  # PHONE_A only
    assert phones[0]["match"] == PHONE_A


def test_organisation_public_contacts_are_not_flagged(default_run):
    _, fs = default_run
    for p, f in fs:
        assert "860241" not in f["match"] and "fixturelink" not in f["match"].lower(), (p, f)


def test_inline_ignore_comments_markdown_and_html(default_run):
    _, fs = default_run
    assert not [f for f in _at(fs, "site/news.md", "SK104") if f["line"] == 8]
    assert not _at(fs, "site/contact.html", "SK104")
    emails = _at(fs, "site/contact.html", "SK102")
    assert emails and emails[0]["line"] == 4  # a source line of the HTML file


def test_unused_suppression_is_reported(default_run):
    _, fs = default_run
    unused = _at(fs, "site/news.md", "SK905")
    assert len(unused) == 1 and unused[0]["severity"] == "info" and unused[0]["line"] == 10


def test_per_file_ignores_and_extend_exclude(default_run):
    _, fs = default_run
    assert not _at(fs, "notes/minutes.md", "SK104")
    assert not [p for p, _ in fs if "drafts/" in p]


def test_docx_is_checked(default_run):
    _, fs = default_run
    assert _at(fs, "site/report.docx", "SK104")


def test_cli_select_ignore_extend_select(site):
    r = run(["check", "--format", "json", "--select", "SK102", "."], site)
    codes = {f["code"] for _, f in json_findings(r.stdout)}
    assert "SK104" not in codes and "SK102" in codes
    r = run(["check", "--format", "json", "--ignore", "uk-phone-number", "."], site)
    assert "SK104" not in {f["code"] for _, f in json_findings(r.stdout)}
    r = run(["check", "--format", "json", "--ignore", "SK1", "--extend-select", "SK104", "."], site)
    codes = {f["code"] for _, f in json_findings(r.stdout)}
    assert "SK104" in codes and "SK102" not in codes


def test_config_severity_override_and_fail_on(site, tmp_path):
    cfg = tmp_path / "sklint.toml"
    cfg.write_text('fail-on = "error"\n[severity]\nSK104 = "error"\n', encoding="utf-8")
    r = run(["check", "--format", "json", "--config", str(cfg), "site/news.md"], site)
    phones = _at(json_findings(r.stdout), "site/news.md", "SK104")
    assert phones and all(f["severity"] == "error" for f in phones)
    assert r.returncode == 1
    cfg.write_text('fail-on = "error"\n', encoding="utf-8")
    r = run(["check", "--format", "json", "--config", str(cfg), "--select", "SK104", "site/news.md"], site)
    assert r.returncode == 0, r.stdout


def test_html_format_refuses_stdout(site):
    r = run(["check", "--format", "html", "."], site)
    assert r.returncode == 2 and r.stdout == ""
    assert "--output" in r.stderr


def test_changed_since(tmp_path):
    repo = build_repo(tmp_path / "repo")
    news = repo / "site" / "news.md"
    news.write_text(news.read_text(encoding="utf-8") + f"\nNew: {PHONE_A}\n", encoding="utf-8")
    (repo / "site" / "new.md").write_text(f"Ring {PHONE_A}\n", encoding="utf-8")
    r = run(["check", "--format", "json", "--changed-since", "HEAD", "."], repo)
    paths = {Path(p).as_posix() for p, _ in json_findings(r.stdout)}
    data = json.loads(r.stdout)
    checked = {Path(f["path"]).as_posix() for f in data["files"]}
    assert checked == {"site/news.md", "site/new.md"}, checked
    assert "site/report.docx" not in paths
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "second")
    r = run(["check", "--format", "json", "--changed-since", "HEAD~1", "."], repo)
    assert {Path(f["path"]).as_posix() for f in json.loads(r.stdout)["files"]} == checked
    r = run(["check", "--changed-since", "HEAD", "."], repo)
    assert r.returncode == 0 and "Checked 0 files" in r.stdout


def test_changed_since_errors(tmp_path):
    repo = build_repo(tmp_path / "repo")
    r = run(["check", "--changed-since", "no-such-branch", "."], repo)
    assert r.returncode == 2 and "not a revision" in r.stderr and "Traceback" not in r.stderr
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.md").write_text("hello\n", encoding="utf-8")
    r = run(["check", "--changed-since", "HEAD", "."], plain)
    assert r.returncode == 2 and "git repository" in r.stderr and "Traceback" not in r.stderr


def test_changed_files_api(tmp_path):
    from sklint.config import Config
    from sklint.gitchanges import changed_files
    repo = build_repo(tmp_path / "repo")
    (repo / "site" / "news.md").write_text("changed\n", encoding="utf-8")
    got = changed_files("HEAD", Config(root=str(repo)))
    assert got == {(repo / "site" / "news.md").resolve()}
    with pytest.raises(RuntimeError, match="not a revision"):
        changed_files("nope", Config(root=str(repo)))


def test_jobs_2_equals_jobs_1_on_dev_corpus():
    if not DEV.is_dir():
        pytest.skip(f"dev corpus not present: {DEV}")
    one = run(["check", "--format", "json", "--show-matches", "--jobs", "1", str(DEV)], REPO)
    two = run(["check", "--format", "json", "--show-matches", "--jobs", "2", str(DEV)], REPO)
    assert one.returncode == two.returncode
    assert json.loads(one.stdout) == json.loads(two.stdout)


def test_pre_commit_hook_definition():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "sklint"]
    assert hook["entry"].split()[0] == "sklint" and hook["language"] == "python"
    assert hook.get("types_or") or hook.get("files")


def test_github_action_definition():
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    text = json.dumps(steps)
    assert "pip install" in text and "--format sarif" in text
    assert any("github/codeql-action/upload-sarif" in s.get("uses", "") for s in steps)
    for name in ("paths", "baseline", "changed-since", "sarif-file", "upload-sarif", "fail-on"):
        assert name in action["inputs"], name


def test_docs_cover_every_option():
    doc = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    for word in ("select", "extend-select", "ignore", "per-file-ignores", "severity", "allowlist",
                 "allowlist-regex", "allowlist-fingerprints", "public-contacts", "staff", "domains",
                 "sklint: ignore[", "ignore-file", "SK905", "SKLINT_BASELINE_KEY", "--baseline",
                 "sklint baseline", "--format sarif", "github", "junit", "html", "--show-matches",
                 "--jobs", "--changed-since", "small-count", "identifiable-quote",
                 "web-form-overcollection", "preset", ".pre-commit-hooks.yaml", "action.yml",
                 "upload-sarif", "exclude", "categories"):
        assert word in doc, word


def test_progress_bar_only_on_a_terminal(tmp_path):
    """rich draws a progress bar on stderr when it is a TTY; piped output never has one."""
    import os
    import pty
    import subprocess
    import sys
    repo = build_repo(tmp_path / "repo")
    piped = run(["check", "site"], repo)
    assert "━" not in piped.stderr and "\x1b[" not in piped.stderr
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "SKLINT_BASELINE_KEY"}
    env.update(TERM="xterm", COLUMNS="100")
    proc = subprocess.Popen([sys.executable, "-m", "sklint", "check", "--format", "json", "site"],
                            cwd=str(repo), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=slave, env=env)
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
    out, _ = proc.communicate(timeout=300)
    os.close(master)
    tty_err = b"".join(chunks).decode("utf-8", "replace")
    assert "sklint" in tty_err and "━" in tty_err
    assert json.loads(out)["files"]  # stdout stays clean JSON
