"""The command line as a user runs it: a real subprocess, real files, real exit codes."""
from __future__ import annotations

import re

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEV = SHARED / "corpus" / "dev"
SCHEMA = json.loads((ROOT / "sklint" / "schema" / "findings.schema.json").read_text())


def sklint(*args, cwd=None, check=False):
    return subprocess.run([sys.executable, "-m", "sklint", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def dev_documents():
    docs = []
    for gold in sorted(DEV.glob("*.gold.json")):
        stem = gold.name[: -len(".gold.json")]
        docs += [p for p in DEV.iterdir() if p.name.startswith(stem + ".") and p != gold]
    return docs


@pytest.mark.skipif(not DEV.is_dir(), reason="../shared/corpus/dev is not beside the checkout")
def test_every_dev_document_and_msg_sample_reads_and_validates():
    docs = [str(p) for p in dev_documents()]
    docs += [str(p) for p in sorted((SHARED / "samples" / "outlook-msg").glob("*.msg"))]
    r = sklint("check", "--format", "json", "--show-matches", *docs)
    assert r.returncode in (0, 1), r.stderr
    report = json.loads(r.stdout)
    jsonschema.validate(report, SCHEMA)
    errors = [(f["path"], f["error"]) for f in report["files"] if f["error"]]
    assert errors == []
    assert report["summary"]["files"] == len(docs)
    assert report["summary"]["errors"] == 0


def test_default_command_and_exit_codes(tmp_path):
    leak = tmp_path / "leak.txt"
    leak.write_text("Please ring Claire Hughes on 07700 900318 about Tom.\n", encoding="utf-8")
    clean = tmp_path / "clean.txt"
    clean.write_text("The trustees meet on Thursday in the small room.\n", encoding="utf-8")
    r = sklint(str(leak))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "SK104 uk-phone-number" in r.stdout
    assert "07700 900318" not in r.stdout  # redacted by default
    r = sklint(str(leak), "--show-matches")
    assert "07700 900318" in r.stdout
    r = sklint(str(clean))
    assert r.returncode == 0, r.stdout
    r = sklint(str(leak), "--fail-on", "error", "--ignore", "SK1", "--ignore", "SK2")
    assert r.returncode == 0, r.stdout


def test_subcommand_names_win_and_folders_are_walked(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.md").write_text("Call me on 07700 900123.\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("ignored/\n", encoding="utf-8")
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "b.md").write_text("Call me on 07700 900456.\n", encoding="utf-8")
    r = sklint("check", "rules/", "--format", "json", cwd=tmp_path)
    assert [f["path"] for f in json.loads(r.stdout)["files"]] == ["rules/a.md"]
    r = sklint(".", "--format", "json", cwd=tmp_path)
    paths = [f["path"] for f in json.loads(r.stdout)["files"]]
    assert paths == ["rules/a.md"], paths  # .gitignore honoured
    r = sklint("rules", cwd=tmp_path)  # the sub-command, not the folder
    assert r.returncode == 0 and "SK104" in r.stdout


def test_bad_input_is_one_line_exit_2_and_other_files_still_checked(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Ring 07700 900318.\n", encoding="utf-8")
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    r = sklint(str(bad), str(good), "--format", "json")
    assert r.returncode == 2
    files = {Path(f["path"]).name: f for f in json.loads(r.stdout)["files"]}
    assert files["bad.docx"]["error"] and "\n" not in files["bad.docx"]["error"]
    assert files["good.txt"]["findings"]
    assert "Traceback" not in r.stderr
    r = sklint(str(tmp_path / "missing.txt"))
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_config_unknown_key_is_an_error_naming_the_key(tmp_path):
    (tmp_path / "sklint.toml").write_text('fail-on = "warning"\nbogus-key = 1\n', encoding="utf-8")
    (tmp_path / "a.txt").write_text("hello\n", encoding="utf-8")
    r = sklint("a.txt", cwd=tmp_path)
    assert r.returncode == 2
    assert "bogus-key" in r.stderr and "Traceback" not in r.stderr


def test_nearest_config_wins_and_config_flag_overrides(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.sklint]\nfail-on = "error"\n', encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "sklint.toml").write_text('fail-on = "info"\nignore = ["SK1"]\n', encoding="utf-8")
    (sub / "a.txt").write_text("Ring 07700 900318.\n", encoding="utf-8")
    r = sklint("sub/a.txt", cwd=tmp_path)
    assert r.returncode == 0, r.stdout  # sub/sklint.toml ignores SK1
    other = tmp_path / "other.toml"
    other.write_text('fail-on = "warning"\n', encoding="utf-8")
    r = sklint("sub/a.txt", "--config", str(other), cwd=tmp_path)
    assert r.returncode == 1, r.stdout


def test_rules_lists_every_rule_with_policy_and_documents_one():
    r = sklint("rules")
    assert r.returncode == 0
    for code in ("SK101", "SK104", "SK201", "SK301", "SK302", "SK303", "SK304"):
        assert code in r.stdout
    r = sklint("rules", "SK104")
    assert r.returncode == 0 and "policy:" in r.stdout and "PHONE_NUMBER" in r.stdout
    r = sklint("rules", "SK999")
    assert r.returncode == 2


@pytest.mark.skipif(not DEV.is_dir(), reason="../shared/corpus/dev is not beside the checkout")
def test_eval_prints_the_summary_line_and_the_verdict_line():
    r = sklint("eval", str(DEV))
    assert r.returncode == 0, r.stderr
    summary, verdicts = r.stdout.strip().splitlines()[-2:]
    assert summary.startswith("entity recall ") and "| typed F1 " in summary and "| unread 0/40" in summary
    assert re.fullmatch(r"verdicts: hold recall \d\.\d{3} \(\d+/\d+\) false-hold rate \d\.\d{3} "
                        r"\(\d+/\d+\) \| noise \d+", verdicts), verdicts


def test_docs_rules_md_is_generated_from_the_registry():
    from sklint.cli import rules_markdown
    from sklint.registry import load_registry
    reg = load_registry()
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown(reg), \
        "docs/rules.md is stale: run `sklint rules --markdown > docs/rules.md`"
    for r in reg.rules:
        assert r.policy.strip(), f"{r.code} cites no policy clause"


# -- errors a person understands (issue 17, item 6) ----------------------------------------------

def test_an_empty_folder_is_an_error_that_says_so(tmp_path):
    (tmp_path / "empty").mkdir()
    r = sklint("check", str(tmp_path / "empty"))
    assert r.returncode == 2
    assert "no files to check" in r.stderr and "Traceback" not in r.stderr


def test_a_mistyped_command_says_did_you_mean(tmp_path):
    (tmp_path / "note.txt").write_text("Minibus keys are on the hook.\n", encoding="utf-8")
    r = sklint("chek", "note.txt", cwd=tmp_path)
    assert r.returncode == 2 and "did you mean `sklint check`" in r.stderr
    # a missing file whose name is no command stays a missing file
    r = sklint("minutes-march.txt", cwd=tmp_path)
    assert r.returncode == 2 and "no such file" in r.stdout + r.stderr and "did you mean" not in r.stderr
    # a real file named like a command is checked, not corrected
    (tmp_path / "chek").write_text("Nothing personal here.\n", encoding="utf-8")
    r = sklint("chek", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


def test_an_empty_text_file_is_info_not_an_error(tmp_path):
    (tmp_path / "blank.txt").write_text("", encoding="utf-8")
    r = sklint("check", "--format", "json", str(tmp_path / "blank.txt"))
    assert r.returncode == 0, r.stdout + r.stderr
    f = json.loads(r.stdout)["files"][0]
    assert not f.get("error") and [x["severity"] for x in f["findings"]] == ["info"]


def test_nothing_but_the_entry_points_imports_the_command_line():
    """Issue 18: no circle of imports through cli.py (cli -> check -> baseline -> cli was one):
    the layers below the command line never import it."""
    import ast
    pkg = ROOT / "sklint"
    offenders = []
    for path in pkg.rglob("*.py"):
        if path.name == "__main__.py" or path == pkg / "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                target = ("." * node.level) + mod
                if mod == "cli" and node.level and path.parent == pkg and node.level == 1 \
                        or mod == "cli" and node.level == 2 and path.parent.parent == pkg \
                        or mod == "sklint.cli":
                    offenders.append(f"{path.relative_to(ROOT)}: from {target} import ...")
    assert not offenders, offenders


def test_no_circle_of_imports_anywhere_in_the_package():
    """Issue 18: the stages import downwards only. Every import counts, those inside functions
    too (a lazy import still ties two modules together): the modules of sklint/ form no cycle."""
    import ast
    pkg = ROOT / "sklint"
    mods = {}
    for path in pkg.rglob("*.py"):
        parts = path.with_suffix("").relative_to(ROOT).parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, path in mods.items():
        here = m.split(".") if path.name == "__init__.py" else m.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = here[:len(here) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                for a in node.names:
                    cand = f"{target}.{a.name}"
                    graph[m].add(cand if cand in mods else target)
            elif isinstance(node, ast.Import):
                graph[m].update(a.name for a in node.names)
    graph = {m: {t for t in ts if t in mods and t != m} for m, ts in graph.items()}
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(m: str, path: list[str]) -> list[str]:
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                return path + [m, t]
            if t not in state:
                found = visit(t, path + [m])
                if found:
                    return found
        state[m] = 2
        return []

    for m in sorted(graph):
        if m not in state:
            cycle = visit(m, [])
            assert not cycle, " -> ".join(cycle[cycle.index(cycle[-1]):])


def test_folders_are_walked_as_git_would_ignore_them(tmp_path):
    """Issue 18: the .gitignore matching is pathspec's GitIgnoreSpec; git itself is the oracle."""
    import shutil as _sh
    if _sh.which("git") is None:
        pytest.skip("git is not installed")
    from sklint.discover import iter_files
    repo = tmp_path / "site"
    files = ["a.md", "b.log.txt", "keep.log.txt", "build/out.md", "docs/x/draft.tmp.md",
             "docs/x/page.md", "top.md", "sub/top.md", "sub/notes/secret.txt", "sub/notes/open.txt",
             "deep/a/b/c.md", "deep/a/b/skip.md"]
    for f in files:
        (repo / f).parent.mkdir(parents=True, exist_ok=True)
        (repo / f).write_text("text\n", encoding="utf-8")
    (repo / ".gitignore").write_text("*.log.txt\n!keep.log.txt\nbuild/\n/top.md\ndocs/**/*.tmp.md\n"
                                     "deep/**/skip.md\n", encoding="utf-8")
    (repo / "sub" / ".gitignore").write_text("notes/*\n!notes/open.txt\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    listed = subprocess.run(["git", "ls-files", "--others", "--exclude-standard"], cwd=repo,
                            capture_output=True, text=True, check=True).stdout.split()
    expected = sorted(p for p in listed if not p.endswith(".gitignore"))
    walked = sorted(p.relative_to(repo).as_posix() for p in iter_files([str(repo)], ()))
    assert walked == expected
