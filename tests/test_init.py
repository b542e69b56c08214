"""`sklint init`: an organisation profile from a folder of real .eml files (the extra corpus's
Furness mail), through the real CLI. The profile holds the organisation's own details and no
client's, and with it sklint silences those details and nothing else."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXTRA = ROOT / "tests" / "corpus" / "extra"
FURNESS = ["extra-01", "extra-03", "extra-11", "extra-25", "extra-28", "extra-30", "extra-36",
           "extra-39", "extra-46", "extra-48", "extra-51", "extra-53"]


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "sklint", *args], capture_output=True, text=True,
                          cwd=cwd, stdin=subprocess.DEVNULL)


@pytest.fixture
def sent(tmp_path):
    folder = tmp_path / "sent"
    folder.mkdir()
    for k in FURNESS:
        (src,) = EXTRA.glob(f"{k}-*.eml")
        shutil.copy(src, folder / src.name)
    return folder


def gold_entities(names):
    out = set()
    for k in names:
        (g,) = EXTRA.glob(f"{k}-*.gold.json")
        out |= {e["text"] for e in json.loads(g.read_text(encoding="utf-8"))["entities"]}
    return out


def test_init_prints_for_review_and_writes_only_when_asked(sent, tmp_path):
    r = run("init", str(sent), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "[organisation]" in r.stdout and "Not written" in r.stderr
    assert not (tmp_path / "sklint.toml").exists()
    r = run("init", str(sent), "--yes", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    prof = tomllib.loads((tmp_path / "sklint.toml").read_text(encoding="utf-8"))["organisation"]
    assert prof["domains"] == ["furnessyoungcarers.org.uk"]
    assert prof["name"] == "Furness Young Carers Hub"
    assert "01229 811470" in prof["public-contacts"]
    assert {"Lowri Jenkins", "Declan Moffat", "Patience Okonkwo"} <= set(prof["staff"])
    text = (tmp_path / "sklint.toml").read_text(encoding="utf-8")
    # no client's, parent's or volunteer's detail in the profile (a sending staff member's own
    # name is labelled where a message is about her, and belongs in `staff`)
    leaked = [e for e in gold_entities(FURNESS) if e in text and not any(e in n for n in prof["staff"])]
    assert not leaked, leaked
    again = run("init", str(sent), "--yes", cwd=tmp_path)
    assert again.returncode == 2 and "exists" in again.stderr


def test_init_on_a_folder_with_no_sent_mail_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    r = run("init", str(tmp_path / "empty"), cwd=tmp_path)
    assert r.returncode == 2 and "no mail sent" in r.stderr and "Traceback" not in r.stderr


def test_the_profile_silences_the_organisations_details_and_nothing_else(sent, tmp_path):
    assert run("init", str(sent), "--yes", "-o", str(sent / "sklint.toml"), cwd=tmp_path).returncode == 0
    plain = tmp_path / "plain"
    shutil.copytree(sent, plain, ignore=shutil.ignore_patterns("sklint.toml"))

    def report(folder):
        r = run("check", "--format", "json", "--show-matches", str(folder), cwd=tmp_path)
        out = {}
        for f in json.loads(r.stdout)["files"]:
            out[Path(f["path"]).name] = [x for x in f["findings"] if x["severity"] != "info"]
        return out

    before, after = report(plain), report(sent)
    gold = {}
    for k in FURNESS:
        (g,) = EXTRA.glob(f"{k}-*.gold.json")
        doc = g.name[: -len(".gold.json")] + ".eml"
        gold[doc] = json.loads(g.read_text(encoding="utf-8"))
    silenced = 0
    for name, fs in before.items():
        kept = {(x["code"], x["part"], x["start"]) for x in after[name]}
        for x in fs:
            if (x["code"], x["part"], x["start"]) in kept:
                continue
            silenced += 1
            # whatever the profile silenced is the organisation's own: never a labelled entity
            assert not any(x["match"] and x["match"] in e["text"] and x["part"] == e["part"]
                           for e in gold[name]["entities"]), (name, x["match"])
        assert {x["rule"] for x in after[name]} >= {r for r, v in gold[name]["rules"].items() if v}
    assert silenced >= 1
